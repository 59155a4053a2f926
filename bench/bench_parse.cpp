// BM_parse/<case>: parse() of a whole header into a parse_result, with the
// default (strict) options; for v2_tcp4_tlvs that includes validating every
// TLV and verifying the CRC32C.
#include "bench_support.hpp"

namespace bench {
namespace {

void parse(benchmark::State& state, const bench_case& c) {
  if (const auto why = check_case(c); !why.empty()) return fail_setup(state, c, why);
  const opaque_input input(c);
  timed_loop(state, c, [&] {
    const pp::parse_result r = pp::parse(input.get());
    benchmark::DoNotOptimize(r);
  });
  const pp::parse_result last = pp::parse(input.get());
  if (!last.ok()) return fail_setup(state, c, "parse result changed");
  if (const auto why = check_header(c, last.value()); !why.empty()) fail_setup(state, c, why);
}

[[maybe_unused]] const bool registered = register_cases("parse", every_case, parse);

}  // namespace
}  // namespace bench
