// Every error code: a name, a message, std::error_code interop, and a test input that produces it.
#include <catch2/catch.hpp>

#include <set>
#include <system_error>

#include "support.hpp"

namespace pp = proxy_protocol;
using test_support::as_span;
using test_support::hex_bytes;

namespace {

struct parse_case {
  pp::errc error;
  std::string input;  // text, or hex when it starts with "hex:"
  pp::parse_options options{};
};

pp::parse_options with_max(std::size_t n) {
  pp::parse_options o;
  o.max_header_size = n;
  return o;
}
pp::parse_options rejecting_unspec() {
  pp::parse_options o;
  o.reject_proxy_unspecified = true;
  return o;
}

// One input per parser code. (The v1/v2 tables test each code more thoroughly.)
const parse_case parse_cases[] = {
    {pp::errc::not_proxy_header, "GET / HTTP/1.1\r\n"},
    {pp::errc::v1_line_too_long, "PROXY UNKNOWN " + std::string(100, 'x')},
    {pp::errc::v1_bad_line_ending, "PROXY UNKNOWN\n"},
    {pp::errc::v1_bad_protocol, "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"},
    {pp::errc::v1_bad_separator, "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"},
    {pp::errc::v1_missing_field, "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"},
    {pp::errc::v1_bad_address, "PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n"},
    {pp::errc::v1_address_family_mismatch, "PROXY TCP4 ::1 5.6.7.8 1 2\r\n"},
    {pp::errc::v1_bad_port, "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"},
    {pp::errc::v1_trailing_data, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"},
    {pp::errc::v2_bad_version, "hex:0d0a0d0a000d0a515549540a1111000c"},
    {pp::errc::v2_bad_command, "hex:0d0a0d0a000d0a515549540a2311000c"},
    {pp::errc::v2_bad_family, "hex:0d0a0d0a000d0a515549540a2151000c"},
    {pp::errc::v2_bad_transport, "hex:0d0a0d0a000d0a515549540a2114000c"},
    {pp::errc::v2_unlisted_family_transport, "hex:0d0a0d0a000d0a515549540a2120000c"},
    {pp::errc::v2_length_too_short, "hex:0d0a0d0a000d0a515549540a2111000b"},
    {pp::errc::v2_header_too_large, "hex:0d0a0d0a000d0a515549540a21110400", with_max(1024)},
    {pp::errc::v2_tlv_truncated, "hex:0d0a0d0a000d0a515549540a21110010c0000201c6336402dc0401bb02000201"},
    {pp::errc::v2_crc32c_bad_length, "hex:0d0a0d0a000d0a515549540a21110012c0000201c6336402dc0401bb030003000000"},
    {pp::errc::v2_crc32c_duplicate,
     "hex:0d0a0d0a000d0a515549540a2111001ac0000201c6336402dc0401bb0300040000000003000400000000"},
    {pp::errc::v2_crc32c_mismatch, "hex:0d0a0d0a000d0a515549540a21110013c0000201c6336402dc0401bb03000420ec954a"},
    {pp::errc::v2_ssl_too_short, "hex:0d0a0d0a000d0a515549540a21110013c0000201c6336402dc0401bb20000401000000"},
    {pp::errc::v2_ssl_sub_tlv_truncated,
     "hex:0d0a0d0a000d0a515549540a21110016c0000201c6336402dc0401bb200007010000000021ff"},
    {pp::errc::v2_unique_id_too_long,
     "hex:0d0a0d0a000d0a515549540a21110090c0000201c6336402dc0401bb050081" + std::string(129 * 2, 'a')},
    {pp::errc::v2_proxy_unspecified_rejected, "hex:0d0a0d0a000d0a515549540a21000000", rejecting_unspec()},
};

TEST_CASE("each parser error code is produced by its input", "[errors]") {
  for (const auto& c : parse_cases) {
    INFO(pp::to_string(c.error));
    const auto bytes = c.input.rfind("hex:", 0) == 0 ? hex_bytes(c.input.substr(4)) : test_support::text_bytes(c.input);
    const auto r = pp::parse(bytes, c.options);
    REQUIRE(r.failed());
    CHECK(r.error() == c.error);
    CHECK(r.error_code() == std::error_code(c.error));
  }
}

TEST_CASE("every error code has a name, a message and an error_code", "[errors]") {
  std::set<std::string_view> names, messages;
  for (std::size_t i = 1; i <= pp::errc_count; ++i) {
    const auto e = static_cast<pp::errc>(i);
    INFO(i);
    CHECK(pp::to_string(e) != "unknown");
    CHECK(pp::message(e) != "unknown error");
    names.insert(pp::to_string(e));
    messages.insert(pp::message(e));
    const std::error_code ec = e;
    CHECK(ec.category().name() == std::string_view("proxy_protocol"));
    CHECK(ec.message() == pp::message(e));
    CHECK(ec.value() == static_cast<int>(i));
    CHECK(static_cast<bool>(ec));
  }
  CHECK(names.size() == pp::errc_count);
  CHECK(messages.size() == pp::errc_count);
  CHECK(pp::to_string(static_cast<pp::errc>(200)) == "unknown");
}

TEST_CASE("need-more and success carry no error code", "[errors]") {
  const auto more = pp::parse(as_span("PROXY TCP4 "));
  CHECK(more.incomplete());
  CHECK(more.error() == pp::errc{});
  CHECK_FALSE(more.error_code());
  CHECK(more.consumed() == 0);
  const auto ok = pp::parse(as_span("PROXY UNKNOWN\r\n"));
  CHECK_FALSE(ok.error_code());
  CHECK(ok.bytes_needed() == 0);
}

}  // namespace

// Build error codes are produced by builder_test.cpp's table; this checks the union covers all codes.
extern const std::set<pp::errc> build_error_codes_tested;

namespace {

TEST_CASE("every error code has a test that produces it", "[errors]") {
  std::set<pp::errc> covered;
  for (const auto& c : parse_cases) covered.insert(c.error);
  covered.insert(build_error_codes_tested.begin(), build_error_codes_tested.end());
  for (std::size_t i = 1; i <= pp::errc_count; ++i) {
    INFO(pp::to_string(static_cast<pp::errc>(i)));
    CHECK(covered.count(static_cast<pp::errc>(i)) == 1);
  }
}

}  // namespace
