// Version 1 grammar (spec 2.1): what is accepted, and the exact code for what is not.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;
using test_support::text;

namespace {

struct accepted_line {
  std::string_view line;
  pp::address_family family;
  std::string_view source, destination;
  int source_port, destination_port;
};

const accepted_line accepted_lines[] = {
    {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n", pp::address_family::inet, "192.0.2.1", "198.51.100.2", 56324,
     443},
    {"PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", pp::address_family::inet, "0.0.0.0", "255.255.255.255", 0,
     65535},
    {"PROXY TCP4 10.0.0.1 100.99.9.0 1 10\r\n", pp::address_family::inet, "10.0.0.1", "100.99.9.0", 1, 10},
    {"PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\n", pp::address_family::inet6, "2001:db8::1", "2001:db8::2", 1234,
     443},
    {"PROXY TCP6 2001:DB8::A 2001:Db8::b 1 2\r\n", pp::address_family::inet6, "2001:db8::a", "2001:db8::b", 1, 2},
    {"PROXY TCP6 ::ffff:192.0.2.1 ::ffff:198.51.100.2 1 2\r\n", pp::address_family::inet6, "::ffff:192.0.2.1",
     "::ffff:198.51.100.2", 1, 2},
    {"PROXY TCP6 :: ::1 0 0\r\n", pp::address_family::inet6, "::", "::1", 0, 0},
    {"PROXY TCP6 1:2:3:4:5:6:7:8 1:2:3:4:5:6:1.2.3.4 7 8\r\n", pp::address_family::inet6, "1:2:3:4:5:6:7:8",
     "1:2:3:4:5:6:102:304", 7, 8},
    {"PROXY TCP6 1:2:3:4:5:6:7:: ::2:3:4:5:6:7:8 1 2\r\n", pp::address_family::inet6, "1:2:3:4:5:6:7:0",
     "0:2:3:4:5:6:7:8", 1, 2},
    {"PROXY TCP6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 fe80::1:2 56324 443\r\n", pp::address_family::inet6,
     "2001:db8:85a3::8a2e:370:7334", "fe80::1:2", 56324, 443},
    {"PROXY TCP6 ::1.2.3.4 1::1.2.3.4 5 6\r\n", pp::address_family::inet6, "::102:304", "1::102:304", 5, 6},
};

TEST_CASE("v1 accepts every form of the grammar and decodes its fields", "[v1]") {
  for (const auto& c : accepted_lines) {
    INFO(c.line);
    const auto input = std::string(c.line) + "payload";
    const auto r = pp::parse_v1(as_span(input));
    REQUIRE(r.ok());
    CHECK(r.consumed() == c.line.size());
    CHECK(r->version == pp::version::v1);
    CHECK(r->command == pp::command::proxy);
    CHECK(r->family == c.family);
    CHECK(r->transport == pp::transport_protocol::stream);
    CHECK(text(r->source.address) == c.source);
    CHECK(text(r->destination.address) == c.destination);
    CHECK(r->source.port == c.source_port);
    CHECK(r->destination.port == c.destination_port);
    CHECK(r->has_addresses());
    CHECK(r->tlvs().empty());
  }
}

TEST_CASE("v1 UNKNOWN is accepted in short and long form with no addresses", "[v1]") {
  const std::string_view lines[] = {
      "PROXY UNKNOWN\r\n",
      "PROXY UNKNOWN \r\n",
      "PROXY UNKNOWN 192.0.2.1 198.51.100.2 1 2\r\n",
      "PROXY UNKNOWN anything at all, even  double  spaces\r\n",
      // V04: the 107-byte worst case
      "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
  };
  for (const auto line : lines) {
    INFO(line);
    const auto r = pp::parse(as_span(line));
    REQUIRE(r.ok());
    CHECK(r.consumed() == line.size());
    CHECK(r->family == pp::address_family::unspecified);
    CHECK(r->transport == pp::transport_protocol::unspecified);
    CHECK_FALSE(r->has_addresses());
  }
  CHECK(lines[4].size() == pp::v1_max_size);
}

struct rejected_line {
  std::string_view line;
  pp::errc error;
};

const rejected_line rejected_lines[] = {
    {"proxy TCP4 192.0.2.1 198.51.100.2 56324 443\r\n", pp::errc::not_proxy_header},
    {"PROXX TCP4 192.0.2.1 198.51.100.2 56324 443\r\n", pp::errc::not_proxy_header},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\n", pp::errc::v1_bad_line_ending},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\rX", pp::errc::v1_bad_line_ending},
    {"PROXY TCP4 192.0.2.1\r198.51.100.2 56324 443\r\n", pp::errc::v1_bad_line_ending},
    {"PROXY\n", pp::errc::v1_bad_line_ending},
    {"PROXY\r\n", pp::errc::v1_missing_field},
    {"PROXY TCP4\r\n", pp::errc::v1_missing_field},
    {"PROXY TCP4 \r\n", pp::errc::v1_missing_field},
    {"PROXY TCP4 192.0.2.1\r\n", pp::errc::v1_missing_field},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n", pp::errc::v1_missing_field},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 \r\n", pp::errc::v1_missing_field},
    {"PROXYTCP4 192.0.2.1 198.51.100.2 56324 443\r\n", pp::errc::v1_bad_separator},
    {"PROXY\tTCP4 192.0.2.1 198.51.100.2 56324 443\r\n", pp::errc::v1_bad_separator},
    {"PROXY TCP4  192.0.2.1 198.51.100.2 56324 443\r\n", pp::errc::v1_bad_separator},
    {"PROXY TCP4 192.0.2.1  198.51.100.2 1 2\r\n", pp::errc::v1_bad_separator},  // V12
    {"PROXY TCP4 192.0.2.1 198.51.100.2  1 2\r\n", pp::errc::v1_bad_separator},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 1  2\r\n", pp::errc::v1_bad_separator},
    {"PROXY  TCP4 192.0.2.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_protocol},
    {"PROXY tcp4 192.0.2.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_protocol},
    {"PROXY TCP5 192.0.2.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_protocol},
    {"PROXY UDP4 192.0.2.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_protocol},
    {"PROXY TCP 192.0.2.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_protocol},
    {"PROXY TCP44 192.0.2.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_protocol},
    {"PROXY UNKNOWNx\r\n", pp::errc::v1_bad_protocol},
    {"PROXY unknown\r\n", pp::errc::v1_bad_protocol},
    {"PROXY TCP4 192.000.002.001 198.51.100.2 56324 443\r\n", pp::errc::v1_bad_address},  // V06
    {"PROXY TCP4 010.0.0.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3.256 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},  // V09
    {"PROXY TCP4 999.0.0.1 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3.1234 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},  // V15
    {"PROXY TCP4 1..3.4 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3.4.5 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3.4. 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 .1.2.3 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3.-4 198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 1.2.3.4\t198.51.100.2 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 192.0.2.1 198.51.100.x 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 ::: ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 1::2::3 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 12345:: ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 :1:2:3:4:5:6:7 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 1:2:3:4:5:6:7: ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 1:2:3:4:5:6:7:8:: ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 1:2:3:4:5:6:7:1.2.3.4 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 ::ffff:1.2.3.04 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 ::ffff:1.2.3 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 ::1.2.3.4:5 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 [::1] ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP6 g::1 ::1 1 2\r\n", pp::errc::v1_bad_address},
    {"PROXY TCP4 2001:db8::1 198.51.100.2 1 2\r\n", pp::errc::v1_address_family_mismatch},
    {"PROXY TCP4 192.0.2.1 ::1 1 2\r\n", pp::errc::v1_address_family_mismatch},
    {"PROXY TCP6 192.0.2.1 ::1 1 2\r\n", pp::errc::v1_address_family_mismatch},
    {"PROXY TCP6 2001:db8::7 127.0.0.1 4711 55103\r\n", pp::errc::v1_address_family_mismatch},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 0080 443\r\n", pp::errc::v1_bad_port},   // V07
    {"PROXY TCP4 192.0.2.1 198.51.100.2 65536 443\r\n", pp::errc::v1_bad_port},  // V08
    {"PROXY TCP4 192.0.2.1 198.51.100.2 1 99999\r\n", pp::errc::v1_bad_port},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 123456 1\r\n", pp::errc::v1_bad_port},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 +1 2\r\n", pp::errc::v1_bad_port},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 -1 2\r\n", pp::errc::v1_bad_port},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 1a 2\r\n", pp::errc::v1_bad_port},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 00 2\r\n", pp::errc::v1_bad_port},
    {"PROXY TCP6 2001:db8::1 2001:db8::2 1 2 garbage\r\n", pp::errc::v1_trailing_data},  // V11
    {"PROXY TCP4 192.0.2.1 198.51.100.2 1 2 \r\n", pp::errc::v1_trailing_data},
    {"PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n", pp::errc::v1_trailing_data},
};

TEST_CASE("v1 rejects every deviation from the grammar with its specific code", "[v1]") {
  for (const auto& c : rejected_lines) {
    INFO(c.line);
    const auto r = pp::parse(as_span(c.line));
    REQUIRE(r.failed());
    CHECK(r.error() == c.error);
    CHECK(r.consumed() == 0);
  }
}

TEST_CASE("v1 without CRLF within 107 bytes is too long (V14)", "[v1]") {
  const std::string v14 = "PROXY TCP4 192.0.2.1 198.51.100.2 " + std::string(80, '0') + "1 2\r\n";
  REQUIRE(v14.size() == 119);
  CHECK(pp::parse(as_span(v14)).error() == pp::errc::v1_line_too_long);
  // 106 bytes without a line end may still become a 107-byte line.
  const std::string unknown = "PROXY UNKNOWN " + std::string(92, 'x');
  REQUIRE(unknown.size() == 106);
  CHECK(pp::parse(as_span(unknown)).incomplete());
  CHECK(pp::parse(as_span(unknown.substr(0, 105) + "\r")).incomplete());
  CHECK(pp::parse(as_span(unknown + "\r")).error() == pp::errc::v1_line_too_long);  // CRLF would end at 108
  CHECK(pp::parse(as_span(unknown + "\r\n")).failed());                             // 108 bytes
  CHECK(pp::parse(as_span(unknown + "\r\n")).error() == pp::errc::v1_line_too_long);
  CHECK(pp::parse(as_span(unknown + "x")).error() == pp::errc::v1_line_too_long);
  CHECK(pp::parse(as_span(unknown.substr(0, 105) + "\r\n")).ok());  // exactly 107
}

TEST_CASE("v1 rejects a hopeless protocol token before the line ends", "[v1]") {
  CHECK(pp::parse(as_span("PROXY UDP")).error() == pp::errc::v1_bad_protocol);
  CHECK(pp::parse(as_span("PROXY TCP4X")).error() == pp::errc::v1_bad_protocol);
  CHECK(pp::parse(as_span("PROXYX")).error() == pp::errc::v1_bad_separator);
  CHECK(pp::parse(as_span("PROXY TCP")).incomplete());
  CHECK(pp::parse(as_span("PROXY UNKNOWN and more")).incomplete());
  CHECK(pp::parse(as_span("PROXY UNKNOWNX")).error() == pp::errc::v1_bad_protocol);
  CHECK(pp::parse(as_span("PROXY UNKNOWN")).incomplete());
}

TEST_CASE("v1 option v1_accept_ipv4_in_tcp6 takes nginx's mixed TCP6 lines", "[v1][options]") {
  const std::string_view line = "PROXY TCP6 2001:db8::7 127.0.0.1 4711 55103\r\n";
  pp::parse_options lenient;
  lenient.v1_accept_ipv4_in_tcp6 = true;
  CHECK(pp::parse(as_span(line)).error() == pp::errc::v1_address_family_mismatch);
  const auto r = pp::parse(as_span(line), lenient);
  REQUIRE(r.ok());
  CHECK(r->family == pp::address_family::inet6);
  CHECK(r->source.address.is_v6());
  CHECK(r->destination.address.is_v4());
  CHECK(text(r->destination.address) == "127.0.0.1");
  // The option does not relax anything else.
  CHECK(pp::parse(as_span("PROXY TCP6 2001:db8::7 127.0.0.01 4711 55103\r\n"), lenient).error() ==
        pp::errc::v1_bad_address);
  CHECK(pp::parse(as_span("PROXY TCP4 2001:db8::7 127.0.0.1 4711 55103\r\n"), lenient).error() ==
        pp::errc::v1_address_family_mismatch);
}

}  // namespace
