// Detection, parsing and building in constant expressions.
#include <catch2/catch.hpp>

#include <proxy_protocol.hpp>

namespace pp = proxy_protocol;

namespace {

template <std::size_t N>
consteval std::array<std::byte, N - 1> bytes_of(const char (&s)[N]) {
  std::array<std::byte, N - 1> out{};
  for (std::size_t i = 0; i + 1 < N; ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}

constexpr auto v1_tcp4 = bytes_of("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET /");
constexpr auto v1_tcp6 = bytes_of("PROXY TCP6 2001:db8::1 ::ffff:198.51.100.2 1234 443\r\n");
constexpr auto v2_tlvs = bytes_of(
    "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x11\x00\x2c\xc0\x00\x02\x01\xc6\x33\x64\x02\xdc\x04\x01\xbb"
    "\x20\x00\x1d\x07\x00\x00\x00\x00\x21\x00\x07TLSv1.3\x22\x00\x0b"
    "example.com");
constexpr auto v2_crc = bytes_of(
    "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x11\x00\x13\xc0\x00\x02\x01\xc6\x33\x64\x02\xdc\x04\x01\xbb"
    "\x03\x00\x04\x20\xec\x95\x49");

static_assert(pp::detect(v1_tcp4) == pp::detection::v1);
static_assert(pp::detect(v2_tlvs) == pp::detection::v2);
static_assert(pp::detect(std::span(v1_tcp4).first(3)) == pp::detection::need_more);

static_assert(pp::parse(v1_tcp4).ok());
static_assert(pp::parse(v1_tcp4).consumed() == 45);
static_assert(pp::parse(v1_tcp4)->source.address == pp::ip_address::v4({192, 0, 2, 1}));
static_assert(pp::parse(v1_tcp4)->destination.port == 443);
static_assert(pp::parse(v1_tcp6)->destination.address == pp::ip_address::v4({198, 51, 100, 2}).to_v6());
static_assert(pp::parse(std::span(v1_tcp4).first(44)).incomplete());

static_assert(pp::parse(v2_tlvs).ok());
static_assert(pp::parse(v2_tlvs)->ssl()->client == 7);
static_assert(pp::parse(v2_tlvs)->ssl()->find(pp::ssl_type::version)->value.size() == 7);
static_assert(pp::parse(v2_tlvs)->tlvs().count() == 1);
static_assert(pp::parse(v2_crc)->crc32c() == 0x20EC9549u);  // CRC verified at compile time

static_assert(pp::parse(bytes_of("PROXY TCP4 1.2.3.256 1.2.3.4 1 2\r\n")).error() == pp::errc::v1_bad_address);
static_assert(pp::parse(bytes_of("\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x22")).error() ==
              pp::errc::v2_bad_command);

// Build -> parse round trip at compile time, with TLVs and a CRC32C.
constexpr bool round_trip() {
  const pp::header h =
      pp::proxy_header({pp::ip_address::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 1234},
                       {pp::ip_address::v4({198, 51, 100, 2}), 443});
  const pp::tlv_item subs[] = {pp::tlv_item::ssl_version("TLSv1.3")};
  const pp::tlv_item items[] = {pp::tlv_item::alpn("h2"), pp::tlv_item::ssl(pp::ssl_client::ssl, 0, subs),
                                pp::tlv_item::crc32c()};
  std::array<std::byte, 200> buffer{};
  const auto built = pp::build_v2(buffer, h, items, {.pad_to_multiple = 16});
  if (!built || built.size() % 16 != 0) return false;
  const auto parsed = pp::parse(std::span(buffer).first(built.size()));
  if (!parsed || parsed.consumed() != built.size()) return false;
  if (parsed->source != h.source || parsed->destination.address != h.destination.address.to_v6()) return false;
  if (!parsed->ssl() || parsed->ssl()->client != pp::ssl_client::ssl || !parsed->crc32c()) return false;

  std::array<std::byte, pp::v1_max_size> line{};
  const auto v1 = pp::build_v1(line, h);
  const auto back = pp::parse(std::span(line).first(v1.size()));
  return v1 && back && back->family == pp::address_family::inet6 && back->source == h.source;
}
static_assert(round_trip());

constexpr bool formats_addresses() {
  const auto t =
      pp::to_text(pp::endpoint{pp::ip_address::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}), 443});
  return t.view() == "[2001:db8::1:0:0:1]:443";
}
static_assert(formats_addresses());

TEST_CASE("parsing and building work in constant expressions", "[constexpr]") {
  // Everything above is a static_assert; this runs the same functions at run time.
  CHECK(round_trip());
  CHECK(formats_addresses());
  CHECK(pp::parse(v2_crc)->crc32c() == 0x20EC9549u);
}

}  // namespace
