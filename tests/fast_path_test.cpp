// The parsers' fast paths (word loads, SSE2 scanning, results built in
// place) stand in front of the careful, byte-by-byte parsers. Whatever the
// input, both must give the same verdict and the same fields: these tests
// feed both every corpus header, every prefix of it, and single-byte
// mutations of the lines and headers the fast paths are written for.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "corpus.hpp"
#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;
using test_support::hex_bytes;
using test_support::text_bytes;

namespace {
bool same_verdict(const pp::parse_result& fast, const pp::parse_result& careful) {
  if (fast.status() != careful.status()) return false;
  if (fast.failed()) return fast.error() == careful.error();
  if (fast.incomplete()) return fast.bytes_needed() == careful.bytes_needed();
  const pp::header& a = *fast;
  const pp::header& b = *careful;
  const auto same_view = [](std::span<const std::byte> x, std::span<const std::byte> y) {
    return x.size() == y.size() && (x.empty() || x.data() == y.data());
  };
  return a.version == b.version && a.command == b.command && a.family == b.family && a.transport == b.transport &&
         a.source == b.source && a.destination == b.destination && same_view(a.unix_source, b.unix_source) &&
         same_view(a.unix_destination, b.unix_destination) && same_view(a.address_block, b.address_block) &&
         same_view(a.tlv_bytes, b.tlv_bytes) && same_view(a.raw, b.raw);
}

// Checks parse_v1 / parse_v2 / parse against the careful parser for `input`.
void check_agreement(std::span<const std::byte> input, const pp::parse_options& options = {}) {
  if (input.empty()) return;
  const bool text = input[0] == std::byte{'P'};
  const pp::parse_result careful =
      text ? pp::detail::parse_v1_general(input, options) : pp::detail::parse_v2_general(input, options);
  CHECK(same_verdict(pp::parse(input, options), careful));
  CHECK(same_verdict(text ? pp::parse_v1(input, options) : pp::parse_v2(input, options), careful));
}

const pp::parse_options option_sets[] = {
    {},
    {.v1_accept_ipv4_in_tcp6 = true},
    {.reject_proxy_unspecified = true},
    {.verify_crc32c = false},
    {.allow_unlisted_family_transport = true},
    {.max_header_size = 40},
};
}  // namespace

TEST_CASE("fast paths agree with the careful parsers on every corpus header and prefix", "[fast_path]") {
  auto inputs = test_support::valid_headers();
  for (auto& h : test_support::invalid_headers()) inputs.push_back(std::move(h));
  for (const auto& h : inputs) {
    INFO(h.name);
    const auto full = as_span(h.bytes);
    for (const auto& options : option_sets)
      for (std::size_t k = 0; k <= full.size(); ++k) check_agreement(full.first(k), options);
  }
}

TEST_CASE("fast paths agree with the careful parsers on every single-byte change of common headers", "[fast_path]") {
  // The lines and headers the fast paths are written for, in their usual forms.
  const std::vector<std::vector<std::byte>> headers = {
      text_bytes("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
      text_bytes("PROXY TCP4 1.2.3.4 255.255.255.255 0 65535\r\n"),
      text_bytes(
          "PROXY TCP6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 2001:0DB8:85A3:0000:0000:8A2E:0370:7335 56324 443\r\n"),
      text_bytes("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 1 2\r\n"),
      text_bytes("PROXY UNKNOWN\r\n"),
      text_bytes("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"),
      hex_bytes("0d0a0d0a000d0a515549540a 21 11 000c c0a80001 c0a8000b dc04 01bb"),
      hex_bytes("0d0a0d0a000d0a515549540a 20 00 0000"),
      hex_bytes("0d0a0d0a000d0a515549540a 21 11 0011 c0a80001 c0a8000b dc04 01bb 01 0002 6832"),  // + ALPN "h2"
  };
  const unsigned char replacements[] = {0x00, '\t', '\n', '\r', ' ', '.', '/', '0', '1',  '9',  ':',  ';',
                                        '@',  'A',  'F',  'G',  '`', 'a', 'f', 'g', 0x7F, 0x80, 0xC0, 0xFF};
  for (const auto& header : headers) {
    INFO(test_support::to_hex(header));
    // Unchanged, each is a whole, valid header: the changes start from there.
    const pp::parse_result unchanged = pp::parse(header);
    REQUIRE(unchanged.ok());
    REQUIRE(unchanged.consumed() == header.size());
    for (std::size_t at = 0; at < header.size(); ++at) {
      for (const unsigned char c : replacements) {
        std::vector<std::byte> changed = header;
        changed[at] = std::byte{c};
        for (const auto& options : option_sets) check_agreement(changed, options);
      }
    }
  }
}

TEST_CASE("the SSE2 and portable IPv6 scanners read the 39-character form alike", "[fast_path]") {
  // Every hex digit at every position of the full form, both cases.
  const std::string base = "2001:0db8:85a3:0000:0000:8a2e:0370:7334 ";
  const std::string digits = "0123456789abcdefABCDEF";
  for (std::size_t at = 0; at < 39; ++at) {
    if (at % 5 == 4) continue;
    for (const char d : digits) {
      std::string text = base;
      text[at] = d;
      std::array<std::uint8_t, 16> fast{}, careful{};
      const auto* p = reinterpret_cast<const std::byte*>(text.data());
      const std::byte* cursor = p;
      const bool fast_ok = pp::detail::scan_ipv6_full(p, fast, ' ');
      const bool careful_ok = pp::detail::scan_ipv6_general(cursor, careful, ' ');
      REQUIRE(fast_ok);
      REQUIRE(careful_ok);
      CHECK(fast == careful);
    }
  }
}
