// Parsing needs no OS support (Envoy CVE-2024-23325): this translation unit
// leaves the socket helpers out and still parses IPv6 and UNIX headers.
#define PROXY_PROTOCOL_NO_SOCKETS 1
#include <catch2/catch.hpp>

#include "support.hpp"

static_assert(PROXY_PROTOCOL_HAS_SOCKETS == 0);

TEST_CASE("parsing IPv6 and UNIX headers needs no socket headers or OS support", "[cve][sockets]") {
  namespace pp = proxy_protocol;
  const auto r = pp::parse(test_support::as_span("PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n"));
  REQUIRE(r.ok());
  CHECK(test_support::text(r->source.address) == "2001:db8::1");
  auto unix_header = test_support::hex_bytes("0d0a0d0a000d0a515549540a213100d8");
  unix_header.resize(16 + 216, std::byte{'a'});
  CHECK(pp::parse(unix_header).ok());
}
