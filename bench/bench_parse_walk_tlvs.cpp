// BM_parse_walk_tlvs/<case>: parse(), then walk every TLV and SSL sub-TLV
// and read each typed accessor the header carries (ALPN, AUTHORITY,
// UNIQUE_ID, CRC32C, SSL version and common name), as a server would.
#include "bench_support.hpp"

namespace bench {
namespace {

void parse_walk_tlvs(benchmark::State& state, const bench_case& c) {
  if (const auto why = check_case(c); !why.empty()) return fail_setup(state, c, why);
  const opaque_input input(c);
  const std::uint64_t expected = expected_walk_checksum(c);
  timed_loop(state, c, [&] {
    const pp::parse_result r = pp::parse(input.get());
    const std::uint64_t checksum = r.ok() ? walk_tlvs(r.value()) : 0;
    benchmark::DoNotOptimize(checksum);
  });
  const pp::parse_result last = pp::parse(input.get());
  if (!last.ok() || walk_tlvs(last.value()) != expected) fail_setup(state, c, "TLV walk checksum differs");
}

[[maybe_unused]] const bool registered = register_cases("parse_walk_tlvs", v2_cases, parse_walk_tlvs);

}  // namespace
}  // namespace bench
