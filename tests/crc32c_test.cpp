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
    if (pp::detail::has_crc32c_folding())
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

// A v2 PROXY IPv4 header whose TLVs are filler (type 0xE0) of the given value
// sizes, with a CRC32C TLV inserted before filler `crc_at` (or last).
// `family_transport` is 0x11 (TCP, parse()'s inline path) or 0x12 (UDP, its
// out-of-line path).
static std::vector<std::byte> header_with_crc32c(const std::vector<std::size_t>& fillers, std::size_t crc_at,
                                                 bool correct, unsigned family_transport = 0x11) {
  std::vector<std::byte> h;
  for (const std::uint8_t b : pp::v2_signature) h.push_back(std::byte{b});
  for (const unsigned b :
       {0x21u, family_transport, 0u, 0u, 192u, 0u, 2u, 1u, 198u, 51u, 100u, 2u, 0xDCu, 0x04u, 0x01u, 0xBBu})
    h.push_back(std::byte(b));
  std::size_t crc_value = 0;
  const auto add_crc = [&] {
    for (const unsigned b : {0x03u, 0u, 4u, 0u, 0u, 0u, 0u}) h.push_back(std::byte(b));
    crc_value = h.size() - 4;
  };
  for (std::size_t i = 0; i < fillers.size(); ++i) {
    if (i == crc_at) add_crc();
    h.push_back(std::byte{0xE0});
    h.push_back(std::byte(fillers[i] >> 8));
    h.push_back(std::byte(fillers[i] & 0xFF));
    for (std::size_t k = 0; k < fillers[i]; ++k) h.push_back(std::byte((k * 7 + i) & 0xFF));
  }
  if (crc_at >= fillers.size()) add_crc();
  const std::size_t length = h.size() - 16;
  h[14] = std::byte(length >> 8);
  h[15] = std::byte(length & 0xFF);
  std::uint32_t crc = pp::crc32c(h);  // the field is still zero
  if (!correct) crc ^= 0x00010000u;
  for (std::size_t k = 0; k < 4; ++k) h[crc_value + k] = std::byte((crc >> (24 - 8 * k)) & 0xFF);
  return h;
}

TEST_CASE("the parser's CRC32C engines agree: table, instruction, folding", "[crc32c]") {
  // parse() takes one engine on a given CPU; each is called here directly, on
  // both of the parser's paths, wherever the CPU can run it.
  INFO("instruction: " << pp::detail::has_hardware_crc32c() << ", folding: " << pp::detail::has_crc32c_folding());
  test_support::rng random(11);
  pp::parse_options unchecked;
  unchecked.verify_crc32c = false;
  std::size_t headers = 0;
  for (std::size_t round = 0; round < 400; ++round) {
    std::vector<std::size_t> fillers(random.byte() % 4);
    for (auto& f : fillers) f = random.byte() % (round < 200 ? 24 : 200);
    const std::size_t crc_at = random.byte() % (fillers.size() + 1);
    const unsigned family_transport = round % 4 == 3 ? 0x12 : 0x11;
    for (const bool correct : {true, false}) {
      const std::vector<std::byte> h = header_with_crc32c(fillers, crc_at, correct, family_transport);
      INFO("size " << h.size() << ", CRC32C TLV before filler " << crc_at << ", correct " << correct
                   << ", family and transport " << family_transport);
      const pp::parse_result expected = pp::detail::parse_v2_with_tlvs_portable(h, pp::parse_options{});
      REQUIRE(expected.ok() == correct);
      if (!correct) REQUIRE(expected.error() == pp::errc::v2_crc32c_mismatch);
      const auto same = [&](const pp::parse_result& r) {
        CHECK(r.status() == expected.status());
        CHECK(r.error() == expected.error());
        if (r.ok()) CHECK(r.consumed() == h.size());
      };
      // Each engine's own verdict: the parser's fast paths hand a mismatch to
      // the table-driven general path, which would hide a wrong checksum.
      const std::span<const std::byte> tlvs = std::span<const std::byte>(h).subspan(28);
      using engine = pp::detail::crc_engine;
      const pp::errc verdict = correct ? pp::errc{} : pp::errc::v2_crc32c_mismatch;
      CHECK(pp::detail::check_v2_tlvs<engine::table>(h, tlvs, true) == verdict);
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
      if (pp::detail::has_hardware_crc32c())
        CHECK(pp::detail::check_v2_tlvs<engine::instruction>(h, tlvs, true) == verdict);
      if (pp::detail::has_crc32c_folding()) CHECK(pp::detail::check_v2_tlvs<engine::folding>(h, tlvs, true) == verdict);
#endif
      // The inet fast path: a complete result, then its TLVs and CRC32C checked.
      const pp::parse_result unverified = pp::parse(h, unchecked);
      REQUIRE(unverified.ok());
      pp::parse_result r = unverified;
      pp::detail::check_v2_tlvs_or_redo_portable(r, pp::parse_options{});
      same(r);
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
      if (pp::detail::has_hardware_crc32c()) {
        same(pp::detail::parse_v2_with_tlvs_hardware(h, pp::parse_options{}));
        r = unverified;
        pp::detail::check_v2_tlvs_or_redo_hardware(r, pp::parse_options{});
        same(r);
      }
#endif
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC) && defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
      if (pp::detail::has_crc32c_folding()) {
        same(pp::detail::parse_v2_with_tlvs_folding(h, pp::parse_options{}));
        r = unverified;
        pp::detail::check_v2_tlvs_or_redo_folding(r, pp::parse_options{});
        same(r);
      }
#endif
      same(pp::parse(h));
      ++headers;
    }
  }
  CHECK(headers == 800);
}

static_assert(pp::crc32c(std::span<const std::byte>{}) == 0);

#if defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
// Folding's last step starts its register at this value so that it ends
// complemented: 16 zero bytes carry it to all ones.
static_assert(pp::detail::crc32c_update_portable(pp::detail::crc32c_complement_16_bytes_early,
                                                 std::array<std::byte, 16>{}.data(), 16) == 0xFFFFFFFFu);
#endif

#if defined(PROXY_PROTOCOL_DETAIL_X86_CRC) && !defined(__clang__)
TEST_CASE("the parser sees the CPU features that folding needs as GCC does", "[crc32c]") {
  // Read once from CPUID and XGETBV; GCC's own check of the same four
  // features (Clang 14's lacks MOVBE) must agree.
  __builtin_cpu_init();
  const bool expected = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                        __builtin_cpu_supports("avx") && __builtin_cpu_supports("movbe");
  CHECK(pp::detail::has_crc32c_folding() == expected);
}
#endif

TEST_CASE("CRC32C in constant expressions", "[crc32c][constexpr]") {
  constexpr auto digits = [] {
    std::array<std::byte, 9> a{};
    for (std::size_t i = 0; i < 9; ++i) a[i] = static_cast<std::byte>('1' + i);
    return a;
  }();
  static_assert(pp::crc32c(digits) == 0xE3069283u);
  SUCCEED();
}
