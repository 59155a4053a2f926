// The benchmark program: checks that the allocation counter works and that
// every case decodes and builds as bench-cases.md says, then runs the
// benchmarks. Exits non-zero when a check or a benchmark's set-up fails.
#include <cstdio>

#include "bench_support.hpp"

int main(int argc, char** argv) {
  if (!bench::allocation_counter_works()) {
    std::fprintf(stderr, "bench: the allocation counter does not see allocations\n");
    return 1;
  }
  alignas(64) static std::byte out[512];
  for (const bench::bench_case& c : bench::cases) {
    auto why = bench::check_case(c);
    if (why.empty()) why = bench::check_build(c, out);
    if (!why.empty()) {
      std::fprintf(stderr, "bench: case %.*s: %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                   static_cast<int>(why.size()), why.data());
      return 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::AddCustomContext("proxy_protocol", PROXY_PROTOCOL_VERSION_STRING);
  benchmark::AddCustomContext("compiler", PROXY_PROTOCOL_BENCH_COMPILER);
  benchmark::AddCustomContext("flags", PROXY_PROTOCOL_BENCH_FLAGS);
  benchmark::AddCustomContext("hardware_crc32c", proxy_protocol::detail::has_hardware_crc32c() ? "yes" : "no");
  // The engine of the parser's CRC32C check on this CPU.
  benchmark::AddCustomContext("parser_crc32c", proxy_protocol::detail::has_crc32c_folding()    ? "folding"
                                               : proxy_protocol::detail::has_hardware_crc32c() ? "instruction"
                                                                                               : "table");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return bench::setup_failed ? 1 : 0;
}
