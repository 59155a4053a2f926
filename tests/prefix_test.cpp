// Incremental parsing: every strict prefix of a valid header is "need more",
// and a complete header is parsed the same whatever follows it.
#include <catch2/catch.hpp>

#include "corpus.hpp"
#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;

TEST_CASE("every strict prefix of every valid header needs more, never fails", "[prefix]") {
  for (const auto& h : test_support::valid_headers()) {
    INFO(h.name);
    const auto full = as_span(h.bytes);
    for (std::size_t k = 0; k < full.size(); ++k) {
      const auto r = pp::parse(full.first(k));
      INFO("prefix of " << k << " bytes");
      REQUIRE(r.incomplete());
      CHECK(r.bytes_needed() >= 1);
      CHECK(r.bytes_needed() <= full.size() - k);
      if (full[0] == std::byte{0x0D} && k >= 16) CHECK(r.bytes_needed() == full.size() - k);  // exact for v2
      CHECK(pp::detect(full.first(k)) != pp::detection::not_proxy);
    }
  }
}

TEST_CASE("a complete header consumes exactly its bytes whatever follows", "[prefix]") {
  const std::string tails[] = {
      "",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string("\0\0\0\0", 4),
      "\r\n\r\n",
      "PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\n",
      std::string("\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x11", 14),
      std::string(70000, 'x'),
      "\x03\x00\x04\xde\xad\xbe\xef",  // TLV-shaped application bytes
  };
  for (const auto& h : test_support::valid_headers()) {
    INFO(h.name);
    const auto alone = pp::parse(as_span(h.bytes));
    REQUIRE(alone.ok());
    for (const auto& tail : tails) {
      const std::string input = std::string(h.bytes) + tail;
      const auto r = pp::parse(as_span(input));
      REQUIRE(r.ok());
      CHECK(r.consumed() == h.bytes.size());
      CHECK(r->tlv_bytes.size() == alone->tlv_bytes.size());
      CHECK(r->source == alone->source);
      CHECK(r->destination == alone->destination);
    }
    for (int b = 0; b < 256; ++b) {
      const std::string input = std::string(h.bytes) + static_cast<char>(b);
      REQUIRE(pp::parse(as_span(input)).consumed() == h.bytes.size());
    }
  }
}

TEST_CASE("invalid headers stay invalid with the same code when more bytes follow", "[prefix]") {
  for (const auto& h : test_support::invalid_headers()) {
    INFO(h.name);
    const auto r = pp::parse(as_span(h.bytes));
    REQUIRE(r.failed());
    const std::string longer = std::string(h.bytes) + std::string(200, 'x');
    CHECK(pp::parse(as_span(longer)).error() == r.error());
  }
}

TEST_CASE("an invalid header's prefixes are need-more or the same error, never another code", "[prefix]") {
  std::size_t checksum_faults = 0;
  for (const auto& h : test_support::invalid_headers()) {
    INFO(h.name);
    const auto full = as_span(h.bytes);
    const auto code = pp::parse(full).error();
    checksum_faults += code == pp::errc::v2_crc32c_mismatch;
    for (std::size_t k = 0; k < full.size(); ++k) {
      const auto r = pp::parse(full.first(k));
      INFO("prefix of " << k << " bytes");
      CHECK_FALSE(r.ok());
      if (code == pp::errc::v2_crc32c_mismatch)
        CHECK(r.incomplete());  // the checksum is judged on the whole header only; nothing before it is wrong
      else if (r.failed())
        CHECK(r.error() == code);
    }
  }
  CHECK(checksum_faults > 0);
}
