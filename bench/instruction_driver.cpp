// Runs one operation on one benchmark case N times, for
// `valgrind --tool=callgrind --toggle-collect=measure_<operation>`: each
// operation is one `measure_*` function that callgrind counts inclusively,
// so instructions per call = collected instructions / N.
//
//   instruction_driver <operation> <case> <calls>
//   operations: detect parse parse_walk_tlvs crc32c_verify build
//
// The functions are `noipa` on GCC (no inlining, no cloning, no assumptions
// about their arguments), so the compiler cannot specialise them for the
// input; Clang has no `noipa`, and `noinline` suffices there because the
// input is chosen at run time from the command line. Before the loop the driver checks that the case decodes (or
// builds) to the expected fields, and it checks every call's result outside the measured function; it exits non-zero on
// any mismatch.
#include <proxy_protocol.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string_view>

#include "cases.hpp"

namespace pp = proxy_protocol;

#if defined(__clang__)
#define MEASURED __attribute__((noinline))
#else
#define MEASURED __attribute__((noipa))
#endif

extern "C" {
MEASURED int measure_detect(const std::byte* data, std::size_t size) {
  return static_cast<int>(pp::detect(std::span<const std::byte>{data, size}));
}
// The result is constructed directly in the caller's memory, as a caller
// holding `auto r = parse(...)` gets it.
MEASURED void measure_parse(const std::byte* data, std::size_t size, pp::parse_result* out) {
  ::new (out) pp::parse_result(pp::parse(std::span<const std::byte>{data, size}));
}
MEASURED std::uint64_t measure_parse_walk_tlvs(const std::byte* data, std::size_t size, pp::parse_result* out) {
  ::new (out) pp::parse_result(pp::parse(std::span<const std::byte>{data, size}));
  return out->ok() ? bench::walk_tlvs(out->value()) : 0;
}
MEASURED bool measure_crc32c_verify(const std::byte* data, std::size_t size, std::size_t value_offset) {
  return bench::crc32c_matches(std::span<const std::byte>{data, size}, value_offset);
}
// Arguments in build()'s order (output span, header, items).
MEASURED std::size_t measure_build(std::byte* out, std::size_t out_size, const pp::header* h, const pp::tlv_item* items,
                                   std::size_t item_count) {
  return pp::build(std::span<std::byte>{out, out_size}, *h, std::span<const pp::tlv_item>{items, item_count}).size();
}
}

namespace {
int fail(std::string_view what, std::string_view why) {
  std::fprintf(stderr, "instruction_driver: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(why.size()), why.data());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s detect|parse|parse_walk_tlvs|crc32c_verify|build <case> <calls>\n", argv[0]);
    return 2;
  }
  const std::string_view operation = argv[1], case_name = argv[2], count_text = argv[3];
  const bench::bench_case* c = bench::find_case(case_name);
  if (c == nullptr) return fail(case_name, "no such case");
  std::size_t calls = 0;
  if (std::from_chars(count_text.data(), count_text.data() + count_text.size(), calls).ec != std::errc{} || calls == 0)
    return fail(count_text, "not a positive number of calls");
  if (const auto why = bench::check_case(*c); !why.empty()) return fail(case_name, why);

  const std::span<const std::byte> input = c->bytes();
  alignas(64) static std::byte output[pp::v2_max_size];
  alignas(pp::parse_result) static unsigned char result_storage[sizeof(pp::parse_result)];
  auto* result = reinterpret_cast<pp::parse_result*>(result_storage);

  if (operation == "detect") {
    const int expected = measure_detect(input.data(), input.size());
    for (std::size_t i = 0; i < calls; ++i)
      if (measure_detect(input.data(), input.size()) != expected) return fail(case_name, "detect changed its answer");
  } else if (operation == "parse") {
    for (std::size_t i = 0; i < calls; ++i) {
      measure_parse(input.data(), input.size(), result);
      if (!result->ok() || result->consumed() != input.size()) return fail(case_name, "parse failed");
    }
    if (const auto why = bench::check_header(*c, result->value()); !why.empty()) return fail(case_name, why);
  } else if (operation == "parse_walk_tlvs") {
    const std::uint64_t expected = bench::expected_walk_checksum(*c);
    for (std::size_t i = 0; i < calls; ++i)
      if (measure_parse_walk_tlvs(input.data(), input.size(), result) != expected || !result->ok())
        return fail(case_name, "TLV walk checksum differs");
  } else if (operation == "crc32c_verify") {
    if (c->tlv_count == 0) return fail(case_name, "this case carries no CRC32C TLV");
    if (!bench::crc32c_matches(input, bench::tlvs_crc32c_offset)) return fail(case_name, "CRC32C does not match");
    for (std::size_t i = 0; i < calls; ++i)
      if (!measure_crc32c_verify(input.data(), input.size(), bench::tlvs_crc32c_offset))
        return fail(case_name, "CRC32C does not match");
  } else if (operation == "build") {
    if (const auto why = bench::check_build(*c, output); !why.empty()) return fail(case_name, why);
    const pp::header h = bench::header_to_build(*c);
    const auto items = bench::tlv_items_to_build(*c);
    const std::size_t expected = pp::build(output, h, items).size();
    for (std::size_t i = 0; i < calls; ++i)
      if (measure_build(output, sizeof output, &h, items.data(), items.size()) != expected)
        return fail(case_name, "build changed its size");
    if (const auto why = bench::check_build(*c, output); !why.empty()) return fail(case_name, why);
  } else {
    return fail(operation, "no such operation");
  }
  return 0;
}
