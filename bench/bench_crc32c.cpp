// BM_crc32c_verify/<case>: checking a v2 header's CRC32C TLV with the public
// crc32c() (the field counted as zero, no copy), on the one case that
// carries the TLV. Hardware CRC32C is used when the CPU has it.
#include "bench_support.hpp"

namespace bench {
namespace {

void crc32c_verify(benchmark::State& state, const bench_case& c) {
  if (const auto why = check_case(c); !why.empty()) return fail_setup(state, c, why);
  const opaque_input input(c);
  if (!crc32c_matches(input.get(), tlvs_crc32c_offset)) return fail_setup(state, c, "CRC32C does not match");
  timed_loop(state, c, [&] {
    const bool matches = crc32c_matches(input.get(), tlvs_crc32c_offset);
    benchmark::DoNotOptimize(matches);
  });
  state.SetLabel(pp::detail::has_hardware_crc32c() ? "hardware" : "table");
}

[[maybe_unused]] const bool registered = register_cases(
    "crc32c_verify", [](const bench_case& c) { return c.tlv_count != 0; }, crc32c_verify);

}  // namespace
}  // namespace bench
