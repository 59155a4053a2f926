// CRC32C (Castagnoli): check values, chaining, hardware vs portable.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;

TEST_CASE("CRC32C check values", "[crc32c]") {
  CHECK(pp::crc32c(as_span("123456789")) == 0xE3069283u);
  CHECK(pp::crc32c(as_span("")) == 0u);
  CHECK(pp::crc32c(as_span(std::string(32, '\0'))) == 0x8A9136AAu);  // RFC 3720 B.4
  CHECK(pp::crc32c(as_span(std::string(32, '\xff'))) == 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[static_cast<std::size_t>(i)] = static_cast<char>(i);
  CHECK(pp::crc32c(as_span(ascending)) == 0x46DD794Eu);
}

TEST_CASE("CRC32C chains across pieces", "[crc32c]") {
  const std::string_view s = "The quick brown fox jumps over the lazy dog, again and again.";
  for (std::size_t cut = 0; cut <= s.size(); ++cut)
    CHECK(pp::crc32c(as_span(s.substr(cut)), pp::crc32c(as_span(s.substr(0, cut)))) == pp::crc32c(as_span(s)));
}

TEST_CASE("hardware and portable CRC32C agree on every length and alignment", "[crc32c]") {
  INFO("hardware CRC32C available: " << pp::detail::has_hardware_crc32c());
  if (!pp::detail::has_hardware_crc32c()) return;  // the instruction would trap; crc32c() falls back to the table
  test_support::rng random(42);
  std::vector<std::byte> data(4096);
  for (auto& b : data) b = std::byte{random.byte()};
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t n = 0; n < 300; ++n) {
      const auto* p = data.data() + offset;
      CHECK(pp::detail::crc32c_update_hardware(0xFFFFFFFFu, p, n) ==
            pp::detail::crc32c_update_portable(0xFFFFFFFFu, p, n));
    }
  }
  CHECK(pp::detail::crc32c_update_hardware(0x12345678u, data.data(), data.size()) ==
        pp::detail::crc32c_update_portable(0x12345678u, data.data(), data.size()));
}

TEST_CASE("hardware and portable zeroed-field CRC32C agree wherever the field sits", "[crc32c]") {
  // The parser's check has its own way on x86-64, folding 16-byte blocks
  // with the field masked out of the last one (from 32 bytes on, a field in
  // the last 16); the instruction's path has one for a field in the last 4
  // bytes (the CRC of the bytes as sent, corrected by linearity) and three
  // pieces elsewhere.
  if (!pp::detail::has_hardware_crc32c()) return;
  test_support::rng random(7);
  std::vector<std::byte> data(1100);
  for (auto& b : data) b = std::byte{random.byte()};
  std::size_t checked = 0;
  const auto check = [&](std::size_t n, std::size_t at) {
    INFO("size " << n << ", field at " << at);
    std::vector<std::byte> zeroed(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t k = 0; k < 4; ++k) zeroed[at + k] = std::byte{0};
    const std::uint32_t expected = ~pp::detail::crc32c_update_portable(0xFFFFFFFFu, zeroed.data(), n);
    CHECK(pp::detail::crc32c_zeroed_field_hardware(data.data(), n, at) == expected);
    CHECK(pp::detail::crc32c_zeroed_field_received(data.data(), n, at) == expected);
    ++checked;
  };
  for (std::size_t n = 4; n <= 300; ++n) {
    check(n, 0);
    check(n, (n - 4) / 2);
    for (std::size_t at = n >= 24 ? n - 24 : 0; at <= n - 4; ++at) check(n, at);  // across the last block's edge
  }
  for (const std::size_t n : {std::size_t{511}, std::size_t{512}, std::size_t{1040}, data.size()})
    for (std::size_t at = n - 24; at <= n - 4; ++at) check(n, at);
  CHECK(checked > 6000);
}

static_assert(pp::crc32c(std::span<const std::byte>{}) == 0);

TEST_CASE("CRC32C in constant expressions", "[crc32c][constexpr]") {
  constexpr auto digits = [] {
    std::array<std::byte, 9> a{};
    for (std::size_t i = 0; i < 9; ++i) a[i] = static_cast<std::byte>('1' + i);
    return a;
  }();
  static_assert(pp::crc32c(digits) == 0xE3069283u);
  SUCCEED();
}
