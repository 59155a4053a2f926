// TLV iteration, SSL sub-TLVs and typed accessors (spec 2.2.1-2.2.8, vendor TLVs).
#include <catch2/catch.hpp>

#include <iterator>
#include <ranges>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::hex_bytes;
using test_support::to_hex;

namespace {

// v2 PROXY TCP4 192.0.2.1:56324 -> 198.51.100.2:443 followed by `tlvs` (hex).
std::vector<std::byte> with_tlvs(std::string_view tlvs) {
  auto t = hex_bytes(tlvs);
  auto in = hex_bytes("0d0a0d0a000d0a515549540a21110000c0000201c6336402dc0401bb");
  const std::size_t len = 12 + t.size();
  in[14] = static_cast<std::byte>(len >> 8);
  in[15] = static_cast<std::byte>(len);
  in.insert(in.end(), t.begin(), t.end());
  return in;
}

static_assert(std::forward_iterator<pp::tlv_range::iterator>);
#if defined(__cpp_lib_ranges)  // libc++ 14 ships <ranges> incomplete
static_assert(std::ranges::forward_range<pp::tlv_range>);
#endif

TEST_CASE("TLVs iterate in wire order and keep duplicates and unknown types", "[tlv]") {
  const auto in = with_tlvs("020001 61  020001 62  f00002 0102  e10000  ff0001 00  020001 63");
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  std::vector<std::pair<int, std::string>> seen;
  for (const pp::tlv t : r->tlvs()) seen.emplace_back(t.type, to_hex(t.value));
  const std::vector<std::pair<int, std::string>> expected = {{0x02, "61"}, {0x02, "62"}, {0xF0, "0102"},
                                                             {0xE1, ""},   {0xFF, "00"}, {0x02, "63"}};
  CHECK(seen == expected);
  CHECK(r->tlvs().count() == 6);
  CHECK(r->authority() == "a");  // the first of duplicates
  CHECK(std::distance(r->tlvs().begin(), r->tlvs().end()) == 6);
  CHECK_FALSE(r->find(0x30));
}

TEST_CASE("typed accessors for the registry's TLVs", "[tlv]") {
  const auto in = with_tlvs(
      "010002 6832"                    // ALPN h2
      "02000b 6578616d706c652e636f6d"  // AUTHORITY example.com
      "040003 000000"                  // NOOP
      "050004 01020304"                // UNIQUE_ID
      "300004 626c7565");              // NETNS blue
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  CHECK(r->alpn() == "h2");
  CHECK(r->authority() == "example.com");
  CHECK(r->noop()->size() == 3);
  CHECK(to_hex(*r->unique_id()) == "01020304");
  CHECK(r->netns() == "blue");
  CHECK_FALSE(r->crc32c());
  CHECK_FALSE(r->ssl());
  CHECK_FALSE(r->aws_vpc_endpoint_id());
  CHECK_FALSE(r->azure_private_endpoint_link_id());
  CHECK_FALSE(r->gcp_psc_connection_id());
}

TEST_CASE("SSL TLV: client bits, verify and every sub-type 0x21-0x28", "[tlv][ssl]") {
  const auto in = with_tlvs(
      "200043 05 00000001"
      "210007 544c5376312e33"       // VERSION TLSv1.3
      "220002 636e"                 // CN cn
      "230003 616263"               // CIPHER abc
      "240003 736967"               // SIG_ALG sig
      "250003 6b6579"               // KEY_ALG key
      "260009 7365637032353672 31"  // GROUP secp256r1
      "270004 73636865"             // SIG_SCHEME sche
      "280003 308201"               // CLIENT_CERT (DER bytes)
      "990001 ff");                 // unknown sub-type, kept
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  const auto ssl = r->ssl();
  REQUIRE(ssl);
  CHECK(ssl->client == 0x05);
  CHECK(ssl->client_ssl());
  CHECK_FALSE(ssl->client_cert_conn());
  CHECK(ssl->client_cert_sess());
  CHECK(ssl->verify == 1);
  CHECK_FALSE(ssl->client_verified());
  CHECK(ssl->version() == "TLSv1.3");
  CHECK(ssl->common_name() == "cn");
  CHECK(ssl->cipher() == "abc");
  CHECK(ssl->signature_algorithm() == "sig");
  CHECK(ssl->key_algorithm() == "key");
  CHECK(ssl->group() == "secp256r1");
  CHECK(ssl->signature_scheme() == "sche");
  CHECK(to_hex(*ssl->client_certificate()) == "308201");
  CHECK(ssl->sub_tlvs.count() == 9);
  CHECK(ssl->find(0x99)->value.size() == 1);
}

TEST_CASE("SSL with no sub-TLVs, as HAProxy sends for plain-TCP clients", "[tlv][ssl]") {
  const auto r_bytes = with_tlvs("200005 00 00000000");  // the result's views point into it
  const auto r = pp::parse(r_bytes);
  REQUIRE(r.ok());
  const auto ssl = r->ssl();
  REQUIRE(ssl);
  CHECK(ssl->sub_tlvs.empty());
  CHECK_FALSE(ssl->client_ssl());
  CHECK_FALSE(ssl->client_verified());  // verify == 0 proves nothing without a certificate bit
  CHECK_FALSE(ssl->version());
}

TEST_CASE("vendor TLVs: AWS VPC endpoint, Azure LinkID (LE), GCP PSC id (BE)", "[tlv][vendor]") {
  const auto bytes = with_tlvs(
      "ea0017 01 767063652d30386432626631356661633530303163 39"
      "ee0005 01 78563412"
      "e00008 009b34d70a003c64");
  const auto r = pp::parse(bytes);
  REQUIRE(r.ok());
  CHECK(r->aws_vpc_endpoint_id() == "vpce-08d2bf15fac5001c9");
  CHECK(r->azure_private_endpoint_link_id() == 0x12345678u);
  CHECK(r->gcp_psc_connection_id() == 43686719580552292ull);
  // Wrong shapes are not decoded (custom types are not unique to one vendor).
  const auto other_bytes =
      with_tlvs("ea0002 0261  ee0004 01785634  e00007 009b34d70a003c");  // the result's views point into it
  const auto other = pp::parse(other_bytes);
  REQUIRE(other.ok());
  CHECK_FALSE(other->aws_vpc_endpoint_id());
  CHECK_FALSE(other->azure_private_endpoint_link_id());
  CHECK_FALSE(other->gcp_psc_connection_id());
}

TEST_CASE("iteration never reads outside its bytes, even over bytes nobody validated", "[tlv]") {
  // A hand-filled header: TLV claims 0x0100 bytes but 2 are there, then a 1-byte tail.
  const auto bytes = hex_bytes("020100 6162");
  pp::header h;
  h.tlv_bytes = bytes;
  std::vector<std::size_t> sizes;
  for (const pp::tlv t : h.tlvs()) sizes.push_back(t.value.size());
  CHECK(sizes == std::vector<std::size_t>{2});
  CHECK(h.authority() == "ab");
  // A TLV header alone, claiming 5 bytes: the TLV, with no value.
  const auto header_only = hex_bytes("040005");
  CHECK(pp::tlv_range(header_only).count() == 1);
  CHECK((*pp::tlv_range(header_only).begin()).value.empty());
  CHECK(pp::tlv_range(header_only).find(0x04).has_value());
  // One or two bytes, too few for a TLV header, are no TLV: the walk ends.
  for (const char* tail : {"04", "0400", "0100000400"}) {
    const auto bytes_with_tail = hex_bytes(tail);
    const pp::tlv_range range(bytes_with_tail);
    CHECK(range.count() == (bytes_with_tail.size() < 3 ? 0u : 1u));
    CHECK_FALSE(range.find(0x04).has_value());
  }
  const auto two_bytes = hex_bytes("0400");
  const pp::tlv_range two_byte_range(two_bytes);
  CHECK(two_byte_range.begin() == two_byte_range.end());
}

TEST_CASE("an SSL sub-TLV typed 0x20 is opaque; as_ssl on it stays in bounds", "[tlv][ssl][cve]") {
  // The reviewer's reproducer: an SSL TLV holding a sub-TLV of type 0x20 whose own sub-TLV is cut short.
  const auto in =
      hex_bytes("0d0a0d0a000d0a515549540a2111001ec0000201c6336402dc0401bb20000f0100000000200007010000000021ff");
  const auto r = pp::parse(in);
  REQUIRE(r.ok());
  const auto ssl = r->ssl();  // kept: a range-for over `r->ssl()->sub_tlvs` would outlive the optional
  REQUIRE(ssl);
  std::size_t inner_count = 0;
  for (const pp::tlv t : ssl->sub_tlvs)
    if (const auto inner = pp::as_ssl(t))
      for (const pp::tlv s : inner->sub_tlvs) inner_count += 1 + s.value.size();
  CHECK(inner_count == 0);  // its 2 bytes "21ff" are too few for a sub-TLV header: no sub-TLV
}

TEST_CASE("TLV bytes are exposed raw, whatever they contain", "[tlv]") {
  const auto r_bytes = with_tlvs("020004 ff00fe80");  // the result's views point into it
  const auto r = pp::parse(r_bytes);
  REQUIRE(r.ok());
  CHECK(to_hex(r->find(pp::tlv_type::authority)->value) == "ff00fe80");
  CHECK(r->authority()->size() == 4);
}

}  // namespace
