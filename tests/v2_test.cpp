// Version 2 binary header (spec 2.2): layout, families, LOCAL, limits and TLV validation.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::hex_bytes;
using test_support::text;

namespace {

constexpr std::string_view sig = "0d0a0d0a000d0a515549540a";
constexpr std::string_view inet_block = "c0000201c6336402dc0401bb";  // 192.0.2.1:56324 -> 198.51.100.2:443

// The header's hex: signature, then the parts in order.
std::vector<std::byte> v2(std::string_view ver_cmd_fam_len, std::string_view rest = "", std::string_view tlvs = "") {
  std::string text(sig);
  text.append(ver_cmd_fam_len).append(rest).append(tlvs);
  return hex_bytes(text);
}

TEST_CASE("v2 PROXY over IPv4, IPv6 and UNIX decodes addresses and ports", "[v2]") {
  SECTION("TCP over IPv4 (V16)") {
    const auto in = v2("2111000c", inet_block);
    const auto r = pp::parse_v2(in);
    REQUIRE(r.ok());
    CHECK(r.consumed() == 28);
    CHECK(r->command == pp::command::proxy);
    CHECK(r->family == pp::address_family::inet);
    CHECK(r->transport == pp::transport_protocol::stream);
    CHECK(text(r->source.address) == "192.0.2.1");
    CHECK(r->source.port == 56324);
    CHECK(text(r->destination.address) == "198.51.100.2");
    CHECK(r->destination.port == 443);
    CHECK(r->address_block.size() == 12);
    CHECK(r->tlv_bytes.empty());
  }
  SECTION("UDP over IPv6") {
    const auto in = v2("21220024", "20010db8000000000000000000000001 20010db8000000000000000000000002 04d2 01bb");
    const auto r = pp::parse_v2(in);
    REQUIRE(r.ok());
    CHECK(r->family == pp::address_family::inet6);
    CHECK(r->transport == pp::transport_protocol::datagram);
    CHECK(text(r->source.address) == "2001:db8::1");
    CHECK(text(r->destination.address) == "2001:db8::2");
    CHECK(r->source.port == 1234);
    CHECK(r->destination.port == 443);
  }
  SECTION("UNIX stream and datagram carry two raw 108-byte paths") {
    for (const char* fam : {"2131", "2132"}) {
      std::string block =
          test_support::to_hex(test_support::as_span("/run/src.sock")) + std::string((108 - 13) * 2, '0') +
          test_support::to_hex(test_support::as_span("/run/dst.sock")) + std::string((108 - 13) * 2, '0');
      const auto in = v2(std::string(fam) + "00d8", block);
      const auto r = pp::parse_v2(in);
      REQUIRE(r.ok());
      CHECK(r->family == pp::address_family::unix_socket);
      REQUIRE(r->unix_source.size() == 108);
      REQUIRE(r->unix_destination.size() == 108);
      CHECK(std::string_view(reinterpret_cast<const char*>(r->unix_source.data())).substr(0, 13) == "/run/src.sock");
      CHECK(std::to_integer<int>(r->unix_destination[5]) == 'd');
      CHECK(r->has_addresses());
      CHECK_FALSE(r->source.address.is_v4());
    }
  }
}

TEST_CASE("v2 LOCAL skips the family's address block and still checks its TLVs", "[v2][local]") {
  SECTION("health check: LOCAL UNSPEC, length 0 (V18)") {
    const auto r_bytes = v2("20000000");  // the result's views point into it
    const auto r = pp::parse_v2(r_bytes);
    REQUIRE(r.ok());
    CHECK(r->command == pp::command::local);
    CHECK_FALSE(r->has_addresses());
    CHECK(r.consumed() == 16);
  }
  SECTION("LOCAL with an INET block: block skipped, addresses not exposed (V19)") {
    const auto r_bytes = v2("2011000c", "0a0000010a00000200000000");  // the result's views point into it
    const auto r = pp::parse_v2(r_bytes);
    REQUIRE(r.ok());
    CHECK(r->family == pp::address_family::inet);
    CHECK_FALSE(r->has_addresses());
    CHECK(r->source.address.family() == pp::address_family::unspecified);
    CHECK(r->address_block.size() == 12);
    CHECK(r->tlv_bytes.empty());
  }
  SECTION("LOCAL with an INET block and an AUTHORITY TLV after it") {
    CHECK(pp::parse_v2(v2("20110012", inet_block, "020004616263")).error() == pp::errc::v2_tlv_truncated);
    const auto ok_bytes = v2("20110013", inet_block, "02000461626364");  // the result's views point into it
    const auto ok = pp::parse_v2(ok_bytes);
    REQUIRE(ok.ok());
    CHECK(ok->authority() == "abcd");
  }
  SECTION("LOCAL with a wrong CRC32C is rejected (V36)") {
    CHECK(pp::parse_v2(v2("20000007", "030004deadbeef")).error() == pp::errc::v2_crc32c_mismatch);
  }
  SECTION("LOCAL with an undefined family nibble is rejected, as for PROXY") {
    CHECK(pp::parse_v2(v2("20450005", "0102030405")).error() == pp::errc::v2_bad_family);
  }
}

TEST_CASE("v2 LOCAL with a block shorter than its family's is accepted as opaque bytes", "[v2][local]") {
  // HAProxy 2.6 and 3.5 accept it; the spec ignores LOCAL's address block. PROXY must have it.
  for (const char* fixed : {"20110000", "20110005", "2021000b", "203100d7"}) {
    INFO(fixed);
    auto in = v2(fixed);
    const std::size_t len = std::stoul(std::string(fixed).substr(4), nullptr, 16);
    in.resize(16 + len, std::byte{0x01});
    const auto r = pp::parse_v2(in);
    REQUIRE(r.ok());
    CHECK(r.consumed() == 16 + len);
    CHECK(r->address_block.size() == len);
    CHECK(r->tlv_bytes.empty());
    CHECK_FALSE(r->has_addresses());
    std::array<std::byte, 300> out{};
    const auto again = pp::build_v2(out, *r);  // re-emitted as received
    REQUIRE(again.ok());
    CHECK(test_support::to_hex(std::span(out).first(again.size())) == test_support::to_hex(in));
    in[12] = std::byte{0x21};  // the same as PROXY
    CHECK(pp::parse_v2(in).error() == pp::errc::v2_length_too_short);
  }
}

TEST_CASE("v2 PROXY with UNSPEC or DGRAM is accepted, never guessed", "[v2]") {
  const auto unspec_bytes = v2("21000000");        // the result's views point into it
  const auto unspec = pp::parse_v2(unspec_bytes);  // V21
  REQUIRE(unspec.ok());
  CHECK(unspec->command == pp::command::proxy);
  CHECK_FALSE(unspec->has_addresses());
  pp::parse_options strict;
  strict.reject_proxy_unspecified = true;
  CHECK(pp::parse_v2(v2("21000000"), strict).error() == pp::errc::v2_proxy_unspecified_rejected);
  // LOCAL is not affected: whole, with TLVs, as a prefix, or faulty (its own code).
  CHECK(pp::parse_v2(v2("20000000"), strict).ok());
  CHECK(pp::parse_v2(v2("20000003", "", "000000"), strict).ok());
  CHECK(pp::parse_v2(v2("20"), strict).incomplete());
  CHECK(pp::parse_v2(v2("2000"), strict).incomplete());
  CHECK(pp::parse_v2(v2("200000"), strict).incomplete());
  CHECK(pp::parse_v2(v2("20000001", "", "00"), strict).error() == pp::errc::v2_tlv_truncated);
  CHECK(pp::parse_v2(v2("2011000b", "c0000201c6336402dc0401"), strict).ok());  // LOCAL's short block: opaque
  CHECK(pp::parse(v2("20000003", "", "000000"), strict).ok());
  // Reported at byte 13, before a caller buffers the rest.
  CHECK(pp::parse_v2(v2("2100"), strict).error() == pp::errc::v2_proxy_unspecified_rejected);
  CHECK(pp::parse_v2(v2("2100ffff"), strict).error() == pp::errc::v2_proxy_unspecified_rejected);
  CHECK(pp::parse_v2(v2("2100000100"), strict).error() == pp::errc::v2_proxy_unspecified_rejected);

  const auto udp_bytes = v2("2112000c", inet_block);  // the result's views point into it
  const auto udp = pp::parse_v2(udp_bytes);           // V20
  REQUIRE(udp.ok());
  CHECK(udp->transport == pp::transport_protocol::datagram);
  CHECK(udp->source.port == 56324);
}

struct rejected_header {
  const char* what;
  std::string_view fixed;
  std::string_view rest;
  pp::errc error;
};

const rejected_header rejected_headers[] = {
    {"version 1 (V23)", "1111000c", inet_block, pp::errc::v2_bad_version},
    {"version 3", "3111000c", inet_block, pp::errc::v2_bad_version},
    {"command 2 (V24)", "2211000c", inet_block, pp::errc::v2_bad_command},
    {"command 15", "2f11000c", inet_block, pp::errc::v2_bad_command},
    {"family 4 (V25)", "2141000c", inet_block, pp::errc::v2_bad_family},
    {"family 15", "21f1000c", inet_block, pp::errc::v2_bad_family},
    {"transport 3", "2113000c", inet_block, pp::errc::v2_bad_transport},
    {"INET with UNSPEC transport", "2110000c", inet_block, pp::errc::v2_unlisted_family_transport},
    {"UNSPEC with STREAM transport", "21010000", "", pp::errc::v2_unlisted_family_transport},
    {"UNIX with UNSPEC transport", "21300000", "", pp::errc::v2_unlisted_family_transport},
    {"length 8 < 12 (V22)", "21110008", "c0000201c6336402", pp::errc::v2_length_too_short},
    {"length 0 with INET", "21110000", "", pp::errc::v2_length_too_short},
    {"length 35 with INET6", "21210023", std::string_view("00"), pp::errc::v2_length_too_short},
    {"length 215 with UNIX", "213100d7", "", pp::errc::v2_length_too_short},
    {"TLV overruns (V26)", "21110014", "c0000201c6336402dc0401bb02000a3132333435", pp::errc::v2_tlv_truncated},
    {"2 stray bytes (V27)", "2111000e", "c0000201c6336402dc0401bb0000", pp::errc::v2_tlv_truncated},
    {"1 stray byte", "2111000d", "c0000201c6336402dc0401bb04", pp::errc::v2_tlv_truncated},
    {"stray bytes after a TLV", "21110011", "c0000201c6336402dc0401bb0400000102", pp::errc::v2_tlv_truncated},
    {"CRC mismatch (V29)", "21110013", "c0000201c6336402dc0401bb030004deadbeef", pp::errc::v2_crc32c_mismatch},
    {"CRC little-endian", "21110013", "c0000201c6336402dc0401bb0300044995ec20", pp::errc::v2_crc32c_mismatch},
    {"CRC length 5", "21110014", "c0000201c6336402dc0401bb03000520ec954900", pp::errc::v2_crc32c_bad_length},
    {"CRC length 0", "2111000f", "c0000201c6336402dc0401bb030000", pp::errc::v2_crc32c_bad_length},
    {"two CRC TLVs", "2111001a", "c0000201c6336402dc0401bb0300040000000003000400000000", pp::errc::v2_crc32c_duplicate},
    {"SSL shorter than 5", "21110012", "c0000201c6336402dc0401bb200003010000", pp::errc::v2_ssl_too_short},
    {"SSL sub-TLV overruns", "21110018", "c0000201c6336402dc0401bb200009010000000021000554",
     pp::errc::v2_ssl_sub_tlv_truncated},
    {"SSL 1 stray sub byte", "21110015", "c0000201c6336402dc0401bb2000060100000000ff",
     pp::errc::v2_ssl_sub_tlv_truncated},
};

TEST_CASE("v2 rejects malformed headers with their specific code", "[v2]") {
  for (const auto& c : rejected_headers) {
    INFO(c.what);
    const auto in = v2(c.fixed, c.rest);
    const auto r = pp::parse_v2(in);
    REQUIRE(r.failed());
    CHECK(r.error() == c.error);
  }
}

TEST_CASE("v2 UNIQUE_ID may hold 128 bytes, not 129", "[v2][tlv]") {
  const auto make = [](std::size_t n) {
    std::vector<std::byte> in = v2("2111" + std::string(4, '0'), inet_block);
    in.push_back(std::byte{0x05});
    in.push_back(static_cast<std::byte>(n >> 8));
    in.push_back(static_cast<std::byte>(n));
    in.insert(in.end(), n, std::byte{'u'});
    const std::size_t len = in.size() - 16;
    in[14] = static_cast<std::byte>(len >> 8);
    in[15] = static_cast<std::byte>(len);
    return in;
  };
  const auto ok = make(128);
  REQUIRE(pp::parse_v2(ok).ok());
  CHECK(pp::parse_v2(ok)->unique_id()->size() == 128);
  CHECK(pp::parse_v2(make(129)).error() == pp::errc::v2_unique_id_too_long);
}

TEST_CASE("v2 reports faults in the fixed part as soon as their byte arrives", "[v2][incremental]") {
  const auto bad_sig = hex_bytes("0d0a0d0a000e");
  CHECK(pp::parse_v2(bad_sig).error() == pp::errc::not_proxy_header);
  CHECK(pp::parse_v2(v2("11")).error() == pp::errc::v2_bad_version);
  CHECK(pp::parse_v2(v2("22")).error() == pp::errc::v2_bad_command);
  CHECK(pp::parse_v2(v2("2151")).error() == pp::errc::v2_bad_family);
  CHECK(pp::parse_v2(v2("2110")).error() == pp::errc::v2_unlisted_family_transport);
  CHECK(pp::parse_v2(v2("2111")).bytes_needed() == 2);
  CHECK(pp::parse_v2(v2("211100")).bytes_needed() == 1);
  CHECK(pp::parse_v2(v2("2111000c")).bytes_needed() == 12);
  CHECK(pp::parse_v2(v2("2111000c", "c000")).bytes_needed() == 10);
  CHECK(pp::parse_v2(v2("")).bytes_needed() == 4);
}

TEST_CASE("v2 max_header_size rejects a large length before its bytes arrive", "[v2][options]") {
  pp::parse_options small;
  small.max_header_size = 4096;
  const auto fixed_only = v2("2111ffff");
  CHECK(pp::parse_v2(fixed_only).incomplete());
  CHECK(pp::parse_v2(fixed_only).bytes_needed() == 65535);
  CHECK(pp::parse_v2(fixed_only, small).error() == pp::errc::v2_header_too_large);
  // 16 + 4080 = 4096 is still fine.
  CHECK(pp::parse_v2(v2("21110ff0"), small).incomplete());
  CHECK(pp::parse_v2(v2("21110ff1"), small).error() == pp::errc::v2_header_too_large);
}

TEST_CASE("v2 spec maximum: a 65551-byte header with one NOOP TLV", "[v2][limits]") {
  std::vector<std::byte> in = v2("2111ffff", inet_block);
  const std::size_t noop = 65535 - 12 - 3;
  in.push_back(std::byte{0x04});
  in.push_back(static_cast<std::byte>(noop >> 8));
  in.push_back(static_cast<std::byte>(noop & 0xFF));
  in.resize(pp::v2_max_size, std::byte{0});
  const auto r = pp::parse_v2(in);
  REQUIRE(r.ok());
  CHECK(r.consumed() == 65551);
  CHECK(r->noop()->size() == noop);
}

TEST_CASE("v2 option allow_unlisted_family_transport treats them as UNSPEC", "[v2][options]") {
  pp::parse_options lenient;
  lenient.allow_unlisted_family_transport = true;
  const auto r_bytes = v2("21100004", "04000100");  // the result's views point into it
  const auto r = pp::parse_v2(r_bytes, lenient);
  REQUIRE(r.ok());
  CHECK(r->family == pp::address_family::unspecified);
  CHECK(r->address_block.empty());
  CHECK(r->tlvs().count() == 1);
  CHECK(pp::parse_v2(v2("21410000"), lenient).error() == pp::errc::v2_bad_family);  // undefined nibbles stay rejected
}

TEST_CASE("v2 option verify_crc32c=false accepts a wrong checksum but keeps its value", "[v2][options]") {
  pp::parse_options no_crc;
  no_crc.verify_crc32c = false;
  const auto r_bytes = v2("21110013", inet_block, "030004deadbeef");  // the result's views point into it
  const auto r = pp::parse_v2(r_bytes, no_crc);
  REQUIRE(r.ok());
  CHECK(r->crc32c() == 0xdeadbeefu);
}

}  // namespace
