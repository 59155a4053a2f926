// One test per class of published bug in other implementations (see README,
// "Lessons from other implementations"). Each names the advisory it guards against.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;
using test_support::hex_bytes;

namespace {

const std::string v2_inet = "0d0a0d0a000d0a515549540a2111000cc0000201c6336402dc0401bb";

TEST_CASE("CVE-2021-23351 (go-proxyproto): a v1 line is never read past 107 bytes", "[cve]") {
  const std::string endless = "PROXY TCP4 " + std::string(100000, '1');
  CHECK(pp::parse(as_span(endless)).error() == pp::errc::v1_line_too_long);
  CHECK(pp::parse(as_span(std::string_view(endless).substr(0, 106))).incomplete());
  CHECK(pp::parse(as_span(std::string_view(endless).substr(0, 107))).error() == pp::errc::v1_line_too_long);
}

TEST_CASE("go-proxyproto fam 0x13 panic: undefined family/transport bytes are rejected, LOCAL too", "[cve]") {
  const std::pair<const char*, pp::errc> cases[] = {{"2113000c", pp::errc::v2_bad_transport},
                                                    {"2013000c", pp::errc::v2_bad_transport},
                                                    {"2103000c", pp::errc::v2_bad_transport},
                                                    {"2143000c", pp::errc::v2_bad_family},
                                                    {"2014000c", pp::errc::v2_bad_transport}};
  for (const auto& [fixed, code] : cases) {
    INFO(fixed);
    const auto r_bytes = hex_bytes(std::string("0d0a0d0a000d0a515549540a") + fixed +
                                   "c0000201c6336402dc0401bb");  // the result's views point into it
    const auto r = pp::parse(r_bytes);
    CHECK(r.error() == code);
  }
}

TEST_CASE("CVE-2022-41881 (Netty): SSL sub-TLVs are one level, nested SSL bytes are not descended", "[cve]") {
  // An SSL TLV whose sub-TLV is itself typed 0x20 and "contains" further SSL TLVs, 1000 deep.
  std::vector<std::byte> tlv;
  std::size_t depth = 1000;
  std::vector<std::byte> inner;
  for (std::size_t i = 0; i < depth; ++i) {
    std::vector<std::byte> wrapped = {std::byte{0x20},
                                      static_cast<std::byte>((inner.size() + 5) >> 8),
                                      static_cast<std::byte>(inner.size() + 5),
                                      std::byte{1},
                                      std::byte{0},
                                      std::byte{0},
                                      std::byte{0},
                                      std::byte{0}};
    wrapped.insert(wrapped.end(), inner.begin(), inner.end());
    inner = std::move(wrapped);
  }
  auto in = hex_bytes(v2_inet);
  const std::size_t len = 12 + inner.size();
  in[14] = static_cast<std::byte>(len >> 8);
  in[15] = static_cast<std::byte>(len);
  in.insert(in.end(), inner.begin(), inner.end());
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  const auto ssl = r->ssl();
  REQUIRE(ssl);
  CHECK(ssl->sub_tlvs.count() == 1);  // the nested bytes are one opaque sub-TLV
}

TEST_CASE("CVE-2019-14243 / CVE-2019-10097 / httpd #683: length shorter than the address block", "[cve]") {
  for (const char* fixed : {"21110000", "2111000b", "21210000", "21210023", "21310000", "213100d7"}) {
    INFO(fixed);
    const auto r_bytes = hex_bytes(std::string("0d0a0d0a000d0a515549540a") + fixed +
                                   std::string(400, '0'));  // the result's views point into it
    const auto r = pp::parse(r_bytes);
    CHECK(r.error() == pp::errc::v2_length_too_short);
  }
}

TEST_CASE("HAProxy 7209c204b/488ee7fb6, ATS #12141: TLVs never come from past the header", "[cve]") {
  // Application bytes that look like TLVs follow a header without TLVs.
  const auto in = hex_bytes(v2_inet + "02000b6578616d706c652e636f6d");
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  CHECK(r.consumed() == 28);
  CHECK(r->tlvs().empty());
  CHECK_FALSE(r->authority());
}

TEST_CASE("CVE-2024-23327 (Envoy): LOCAL without addresses is a first-class state, and re-emits", "[cve]") {
  const auto r_bytes = hex_bytes("0d0a0d0a000d0a515549540a20000000");  // the result's views point into it
  const auto r = pp::parse(r_bytes);
  REQUIRE(r.ok());
  CHECK_FALSE(r->has_addresses());
  std::array<std::byte, 64> out{};
  const auto v2 = pp::build_v2(out, *r);
  REQUIRE(v2.ok());
  CHECK(test_support::to_hex(std::span(out).first(v2.size())) == "0d0a0d0a000d0a515549540a20000000");
  const auto v1 = pp::build_v1(out, *r);
  REQUIRE(v1.ok());
  CHECK(std::string_view(reinterpret_cast<const char*>(out.data()), v1.size()) == "PROXY UNKNOWN\r\n");
}

TEST_CASE("CVE-2024-23324 (Envoy): TLV values are bytes, non-UTF-8 included", "[cve]") {
  auto in = hex_bytes("0d0a0d0a000d0a515549540a21110013c0000201c6336402dc0401bb020004c328ff00");
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  CHECK(test_support::to_hex(r->find(pp::tlv_type::authority)->value) == "c328ff00");
}

TEST_CASE("ppp #28: a lone CR at the end of a v1 prefix is need-more, not a crash", "[cve]") {
  CHECK(pp::parse(as_span("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r")).incomplete());
  CHECK(pp::parse(as_span("PROXY UNKNOWN\r")).incomplete());
  CHECK(pp::parse(as_span("PROXY\r")).incomplete());
  CHECK(pp::parse(as_span("\r")).incomplete());  // also the v2 signature's first byte
  CHECK(pp::parse(as_span("\r\r")).error() == pp::errc::not_proxy_header);
}

TEST_CASE("GHSA-c2c3-pqw5-5p7c (go-guerrilla): one parse consumes one header only", "[cve]") {
  // Stacked headers (AWS NLB can prepend one to another): the second is left to the caller.
  const auto two = hex_bytes(v2_inet + v2_inet);
  const auto r = pp::parse(two);
  REQUIRE(r.ok());
  CHECK(r.consumed() == 28);
}

TEST_CASE("libproxyprotocol byte order: CRC32C is big-endian, as HAProxy writes it", "[cve]") {
  CHECK(pp::parse(hex_bytes("0d0a0d0a000d0a515549540a21110013c0000201c6336402dc0401bb03000420ec9549")).ok());
  CHECK(pp::parse(hex_bytes("0d0a0d0a000d0a515549540a21110013c0000201c6336402dc0401bb0300044995ec20")).error() ==
        pp::errc::v2_crc32c_mismatch);
}

TEST_CASE("Envoy #42075: duplicate TLV types survive parsing and re-emitting", "[cve]") {
  const auto in = hex_bytes("0d0a0d0a000d0a515549540a21110014c0000201c6336402dc0401bb0200016102000162");
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  CHECK(r->tlvs().count() == 2);
  std::array<std::byte, 64> out{};
  const auto b = pp::build_v2(out, *r);
  CHECK(std::equal(in.begin(), in.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(b.size())));
}

TEST_CASE("CVE-2026-47692 (Envoy): the builder's length field matches the bytes it wrote", "[cve]") {
  const pp::tlv_item items[] = {pp::tlv_item::authority("example.com"), pp::tlv_item::noop(100),
                                pp::tlv_item::unique_id("id"), pp::tlv_item::crc32c()};
  std::array<std::byte, 512> out{};
  const auto b = pp::build_v2(
      out, pp::proxy_header({pp::ip_address::v4(0x7f000001u), 1}, {pp::ip_address::v4(0x7f000001u), 2}), items);
  REQUIRE(b.ok());
  const std::size_t length = (std::to_integer<std::size_t>(out[14]) << 8) | std::to_integer<std::size_t>(out[15]);
  CHECK(16 + length == b.size());
  const auto r = pp::parse(std::span(out).first(b.size()));
  REQUIRE(r.ok());
  CHECK(r.consumed() == b.size());
}

}  // namespace
