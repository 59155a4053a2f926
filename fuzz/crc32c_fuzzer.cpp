// Fuzz target: CRC32C. The hardware and portable implementations agree for
// every start state, length and alignment; both agree with a bit-at-a-time
// reference; chaining over any split equals one pass; and the zeroed-field
// variant the parser uses equals a copy with the field zeroed.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

namespace {

// The definition (reflected polynomial 0x82F63B78), one bit at a time.
std::uint32_t reference_update(std::uint32_t state, std::span<const std::byte> bytes) {
  for (const std::byte b : bytes) {
    state ^= std::to_integer<std::uint32_t>(b);
    for (int k = 0; k < 8; ++k) state = (state >> 1) ^ ((state & 1u) != 0 ? 0x82F63B78u : 0u);
  }
  return state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fs::byte_reader reader({reinterpret_cast<const std::byte*>(data), size});
  // The first bytes choose a start state, a split point and an offset; the
  // rest is the data.
  const std::uint32_t state = reader.u32();
  const std::size_t split_hint = reader.u16();
  const std::size_t offset = reader.u8() % 8;
  const auto rest = reader.bytes(reader.remaining());

  // The data at `offset` bytes past an 8-aligned heap start, in a buffer that
  // ends exactly where the data ends.
  std::vector<std::byte> padded(offset, std::byte{0x5A});
  const fs::exact_copy buffer(padded, rest);
  const auto bytes = buffer.span().subspan(offset);
  const std::size_t n = bytes.size();

  const std::uint32_t portable = pp::detail::crc32c_update_portable(state, bytes.data(), n);
  const std::uint32_t hardware = pp::detail::crc32c_update_hardware(state, bytes.data(), n);
  FUZZ_CHECK(hardware == portable);
  if (n <= 4096) FUZZ_CHECK(portable == reference_update(state, bytes));
  FUZZ_CHECK(pp::detail::crc32c_update(state, bytes.data(), n) == portable);

  // The public function: one pass equals any split, chained.
  const std::uint32_t whole = pp::crc32c(bytes);
  FUZZ_CHECK(whole == ~pp::detail::crc32c_update_portable(0xFFFFFFFFu, bytes.data(), n));
  const std::size_t cut = n == 0 ? 0 : split_hint % (n + 1);
  FUZZ_CHECK(pp::crc32c(bytes.subspan(cut), pp::crc32c(bytes.first(cut))) == whole);
  // Every split of the hardware path, for short inputs (its 8-byte loop and
  // byte tail meet at every boundary).
  if (n <= 64) {
    for (std::size_t k = 0; k <= n; ++k) {
      const std::uint32_t first = pp::detail::crc32c_update_hardware(0xFFFFFFFFu, bytes.data(), k);
      FUZZ_CHECK(~pp::detail::crc32c_update_hardware(first, bytes.data() + k, n - k) == whole);
    }
  }

  // The parser's zeroed-field checksum equals a copy with the field zeroed.
  if (n >= 4) {
    const std::size_t at = split_hint % (n - 3);
    std::vector<std::byte> zeroed(bytes.begin(), bytes.end());
    for (std::size_t k = 0; k < 4; ++k) zeroed[at + k] = std::byte{0};
    FUZZ_CHECK(pp::detail::crc32c_with_zeroed_field(bytes, at) == pp::crc32c(zeroed));
    // The folding check of received headers, here and in the last 16 bytes
    // (where it folds; elsewhere it takes the instruction's path).
    if (pp::detail::has_crc32c_folding()) {
      FUZZ_CHECK(pp::detail::crc32c_zeroed_field_received(bytes.data(), n, at) == pp::crc32c(zeroed));
      const std::size_t near_end = n - 4 - split_hint % std::min<std::size_t>(n - 3, 13);
      std::vector<std::byte> zeroed_near_end(bytes.begin(), bytes.end());
      for (std::size_t k = 0; k < 4; ++k) zeroed_near_end[near_end + k] = std::byte{0};
      FUZZ_CHECK(pp::detail::crc32c_zeroed_field_received(bytes.data(), n, near_end) == pp::crc32c(zeroed_near_end));
    }
  }
  return 0;
}
