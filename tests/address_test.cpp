// Address text (RFC 5952 for IPv6) and parse_ip_address.
#include <catch2/catch.hpp>

#include <sstream>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::text;

namespace {

TEST_CASE("IPv6 text is RFC 5952 canonical", "[address]") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // first of two equal runs
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // a single zero group is not compressed
      {"0:0:0:0:0:0:0:0", "::"},
      {"0:0:0:0:0:0:0:1", "::1"},
      {"1:0:0:0:0:0:0:0", "1::"},
      {"2001:DB8::AbCd", "2001:db8::abcd"},
      {"::ffff:c000:0201", "::ffff:192.0.2.1"},
      {"::ffff:0.0.0.0", "::ffff:0.0.0.0"},
      {"fe80::1:0:0:0", "fe80::1:0:0:0"},
      {"0:0:1:0:0:0:1:0", "0:0:1::1:0"},  // the longer run wins
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
      {"0001:0012:0123:1234:000F:00FE:0FED:FEDC", "1:12:123:1234:f:fe:fed:fedc"},  // every group width
      {"0010:0100:1000:0:0:a0:b00:c000", "10:100:1000::a0:b00:c000"},              // inner zero digits kept
  };
  for (const auto& [in, out] : cases) {
    INFO(in);
    const auto a = pp::parse_ip_address(in);
    REQUIRE(a);
    CHECK(text(*a) == out);
    CHECK(pp::parse_ip_address(out) == a);  // the canonical form parses back
  }
}

TEST_CASE("IPv4 text and conversions", "[address]") {
  const auto a = pp::parse_ip_address("192.0.2.1");
  REQUIRE(a);
  CHECK(a->is_v4());
  CHECK(a->v4_host_order() == 0xC0000201u);
  CHECK(text(*a) == "192.0.2.1");
  CHECK(text(a->to_v6()) == "::ffff:192.0.2.1");
  CHECK(a->to_v6().is_v4_mapped());
  CHECK(a->to_v6().unmapped() == *a);
  CHECK(text(pp::ip_address::v4(0xFFFFFFFFu)) == "255.255.255.255");
  CHECK_FALSE(pp::parse_ip_address("192.0.2"));
  CHECK_FALSE(pp::parse_ip_address(""));
  CHECK_FALSE(pp::parse_ip_address("01.0.0.0"));
  CHECK_FALSE(pp::parse_ip_address("fe80::1%eth0"));
}

TEST_CASE("to_chars reports a buffer that is too small and writes nothing past it", "[address]") {
  const auto a = *pp::parse_ip_address("2001:db8::1");
  char buf[12];
  std::fill(std::begin(buf), std::end(buf), '#');
  const auto r = a.to_chars(buf, buf + 8);
  CHECK(r.ec == std::errc::value_too_large);
  CHECK(std::string_view(buf, 12) == "############");  // nothing written, in or past the range
  char big[pp::ip_address::max_ipv6_text];
  const auto widest = *pp::parse_ip_address("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
  const auto w = widest.to_chars(big, big + sizeof big);
  CHECK(w.ec == std::errc{});
  CHECK(static_cast<std::size_t>(w.ptr - big) == 39);  // not IPv4-mapped: hex groups
  CHECK(pp::to_text(*pp::parse_ip_address("::ffff:255.255.255.255")).size <= pp::ip_address::max_ipv6_text);
  CHECK(pp::ip_address{}.to_chars(buf, buf + 8).ptr == buf);
  static_assert(pp::parse_ip_address("2001:db8::1")->is_v6());  // usable in constant expressions
  static_assert(!pp::parse_ip_address("1.2.3.04"));
}

TEST_CASE("endpoints print as host:port with brackets for IPv6, also through ostream", "[address]") {
  const pp::endpoint v4{*pp::parse_ip_address("192.0.2.1"), 443};
  const pp::endpoint v6{*pp::parse_ip_address("2001:db8::1"), 8443};
  CHECK(pp::to_text(v4).view() == "192.0.2.1:443");
  CHECK(pp::to_text(v6).view() == "[2001:db8::1]:8443");
  std::ostringstream os;
  os << v4 << ' ' << v6 << ' ' << v6.address << ' ' << pp::errc::v1_bad_port;
  CHECK(os.str() == "192.0.2.1:443 [2001:db8::1]:8443 2001:db8::1 v1_bad_port");
}

}  // namespace

TEST_CASE("command, family and transport print as the spec names them", "[address]") {
  CHECK(proxy_protocol::to_string(proxy_protocol::command::local) == "LOCAL");
  CHECK(proxy_protocol::to_string(proxy_protocol::command::proxy) == "PROXY");
  CHECK(proxy_protocol::to_string(proxy_protocol::address_family::unspecified) == "UNSPEC");
  CHECK(proxy_protocol::to_string(proxy_protocol::address_family::inet6) == "INET6");
  CHECK(proxy_protocol::to_string(proxy_protocol::address_family::unix_socket) == "UNIX");
  CHECK(proxy_protocol::to_string(proxy_protocol::transport_protocol::datagram) == "DGRAM");
  CHECK(proxy_protocol::to_string(static_cast<proxy_protocol::transport_protocol>(9)) == "UNKNOWN");
}
