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

namespace {
// Checks agreement on a copy of `bytes` in a buffer of exactly its size, so
// that the sanitizers see any read past the span.
void check_agreement_exact(std::span<const std::byte> bytes) {
  const std::vector<std::byte> exact(bytes.begin(), bytes.end());
  check_agreement(exact);
  check_agreement(exact, {.v1_accept_ipv4_in_tcp6 = true});
}
}  // namespace

TEST_CASE("the v1 scanners stop inside the span, whatever follows the line", "[fast_path]") {
  // The TCP4 and TCP6 scanners do not look for the line end first: they rely
  // on a span long enough for all they can read (56 bytes for TCP4, 107 for
  // TCP6), on a last byte outside the fields' alphabet, or else on a CR or LF
  // in the span. Each line, whole, cut short or damaged, is followed by data
  // of every length up to past those bounds, ending in a field byte (which
  // does not stop the scanners) or in other bytes.
  const std::vector<std::string> lines = {
      "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
      "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n",  // the longest TCP4 line: 56 bytes
      "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535",      // then a 6th port digit reads byte 54
      "PROXY TCP4 1.2.3.4 5.6.7.8 9 0\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 9 0\n",     // no CR
      "PROXY TCP4 1.2.3.4 5.6.7.8 9 0\r",     // CR, then no LF
      "PROXY TCP4 1.2.3.4 5.6.7.8 9 0 \r\n",  // trailing SP
      "PROXY TCP4 1.2.3.4 5.6.7.8 9 01\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 9",
      "PROXY TCP6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 2001:0db8:85a3:0000:0000:8a2e:0370:7334 65535 65535\r\n",
      "PROXY TCP6 2001:db8::1 ::1 1 2\r\n",
      "PROXY TCP6 1:2:3:4:5:6:7:8:9:a:b:c 1:2:3:4:5:6:7:8 1 2\r\n",  // too many groups
      "PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 1 2\r\n",
      "PROXY TCP6 ::1 ::1 1 2",
  };
  const std::string tails[] = {"1", " ", ".", ":", "a", "F", "\n", "\r", "x", std::string(1, '\0'), "\xff"};
  for (const auto& line : lines) {
    for (const auto& last : tails) {
      for (std::size_t filler = 0; filler <= 120; ++filler) {
        const std::string input = line + std::string(filler, '7') + last;
        INFO(input);
        check_agreement_exact(as_span(input));
      }
    }
    // Every prefix of the line alone, so that the span ends inside each field.
    for (std::size_t k = 0; k <= line.size(); ++k) check_agreement_exact(as_span(line).first(k));
  }
}

TEST_CASE("the v1 octet and port scanners at the edges of their ranges", "[fast_path]") {
  struct number {
    const char* text;
    bool octet;  // a valid IPv4 octet
    bool port;   // a valid port
  };
  const number numbers[] = {
      {"0", true, true},       {"1", true, true},       {"9", true, true},        {"10", true, true},
      {"09", false, false},    {"00", false, false},    {"99", true, true},       {"100", true, true},
      {"099", false, false},   {"010", false, false},   {"199", true, true},      {"200", true, true},
      {"249", true, true},     {"250", true, true},     {"255", true, true},      {"256", false, true},
      {"259", false, true},    {"260", false, true},    {"300", false, true},     {"999", false, true},
      {"0255", false, false},  {"1000", false, true},   {"2550", false, true},    {"65535", false, true},
      {"65536", false, false}, {"65539", false, false}, {"65540", false, false},  {"99999", false, false},
      {"09999", false, false}, {"00000", false, false}, {"100000", false, false}, {"655350", false, false},
      {"/", false, false},     {":", false, false},     {"1/", false, false},     {"1:", false, false},
      {"25/", false, false},   {"25:", false, false},   {"", false, false},
  };
  const std::string_view fields[] = {"192", "168", "0", "1", "192", "168", "0", "11", "56324", "443"};
  const char separators[] = {'.', '.', '.', ' ', '.', '.', '.', ' ', ' ', '\r'};
  for (std::size_t at = 0; at < std::size(fields); ++at) {
    const bool is_port = at >= 8;
    for (const number& n : numbers) {
      std::string line = "PROXY TCP4 ";
      for (std::size_t i = 0; i < std::size(fields); ++i) {
        line += i == at ? std::string_view(n.text) : fields[i];
        line += separators[i];
      }
      line += '\n';
      INFO(line);
      const bool valid = is_port ? n.port : n.octet;
      CHECK(pp::parse(as_span(line)).ok() == valid);
      check_agreement_exact(as_span(line));
      // The same line with data after it, and in a span ending at its CR.
      check_agreement_exact(as_span(line + "GET / HTTP/1.1\r\n"));
      check_agreement_exact(as_span(line + "12345"));
      check_agreement_exact(as_span(line).first(line.size() - 1));
      if (valid) {
        const pp::header h = pp::parse(as_span(line)).value();
        const unsigned value = static_cast<unsigned>(std::stoul(n.text));
        if (at == 8) CHECK(h.source.port == value);
        if (at == 9) CHECK(h.destination.port == value);
        if (at < 8) CHECK((at < 4 ? h.source : h.destination).address.bytes()[at % 4] == value);
      }
    }
  }
}
