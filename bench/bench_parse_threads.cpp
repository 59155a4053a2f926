// BM_parse_threads/<case>/real_time/threads:N: the parse benchmark from 1 and
// 2 threads at once, each on its own copy of the input. The parser shares
// nothing between calls, so headers/s/thread should hold as threads are
// added (on a machine with a free core for each).
#include "bench_support.hpp"

namespace bench {
namespace {

void parse_threads(benchmark::State& state, const bench_case& c) {
  if (const auto why = check_case(c); !why.empty()) return fail_setup(state, c, why);
  const opaque_input input(c);
  timed_loop(state, c, [&] {
    const pp::parse_result r = pp::parse(input.get());
    benchmark::DoNotOptimize(r);
  });
  state.counters["headers/s/thread"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kAvgThreadsRate);
}

[[maybe_unused]] const bool registered = [] {
  for (const bench_case& c : cases) {
    const std::string name = "BM_parse_threads/" + std::string(c.name);
    benchmark::RegisterBenchmark(name.c_str(), [&c](benchmark::State& state) { parse_threads(state, c); })
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
}  // namespace bench
