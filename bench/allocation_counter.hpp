// Counts heap allocations made by the calling thread, so that every
// benchmark can report how many allocations one operation makes (zero is
// the library's promise).
#pragma once

#include <cstdint>

namespace bench {

/// Heap allocations (malloc, calloc, realloc, aligned allocations, and
/// operator new, which goes through malloc) made so far by this thread.
[[nodiscard]] std::uint64_t allocations_on_this_thread() noexcept;

/// True when the counter sees an allocation; main() refuses to run
/// benchmarks whose allocation counter would always read zero.
[[nodiscard]] bool allocation_counter_works() noexcept;

}  // namespace bench
