// proxy_protocol.hpp - HAProxy PROXY protocol v1 and v2: detection, zero-copy
// parsing, TLV access, CRC32C and builders, in one C++20 header.
//
// Specification: HAProxy doc/proxy-protocol.txt, revision 2026/04/27.
// Section numbers in comments ("spec 2.1") refer to that document.
//
// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The proxy_protocol.hpp authors
//
// The header reads top to bottom like the spec:
//   1. types and error codes        5. version 2 (binary) parser
//   2. addresses and their text     6. version-agnostic parser
//   3. CRC32C                       7. builders (v1, v2, TLVs, padding)
//   4. detection, version 1 parser  8. socket helpers (sockaddr in and out)
//                                   9. trust policy (which peers may send a header)
//
// Parsing and building never allocate, never throw and never read outside the
// span they are given. Everything compiles with -fno-exceptions -fno-rtti.
/// @file
/// The whole library: namespace proxy_protocol and the macros below.
#ifndef PROXY_PROTOCOL_HPP
#define PROXY_PROTOCOL_HPP

/// Library version, kept only here (CMake, the package files and CHANGELOG.md
/// checks read these lines); the string repeats the three numbers.
///@{
#define PROXY_PROTOCOL_VERSION_MAJOR 0
#define PROXY_PROTOCOL_VERSION_MINOR 1
#define PROXY_PROTOCOL_VERSION_PATCH 0
#define PROXY_PROTOCOL_VERSION_STRING "0.1.0"
///@}

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

// Socket helpers (section 8) need the POSIX socket headers; define
// PROXY_PROTOCOL_NO_SOCKETS to leave them out. Parsing never uses them.
#if !defined(PROXY_PROTOCOL_NO_SOCKETS) && __has_include(<sys/socket.h>) && __has_include(<netinet/in.h>)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
/// 1 when the socket helpers of section 8 are compiled in, 0 otherwise.
#define PROXY_PROTOCOL_HAS_SOCKETS 1
#else
#define PROXY_PROTOCOL_HAS_SOCKETS 0
#endif

// Forces inlining of the few small functions that build results on the hot
// paths (GCC's -O2 heuristics otherwise keep them out of line).
// EXPECT marks the conditions of the parsers' fast paths as usually true.
#if defined(__GNUC__) || defined(__clang__)
#define PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE [[gnu::always_inline]] inline
#define PROXY_PROTOCOL_DETAIL_EXPECT(condition) __builtin_expect(static_cast<bool>(condition), 1)
#else
#define PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE inline
#define PROXY_PROTOCOL_DETAIL_EXPECT(condition) (condition)
#endif

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
#define PROXY_PROTOCOL_DETAIL_SSE2 1
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <nmmintrin.h>
#include <wmmintrin.h>
#define PROXY_PROTOCOL_DETAIL_X86_CRC 1
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#define PROXY_PROTOCOL_DETAIL_ARM_CRC 1
#endif

/// HAProxy PROXY protocol v1 and v2: detection, zero-copy parsing, TLV access,
/// CRC32C and builders. Nothing here allocates or throws; internals live in
/// `detail`.
namespace proxy_protocol {

// ---------------------------------------------------------------------------
// 1. Types and error codes
// ---------------------------------------------------------------------------

/// Protocol version of a header: 1 (text line) or 2 (binary).
enum class version : std::uint8_t { v1 = 1, v2 = 2 };

/// v2 command (spec 2.2, low nibble of byte 12). v1 headers are always `proxy`.
enum class command : std::uint8_t {
  local = 0x0,  ///< connection made by the proxy itself (health check): use the socket's addresses
  proxy = 0x1,  ///< relayed connection: the header's addresses are the real endpoints
};

/// Address family (spec 2.2, high nibble of byte 13). v1 `TCP4`/`TCP6`/`UNKNOWN`
/// map to `inet`/`inet6`/`unspecified`.
enum class address_family : std::uint8_t {
  unspecified = 0x0,
  inet = 0x1,         ///< IPv4, 12-byte address block
  inet6 = 0x2,        ///< IPv6, 36-byte address block
  unix_socket = 0x3,  ///< AF_UNIX, 216-byte address block (two raw 108-byte paths)
};

/// Transport protocol (spec 2.2, low nibble of byte 13). v1 TCP lines are `stream`.
enum class transport_protocol : std::uint8_t {
  unspecified = 0x0,
  stream = 0x1,    ///< TCP or SOCK_STREAM
  datagram = 0x2,  ///< UDP or SOCK_DGRAM
};

/// Spec names for logs: "PROXY" / "LOCAL". Throws nothing.
[[nodiscard]] constexpr std::string_view to_string(command c) noexcept {
  return c == command::local ? "LOCAL" : c == command::proxy ? "PROXY" : "UNKNOWN";
}
/// Spec names for logs: "UNSPEC", "INET", "INET6", "UNIX". Throws nothing.
[[nodiscard]] constexpr std::string_view to_string(address_family f) noexcept {
  switch (f) {
    case address_family::unspecified:
      return "UNSPEC";
    case address_family::inet:
      return "INET";
    case address_family::inet6:
      return "INET6";
    case address_family::unix_socket:
      return "UNIX";
  }
  return "UNKNOWN";
}
/// Spec names for logs: "UNSPEC", "STREAM", "DGRAM". Throws nothing.
[[nodiscard]] constexpr std::string_view to_string(transport_protocol t) noexcept {
  switch (t) {
    case transport_protocol::unspecified:
      return "UNSPEC";
    case transport_protocol::stream:
      return "STREAM";
    case transport_protocol::datagram:
      return "DGRAM";
  }
  return "UNKNOWN";
}

/// TLV types of the registry (spec 2.2.1-2.2.7) and well-known vendor types.
/// Plain constants, not an enum: a TLV may carry any of the 256 values.
namespace tlv_type {
inline constexpr std::uint8_t alpn = 0x01;            ///< spec 2.2.1: application protocol (ALPN)
inline constexpr std::uint8_t authority = 0x02;       ///< spec 2.2.2: host name (TLS SNI)
inline constexpr std::uint8_t crc32c = 0x03;          ///< spec 2.2.3: CRC32C of the header
inline constexpr std::uint8_t noop = 0x04;            ///< spec 2.2.4: padding, ignored
inline constexpr std::uint8_t unique_id = 0x05;       ///< spec 2.2.4: opaque connection id
inline constexpr std::uint8_t ssl = 0x20;             ///< spec 2.2.5: TLS details with sub-TLVs
inline constexpr std::uint8_t netns = 0x30;           ///< spec 2.2.6: network namespace name
inline constexpr std::uint8_t min_custom = 0xE0;      ///< spec 2.2.7: first application-specific type
inline constexpr std::uint8_t max_custom = 0xEF;      ///< last application-specific type
inline constexpr std::uint8_t min_experiment = 0xF0;  ///< first experimental type
inline constexpr std::uint8_t max_experiment = 0xF7;  ///< last experimental type
inline constexpr std::uint8_t min_future = 0xF8;      ///< first type reserved for future use
inline constexpr std::uint8_t max_future = 0xFF;      ///< last type reserved for future use
/// Vendor types live in the custom range and are meaningful only when the
/// sender is that vendor's load balancer (custom types are not unique).
inline constexpr std::uint8_t gcp = 0xE0;    ///< Google Cloud Private Service Connect
inline constexpr std::uint8_t aws = 0xEA;    ///< AWS VPC endpoint (NLB)
inline constexpr std::uint8_t azure = 0xEE;  ///< Azure Private Link
}  // namespace tlv_type

/// Sub-TLV types inside the SSL TLV (spec 2.2.5).
namespace ssl_type {
inline constexpr std::uint8_t version = 0x21;              ///< US-ASCII TLS version, e.g. "TLSv1.3"
inline constexpr std::uint8_t common_name = 0x22;          ///< UTF-8 CN of the client certificate's subject
inline constexpr std::uint8_t cipher = 0x23;               ///< cipher name
inline constexpr std::uint8_t signature_algorithm = 0x24;  ///< signature algorithm of the server certificate
inline constexpr std::uint8_t key_algorithm = 0x25;        ///< key algorithm of the server certificate
inline constexpr std::uint8_t group = 0x26;                ///< key-exchange group
inline constexpr std::uint8_t signature_scheme = 0x27;     ///< handshake signature scheme
inline constexpr std::uint8_t client_certificate = 0x28;   ///< DER of the client certificate
}  // namespace ssl_type

/// Bits of the SSL TLV's `client` field (spec 2.2.5).
namespace ssl_client {
inline constexpr std::uint8_t ssl = 0x01;        ///< the client connected over SSL/TLS
inline constexpr std::uint8_t cert_conn = 0x02;  ///< it presented a certificate on this connection
inline constexpr std::uint8_t cert_sess = 0x04;  ///< it presented one at least once in this session
}  // namespace ssl_client

/// Sizes fixed by the specification.
inline constexpr std::size_t v1_max_size = 107;         ///< longest v1 line, CRLF included (spec 2.1)
inline constexpr std::size_t v1_min_size = 15;          ///< `PROXY UNKNOWN\r\n`
inline constexpr std::size_t v2_fixed_size = 16;        ///< signature, ver/cmd, fam, len
inline constexpr std::size_t v2_max_size = 16 + 65535;  ///< fixed part plus the largest 16-bit length
inline constexpr std::size_t unix_path_size = 108;      ///< bytes per UNIX path in the v2 address block
inline constexpr std::size_t unique_id_max_size = 128;  ///< spec 2.2.4
/// The 12 bytes every v2 header starts with (spec 2.2).
inline constexpr std::array<std::uint8_t, 12> v2_signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                              0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/// Why a header was rejected. One code per failure class; see
/// `parse()` for which code wins when an input has several faults.
/// Value 0 is never used, so a default `std::error_code` means "no error".
enum class errc : std::uint8_t {
  not_proxy_header = 1,  ///< first bytes match neither `PROXY` nor the v2 signature
  // version 1
  v1_line_too_long,            ///< no CRLF within the first 107 bytes
  v1_bad_line_ending,          ///< LF without CR before it, or CR not followed by LF
  v1_bad_protocol,             ///< protocol is not `TCP4`, `TCP6` or `UNKNOWN` (also when empty)
  v1_bad_separator,            ///< no SP after `PROXY`, or an address / port field empty from a doubled SP
  v1_missing_field,            ///< the line ends before the destination port
  v1_bad_address,              ///< an address is not a valid IPv4 / IPv6 text form
  v1_address_family_mismatch,  ///< a valid address of the other family (IPv6 in TCP4, ...)
  v1_bad_port,                 ///< not 0-65535, leading zero, or not decimal digits
  v1_trailing_data,            ///< anything but CRLF after the destination port
  // version 2
  v2_bad_version,                 ///< signature matches but the version nibble is not 2
  v2_bad_command,                 ///< command nibble is not LOCAL (0) or PROXY (1)
  v2_bad_family,                  ///< address family nibble above 3
  v2_bad_transport,               ///< transport nibble above 2
  v2_unlisted_family_transport,   ///< both nibbles defined, but the pair is not in the spec's table
  v2_length_too_short,            ///< length field smaller than the family's address block
  v2_header_too_large,            ///< 16 + length exceeds `parse_options::max_header_size`
  v2_tlv_truncated,               ///< a TLV header or value runs past the header's end
  v2_crc32c_bad_length,           ///< CRC32C TLV whose value is not exactly 4 bytes
  v2_crc32c_duplicate,            ///< more than one CRC32C TLV
  v2_crc32c_mismatch,             ///< CRC32C TLV present and the checksum is wrong
  v2_ssl_too_short,               ///< SSL TLV shorter than its 5-byte client + verify part
  v2_ssl_sub_tlv_truncated,       ///< an SSL sub-TLV runs past the end of the SSL TLV
  v2_unique_id_too_long,          ///< UNIQUE_ID TLV longer than 128 bytes
  v2_proxy_unspecified_rejected,  ///< PROXY with family UNSPEC while `reject_proxy_unspecified` is set
  // builders
  build_buffer_too_small,          ///< the output span is smaller than the header (nothing was written)
  build_header_too_large,          ///< the v2 length would exceed 65535
  build_invalid_address,           ///< missing or unusable addresses (unspecified, no IPv4 under INET, mixed families
                                   ///< refused, a path over 108 bytes)
  build_invalid_family_transport,  ///< a family / transport pair the spec does not define
  build_invalid_tlv,               ///< an item `tlv_item::value_size` refuses, two CRC32C, malformed raw TLV bytes
  build_invalid_padding,           ///< the requested padding cannot be met by a NOOP TLV (3 bytes minimum)
  build_invalid_command,           ///< the command is neither LOCAL nor PROXY (v2 has no other)
};

/// Number of error codes; codes are 1..errc_count.
inline constexpr std::size_t errc_count = static_cast<std::size_t>(errc::build_invalid_command);

/// The code's name, e.g. "v1_bad_port". Throws nothing.
[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::not_proxy_header:
      return "not_proxy_header";
    case errc::v1_line_too_long:
      return "v1_line_too_long";
    case errc::v1_bad_line_ending:
      return "v1_bad_line_ending";
    case errc::v1_bad_protocol:
      return "v1_bad_protocol";
    case errc::v1_bad_separator:
      return "v1_bad_separator";
    case errc::v1_missing_field:
      return "v1_missing_field";
    case errc::v1_bad_address:
      return "v1_bad_address";
    case errc::v1_address_family_mismatch:
      return "v1_address_family_mismatch";
    case errc::v1_bad_port:
      return "v1_bad_port";
    case errc::v1_trailing_data:
      return "v1_trailing_data";
    case errc::v2_bad_version:
      return "v2_bad_version";
    case errc::v2_bad_command:
      return "v2_bad_command";
    case errc::v2_bad_family:
      return "v2_bad_family";
    case errc::v2_bad_transport:
      return "v2_bad_transport";
    case errc::v2_unlisted_family_transport:
      return "v2_unlisted_family_transport";
    case errc::v2_length_too_short:
      return "v2_length_too_short";
    case errc::v2_header_too_large:
      return "v2_header_too_large";
    case errc::v2_tlv_truncated:
      return "v2_tlv_truncated";
    case errc::v2_crc32c_bad_length:
      return "v2_crc32c_bad_length";
    case errc::v2_crc32c_duplicate:
      return "v2_crc32c_duplicate";
    case errc::v2_crc32c_mismatch:
      return "v2_crc32c_mismatch";
    case errc::v2_ssl_too_short:
      return "v2_ssl_too_short";
    case errc::v2_ssl_sub_tlv_truncated:
      return "v2_ssl_sub_tlv_truncated";
    case errc::v2_unique_id_too_long:
      return "v2_unique_id_too_long";
    case errc::v2_proxy_unspecified_rejected:
      return "v2_proxy_unspecified_rejected";
    case errc::build_buffer_too_small:
      return "build_buffer_too_small";
    case errc::build_header_too_large:
      return "build_header_too_large";
    case errc::build_invalid_address:
      return "build_invalid_address";
    case errc::build_invalid_family_transport:
      return "build_invalid_family_transport";
    case errc::build_invalid_tlv:
      return "build_invalid_tlv";
    case errc::build_invalid_padding:
      return "build_invalid_padding";
    case errc::build_invalid_command:
      return "build_invalid_command";
  }
  return "unknown";
}

/// A sentence for logs, e.g. "v1: port is not a decimal number in 0-65535
/// without leading zeros". Throws nothing.
[[nodiscard]] constexpr std::string_view message(errc e) noexcept {
  switch (e) {
    case errc::not_proxy_header:
      return "not a PROXY protocol header";
    case errc::v1_line_too_long:
      return "v1: no CRLF within the first 107 bytes";
    case errc::v1_bad_line_ending:
      return "v1: line ending is not CRLF";
    case errc::v1_bad_protocol:
      return "v1: protocol is not TCP4, TCP6 or UNKNOWN";
    case errc::v1_bad_separator:
      return "v1: fields must be separated by exactly one space";
    case errc::v1_missing_field:
      return "v1: line ends before the destination port";
    case errc::v1_bad_address:
      return "v1: malformed address";
    case errc::v1_address_family_mismatch:
      return "v1: address does not belong to the announced family";
    case errc::v1_bad_port:
      return "v1: port is not a decimal number in 0-65535 without leading zeros";
    case errc::v1_trailing_data:
      return "v1: unexpected data after the destination port";
    case errc::v2_bad_version:
      return "v2: version is not 2";
    case errc::v2_bad_command:
      return "v2: command is neither LOCAL nor PROXY";
    case errc::v2_bad_family:
      return "v2: undefined address family";
    case errc::v2_bad_transport:
      return "v2: undefined transport protocol";
    case errc::v2_unlisted_family_transport:
      return "v2: address family and transport pair not defined by the spec";
    case errc::v2_length_too_short:
      return "v2: length is shorter than the address block";
    case errc::v2_header_too_large:
      return "v2: header is larger than the configured maximum";
    case errc::v2_tlv_truncated:
      return "v2: a TLV runs past the end of the header";
    case errc::v2_crc32c_bad_length:
      return "v2: CRC32C TLV value is not 4 bytes";
    case errc::v2_crc32c_duplicate:
      return "v2: more than one CRC32C TLV";
    case errc::v2_crc32c_mismatch:
      return "v2: CRC32C checksum mismatch";
    case errc::v2_ssl_too_short:
      return "v2: SSL TLV is shorter than 5 bytes";
    case errc::v2_ssl_sub_tlv_truncated:
      return "v2: an SSL sub-TLV runs past the end of the SSL TLV";
    case errc::v2_unique_id_too_long:
      return "v2: UNIQUE_ID TLV is longer than 128 bytes";
    case errc::v2_proxy_unspecified_rejected:
      return "v2: PROXY command with unspecified family rejected by option";
    case errc::build_buffer_too_small:
      return "build: output buffer too small";
    case errc::build_header_too_large:
      return "build: v2 header would exceed 65535 bytes after the fixed part";
    case errc::build_invalid_address:
      return "build: addresses missing or not representable in this version";
    case errc::build_invalid_family_transport:
      return "build: address family and transport pair not defined by the spec";
    case errc::build_invalid_tlv:
      return "build: invalid TLV";
    case errc::build_invalid_padding:
      return "build: padding cannot be met with a NOOP TLV";
    case errc::build_invalid_command:
      return "build: command is neither LOCAL nor PROXY";
  }
  return "unknown error";
}

namespace detail {
class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "proxy_protocol"; }
  std::string message(int value) const override {
    return std::string(proxy_protocol::message(static_cast<errc>(value)));
  }
};
}  // namespace detail

/// The `std::error_category` of `errc`; its name is "proxy_protocol". Throws nothing.
[[nodiscard]] inline const std::error_category& error_category() noexcept {
  static const detail::error_category_impl category;
  return category;
}

/// Lets `std::error_code ec = errc::v1_bad_port;` work. Throws nothing.
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// ---------------------------------------------------------------------------
// 2. Addresses and their text
// ---------------------------------------------------------------------------

namespace detail {
[[nodiscard]] constexpr std::uint8_t u8(std::byte b) noexcept { return std::to_integer<std::uint8_t>(b); }
[[nodiscard]] constexpr std::uint16_t load_be16(const std::byte* p) noexcept {
  return static_cast<std::uint16_t>((u8(p[0]) << 8) | u8(p[1]));
}
[[nodiscard]] constexpr std::uint32_t load_be32(const std::byte* p) noexcept {
  return (std::uint32_t{u8(p[0])} << 24) | (std::uint32_t{u8(p[1])} << 16) | (std::uint32_t{u8(p[2])} << 8) |
         std::uint32_t{u8(p[3])};
}
[[nodiscard]] constexpr std::uint64_t load_be64(const std::byte* p) noexcept {
  return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
// Little-endian loads written byte by byte: usable in constant expressions,
// and GCC and Clang turn each into one unaligned load on little-endian targets.
// Not always for the 4-byte one (GCC 12 loaded the v1 protocol token byte by
// byte, its bytes being read elsewhere too), so outside constant evaluation
// that one is a memcpy on little-endian targets.
[[nodiscard]] constexpr std::uint32_t load_le32(const std::byte* p) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (!std::is_constant_evaluated()) {
    std::uint32_t word;
    std::memcpy(&word, p, 4);
    return word;
  }
#endif
  return std::uint32_t{u8(p[0])} | (std::uint32_t{u8(p[1])} << 8) | (std::uint32_t{u8(p[2])} << 16) |
         (std::uint32_t{u8(p[3])} << 24);
}
[[nodiscard]] constexpr std::uint64_t load_le64(const std::byte* p) noexcept {
  return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le32(p + 4)} << 32);
}
[[nodiscard]] constexpr bool is_digit(std::uint8_t c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr int hex_value(std::uint8_t c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
[[noreturn]] inline void trap() noexcept { __builtin_trap(); }
}  // namespace detail

namespace detail {
struct ip_address_access;
}

/// An IPv4 or IPv6 address as plain bytes in network order (no OS types).
/// Throws nothing.
class ip_address {
 public:
  /// Longest text forms, without a terminating NUL.
  static constexpr std::size_t max_ipv4_text = 15;  ///< 255.255.255.255
  static constexpr std::size_t max_ipv6_text = 45;  ///< ffff:...:ffff:255.255.255.255

  constexpr ip_address() noexcept = default;

  /// IPv4 from its four bytes in network order: `ip_address::v4({192, 0, 2, 1})`.
  [[nodiscard]] static constexpr ip_address v4(std::array<std::uint8_t, 4> bytes) noexcept {
    ip_address a;
    a.family_ = address_family::inet;
    for (std::size_t i = 0; i < 4; ++i) a.bytes_[i] = bytes[i];
    return a;
  }
  /// IPv6 from its sixteen bytes in network order.
  [[nodiscard]] static constexpr ip_address v6(std::array<std::uint8_t, 16> bytes) noexcept {
    ip_address a;
    a.family_ = address_family::inet6;
    a.bytes_ = bytes;
    return a;
  }
  /// IPv4 from a host-order integer: `ip_address::v4(0xC0000201)` is 192.0.2.1.
  [[nodiscard]] static constexpr ip_address v4(std::uint32_t host_order) noexcept {
    return v4({static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
               static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)});
  }

  /// `inet`, `inet6`, or `unspecified` for a default-constructed address.
  [[nodiscard]] constexpr address_family family() const noexcept { return family_; }
  /// True for an IPv4 address.
  [[nodiscard]] constexpr bool is_v4() const noexcept { return family_ == address_family::inet; }
  /// True for an IPv6 address (IPv4-mapped ones included).
  [[nodiscard]] constexpr bool is_v6() const noexcept { return family_ == address_family::inet6; }
  /// The 4 (IPv4) or 16 (IPv6) bytes in network order; empty when unspecified.
  [[nodiscard]] constexpr std::span<const std::uint8_t> bytes() const noexcept {
    return {bytes_.data(), is_v4() ? 4u : is_v6() ? 16u : 0u};
  }
  /// IPv4 as a host-order integer (0 unless `is_v4()`).
  [[nodiscard]] constexpr std::uint32_t v4_host_order() const noexcept {
    if (!is_v4()) return 0;
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) | (std::uint32_t{bytes_[2]} << 8) |
           bytes_[3];
  }
  /// True for `::ffff:a.b.c.d`.
  [[nodiscard]] constexpr bool is_v4_mapped() const noexcept {
    if (!is_v6()) return false;
    for (std::size_t i = 0; i < 10; ++i)
      if (bytes_[i] != 0) return false;
    return bytes_[10] == 0xFF && bytes_[11] == 0xFF;
  }
  /// `::ffff:a.b.c.d` for an IPv4 address; IPv6 addresses are returned as they are.
  [[nodiscard]] constexpr ip_address to_v6() const noexcept {
    if (!is_v4()) return *this;
    std::array<std::uint8_t, 16> b{};
    b[10] = 0xFF;
    b[11] = 0xFF;
    for (std::size_t i = 0; i < 4; ++i) b[12 + i] = bytes_[i];
    return v6(b);
  }
  /// The embedded IPv4 address of `::ffff:a.b.c.d`; other addresses unchanged.
  [[nodiscard]] constexpr ip_address unmapped() const noexcept {
    if (!is_v4_mapped()) return *this;
    return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
  }

  /// Writes the text form into [first, last): IPv4 dotted quad, IPv6 in
  /// RFC 5952 canonical form (lower case, longest zero run as `::`,
  /// `::ffff:a.b.c.d` for IPv4-mapped). No NUL is written. Returns
  /// `{end, errc{}}`, or `{last, std::errc::value_too_large}` when it does not
  /// fit (use `max_ipv6_text`). An unspecified address writes nothing.
  /// Throws nothing.
  [[nodiscard]] constexpr std::to_chars_result to_chars(char* first, char* last) const noexcept;

  /// Same family and bytes (IPv4 and its IPv4-mapped form differ).
  friend constexpr bool operator==(const ip_address&, const ip_address&) noexcept = default;

 private:
  friend struct detail::ip_address_access;
  std::array<std::uint8_t, 16> bytes_{};
  address_family family_ = address_family::unspecified;
};

namespace detail {
// Addresses straight from wire bytes, for the parsers' hot paths (byte
// copies, which compilers turn into one 4- or 16-byte load and store).
struct ip_address_access {
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr ip_address v4(const std::byte* p) noexcept {
    ip_address a;
    for (std::size_t i = 0; i < 4; ++i) a.bytes_[i] = u8(p[i]);
    a.family_ = address_family::inet;
    return a;
  }
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr ip_address v4_packed(
      std::uint32_t packed) noexcept {
    ip_address a;
    for (std::size_t i = 0; i < 4; ++i) a.bytes_[i] = static_cast<std::uint8_t>(packed >> (8 * i));
    a.family_ = address_family::inet;
    return a;
  }
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr ip_address unspecified() noexcept {
    ip_address a;
    a.family_ = address_family::unspecified;
    return a;
  }
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr ip_address v6(const std::byte* p) noexcept {
    ip_address a;
    for (std::size_t i = 0; i < 16; ++i) a.bytes_[i] = u8(p[i]);
    a.family_ = address_family::inet6;
    return a;
  }
};
}  // namespace detail

/// An address and a port, as carried by v1 TCP lines and v2 INET/INET6 blocks.
struct endpoint {
  ip_address address;      ///< IPv4 or IPv6 address
  std::uint16_t port = 0;  ///< port in host byte order
  /// Same address and port.
  friend constexpr bool operator==(const endpoint&, const endpoint&) noexcept = default;
};

/// A small fixed-capacity string for address text, so that formatting needs
/// no allocation: `to_text(header.source).view()` (keep the `address_text`
/// alive while you use the view).
struct address_text {
  std::array<char, 56> buffer{};  ///< the characters, not NUL-terminated
  std::size_t size = 0;           ///< number of characters used
  /// The text. Throws nothing.
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {buffer.data(), size}; }
  /// NUL-terminated: the text is at most 47 characters and the rest of the buffer stays zero.
  [[nodiscard]] constexpr const char* c_str() const noexcept { return buffer.data(); }
};

namespace detail {
constexpr char* write_decimal(char* out, unsigned value) noexcept {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}
constexpr char* write_ipv4(char* out, const std::uint8_t* b) noexcept {
  for (int i = 0; i < 4; ++i) {
    if (i) *out++ = '.';
    out = write_decimal(out, b[i]);
  }
  return out;
}
constexpr char* write_ipv6(char* out, const std::uint8_t* b) noexcept {
  std::uint16_t groups[8]{};
  for (std::size_t i = 0; i < 8; ++i) groups[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  const bool mapped =
      groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 && groups[5] == 0xFFFF;
  const int group_count = mapped ? 6 : 8;
  // RFC 5952 4.2: the longest run of two or more zero groups, the first one on a tie.
  int best_start = -1, best_length = 0;
  for (int i = 0; i < group_count;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < group_count && groups[j] == 0) ++j;
    if (j - i > best_length && j - i >= 2) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < group_count;) {
    if (i == best_start) {
      *out++ = ':';
      *out++ = ':';
      i += best_length;
      continue;
    }
    if (i != 0 && i != best_start + best_length) *out++ = ':';  // no colon right after "::"
    // Lowercase hex without leading zeros (RFC 5952 4.1, 4.3).
    const unsigned g = groups[i];
    switch (g >= 0x1000 ? 4 : g >= 0x100 ? 3 : g >= 0x10 ? 2 : 1) {
      case 4:
        *out++ = hex[g >> 12];
        [[fallthrough]];
      case 3:
        *out++ = hex[(g >> 8) & 0xF];
        [[fallthrough]];
      case 2:
        *out++ = hex[(g >> 4) & 0xF];
        [[fallthrough]];
      default:
        *out++ = hex[g & 0xF];
    }
    ++i;
  }
  if (mapped) {
    if (best_start + best_length != 6) *out++ = ':';
    out = write_ipv4(out, b + 12);
  }
  return out;
}
}  // namespace detail

constexpr std::to_chars_result ip_address::to_chars(char* first, char* last) const noexcept {
  char tmp[max_ipv6_text + 1]{};
  char* end = tmp;
  if (is_v4())
    end = detail::write_ipv4(tmp, bytes_.data());
  else if (is_v6())
    end = detail::write_ipv6(tmp, bytes_.data());
  const auto n = end - tmp;
  if (last - first < n) return {last, std::errc::value_too_large};
  for (std::ptrdiff_t i = 0; i < n; ++i) first[i] = tmp[i];
  return {first + n, std::errc{}};
}

/// The address as text in a fixed buffer. Throws nothing.
[[nodiscard]] constexpr address_text to_text(const ip_address& a) noexcept {
  address_text t;
  const auto r = a.to_chars(t.buffer.data(), t.buffer.data() + t.buffer.size());
  t.size = static_cast<std::size_t>(r.ptr - t.buffer.data());
  return t;
}
/// `192.0.2.1:443` or `[2001:db8::1]:443`. Throws nothing.
[[nodiscard]] constexpr address_text to_text(const endpoint& e) noexcept {
  address_text t;
  char* p = t.buffer.data();
  if (e.address.is_v6()) *p++ = '[';
  p = e.address.to_chars(p, t.buffer.data() + t.buffer.size()).ptr;
  if (e.address.is_v6()) *p++ = ']';
  *p++ = ':';
  p = detail::write_decimal(p, e.port);
  t.size = static_cast<std::size_t>(p - t.buffer.data());
  return t;
}

/// Stream output of `to_text()` (and of `to_string()` for `errc`), for logs.
/// Declared with `<iosfwd>` only: include `<ostream>` to use them. Only these may
/// throw, as streams do.
///@{
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& os, const ip_address& a) {
  const auto t = to_text(a);
  return os << std::basic_string_view<char, Traits>(t.buffer.data(), t.size);
}
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& os, const endpoint& e) {
  const auto t = to_text(e);
  return os << std::basic_string_view<char, Traits>(t.buffer.data(), t.size);
}
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& os, errc e) {
  const auto s = to_string(e);
  return os << std::basic_string_view<char, Traits>(s.data(), s.size());
}
///@}

namespace detail {
// Strict dotted quad: exactly four decimal octets 0-255 without leading zeros,
// filling the whole range [p, end). (A bool, not a null pointer, reports
// failure: GCC 12 cannot compare some pointers to null in constant expressions.)
constexpr bool parse_ipv4(const std::byte* p, const std::byte* end, std::uint8_t* out) noexcept {
  for (int octet = 0; octet < 4; ++octet) {
    if (octet != 0) {
      if (p == end || u8(*p) != '.') return false;
      ++p;
    }
    if (p == end || !is_digit(u8(*p))) return false;
    unsigned value = u8(*p++) - '0';
    if (value == 0) {
      if (p != end && is_digit(u8(*p))) return false;  // leading zero
    } else {
      for (int k = 0; k < 2 && p != end && is_digit(u8(*p)); ++k) value = value * 10 + (u8(*p++) - '0');
      if (value > 255 || (p != end && is_digit(u8(*p)))) return false;
    }
    out[octet] = static_cast<std::uint8_t>(value);
  }
  return p == end;
}

// RFC 4291 2.2 text forms as inet_pton accepts them: 1-4 hex digits per group,
// at most one "::", an optional dotted IPv4 tail in the last 32 bits, no zone
// id. The whole range [p, end) must be the address.
constexpr bool parse_ipv6(const std::byte* p, const std::byte* end, std::uint8_t* out) noexcept {
  std::uint8_t b[16]{};
  int n = 0;     // bytes written
  int gap = -1;  // byte index where "::" stands
  if (p == end) return false;
  if (u8(*p) == ':') {
    if (end - p < 2 || u8(p[1]) != ':') return false;
    gap = 0;
    p += 2;
    if (p == end) {
      for (int i = 0; i < 16; ++i) out[i] = 0;
      return true;
    }
  }
  for (;;) {
    const std::byte* group_start = p;
    unsigned value = 0;
    int digits = 0;
    while (p != end && digits < 5) {
      const int h = hex_value(u8(*p));
      if (h < 0) break;
      value = value * 16 + static_cast<unsigned>(h);
      ++digits;
      ++p;
    }
    if (p != end && u8(*p) == '.') {  // dotted IPv4 tail
      if (n > 12) return false;
      if (!parse_ipv4(group_start, end, b + n)) return false;
      n += 4;
      break;
    }
    if (digits == 0 || digits > 4 || n > 14) return false;
    b[n++] = static_cast<std::uint8_t>(value >> 8);
    b[n++] = static_cast<std::uint8_t>(value);
    if (p == end) break;
    if (u8(*p) != ':') return false;
    ++p;
    if (p != end && u8(*p) == ':') {
      if (gap >= 0) return false;
      gap = n;
      ++p;
      if (p == end) break;
    } else if (p == end) {
      return false;  // trailing single colon
    }
  }
  if (gap < 0) {
    if (n != 16) return false;
  } else {
    if (n > 14) return false;  // "::" must stand for at least one group
    const int tail = n - gap;
    for (int i = 0; i < 16; ++i) out[i] = 0;
    for (int i = 0; i < gap; ++i) out[i] = b[i];
    for (int i = 0; i < tail; ++i) out[16 - tail + i] = b[gap + i];
    return true;
  }
  for (int i = 0; i < 16; ++i) out[i] = b[i];
  return true;
}
}  // namespace detail

/// Parses IPv4 dotted-quad text (strict: no leading zeros) or IPv6 text
/// (RFC 4291 forms, no zone id). Throws nothing.
[[nodiscard]] constexpr std::optional<ip_address> parse_ip_address(std::string_view text) noexcept {
  std::array<std::byte, ip_address::max_ipv6_text> chars{};  // a copy, so that this works in constant expressions
  if (text.size() > chars.size()) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) chars[i] = static_cast<std::byte>(text[i]);
  const std::byte* p = chars.data();
  const std::byte* end = p + text.size();
  std::array<std::uint8_t, 16> b{};
  if (detail::parse_ipv4(p, end, b.data())) return ip_address::v4({b[0], b[1], b[2], b[3]});
  if (detail::parse_ipv6(p, end, b.data())) return ip_address::v6(b);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// TLV views (spec 2.2): validated once by the parser, so iteration cannot fail
// ---------------------------------------------------------------------------

struct ssl_view;

/// One TLV: its type and a view of its value bytes in the caller's buffer.
struct tlv {
  std::uint8_t type = 0;             ///< one of `tlv_type`, or any other value
  std::span<const std::byte> value;  ///< the value bytes (length from the TLV's 16-bit field)
  /// The value as text (no validation: bytes may be any value).
  [[nodiscard]] std::string_view text() const noexcept {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
  }
  /// This TLV read as the SSL TLV (type 0x20, value of at least 5 bytes),
  /// for a loop over `header::tlvs()` that meets it: the view `header::ssl()`
  /// gives, without searching for it again. `std::nullopt` for other TLVs.
  [[nodiscard]] constexpr std::optional<ssl_view> ssl() const noexcept;
};

/// A forward range over TLVs laid out as `type(1) length(2, big-endian) value`.
/// Only built over bytes the parser has validated (or that a builder wrote):
/// each TLV fits and the last one ends exactly at the end. Keeps wire order
/// and duplicates. Throws nothing.
class tlv_range {
 public:
  /// Forward iterator yielding `tlv` by value; its members are the standard ones.
  class iterator {
   public:
    /// @cond INTERNAL
    using value_type = tlv;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;  // operator* returns a value
    using iterator_concept = std::forward_iterator_tag;
    using reference = tlv;
    constexpr iterator() noexcept = default;
    constexpr iterator(const std::byte* p, std::size_t room) noexcept
        : p_(p), after_header_(static_cast<std::ptrdiff_t>(room) - 3) {
      settle();
    }
    [[nodiscard]] constexpr tlv operator*() const noexcept { return {detail::u8(p_[0]), {p_ + 3, size_}}; }
    constexpr iterator& operator++() noexcept {
      p_ += 3 + size_;
      after_header_ -= static_cast<std::ptrdiff_t>(size_ + 3);
      settle();
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend constexpr bool operator==(iterator a, iterator b) noexcept { return a.after_header_ == b.after_header_; }
    /// @endcond

   private:
    // Bounded by the bytes left in the range, even over bytes nobody
    // validated (a hand-filled `header::tlv_bytes`, a nested SSL sub-TLV): a
    // TLV cut short yields the bytes that are there, and fewer bytes than a
    // TLV header end the walk; never a read past the range. The value size
    // is decided once per TLV, when the iterator arrives at it.
    constexpr void settle() noexcept {
      if (after_header_ < 0) {  // no room for a TLV header: the end
        after_header_ = -3;
        size_ = 0;
        return;
      }
      const std::size_t length = detail::load_be16(p_ + 1);
      const auto room = static_cast<std::size_t>(after_header_);
      size_ = length <= room ? length : room;
    }
    const std::byte* p_ = nullptr;
    // Bytes in the range after the current TLV's 3-byte header, or -3 at
    // the end (no bytes left; one or two left over are no TLV).
    std::ptrdiff_t after_header_ = -3;
    std::size_t size_ = 0;  // the current TLV's value size, within the range
  };
  constexpr tlv_range() noexcept = default;
  /// A view of TLVs laid out back to back, as `header::tlv_bytes` holds them
  /// (validated by the parser). Iteration never reads outside `bytes`, even
  /// when they are malformed: a TLV whose length runs past the end yields the
  /// bytes that are there, and one or two bytes left over, too few for a TLV
  /// header, are no TLV.
  constexpr explicit tlv_range(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}
  /// First TLV.
  [[nodiscard]] constexpr iterator begin() const noexcept { return iterator{bytes_.data(), bytes_.size()}; }
  /// Past the last TLV.
  [[nodiscard]] constexpr iterator end() const noexcept { return iterator{bytes_.data() + bytes_.size(), 0}; }
  /// True when there are no TLVs.
  [[nodiscard]] constexpr bool empty() const noexcept { return bytes_.empty(); }
  /// The first TLV of `type`, if any. O(number of TLVs).
  [[nodiscard]] constexpr std::optional<tlv> find(std::uint8_t type) const noexcept {
    // A plain pointer walk, a few instructions per TLV, bounded like the
    // iterator: a TLV cut short yields what is there and ends the walk.
    const std::byte* p = bytes_.data();
    const std::byte* const end = p + bytes_.size();
    while (end - p >= 3) {
      const std::size_t length = std::min<std::size_t>(detail::load_be16(p + 1), static_cast<std::size_t>(end - p - 3));
      if (detail::u8(*p) == type) return tlv{type, {p + 3, length}};
      p += 3 + length;
    }
    return std::nullopt;
  }
  /// Number of TLVs. O(number of TLVs).
  [[nodiscard]] constexpr std::size_t count() const noexcept {
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
  }
  /// The TLV bytes the range walks.
  [[nodiscard]] constexpr std::span<const std::byte> bytes() const noexcept { return bytes_; }

 private:
  std::span<const std::byte> bytes_;
};

/// The SSL TLV (type 0x20, spec 2.2.5): `client(1) verify(4, big-endian)`
/// then one level of sub-TLVs. `verify == 0` means a presented client
/// certificate was verified; it proves nothing unless `client` has
/// `cert_conn` or `cert_sess` (HAProxy sends 0 for plain-TCP clients).
/// Members throw nothing.
struct ssl_view {
  std::uint8_t client = 0;   ///< `ssl_client` bits
  std::uint32_t verify = 0;  ///< 0 when a presented client certificate verified
  tlv_range sub_tlvs;        ///< the sub-TLVs (types `ssl_type::*`)

  /// `client` has `ssl_client::ssl`: the client used SSL/TLS.
  [[nodiscard]] constexpr bool client_ssl() const noexcept { return (client & ssl_client::ssl) != 0; }
  /// `client` has `ssl_client::cert_conn`: a certificate on this connection.
  [[nodiscard]] constexpr bool client_cert_conn() const noexcept { return (client & ssl_client::cert_conn) != 0; }
  /// `client` has `ssl_client::cert_sess`: a certificate in this TLS session.
  [[nodiscard]] constexpr bool client_cert_sess() const noexcept { return (client & ssl_client::cert_sess) != 0; }
  /// True when the client presented a certificate and it verified.
  [[nodiscard]] constexpr bool client_verified() const noexcept {
    return (client & (ssl_client::cert_conn | ssl_client::cert_sess)) != 0 && verify == 0;
  }
  /// The first sub-TLV of `type` (0x21-0x28), if any.
  [[nodiscard]] constexpr std::optional<tlv> find(std::uint8_t type) const noexcept { return sub_tlvs.find(type); }
  /// US-ASCII TLS version, e.g. "TLSv1.3" (0x21).
  [[nodiscard]] std::optional<std::string_view> version() const noexcept { return text(ssl_type::version); }
  /// UTF-8 common name of the client certificate's subject (0x22).
  [[nodiscard]] std::optional<std::string_view> common_name() const noexcept { return text(ssl_type::common_name); }
  /// Cipher name, e.g. "ECDHE-RSA-AES128-GCM-SHA256" (0x23).
  [[nodiscard]] std::optional<std::string_view> cipher() const noexcept { return text(ssl_type::cipher); }
  /// Signature algorithm of the frontend certificate, e.g. "RSA-SHA256" (0x24).
  [[nodiscard]] std::optional<std::string_view> signature_algorithm() const noexcept {
    return text(ssl_type::signature_algorithm);
  }
  /// Key algorithm of the frontend certificate, e.g. "RSA2048" (0x25).
  [[nodiscard]] std::optional<std::string_view> key_algorithm() const noexcept { return text(ssl_type::key_algorithm); }
  /// Key-exchange group, e.g. "secp256r1" (0x26).
  [[nodiscard]] std::optional<std::string_view> group() const noexcept { return text(ssl_type::group); }
  /// Handshake signature scheme, e.g. "rsa_pss_rsae_sha256" (0x27).
  [[nodiscard]] std::optional<std::string_view> signature_scheme() const noexcept {
    return text(ssl_type::signature_scheme);
  }
  /// Raw DER of the client certificate (0x28).
  [[nodiscard]] constexpr std::optional<std::span<const std::byte>> client_certificate() const noexcept {
    if (const auto t = find(ssl_type::client_certificate)) return t->value;
    return std::nullopt;
  }

 private:
  [[nodiscard]] std::optional<std::string_view> text(std::uint8_t type) const noexcept {
    if (const auto t = find(type)) return t->text();
    return std::nullopt;
  }
};

constexpr std::optional<ssl_view> tlv::ssl() const noexcept {
  if (type != tlv_type::ssl || value.size() < 5) return std::nullopt;
  return ssl_view{detail::u8(value[0]), detail::load_be32(value.data() + 1), tlv_range{value.subspan(5)}};
}

/// The SSL view of a TLV of type 0x20 whose value holds at least the 5-byte
/// client + verify part (as every SSL TLV of a parsed header does);
/// `std::nullopt` otherwise. Same as `t.ssl()`. Throws nothing.
[[nodiscard]] constexpr std::optional<ssl_view> as_ssl(const tlv& t) noexcept { return t.ssl(); }

// ---------------------------------------------------------------------------
// The header value: what a parser returns and what a builder writes
// ---------------------------------------------------------------------------

/// A decoded PROXY header. Views (`unix_*`, `address_block`, `tlv_bytes`,
/// `raw`) point into the buffer that was parsed: they stay valid as long as
/// that buffer lives and is not modified. Everything else is a plain value.
///
/// The same type describes a header to build: set the fields, leave the
/// views you do not need empty. Members throw nothing; the TLV accessors are
/// O(number of TLVs).
struct header {
  proxy_protocol::version version = version::v2;                   ///< v1 text line or v2 binary
  proxy_protocol::command command = command::proxy;                ///< v1 is always `proxy`
  address_family family = address_family::unspecified;             ///< v1 TCP4 / TCP6 / UNKNOWN map here too
  transport_protocol transport = transport_protocol::unspecified;  ///< v1 TCP is `stream`
  /// Header addresses for INET / INET6 (PROXY command). With
  /// `v1_accept_ipv4_in_tcp6` an IPv4 address may appear in a TCP6 header.
  endpoint source;
  endpoint destination;  ///< see `source`
  /// UNIX family: the raw 108-byte `sun_path` fields (PROXY command). For
  /// building, shorter paths are NUL-padded to 108 bytes.
  std::span<const std::byte> unix_source;
  std::span<const std::byte> unix_destination;  ///< see `unix_source`
  /// v2: the raw address block (also for LOCAL, whose addresses are ignored).
  std::span<const std::byte> address_block;
  /// v2: the TLV region `[16 + address block, 16 + length)`, validated.
  std::span<const std::byte> tlv_bytes;
  /// The whole header as received; `raw.size()` is the number of bytes it used.
  std::span<const std::byte> raw;

  /// Bytes the header occupies in the input (0 for a header built by hand).
  [[nodiscard]] constexpr std::size_t size() const noexcept { return raw.size(); }

  /// True when the header carries the connection's real endpoints (PROXY
  /// command with INET, INET6 or UNIX). False for v2 LOCAL, UNSPEC and v1
  /// UNKNOWN: the receiver then uses the socket's own addresses (spec 2.2).
  [[nodiscard]] constexpr bool has_addresses() const noexcept {
    return command == command::proxy && family != address_family::unspecified;
  }

  /// TLVs in wire order, duplicates kept.
  [[nodiscard]] constexpr tlv_range tlvs() const noexcept { return tlv_range{tlv_bytes}; }
  /// The first TLV of `type`.
  [[nodiscard]] constexpr std::optional<tlv> find(std::uint8_t type) const noexcept { return tlvs().find(type); }

  /// ALPN (0x01): in practice the single negotiated protocol, e.g. "h2".
  [[nodiscard]] std::optional<std::string_view> alpn() const noexcept { return text(tlv_type::alpn); }
  /// AUTHORITY (0x02): the host name the client asked for (TLS SNI).
  [[nodiscard]] std::optional<std::string_view> authority() const noexcept { return text(tlv_type::authority); }
  /// CRC32C (0x03): the stored checksum (already verified by the parser unless
  /// `verify_crc32c` was off).
  [[nodiscard]] constexpr std::optional<std::uint32_t> crc32c() const noexcept {
    if (const auto t = find(tlv_type::crc32c); t && t->value.size() == 4) return detail::load_be32(t->value.data());
    return std::nullopt;
  }
  /// NOOP (0x04): the first padding TLV's bytes, to be ignored.
  [[nodiscard]] constexpr std::optional<std::span<const std::byte>> noop() const noexcept {
    if (const auto t = find(tlv_type::noop)) return t->value;
    return std::nullopt;
  }
  /// UNIQUE_ID (0x05): opaque connection id, at most 128 bytes.
  [[nodiscard]] constexpr std::optional<std::span<const std::byte>> unique_id() const noexcept {
    if (const auto t = find(tlv_type::unique_id)) return t->value;
    return std::nullopt;
  }
  /// SSL (0x20) with its sub-TLVs (validated by the parser).
  [[nodiscard]] constexpr std::optional<ssl_view> ssl() const noexcept {
    if (const auto t = find(tlv_type::ssl)) return t->ssl();
    return std::nullopt;
  }
  /// NETNS (0x30): US-ASCII network namespace name.
  [[nodiscard]] std::optional<std::string_view> netns() const noexcept { return text(tlv_type::netns); }

  /// AWS (0xEA) sub-type 0x01: the VPC endpoint id, e.g. "vpce-08d2bf15fac5001c9".
  /// Meaningful only behind an AWS load balancer.
  [[nodiscard]] std::optional<std::string_view> aws_vpc_endpoint_id() const noexcept {
    const auto t = find(tlv_type::aws);
    if (!t || t->value.empty() || detail::u8(t->value[0]) != 0x01) return std::nullopt;
    return tlv{t->type, t->value.subspan(1)}.text();
  }
  /// Azure (0xEE) sub-type 0x01: the private endpoint LinkID, a little-endian
  /// u32 (value exactly 5 bytes). Meaningful only behind Azure Private Link.
  [[nodiscard]] constexpr std::optional<std::uint32_t> azure_private_endpoint_link_id() const noexcept {
    const auto t = find(tlv_type::azure);
    if (!t || t->value.size() != 5 || detail::u8(t->value[0]) != 0x01) return std::nullopt;
    const auto* v = t->value.data() + 1;
    return std::uint32_t{detail::u8(v[0])} | (std::uint32_t{detail::u8(v[1])} << 8) |
           (std::uint32_t{detail::u8(v[2])} << 16) | (std::uint32_t{detail::u8(v[3])} << 24);
  }
  /// GCP (0xE0): the Private Service Connect connection id, a big-endian u64
  /// (value exactly 8 bytes). Meaningful only behind Google Cloud PSC.
  [[nodiscard]] constexpr std::optional<std::uint64_t> gcp_psc_connection_id() const noexcept {
    const auto t = find(tlv_type::gcp);
    if (!t || t->value.size() != 8) return std::nullopt;
    return detail::load_be64(t->value.data());
  }

 private:
  [[nodiscard]] std::optional<std::string_view> text(std::uint8_t type) const noexcept {
    if (const auto t = find(type)) return t->text();
    return std::nullopt;
  }
};

/// Per-call parser options. Defaults are strict to the spec; every lenient
/// choice is off by default and names the real sender that needs it.
struct parse_options {
  /// Largest total v2 header (16 + length) accepted; larger ones fail with
  /// `v2_header_too_large` as soon as the 16 fixed bytes are in, so a caller
  /// never buffers more. Default: the spec's maximum, 65551. Servers usually
  /// want less (nginx uses 4096, HAProxy its 16384-byte buffer).
  std::size_t max_header_size = v2_max_size;
  /// Verify the CRC32C TLV when present (spec 2.2.3: a receiver that supports
  /// it MUST reject a mismatch). Turn off only to inspect broken headers.
  bool verify_crc32c = true;
  /// Reject v2 PROXY with family UNSPEC (spec: the receiver's choice; by
  /// default accepted with no addresses, as the spec recommends).
  bool reject_proxy_unspecified = false;
  /// Lenient: accept family/transport pairs the spec does not list (0x01,
  /// 0x02, 0x10, 0x20, 0x30) and treat them as UNSPEC (no address block).
  bool allow_unlisted_family_transport = false;
  /// Lenient: accept an IPv4 address in a v1 `TCP6` line; the endpoint then
  /// holds an IPv4 address. nginx 1.22 with `set_real_ip_from` relays such
  /// lines (`PROXY TCP6 2001:db8::7 127.0.0.1 ...`, vector nginx122-v1-realip-mixed).
  bool v1_accept_ipv4_in_tcp6 = false;
};

class parse_result;
namespace detail {
struct parse_result_access;

// The family and transport of each fam byte, as one 16-bit word
// (family | transport << 8), so that the parser stores them together.
inline constexpr auto v2_family_transport = [] {
  std::array<std::uint16_t, 256> words{};
  for (std::size_t fam = 0; fam != words.size(); ++fam)  // != : cppcheck reads "fam < ... >>" as a template
    words[fam] = static_cast<std::uint16_t>((fam >> 4) | ((fam & 0x0F) << 8));
  return words;
}();

// What the fast path of parse_v2 reads from the address block.
enum class v2_addresses : std::uint8_t { none, inet, inet6, unix_paths };
template <v2_addresses Kind>
struct v2_fast_path {};
struct v1_fast_path {};
template <v2_addresses Kind>
struct v2_tlvs_path {};

// Defined with the v2 parser: checks the TLVs of a v2 result just built, and
// replaces it with the careful parser's result when they are faulty.
constexpr void check_v2_tlvs_or_redo(parse_result& r, const parse_options& options) noexcept;

// Source (`which` 0) or destination (1) endpoint of a v2 header starting at
// `in`, returned as a prvalue so that it is built where it will live.
template <v2_addresses Kind>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr endpoint v2_endpoint(const std::byte* in, std::size_t which) noexcept {
  const std::byte* a = in + 16;
  if constexpr (Kind == v2_addresses::inet) {
    return {ip_address_access::v4(a + 4 * which), load_be16(a + 8 + 2 * which)};
  } else if constexpr (Kind == v2_addresses::inet6) {
    return {ip_address_access::v6(a + 16 * which), load_be16(a + 32 + 2 * which)};
  } else {
    // Member by member: GCC expands `endpoint{}` (20 bytes, alignment 2) as a `rep stos`.
    return {ip_address_access::unspecified(), 0};
  }
}
template <v2_addresses Kind>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr std::span<const std::byte> v2_unix_path(const std::byte* in,
                                                                                      std::size_t which) noexcept {
  if constexpr (Kind == v2_addresses::unix_paths) return {in + 16 + unix_path_size * which, unix_path_size};
  return {};
}
}  // namespace detail

namespace detail {
// The default argument of the parsers: a constant, so that a call without
// options builds no options object.
inline constexpr parse_options default_parse_options{};
}  // namespace detail

/// The three outcomes of a parse.
enum class parse_status : std::uint8_t {
  complete,   ///< a whole, valid header: `value()` and `consumed()`
  need_more,  ///< a valid prefix: read at least `bytes_needed()` more bytes and parse again
  invalid,    ///< not a valid header: `error()` says why; drop the connection
};

/// Result of a parse: a header, "need more bytes", or an error code.
/// Throws nothing; `value()` on a non-complete result traps.
class parse_result {
 public:
  /// A complete header (used by the parsers; tests and wrappers may use it too).
  [[nodiscard]] static constexpr parse_result complete(const header& h) noexcept {
    parse_result r;
    r.status_ = parse_status::complete;
    r.header_ = h;
    return r;
  }
  /// A valid prefix that needs at least `at_least` more bytes (0 is taken as 1).
  [[nodiscard]] static constexpr parse_result need_more(std::size_t at_least) noexcept {
    parse_result r;
    r.status_ = parse_status::need_more;
    r.needed_ = at_least == 0 ? 1 : at_least;
    return r;
  }
  /// A rejected input.
  [[nodiscard]] static constexpr parse_result invalid(errc e) noexcept {
    parse_result r;
    r.status_ = parse_status::invalid;
    r.error_ = e;
    return r;
  }

  /// Which of the three outcomes this is.
  [[nodiscard]] constexpr parse_status status() const noexcept { return status_; }
  /// A whole, valid header is available.
  [[nodiscard]] constexpr bool ok() const noexcept { return status_ == parse_status::complete; }
  /// A valid prefix: read more bytes and parse again.
  [[nodiscard]] constexpr bool incomplete() const noexcept { return status_ == parse_status::need_more; }
  /// Not a valid header.
  [[nodiscard]] constexpr bool failed() const noexcept { return status_ == parse_status::invalid; }
  /// Same as `ok()`.
  constexpr explicit operator bool() const noexcept { return ok(); }

  /// Why the header was rejected; `errc{}` (0) unless `failed()`.
  [[nodiscard]] constexpr errc error() const noexcept { return error_; }
  /// `std::error_code` form of `error()`; a default (no-error) code unless `failed()`.
  [[nodiscard]] std::error_code error_code() const noexcept {
    return failed() ? make_error_code(error_) : std::error_code{};
  }
  /// When `incomplete()`: the minimum number of further bytes before the
  /// header can complete (exact for v2 once 16 bytes are in; a lower bound
  /// otherwise). 0 in the other states.
  [[nodiscard]] constexpr std::size_t bytes_needed() const noexcept { return needed_; }
  /// Bytes used by the header (0 unless `ok()`); application data starts there.
  [[nodiscard]] constexpr std::size_t consumed() const noexcept { return ok() ? header_.raw.size() : 0; }

  /// The header; traps (never undefined behaviour) unless `ok()`.
  [[nodiscard]] constexpr const header& value() const& noexcept {
    if (!ok()) detail::trap();
    return header_;
  }
  /// On a temporary result, a copy: `header h = parse(buffer).value();` keeps
  /// nothing that dies with the result (the views still point into `buffer`).
  [[nodiscard]] constexpr header value() && noexcept {
    if (!ok()) detail::trap();
    return header_;
  }
  /// Same as `value()`.
  [[nodiscard]] constexpr const header& operator*() const& noexcept { return value(); }
  /// Same as `value()` on a temporary result: a copy.
  [[nodiscard]] constexpr header operator*() && noexcept {
    if (!ok()) detail::trap();
    return header_;
  }
  /// Member access to `value()`.
  [[nodiscard]] constexpr const header* operator->() const noexcept { return &value(); }

 private:
  friend struct detail::parse_result_access;
  constexpr parse_result() noexcept = default;
  // The complete result of parse_v2's fast paths (a valid v2 header at `in`,
  // its TLVs, if any, validated): the header is initialised in place from
  // prvalues, each field written once, instead of being zeroed, filled, then
  // copied.
  template <detail::v2_addresses Kind>
  PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result(detail::v2_fast_path<Kind>, const std::byte* in,
                                                             std::size_t block, std::size_t length) noexcept
      : header_{version::v2,
                static_cast<proxy_protocol::command>(detail::u8(in[12]) & 0x0F),
                static_cast<address_family>(detail::v2_family_transport[detail::u8(in[13])] & 0xFF),
                static_cast<transport_protocol>(detail::v2_family_transport[detail::u8(in[13])] >> 8),
                detail::v2_endpoint<Kind>(in, 0),
                detail::v2_endpoint<Kind>(in, 1),
                detail::v2_unix_path<Kind>(in, 0),
                detail::v2_unix_path<Kind>(in, 1),
                {in + 16, block},
                {in + 16 + block, length - block},
                {in, 16 + length}},
        status_(parse_status::complete) {}
  // The same for a v2 header with TLVs: built in place, then its TLVs and
  // CRC32C are checked by one call that leaves nothing else live here.
  template <detail::v2_addresses Kind>
  PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result(detail::v2_tlvs_path<Kind>, const std::byte* in,
                                                             std::size_t block, std::size_t length,
                                                             const parse_options& options) noexcept
      : parse_result(detail::v2_fast_path<Kind>{}, in, block, length) {
    detail::check_v2_tlvs_or_redo(*this, options);
  }
  // The complete result of parse_v1's fast path: `source()` and
  // `destination()` are endpoint prvalues, so the header is built in place.
  template <class Source, class Destination>
  PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result(detail::v1_fast_path, address_family family, Source source,
                                                             Destination destination,
                                                             std::span<const std::byte> raw) noexcept
      : header_{version::v1,
                proxy_protocol::command::proxy,
                family,
                family == address_family::unspecified ? transport_protocol::unspecified : transport_protocol::stream,
                source(),
                destination(),
                {},
                {},
                {},
                {},
                raw},
        status_(parse_status::complete) {}
  header header_{};
  std::size_t needed_ = 0;
  parse_status status_ = parse_status::invalid;
  errc error_{};
};

namespace detail {
// How a parser ended, apart from the header it filled in.
struct parse_outcome {
  parse_status status = parse_status::invalid;
  errc error{};
  std::size_t needed = 0;
};
[[nodiscard]] constexpr parse_outcome complete_outcome() noexcept { return {parse_status::complete, errc{}, 0}; }
[[nodiscard]] constexpr parse_outcome need_more_outcome(std::size_t at_least) noexcept {
  return {parse_status::need_more, errc{}, at_least == 0 ? 1 : at_least};
}
[[nodiscard]] constexpr parse_outcome invalid_outcome(errc e) noexcept { return {parse_status::invalid, e, 0}; }

// The parsers write the header straight into the result they return (one
// object, so the compiler constructs it in the caller's memory) instead of
// building a header and copying it into a result.
struct parse_result_access {
  // Default-initialised (each member from its initializer), not value-initialised:
  // `parse_result{}` would first zero all of it, then initialise it again.
  [[nodiscard]] static constexpr parse_result blank() noexcept {
    parse_result r;
    return r;
  }
  [[nodiscard]] static constexpr header& value_of(parse_result& r) noexcept { return r.header_; }
  // Complete v1 results: IPv4 addresses packed first octet lowest, IPv6 as bytes.
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr parse_result complete_v1_inet(
      std::uint32_t source, std::uint32_t destination, std::uint16_t source_port, std::uint16_t destination_port,
      std::span<const std::byte> raw) noexcept {
    return parse_result(
        v1_fast_path{}, address_family::inet,
        [&] {
          return endpoint{ip_address_access::v4_packed(source), source_port};
        },
        [&] {
          return endpoint{ip_address_access::v4_packed(destination), destination_port};
        },
        raw);
  }
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr parse_result complete_v1_inet6(
      const std::array<std::uint8_t, 16>& source, const std::array<std::uint8_t, 16>& destination,
      std::uint16_t source_port, std::uint16_t destination_port, std::span<const std::byte> raw) noexcept {
    return parse_result(
        v1_fast_path{}, address_family::inet6,
        [&] {
          return endpoint{ip_address::v6(source), source_port};
        },
        [&] {
          return endpoint{ip_address::v6(destination), destination_port};
        },
        raw);
  }
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr parse_result complete_v1_unknown(
      std::span<const std::byte> raw) noexcept {
    // Not a constant to the front end (which cannot fold is_constant_evaluated
    // outside a constant evaluation): with both endpoints known to be zero,
    // GCC would clear the whole header as one block first, a `rep stos` that
    // is slow to start, instead of storing the fields.
    const auto none = [] {
      if (std::is_constant_evaluated()) return endpoint{};
      return endpoint{ip_address_access::unspecified(), 0};
    };
    return parse_result(v1_fast_path{}, address_family::unspecified, none, none, raw);
  }
  // A v2 result for the header at `in` with TLVs, checked after it is built.
  template <v2_addresses Kind>
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr parse_result complete_v2_with_tlvs(
      const std::byte* in, std::size_t block, std::size_t length, const parse_options& options) noexcept {
    return parse_result(v2_tlvs_path<Kind>{}, in, block, length, options);
  }
  // A complete v2 result for the valid header starting at `in`.
  template <v2_addresses Kind>
  [[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE static constexpr parse_result complete_v2(
      const std::byte* in, std::size_t block, std::size_t length) noexcept {
    return parse_result(v2_fast_path<Kind>{}, in, block, length);
  }
  static constexpr void finish(parse_result& r, const parse_outcome& o) noexcept {
    r.status_ = o.status;
    r.error_ = o.error;
    r.needed_ = o.needed;
    if (o.status != parse_status::complete) r.header_ = header{};  // no half-filled header, even unseen
  }
};
}  // namespace detail

// ---------------------------------------------------------------------------
// 3. CRC32C (Castagnoli, spec 2.2.3)
// ---------------------------------------------------------------------------

namespace detail {
inline constexpr std::uint32_t crc32c_polynomial = 0x82F63B78u;  // reflected 0x1EDC6F41

constexpr std::array<std::array<std::uint32_t, 256>, 8> make_crc32c_tables() noexcept {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) ? crc32c_polynomial : 0u);
    t[0][i] = c;
  }
  for (std::size_t i = 0; i < 256; ++i)
    for (std::size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  return t;
}
inline constexpr auto crc32c_tables = make_crc32c_tables();

// Portable slicing-by-8; usable in constant expressions. `state` is the
// running (pre-inverted) register.
constexpr std::uint32_t crc32c_update_portable(std::uint32_t state, const std::byte* p, std::size_t n) noexcept {
  const auto& t = crc32c_tables;
  while (n >= 8) {
    const std::uint32_t lo = state ^ (std::uint32_t{u8(p[0])} | (std::uint32_t{u8(p[1])} << 8) |
                                      (std::uint32_t{u8(p[2])} << 16) | (std::uint32_t{u8(p[3])} << 24));
    state = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][u8(p[4])] ^
            t[2][u8(p[5])] ^ t[1][u8(p[6])] ^ t[0][u8(p[7])];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) state = (state >> 8) ^ t[0][(state ^ u8(*p++)) & 0xFF];
  return state;
}

#if defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
// Eight 8-byte words per step (the instruction's latency bounds the speed,
// the loop overhead need not add to it), then the 0-63 bytes left in at most
// six steps of 32, 16, 8, 4, 2 and 1.
__attribute__((target("sse4.2"))) inline std::uint32_t crc32c_update_hardware(std::uint32_t state, const std::byte* p,
                                                                              std::size_t n) noexcept {
  std::uint64_t s = state;
  const auto word_at = [](const std::byte* q) {
    std::uint64_t word;
    std::memcpy(&word, q, 8);
    return word;
  };
  for (; n >= 64; p += 64, n -= 64) {
    s = _mm_crc32_u64(s, word_at(p));
    s = _mm_crc32_u64(s, word_at(p + 8));
    s = _mm_crc32_u64(s, word_at(p + 16));
    s = _mm_crc32_u64(s, word_at(p + 24));
    s = _mm_crc32_u64(s, word_at(p + 32));
    s = _mm_crc32_u64(s, word_at(p + 40));
    s = _mm_crc32_u64(s, word_at(p + 48));
    s = _mm_crc32_u64(s, word_at(p + 56));
  }
  if ((n & 63) == 0) return static_cast<std::uint32_t>(s);  // whole blocks, as header sizes often are
  if (n & 32) {
    s = _mm_crc32_u64(s, word_at(p));
    s = _mm_crc32_u64(s, word_at(p + 8));
    s = _mm_crc32_u64(s, word_at(p + 16));
    s = _mm_crc32_u64(s, word_at(p + 24));
    p += 32;
  }
  if (n & 16) {
    s = _mm_crc32_u64(s, word_at(p));
    s = _mm_crc32_u64(s, word_at(p + 8));
    p += 16;
  }
  if (n & 8) {
    s = _mm_crc32_u64(s, word_at(p));
    p += 8;
  }
  auto s32 = static_cast<std::uint32_t>(s);
  if (n & 4) {
    std::uint32_t word;
    std::memcpy(&word, p, 4);
    s32 = _mm_crc32_u32(s32, word);
    p += 4;
  }
  if (n & 2) {
    std::uint16_t word;
    std::memcpy(&word, p, 2);
    s32 = _mm_crc32_u16(s32, word);
    p += 2;
  }
  if (n & 1) s32 = _mm_crc32_u8(s32, u8(*p));
  return s32;
}
// The whole CRC of a v2 header whose 4-byte CRC value at `at` counts as zero.
__attribute__((target("sse4.2"))) inline std::uint32_t crc32c_zeroed_field_hardware(const std::byte* p, std::size_t n,
                                                                                    std::size_t at) noexcept {
  if (at + 4 == n) {
    // The CRC32C TLV is often the last one. The CRC register is linear in the
    // bytes, so the header as sent, in one pass with no ragged split at the
    // field, gives the zeroed-field CRC once the field's own contribution
    // (the field alone, from a zero register) is taken out.
    std::uint32_t field;
    std::memcpy(&field, p + at, 4);
    return ~(crc32c_update_hardware(0xFFFFFFFFu, p, n) ^ _mm_crc32_u32(0, field));
  }
  std::uint32_t s = crc32c_update_hardware(0xFFFFFFFFu, p, at);
  s = _mm_crc32_u32(s, 0);
  return ~crc32c_update_hardware(s, p + at + 4, n - at - 4);
}
// x^e mod P in the bit order PCLMULQDQ multiplies the CRC's reflected
// polynomials in: coefficient of x^i at bit 63 - i, so that the 95-bit
// product of two such operands lands one bit low, which callers absorb by
// asking for x^(e-1).
constexpr std::uint64_t crc32c_power_of_x(unsigned e) noexcept {
  std::uint32_t r = 1;  // normal bit order, P = x^32 + 0x1EDC6F41
  for (unsigned i = 0; i < e; ++i) r = (r << 1) ^ ((r & 0x80000000u) ? 0x1EDC6F41u : 0u);
  std::uint64_t reflected = 0;
  for (unsigned i = 0; i < 32; ++i)
    if ((r >> i) & 1u) reflected |= std::uint64_t{1} << (63 - i);
  return reflected;
}
// Multipliers carrying a 16-byte block 16 bytes further along the message:
// its first 8 bytes are the high coefficients (x^(128+64)), the next 8 the low ones (x^128).
inline constexpr std::uint64_t crc32c_fold_16_first = crc32c_power_of_x(8 * 16 + 63);
inline constexpr std::uint64_t crc32c_fold_16_second = crc32c_power_of_x(8 * 16 - 1);
// The CRC register value that 16 zero bytes carry to 0xFFFFFFFF: each bit
// step of the reflected register undone (a step sets the top bit exactly
// when it added the polynomial, so the step is known from its result).
inline constexpr std::uint32_t crc32c_complement_16_bytes_early = [] {
  std::uint32_t r = 0xFFFFFFFFu;
  for (int i = 0; i < 128; ++i) r = (r & 0x80000000u) ? ((r ^ crc32c_polynomial) << 1) | 1u : r << 1;
  return r;
}();
// 16 bytes of ones, 4 of zeros, 16 of ones: a 16-byte window of it masks out
// the CRC32C field wherever it lies in the last block.
inline constexpr unsigned char crc32c_field_mask_window[36] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0,   0,
    0,   0,   255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255};

// The zeroed-field CRC with the field in the last 16 bytes (at + 16 >= n):
// the n % 16 leading bytes by the CRC instruction, then each 16-byte block
// carried to the next by carry-less multiplication (which, unlike the CRC
// instruction, runs alongside the TLV checks), the field masked out of the
// last block, and that block's CRC by two CRC instructions. Under 32 bytes
// (a header without addresses whose only TLV is the CRC32C takes 23) the
// instruction does it all.
__attribute__((target("sse4.2,pclmul,avx,movbe"))) inline __m128i crc32c_carry(__m128i x, __m128i k,
                                                                               const std::byte* b) noexcept {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
}
[[gnu::always_inline]] __attribute__((target("sse4.2,pclmul,avx,movbe"))) inline std::uint32_t
crc32c_zeroed_field_folding(const std::byte* p, std::size_t n, std::size_t at) noexcept {
  const auto block_at = [](const std::byte* q) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q)); };
  __m128i sum;
  if (n & 15) [[unlikely]] {
    // Under 32 bytes the first block would reach into the last (or past the end).
    if (n < 32) return crc32c_zeroed_field_hardware(p, n, at);
    const std::size_t head = n & 15;
    const std::uint32_t s = crc32c_update_hardware(0xFFFFFFFFu, p, head);
    sum = _mm_xor_si128(block_at(p + head), _mm_cvtsi32_si128(static_cast<int>(s)));
  } else {  // a header's length is often a multiple of 16
    sum = _mm_xor_si128(block_at(p), _mm_set_epi32(0, 0, 0, -1));
  }
  const std::byte* const last = p + n - 16;
  const __m128i multipliers =
      _mm_set_epi64x(static_cast<long long>(crc32c_fold_16_second), static_cast<long long>(crc32c_fold_16_first));
  // The blocks between the first and the last: eight per loop step while
  // more than eight are left, then straight-line code entered at the depth
  // that carries the rest (no loop counter for headers under 176 bytes).
  std::size_t middle = (n - 32) >> 4;
  if (middle > 8) [[unlikely]] {
    if (n < 32) return crc32c_zeroed_field_hardware(p, n, at);  // 16 bytes: one block, first and last
    for (; middle > 8; middle -= 8)
      for (std::size_t b = middle; b != middle - 8; --b) sum = crc32c_carry(sum, multipliers, last - 16 * b);
  }
  // clang-format off
  switch (middle) {
    case 8: sum = crc32c_carry(sum, multipliers, last - 128); [[fallthrough]];
    case 7: sum = crc32c_carry(sum, multipliers, last - 112); [[fallthrough]];
    case 6: sum = crc32c_carry(sum, multipliers, last - 96); [[fallthrough]];
    case 5: sum = crc32c_carry(sum, multipliers, last - 80); [[fallthrough]];
    case 4: sum = crc32c_carry(sum, multipliers, last - 64); [[fallthrough]];
    case 3: sum = crc32c_carry(sum, multipliers, last - 48); [[fallthrough]];
    case 2: sum = crc32c_carry(sum, multipliers, last - 32); [[fallthrough]];
    case 1: sum = crc32c_carry(sum, multipliers, last - 16); [[fallthrough]];
    default: break;
  }
  // clang-format on
  const __m128i mask =
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(crc32c_field_mask_window + 16 - (at - (n - 16))));
  sum = _mm_xor_si128(
      _mm_xor_si128(_mm_clmulepi64_si128(sum, multipliers, 0x00), _mm_clmulepi64_si128(sum, multipliers, 0x11)),
      _mm_and_si128(block_at(last), mask));
  // The final complement rides in the register: it starts at the value that
  // 16 more bytes turn into all ones.
  std::uint64_t r = _mm_crc32_u64(crc32c_complement_16_bytes_early, static_cast<std::uint64_t>(_mm_cvtsi128_si64(sum)));
  r = _mm_crc32_u64(r, static_cast<std::uint64_t>(_mm_extract_epi64(sum, 1)));
  return static_cast<std::uint32_t>(r);
}
inline bool has_hardware_crc32c() noexcept {
#if defined(__SSE4_2__)
  return true;
#else
  return __builtin_cpu_supports("sse4.2");
#endif
}
// Folding takes PCLMULQDQ in the AVX encoding (three operands, unaligned
// memory operands: fewer instructions per block), SSE4.2 for the last
// block, and MOVBE for the TLV lengths the same function reads.
#if defined(__SSE4_2__) && defined(__PCLMUL__) && defined(__AVX__) && defined(__MOVBE__)
inline bool has_crc32c_folding() noexcept { return true; }
#else
// CPUID leaf 1 and XGETBV (the operating system saves the AVX registers),
// read once before main: a bool to test per parse instead of four features.
// (A parse that runs before, from another static initialiser, finds false
// and takes the CRC instruction: the same verdict.)
inline bool detect_crc32c_folding() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  constexpr unsigned pclmulqdq = 1u << 1, sse4_2 = 1u << 20, movbe = 1u << 22, osxsave = 1u << 27, avx = 1u << 28;
  constexpr unsigned wanted = pclmulqdq | sse4_2 | movbe | osxsave | avx;
  if ((ecx & wanted) != wanted) return false;
  unsigned xcr0 = 0, xcr0_high = 0;
  __asm__("xgetbv" : "=a"(xcr0), "=d"(xcr0_high) : "c"(0));
  return (xcr0 & 6u) == 6u;  // SSE and AVX state
}
inline const bool cpu_has_crc32c_folding = detect_crc32c_folding();
inline bool has_crc32c_folding() noexcept { return cpu_has_crc32c_folding; }
#endif
// The parser's check of a received header: folding when the field is in the
// last block (CRC32C is usually the last TLV), the CRC instruction otherwise.
__attribute__((target("sse4.2,pclmul,avx,movbe"))) inline std::uint32_t crc32c_zeroed_field_received(
    const std::byte* p, std::size_t n, std::size_t at) noexcept {
  if (at + 16 >= n) return crc32c_zeroed_field_folding(p, n, at);
  return crc32c_zeroed_field_hardware(p, n, at);
}
#elif defined(PROXY_PROTOCOL_DETAIL_ARM_CRC)
inline std::uint32_t crc32c_update_hardware(std::uint32_t state, const std::byte* p, std::size_t n) noexcept {
  const auto word_at = [](const std::byte* q) {
    std::uint64_t word;
    std::memcpy(&word, q, 8);
    return word;
  };
  for (; n >= 32; p += 32, n -= 32) {
    state = __crc32cd(state, word_at(p));
    state = __crc32cd(state, word_at(p + 8));
    state = __crc32cd(state, word_at(p + 16));
    state = __crc32cd(state, word_at(p + 24));
  }
  if (n & 16) {
    state = __crc32cd(state, word_at(p));
    state = __crc32cd(state, word_at(p + 8));
    p += 16;
  }
  if (n & 8) {
    state = __crc32cd(state, word_at(p));
    p += 8;
  }
  if (n & 4) {
    std::uint32_t word;
    std::memcpy(&word, p, 4);
    state = __crc32cw(state, word);
    p += 4;
  }
  if (n & 2) {
    std::uint16_t word;
    std::memcpy(&word, p, 2);
    state = __crc32ch(state, word);
    p += 2;
  }
  if (n & 1) state = __crc32cb(state, u8(*p));
  return state;
}
inline std::uint32_t crc32c_zeroed_field_hardware(const std::byte* p, std::size_t n, std::size_t at) noexcept {
  std::uint32_t s = crc32c_update_hardware(0xFFFFFFFFu, p, at);
  s = __crc32cw(s, 0);
  if (at + 4 == n) return ~s;  // the CRC32C TLV is often the last one
  return ~crc32c_update_hardware(s, p + at + 4, n - at - 4);
}
inline std::uint32_t crc32c_zeroed_field_received(const std::byte* p, std::size_t n, std::size_t at) noexcept {
  return crc32c_zeroed_field_hardware(p, n, at);
}
inline bool has_hardware_crc32c() noexcept { return true; }
inline bool has_crc32c_folding() noexcept { return false; }
#else
inline std::uint32_t crc32c_update_hardware(std::uint32_t state, const std::byte* p, std::size_t n) noexcept {
  return crc32c_update_portable(state, p, n);
}
inline std::uint32_t crc32c_zeroed_field_hardware(const std::byte* p, std::size_t n, std::size_t at) noexcept {
  constexpr std::byte zeros[4]{};
  std::uint32_t s = crc32c_update_portable(0xFFFFFFFFu, p, at);
  s = crc32c_update_portable(s, zeros, 4);
  return ~crc32c_update_portable(s, p + at + 4, n - at - 4);
}
inline std::uint32_t crc32c_zeroed_field_received(const std::byte* p, std::size_t n, std::size_t at) noexcept {
  return crc32c_zeroed_field_hardware(p, n, at);
}
inline bool has_hardware_crc32c() noexcept { return false; }
inline bool has_crc32c_folding() noexcept { return false; }
#endif

// The hardware paths load words little-endian; on a big-endian ARM they
// would differ, so only little-endian targets take them. CRC_TARGET marks
// code compiled for CPUs with the CRC32C instructions (SSE4.2 on x86-64,
// where they are chosen at run time; ARMv8 has them at compile time).
#if (defined(PROXY_PROTOCOL_DETAIL_X86_CRC) || defined(PROXY_PROTOCOL_DETAIL_ARM_CRC)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PROXY_PROTOCOL_DETAIL_HARDWARE_CRC 1
#endif
#if defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
#define PROXY_PROTOCOL_DETAIL_CRC_TARGET __attribute__((target("sse4.2")))
#define PROXY_PROTOCOL_DETAIL_FOLDING_TARGET __attribute__((target("sse4.2,pclmul,avx,movbe")))
#else
#define PROXY_PROTOCOL_DETAIL_CRC_TARGET
#endif

constexpr std::uint32_t crc32c_update(std::uint32_t state, const std::byte* p, std::size_t n) noexcept {
  if (std::is_constant_evaluated()) return crc32c_update_portable(state, p, n);
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
  if (has_hardware_crc32c()) return crc32c_update_hardware(state, p, n);
#endif
  return crc32c_update_portable(state, p, n);
}

// CRC32C of `header` with the 4 bytes at `value_offset` taken as zero, without
// copying (one hardware dispatch for the three parts).
constexpr std::uint32_t crc32c_with_zeroed_field(std::span<const std::byte> header, std::size_t value_offset) noexcept {
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
  if (!std::is_constant_evaluated() && has_hardware_crc32c())
    return crc32c_zeroed_field_hardware(header.data(), header.size(), value_offset);
#endif
  constexpr std::byte zeros[4]{};
  std::uint32_t s = 0xFFFFFFFFu;
  s = crc32c_update(s, header.data(), value_offset);
  s = crc32c_update(s, zeros, 4);
  s = crc32c_update(s, header.data() + value_offset + 4, header.size() - value_offset - 4);
  return ~s;
}
}  // namespace detail

/// CRC32C (Castagnoli; reflected polynomial 0x82F63B78, initial and final XOR
/// 0xFFFFFFFF) of `data`, continuing from `previous` so that
/// `crc32c(b, crc32c(a)) == crc32c(a + b)`. Uses SSE4.2 or ARMv8 CRC
/// instructions when the CPU has them, a table otherwise, and the table in
/// constant expressions. `crc32c("123456789") == 0xE3069283`. Throws nothing.
[[nodiscard]] constexpr std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t previous = 0) noexcept {
  return ~detail::crc32c_update(~previous, data.data(), data.size());
}

// ---------------------------------------------------------------------------
// 4. Detection and the version 1 parser (spec 2.1)
// ---------------------------------------------------------------------------

namespace detail {
// The signature as one 8-byte and one 4-byte little-endian word.
inline constexpr std::uint64_t v2_signature_low = [] {
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < 8; ++i) word |= std::uint64_t{v2_signature[i]} << (8 * i);
  return word;
}();
inline constexpr std::uint32_t v2_signature_high = [] {
  std::uint32_t word = 0;
  for (std::size_t i = 0; i < 4; ++i) word |= std::uint32_t{v2_signature[8 + i]} << (8 * i);
  return word;
}();
inline constexpr std::uint32_t v1_proxy_word = 0x584F'5250u;  // "PROX", little-endian
}  // namespace detail

/// What the first bytes of a connection are.
enum class detection : std::uint8_t {
  need_more,  ///< a prefix of both signatures so far (or empty): read more
  v1,         ///< starts with `PROXY` (spec 2.1)
  v2,         ///< starts with the 12-byte v2 signature (spec 2.2)
  not_proxy,  ///< contradicts both signatures: drop the connection, never guess
};

/// Classifies the start of `input`, answering `not_proxy` at the first byte
/// that contradicts both signatures (so at most 12 bytes are looked at). The
/// version nibble is checked by `parse_v2`, which reports `v2_bad_version`.
/// `parse()` fails with `not_proxy_header` exactly when this says `not_proxy`.
/// Throws nothing.
[[nodiscard]] constexpr detection detect(std::span<const std::byte> input) noexcept {
  // Whole signatures in one or two loads when enough bytes are in.
  if (input.size() >= 12 && detail::load_le64(input.data()) == detail::v2_signature_low &&
      detail::load_le32(input.data() + 8) == detail::v2_signature_high)
    return detection::v2;
  if (input.size() >= 5 && detail::load_le32(input.data()) == detail::v1_proxy_word && detail::u8(input[4]) == 'Y')
    return detection::v1;
  if (input.empty()) return detection::need_more;
  if (detail::u8(input[0]) == 'P') {
    constexpr char proxy[] = "PROXY";
    const std::size_t n = std::min<std::size_t>(input.size(), 5);
    for (std::size_t i = 1; i < n; ++i)
      if (detail::u8(input[i]) != static_cast<std::uint8_t>(proxy[i])) return detection::not_proxy;
    return n == 5 ? detection::v1 : detection::need_more;
  }
  if (detail::u8(input[0]) == v2_signature[0]) {
    const std::size_t n = std::min<std::size_t>(input.size(), 12);
    for (std::size_t i = 1; i < n; ++i)
      if (detail::u8(input[i]) != v2_signature[i]) return detection::not_proxy;
    return n == 12 ? detection::v2 : detection::need_more;
  }
  return detection::not_proxy;
}

namespace detail {
inline constexpr std::uint8_t cr = 0x0D;
inline constexpr std::uint8_t lf = 0x0A;

// Rejects a v1 prefix that has no line end yet when its protocol token can
// no longer become "TCP4 ", "TCP6 " or "UNKNOWN", so garbage fails early.
constexpr bool v1_prefix_plausible(std::span<const std::byte> in) noexcept {
  constexpr std::string_view candidates[] = {"PROXY TCP4 ", "PROXY TCP6 ", "PROXY UNKNOWN "};
  for (const auto c : candidates) {
    const std::size_t n = std::min(in.size(), c.size());
    bool match = true;
    for (std::size_t i = 0; i < n && match; ++i) match = u8(in[i]) == static_cast<std::uint8_t>(c[i]);
    if (match) return true;
  }
  return false;
}

// Error for a v1 prefix without a line end whose token is implausible: the
// same code the complete line would get.
constexpr errc v1_prefix_error(std::span<const std::byte> in) noexcept {
  if (u8(in[5]) != ' ') return errc::v1_bad_separator;
  return errc::v1_bad_protocol;
}

// Decimal port 0-65535 without leading zeros over [p, end).
constexpr bool parse_port(const std::byte* p, const std::byte* end, std::uint16_t& port) noexcept {
  const auto n = end - p;
  if (n < 1 || n > 5) return false;
  if (n > 1 && u8(*p) == '0') return false;
  std::uint32_t v = 0;
  for (; p != end; ++p) {
    const std::uint8_t c = u8(*p);
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

constexpr const std::byte* find_space(const std::byte* p, const std::byte* end) noexcept {
  while (p != end && u8(*p) != ' ') ++p;
  return p;
}
}  // namespace detail

namespace detail {
// The complete v1 parser: prefixes, faults and every accepted form. The fast
// path below takes the common lines and leaves the rest to this.
[[gnu::noinline]] constexpr parse_result parse_v1_general(std::span<const std::byte> input,
                                                          const parse_options& options) noexcept {
  constexpr char proxy[] = "PROXY";
  const std::size_t n = input.size();
  for (std::size_t i = 0; i < 5 && i < n; ++i)
    if (u8(input[i]) != static_cast<std::uint8_t>(proxy[i])) return parse_result::invalid(errc::not_proxy_header);

  // Find the line end (the first CR or LF) within the first 107 bytes.
  const std::size_t window = std::min(n, v1_max_size);
  std::size_t cr_at = window;
  bool lone_lf = false;
  for (std::size_t i = 0; i < window; ++i) {
    const std::uint8_t c = u8(input[i]);
    if (c == cr || c == lf) {
      cr_at = i;
      lone_lf = c == lf;
      break;
    }
  }
  // A protocol token that can no longer become valid is reported before
  // anything about the line end, so that the code does not depend on how much
  // of the line has arrived (a prefix without its line end gets this code too).
  if (cr_at > 5 && !v1_prefix_plausible(input.first(cr_at))) return parse_result::invalid(v1_prefix_error(input));
  if (lone_lf) return parse_result::invalid(errc::v1_bad_line_ending);
  if (cr_at == window) {
    if (n >= v1_max_size) return parse_result::invalid(errc::v1_line_too_long);
    return parse_result::need_more(n < v1_min_size ? v1_min_size - n : 1);
  }
  if (cr_at + 2 > v1_max_size) return parse_result::invalid(errc::v1_line_too_long);
  if (cr_at + 1 == n) return parse_result::need_more(1);
  if (u8(input[cr_at + 1]) != lf) return parse_result::invalid(errc::v1_bad_line_ending);

  const std::byte* const line = input.data();
  const std::byte* const end = line + cr_at;  // CR
  header h;
  h.version = version::v1;
  h.command = command::proxy;
  h.raw = input.first(cr_at + 2);
  if (cr_at == 5) return parse_result::invalid(errc::v1_missing_field);
  if (u8(line[5]) != ' ') return parse_result::invalid(errc::v1_bad_separator);

  const std::byte* p = line + 6;
  const std::byte* token_end = find_space(p, end);
  const auto token = std::string_view{"TCP4TCP6UNKNOWN"};
  auto token_is = [&](std::size_t offset, std::size_t length) {
    if (static_cast<std::size_t>(token_end - p) != length) return false;
    for (std::size_t i = 0; i < length; ++i)
      if (u8(p[i]) != static_cast<std::uint8_t>(token[offset + i])) return false;
    return true;
  };
  bool six = false;
  if (token_is(0, 4)) {
    h.family = address_family::inet;
  } else if (token_is(4, 4)) {
    h.family = address_family::inet6;
    six = true;
  } else if (token_is(8, 7)) {
    // Everything up to the CRLF is ignored (spec 2.1); the line is bounded above.
    h.family = address_family::unspecified;
    h.transport = transport_protocol::unspecified;
    return parse_result::complete(h);
  } else {
    return parse_result::invalid(errc::v1_bad_protocol);
  }
  h.transport = transport_protocol::stream;
  p = token_end;

  // Moves `p` past one SP to the start of the next non-empty field, whose end
  // is returned in `field_end`.
  const std::byte* field_end = nullptr;
  auto next_field = [&]() -> errc {
    if (p == end) return errc::v1_missing_field;
    ++p;  // the SP
    if (p == end) return errc::v1_missing_field;
    if (u8(*p) == ' ') return errc::v1_bad_separator;
    field_end = find_space(p, end);
    return errc{};
  };
  auto read_address = [&](endpoint& e) -> errc {
    if (const errc err = next_field(); err != errc{}) return err;
    std::array<std::uint8_t, 16> b{};
    if (six) {
      if (parse_ipv6(p, field_end, b.data())) {
        e.address = ip_address::v6(b);
      } else if (parse_ipv4(p, field_end, b.data())) {
        if (!options.v1_accept_ipv4_in_tcp6) return errc::v1_address_family_mismatch;
        e.address = ip_address::v4({b[0], b[1], b[2], b[3]});
      } else {
        return errc::v1_bad_address;
      }
    } else {
      if (parse_ipv4(p, field_end, b.data())) {
        e.address = ip_address::v4({b[0], b[1], b[2], b[3]});
      } else if (parse_ipv6(p, field_end, b.data())) {
        return errc::v1_address_family_mismatch;
      } else {
        return errc::v1_bad_address;
      }
    }
    p = field_end;
    return errc{};
  };
  auto read_port = [&](endpoint& e) -> errc {
    if (const errc err = next_field(); err != errc{}) return err;
    if (!parse_port(p, field_end, e.port)) return errc::v1_bad_port;
    p = field_end;
    return errc{};
  };
  if (const errc err = read_address(h.source); err != errc{}) return parse_result::invalid(err);
  if (const errc err = read_address(h.destination); err != errc{}) return parse_result::invalid(err);
  if (const errc err = read_port(h.source); err != errc{}) return parse_result::invalid(err);
  if (const errc err = read_port(h.destination); err != errc{}) return parse_result::invalid(err);
  if (p != end) return parse_result::invalid(errc::v1_trailing_data);
  return parse_result::complete(h);
}

// Index of the first CR or LF in in[0, window), or `window`: 16 bytes per
// step with SSE2, 8 with a word-at-a-time test elsewhere, never reading past
// `window`.
[[nodiscard]] constexpr std::uint64_t cr_or_lf_bytes(std::uint64_t word) noexcept {
  // The high bit of each byte equal to CR or LF (the lowest one is exact: the
  // zero-byte test can only report false positives above a true match).
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  const std::uint64_t x = word ^ (ones * cr), y = word ^ (ones * lf);
  return (((x - ones) & ~x) | ((y - ones) & ~y)) & highs;
}
[[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr std::size_t find_line_end(const std::byte* in,
                                                                                      std::size_t window) noexcept {
  std::size_t i = 0;
  if (!std::is_constant_evaluated()) {
#if defined(PROXY_PROTOCOL_DETAIL_SSE2)
    const __m128i crs = _mm_set1_epi8(static_cast<char>(cr)), lfs = _mm_set1_epi8(static_cast<char>(lf));
    auto mask_at = [&](std::size_t at) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + at));
      return static_cast<unsigned>(
          _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, crs), _mm_cmpeq_epi8(chunk, lfs))));
    };
    for (; i + 16 <= window; i += 16)
      if (const unsigned mask = mask_at(i)) return i + static_cast<std::size_t>(std::countr_zero(mask));
    if (i == window) return window;
    if (window >= 16) {  // the last 16 bytes again, without the ones already seen
      const unsigned mask = mask_at(window - 16) >> (16 - (window - i));
      return mask ? i + static_cast<std::size_t>(std::countr_zero(mask)) : window;
    }
#endif
    for (; i + 8 <= window; i += 8)
      if (const std::uint64_t bits = cr_or_lf_bytes(load_le64(in + i)))
        return i + static_cast<std::size_t>(std::countr_zero(bits)) / 8;
    if (i != window && window >= 8) {
      const std::uint64_t bits = cr_or_lf_bytes(load_le64(in + window - 8)) >> (8 * (8 - (window - i)));
      return bits ? i + static_cast<std::size_t>(std::countr_zero(bits)) / 8 : window;
    }
  }
  for (; i < window; ++i)
    if (u8(in[i]) == cr || u8(in[i]) == lf) return i;
  return window;
}

// Value of each byte as a hex digit, 0xFF for any other byte.
inline constexpr auto hex_digit_values = [] {
  std::array<std::uint8_t, 256> values{};
  for (std::size_t c = 0; c != values.size(); ++c) {  // != : see v2_family_transport
    const int v = hex_value(static_cast<std::uint8_t>(c));
    values[c] = v < 0 ? 0xFF : static_cast<std::uint8_t>(v);
  }
  return values;
}();

// An optimisation barrier: `value` is computed here, not later. The v1 fast
// path uses its addresses only once the whole line is scanned; GCC would
// otherwise move their packing there and keep the eight octets in registers
// through the rest of the scan, spilling others.
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr void keep_in_register([[maybe_unused]] std::uint32_t& value) noexcept {
#if defined(__GNUC__)
  if (!std::is_constant_evaluated()) asm("" : "+r"(value));
#endif
}

// The scanners of the v1 fast path. They rely on a byte outside every
// field's alphabet (v1_field_bytes), in the span at or after each position
// they are called with, as a sentinel (the line's CR, or any later such
// byte): each stops at the first byte outside its field's alphabet, so none
// reads past the sentinel. On success `p` is left on the byte after the
// field, which must be `terminator`. They accept a subset of what the
// reference functions (parse_ipv4, parse_ipv6, parse_port) accept, with the
// same results; anything else goes to those.
constexpr bool scan_ipv4(const std::byte*& cursor, std::uint32_t& packed, std::uint8_t terminator) noexcept {
  const std::byte* p = cursor;  // a local: the compiler keeps it in a register
  std::uint32_t octets = 0;
#if defined(__GNUC__)
#pragma GCC unroll 4  // the separator and the shift become constants
#endif
  for (int octet = 0; octet < 4; ++octet) {
    // One ending per length, each testing its separator at a constant offset
    // (rather than a digit count the three share), on the byte's value less
    // '0', already in a register.
    const unsigned separator = static_cast<unsigned>(octet == 3 ? terminator : '.') - '0';
    // A leading zero shows as a value below 10 (two digits) or 100 (three).
    unsigned value = static_cast<unsigned>(u8(p[0])) - '0';
    if (value > 9) return false;
    const unsigned second = static_cast<unsigned>(u8(p[1])) - '0';
    if (second > 9) {
      if (second != separator) return false;
      p += 2;
    } else {
      value = value * 10 + second;
      const unsigned third = static_cast<unsigned>(u8(p[2])) - '0';
      if (third > 9) {
        if (value < 10 || third != separator) return false;
        p += 3;
      } else {
        value = value * 10 + third;
        if (value - 100 > 255 - 100 || u8(p[3]) != separator + '0') return false;
        p += 4;
      }
    }
    octets |= value << (8 * octet);
  }
  keep_in_register(octets);
  packed = octets;
  cursor = p - 1;  // on the terminator
  return true;
}

// Groups of 1-4 hex digits with at most one "::"; a dotted IPv4 tail is left
// to parse_ipv6.
// The full 39-character form ("2001:0db8:...:7334", the spec's longest
// line) in one pass with one validity test: `p` has at least 40 readable
// bytes (which may go past the line's CR: the test then fails).
#if defined(PROXY_PROTOCOL_DETAIL_SSE2)
// scan_ipv6_full with SSE2, 16 characters per step. Three overlapping
// chunks, at 0, 15 and 23, hold every digit pair of the 16 bytes without a
// pair split between chunks; the first two have their ':' at 4, 9 and 14,
// the last at 1, 6 and 11.
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE bool scan_ipv6_full_sse2(const std::byte* p, std::array<std::uint8_t, 16>& out,
                                                             std::uint8_t terminator) noexcept {
  // A byte is in [low, low + count) when, moved by 0x80 - low (wrapping),
  // it is below -128 + count as a signed byte: one add and one compare.
  const __m128i to_digits = _mm_set1_epi8(static_cast<char>(0x80 - '0')), digits_end = _mm_set1_epi8(-128 + 10);
  const __m128i to_letters = _mm_set1_epi8(static_cast<char>(0x80 - 'a')), letters_end = _mm_set1_epi8(-128 + 6);
  const __m128i case_bit = _mm_set1_epi8(0x20), colon = _mm_set1_epi8(':'), low_nibble = _mm_set1_epi8(0x0F);
  const __m128i nine = _mm_set1_epi8(9), low_bytes = _mm_set1_epi16(0x00FF);
  bool valid = u8(p[39]) == terminator;
  // For one chunk: every byte a hex digit or, where expected, ':'; then the
  // pair values (digit << 4 | next digit) at its even offsets and at its odd
  // offsets, as the bytes of two words.
  struct pairs {
    std::uint64_t even, odd;
  };
  const auto chunk_pairs = [&](std::size_t offset, int colons) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset));
    const __m128i digit = _mm_cmpgt_epi8(digits_end, _mm_add_epi8(x, to_digits));
    const __m128i letter = _mm_cmpgt_epi8(letters_end, _mm_add_epi8(_mm_or_si128(x, case_bit), to_letters));
    valid &= _mm_movemask_epi8(_mm_or_si128(digit, letter)) == (0xFFFF ^ colons) &&
             _mm_movemask_epi8(_mm_cmpeq_epi8(x, colon)) == colons;
    // Values 0-15 (a ':' gives 10), so shifting 16-bit lanes by 4 moves no bit across a byte.
    const __m128i values = _mm_add_epi8(_mm_and_si128(x, low_nibble), _mm_and_si128(letter, nine));
    const __m128i pair = _mm_or_si128(_mm_slli_epi16(values, 4), _mm_srli_si128(values, 1));
    const __m128i even = _mm_and_si128(pair, low_bytes), odd = _mm_srli_epi16(pair, 8);
    return pairs{static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(even, even))),
                 static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(odd, odd)))};
  };
  // Pairs at chunk offsets 0, 2, 5, 7, 10, 12 (first two chunks) and 7, 9, 12, 14 (last):
  // pair k of a word is at offset 2k (even word) or 2k + 1 (odd word).
  const pairs first = chunk_pairs(0, 0x4210), second = chunk_pairs(15, 0x4210), third = chunk_pairs(23, 0x0842);
  const auto six = [](pairs x) {
    return (x.even & 0xFFFFu) | (x.odd & 0xFFFF'0000u) | ((x.even >> 8) & 0xFFFF'0000'0000u);
  };
  const std::uint64_t head = six(first), middle = six(second);
  const auto tail = static_cast<std::uint32_t>(((third.odd >> 24) & 0xFFFFu) | ((third.even >> 32) & 0xFFFF'0000u));
  // Little-endian stores (SSE2 means x86): bytes 0-7, 6-13 (the first two
  // bytes of the second rewrite the last two of the first), then 12-15.
  std::memcpy(out.data(), &head, 8);
  std::memcpy(out.data() + 6, &middle, 8);
  std::memcpy(out.data() + 12, &tail, 4);
  return valid;
}
#endif

PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr bool scan_ipv6_full(const std::byte* p, std::array<std::uint8_t, 16>& out,
                                                                  std::uint8_t terminator) noexcept {
#if defined(PROXY_PROTOCOL_DETAIL_SSE2)
  if (!std::is_constant_evaluated()) return scan_ipv6_full_sse2(p, out, terminator);
#endif
  unsigned digits = 0, separators = 0;
  for (std::size_t group = 0; group < 8; ++group) {
    const std::byte* q = p + 5 * group;
    const unsigned a = hex_digit_values[u8(q[0])], b = hex_digit_values[u8(q[1])];
    const unsigned c = hex_digit_values[u8(q[2])], d = hex_digit_values[u8(q[3])];
    digits |= a | b | c | d;  // above 15 when any is not a hex digit
    const unsigned value = a << 12 | b << 8 | c << 4 | d;
    out[2 * group] = static_cast<std::uint8_t>(value >> 8);
    out[2 * group + 1] = static_cast<std::uint8_t>(value);
    if (group != 7) separators |= u8(q[4]) ^ ':';
  }
  return digits <= 15 && separators == 0 && u8(p[39]) == terminator;
}

// Every other form of scan_ipv6, out of line.
[[gnu::noinline]] constexpr bool scan_ipv6_general(const std::byte*& cursor, std::array<std::uint8_t, 16>& out,
                                                   std::uint8_t terminator) noexcept {
  const std::byte* p = cursor;  // a local: the compiler keeps it in a register
  // Each group is stored at its place as it is read; a "::" moves the groups
  // after it to the end afterwards.
  int count = 0, gap = -1;
  if (u8(p[0]) == ':') {
    if (u8(p[1]) != ':') return false;
    gap = 0;
    p += 2;
  }
  if (gap != 0 || u8(*p) != terminator) {
    for (;;) {
      // 1-4 hex digits, unrolled: each digit is read only after the one before it was a digit.
      unsigned value = hex_digit_values[u8(p[0])];
      if (value > 15) return false;
      const unsigned second = hex_digit_values[u8(p[1])];
      if (second > 15) {
        p += 1;
      } else {
        value = value << 4 | second;
        const unsigned third = hex_digit_values[u8(p[2])];
        if (third > 15) {
          p += 2;
        } else {
          value = value << 4 | third;
          const unsigned fourth = hex_digit_values[u8(p[3])];
          if (fourth > 15) {
            p += 3;
          } else {
            value = value << 4 | fourth;
            p += 4;
          }
        }
      }
      if (count == 8) return false;
      out[2 * static_cast<std::size_t>(count)] = static_cast<std::uint8_t>(value >> 8);
      out[2 * static_cast<std::size_t>(count) + 1] = static_cast<std::uint8_t>(value);
      ++count;
      const std::uint8_t c = u8(*p);
      if (c == terminator) break;
      if (c != ':') return false;  // a fifth digit, a dotted tail, anything else
      ++p;
      if (u8(*p) == ':') {
        if (gap >= 0) return false;
        gap = count;
        ++p;
        if (u8(*p) == terminator) break;
      }
    }
  }
  cursor = p;
  if (gap < 0) return count == 8;
  if (count > 7) return false;  // "::" must stand for at least one group
  // Group i is out[i] before the "::", out[i - skipped] after it, zero inside
  // it; from the end, so nothing is overwritten before it is moved.
  const int skipped = 8 - count;
  for (int i = 7; i >= gap; --i) {
    const bool moved = i >= gap + skipped;
    const std::size_t from = 2 * static_cast<std::size_t>(moved ? i - skipped : 0);
    const std::size_t to = 2 * static_cast<std::size_t>(i);
    out[to] = moved ? out[from] : std::uint8_t{0};
    out[to + 1] = moved ? out[from + 1] : std::uint8_t{0};
  }
  return true;
}

PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr bool scan_ipv6(const std::byte*& cursor, const std::byte* span_end,
                                                             std::array<std::uint8_t, 16>& out,
                                                             std::uint8_t terminator) noexcept {
  if (span_end - cursor >= 40 && scan_ipv6_full(cursor, out, terminator)) {
    cursor += 39;
    return true;
  }
  return scan_ipv6_general(cursor, out, terminator);
}

constexpr bool scan_port(const std::byte*& cursor, std::uint16_t& port, std::uint8_t terminator) noexcept {
  const std::byte* p = cursor;  // a local: the compiler keeps it in a register
  unsigned value = static_cast<unsigned>(u8(p[0])) - '0';
  if (value > 9) return false;
  std::size_t digits = 1;
  if (value != 0) {  // "0" alone; a leading zero fails on the terminator test
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (; digits < 5; ++digits) {
      const unsigned next = static_cast<unsigned>(u8(p[digits])) - '0';
      if (next > 9) break;
      value = value * 10 + next;
    }
    if (value > 65535) return false;
  }
  p += digits;
  if (u8(*p) != terminator) return false;
  port = static_cast<std::uint16_t>(value);
  cursor = p;
  return true;
}

// "PROXY " and the protocol tokens as little-endian words.
inline constexpr std::uint64_t v1_prefix_word = 0x205958'4F5250u;  // "PROXY "
inline constexpr std::uint64_t v1_prefix_mask = 0xFFFF'FFFF'FFFFu;
inline constexpr std::uint32_t v1_tcp4_word = 0x34504354u;                // "TCP4"
inline constexpr std::uint32_t v1_tcp6_word = 0x36504354u;                // "TCP6"
inline constexpr std::uint32_t v1_unkn_word = 0x4E4B4E55u;                // "UNKN"
inline constexpr std::uint32_t v1_nown_word = 0x4E574F4Eu;                // "NOWN"
inline constexpr std::uint64_t v1_unknown_low = 0x4E55'2059'584F'5250u;   // "PROXY UN"
inline constexpr std::uint64_t v1_unknown_high = 0x0A0D'4E57'4F4E'4B4Eu;  // "NKNOWN\r\n"

// A CR or LF in the first 107 bytes of `in`.
[[gnu::noinline]] constexpr bool v1_has_line_end(const std::byte* in, std::size_t n) noexcept {
  const std::size_t window = std::min(n, v1_max_size);
  return find_line_end(in, window) != window;
}
// Bytes a TCP4 or TCP6 field can hold (digits, hex letters, '.', ':') and
// the SP between fields: the scanners stop at the first byte outside these.
inline constexpr auto v1_field_bytes = [] {
  std::array<bool, 256> field{};
  for (std::size_t c = 0; c != field.size(); ++c)  // != : see v2_family_transport
    field[c] = hex_value(static_cast<std::uint8_t>(c)) >= 0 || c == '.' || c == ':' || c == ' ';
  return field;
}();
// How many bytes of a TCP4 line the fast path's scanners can read, whatever
// they are: "PROXY TCP4 ", then at most 4 bytes per octet (3 digits and the
// byte after them) and 6 per port (5 digits and the byte after them), so
// bytes 0-54. (The LF after the CR is read only when the span holds it.)
inline constexpr std::size_t v1_tcp4_scan_reach = 55;
// The same for TCP6: an address scan reads at most 47 bytes from its start
// (scan_ipv6_general's two "::" and nine groups, the last one rejected),
// 40 when it succeeds, so the line's reads end by byte 103.
inline constexpr std::size_t v1_tcp6_scan_reach = v1_max_size;

// parse_v1: a fast path for complete TCP4, TCP6 and UNKNOWN lines in their
// usual forms, inline; `otherwise(input, options)` for everything else.
template <class Otherwise>
[[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result parse_v1_inline(
    std::span<const std::byte> input, const parse_options& options, Otherwise otherwise) noexcept {
  const std::size_t n = input.size();
  const std::byte* const in = input.data();
  if (PROXY_PROTOCOL_DETAIL_EXPECT(n >= v1_min_size && (load_le64(in) & v1_prefix_mask) == v1_prefix_word)) {
    // The short UNKNOWN line, as HAProxy sends it, in two loads.
    if (load_le64(in) == v1_unknown_low && load_le64(in + 7) == v1_unknown_high)
      return parse_result_access::complete_v1_unknown({in, v1_min_size});
    using access = parse_result_access;
    // The scanners need no line end found first (a pass over the line): they
    // stay in the span when it holds all they can read (`reach` bytes), or
    // when a byte that stops them is in it: its last byte (a line alone in
    // its buffer ends with LF), else the first CR or LF, looked for out of line.
    const auto scans_stay_in_span = [n, in](std::size_t reach) {
      return n >= reach || !v1_field_bytes[u8(in[n - 1])] || v1_has_line_end(in, n);
    };
    // A line scanned up to its CR at `cr_at` is whole when the LF follows;
    // every byte before the CR was a field byte, so this CR ends the line.
    const auto lf_follows = [n, in](const std::byte* cr_at) {
      return static_cast<std::size_t>(cr_at - in) + 1 < n && u8(cr_at[1]) == lf;
    };
    const std::byte* p = in + 6;
    const std::uint32_t token = load_le32(p);
    if (PROXY_PROTOCOL_DETAIL_EXPECT(token == v1_tcp4_word && u8(p[4]) == ' ')) {
      if (scans_stay_in_span(v1_tcp4_scan_reach)) {
        p += 5;
        std::uint32_t source = 0, destination = 0;
        std::uint16_t source_port = 0, destination_port = 0;
        if (scan_ipv4(p, source, ' ') && scan_ipv4(++p, destination, ' ') && scan_port(++p, source_port, ' ') &&
            scan_port(++p, destination_port, cr) && lf_follows(p))
          return access::complete_v1_inet(source, destination, source_port, destination_port,
                                          {in, static_cast<std::size_t>(p - in) + 2});
      }
    } else if (token == v1_tcp6_word && u8(p[4]) == ' ') {
      if (scans_stay_in_span(v1_tcp6_scan_reach)) {
        p += 5;
        std::array<std::uint8_t, 16> source{}, destination{};
        std::uint16_t source_port = 0, destination_port = 0;
        const std::byte* const end = in + n;
        if (scan_ipv6(p, end, source, ' ') && scan_ipv6(++p, end, destination, ' ') &&
            scan_port(++p, source_port, ' ') && scan_port(++p, destination_port, cr) && lf_follows(p))
          return access::complete_v1_inet6(source, destination, source_port, destination_port,
                                           {in, static_cast<std::size_t>(p - in) + 2});
      }
    } else if (token == v1_unkn_word && load_le32(p + 3) == v1_nown_word) {
      const std::size_t line_end = find_line_end(in, std::min(n, v1_max_size));  // the first CR or LF
      // "UNKNOWN" then SP or the CRLF within 107 bytes; the rest of the line is ignored (spec 2.1).
      if (line_end >= 13 && line_end + 2 <= v1_max_size && line_end + 1 < n && u8(in[line_end]) == cr &&
          u8(in[line_end + 1]) == lf && (u8(p[7]) == ' ' || u8(p[7]) == cr))
        return access::complete_v1_unknown({in, line_end + 2});
    }
  }
  return otherwise(input, options);
}
}  // namespace detail

/// Parses a version 1 line at the start of `input` (spec 2.1):
///
///     "PROXY" SP ( "TCP4" SP ip4 SP ip4 SP port SP port
///                / "TCP6" SP ip6 SP ip6 SP port SP port
///                / "UNKNOWN" [ SP <ignored, no CR or LF> ] ) CRLF
///
/// at most 107 bytes including CRLF; exactly one SP between fields; IPv4
/// octets and ports without leading zeros; IPv6 in any RFC 4291 form
/// (including an IPv4-mapped dotted tail, as HAProxy sends), no zone id.
/// Bytes after the CRLF never change the result (the fast path may read a
/// few of them, within the span, to know where its scans can stop).
///
/// Error precedence: first a protocol token that cannot become valid (judged
/// on the bytes before the first CR or LF, so it is rejected at once, before
/// the line end arrives, with the code the whole line gets), then the line as
/// a whole (a lone CR or LF gives `v1_bad_line_ending`, no CRLF within 107
/// bytes `v1_line_too_long`), then the fields left to right; the first field
/// at fault gives the code. Any other prefix is `need_more`, so the verdict
/// never depends on how the bytes were split.
/// Throws nothing; O(line length).
[[nodiscard]] constexpr parse_result parse_v1(std::span<const std::byte> input,
                                              const parse_options& options = detail::default_parse_options) noexcept {
  return detail::parse_v1_inline(input, options, detail::parse_v1_general);
}

// ---------------------------------------------------------------------------
// 5. Version 2 (binary) parser (spec 2.2)
// ---------------------------------------------------------------------------

namespace detail {
// Address block size of a fam byte, or -1 for a pair the spec does not list.
[[nodiscard]] constexpr int v2_address_block_size(std::uint8_t fam) noexcept {
  switch (fam) {
    case 0x00:
      return 0;
    case 0x11:
    case 0x12:
      return 12;
    case 0x21:
    case 0x22:
      return 36;
    case 0x31:
    case 0x32:
      return 216;
    default:
      return -1;
  }
}

// Validates the TLV region: every TLV fits, the walk ends exactly at the end,
// CRC32C / SSL / UNIQUE_ID are well formed. Reports the CRC value offset
// (relative to `tlvs`) through `crc_offset`, or SIZE_MAX when absent.
// The rule each TLV type is held to (spec 2.2): one load lets validate_tlvs
// skip every type without rules, and tells the others apart.
enum class tlv_rule : std::uint8_t { none, crc32c, unique_id, ssl };
inline constexpr auto tlv_rules = [] {
  std::array<tlv_rule, 256> rules{};
  rules[tlv_type::crc32c] = tlv_rule::crc32c;
  rules[tlv_type::unique_id] = tlv_rule::unique_id;
  rules[tlv_type::ssl] = tlv_rule::ssl;
  return rules;
}();

[[nodiscard]] constexpr errc validate_tlvs(std::span<const std::byte> tlvs, std::size_t& crc_offset) noexcept {
  crc_offset = SIZE_MAX;
  const std::byte* const base = tlvs.data();
  const std::size_t n = tlvs.size();
  if (n < 3) return n == 0 ? errc{} : errc::v2_tlv_truncated;
  // Chains the lengths while a TLV header fits (at `pos <= last`); the chain
  // must then end exactly at `n`. A TLV running past `n` (only the last one
  // can) ends the chain there, so its value is read only by the rules of its
  // type, which check the bound first.
  const std::size_t last = n - 3;
  std::size_t pos = 0;  // may pass n (by at most 65538): no wrap-around
  do {
    const tlv_rule rule = tlv_rules[u8(base[pos])];
    const std::size_t length = load_be16(base + pos + 1);
    pos += 3 + length;
    if (rule == tlv_rule::none) [[likely]]
      continue;
    if (pos > n) return errc::v2_tlv_truncated;
    const std::size_t value = pos - length;
    switch (rule) {
      case tlv_rule::crc32c:
        if (length != 4) return errc::v2_crc32c_bad_length;
        if (crc_offset != SIZE_MAX) return errc::v2_crc32c_duplicate;
        crc_offset = value;
        break;
      case tlv_rule::unique_id:
        if (length > unique_id_max_size) return errc::v2_unique_id_too_long;
        break;
      default: {  // tlv_rule::ssl
        if (length < 5) return errc::v2_ssl_too_short;
        // `after` runs 3 bytes ahead, past each sub-TLV's header: one
        // addition fewer per sub-TLV. One level: never descended into.
        std::size_t after = value + 5 + 3;
        while (after <= pos) after += 3 + load_be16(base + after - 2);
        if (after - 3 != pos) return errc::v2_ssl_sub_tlv_truncated;
        break;
      }
    }
  } while (pos <= last);
  return pos == n ? errc{} : errc::v2_tlv_truncated;
}

// Address block size of each fam byte (-1: pair not listed), so the common
// case costs one load instead of three tests.
inline constexpr auto v2_block_sizes = [] {
  std::array<std::int16_t, 256> sizes{};
  for (std::size_t fam = 0; fam != sizes.size(); ++fam)
    sizes[fam] = static_cast<std::int16_t>(v2_address_block_size(static_cast<std::uint8_t>(fam)));
  return sizes;
}();

// Checks as much of the 16 fixed bytes as `input` holds, in wire order, and
// gives the address block size (0 for an unlisted pair accepted by
// `allow_unlisted_family_transport`). The slow path of `parse_v2_into`:
// prefixes, faulty headers and lenient pairs.
[[gnu::noinline]] constexpr errc check_v2_fixed_part(std::span<const std::byte> input, const parse_options& options,
                                                     std::size_t& block) noexcept {
  const std::size_t n = input.size();
  const std::size_t sig = std::min<std::size_t>(n, 12);
  for (std::size_t i = 0; i < sig; ++i)
    if (u8(input[i]) != v2_signature[i]) return errc::not_proxy_header;
  if (n > 12) {
    const std::uint8_t ver_cmd = u8(input[12]);
    if ((ver_cmd >> 4) != 2) return errc::v2_bad_version;
    if ((ver_cmd & 0x0F) > 1) return errc::v2_bad_command;
  }
  block = 0;
  if (n > 13) {
    const std::uint8_t fam = u8(input[13]);
    if ((fam >> 4) > 3) return errc::v2_bad_family;
    if ((fam & 0x0F) > 2) return errc::v2_bad_transport;
    const int size = v2_address_block_size(fam);
    if (size < 0 && !options.allow_unlisted_family_transport) return errc::v2_unlisted_family_transport;
    block = size < 0 ? 0 : static_cast<std::size_t>(size);
    if (block == 0 && options.reject_proxy_unspecified && (u8(input[12]) & 0x0F) == 1)
      return errc::v2_proxy_unspecified_rejected;
  }
  return errc{};
}

// How the parser computes a CRC32C: the table; the CRC instruction (the
// caller runs on a CPU that has it and is compiled for it, so the checksum is
// inline); or folding with carry-less multiplication where it applies (x86-64
// with SSE4.2, PCLMULQDQ, AVX and MOVBE; a CRC32C field in the last 16
// bytes), the instruction elsewhere.
enum class crc_engine : std::uint8_t { table, instruction, folding };
template <crc_engine Engine>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr std::uint32_t crc32c_zeroed_field_by(std::span<const std::byte> raw,
                                                                                   std::size_t at) noexcept {
  if constexpr (Engine == crc_engine::folding) return crc32c_zeroed_field_received(raw.data(), raw.size(), at);
  if constexpr (Engine == crc_engine::instruction) return crc32c_zeroed_field_hardware(raw.data(), raw.size(), at);
  return crc32c_with_zeroed_field(raw, at);
}

// Validates the TLVs of a v2 header (`raw`, the whole header) and checks its
// CRC32C when present, the CRC32C computed by `Engine`.
template <crc_engine Engine = crc_engine::table>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr errc check_v2_tlvs(std::span<const std::byte> raw,
                                                                 std::span<const std::byte> tlvs,
                                                                 bool verify_crc32c) noexcept {
  std::size_t crc_offset = SIZE_MAX;
  if (const errc err = validate_tlvs(tlvs, crc_offset); err != errc{}) return err;
  if (crc_offset != SIZE_MAX && verify_crc32c) {
    const auto at = static_cast<std::size_t>(tlvs.data() - raw.data()) + crc_offset;
    if (crc32c_zeroed_field_by<Engine>(raw, at) != load_be32(raw.data() + at)) return errc::v2_crc32c_mismatch;
  }
  return errc{};
}
template <crc_engine Engine = crc_engine::table>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr errc check_v2_tlvs(std::span<const std::byte> raw,
                                                                 std::span<const std::byte> tlvs,
                                                                 const parse_options& options) noexcept {
  return check_v2_tlvs<Engine>(raw, tlvs, options.verify_crc32c);
}

// parse_v2 writing into `h` (which is default-initialised).
[[gnu::always_inline]] constexpr parse_outcome parse_v2_into(header& h, std::span<const std::byte> input,
                                                             const parse_options& options) noexcept {
  const std::size_t n = input.size();
  const std::byte* const in = input.data();
  std::size_t block = 0;
  // The common case in a few loads: 16 bytes in, signature, version 2 with
  // LOCAL or PROXY, a listed pair. Anything else takes the byte-wise checks.
  if (n >= v2_fixed_size && load_le64(in) == v2_signature_low && load_le32(in + 8) == v2_signature_high &&
      (u8(in[12]) & 0xFE) == 0x20 && v2_block_sizes[u8(in[13])] >= 0) {
    block = static_cast<std::size_t>(v2_block_sizes[u8(in[13])]);
    if (block == 0 && options.reject_proxy_unspecified && u8(in[12]) == 0x21)
      return invalid_outcome(errc::v2_proxy_unspecified_rejected);
  } else {
    if (const errc e = check_v2_fixed_part(input, options, block); e != errc{}) return invalid_outcome(e);
    if (n < v2_fixed_size) return need_more_outcome(v2_fixed_size - n);
  }

  const std::size_t length = load_be16(in + 14);
  const std::size_t total = v2_fixed_size + length;
  if (length < block) {
    // PROXY needs its addresses. LOCAL ignores the whole block (spec 2.2) and
    // HAProxy accepts a short one: its bytes are kept opaque, with no TLVs.
    if ((u8(in[12]) & 0x0F) == 1) return invalid_outcome(errc::v2_length_too_short);
    block = length;
  }
  if (total > options.max_header_size) return invalid_outcome(errc::v2_header_too_large);
  if (n < total) return need_more_outcome(total - n);

  const std::uint8_t ver_cmd = u8(in[12]);
  const std::uint8_t fam = u8(in[13]);
  const bool listed = v2_block_sizes[fam] >= 0;
  h.version = version::v2;
  h.command = static_cast<command>(ver_cmd & 0x0F);
  h.family = listed ? static_cast<address_family>(fam >> 4) : address_family::unspecified;
  h.transport = listed ? static_cast<transport_protocol>(fam & 0x0F) : transport_protocol::unspecified;
  h.raw = {in, total};
  h.address_block = {in + v2_fixed_size, block};
  h.tlv_bytes = {in + v2_fixed_size + block, length - block};

  if (length != block) {
    if (const errc err = check_v2_tlvs(h.raw, h.tlv_bytes, options); err != errc{}) return invalid_outcome(err);
  }

  if (h.command == command::local) {
    // The whole address block, family byte included, is ignored (spec 2.2).
    return complete_outcome();
  }
  const std::byte* a = in + v2_fixed_size;
  switch (h.family) {
    case address_family::inet:
      h.source.address = ip_address::v4({u8(a[0]), u8(a[1]), u8(a[2]), u8(a[3])});
      h.destination.address = ip_address::v4({u8(a[4]), u8(a[5]), u8(a[6]), u8(a[7])});
      h.source.port = load_be16(a + 8);
      h.destination.port = load_be16(a + 10);
      break;
    case address_family::inet6: {
      std::array<std::uint8_t, 16> s{}, d{};
      for (std::size_t i = 0; i < 16; ++i) {
        s[i] = u8(a[i]);
        d[i] = u8(a[16 + i]);
      }
      h.source.address = ip_address::v6(s);
      h.destination.address = ip_address::v6(d);
      h.source.port = load_be16(a + 32);
      h.destination.port = load_be16(a + 34);
      break;
    }
    case address_family::unix_socket:
      h.unix_source = h.address_block.first(unix_path_size);
      h.unix_destination = h.address_block.subspan(unix_path_size, unix_path_size);
      break;
    case address_family::unspecified:  // PROXY UNSPEC; `reject_proxy_unspecified` was judged at byte 13
      break;
  }
  return complete_outcome();
}
}  // namespace detail

namespace detail {
// Everything but the fast paths of parse_v2: prefixes, faults, options.
[[gnu::noinline]] constexpr parse_result parse_v2_general(std::span<const std::byte> input,
                                                          const parse_options& options) noexcept {
  parse_result r = parse_result_access::blank();
  parse_result_access::finish(r, parse_v2_into(parse_result_access::value_of(r), input, options));
  return r;
}

// Replaces `r` with the careful parser's result over its header's bytes (the
// fixed part is valid and complete, so they decide). Out of line, so that its
// temporaries cost nothing to the checks that do not fail.
[[gnu::noinline]] constexpr void redo_v2(parse_result& r, const parse_options& options) noexcept {
  r = parse_v2_general(parse_result_access::value_of(r).raw, options);
}
template <crc_engine Engine>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr void check_v2_tlvs_or_redo_impl(parse_result& r,
                                                                              const parse_options& options) noexcept {
  const header& h = parse_result_access::value_of(r);
  std::size_t crc_offset = SIZE_MAX;
  if (validate_tlvs(h.tlv_bytes, crc_offset) != errc{}) [[unlikely]]
    return redo_v2(r, options);
#if defined(__GNUC__)
  // Read the header's span and the option again rather than keep them in
  // registers through the TLV loop (fewer registers to save). Folding, with
  // the checksum inline and more registers in use anyway, keeps them.
  if (Engine != crc_engine::folding && !std::is_constant_evaluated()) asm volatile("" ::: "memory");
#endif
  if (crc_offset != SIZE_MAX && options.verify_crc32c) {
    const auto at = static_cast<std::size_t>(h.tlv_bytes.data() - h.raw.data()) + crc_offset;
    if (crc32c_zeroed_field_by<Engine>(h.raw, at) != load_be32(h.raw.data() + at)) [[unlikely]]
      return redo_v2(r, options);
  }
}
[[gnu::noinline]] constexpr void check_v2_tlvs_or_redo_portable(parse_result& r,
                                                                const parse_options& options) noexcept {
  check_v2_tlvs_or_redo_impl<crc_engine::table>(r, options);
}
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
[[gnu::noinline]] PROXY_PROTOCOL_DETAIL_CRC_TARGET inline void check_v2_tlvs_or_redo_hardware(
    parse_result& r, const parse_options& options) noexcept {
  check_v2_tlvs_or_redo_impl<crc_engine::instruction>(r, options);
}
#endif
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC) && defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
// (`flatten`: the checksum inline, where `crc32c_zeroed_field_received`,
// also called on its own, would otherwise stay a call.)
[[gnu::noinline, gnu::flatten]] PROXY_PROTOCOL_DETAIL_FOLDING_TARGET inline void check_v2_tlvs_or_redo_folding(
    parse_result& r, const parse_options& options) noexcept {
  check_v2_tlvs_or_redo_impl<crc_engine::folding>(r, options);
}
#endif
constexpr void check_v2_tlvs_or_redo(parse_result& r, const parse_options& options) noexcept {
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC) && defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
  if (!std::is_constant_evaluated() && has_crc32c_folding()) return check_v2_tlvs_or_redo_folding(r, options);
#endif
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
  if (!std::is_constant_evaluated() && has_hardware_crc32c()) return check_v2_tlvs_or_redo_hardware(r, options);
#endif
  check_v2_tlvs_or_redo_portable(r, options);
}

// The fast path of parse_v2 for a complete header with TLVs whose fixed part
// is valid: validate the TLVs and the CRC32C, then build the result in place.
// Anything else, faults included, goes to parse_v2_general.
template <crc_engine Engine>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result parse_v2_with_tlvs(std::span<const std::byte> input,
                                                                              const parse_options& options) noexcept {
  const std::size_t n = input.size();
  const std::byte* const in = input.data();
  if (n >= v2_fixed_size) {  // the signature was checked by the caller
    const std::uint8_t ver_cmd = u8(in[12]);
    const int signed_block = v2_block_sizes[u8(in[13])];
    const auto block = static_cast<std::size_t>(signed_block);
    const std::size_t length = load_be16(in + 14);
    if (PROXY_PROTOCOL_DETAIL_EXPECT(signed_block >= 0 && length > block && n >= v2_fixed_size + length &&
                                     v2_fixed_size + length <= options.max_header_size && (ver_cmd & 0xFE) == 0x20 &&
                                     check_v2_tlvs<Engine>({in, v2_fixed_size + length},
                                                           {in + v2_fixed_size + block, length - block},
                                                           options) == errc{})) {
      using access = parse_result_access;
      if (ver_cmd == 0x20) return access::complete_v2<v2_addresses::none>(in, block, length);
      if (PROXY_PROTOCOL_DETAIL_EXPECT(block == 12)) return access::complete_v2<v2_addresses::inet>(in, block, length);
      if (block == 36) return access::complete_v2<v2_addresses::inet6>(in, block, length);
      if (block == 216) return access::complete_v2<v2_addresses::unix_paths>(in, block, length);
      if (!options.reject_proxy_unspecified) return access::complete_v2<v2_addresses::none>(in, block, length);
    }
  }
  return parse_v2_general(input, options);
}
[[gnu::noinline]] constexpr parse_result parse_v2_with_tlvs_portable(std::span<const std::byte> input,
                                                                     const parse_options& options) noexcept {
  return parse_v2_with_tlvs<crc_engine::table>(input, options);
}
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
// A copy compiled for the CRC32C instructions, so the checksum is inline; it
// runs only where has_hardware_crc32c() says so.
[[gnu::noinline]] PROXY_PROTOCOL_DETAIL_CRC_TARGET inline parse_result parse_v2_with_tlvs_hardware(
    std::span<const std::byte> input, const parse_options& options) noexcept {
  return parse_v2_with_tlvs<crc_engine::instruction>(input, options);
}
#endif
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC) && defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
// The same for folding, where has_crc32c_folding() says so.
[[gnu::noinline]] PROXY_PROTOCOL_DETAIL_FOLDING_TARGET inline parse_result parse_v2_with_tlvs_folding(
    std::span<const std::byte> input, const parse_options& options) noexcept {
  return parse_v2_with_tlvs<crc_engine::folding>(input, options);
}
#endif
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result parse_v2_with_tlvs_dispatch(
    std::span<const std::byte> input, const parse_options& options) noexcept {
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC) && defined(PROXY_PROTOCOL_DETAIL_X86_CRC)
  if (!std::is_constant_evaluated() && has_crc32c_folding()) return parse_v2_with_tlvs_folding(input, options);
#endif
#if defined(PROXY_PROTOCOL_DETAIL_HARDWARE_CRC)
  if (!std::is_constant_evaluated() && has_hardware_crc32c()) return parse_v2_with_tlvs_hardware(input, options);
#endif
  return parse_v2_with_tlvs_portable(input, options);
}

}  // namespace detail

namespace detail {
// parse_v2: the fast path inline (also in parse()), the rest out of line.
// `otherwise(input, options)` parses what does not start with the v2
// signature; parse_v2_general what does, beyond the fast path.
template <class Otherwise>
[[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result parse_v2_inline(
    std::span<const std::byte> input, const parse_options& options, Otherwise otherwise) noexcept {
  const std::size_t n = input.size();
  const std::byte* const in = input.data();
  // Fast path: a complete, valid header without TLVs. The length must equal
  // the pair's address block size (-1 for unlisted pairs, never equal).
  // (The expectations keep GCC from rating the less common families as
  // cold code, which it optimises for size: `rep stos` for zeroing.)
  if (PROXY_PROTOCOL_DETAIL_EXPECT(n >= v2_fixed_size && load_le64(in) == v2_signature_low &&
                                   load_le32(in + 8) == v2_signature_high)) {
    const std::uint8_t ver_cmd = u8(in[12]);
    const int block = v2_block_sizes[u8(in[13])];
    const std::size_t length = load_be16(in + 14);
    if (PROXY_PROTOCOL_DETAIL_EXPECT(static_cast<int>(length) == block && n >= v2_fixed_size + length &&
                                     v2_fixed_size + length <= options.max_header_size)) {
      using access = parse_result_access;
      if (ver_cmd == 0x21) {
        // In order of frequency: IPv4 first.
        if (PROXY_PROTOCOL_DETAIL_EXPECT(block == 12))
          return access::complete_v2<v2_addresses::inet>(in, length, length);
        if (block == 36) return access::complete_v2<v2_addresses::inet6>(in, length, length);
        if (block == 216) return access::complete_v2<v2_addresses::unix_paths>(in, length, length);
        if (PROXY_PROTOCOL_DETAIL_EXPECT(!options.reject_proxy_unspecified))
          return access::complete_v2<v2_addresses::none>(in, length, length);
      } else if (ver_cmd == 0x20) {
        return access::complete_v2<v2_addresses::none>(in, length, length);
      }
    }
    // The common header with TLVs: PROXY, TCP over IPv4 (AWS, HAProxy with
    // ALPN, SSL, CRC32C), bytes 12 and 13 in one comparison.
    if (PROXY_PROTOCOL_DETAIL_EXPECT((ver_cmd | u8(in[13]) << 8) == 0x1121 && length > 12 &&
                                     n >= v2_fixed_size + length && v2_fixed_size + length <= options.max_header_size))
      return parse_result_access::complete_v2_with_tlvs<v2_addresses::inet>(in, 12, length, options);
    return parse_v2_with_tlvs_dispatch(input, options);  // other TLVs, or a fault, a prefix, an option
  }
  return otherwise(input, options);
}
}  // namespace detail

/// Parses a version 2 header at the start of `input` (spec 2.2). Byte layout:
///
///     offset 0  12 bytes  signature 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
///     offset 12  1 byte   version (high nibble, 2) | command (0 LOCAL, 1 PROXY)
///     offset 13  1 byte   family (0 UNSPEC, 1 INET, 2 INET6, 3 UNIX) | transport (0, 1 STREAM, 2 DGRAM)
///     offset 14  2 bytes  length of what follows, big-endian
///     offset 16           address block (0 / 12 / 36 / 216 bytes), then TLVs up to 16 + length
///
/// Only the pairs the spec lists are accepted (00 11 12 21 22 31 32) unless
/// `allow_unlisted_family_transport`. LOCAL skips the family's address block
/// (its addresses are not exposed) and its TLVs are still parsed and
/// checked; a LOCAL block shorter than its family's size is accepted as
/// opaque bytes with no TLVs (the spec ignores LOCAL's block; HAProxy accepts
/// it), where PROXY fails with `v2_length_too_short`. PROXY UNSPEC is accepted
/// with no addresses unless `reject_proxy_unspecified` (reported at byte 13).
/// TLVs span exactly `[16 + block, 16 + length)` and are validated here,
/// CRC32C included, so iterating them cannot fail.
///
/// Error precedence follows the wire: signature, version, command, family,
/// transport, pair, length vs. address block, `max_header_size`, then TLVs in
/// order (structure first, each TLV's own rules as it is reached), then the
/// CRC32C value. Faults in the fixed 16 bytes are reported as soon as their
/// byte arrives; `need_more` is exact once those 16 bytes are in.
/// Throws nothing; O(header length).
[[nodiscard]] constexpr parse_result parse_v2(std::span<const std::byte> input,
                                              const parse_options& options = detail::default_parse_options) noexcept {
  return detail::parse_v2_inline(input, options, detail::parse_v2_general);
}

// ---------------------------------------------------------------------------
// 6. Version-agnostic parser and convenience overloads
// ---------------------------------------------------------------------------

namespace detail {
// parse() for what its v2 fast path does not take: the v1 fast path, then
// one out-of-line call for everything else. (No separate test of the first
// byte first: knowing it, GCC splits the fast path's 8-byte loads into bytes.)
[[gnu::noinline]] constexpr parse_result parse_rest(std::span<const std::byte> input,
                                                    const parse_options& options) noexcept {
  if (input.empty()) return parse_result::need_more(v1_min_size);
  if (u8(input[0]) == 'P') return parse_v1_general(input, options);
  return parse_v2_general(input, options);  // a v2 header, a v2 prefix, or not_proxy_header
}
[[gnu::noinline]] constexpr parse_result parse_not_fast_v2(std::span<const std::byte> input,
                                                           const parse_options& options) noexcept {
  return parse_v1_inline(input, options, parse_rest);
}
// The short UNKNOWN line (HAProxy's, 15 bytes) without a call; then the rest.
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr parse_result parse_short_unknown_or_rest(
    std::span<const std::byte> input, const parse_options& options) noexcept {
  const std::byte* const in = input.data();
  if (input.size() >= v1_min_size && load_le64(in) == v1_unknown_low && load_le64(in + 7) == v1_unknown_high)
    return parse_result_access::complete_v1_unknown({in, v1_min_size});
  return parse_not_fast_v2(input, options);
}
}  // namespace detail

/// Parses a v1 or v2 header at the start of `input`, chosen by its first
/// byte; bytes after the header are never read. Fails with
/// `not_proxy_header` exactly when `detect()` says `not_proxy`; for the other
/// codes see `parse_v1` and `parse_v2`. Throws nothing; O(header length).
///
///     const auto r = proxy_protocol::parse(std::span<const std::byte>{buffer, received});
///     if (r.incomplete()) { /* read r.bytes_needed() more bytes, parse again */ }
///     else if (r.failed()) { /* log message(r.error()), close */ }
///     else { /* use r->source, r->authority(); payload starts at r.consumed() */ }
[[nodiscard]] constexpr parse_result parse(std::span<const std::byte> input,
                                           const parse_options& options = detail::default_parse_options) noexcept {
  // The v2 fast path first (it checks the whole signature); everything else
  // goes through one out-of-line call.
  return detail::parse_v2_inline(input, options, detail::parse_short_unknown_or_rest);
}

namespace detail {
inline std::span<const std::byte> as_byte_span(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::span<const std::byte> as_byte_span(std::span<const unsigned char> s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace detail

/// Overloads over text (`std::string_view`, so `std::string` and literals work
/// too) or `unsigned char` buffers. Not usable in constant expressions (they
/// reinterpret the bytes); use `std::span<const std::byte>` there. Throws nothing.
///@{
[[nodiscard]] inline detection detect(std::string_view input) noexcept { return detect(detail::as_byte_span(input)); }
[[nodiscard]] inline detection detect(std::span<const unsigned char> input) noexcept {
  return detect(detail::as_byte_span(input));
}
[[nodiscard]] inline parse_result parse(std::string_view input,
                                        const parse_options& options = detail::default_parse_options) noexcept {
  return parse(detail::as_byte_span(input), options);
}
[[nodiscard]] inline parse_result parse(std::span<const unsigned char> input,
                                        const parse_options& options = detail::default_parse_options) noexcept {
  return parse(detail::as_byte_span(input), options);
}
[[nodiscard]] inline parse_result parse_v1(std::string_view input,
                                           const parse_options& options = detail::default_parse_options) noexcept {
  return parse_v1(detail::as_byte_span(input), options);
}
[[nodiscard]] inline parse_result parse_v1(std::span<const unsigned char> input,
                                           const parse_options& options = detail::default_parse_options) noexcept {
  return parse_v1(detail::as_byte_span(input), options);
}
[[nodiscard]] inline parse_result parse_v2(std::string_view input,
                                           const parse_options& options = detail::default_parse_options) noexcept {
  return parse_v2(detail::as_byte_span(input), options);
}
[[nodiscard]] inline parse_result parse_v2(std::span<const unsigned char> input,
                                           const parse_options& options = detail::default_parse_options) noexcept {
  return parse_v2(detail::as_byte_span(input), options);
}
///@}

// ---------------------------------------------------------------------------
// 7. Builders: v1 and v2 headers into caller memory
// ---------------------------------------------------------------------------

/// Result of a build or size query: the header's size in bytes, or why it
/// cannot be built. Throws nothing.
class build_result {
 public:
  /// A header of `size` bytes.
  [[nodiscard]] static constexpr build_result success(std::size_t size) noexcept { return build_result{size, errc{}}; }
  /// A header that cannot be built.
  [[nodiscard]] static constexpr build_result failure(errc e) noexcept { return build_result{0, e}; }
  /// True on success.
  [[nodiscard]] constexpr bool ok() const noexcept { return error_ == errc{}; }
  /// Same as `ok()`.
  constexpr explicit operator bool() const noexcept { return ok(); }
  /// Bytes written (or, from `size_v1` / `size_v2`, bytes needed); 0 on error.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  /// Why it failed; `errc{}` (0) on success.
  [[nodiscard]] constexpr errc error() const noexcept { return error_; }
  /// `std::error_code` form of `error()`; a default (no-error) code on success.
  [[nodiscard]] std::error_code error_code() const noexcept {
    return ok() ? std::error_code{} : make_error_code(error_);
  }

 private:
  constexpr build_result(std::size_t size, errc e) noexcept : size_(size), error_(e) {}
  std::size_t size_ = 0;
  errc error_{};
};

/// Per-call builder options.
struct build_options {
  /// When source and destination families differ, send TCP6 (v1) or INET6
  /// (v2) with the IPv4 side as `::ffff:a.b.c.d`, as HAProxy does. When off,
  /// mixed families fail with `build_invalid_address`.
  bool map_mixed_families = true;
  /// v2: append a NOOP TLV so that the total size is a multiple of this
  /// (0 or 1: no padding). A gap of 1 or 2 bytes is widened by one more
  /// multiple, since a TLV takes at least 3 bytes.
  std::size_t pad_to_multiple = 0;
  /// v2: append a NOOP TLV so that the total size is exactly this (0: off).
  /// Fails with `build_invalid_padding` when the gap is 1 or 2 bytes or negative.
  std::size_t pad_to_size = 0;
  /// v2: the largest header the receiver takes; larger fails with
  /// `build_header_too_large`. Real receivers cap far below the spec's 65551:
  /// Apache 2.4 takes 232 bytes, Traffic Server 9.2 109, nginx 1.22's stream
  /// module 107 (see docs/interop-matrix.md).
  std::size_t max_size = v2_max_size;
  /// v2: write `tlv_item`s that break the parser's rules for their type as
  /// given: a raw CRC32C (say, a wrong checksum), a malformed raw SSL value,
  /// UNIQUE_ID over 128 bytes. For test tools that check how receivers treat
  /// faulty headers; our own `parse` refuses such a header (a raw CRC32C
  /// passes only unverified or when it happens to be right). Values over
  /// 65535, SSL or CRC32C items among SSL sub-TLVs, a `crc32c()` item beside
  /// another one or beside a CRC32C in `header::tlv_bytes`, and malformed
  /// `header::tlv_bytes` still fail with `build_invalid_tlv`.
  bool write_invalid_tlvs = false;
};

namespace detail {
// Byte copies for the builders: memmove / memset at run time (GCC -O2 does
// not vectorise byte loops: a 32-byte value cost 4 instructions a byte),
// plain loops in constant evaluation. memmove, not memcpy: a value that
// overlaps the output buffer is not undefined behaviour.
constexpr std::byte* copy_bytes(std::byte* out, const std::byte* from, std::size_t n) noexcept {
  if (std::is_constant_evaluated()) {
    for (std::size_t i = 0; i < n; ++i) out[i] = from[i];
  } else if (n != 0) {  // `from` may be null when n is 0
    std::memmove(out, from, n);
  }
  return out + n;
}
constexpr std::byte* copy_text(std::byte* out, std::string_view text) noexcept {
  if (std::is_constant_evaluated()) {
    for (std::size_t i = 0; i < text.size(); ++i) out[i] = static_cast<std::byte>(text[i]);
  } else if (!text.empty()) {
    std::memmove(out, text.data(), text.size());
  }
  return out + text.size();
}
constexpr std::byte* write_zeros(std::byte* out, std::size_t n) noexcept {
  if (std::is_constant_evaluated()) {
    for (std::size_t i = 0; i < n; ++i) out[i] = std::byte{0};
  } else if (n != 0) {
    std::memset(out, 0, n);
  }
  return out + n;
}
}  // namespace detail

/// One TLV for `build_v2`, made by the factories below; written in the order
/// given, duplicates allowed. Holds views, never copies: the bytes, text and
/// sub-TLV array it refers to must outlive the build call. In particular
/// `tlv_item::ssl(c, v, std::array{...})` with a temporary array dangles:
/// name the sub-TLV array first. Throws nothing.
class tlv_item {
 public:
  /// What an item writes: a plain value, SSL with sub-TLVs, or a CRC32C computed last.
  enum class kind : std::uint8_t { value, ssl, crc32c };

  constexpr tlv_item() noexcept = default;

  /// Any type with raw value bytes. Held to the parser's rules at the top
  /// level (see `value_size`): CRC32C only through `crc32c()`, UNIQUE_ID at
  /// most 128 bytes, an SSL value with whole sub-TLVs.
  [[nodiscard]] static constexpr tlv_item raw(std::uint8_t type, std::span<const std::byte> value) noexcept {
    tlv_item t;
    t.type_ = type;
    t.bytes_ = value;
    return t;
  }
  /// Any type with a text value (written as its bytes, no terminator); the
  /// same rules as `raw`.
  [[nodiscard]] static constexpr tlv_item text(std::uint8_t type, std::string_view value) noexcept {
    tlv_item t;
    t.type_ = type;
    t.text_ = value;
    return t;
  }
  /// ALPN (0x01), e.g. "h2".
  [[nodiscard]] static constexpr tlv_item alpn(std::string_view protocol) noexcept {
    return text(tlv_type::alpn, protocol);
  }
  /// AUTHORITY (0x02): the host name, e.g. the TLS SNI.
  [[nodiscard]] static constexpr tlv_item authority(std::string_view host) noexcept {
    return text(tlv_type::authority, host);
  }
  /// UNIQUE_ID, at most 128 bytes (longer fails with `build_invalid_tlv` at
  /// the top level; among SSL sub-TLVs, 0x05 is no UNIQUE_ID).
  [[nodiscard]] static constexpr tlv_item unique_id(std::span<const std::byte> id) noexcept {
    return raw(tlv_type::unique_id, id);
  }
  /// UNIQUE_ID from text, at most 128 bytes.
  [[nodiscard]] static constexpr tlv_item unique_id(std::string_view id) noexcept {
    return text(tlv_type::unique_id, id);
  }
  /// NETNS (0x30): network namespace name.
  [[nodiscard]] static constexpr tlv_item netns(std::string_view name) noexcept { return text(tlv_type::netns, name); }
  /// NOOP with `length` zero bytes.
  [[nodiscard]] static constexpr tlv_item noop(std::size_t length = 0) noexcept {
    tlv_item t;
    t.type_ = tlv_type::noop;
    t.zeros_ = length;
    return t;
  }
  /// CRC32C: its value is computed over the finished header, last.
  [[nodiscard]] static constexpr tlv_item crc32c() noexcept {
    tlv_item t;
    t.kind_ = kind::crc32c;
    t.type_ = tlv_type::crc32c;
    t.zeros_ = 4;
    return t;
  }
  /// SSL: `client` bits (`ssl_client::*`), `verify` (0 = verified) and
  /// sub-TLVs made with the `ssl_*` factories (one level; an SSL item among
  /// them fails with `build_invalid_tlv`).
  [[nodiscard]] static constexpr tlv_item ssl(std::uint8_t client, std::uint32_t verify,
                                              std::span<const tlv_item> sub_tlvs = {}) noexcept {
    tlv_item t;
    t.kind_ = kind::ssl;
    t.type_ = tlv_type::ssl;
    t.prefix_ = {std::byte{client}, std::byte(verify >> 24), std::byte(verify >> 16), std::byte(verify >> 8),
                 std::byte(verify)};
    t.prefix_size_ = 5;
    t.sub_ = sub_tlvs;
    return t;
  }
  /// SSL sub-TLV 0x21: TLS version, e.g. "TLSv1.3".
  [[nodiscard]] static constexpr tlv_item ssl_version(std::string_view v) noexcept {
    return text(ssl_type::version, v);
  }
  /// SSL sub-TLV 0x22: client certificate's common name.
  [[nodiscard]] static constexpr tlv_item ssl_common_name(std::string_view v) noexcept {
    return text(ssl_type::common_name, v);
  }
  /// SSL sub-TLV 0x23: cipher name.
  [[nodiscard]] static constexpr tlv_item ssl_cipher(std::string_view v) noexcept { return text(ssl_type::cipher, v); }
  /// SSL sub-TLV 0x24: signature algorithm of the server certificate.
  [[nodiscard]] static constexpr tlv_item ssl_signature_algorithm(std::string_view v) noexcept {
    return text(ssl_type::signature_algorithm, v);
  }
  /// SSL sub-TLV 0x25: key algorithm of the server certificate.
  [[nodiscard]] static constexpr tlv_item ssl_key_algorithm(std::string_view v) noexcept {
    return text(ssl_type::key_algorithm, v);
  }
  /// SSL sub-TLV 0x26: key-exchange group.
  [[nodiscard]] static constexpr tlv_item ssl_group(std::string_view v) noexcept { return text(ssl_type::group, v); }
  /// SSL sub-TLV 0x27: handshake signature scheme.
  [[nodiscard]] static constexpr tlv_item ssl_signature_scheme(std::string_view v) noexcept {
    return text(ssl_type::signature_scheme, v);
  }
  /// SSL sub-TLV 0x28: DER of the client certificate.
  [[nodiscard]] static constexpr tlv_item ssl_client_certificate(std::span<const std::byte> der) noexcept {
    return raw(ssl_type::client_certificate, der);
  }
  /// AWS 0xEA, sub-type 0x01 (VPC endpoint id).
  [[nodiscard]] static constexpr tlv_item aws_vpc_endpoint_id(std::string_view id) noexcept {
    tlv_item t = text(tlv_type::aws, id);
    t.prefix_[0] = std::byte{0x01};
    t.prefix_size_ = 1;
    return t;
  }
  /// Azure 0xEE, sub-type 0x01, LinkID little-endian.
  [[nodiscard]] static constexpr tlv_item azure_private_endpoint_link_id(std::uint32_t link_id) noexcept {
    tlv_item t;
    t.type_ = tlv_type::azure;
    t.prefix_ = {std::byte{0x01}, std::byte(link_id), std::byte(link_id >> 8), std::byte(link_id >> 16),
                 std::byte(link_id >> 24)};
    t.prefix_size_ = 5;
    return t;
  }
  /// GCP 0xE0, PSC connection id big-endian.
  [[nodiscard]] static constexpr tlv_item gcp_psc_connection_id(std::uint64_t id) noexcept {
    tlv_item t;
    t.type_ = tlv_type::gcp;
    for (int i = 0; i < 8; ++i) t.prefix_[static_cast<std::size_t>(i)] = std::byte(id >> (56 - 8 * i));
    t.prefix_size_ = 8;
    return t;
  }

  /// The TLV type the item writes.
  [[nodiscard]] constexpr std::uint8_t type() const noexcept { return type_; }
  /// Plain value, SSL or CRC32C.
  [[nodiscard]] constexpr kind item_kind() const noexcept { return kind_; }

  /// Size of the value (for SSL: 5 + its sub-TLVs), or SIZE_MAX when the
  /// item cannot be written: a value over 65535, an SSL or CRC32C item among
  /// SSL sub-TLVs (the builder keeps SSL one level deep and computes one
  /// checksum), or, at the top level, a TLV the parser rejects (spec 2.2):
  /// UNIQUE_ID over 128, a CRC32C not made by `crc32c()`, a raw SSL value
  /// without its 5-byte client + verify part or with a sub-TLV running past
  /// its end.
  [[nodiscard]] constexpr std::size_t value_size() const noexcept {
    const std::size_t n = unchecked_value_size();
    if (n == SIZE_MAX || kind_ != kind::value) return n;
    switch (type_) {
      case tlv_type::crc32c:  // its checksum is computed by the builder, never supplied
        return SIZE_MAX;
      case tlv_type::unique_id:
        return n > unique_id_max_size ? SIZE_MAX : n;
      case tlv_type::ssl:
        return raw_ssl_well_formed(n) ? n : SIZE_MAX;
      default:
        return n;
    }
  }
  /// Size of the value as given, without the rules of its type: SIZE_MAX only
  /// over 65535 or for an SSL or CRC32C item among SSL sub-TLVs (what
  /// `build_options::write_invalid_tlvs` writes).
  [[nodiscard]] constexpr std::size_t size_as_given() const noexcept { return unchecked_value_size(); }
  /// Writes type, length and value (exactly `3 + size_as_given()` bytes) at
  /// `out`. Requires `size_as_given() != SIZE_MAX`. Returns the end.
  constexpr std::byte* encode(std::byte* out) const noexcept {
    const std::size_t n = unchecked_value_size();
    *out++ = std::byte{type_};
    *out++ = std::byte(n >> 8);
    *out++ = std::byte(n);
    out = detail::copy_bytes(out, prefix_.data(), prefix_size_);
    out = detail::copy_bytes(out, bytes_.data(), bytes_.size());
    out = detail::copy_text(out, text_);
    out = detail::write_zeros(out, zeros_);
    if (kind_ == kind::ssl)
      for (const tlv_item& sub : sub_) out = sub.encode(out);
    return out;
  }

 private:
  // The size alone: sub-TLVs are not top-level TLVs, so the rules of types
  // 0x03, 0x05 and 0x20 do not apply to them (the parser never descends).
  [[nodiscard]] constexpr std::size_t unchecked_value_size() const noexcept {
    std::size_t n = prefix_size_ + bytes_.size() + text_.size() + zeros_;
    if (kind_ == kind::ssl) {
      for (const tlv_item& sub : sub_) {
        if (sub.kind_ != kind::value) return SIZE_MAX;
        const std::size_t s = sub.unchecked_value_size();
        if (s == SIZE_MAX) return SIZE_MAX;
        n += 3 + s;
        if (n > 65535) return SIZE_MAX;
      }
    }
    return n > 65535 ? SIZE_MAX : n;
  }
  // Byte `i` of a plain value, which is prefix, bytes, text and zeros in turn.
  [[nodiscard]] constexpr std::uint8_t value_byte(std::size_t i) const noexcept {
    if (i < prefix_size_) return static_cast<std::uint8_t>(prefix_[i]);
    i -= prefix_size_;
    if (i < bytes_.size()) return static_cast<std::uint8_t>(bytes_[i]);
    i -= bytes_.size();
    if (i < text_.size()) return static_cast<std::uint8_t>(text_[i]);
    return 0;
  }
  // The parser's SSL rule over a raw value of `n` bytes: client + verify, then
  // sub-TLVs that end exactly at the end.
  [[nodiscard]] constexpr bool raw_ssl_well_formed(std::size_t n) const noexcept {
    if (n < 5) return false;
    std::size_t sub = 5;
    while (sub + 3 <= n) sub += 3 + (std::size_t{value_byte(sub + 1)} << 8 | value_byte(sub + 2));
    return sub == n;
  }

  kind kind_ = kind::value;
  std::uint8_t type_ = 0;
  std::uint8_t prefix_size_ = 0;
  std::array<std::byte, 8> prefix_{};
  std::span<const std::byte> bytes_;
  std::string_view text_;
  std::size_t zeros_ = 0;
  std::span<const tlv_item> sub_;
};

namespace detail {
// Which v1 protocol / v2 family the addresses of `h` need, after mapping.
struct resolved_addresses {
  errc error{};
  bool six = false;  // INET6 / TCP6 on the wire
};
constexpr resolved_addresses resolve_ip_family(const header& h, const build_options& options) noexcept {
  const bool s4 = h.source.address.is_v4(), d4 = h.destination.address.is_v4();
  const bool s6 = h.source.address.is_v6(), d6 = h.destination.address.is_v6();
  if (!(s4 || s6) || !(d4 || d6)) return {errc::build_invalid_address, false};
  if (h.family == address_family::inet) {
    if (s4 && d4) return {errc{}, false};
    if (s6 && d6) return {errc::build_invalid_address, false};  // INET announced, no IPv4 address at all
    if (!options.map_mixed_families) return {errc::build_invalid_address, false};
    return {errc{}, true};
  }
  // inet6: IPv4 addresses are written as IPv4-mapped IPv6 when mapping is allowed.
  if ((s4 || d4) && !options.map_mixed_families) return {errc::build_invalid_address, true};
  return {errc{}, true};
}

constexpr std::byte* write_text(std::byte* out, const char* first, const char* last) noexcept {
  return copy_text(out, {first, static_cast<std::size_t>(last - first)});
}

// Each octet's decimal text, first character lowest, its length in the top byte.
inline constexpr auto octet_text = [] {
  std::array<std::uint32_t, 256> text{};
  for (std::uint32_t v = 0; v < 256; ++v) {
    if (v < 10)
      text[v] = (1u << 24) | ('0' + v);
    else if (v < 100)
      text[v] = (2u << 24) | (('0' + v % 10) << 8) | ('0' + v / 10);
    else
      text[v] = (3u << 24) | (('0' + v % 10) << 16) | (('0' + v / 10 % 10) << 8) | ('0' + v / 100);
  }
  return text;
}();

// Writes a dotted quad. Each octet is stored as three bytes and the cursor
// advances by its length, so up to two bytes past the address are scratch:
// the caller's next write (a separator, then a field) covers them, and
// nothing is ever written past the end of the finished line.
constexpr std::byte* write_ipv4_text(std::byte* p, const std::uint8_t* octets) noexcept {
  for (int i = 0; i < 4; ++i) {
    if (i != 0) *p++ = std::byte{'.'};
    const std::uint32_t text = octet_text[octets[i]];
    p[0] = static_cast<std::byte>(text);
    p[1] = static_cast<std::byte>(text >> 8);
    p[2] = static_cast<std::byte>(text >> 16);
    p += text >> 24;
  }
  return p;
}

// Writes a port in decimal, exactly its digits.
constexpr std::byte* write_port_text(std::byte* p, std::uint16_t port) noexcept {
  const unsigned value = port;
  const int digits = value >= 10000 ? 5 : value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1;
  unsigned rest = value;
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = static_cast<std::byte>('0' + rest % 10);
    rest /= 10;
  }
  return p + digits;
}

// Writes the v1 line into `out` (at least v1_max_size bytes) and returns its size, or an error.
// Nothing is written on error; nothing is written past the returned size.
constexpr build_result write_v1(std::byte* out, const header& h, const build_options& options) noexcept {
  if (h.command != command::local && h.command != command::proxy)
    return build_result::failure(errc::build_invalid_command);
  std::byte* p = out;
  constexpr std::string_view unknown = "PROXY UNKNOWN\r\n";
  const bool ip = h.family == address_family::inet || h.family == address_family::inet6;
  if (ip && h.transport == transport_protocol::unspecified)
    return build_result::failure(errc::build_invalid_family_transport);
  // v1 is TCP only: any other family or transport MUST be sent as UNKNOWN (spec 2.1), as HAProxy does.
  if (h.command == command::local || !ip || h.transport != transport_protocol::stream) {
    p = write_text(p, unknown.data(), unknown.data() + unknown.size());
    return build_result::success(static_cast<std::size_t>(p - out));
  }
  const resolved_addresses r = resolve_ip_family(h, options);
  if (r.error != errc{}) return build_result::failure(r.error);
  constexpr std::string_view tcp4 = "PROXY TCP4 ", tcp6 = "PROXY TCP6 ";
  const std::string_view prefix = r.six ? tcp6 : tcp4;
  p = write_text(p, prefix.data(), prefix.data() + prefix.size());
  for (const endpoint* e : {&h.source, &h.destination}) {
    if (r.six) {
      char text[ip_address::max_ipv6_text]{};
      const char* end = write_ipv6(text, e->address.to_v6().bytes().data());
      p = write_text(p, text, end);
    } else {
      p = write_ipv4_text(p, e->address.bytes().data());
    }
    *p++ = std::byte{' '};
  }
  p = write_port_text(p, h.source.port);
  *p++ = std::byte{' '};
  p = write_port_text(p, h.destination.port);
  *p++ = std::byte{'\r'};
  *p++ = std::byte{'\n'};
  return build_result::success(static_cast<std::size_t>(p - out));
}

// Everything `build_v2` decides before writing a byte.
struct v2_plan {
  errc error{};
  std::uint8_t fam = 0;
  std::size_t block = 0;               // address block size
  bool block_verbatim = false;         // copy h.address_block
  bool six = false;                    // INET6 with mapped IPv4
  std::size_t raw_tlv_crc = SIZE_MAX;  // CRC value offset inside h.tlv_bytes
  std::size_t items = 0;               // bytes of the tlv_items
  std::size_t padding = 0;             // bytes of the padding NOOP TLV (0 or >= 3)
  std::size_t total = 0;
};

constexpr v2_plan plan_v2(const header& h, std::span<const tlv_item> items, const build_options& options) noexcept {
  v2_plan plan;
  auto fail = [&](errc e) {
    plan.error = e;
    return plan;
  };
  // The command nibble is ORed into the version byte: any other value would
  // write a header with a wrong command or even a wrong version.
  if (h.command != command::local && h.command != command::proxy) return fail(errc::build_invalid_command);
  const auto fam_nibble = static_cast<std::uint8_t>(h.family);
  const auto transport_nibble = static_cast<std::uint8_t>(h.transport);
  if (fam_nibble > 3 || transport_nibble > 2) return fail(errc::build_invalid_family_transport);
  if (h.family == address_family::unspecified) {
    plan.fam = 0x00;  // the transport of an UNSPEC header is UNSPEC too
  } else {
    if (h.transport == transport_protocol::unspecified) return fail(errc::build_invalid_family_transport);
    plan.fam = static_cast<std::uint8_t>((fam_nibble << 4) | transport_nibble);
  }
  // A received LOCAL header (no endpoints, no paths) is re-emitted with its
  // address block as it was; one shorter than its family's size is opaque and
  // only valid with nothing after it, as the parser reads it.
  const std::size_t native = h.family == address_family::inet          ? 12
                             : h.family == address_family::inet6       ? 36
                             : h.family == address_family::unix_socket ? 2 * unix_path_size
                                                                       : 0;
  const bool received_local = h.command == command::local && native != 0 &&
                              h.source.address.family() == address_family::unspecified &&
                              h.destination.address.family() == address_family::unspecified && h.unix_source.empty() &&
                              h.unix_destination.empty();
  const bool short_block = received_local && h.address_block.size() < native;
  if (received_local) {
    if (h.address_block.size() > native) return fail(errc::build_invalid_address);
    if (short_block && (!h.tlv_bytes.empty() || !items.empty())) return fail(errc::build_invalid_address);
    plan.block = h.address_block.size();
    plan.block_verbatim = true;
  }
  switch (received_local ? address_family::unspecified : h.family) {
    case address_family::unspecified:
      break;
    case address_family::inet:
    case address_family::inet6: {
      const resolved_addresses r = resolve_ip_family(h, options);
      if (r.error != errc{}) return fail(r.error);
      plan.six = r.six;
      if (r.six) plan.fam = static_cast<std::uint8_t>(0x20 | transport_nibble);
      plan.block = r.six ? 36 : 12;
      break;
    }
    case address_family::unix_socket:
      if (h.unix_source.size() > unix_path_size || h.unix_destination.size() > unix_path_size)
        return fail(errc::build_invalid_address);
      plan.block = 2 * unix_path_size;
      break;
  }
  if (!h.tlv_bytes.empty()) {
    if (validate_tlvs(h.tlv_bytes, plan.raw_tlv_crc) != errc{}) return fail(errc::build_invalid_tlv);
  }
  bool crc_seen = plan.raw_tlv_crc != SIZE_MAX;
  for (const tlv_item& item : items) {
    const std::size_t n = options.write_invalid_tlvs ? item.size_as_given() : item.value_size();
    if (n == SIZE_MAX) return fail(errc::build_invalid_tlv);
    if (item.item_kind() == tlv_item::kind::crc32c) {
      if (crc_seen) return fail(errc::build_invalid_tlv);
      crc_seen = true;
    }
    plan.items += 3 + n;
    if (plan.items > 65535) return fail(errc::build_header_too_large);
  }
  std::size_t total = v2_fixed_size + plan.block + h.tlv_bytes.size() + plan.items;
  if (options.pad_to_size != 0) {
    if (options.pad_to_size < total) return fail(errc::build_invalid_padding);
    const std::size_t gap = options.pad_to_size - total;
    if (gap == 1 || gap == 2) return fail(errc::build_invalid_padding);
    plan.padding = gap;
  } else if (options.pad_to_multiple > 1) {
    const std::size_t m = options.pad_to_multiple;
    std::size_t gap = (m - total % m) % m;
    while (gap == 1 || gap == 2) gap += m;
    plan.padding = gap;
  }
  if (short_block && plan.padding != 0) return fail(errc::build_invalid_address);  // a NOOP after an opaque block
  total += plan.padding;
  if (total - v2_fixed_size > 65535 || total > options.max_size) return fail(errc::build_header_too_large);
  plan.total = total;
  return plan;
}

constexpr void write_v2(std::byte* out, const header& h, std::span<const tlv_item> items,
                        const v2_plan& plan) noexcept {
  std::byte* p = out;
  for (const std::uint8_t b : v2_signature) *p++ = std::byte{b};
  *p++ = std::byte(0x20 | static_cast<std::uint8_t>(h.command));
  *p++ = std::byte{plan.fam};
  const std::size_t length = plan.total - v2_fixed_size;
  *p++ = std::byte(length >> 8);
  *p++ = std::byte(length);
  if (plan.block_verbatim) {
    p = std::copy(h.address_block.begin(), h.address_block.end(), p);
  } else if (plan.block == 12 || plan.block == 36) {
    const bool six = plan.block == 36;
    for (const endpoint* e : {&h.source, &h.destination}) {
      const ip_address a = six ? e->address.to_v6() : e->address;
      for (const std::uint8_t b : a.bytes()) *p++ = std::byte{b};
    }
    for (const endpoint* e : {&h.source, &h.destination}) {
      *p++ = std::byte(e->port >> 8);
      *p++ = std::byte(e->port);
    }
  } else if (plan.block == 2 * unix_path_size) {
    for (const auto path : {h.unix_source, h.unix_destination}) {
      p = std::copy(path.begin(), path.end(), p);
      for (std::size_t i = path.size(); i < unix_path_size; ++i) *p++ = std::byte{0};
    }
  }
  std::byte* const tlvs = p;
  p = std::copy(h.tlv_bytes.begin(), h.tlv_bytes.end(), p);
  std::size_t crc_at =
      plan.raw_tlv_crc == SIZE_MAX ? SIZE_MAX : static_cast<std::size_t>(tlvs - out) + plan.raw_tlv_crc;
  for (const tlv_item& item : items) {
    if (item.item_kind() == tlv_item::kind::crc32c) crc_at = static_cast<std::size_t>(p - out) + 3;
    p = item.encode(p);
  }
  if (plan.padding != 0) (void)tlv_item::noop(plan.padding - 3).encode(p);
  if (crc_at != SIZE_MAX) {
    // The spec's order: the zeroed field is part of the finished header, then the value is stored.
    for (std::size_t i = 0; i < 4; ++i) out[crc_at + i] = std::byte{0};
    const std::uint32_t crc = crc32c({out, plan.total});
    out[crc_at] = std::byte(crc >> 24);
    out[crc_at + 1] = std::byte(crc >> 16);
    out[crc_at + 2] = std::byte(crc >> 8);
    out[crc_at + 3] = std::byte(crc);
  }
}
}  // namespace detail

namespace detail {
// The default argument of the builders: a constant, so that a call without
// options builds no options object and, inlined, tests none of them.
inline constexpr build_options default_build_options{};

// The fixed part and, for AddressSize 4 or 16, the address block of a v2
// header without TLVs; returns the size written.
template <std::size_t AddressSize>
PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr std::size_t write_v2_without_tlvs(std::byte* o, const header& h,
                                                                                std::uint32_t fixed_tail) noexcept {
  constexpr std::size_t block = AddressSize == 0 ? 0 : 2 * AddressSize + 4;
  // Everything is read before the first write: `o` may alias `h` as far as
  // the compiler knows, and reads after a write could not be combined.
  // (Never empty: cppcheck takes the loops below for reads of an empty array when AddressSize is 0.)
  std::array<std::uint8_t, AddressSize == 0 ? 1 : AddressSize> source{}, destination{};
  for (std::size_t i = 0; i < AddressSize; ++i) source[i] = h.source.address.bytes().data()[i];
  for (std::size_t i = 0; i < AddressSize; ++i) destination[i] = h.destination.address.bytes().data()[i];
  // Both ports big-endian in one word.
  const auto swapped = [](std::uint16_t port) {
    return static_cast<std::uint32_t>((port >> 8) | ((port & 0xFF) << 8));
  };
  const std::uint32_t ports = swapped(h.source.port) | (swapped(h.destination.port) << 16);

  for (std::size_t i = 0; i < v2_signature.size(); ++i) o[i] = std::byte{v2_signature[i]};
  for (std::size_t i = 0; i < 4; ++i) o[12 + i] = static_cast<std::byte>(fixed_tail >> (8 * i));
  if constexpr (AddressSize != 0) {
    for (std::size_t i = 0; i < AddressSize; ++i) o[16 + i] = std::byte{source[i]};
    for (std::size_t i = 0; i < AddressSize; ++i) o[16 + AddressSize + i] = std::byte{destination[i]};
    for (std::size_t i = 0; i < 4; ++i) o[16 + 2 * AddressSize + i] = static_cast<std::byte>(ports >> (8 * i));
  }
  return v2_fixed_size + block;
}

// Bytes 12-15 of a v2 header as a little-endian word: ver/cmd, fam, and the
// big-endian length (under 256 here).
constexpr std::uint32_t v2_fixed_tail(command c, std::uint8_t fam, std::size_t length) noexcept {
  return (0x20u | static_cast<std::uint8_t>(c)) | (std::uint32_t{fam} << 8) |
         (static_cast<std::uint32_t>(length) << 24);
}

// build_v2 for the common headers, written in place without a plan: no TLVs
// from either source, no padding, LOCAL or PROXY, and INET with two IPv4
// addresses, INET6 with two IPv6 addresses, or UNSPEC. Returns the size
// written, or 0 (nothing written) when build_v2_general must decide.
[[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr std::size_t write_v2_fast(
    std::span<std::byte> out, const header& h, std::span<const tlv_item> items, const build_options& options) noexcept {
  if (!items.empty() || !h.tlv_bytes.empty() || options.pad_to_size != 0 || options.pad_to_multiple > 1 ||
      options.max_size < v2_fixed_size + 36)
    return 0;
  // The most common header first: PROXY, TCP over IPv4; its fixed part is a constant.
  if (PROXY_PROTOCOL_DETAIL_EXPECT(h.command == command::proxy && h.family == address_family::inet &&
                                   h.transport == transport_protocol::stream && h.source.address.is_v4() &&
                                   h.destination.address.is_v4() && out.size() >= 28))
    return write_v2_without_tlvs<4>(out.data(), h, v2_fixed_tail(command::proxy, 0x11, 12));
  const auto transport_value = static_cast<std::uint8_t>(h.transport);
  if (static_cast<std::uint8_t>(h.command) > 1 || transport_value > 2) return 0;
  switch (h.family) {
    case address_family::inet:
      if (transport_value != 0 && h.source.address.is_v4() && h.destination.address.is_v4() && out.size() >= 28)
        return write_v2_without_tlvs<4>(
            out.data(), h, v2_fixed_tail(h.command, static_cast<std::uint8_t>(0x10 | transport_value), 12));
      return 0;
    case address_family::inet6:
      if (transport_value != 0 && h.source.address.is_v6() && h.destination.address.is_v6() && out.size() >= 52)
        return write_v2_without_tlvs<16>(
            out.data(), h, v2_fixed_tail(h.command, static_cast<std::uint8_t>(0x20 | transport_value), 36));
      return 0;
    case address_family::unspecified:  // no address block, fam 0x00 whatever the transport
      if (out.size() >= v2_fixed_size) return write_v2_without_tlvs<0>(out.data(), h, v2_fixed_tail(h.command, 0, 0));
      return 0;
    default:
      return 0;
  }
}

// build_v2 for everything else: plan, check, then write.
[[gnu::noinline]] constexpr build_result build_v2_general(std::span<std::byte> out, const header& h,
                                                          std::span<const tlv_item> tlvs,
                                                          const build_options& options) noexcept {
  const v2_plan plan = plan_v2(h, tlvs, options);
  if (plan.error != errc{}) return build_result::failure(plan.error);
  if (out.size() < plan.total) return build_result::failure(errc::build_buffer_too_small);
  write_v2(out.data(), h, tlvs, plan);
  return build_result::success(plan.total);
}
}  // namespace detail

/// Exact size of the v1 line `build_v1` would write for `h`, or why it
/// cannot be built. Throws nothing.
[[nodiscard]] constexpr build_result size_v1(const header& h, const build_options& options = {}) noexcept {
  std::byte scratch[v1_max_size]{};
  return detail::write_v1(scratch, h, options);
}

/// Writes the v1 line for `h` into `out` (spec 2.1):
/// `PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n` in canonical text (RFC
/// 5952 IPv6, no leading zeros), or `PROXY UNKNOWN\r\n` for LOCAL, UNSPEC
/// and anything v1 cannot carry (UNIX, DGRAM): spec 2.1 says those MUST be
/// sent as UNKNOWN, as HAProxy does. Mixed families become TCP6 with the IPv4
/// side mapped (see `build_options::map_mixed_families`).
/// On any error nothing is written. Throws nothing; at most 107 bytes.
[[nodiscard]] constexpr build_result build_v1(std::span<std::byte> out, const header& h,
                                              const build_options& options = {}) noexcept {
  // Room for the longest line: write in place (write_v1 fails before writing).
  if (out.size() >= v1_max_size) return detail::write_v1(out.data(), h, options);
  std::byte scratch[v1_max_size]{};
  const build_result r = detail::write_v1(scratch, h, options);
  if (!r) return r;
  if (out.size() < r.size()) return build_result::failure(errc::build_buffer_too_small);
  std::copy(scratch, scratch + r.size(), out.begin());
  return r;
}

/// Exact size of the v2 header `build_v2` would write, or why it cannot be
/// built. Throws nothing; O(number of TLVs).
[[nodiscard]] constexpr build_result size_v2(const header& h, std::span<const tlv_item> tlvs = {},
                                             const build_options& options = {}) noexcept {
  const detail::v2_plan plan = detail::plan_v2(h, tlvs, options);
  return plan.error != errc{} ? build_result::failure(plan.error) : build_result::success(plan.total);
}

/// Writes a v2 header for `h` into `out` (spec 2.2): signature, version 2
/// with `h.command`, family/transport, the length derived from the bytes
/// written, the address block (IPv4, IPv6 with mixed families mapped, or
/// NUL-padded UNIX paths; none for UNSPEC), then `h.tlv_bytes` verbatim (so a
/// parsed header is re-emitted as received), then `tlvs` in order, then the
/// NOOP padding of `options`. A CRC32C TLV (from either source) is computed
/// last over the finished header and stored big-endian.
///
/// The size is checked before anything is written: on any error `out` is
/// untouched, so no partial header can be sent by mistake.
/// Throws nothing; O(header size).
///
///     const std::array tlvs = {tlv_item::authority("example.com"), tlv_item::crc32c()};
///     std::array<std::byte, 256> out;
///     const auto r = build_v2(out, proxy_header(client, server), tlvs);  // r.ok(): send r.size() bytes
[[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr build_result build_v2(
    std::span<std::byte> out, const header& h, std::span<const tlv_item> tlvs = {},
    const build_options& options = detail::default_build_options) noexcept {
  if (const std::size_t size = detail::write_v2_fast(out, h, tlvs, options)) return build_result::success(size);
  return detail::build_v2_general(out, h, tlvs, options);
}

namespace detail {
// build_v1 out of line, so that build() keeps only build_v2's fast path inline.
[[gnu::noinline]] constexpr build_result build_v1_outline(std::span<std::byte> out, const header& h,
                                                          const build_options& options) noexcept {
  return build_v1(out, h, options);
}
}  // namespace detail

/// `build_v1` or `build_v2`, as `h.version` says (v1 ignores `tlvs`). Throws nothing.
[[nodiscard]] PROXY_PROTOCOL_DETAIL_ALWAYS_INLINE constexpr build_result build(
    std::span<std::byte> out, const header& h, std::span<const tlv_item> tlvs = {},
    const build_options& options = detail::default_build_options) noexcept {
  if (h.version == version::v1) return detail::build_v1_outline(out, h, options);
  return build_v2(out, h, tlvs, options);
}

/// A v2 LOCAL header with no address block, as HAProxy sends for health
/// checks: `0D0A0D0A000D0A515549540A 20 00 0000`. Throws nothing.
[[nodiscard]] constexpr header local_header() noexcept {
  header h;
  h.version = version::v2;
  h.command = command::local;
  return h;
}

/// A PROXY header for a connection between two endpoints: INET when both
/// are IPv4, INET6 otherwise (the builder maps the IPv4 side). Throws nothing.
[[nodiscard]] constexpr header proxy_header(const endpoint& source, const endpoint& destination,
                                            proxy_protocol::version v = version::v2,
                                            transport_protocol transport = transport_protocol::stream) noexcept {
  header h;
  h.version = v;
  h.command = command::proxy;
  h.transport = transport;
  h.source = source;
  h.destination = destination;
  h.family = source.address.is_v4() && destination.address.is_v4() ? address_family::inet : address_family::inet6;
  return h;
}

// ---------------------------------------------------------------------------
// 8. Socket helpers: sockaddr in and out (nothing in parsing needs them)
// ---------------------------------------------------------------------------
#if PROXY_PROTOCOL_HAS_SOCKETS

/// The endpoint of an AF_INET or AF_INET6 `sockaddr` (as returned by
/// `getpeername` / `getsockname`); `std::nullopt` for other families or a
/// length too short for the family. Throws nothing.
[[nodiscard]] inline std::optional<endpoint> to_endpoint(const sockaddr* address, socklen_t length) noexcept {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), &in.sin_addr, 4);
    return endpoint{ip_address::v4(b), ntohs(in.sin_port)};
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &in6.sin6_addr, 16);
    return endpoint{ip_address::v6(b), ntohs(in6.sin6_port)};
  }
  return std::nullopt;
}

/// A PROXY header describing a connection from its two socket addresses:
/// `source` is the client (`getpeername` on an accepted socket), `destination`
/// the address it connected to (`getsockname`). AF_INET and AF_INET6
/// (IPv4-mapped kept as is; the builder writes mixed families as HAProxy
/// does) give INET / INET6; two AF_UNIX addresses give UNIX whose paths
/// point into the `sockaddr_un` objects, which must outlive the header.
/// Anything else gives a header with family UNSPEC (v1 `UNKNOWN`).
/// Throws nothing.
[[nodiscard]] inline header header_from_sockets(const sockaddr* source, socklen_t source_length,
                                                const sockaddr* destination, socklen_t destination_length,
                                                proxy_protocol::version v = version::v2,
                                                transport_protocol transport = transport_protocol::stream) noexcept {
  header h;
  h.version = v;
  h.command = command::proxy;
  const auto s = to_endpoint(source, source_length);
  const auto d = to_endpoint(destination, destination_length);
  if (s && d) return proxy_header(*s, *d, v, transport);
  if (source != nullptr && destination != nullptr && source->sa_family == AF_UNIX &&
      destination->sa_family == AF_UNIX) {
    auto path = [](const sockaddr* a, socklen_t length) {
      const auto* un = reinterpret_cast<const sockaddr_un*>(a);
      const auto offset = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path));
      std::size_t n = length > offset ? static_cast<std::size_t>(length - offset) : 0;
      n = std::min(n, std::min(sizeof(un->sun_path), unix_path_size));
      return std::span<const std::byte>{reinterpret_cast<const std::byte*>(un->sun_path), n};
    };
    h.family = address_family::unix_socket;
    h.transport = transport;
    h.unix_source = path(source, source_length);
    h.unix_destination = path(destination, destination_length);
  }
  return h;
}

/// Writes `e` as a `sockaddr_in` / `sockaddr_in6` into `out` and returns its
/// length, or 0 when the address is unspecified. Throws nothing.
[[nodiscard]] inline socklen_t to_sockaddr(const endpoint& e, sockaddr_storage& out) noexcept {
  out = sockaddr_storage{};
  if (e.address.is_v4()) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(e.port);
    std::memcpy(&in.sin_addr, e.address.bytes().data(), 4);
    std::memcpy(&out, &in, sizeof in);
    return static_cast<socklen_t>(sizeof in);
  }
  if (e.address.is_v6()) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(e.port);
    std::memcpy(&in6.sin6_addr, e.address.bytes().data(), 16);
    std::memcpy(&out, &in6, sizeof in6);
    return static_cast<socklen_t>(sizeof in6);
  }
  return 0;
}

#endif  // PROXY_PROTOCOL_HAS_SOCKETS

// ---------------------------------------------------------------------------
// 9. Trust policy: which peers may send a header (socket-free)
// ---------------------------------------------------------------------------
//
// The spec (section 4, "no guessing") says a receiver must know that a
// header is coming and should only take one from the proxies it trusts. A
// listener that requires headers therefore has exactly two answers for a new
// connection: the peer is a trusted proxy, so a header is required before
// anything else; or it is not, and the connection is closed. There is no
// third answer ("no header, serve it with its socket address"): sniffing for
// a header is how spoofed client addresses get in.

/// A block of addresses in CIDR notation, such as `10.0.0.0/8` or
/// `2001:db8::/32`: the proxies allowed to send a PROXY header.
/// A default-constructed `cidr` contains nothing. Throws nothing.
class cidr {
 public:
  constexpr cidr() noexcept = default;

  /// The block `network/prefix_length`, or `std::nullopt` when the network is
  /// unspecified, the prefix is longer than the family's width (32 or 128),
  /// or bits after the prefix are set: `10.0.0.1/8` is refused rather than
  /// silently widened, since it is more likely a typo for `/32` than a wish
  /// to trust 16 million addresses.
  [[nodiscard]] static constexpr std::optional<cidr> make(const ip_address& network, unsigned prefix_length) noexcept {
    const std::span<const std::uint8_t> bytes = network.bytes();
    if (bytes.empty() || prefix_length > 8 * bytes.size()) return std::nullopt;
    for (std::size_t bit = prefix_length; bit < 8 * bytes.size(); ++bit)
      if ((bytes[bit / 8] >> (7 - bit % 8)) & 1u) return std::nullopt;
    cidr c;
    c.network_ = network;
    c.prefix_length_ = static_cast<std::uint8_t>(prefix_length);
    return c;
  }

  /// The first address of the block (bits after the prefix are zero).
  [[nodiscard]] constexpr const ip_address& network() const noexcept { return network_; }
  /// Number of leading bits that are fixed: 0-32 (IPv4) or 0-128 (IPv6).
  [[nodiscard]] constexpr unsigned prefix_length() const noexcept { return prefix_length_; }

  /// True when `peer` lies in the block. The answer does not depend on how
  /// the socket spelled the peer: an IPv4 peer seen through a dual-stack
  /// IPv6 socket (`::ffff:10.1.2.3`) is in `10.0.0.0/8`, and an IPv4 peer is
  /// in an IPv6 block that contains its IPv4-mapped form (`::ffff:0:0/96`,
  /// `::/0`). An unspecified peer is in no block.
  [[nodiscard]] constexpr bool contains(const ip_address& peer) const noexcept {
    const ip_address candidate = network_.is_v4() ? peer.unmapped() : peer.to_v6();
    if (candidate.family() != network_.family() || network_.family() == address_family::unspecified) return false;
    const std::span<const std::uint8_t> a = candidate.bytes();
    const std::span<const std::uint8_t> n = network_.bytes();
    const std::size_t full_bytes = prefix_length_ / 8u;
    for (std::size_t i = 0; i < full_bytes; ++i)
      if (a[i] != n[i]) return false;
    const unsigned rest = prefix_length_ % 8u;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
    return (a[full_bytes] & mask) == n[full_bytes];
  }

  /// Same network and prefix length.
  friend constexpr bool operator==(const cidr&, const cidr&) noexcept = default;

 private:
  ip_address network_;
  std::uint8_t prefix_length_ = 0;
};

/// Parses `10.0.0.0/8`, `2001:db8::/32` or `::ffff:10.0.0.0/104`; an address
/// without a prefix is a single host (`/32` or `/128`). Strict, like the
/// rest of the library: IPv4 without leading zeros, IPv6 in RFC 4291 forms
/// without zone id, the prefix in decimal without sign or leading zero, no
/// spaces, and the bits after the prefix zero (see `cidr::make`).
/// Usable in constant expressions; throws nothing.
[[nodiscard]] constexpr std::optional<cidr> parse_cidr(std::string_view text) noexcept {
  const std::size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  if (address.empty() || address.size() > ip_address::max_ipv6_text) return std::nullopt;
  std::array<std::byte, ip_address::max_ipv6_text> chars{};
  for (std::size_t i = 0; i < address.size(); ++i) chars[i] = static_cast<std::byte>(address[i]);
  const std::byte* const first = chars.data();
  const std::byte* const last = first + address.size();
  std::array<std::uint8_t, 16> b{};
  ip_address network;
  if (detail::parse_ipv4(first, last, b.data()))
    network = ip_address::v4({b[0], b[1], b[2], b[3]});
  else if (detail::parse_ipv6(first, last, b.data()))
    network = ip_address::v6(b);
  else
    return std::nullopt;
  const unsigned width = network.is_v4() ? 32u : 128u;
  if (slash == std::string_view::npos) return cidr::make(network, width);
  const std::string_view digits = text.substr(slash + 1);
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  unsigned prefix_length = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix_length = prefix_length * 10 + static_cast<unsigned>(c - '0');
  }
  return cidr::make(network, prefix_length);
}

/// `10.0.0.0/8`, `2001:db8::/32`; empty for a default-constructed `cidr`.
/// Throws nothing.
[[nodiscard]] constexpr address_text to_text(const cidr& block) noexcept {
  address_text t = to_text(block.network());
  if (t.size == 0) return t;
  char* p = t.buffer.data() + t.size;
  *p++ = '/';
  p = detail::write_decimal(p, block.prefix_length());
  t.size = static_cast<std::size_t>(p - t.buffer.data());
  return t;
}

/// What a listener that requires PROXY headers does with a new connection.
enum class trust_decision : std::uint8_t {
  require_header,     ///< a trusted proxy: read the header before anything else; without one, close
  reject_connection,  ///< anyone else: close at once, without reading or answering anything
};

/// The decision for a connection from `peer` (the socket's own peer address,
/// `getpeername`, never an address taken from a header) when only the
/// proxies in `trusted_proxies` may connect. An empty list trusts nobody, so
/// a forgotten configuration fails closed. O(size of the list); no
/// allocation; usable in constant expressions; throws nothing.
///
/// @par Example
///     constexpr std::array trusted{*parse_cidr("10.0.0.0/8"), *parse_cidr("::1")};
///     if (decide_trust(trusted, peer.address) == trust_decision::reject_connection) close(fd);
[[nodiscard]] constexpr trust_decision decide_trust(std::span<const cidr> trusted_proxies,
                                                    const ip_address& peer) noexcept {
  for (const cidr& block : trusted_proxies)
    if (block.contains(peer)) return trust_decision::require_header;
  return trust_decision::reject_connection;
}

}  // namespace proxy_protocol

template <>
struct std::is_error_code_enum<proxy_protocol::errc> : std::true_type {};

#endif  // PROXY_PROTOCOL_HPP
