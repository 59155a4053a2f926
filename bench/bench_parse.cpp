// BM_parse/<case>: parse() of a whole header into a parse_result, with the
// default (strict) options; for v2_tcp4_tlvs that includes validating every
// TLV and verifying the CRC32C.
// BM_parse_without_crc32c_check/<case>: the same with `verify_crc32c` off, on
// the case that carries a CRC32C TLV, to show what the check costs.
#include "bench_support.hpp"

namespace bench {
namespace {

void parse_with(benchmark::State& state, const bench_case& c, const pp::parse_options& options) {
  if (const auto why = check_case(c); !why.empty()) return fail_setup(state, c, why);
  const opaque_input input(c);
  timed_loop(state, c, [&] {
    const pp::parse_result r = pp::parse(input.get(), options);
    benchmark::DoNotOptimize(r);
  });
  const pp::parse_result last = pp::parse(input.get(), options);
  if (!last.ok()) return fail_setup(state, c, "parse result changed");
  if (const auto why = check_header(c, last.value()); !why.empty()) fail_setup(state, c, why);
}

void parse(benchmark::State& state, const bench_case& c) { parse_with(state, c, pp::parse_options{}); }

void parse_without_crc32c_check(benchmark::State& state, const bench_case& c) {
  pp::parse_options options;
  options.verify_crc32c = false;
  parse_with(state, c, options);
}

[[maybe_unused]] const bool registered = register_cases("parse", every_case, parse);
[[maybe_unused]] const bool registered_without_check = register_cases(
    "parse_without_crc32c_check", [](const bench_case& c) { return c.tlv_count != 0; }, parse_without_crc32c_check);

}  // namespace
}  // namespace bench
