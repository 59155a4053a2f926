// detect(): which version, "not PROXY" at the first contradicting byte, and agreement with parse().
#include <catch2/catch.hpp>

#include "corpus.hpp"
#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;
using test_support::hex_bytes;

TEST_CASE("detect answers from the first byte that contradicts both signatures", "[detect]") {
  CHECK(pp::detect(as_span("")) == pp::detection::need_more);
  CHECK(pp::detect(as_span("P")) == pp::detection::need_more);
  CHECK(pp::detect(as_span("PROX")) == pp::detection::need_more);
  CHECK(pp::detect(as_span("PROXY")) == pp::detection::v1);
  CHECK(pp::detect(as_span("G")) == pp::detection::not_proxy);
  CHECK(pp::detect(as_span("PRO")) == pp::detection::need_more);
  CHECK(pp::detect(as_span("PRX")) == pp::detection::not_proxy);
  CHECK(pp::detect(as_span("proxy")) == pp::detection::not_proxy);
  CHECK(pp::detect(hex_bytes("0d")) == pp::detection::need_more);
  CHECK(pp::detect(hex_bytes("0d0a0d0a00")) == pp::detection::need_more);
  CHECK(pp::detect(hex_bytes("0d0a0d0a01")) == pp::detection::not_proxy);
  CHECK(pp::detect(hex_bytes("0d0a0d0a000d0a515549540a")) == pp::detection::v2);
  CHECK(pp::detect(hex_bytes("0d0a0d0a000d0a515549540b")) == pp::detection::not_proxy);
  CHECK(pp::detect(hex_bytes("16030100")) == pp::detection::not_proxy);  // a TLS ClientHello
  CHECK(pp::detect(as_span("SSH-2.0")) == pp::detection::not_proxy);
}

TEST_CASE("parse fails with not_proxy_header exactly when detect says not_proxy", "[detect]") {
  std::vector<std::string> inputs;
  for (const auto& h : test_support::valid_headers()) inputs.emplace_back(h.bytes);
  for (const auto& h : test_support::invalid_headers()) inputs.emplace_back(h.bytes);
  for (int b = 0; b < 256; ++b) inputs.emplace_back(1, static_cast<char>(b));
  for (const auto& in : inputs) {
    for (std::size_t k = 0; k <= in.size() && k <= 20; ++k) {
      const auto bytes = as_span(in).first(k);
      const auto d = pp::detect(bytes);
      const auto r = pp::parse(bytes);
      CHECK((d == pp::detection::not_proxy) == (r.failed() && r.error() == pp::errc::not_proxy_header));
      if (d == pp::detection::need_more) CHECK(r.incomplete());
      if (r.ok()) CHECK(static_cast<int>(r->version) == (d == pp::detection::v1 ? 1 : 2));
    }
  }
}

TEST_CASE("text and unsigned-char overloads give the same answers as the byte ones", "[detect][overloads]") {
  const std::string text = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n";
  const std::vector<unsigned char> bytes(text.begin(), text.end());
  CHECK(pp::detect(text) == pp::detection::v1);
  CHECK(pp::detect(std::span<const unsigned char>(bytes)) == pp::detection::v1);
  CHECK(pp::parse(text).consumed() == text.size());
  CHECK(pp::parse(std::span<const unsigned char>(bytes)).consumed() == text.size());
  CHECK(pp::parse_v1(text).ok());
  CHECK(pp::parse_v1(std::span<const unsigned char>(bytes)).ok());
  CHECK(pp::parse_v2(text).error() == pp::errc::not_proxy_header);
  CHECK(pp::parse_v2(std::span<const unsigned char>(bytes)).error() == pp::errc::not_proxy_header);
  CHECK(pp::parse("PROXY UNKNOWN\r\n").ok());  // a literal goes through string_view
}
