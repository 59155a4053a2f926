// The benchmark inputs of bench-cases.md under their case names, with the
// fields each one must decode to. Every benchmark and the instruction driver
// check their input against these expectations before anything is measured,
// so a benchmark can never time a parser that rejects (or misreads) its input.
#pragma once

#include <proxy_protocol.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace bench {

namespace pp = proxy_protocol;

/// One input: its wire bytes and what the parser must make of them.
struct bench_case {
  std::string_view name;
  std::string_view wire;  // the exact bytes, NULs included
  pp::version version;
  pp::command command;
  pp::address_family family;
  pp::transport_protocol transport;
  pp::endpoint source;
  pp::endpoint destination;
  std::size_t tlv_count;  // top-level TLVs
  /// True when `build` of the decoded fields gives back exactly `wire`. The v1
  /// TCP6 input writes its addresses in full 39-character form, the builder in
  /// RFC 5952 canonical form, so that case is checked by round trip instead.
  bool build_reproduces_wire;

  [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
    return {reinterpret_cast<const std::byte*>(wire.data()), wire.size()};
  }
};

namespace detail {
template <std::size_t N>
constexpr std::string_view literal(const char (&text)[N]) noexcept {
  return {text, N - 1};  // keeps embedded NULs, drops the terminator
}
inline constexpr pp::endpoint tcp4_source{pp::ip_address::v4({192, 168, 0, 1}), 56324};
inline constexpr pp::endpoint tcp4_destination{pp::ip_address::v4({192, 168, 0, 11}), 443};
inline constexpr pp::endpoint tcp6_source{
    pp::ip_address::v6({0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34}), 56324};
inline constexpr pp::endpoint tcp6_destination{
    pp::ip_address::v6({0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x35}), 443};
}  // namespace detail

// Values carried by the TLVs of v2_tcp4_tlvs.
inline constexpr std::string_view tlvs_alpn = "h2";
inline constexpr std::string_view tlvs_authority = "example.com";
inline constexpr std::string_view tlvs_unique_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
inline constexpr std::uint8_t tlvs_ssl_client = 0x07;
inline constexpr std::uint32_t tlvs_ssl_verify = 0;
inline constexpr std::string_view tlvs_ssl_version = "TLSv1.3";
inline constexpr std::string_view tlvs_ssl_common_name = "client.example.com";
inline constexpr std::uint32_t tlvs_crc32c = 0x2fcd11a3;
inline constexpr std::size_t tlvs_crc32c_offset = 124;  // of the CRC value in the header

using pp::address_family;
using pp::command;
using pp::transport_protocol;
using pp::version;

// clang-format off
inline constexpr std::array<bench_case, 7> cases{{
  {"v1_tcp4", detail::literal("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
   version::v1, command::proxy, address_family::inet, transport_protocol::stream,
   detail::tcp4_source, detail::tcp4_destination, 0, true},
  {"v1_tcp6", detail::literal("PROXY TCP6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 "
                              "2001:0db8:85a3:0000:0000:8a2e:0370:7335 56324 443\r\n"),
   version::v1, command::proxy, address_family::inet6, transport_protocol::stream,
   detail::tcp6_source, detail::tcp6_destination, 0, false},
  {"v1_unknown", detail::literal("PROXY UNKNOWN\r\n"),
   version::v1, command::proxy, address_family::unspecified, transport_protocol::unspecified,
   {}, {}, 0, true},
  {"v2_tcp4", detail::literal(
       "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x11\x00\x0c\xc0\xa8\x00\x01\xc0\xa8\x00\x0b\xdc\x04\x01\xbb"),
   version::v2, command::proxy, address_family::inet, transport_protocol::stream,
   detail::tcp4_source, detail::tcp4_destination, 0, true},
  {"v2_tcp6", detail::literal(
       "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x21\x00\x24\x20\x01\x0d\xb8\x85\xa3\x00\x00\x00\x00\x8a\x2e"
       "\x03\x70\x73\x34\x20\x01\x0d\xb8\x85\xa3\x00\x00\x00\x00\x8a\x2e\x03\x70\x73\x35\xdc\x04\x01\xbb"),
   version::v2, command::proxy, address_family::inet6, transport_protocol::stream,
   detail::tcp6_source, detail::tcp6_destination, 0, true},
  {"v2_tcp4_tlvs", detail::literal(
       "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x11\x00\x70\xc0\xa8\x00\x01\xc0\xa8\x00\x0b\xdc\x04\x01\xbb"
       "\x01\x00\x02\x68\x32\x02\x00\x0b\x65\x78\x61\x6d\x70\x6c\x65\x2e\x63\x6f\x6d\x05\x00\x20\x30\x66\x31\x65\x32\x64"
       "\x33\x63\x34\x62\x35\x61\x36\x39\x37\x38\x38\x37\x39\x36\x61\x35\x62\x34\x63\x33\x64\x32\x65\x31\x66\x30\x20\x00"
       "\x24\x07\x00\x00\x00\x00\x21\x00\x07\x54\x4c\x53\x76\x31\x2e\x33\x22\x00\x12\x63\x6c\x69\x65\x6e\x74\x2e\x65\x78"
       "\x61\x6d\x70\x6c\x65\x2e\x63\x6f\x6d\x03\x00\x04\x2f\xcd\x11\xa3"),
   version::v2, command::proxy, address_family::inet, transport_protocol::stream,
   detail::tcp4_source, detail::tcp4_destination, 5, true},
  {"v2_local", detail::literal("\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x20\x00\x00\x00"),
   version::v2, command::local, address_family::unspecified, transport_protocol::unspecified,
   {}, {}, 0, true},
}};
// clang-format on

/// The case called `name`, or null.
[[nodiscard]] inline const bench_case* find_case(std::string_view name) noexcept {
  for (const bench_case& c : cases)
    if (c.name == name) return &c;
  return nullptr;
}

/// Walks every TLV once, in wire order, as a server that logs or forwards
/// them would: each TLV's type and value, and for the SSL TLV its typed
/// `ssl()` view (client bits, verify result) and each of its sub-TLVs.
/// Returns a checksum of what it saw, so that the compiler cannot drop the
/// walk. This is the timed part of "parse + walk every TLV".
[[nodiscard]] inline std::uint64_t walk_tlvs(const pp::header& h) noexcept {
  std::uint64_t sum = 0;
  for (const pp::tlv t : h.tlvs()) {
    sum += t.type + t.value.size();
    if (t.type != pp::tlv_type::ssl) continue;
    if (const auto ssl = t.ssl()) {
      sum += ssl->client + ssl->verify;
      for (const pp::tlv sub : ssl->sub_tlvs) sum += sub.type + sub.value.size();
    }
  }
  return sum;
}

/// The checksum `walk_tlvs` must return for a case.
[[nodiscard]] inline std::uint64_t expected_walk_checksum(const bench_case& c) noexcept {
  if (c.tlv_count == 0) return 0;
  const std::uint64_t ssl_length = 5 + 3 + tlvs_ssl_version.size() + 3 + tlvs_ssl_common_name.size();
  return (0x01 + tlvs_alpn.size()) + (0x02 + tlvs_authority.size()) + (0x05 + tlvs_unique_id.size()) + (0x03 + 4) +
         (0x20 + ssl_length) + tlvs_ssl_client + tlvs_ssl_verify + (0x21 + tlvs_ssl_version.size()) +
         (0x22 + tlvs_ssl_common_name.size());
}

/// Checks a decoded header against the case; returns what is wrong, or an
/// empty view when everything matches.
[[nodiscard]] inline std::string_view check_header(const bench_case& c, const pp::header& h) noexcept {
  if (h.version != c.version) return "version differs";
  if (h.command != c.command) return "command differs";
  if (h.family != c.family) return "address family differs";
  if (h.transport != c.transport) return "transport differs";
  if (h.source != c.source) return "source endpoint differs";
  if (h.destination != c.destination) return "destination endpoint differs";
  if (h.tlvs().count() != c.tlv_count) return "number of TLVs differs";
  if (c.tlv_count != 0) {
    if (h.alpn() != tlvs_alpn) return "ALPN differs";
    if (h.authority() != tlvs_authority) return "AUTHORITY differs";
    const auto id = h.unique_id();
    if (!id || pp::tlv{0, *id}.text() != tlvs_unique_id) return "UNIQUE_ID differs";
    if (h.crc32c() != tlvs_crc32c) return "CRC32C differs";
    const auto ssl = h.ssl();
    if (!ssl || ssl->client != tlvs_ssl_client || ssl->verify != tlvs_ssl_verify) return "SSL client/verify differ";
    if (ssl->version() != tlvs_ssl_version) return "SSL version differs";
    if (ssl->common_name() != tlvs_ssl_common_name) return "SSL common name differs";
    if (ssl->sub_tlvs.count() != 2) return "number of SSL sub-TLVs differs";
  }
  if (walk_tlvs(h) != expected_walk_checksum(c)) return "TLV walk checksum differs";
  return {};
}

/// Parses the case's bytes and checks every field; empty view when all is well.
[[nodiscard]] inline std::string_view check_case(const bench_case& c) noexcept {
  if (pp::detect(c.bytes()) != (c.version == pp::version::v1 ? pp::detection::v1 : pp::detection::v2))
    return "detect() gives the wrong version";
  const pp::parse_result r = pp::parse(c.bytes());
  if (!r.ok()) return pp::to_string(r.error());
  if (r.consumed() != c.wire.size()) return "parse() did not consume the whole input";
  return check_header(c, r.value());
}

/// The header a sender would build for this case.
[[nodiscard]] inline pp::header header_to_build(const bench_case& c) noexcept {
  if (c.command == pp::command::local) return pp::local_header();
  pp::header h = pp::proxy_header(c.source, c.destination, c.version, c.transport);
  if (c.family == pp::address_family::unspecified) {
    h.family = pp::address_family::unspecified;
    h.transport = pp::transport_protocol::unspecified;
  }
  return h;
}

namespace detail {
inline constexpr pp::tlv_item ssl_sub_tlvs[] = {pp::tlv_item::ssl_version(tlvs_ssl_version),
                                                pp::tlv_item::ssl_common_name(tlvs_ssl_common_name)};
inline constexpr pp::tlv_item tlv_items[] = {
    pp::tlv_item::alpn(tlvs_alpn),
    pp::tlv_item::authority(tlvs_authority),
    pp::tlv_item::unique_id(tlvs_unique_id),
    pp::tlv_item::ssl(tlvs_ssl_client, tlvs_ssl_verify, ssl_sub_tlvs),
    pp::tlv_item::crc32c(),
};
}  // namespace detail

/// The TLV items a sender passes to `build_v2` for this case (CRC32C last).
[[nodiscard]] inline std::span<const pp::tlv_item> tlv_items_to_build(const bench_case& c) noexcept {
  if (c.tlv_count == 0) return {};
  return detail::tlv_items;
}

/// Builds the case into `out` and checks the result: the exact input bytes
/// when `build_reproduces_wire`, otherwise bytes that parse back to the same
/// fields. Empty view when all is well.
[[nodiscard]] inline std::string_view check_build(const bench_case& c, std::span<std::byte> out) noexcept {
  const pp::build_result b = pp::build(out, header_to_build(c), tlv_items_to_build(c));
  if (!b.ok()) return pp::to_string(b.error());
  const auto written = std::span<const std::byte>{out.data(), b.size()};
  if (c.build_reproduces_wire) {
    const auto expected = c.bytes();
    if (written.size() != expected.size()) return "built header has the wrong size";
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (written[i] != expected[i]) return "built header differs from the case's bytes";
    return {};
  }
  const pp::parse_result r = pp::parse(written);
  if (!r.ok()) return "built header does not parse";
  if (r.consumed() != written.size()) return "built header is not one whole header";
  return check_header(c, r.value());
}

/// Verifies the CRC32C of a whole v2 header whose CRC value sits at
/// `value_offset`, with the public `crc32c` only: the checksum runs over the
/// header with that field taken as zero (spec 2.2.3), without copying it.
[[nodiscard]] inline bool crc32c_matches(std::span<const std::byte> header, std::size_t value_offset) noexcept {
  static constexpr std::byte zeros[4]{};
  std::uint32_t crc = pp::crc32c(header.first(value_offset));
  crc = pp::crc32c(zeros, crc);
  crc = pp::crc32c(header.subspan(value_offset + 4), crc);
  const auto* stored = header.data() + value_offset;
  const std::uint32_t expected =
      (std::to_integer<std::uint32_t>(stored[0]) << 24) | (std::to_integer<std::uint32_t>(stored[1]) << 16) |
      (std::to_integer<std::uint32_t>(stored[2]) << 8) | std::to_integer<std::uint32_t>(stored[3]);
  return crc == expected;
}

}  // namespace bench
