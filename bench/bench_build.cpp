// BM_build/<case>: writing the case's header into caller memory with
// build(): v1 lines, v2 without TLVs, and v2_tcp4_tlvs from TLV items (ALPN,
// AUTHORITY, UNIQUE_ID, SSL with two sub-TLVs, CRC32C computed last).
#include "bench_support.hpp"

namespace bench {
namespace {

void build(benchmark::State& state, const bench_case& c) {
  alignas(64) static thread_local std::byte out[512];
  if (const auto why = check_build(c, out); !why.empty()) return fail_setup(state, c, why);
  pp::header h = header_to_build(c);
  const auto items = tlv_items_to_build(c);
  timed_loop(state, c, [&] {
    // As far as the compiler knows, the header and items may change between calls.
    const pp::build_result b = pp::build(out, *opaque(&h), {opaque(items.data()), items.size()});
    benchmark::DoNotOptimize(b);
    benchmark::ClobberMemory();
  });
  if (const auto why = check_build(c, out); !why.empty()) fail_setup(state, c, why);
}

[[maybe_unused]] const bool registered = register_cases("build", every_case, build);

}  // namespace
}  // namespace bench
