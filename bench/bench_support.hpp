// What every benchmark file shares: registration over the cases of
// bench-cases.md under `BM_<operation>/<case>`, the set-up check, the timed
// loop and the counters (bytes/s, headers/s, allocs/op).
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

#include "allocation_counter.hpp"
#include "cases.hpp"

namespace bench {

/// Set when any benchmark's set-up check fails; main() then exits non-zero.
inline std::atomic<bool> setup_failed{false};

/// Marks the benchmark as failed before anything is timed.
inline void fail_setup(benchmark::State& state, const bench_case& c, std::string_view why) {
  setup_failed = true;
  const std::string message = std::string(c.name) + ": " + std::string(why);
  state.SkipWithError(message.c_str());
}

/// Adds bytes/s, headers/s and allocs/op. `allocations` is what this thread
/// allocated during its timed loop; Google Benchmark sums the threads' counts
/// and divides by all their iterations.
inline void report(benchmark::State& state, const bench_case& c, std::uint64_t allocations) {
  const auto headers = static_cast<double>(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<benchmark::IterationCount>(c.wire.size()));
  state.counters["headers/s"] = benchmark::Counter(headers, benchmark::Counter::kIsRate);
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
}

/// Times `operation()` (which must consume its own result with
/// `benchmark::DoNotOptimize`) and reports the counters.
template <class Operation>
void timed_loop(benchmark::State& state, const bench_case& c, Operation&& operation) {
  const std::uint64_t before = allocations_on_this_thread();
  for (auto _ : state) operation();
  report(state, c, allocations_on_this_thread() - before);
}

/// `pointer`, with the compiler no longer knowing its value or what it points
/// to. (benchmark::DoNotOptimize on a non-const pointer uses the "+m,r"
/// constraint, which GCC 12 miscompiles here: it reads the pointer from a
/// stack slot it never wrote. A plain register constraint is enough.)
template <class T>
[[nodiscard]] inline T* opaque(T* pointer) noexcept {
  asm volatile("" : "+r"(pointer));
  return pointer;
}

/// The case's bytes copied to a buffer the compiler knows nothing about, so
/// that it cannot evaluate a constexpr parser at compile time on a constant
/// input.
class opaque_input {
 public:
  explicit opaque_input(const bench_case& c) noexcept : size_(c.wire.size()) {
    if (size_ > sizeof storage_) std::abort();
    for (std::size_t i = 0; i < size_; ++i) storage_[i] = c.bytes()[i];
  }
  /// A fresh opaque view each time (costs a register move, not a copy).
  [[nodiscard]] std::span<const std::byte> get() const noexcept { return {opaque(storage_), size_}; }

 private:
  alignas(64) std::byte storage_[256]{};
  std::size_t size_ = 0;
};

/// Registers `BM_<operation>/<case>` for each case that `wanted` accepts;
/// `body(state, case)` does the set-up check and the timed loop.
template <class Wanted, class Body>
bool register_cases(std::string_view operation, Wanted wanted, Body body) {
  for (const bench_case& c : cases) {
    if (!wanted(c)) continue;
    const std::string name = "BM_" + std::string(operation) + "/" + std::string(c.name);
    benchmark::RegisterBenchmark(name.c_str(), [&c, body](benchmark::State& state) { body(state, c); });
  }
  return true;
}

inline bool every_case(const bench_case&) { return true; }
inline bool v2_cases(const bench_case& c) { return c.version == pp::version::v2; }

}  // namespace bench
