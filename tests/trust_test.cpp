// Trust policy (section 9): CIDR parsing, matching and the per-connection decision.
#include <catch2/catch.hpp>

#include <proxy_protocol.hpp>

#include <array>
#include <optional>
#include <string_view>

namespace pp = proxy_protocol;

namespace {

pp::ip_address address(std::string_view text) {
  const auto a = pp::parse_ip_address(text);
  REQUIRE(a);
  return *a;
}

std::string_view text(const pp::cidr& block, pp::address_text& storage) {
  storage = pp::to_text(block);
  return storage.view();
}

TEST_CASE("parse_cidr accepts CIDR blocks and prints them back canonically", "[trust]") {
  struct row {
    std::string_view input;
    std::string_view canonical;
    unsigned prefix_length;
  };
  const row rows[] = {
      {"10.0.0.0/8", "10.0.0.0/8", 8},
      {"192.0.2.0/24", "192.0.2.0/24", 24},
      {"0.0.0.0/0", "0.0.0.0/0", 0},
      {"203.0.113.7/32", "203.0.113.7/32", 32},
      {"203.0.113.7", "203.0.113.7/32", 32},  // a bare address is one host
      {"172.16.0.0/12", "172.16.0.0/12", 12},
      {"2001:db8::/32", "2001:db8::/32", 32},
      {"2001:DB8:0:0::/48", "2001:db8::/48", 48},
      {"::/0", "::/0", 0},
      {"::1", "::1/128", 128},
      {"fe80::/10", "fe80::/10", 10},
      {"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104", 104},
      {"2001:db8::8000/113", "2001:db8::8000/113", 113},
  };
  for (const row& r : rows) {
    INFO(r.input);
    const auto block = pp::parse_cidr(r.input);
    REQUIRE(block);
    CHECK(block->prefix_length() == r.prefix_length);
    pp::address_text storage;
    CHECK(text(*block, storage) == r.canonical);
    CHECK(pp::parse_cidr(r.canonical) == block);
  }
}

TEST_CASE("parse_cidr refuses anything that is not exactly one CIDR block", "[trust]") {
  const std::string_view refused[] = {
      "",
      "/8",
      "10.0.0.0/",
      "10.0.0.0/33",                         // longer than IPv4
      "2001:db8::/129",                      // longer than IPv6
      "10.0.0.1/8",                          // host bits set: a typo for /32, or a wish to trust 2^24 addresses?
      "2001:db8::1/32",                      // same for IPv6
      "10.0.0.0/08",                         // leading zero
      "10.0.0.0/+8",                         // sign
      "10.0.0.0/-1",                         // sign
      "10.0.0.0/8 ",                         // trailing space
      " 10.0.0.0/8",                         // leading space
      "10.0.0.0/8/8",                        // two prefixes
      "10.0.0.0/0008",                       // too many digits
      "10.0.0/8",                            // three octets
      "010.0.0.0/8",                         // leading zero in an octet
      "fe80::1%eth0/128",                    // zone id
      "localhost/8",                         // names are not resolved
      std::string_view{"10.0.0.0\0/8", 11},  // embedded NUL
      "1111:2222:3333:4444:5555:6666:255.255.255.255:1/128",  // longer than any address
  };
  for (const std::string_view input : refused) {
    INFO(input);
    CHECK_FALSE(pp::parse_cidr(input));
  }
}

TEST_CASE("cidr::make refuses unspecified networks, long prefixes and set host bits", "[trust]") {
  CHECK_FALSE(pp::cidr::make(pp::ip_address{}, 0));
  CHECK_FALSE(pp::cidr::make(pp::ip_address::v4(0x0A000000u), 33));
  CHECK_FALSE(pp::cidr::make(pp::ip_address::v4(0x0A000001u), 31));
  CHECK(pp::cidr::make(pp::ip_address::v4(0x0A000001u), 32));
  CHECK(pp::cidr::make(pp::ip_address::v4(0x0A000000u), 7));  // 10 = 0000 1010: bit 7 is 0
  CHECK_FALSE(pp::cidr::make(pp::ip_address::v4(0x0A000000u), 6));
  const auto block = pp::cidr::make(pp::ip_address::v4(0xC0000200u), 24);
  REQUIRE(block);
  CHECK(block->network() == address("192.0.2.0"));
  CHECK(block->prefix_length() == 24);
}

TEST_CASE("a block contains exactly the addresses that share its prefix", "[trust]") {
  struct row {
    std::string_view block;
    std::string_view peer;
    bool contained;
  };
  const row rows[] = {
      {"10.0.0.0/8", "10.0.0.0", true},
      {"10.0.0.0/8", "10.255.255.255", true},
      {"10.0.0.0/8", "11.0.0.0", false},
      {"10.0.0.0/8", "9.255.255.255", false},
      {"172.16.0.0/12", "172.31.255.255", true},  // prefix ends inside the second octet
      {"172.16.0.0/12", "172.32.0.0", false},
      {"172.16.0.0/12", "172.15.255.255", false},
      {"192.0.2.128/25", "192.0.2.128", true},
      {"192.0.2.128/25", "192.0.2.127", false},
      {"203.0.113.7/32", "203.0.113.7", true},
      {"203.0.113.7/32", "203.0.113.6", false},
      {"0.0.0.0/0", "198.51.100.2", true},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/32", "2001:db9::1", false},
      {"2001:db8::8000/113", "2001:db8::ffff", true},
      {"2001:db8::8000/113", "2001:db8::7fff", false},
      {"::1/128", "::1", true},
      {"::1/128", "::2", false},
      {"fe80::/10", "febf::1", true},
      {"fe80::/10", "fec0::1", false},
      // An IPv4 peer seen through a dual-stack socket is still that IPv4 peer.
      {"10.0.0.0/8", "::ffff:10.1.2.3", true},
      {"10.0.0.0/8", "::ffff:11.1.2.3", false},
      {"127.0.0.1/32", "::ffff:127.0.0.1", true},
      // An IPv4 peer is in an IPv6 block that holds its mapped form, and only then.
      {"::ffff:10.0.0.0/104", "10.1.2.3", true},
      {"::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true},
      {"::ffff:10.0.0.0/104", "11.1.2.3", false},
      {"::ffff:0:0/96", "192.0.2.1", true},
      {"::/0", "192.0.2.1", true},
      {"2001:db8::/32", "192.0.2.1", false},
      // IPv6 peers never match IPv4 blocks, not even "everything".
      {"0.0.0.0/0", "2001:db8::1", false},
      {"0.0.0.0/0", "::1", false},
      {"127.0.0.0/8", "::1", false},
      // IPv4-compatible (not mapped) addresses are IPv6.
      {"10.0.0.0/8", "::10.1.2.3", false},
  };
  for (const row& r : rows) {
    INFO(r.block << " contains " << r.peer);
    const auto block = pp::parse_cidr(r.block);
    REQUIRE(block);
    CHECK(block->contains(address(r.peer)) == r.contained);
  }
}

TEST_CASE("an unspecified peer or an empty block matches nothing", "[trust]") {
  CHECK_FALSE(pp::parse_cidr("0.0.0.0/0")->contains(pp::ip_address{}));
  CHECK_FALSE(pp::parse_cidr("::/0")->contains(pp::ip_address{}));
  CHECK_FALSE(pp::cidr{}.contains(address("10.0.0.1")));
  CHECK_FALSE(pp::cidr{}.contains(pp::ip_address{}));
  pp::address_text storage;
  CHECK(text(pp::cidr{}, storage).empty());
}

TEST_CASE("decide_trust requires a header from listed proxies and rejects everyone else", "[trust]") {
  const std::array trusted{*pp::parse_cidr("10.0.0.0/8"), *pp::parse_cidr("2001:db8::/32"),
                           *pp::parse_cidr("127.0.0.1")};
  using enum pp::trust_decision;
  CHECK(pp::decide_trust(trusted, address("10.9.8.7")) == require_header);
  CHECK(pp::decide_trust(trusted, address("::ffff:10.9.8.7")) == require_header);
  CHECK(pp::decide_trust(trusted, address("2001:db8::5")) == require_header);
  CHECK(pp::decide_trust(trusted, address("127.0.0.1")) == require_header);
  CHECK(pp::decide_trust(trusted, address("127.0.0.2")) == reject_connection);
  CHECK(pp::decide_trust(trusted, address("::1")) == reject_connection);
  CHECK(pp::decide_trust(trusted, address("192.0.2.1")) == reject_connection);
  CHECK(pp::decide_trust(trusted, pp::ip_address{}) == reject_connection);
}

TEST_CASE("an empty trust list fails closed", "[trust]") {
  CHECK(pp::decide_trust({}, address("127.0.0.1")) == pp::trust_decision::reject_connection);
  CHECK(pp::decide_trust({}, address("::1")) == pp::trust_decision::reject_connection);
}

TEST_CASE("the answer is the same whether the socket shows an IPv4 peer plain or mapped", "[trust]") {
  const std::string_view blocks[] = {"10.0.0.0/8", "::ffff:10.0.0.0/104", "::/0", "0.0.0.0/0", "2001:db8::/32"};
  const std::string_view peers[] = {"10.1.2.3", "11.1.2.3", "0.0.0.0", "255.255.255.255"};
  for (const std::string_view b : blocks) {
    const std::array trusted{*pp::parse_cidr(b)};
    for (const std::string_view p : peers) {
      INFO(b << " / " << p);
      const pp::ip_address plain = address(p);
      CHECK(pp::decide_trust(trusted, plain) == pp::decide_trust(trusted, plain.to_v6()));
    }
  }
}

// The whole policy works at compile time, so a fixed list can be a constant.
constexpr std::array compile_time_trusted{*pp::parse_cidr("10.0.0.0/8"), *pp::parse_cidr("::1")};
static_assert(pp::decide_trust(compile_time_trusted, pp::ip_address::v4(0x0A010203u)) ==
              pp::trust_decision::require_header);
static_assert(pp::decide_trust(compile_time_trusted, pp::ip_address::v4(0x0B010203u)) ==
              pp::trust_decision::reject_connection);
static_assert(pp::decide_trust(compile_time_trusted, pp::ip_address::v4(0x0A010203u).to_v6()) ==
              pp::trust_decision::require_header);
static_assert(!pp::parse_cidr("10.0.0.1/8"));
static_assert(pp::to_text(*pp::parse_cidr("2001:db8::/32")).view() == "2001:db8::/32");
static_assert(noexcept(pp::decide_trust({}, pp::ip_address{})));
static_assert(noexcept(pp::parse_cidr(std::string_view{})));
static_assert(std::is_trivially_copyable_v<pp::cidr>);

TEST_CASE("the trust policy is usable in constant expressions", "[trust][constexpr]") {
  STATIC_REQUIRE(pp::parse_cidr("192.0.2.0/24")->contains(pp::ip_address::v4(0xC00002FFu)));
  STATIC_REQUIRE_FALSE(pp::parse_cidr("192.0.2.0/24")->contains(pp::ip_address::v4(0xC0000300u)));
}

}  // namespace
