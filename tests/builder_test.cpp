// Builders: byte-exact against captured senders, round trips, limits, errors, sockaddr.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "corpus.hpp"
#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;
using test_support::hex_bytes;
using test_support::to_hex;

namespace {

pp::address_family family_named(std::string_view s) {
  if (s == "INET") return pp::address_family::inet;
  if (s == "INET6") return pp::address_family::inet6;
  if (s == "UNIX") return pp::address_family::unix_socket;
  return pp::address_family::unspecified;
}
pp::transport_protocol transport_named(std::string_view s) {
  if (s == "STREAM") return pp::transport_protocol::stream;
  if (s == "DGRAM") return pp::transport_protocol::datagram;
  return pp::transport_protocol::unspecified;
}

// TLV items and the storage their views point into, made from a vector's JSON fields.
struct described_tlvs {
  std::vector<std::vector<std::byte>> values;
  std::vector<std::vector<pp::tlv_item>> ssl_subs;
  std::vector<pp::tlv_item> items;
};

described_tlvs describe(std::span<const test_vectors::tlv_case> tlvs) {
  described_tlvs d;
  d.values.reserve(64);
  d.ssl_subs.reserve(tlvs.size());
  for (const auto& t : tlvs) {
    if (t.type == pp::tlv_type::crc32c) {
      d.items.push_back(pp::tlv_item::crc32c());  // computed by the builder, not copied
    } else if (t.has_ssl) {
      auto& subs = d.ssl_subs.emplace_back();
      for (const auto& s : t.ssl_sub_tlvs) {
        d.values.push_back(hex_bytes(s.value_hex));
        subs.push_back(pp::tlv_item::raw(s.type, d.values.back()));
      }
      d.items.push_back(pp::tlv_item::ssl(t.ssl_client, t.ssl_verify, subs));
    } else {
      d.values.push_back(hex_bytes(t.value_hex));
      d.items.push_back(pp::tlv_item::raw(t.type, d.values.back()));
    }
  }
  return d;
}

pp::header header_from_fields(const test_vectors::captured_case& c) {
  pp::header h;
  h.version = c.version == 1 ? pp::version::v1 : pp::version::v2;
  h.command = c.command == "LOCAL" ? pp::command::local : pp::command::proxy;
  h.family = family_named(c.family);
  h.transport = transport_named(c.transport);
  if (c.has_addresses) {
    h.source = {*pp::parse_ip_address(c.src_addr), static_cast<std::uint16_t>(c.src_port)};
    h.destination = {*pp::parse_ip_address(c.dst_addr), static_cast<std::uint16_t>(c.dst_port)};
  }
  return h;
}

TEST_CASE("built headers equal every captured sender's bytes, CRC32C included", "[builder][vectors]") {
  std::size_t compared = 0;
  for (const auto& c : test_vectors::captured) {
    if (!c.valid) continue;  // nginx's mixed TCP6 line is not something we build
    INFO(c.folder << "/" << c.name);
    const pp::header h = header_from_fields(c);
    const described_tlvs tlvs = describe(c.tlvs);
    std::array<std::byte, 1024> out{};
    const auto size = pp::size_v2(h, tlvs.items);
    const auto built = c.version == 1 ? pp::build_v1(out, h) : pp::build_v2(out, h, tlvs.items);
    REQUIRE(built.ok());
    if (c.version == 2) CHECK(size.size() == built.size());
    CHECK(to_hex(std::span(out).first(built.size())) == to_hex(as_span(c.bytes)));
    if (c.version == 1) {
      CHECK(std::string_view(reinterpret_cast<const char*>(out.data()), built.size()) ==
            std::string(c.v1_line) + "\r\n");
      CHECK(pp::size_v1(h).size() == built.size());
    }
    ++compared;
  }
  CHECK(compared == 37);
}

TEST_CASE("re-emitting a parsed header gives back its bytes", "[builder][round-trip]") {
  for (const auto& h : test_support::valid_headers()) {
    INFO(h.name);
    const auto parsed = pp::parse(as_span(h.bytes));
    REQUIRE(parsed.ok());
    if (parsed->version == pp::version::v1 && parsed->family == pp::address_family::unspecified &&
        h.bytes.size() != pp::v1_min_size)
      continue;  // the long UNKNOWN form is re-emitted in its short form
    std::vector<std::byte> out(70000);
    const auto built = pp::build(out, *parsed);
    REQUIRE(built.ok());
    const std::string again(reinterpret_cast<const char*>(out.data()), built.size());
    if (parsed->version == pp::version::v2 || h.name.find("v1-tcp6-") == std::string::npos) {
      // v1 lines from real senders are already canonical; hand-made ones may not be.
      if (parsed->version == pp::version::v2 || h.name.rfind("V", 0) != 0)
        CHECK(to_hex(as_span(again)) == to_hex(as_span(h.bytes)));
    }
    const auto reparsed = pp::parse(as_span(again));
    REQUIRE(reparsed.ok());
    CHECK(reparsed->source == parsed->source);
    CHECK(reparsed->destination == parsed->destination);
    CHECK(to_hex(reparsed->tlv_bytes) == to_hex(parsed->tlv_bytes));
  }
}

// A random header: family, transport, addresses and a TLV mix, with the storage its views need.
struct generated {
  pp::header header;
  std::vector<std::vector<std::byte>> values;
  std::vector<pp::tlv_item> subs;
  std::vector<pp::tlv_item> items;
  std::vector<std::byte> unix_source, unix_destination;
};

pp::ip_address random_address(test_support::rng& r, bool six) {
  if (!six) return pp::ip_address::v4({r.byte(), r.byte(), r.byte(), r.byte()});
  std::array<std::uint8_t, 16> b{};
  for (auto& x : b) x = r.below(3) == 0 ? 0 : r.byte();
  return pp::ip_address::v6(b);
}

void generate(test_support::rng& r, generated& g) {
  g.values.clear();
  g.values.reserve(40);
  g.subs.clear();
  g.subs.reserve(64);  // SSL items hold spans into it: it must never reallocate (at most 7 x 3 sub-TLVs)
  g.items.clear();
  pp::header& h = g.header;
  h = {};
  h.command = r.below(5) == 0 ? pp::command::local : pp::command::proxy;
  const std::size_t fam = r.below(4);
  h.family = static_cast<pp::address_family>(fam);
  h.transport = fam == 0 ? pp::transport_protocol::unspecified : static_cast<pp::transport_protocol>(1 + r.below(2));
  if (h.family == pp::address_family::inet || h.family == pp::address_family::inet6) {
    const bool six = h.family == pp::address_family::inet6;
    h.source = {random_address(r, six), static_cast<std::uint16_t>(r.next())};
    h.destination = {random_address(r, six), static_cast<std::uint16_t>(r.next())};
  } else if (h.family == pp::address_family::unix_socket) {
    g.unix_source.assign(r.below(109), std::byte{'s'});
    g.unix_destination.assign(108, std::byte{'d'});
    h.unix_source = g.unix_source;
    h.unix_destination = g.unix_destination;
  }
  const std::size_t count = r.below(8);
  bool crc = false;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t size = r.below(20) == 0 ? r.below(65000) : r.below(40);
    std::vector<std::byte> value(size);
    for (auto& b : value) b = std::byte{r.byte()};
    g.values.push_back(std::move(value));
    const auto& v = g.values.back();
    switch (r.below(6)) {
      case 0:
        g.items.push_back(pp::tlv_item::raw(static_cast<std::uint8_t>(0xE0 + r.below(32)), v));
        break;
      case 1:
        g.items.push_back(pp::tlv_item::raw(pp::tlv_type::authority, v));
        break;
      case 2:
        g.items.push_back(pp::tlv_item::unique_id(std::span(v).first(std::min<std::size_t>(v.size(), 128))));
        break;
      case 3:
        g.items.push_back(pp::tlv_item::noop(r.below(20)));
        break;
      case 4:
        if (!crc) g.items.push_back(pp::tlv_item::crc32c());
        crc = true;
        break;
      default: {
        const std::size_t first = g.subs.size();
        const std::size_t n = r.below(4);
        for (std::size_t k = 0; k < n; ++k)
          g.subs.push_back(
              pp::tlv_item::raw(static_cast<std::uint8_t>(0x21 + r.below(8)), std::span(v).first(v.size() / 2)));
        g.items.push_back(
            pp::tlv_item::ssl(r.byte(), static_cast<std::uint32_t>(r.next()), std::span(g.subs).subspan(first, n)));
      }
    }
  }
}

TEST_CASE("parse(build(h)) == h over many generated headers", "[builder][round-trip]") {
  test_support::rng r(20261127);
  std::vector<std::byte> out(70000);
  generated g;
  std::size_t built_count = 0, too_large = 0;
  for (int i = 0; i < 3000; ++i) {
    generate(r, g);
    pp::build_options options;
    if (r.below(4) == 0) options.pad_to_multiple = 1 + r.below(64);
    const auto size = pp::size_v2(g.header, g.items, options);
    const auto b = pp::build_v2(out, g.header, g.items, options);
    REQUIRE(size.error() == b.error());
    if (!b) {
      // Items are checked in order: the first one that cannot be written, or that
      // takes the TLVs past 65535, decides the code.
      pp::errc expected = pp::errc::build_header_too_large;
      std::size_t sum = 0;
      for (const auto& t : g.items) {
        if (t.value_size() == SIZE_MAX) {
          expected = pp::errc::build_invalid_tlv;
          break;
        }
        sum += 3 + t.value_size();
        if (sum > 65535) break;
      }
      REQUIRE(b.error() == expected);
      ++too_large;
      continue;
    }
    ++built_count;
    REQUIRE(size.size() == b.size());
    if (options.pad_to_multiple > 1) CHECK(b.size() % options.pad_to_multiple == 0);
    const auto p = pp::parse(std::span(out).first(b.size()));
    INFO("case " << i << ": " << pp::to_string(p.error()));
    REQUIRE(p.ok());
    CHECK(p.consumed() == b.size());
    CHECK(p->command == g.header.command);
    CHECK(p->family == g.header.family);
    CHECK(p->transport == g.header.transport);
    if (g.header.command == pp::command::proxy) {
      CHECK(p->source == g.header.source);
      CHECK(p->destination == g.header.destination);
      if (g.header.family == pp::address_family::unix_socket) {
        CHECK(std::equal(g.unix_source.begin(), g.unix_source.end(), p->unix_source.begin()));
        CHECK(std::all_of(p->unix_source.begin() + static_cast<std::ptrdiff_t>(g.unix_source.size()),
                          p->unix_source.end(), [](std::byte x) { return x == std::byte{0}; }));
      }
    }
    // The TLVs come back in order, with the same types and values.
    auto it = p->tlvs().begin();
    for (const auto& item : g.items) {
      REQUIRE(it != p->tlvs().end());
      CHECK((*it).type == item.type());
      CHECK((*it).value.size() == item.value_size());
      ++it;
    }
    if (it != p->tlvs().end()) CHECK((*it).type == pp::tlv_type::noop);  // padding
  }
  CHECK(built_count > 2000);
  CHECK(too_large > 0);
}

TEST_CASE("an exact-size buffer works, one byte less fails and leaves it untouched", "[builder][limits]") {
  const pp::tlv_item items[] = {pp::tlv_item::alpn("h2"), pp::tlv_item::crc32c()};
  const pp::header h =
      pp::proxy_header({pp::ip_address::v4(0xC0000201u), 56324}, {pp::ip_address::v4(0xC6336402u), 443});
  const auto size = pp::size_v2(h, items);
  REQUIRE(size.size() == 16 + 12 + 5 + 7);
  std::vector<std::byte> exact(size.size());
  CHECK(pp::build_v2(exact, h, items).size() == size.size());
  std::vector<std::byte> small(size.size() - 1, std::byte{0xAA});
  const auto fail = pp::build_v2(small, h, items);
  CHECK(fail.error() == pp::errc::build_buffer_too_small);
  CHECK(fail.size() == 0);
  CHECK(std::all_of(small.begin(), small.end(), [](std::byte b) { return b == std::byte{0xAA}; }));

  const auto line = pp::size_v1(h);
  std::vector<std::byte> v1_small(line.size() - 1, std::byte{0xAA});
  CHECK(pp::build_v1(v1_small, h).error() == pp::errc::build_buffer_too_small);
  CHECK(std::all_of(v1_small.begin(), v1_small.end(), [](std::byte b) { return b == std::byte{0xAA}; }));
  std::vector<std::byte> v1_exact(line.size());
  CHECK(pp::build_v1(v1_exact, h).ok());
}

TEST_CASE("the 65535-byte length limit is enforced exactly", "[builder][limits]") {
  const pp::header h = pp::proxy_header({pp::ip_address::v4(1u), 1}, {pp::ip_address::v4(2u), 2});
  std::vector<std::byte> out(pp::v2_max_size + 10);
  const std::size_t max_noop = 65535 - 12 - 3;
  const pp::tlv_item fits[] = {pp::tlv_item::noop(max_noop)};
  const auto b = pp::build_v2(out, h, fits);
  REQUIRE(b.ok());
  CHECK(b.size() == pp::v2_max_size);
  CHECK(pp::parse(std::span(out).first(b.size())).ok());
  const pp::tlv_item over[] = {pp::tlv_item::noop(max_noop + 1)};
  CHECK(pp::build_v2(out, h, over).error() == pp::errc::build_header_too_large);
  const pp::tlv_item two[] = {pp::tlv_item::noop(40000), pp::tlv_item::noop(40000)};
  CHECK(pp::build_v2(out, h, two).error() == pp::errc::build_header_too_large);
}

TEST_CASE("max_size keeps a v2 header within what a receiver takes (Apache: 232 bytes)", "[builder][limits]") {
  const pp::header h = pp::proxy_header({pp::ip_address::v4(1u), 1}, {pp::ip_address::v4(2u), 2});
  const std::array<std::byte, 201> id{};
  const pp::tlv_item fits[] = {pp::tlv_item::raw(0xE1, std::span(id).first(201))};  // 16 + 12 + 3 + 201 = 232
  std::array<std::byte, 300> out{};
  CHECK(pp::build_v2(out, h, fits, {.max_size = 232}).size() == 232);
  const pp::tlv_item over[] = {pp::tlv_item::raw(0xE1, id), pp::tlv_item::noop()};
  CHECK(pp::build_v2(out, h, over, {.max_size = 232}).error() == pp::errc::build_header_too_large);
  CHECK(pp::size_v2(h, over, {.max_size = 232}).error() == pp::errc::build_header_too_large);
}

TEST_CASE("padding and CRC32C combine: the CRC covers the padding", "[builder][padding]") {
  const pp::header h = pp::proxy_header({pp::ip_address::v4(0xC0000201u), 1}, {pp::ip_address::v4(0xC6336402u), 2});
  const pp::tlv_item items[] = {pp::tlv_item::crc32c(), pp::tlv_item::authority("example.com")};
  std::array<std::byte, 256> out{};
  for (std::size_t align : {4u, 8u, 16u, 32u, 64u, 100u}) {
    INFO(align);
    const auto b = pp::build_v2(out, h, items, {.pad_to_multiple = align});
    REQUIRE(b.ok());
    CHECK(b.size() % align == 0);
    const auto p = pp::parse(std::span(out).first(b.size()));
    REQUIRE(p.ok());  // CRC verified over the whole header, padding included
    CHECK(p->noop().has_value() == (b.size() != 49));
  }
  for (std::size_t total : {49u, 52u, 53u, 200u}) {
    const auto b = pp::build_v2(out, h, items, {.pad_to_size = total});
    REQUIRE(b.ok());
    CHECK(b.size() == total);
    CHECK(pp::parse(std::span(out).first(b.size())).ok());
  }
  CHECK(pp::build_v2(out, h, items, {.pad_to_size = 50}).error() == pp::errc::build_invalid_padding);
  CHECK(pp::build_v2(out, h, items, {.pad_to_size = 51}).error() == pp::errc::build_invalid_padding);
  CHECK(pp::build_v2(out, h, items, {.pad_to_size = 48}).error() == pp::errc::build_invalid_padding);
}

TEST_CASE("mixed families are mapped to IPv6 as HAProxy does, or refused by option", "[builder]") {
  const pp::header h =
      pp::proxy_header({*pp::parse_ip_address("2001:db8::7"), 4711}, {pp::ip_address::v4(0x7f000001u), 80});
  std::array<std::byte, 128> out{};
  const auto v1 = pp::build_v1(out, h);
  REQUIRE(v1.ok());
  CHECK(std::string_view(reinterpret_cast<const char*>(out.data()), v1.size()) ==
        "PROXY TCP6 2001:db8::7 ::ffff:127.0.0.1 4711 80\r\n");
  const auto v2 = pp::build_v2(out, h);
  REQUIRE(v2.ok());
  CHECK(to_hex(std::span(out).subspan(12, 4)) == "21210024");
  CHECK(pp::build_v1(out, h, {.map_mixed_families = false}).error() == pp::errc::build_invalid_address);
}

// Every build error code, with the input that produces it.
struct build_error_case {
  const char* what;
  pp::errc error;
  pp::build_result (*run)();
};

std::array<std::byte, 4096> scratch{};
const pp::header inet_header = pp::proxy_header({pp::ip_address::v4(1u), 1}, {pp::ip_address::v4(2u), 2});
const std::array<std::byte, 200> filler{};

const build_error_case build_error_cases[] = {
    {"buffer too small", pp::errc::build_buffer_too_small,
     [] { return pp::build_v2(std::span(scratch).first(27), inet_header); }},
    {"length over 65535", pp::errc::build_header_too_large,
     [] {
       static const pp::tlv_item big[] = {pp::tlv_item::noop(65521)};
       return pp::build_v2(scratch, inet_header, big);
     }},
    {"command neither LOCAL nor PROXY", pp::errc::build_invalid_command,
     [] {
       pp::header h = inet_header;
       h.command = static_cast<pp::command>(2);
       return pp::build_v2(scratch, h);
     }},
    {"INET announced with two IPv6 addresses", pp::errc::build_invalid_address,
     [] {
       pp::header h = pp::proxy_header({*pp::parse_ip_address("2001:db8::1"), 1}, {*pp::parse_ip_address("::1"), 2});
       h.family = pp::address_family::inet;
       return pp::build_v2(scratch, h);
     }},
    {"v1 INET with UNSPEC transport", pp::errc::build_invalid_family_transport,
     [] {
       pp::header h = inet_header;
       h.version = pp::version::v1;
       h.transport = pp::transport_protocol::unspecified;
       return pp::build_v1(scratch, h);
     }},
    {"INET without addresses", pp::errc::build_invalid_address,
     [] {
       pp::header h;
       h.family = pp::address_family::inet;
       h.transport = pp::transport_protocol::stream;
       return pp::build_v2(scratch, h);
     }},
    {"UNIX path over 108 bytes", pp::errc::build_invalid_address,
     [] {
       pp::header h;
       h.family = pp::address_family::unix_socket;
       h.transport = pp::transport_protocol::stream;
       h.unix_source = std::span(filler).first(109);
       return pp::build_v2(scratch, h);
     }},
    {"INET with UNSPEC transport", pp::errc::build_invalid_family_transport,
     [] {
       pp::header h = inet_header;
       h.transport = pp::transport_protocol::unspecified;
       return pp::build_v2(scratch, h);
     }},
    {"undefined family value", pp::errc::build_invalid_family_transport,
     [] {
       pp::header h = inet_header;
       h.family = static_cast<pp::address_family>(4);
       return pp::build_v2(scratch, h);
     }},
    {"received LOCAL with an address block longer than its family's", pp::errc::build_invalid_address,
     [] {
       pp::header h = pp::local_header();
       h.family = pp::address_family::inet;
       h.transport = pp::transport_protocol::stream;
       h.address_block = std::span(filler).first(13);
       return pp::build_v2(scratch, h);
     }},
    {"received LOCAL with a short (opaque) block and TLVs after it", pp::errc::build_invalid_address,
     [] {
       static const pp::tlv_item alpn[] = {pp::tlv_item::alpn("h2")};
       pp::header h = pp::local_header();
       h.family = pp::address_family::inet6;
       h.transport = pp::transport_protocol::stream;
       h.address_block = std::span(filler).first(35);
       return pp::build_v2(scratch, h, alpn);
     }},
    {"received LOCAL with a short (opaque) block and padding", pp::errc::build_invalid_address,
     [] {
       pp::header h = pp::local_header();
       h.family = pp::address_family::inet;
       h.transport = pp::transport_protocol::stream;
       h.address_block = std::span(filler).first(11);
       return pp::build_v2(scratch, h, {}, {.pad_to_multiple = 16});
     }},
    {"UNIQUE_ID over 128", pp::errc::build_invalid_tlv,
     [] {
       static const pp::tlv_item id[] = {pp::tlv_item::unique_id(std::span(filler).first(129))};
       return pp::build_v2(scratch, inet_header, id);
     }},
    {"two CRC32C", pp::errc::build_invalid_tlv,
     [] {
       static const pp::tlv_item crcs[] = {pp::tlv_item::crc32c(), pp::tlv_item::crc32c()};
       return pp::build_v2(scratch, inet_header, crcs);
     }},
    {"SSL inside SSL", pp::errc::build_invalid_tlv,
     [] {
       static const pp::tlv_item inner[] = {pp::tlv_item::ssl(0, 0)};
       static const pp::tlv_item outer[] = {pp::tlv_item::ssl(1, 0, inner)};
       return pp::build_v2(scratch, inet_header, outer);
     }},
    {"raw CRC32C: the checksum is the builder's to compute", pp::errc::build_invalid_tlv,
     [] {
       static const pp::tlv_item crc[] = {pp::tlv_item::raw(pp::tlv_type::crc32c, std::span(filler).first(4))};
       return pp::build_v2(scratch, inet_header, crc);
     }},
    {"raw CRC32C of 3 bytes", pp::errc::build_invalid_tlv,
     [] {
       static const pp::tlv_item crc[] = {pp::tlv_item::raw(pp::tlv_type::crc32c, std::span(filler).first(3))};
       return pp::build_v2(scratch, inet_header, crc);
     }},
    {"text SSL shorter than client + verify", pp::errc::build_invalid_tlv,
     [] {
       static const pp::tlv_item ssl[] = {pp::tlv_item::text(pp::tlv_type::ssl, "ab")};
       return pp::build_v2(scratch, inet_header, ssl);
     }},
    {"raw SSL whose sub-TLV runs past its end", pp::errc::build_invalid_tlv,
     [] {
       static const auto value = hex_bytes("01000000002100");
       static const pp::tlv_item ssl[] = {pp::tlv_item::raw(pp::tlv_type::ssl, value)};
       return pp::build_v2(scratch, inet_header, ssl);
     }},
    {"raw SSL with a sub-TLV cut after its type", pp::errc::build_invalid_tlv,
     [] {
       static const auto value = hex_bytes("010000000021");
       static const pp::tlv_item ssl[] = {pp::tlv_item::raw(pp::tlv_type::ssl, value)};
       return pp::build_v2(scratch, inet_header, ssl);
     }},
    {"UNIQUE_ID over 128 from text", pp::errc::build_invalid_tlv,
     [] {
       static const std::string id(129, 'x');
       static const pp::tlv_item ids[] = {pp::tlv_item::unique_id(id)};
       return pp::build_v2(scratch, inet_header, ids);
     }},
    {"malformed raw TLV bytes", pp::errc::build_invalid_tlv,
     [] {
       static const auto bad = hex_bytes("020005616263");
       pp::header h = inet_header;
       h.tlv_bytes = bad;
       return pp::build_v2(scratch, h);
     }},
    {"padding gap of 1 byte", pp::errc::build_invalid_padding,
     [] { return pp::build_v2(scratch, inet_header, {}, {.pad_to_size = 29}); }},
};

TEST_CASE("builders fail with a specific code and write nothing", "[builder][errors]") {
  for (const auto& c : build_error_cases) {
    INFO(c.what);
    scratch.fill(std::byte{0xAA});
    const auto r = c.run();
    CHECK_FALSE(r.ok());
    CHECK(r.error() == c.error);
    CHECK(r.size() == 0);
    CHECK(std::all_of(scratch.begin(), scratch.end(), [](std::byte b) { return b == std::byte{0xAA}; }));
  }
}

// The header the parser sees for one TLV after inet_header's addresses,
// written by hand so that the builder is not its own judge.
std::vector<std::byte> hand_written_v2(std::uint8_t type, std::span<const std::byte> value) {
  std::vector<std::byte> h = hex_bytes("0D0A0D0A000D0A515549540A2111");
  const std::size_t length = 12 + 3 + value.size();
  h.push_back(static_cast<std::byte>(length >> 8));
  h.push_back(static_cast<std::byte>(length));
  const auto addresses = hex_bytes("000000010000000200010002");
  h.insert(h.end(), addresses.begin(), addresses.end());
  h.push_back(std::byte{type});
  h.push_back(static_cast<std::byte>(value.size() >> 8));
  h.push_back(static_cast<std::byte>(value.size()));
  h.insert(h.end(), value.begin(), value.end());
  return h;
}

TEST_CASE("a received LOCAL header's block is re-emitted as it was, up to its family's size", "[builder][local]") {
  std::array<std::byte, 64> out{};
  for (const std::size_t size : {std::size_t{0}, std::size_t{11}, std::size_t{12}}) {
    pp::header h = pp::local_header();
    h.family = pp::address_family::inet;
    h.transport = pp::transport_protocol::stream;
    h.address_block = std::span(filler).first(size);
    // Padding options that add nothing leave a short block valid.
    for (const pp::build_options options : {pp::build_options{}, pp::build_options{.pad_to_size = 16 + size},
                                            pp::build_options{.pad_to_multiple = 16 + size}}) {
      INFO("block of " << size << " bytes, pad_to_size " << options.pad_to_size << ", pad_to_multiple "
                       << options.pad_to_multiple);
      const auto b = pp::build_v2(out, h, {}, options);
      REQUIRE(b.ok());
      CHECK(b.size() == 16 + size);
      const auto p = pp::parse(std::span(out).first(b.size()));
      REQUIRE(p.ok());
      CHECK(p->command == pp::command::local);
      CHECK(to_hex(p->address_block) == to_hex(std::span(filler).first(size)));
    }
  }
}

TEST_CASE("a raw TLV item builds exactly when the parser accepts its TLV", "[builder][tlv][errors]") {
  test_support::rng r(20261129);
  const std::uint8_t types[] = {pp::tlv_type::crc32c, pp::tlv_type::unique_id, pp::tlv_type::ssl,
                                pp::tlv_type::alpn,   pp::ssl_type::version,   0xE1};
  std::array<std::byte, 512> out{};
  std::size_t built = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint8_t type = types[r.below(std::size(types))];
    std::vector<std::byte> value(r.below(r.below(4) == 0 ? 140 : 12));
    for (auto& b : value) b = std::byte{r.byte()};
    if (type == pp::tlv_type::ssl && value.size() >= 9 && r.below(2) == 0) {
      // Often close to well formed: the first sub-TLV's length is within a byte of the end.
      const std::size_t rest = value.size() - 9 + r.below(3);
      value[6] = static_cast<std::byte>(rest >> 8);
      value[7] = static_cast<std::byte>(rest);
    }
    const pp::tlv_item item[] = {pp::tlv_item::raw(type, value)};
    const auto expected = hand_written_v2(type, value);
    const bool parser_accepts = pp::parse(expected).ok();
    const auto b = pp::build_v2(out, inet_header, item);
    INFO("type " << int{type} << ", value " << to_hex(value));
    if (type == pp::tlv_type::crc32c) {
      CHECK(b.error() == pp::errc::build_invalid_tlv);  // only through tlv_item::crc32c()
    } else {
      REQUIRE(b.ok() == parser_accepts);
      if (b.ok()) CHECK(to_hex(std::span(out).first(b.size())) == to_hex(expected));
    }
    CHECK((item[0].value_size() != SIZE_MAX) == b.ok());
    ++(b.ok() ? built : refused);
  }
  CHECK(built > 5000);
  CHECK(refused > 5000);
}

TEST_CASE("write_invalid_tlvs writes what the parser refuses, for testing receivers", "[builder][tlv]") {
  static const std::string long_id(129, 'u');
  static const auto bad_sub = hex_bytes("01000000002100");
  static const auto wrong_crc = hex_bytes("deadbeef");
  static const auto two_bytes = hex_bytes("6162");
  struct row {
    const char* what;
    pp::tlv_item item;
    std::uint8_t type;
    std::span<const std::byte> value;  // what must be on the wire
    pp::errc parser_says;
  };
  const row rows[] = {
      {"a wrong checksum", pp::tlv_item::raw(pp::tlv_type::crc32c, wrong_crc), pp::tlv_type::crc32c, wrong_crc,
       pp::errc::v2_crc32c_mismatch},
      {"a 3-byte CRC32C", pp::tlv_item::raw(pp::tlv_type::crc32c, std::span(wrong_crc).first(3)), pp::tlv_type::crc32c,
       std::span(wrong_crc).first(3), pp::errc::v2_crc32c_bad_length},
      {"SSL of 2 bytes", pp::tlv_item::text(pp::tlv_type::ssl, "ab"), pp::tlv_type::ssl, two_bytes,
       pp::errc::v2_ssl_too_short},
      {"SSL with a sub-TLV past its end", pp::tlv_item::raw(pp::tlv_type::ssl, bad_sub), pp::tlv_type::ssl, bad_sub,
       pp::errc::v2_ssl_sub_tlv_truncated},
      {"UNIQUE_ID of 129 bytes", pp::tlv_item::unique_id(long_id), pp::tlv_type::unique_id,
       test_support::as_span(long_id), pp::errc::v2_unique_id_too_long},
  };
  std::array<std::byte, 512> out{};
  for (const auto& r : rows) {
    INFO(r.what);
    const pp::tlv_item items[] = {r.item};
    CHECK(pp::build_v2(out, inet_header, items).error() == pp::errc::build_invalid_tlv);
    const pp::build_options anyway{.write_invalid_tlvs = true};
    const auto b = pp::build_v2(out, inet_header, items, anyway);
    REQUIRE(b.ok());
    CHECK(pp::size_v2(inet_header, items, anyway).size() == b.size());
    CHECK(r.item.size_as_given() == r.value.size());
    CHECK(to_hex(std::span(out).first(b.size())) == to_hex(hand_written_v2(r.type, r.value)));
    CHECK(pp::parse(std::span(out).first(b.size())).error() == r.parser_says);
  }
  // A raw CRC32C beside a computed one: both written, the parser sees two.
  const pp::tlv_item two[] = {pp::tlv_item::raw(pp::tlv_type::crc32c, wrong_crc), pp::tlv_item::crc32c()};
  const auto b = pp::build_v2(out, inet_header, two, {.write_invalid_tlvs = true});
  REQUIRE(b.ok());
  CHECK(pp::parse(std::span(out).first(b.size())).error() == pp::errc::v2_crc32c_duplicate);
  // What cannot be written at all still fails.
  const pp::tlv_item crcs[] = {pp::tlv_item::crc32c(), pp::tlv_item::crc32c()};
  CHECK(pp::build_v2(out, inet_header, crcs, {.write_invalid_tlvs = true}).error() == pp::errc::build_invalid_tlv);
  const pp::tlv_item inner[] = {pp::tlv_item::ssl(0, 0)};
  const pp::tlv_item nested[] = {pp::tlv_item::ssl(1, 0, inner)};
  CHECK(pp::build_v2(out, inet_header, nested, {.write_invalid_tlvs = true}).error() == pp::errc::build_invalid_tlv);
  std::vector<std::byte> huge(65536);
  const pp::tlv_item too_long[] = {pp::tlv_item::raw(0xE1, huge)};
  CHECK(pp::build_v2(out, inet_header, too_long, {.write_invalid_tlvs = true}).error() == pp::errc::build_invalid_tlv);
  pp::header h = inet_header;
  const auto cut = hex_bytes("020005616263");
  h.tlv_bytes = cut;
  CHECK(pp::build_v2(out, h, {}, {.write_invalid_tlvs = true}).error() == pp::errc::build_invalid_tlv);
}

TEST_CASE("inside SSL, sub-TLVs are not held to the top-level types' rules", "[builder][tlv]") {
  // The parser never descends into SSL: sub-type 0x05 is no UNIQUE_ID, 0x03 no
  // CRC32C, 0x20 no SSL there.
  const std::array<std::byte, 200> long_value{};
  const pp::tlv_item subs[] = {pp::tlv_item::raw(pp::tlv_type::unique_id, long_value),
                               pp::tlv_item::raw(pp::tlv_type::crc32c, std::span(long_value).first(3)),
                               pp::tlv_item::text(pp::tlv_type::ssl, "ab")};
  const pp::tlv_item items[] = {pp::tlv_item::ssl(pp::ssl_client::ssl, 0, subs)};
  std::array<std::byte, 512> out{};
  const auto b = pp::build_v2(out, inet_header, items);
  REQUIRE(b.ok());
  const auto p = pp::parse(std::span(out).first(b.size()));
  REQUIRE(p.ok());
  const auto ssl = p->ssl();
  REQUIRE(ssl);
  std::vector<std::pair<std::uint8_t, std::size_t>> seen;
  for (const auto sub : ssl->sub_tlvs) seen.emplace_back(sub.type, sub.value.size());
  CHECK(seen == std::vector<std::pair<std::uint8_t, std::size_t>>{{0x05, 200}, {0x03, 3}, {0x20, 2}});
}

TEST_CASE("typed TLV items write the registry's and vendors' layouts", "[builder][tlv]") {
  static const std::array<std::byte, 3> der = {std::byte{0x30}, std::byte{0x82}, std::byte{0x01}};
  const pp::tlv_item subs[] = {pp::tlv_item::ssl_version("TLSv1.3"),
                               pp::tlv_item::ssl_common_name("cn"),
                               pp::tlv_item::ssl_cipher("c"),
                               pp::tlv_item::ssl_signature_algorithm("s"),
                               pp::tlv_item::ssl_key_algorithm("k"),
                               pp::tlv_item::ssl_group("g"),
                               pp::tlv_item::ssl_signature_scheme("ss"),
                               pp::tlv_item::ssl_client_certificate(der)};
  const pp::tlv_item items[] = {pp::tlv_item::alpn("h2"),
                                pp::tlv_item::authority("example.com"),
                                pp::tlv_item::unique_id("abc"),
                                pp::tlv_item::netns("blue"),
                                pp::tlv_item::ssl(pp::ssl_client::ssl | pp::ssl_client::cert_conn, 0, subs),
                                pp::tlv_item::aws_vpc_endpoint_id("vpce-0123456789abcdef0"),
                                pp::tlv_item::azure_private_endpoint_link_id(0x12345678u),
                                pp::tlv_item::gcp_psc_connection_id(43686719580552292ull),
                                pp::tlv_item::noop(2),
                                pp::tlv_item::crc32c()};
  std::array<std::byte, 512> out{};
  const auto b = pp::build_v2(out, inet_header, items);
  REQUIRE(b.ok());
  const auto p = pp::parse(std::span(out).first(b.size()));
  REQUIRE(p.ok());
  CHECK(p->alpn() == "h2");
  CHECK(p->authority() == "example.com");
  CHECK(p->find(pp::tlv_type::unique_id)->text() == "abc");
  CHECK(p->netns() == "blue");
  CHECK(p->aws_vpc_endpoint_id() == "vpce-0123456789abcdef0");
  CHECK(p->azure_private_endpoint_link_id() == 0x12345678u);
  CHECK(p->gcp_psc_connection_id() == 43686719580552292ull);
  CHECK(to_hex(p->find(pp::tlv_type::azure)->value) == "0178563412");
  CHECK(to_hex(p->find(pp::tlv_type::gcp)->value) == "009b34d70a003c64");
  CHECK(p->noop()->size() == 2);
  const auto ssl = p->ssl();
  REQUIRE(ssl);
  CHECK(ssl->client_verified());
  CHECK(ssl->version() == "TLSv1.3");
  CHECK(ssl->common_name() == "cn");
  CHECK(ssl->group() == "g");
  CHECK(ssl->signature_scheme() == "ss");
  CHECK(to_hex(*ssl->client_certificate()) == "308201");
  CHECK(ssl->sub_tlvs.count() == 8);
}

TEST_CASE("v1 sends what it cannot carry (UNIX, DGRAM) as UNKNOWN, as spec 2.1 requires", "[builder]") {
  std::array<std::byte, 128> out{};
  auto line = [&](const pp::header& h) {
    const auto b = pp::build_v1(out, h);
    REQUIRE(b.ok());
    return std::string(reinterpret_cast<const char*>(out.data()), b.size());
  };
  pp::header udp = inet_header;
  udp.transport = pp::transport_protocol::datagram;
  CHECK(line(udp) == "PROXY UNKNOWN\r\n");
  pp::header unix_header;
  unix_header.family = pp::address_family::unix_socket;
  unix_header.transport = pp::transport_protocol::stream;
  CHECK(line(unix_header) == "PROXY UNKNOWN\r\n");
  CHECK(line(inet_header) == "PROXY TCP4 0.0.0.1 0.0.0.2 1 2\r\n");
}

TEST_CASE("a parse result taken by value outlives the result object", "[builder][api]") {
  const auto bytes = hex_bytes("0d0a0d0a000d0a515549540a2111000cc0000201c6336402dc0401bb");
  const pp::header h = pp::parse(bytes).value();  // value() && returns a copy
  CHECK(h.source.port == 56324);
  const pp::header h2 = *pp::parse(bytes);
  CHECK(h2.destination.port == 443);
}

TEST_CASE("LOCAL health-check header is HAProxy's 16 bytes", "[builder]") {
  std::array<std::byte, 16> out{};
  CHECK(pp::build_v2(out, pp::local_header()).size() == 16);
  CHECK(to_hex(out) == "0d0a0d0a000d0a515549540a20000000");
}

TEST_CASE("sockaddr in: header from getpeername/getsockname results; and back out", "[builder][sockets]") {
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(56324);
  inet_pton(AF_INET, "192.0.2.1", &peer.sin_addr);
  sockaddr_in6 local{};
  local.sin6_family = AF_INET6;
  local.sin6_port = htons(443);
  inet_pton(AF_INET6, "::ffff:198.51.100.2", &local.sin6_addr);
  const pp::header h = pp::header_from_sockets(reinterpret_cast<const sockaddr*>(&peer), sizeof peer,
                                               reinterpret_cast<const sockaddr*>(&local), sizeof local);
  CHECK(h.family == pp::address_family::inet6);
  CHECK(test_support::text(h.source.address) == "192.0.2.1");
  CHECK(test_support::text(h.destination.address) == "::ffff:198.51.100.2");
  std::array<std::byte, 128> out{};
  const auto v1 = pp::build_v1(out, h);
  CHECK(std::string_view(reinterpret_cast<const char*>(out.data()), v1.size()) ==
        "PROXY TCP6 ::ffff:192.0.2.1 ::ffff:198.51.100.2 56324 443\r\n");

  sockaddr_storage storage{};
  REQUIRE(pp::to_sockaddr(h.source, storage) == sizeof(sockaddr_in));
  const auto* back = reinterpret_cast<const sockaddr_in*>(&storage);
  CHECK(back->sin_family == AF_INET);
  CHECK(ntohs(back->sin_port) == 56324);
  CHECK(std::memcmp(&back->sin_addr, &peer.sin_addr, 4) == 0);
  REQUIRE(pp::to_sockaddr(h.destination, storage) == sizeof(sockaddr_in6));
  CHECK(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_family == AF_INET6);
  CHECK(pp::to_sockaddr(pp::endpoint{}, storage) == 0);

  sockaddr_un a{}, b{};
  a.sun_family = b.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, "/run/client.sock");
  std::strcpy(b.sun_path, "/run/server.sock");
  const pp::header u = pp::header_from_sockets(reinterpret_cast<const sockaddr*>(&a), sizeof a,
                                               reinterpret_cast<const sockaddr*>(&b), sizeof b);
  CHECK(u.family == pp::address_family::unix_socket);
  REQUIRE(pp::size_v2(u).size() == 16 + 216);
  const auto built = pp::build_v2(std::span(out).first(231), u);  // one byte short
  CHECK(built.error() == pp::errc::build_buffer_too_small);
  std::array<std::byte, 300> big{};
  const auto bu = pp::build_v2(big, u);
  REQUIRE(bu.ok());
  const auto pu = pp::parse(std::span(big).first(bu.size()));
  REQUIRE(pu.ok());
  CHECK(std::string_view(reinterpret_cast<const char*>(pu->unix_source.data())).starts_with("/run/client.sock"));
  CHECK_FALSE(pp::to_endpoint(reinterpret_cast<const sockaddr*>(&a), sizeof a));
  CHECK_FALSE(pp::to_endpoint(reinterpret_cast<const sockaddr*>(&peer), 4));
}

}  // namespace

// The codes builder_test.cpp produces, checked for completeness by error_test.cpp.
extern const std::set<pp::errc> build_error_codes_tested;
const std::set<pp::errc> build_error_codes_tested = [] {
  std::set<pp::errc> codes;
  for (const auto& c : build_error_cases) codes.insert(c.error);
  return codes;
}();

TEST_CASE("v1 TCP6 lines carry the RFC 5952 text of both addresses", "[builder]") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"0001:0012:0123:1234:000F:00FE:0FED:FEDC", "1:12:123:1234:f:fe:fed:fedc"},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"0:0:0:0:0:0:0:0", "::"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
      {"::ffff:c000:0201", "::ffff:192.0.2.1"},
  };
  for (const auto& [in, canonical] : cases) {
    INFO(in);
    const auto a = pp::parse_ip_address(in);
    REQUIRE(a);
    const pp::header h = pp::proxy_header({*a, 1}, {*a, 65535});
    std::array<std::byte, pp::v1_max_size> out{};
    const auto r = pp::build_v1(out, h);
    REQUIRE(r.ok());
    const std::string expected = "PROXY TCP6 " + std::string(canonical) + " " + std::string(canonical) + " 1 65535\r\n";
    CHECK(std::string_view(reinterpret_cast<const char*>(out.data()), r.size()) == expected);
  }
}
