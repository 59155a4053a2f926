// A program as a user of the library writes it, compiled by every consumer
// test (find_package, add_subdirectory, FetchContent, pkg-config, the single
// header copied alone, the Debian package). It proves that the header it got
// is the expected version and works: a v2 header with TLVs and CRC32C is
// built and parsed back, and a v1 line is parsed.
#include <proxy_protocol.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <string_view>

#ifndef EXPECTED_VERSION
#error "compile with -DEXPECTED_VERSION=\"MAJOR.MINOR.PATCH\""
#endif

#define CONSUMER_STRINGIFY_VALUE(x) #x
#define CONSUMER_STRINGIFY(x) CONSUMER_STRINGIFY_VALUE(x)

namespace {
constexpr std::string_view version_from_macros =
    CONSUMER_STRINGIFY(PROXY_PROTOCOL_VERSION_MAJOR) "." CONSUMER_STRINGIFY(
        PROXY_PROTOCOL_VERSION_MINOR) "." CONSUMER_STRINGIFY(PROXY_PROTOCOL_VERSION_PATCH);

int failures = 0;
void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}
}  // namespace

int main() {
  namespace pp = proxy_protocol;
  check(std::string_view{PROXY_PROTOCOL_VERSION_STRING} == EXPECTED_VERSION, "header version is the expected one");
  check(std::string_view{PROXY_PROTOCOL_VERSION_STRING} == version_from_macros,
        "version string agrees with the version macros");

  const pp::header sent =
      pp::proxy_header({pp::ip_address::v4({192, 0, 2, 1}), 56324}, {pp::ip_address::v4({198, 51, 100, 7}), 443});
  const std::array items = {pp::tlv_item::alpn("h2"), pp::tlv_item::authority("example.com"), pp::tlv_item::crc32c()};
  std::array<std::byte, 128> buffer{};
  const pp::build_result built = pp::build_v2(buffer, sent, items);
  check(built.ok(), "build_v2 succeeds");

  const pp::parse_result parsed = pp::parse(std::span<const std::byte>{buffer.data(), built.size()});
  check(parsed.ok(), "parse accepts what build_v2 wrote");
  if (parsed.ok()) {
    check(parsed->source == sent.source && parsed->destination == sent.destination, "addresses survive");
    check(parsed->authority() == std::optional<std::string_view>{"example.com"}, "AUTHORITY TLV survives");
    check(parsed->crc32c().has_value(), "CRC32C TLV present and verified");
  }

  const pp::parse_result v1 = pp::parse(std::string_view{"PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\nGET /"});
  check(v1.ok() && v1.consumed() == 44 && v1->destination.port == 80, "v1 line parsed");
  check(pp::parse(std::string_view{"GET / HTTP/1.1\r\n"}).error() == pp::errc::not_proxy_header, "HTTP is rejected");

  if (failures != 0) return 1;
  const auto source_text = pp::to_text(parsed->source);
  std::printf("consumer: proxy_protocol %s works (source %.*s)\n", PROXY_PROTOCOL_VERSION_STRING,
              static_cast<int>(source_text.view().size()), source_text.view().data());
  return 0;
}
