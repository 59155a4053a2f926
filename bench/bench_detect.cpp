// BM_detect/<case>: classifying the first bytes of a connection.
#include "bench_support.hpp"

namespace bench {
namespace {

void detect(benchmark::State& state, const bench_case& c) {
  if (const auto why = check_case(c); !why.empty()) return fail_setup(state, c, why);
  const pp::detection expected = c.version == pp::version::v1 ? pp::detection::v1 : pp::detection::v2;
  const opaque_input input(c);
  if (pp::detect(input.get()) != expected) return fail_setup(state, c, "detect() gives the wrong version");
  timed_loop(state, c, [&] {
    const pp::detection d = pp::detect(input.get());
    benchmark::DoNotOptimize(d);
  });
}

[[maybe_unused]] const bool registered = register_cases("detect", every_case, detect);

}  // namespace
}  // namespace bench
