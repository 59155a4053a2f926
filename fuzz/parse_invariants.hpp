// Invariants every parser result must satisfy, shared by the detection and
// parser fuzz targets. Each check aborts (FUZZ_CHECK) on a violation:
//   - the result is well formed (consumed <= input size, views inside the input,
//     a code from the right family, need_more asks for at least one byte);
//   - detection agrees with parsing;
//   - the verdict does not depend on how the bytes were split: every prefix is
//     "need more" or the same verdict, a strict prefix of an accepted header is
//     "need more" (asking for no more than the header still lacks), and bytes
//     appended after a header change nothing;
//   - parse -> build -> parse gives equal fields, and re-building is stable.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_support.hpp"

namespace fuzz_support {

enum class parser_kind { any, v1, v2 };

[[nodiscard]] inline pp::parse_result run_parser(parser_kind kind, std::span<const std::byte> input,
                                                 const pp::parse_options& options) {
  switch (kind) {
    case parser_kind::v1:
      return pp::parse_v1(input, options);
    case parser_kind::v2:
      return pp::parse_v2(input, options);
    case parser_kind::any:
      break;
  }
  return pp::parse(input, options);
}

/// Field-by-field equality of two headers, comparing view contents (not
/// addresses), so headers parsed from different buffers can be compared.
[[nodiscard]] inline bool same_fields(const pp::header& a, const pp::header& b) {
  return a.version == b.version && a.command == b.command && a.family == b.family && a.transport == b.transport &&
         a.source == b.source && a.destination == b.destination && same_bytes(a.unix_source, b.unix_source) &&
         same_bytes(a.unix_destination, b.unix_destination) && same_bytes(a.address_block, b.address_block) &&
         same_bytes(a.tlv_bytes, b.tlv_bytes) && a.raw.size() == b.raw.size();
}

[[nodiscard]] inline bool same_verdict(const pp::parse_result& a, const pp::parse_result& b) {
  if (a.status() != b.status()) return false;
  switch (a.status()) {
    case pp::parse_status::complete:
      return a.consumed() == b.consumed() && same_fields(*a, *b);
    case pp::parse_status::need_more:
      return a.bytes_needed() == b.bytes_needed();
    case pp::parse_status::invalid:
      return a.error() == b.error();
  }
  return false;
}

[[nodiscard]] inline bool is_v1_error(pp::errc e) {
  return e >= pp::errc::v1_line_too_long && e <= pp::errc::v1_trailing_data;
}
[[nodiscard]] inline bool is_v2_error(pp::errc e) {
  return e >= pp::errc::v2_bad_version && e <= pp::errc::v2_proxy_unspecified_rejected;
}

/// True when the first bytes of `input` (as many as there are, up to the
/// whole signature) match `signature`.
template <std::size_t N>
[[nodiscard]] bool matches_signature_so_far(std::span<const std::byte> input, const std::array<std::uint8_t, N>& sig) {
  const std::size_t n = std::min(input.size(), N);
  for (std::size_t i = 0; i < n; ++i)
    if (std::to_integer<std::uint8_t>(input[i]) != sig[i]) return false;
  return true;
}
inline constexpr std::array<std::uint8_t, 5> v1_signature = {'P', 'R', 'O', 'X', 'Y'};

/// Invariants of one result on its own.
/// With `cross_check`, also parses again with the other entry points to
/// compare (skipped inside loops over prefixes, for speed).
inline void check_result_shape(parser_kind kind, std::span<const std::byte> input, const pp::parse_result& r,
                               const pp::parse_options& options, bool cross_check = true) {
  FUZZ_CHECK(r.ok() + r.incomplete() + r.failed() == 1);
  FUZZ_CHECK(static_cast<bool>(r) == r.ok());
  FUZZ_CHECK(r.consumed() <= input.size());
  if (r.ok()) {
    const pp::header& h = *r;
    FUZZ_CHECK(r.error() == pp::errc{});
    FUZZ_CHECK(!r.error_code());
    FUZZ_CHECK(r.bytes_needed() == 0);
    FUZZ_CHECK(r.consumed() == h.size());
    FUZZ_CHECK(h.raw.data() == input.data());
    FUZZ_CHECK(lies_within(h.address_block, h.raw));
    FUZZ_CHECK(lies_within(h.tlv_bytes, h.raw));
    FUZZ_CHECK(lies_within(h.unix_source, h.raw));
    FUZZ_CHECK(lies_within(h.unix_destination, h.raw));
    FUZZ_CHECK(h.has_addresses() == (h.command == pp::command::proxy && h.family != pp::address_family::unspecified));
    if (h.version == pp::version::v1) {
      FUZZ_CHECK(kind != parser_kind::v2);
      FUZZ_CHECK(h.size() >= pp::v1_min_size && h.size() <= pp::v1_max_size);
      FUZZ_CHECK(std::to_integer<char>(h.raw[h.size() - 2]) == '\r' &&
                 std::to_integer<char>(h.raw[h.size() - 1]) == '\n');
      FUZZ_CHECK(h.command == pp::command::proxy);
      FUZZ_CHECK(h.address_block.empty() && h.tlv_bytes.empty() && h.unix_source.empty() && h.unix_destination.empty());
      if (h.family == pp::address_family::unspecified) {
        FUZZ_CHECK(h.transport == pp::transport_protocol::unspecified);
        FUZZ_CHECK(h.source == pp::endpoint{} && h.destination == pp::endpoint{});
      } else {
        FUZZ_CHECK(h.family == pp::address_family::inet || h.family == pp::address_family::inet6);
        FUZZ_CHECK(h.transport == pp::transport_protocol::stream);
        if (h.family == pp::address_family::inet) {
          FUZZ_CHECK(h.source.address.is_v4() && h.destination.address.is_v4());
        } else if (!options.v1_accept_ipv4_in_tcp6) {
          FUZZ_CHECK(h.source.address.is_v6() && h.destination.address.is_v6());
        }
      }
    } else {
      FUZZ_CHECK(kind != parser_kind::v1);
      FUZZ_CHECK(h.version == pp::version::v2);
      FUZZ_CHECK(h.size() >= pp::v2_fixed_size && h.size() <= options.max_header_size);
      const std::size_t length =
          (std::to_integer<std::size_t>(h.raw[14]) << 8) | std::to_integer<std::size_t>(h.raw[15]);
      FUZZ_CHECK(h.size() == pp::v2_fixed_size + length);
      // The address block starts at 16 and the TLVs run from its end to the header's end.
      FUZZ_CHECK(h.address_block.data() == h.raw.data() + pp::v2_fixed_size);
      FUZZ_CHECK(h.address_block.size() + h.tlv_bytes.size() == length);
      FUZZ_CHECK(h.tlv_bytes.data() == h.address_block.data() + h.address_block.size());
      const std::size_t block = h.address_block.size();
      // A LOCAL block shorter than its family's size is kept as opaque bytes, with no TLVs after it.
      const bool short_local =
          h.command == pp::command::local && block != 0 && block != 12 && block != 36 && block != 216;
      FUZZ_CHECK(block == 0 || block == 12 || block == 36 || block == 216 || short_local);
      if (short_local) FUZZ_CHECK(h.tlv_bytes.empty() && block == length);
      if (h.command == pp::command::proxy) {
        switch (h.family) {
          case pp::address_family::inet:
            FUZZ_CHECK(block == 12 && h.source.address.is_v4() && h.destination.address.is_v4());
            break;
          case pp::address_family::inet6:
            FUZZ_CHECK(block == 36 && h.source.address.is_v6() && h.destination.address.is_v6());
            break;
          case pp::address_family::unix_socket:
            FUZZ_CHECK(block == 216 && h.unix_source.size() == 108 && h.unix_destination.size() == 108);
            break;
          case pp::address_family::unspecified:
            FUZZ_CHECK(!options.reject_proxy_unspecified);
            break;
        }
      } else {
        // LOCAL: addresses are not exposed.
        FUZZ_CHECK(h.source == pp::endpoint{} && h.destination == pp::endpoint{});
        FUZZ_CHECK(h.unix_source.empty() && h.unix_destination.empty());
      }
      if (h.family == pp::address_family::unspecified) FUZZ_CHECK(h.transport == pp::transport_protocol::unspecified);
      if (h.family != pp::address_family::unspecified) FUZZ_CHECK(h.transport != pp::transport_protocol::unspecified);
    }
  } else if (r.incomplete()) {
    FUZZ_CHECK(r.bytes_needed() >= 1);
    FUZZ_CHECK(r.error() == pp::errc{});
    FUZZ_CHECK(!r.error_code());
    const bool v2 = !input.empty() && std::to_integer<std::uint8_t>(input[0]) == 0x0D;
    if (v2 && input.size() >= pp::v2_fixed_size) {
      // Exact once the fixed part is in.
      const std::size_t length =
          (std::to_integer<std::size_t>(input[14]) << 8) | std::to_integer<std::size_t>(input[15]);
      FUZZ_CHECK(input.size() + r.bytes_needed() == pp::v2_fixed_size + length);
    }
    if (!v2) FUZZ_CHECK(input.size() + r.bytes_needed() <= pp::v1_max_size);
  } else {
    const pp::errc e = r.error();
    FUZZ_CHECK(e != pp::errc{});
    FUZZ_CHECK(static_cast<std::size_t>(e) <= pp::errc_count);
    FUZZ_CHECK(r.bytes_needed() == 0);
    FUZZ_CHECK(r.error_code().value() == static_cast<int>(e));
    FUZZ_CHECK(r.error_code().category().name() == std::string_view{"proxy_protocol"});
    FUZZ_CHECK(pp::to_string(e) != "unknown" && pp::message(e) != "unknown error");
    FUZZ_CHECK(e == pp::errc::not_proxy_header || is_v1_error(e) || is_v2_error(e));
    if (kind == parser_kind::v1) FUZZ_CHECK(e == pp::errc::not_proxy_header || is_v1_error(e));
    if (kind == parser_kind::v2) FUZZ_CHECK(e == pp::errc::not_proxy_header || is_v2_error(e));
  }

  // The fast paths agree with the careful parsers behind them on every input:
  // same verdict, same fields, same views into the same bytes.
  if (cross_check) {
    const bool text = !input.empty() && std::to_integer<char>(input[0]) == 'P';
    const pp::parse_result careful = kind == parser_kind::v1 || (kind == parser_kind::any && text)
                                         ? pp::detail::parse_v1_general(input, options)
                                         : pp::detail::parse_v2_general(input, options);
    if (!(kind == parser_kind::any && input.empty())) FUZZ_CHECK(same_verdict(r, careful));
    if (r.ok() && careful.ok()) {
      FUZZ_CHECK(r->raw.data() == careful->raw.data() && r->address_block.data() == careful->address_block.data());
      FUZZ_CHECK(r->tlv_bytes.data() == careful->tlv_bytes.data());
    }
  }

  // Which inputs are "not a PROXY header" is decided by the signatures alone.
  const bool not_proxy = r.failed() && r.error() == pp::errc::not_proxy_header;
  switch (kind) {
    case parser_kind::v1:
      FUZZ_CHECK(not_proxy == !matches_signature_so_far(input, v1_signature));
      break;
    case parser_kind::v2:
      FUZZ_CHECK(not_proxy == !matches_signature_so_far(input, pp::v2_signature));
      break;
    case parser_kind::any: {
      // Detection agrees with parsing.
      const pp::detection d = pp::detect(input);
      FUZZ_CHECK(not_proxy == (d == pp::detection::not_proxy));
      if (d == pp::detection::need_more) FUZZ_CHECK(r.incomplete());
      if (r.ok()) FUZZ_CHECK(d == (r->version == pp::version::v1 ? pp::detection::v1 : pp::detection::v2));
      if (cross_check && d == pp::detection::v1) FUZZ_CHECK(same_verdict(r, pp::parse_v1(input, options)));
      if (cross_check && d == pp::detection::v2) FUZZ_CHECK(same_verdict(r, pp::parse_v2(input, options)));
      break;
    }
  }
}

/// Prefix lengths worth checking: all of them for short inputs, otherwise the
/// fixed part, the edges around the header's end, and a spread in between.
[[nodiscard]] inline std::vector<std::size_t> prefix_lengths(std::span<const std::byte> input, std::size_t consumed) {
  const std::size_t size = input.size();
  std::vector<std::size_t> out;
  if (size <= 40) {
    for (std::size_t k = 0; k <= size; ++k) out.push_back(k);
    return out;
  }
  for (std::size_t k = 0; k <= 24; ++k) out.push_back(k);
  for (const std::size_t k : {consumed - 1, consumed, consumed + 1, size - 2, size - 1, size})
    if (k > 24 && k <= size) out.push_back(k);
  for (std::size_t i = 1; i < 8; ++i) out.push_back(size * i / 8);
  // Around the v1 line's end: the first CR or LF, and the 107-byte limit.
  for (const std::size_t k : {std::size_t{106}, std::size_t{107}, std::size_t{108}})
    if (k <= size) out.push_back(k);
  for (std::size_t i = 0; i < size && i < pp::v1_max_size; ++i) {
    const auto c = std::to_integer<std::uint8_t>(input[i]);
    if (c == '\r' || c == '\n') {
      out.push_back(i);
      out.push_back(i + 1);
      break;
    }
  }
  return out;
}

/// Prefixes parsed from an exact-size copy (the others are parsed in place,
/// which is cheaper but would hide an over-read of the prefix): the ends of
/// the signatures and fixed part, and the bytes around the header's end.
[[nodiscard]] inline bool worth_an_exact_copy(std::size_t k, std::size_t size, std::size_t consumed) {
  return k <= 6 || (k >= 11 && k <= 17) || k + 1 == consumed || k == consumed || k + 1 == size ||
         k * 2 == size - size % 2;
}

/// The verdict does not depend on how the bytes arrive.
inline void check_split_consistency(parser_kind kind, std::span<const std::byte> input, const pp::parse_result& full,
                                    const pp::parse_options& options) {
  const bool v2 = !input.empty() && std::to_integer<std::uint8_t>(input[0]) == 0x0D;
  for (const std::size_t k : prefix_lengths(input, full.consumed())) {
    std::optional<exact_copy> copy;
    std::span<const std::byte> prefix = input.first(k);
    if (worth_an_exact_copy(k, input.size(), full.consumed())) prefix = copy.emplace(prefix).span();
    const pp::parse_result r = run_parser(kind, prefix, options);
    check_result_shape(kind, prefix, r, options, false);
    if (full.ok()) {
      const std::size_t c = full.consumed();
      if (k < c) {
        // A strict prefix of an accepted header is "need more", and asks for
        // no more than the header still lacks (exactly that for v2 past 16 bytes).
        FUZZ_CHECK(r.incomplete());
        FUZZ_CHECK(r.bytes_needed() <= c - k);
        if (v2 && k >= pp::v2_fixed_size) FUZZ_CHECK(r.bytes_needed() == c - k);
      } else {
        // Bytes after the header change nothing.
        FUZZ_CHECK(r.ok() && r.consumed() == c);
        FUZZ_CHECK(same_fields(*r, *full));
      }
    } else if (full.incomplete()) {
      FUZZ_CHECK(r.incomplete());
      if (v2 && k >= pp::v2_fixed_size) FUZZ_CHECK(r.bytes_needed() == full.bytes_needed() + (input.size() - k));
    } else {
      // An input that fails fails with one code, whatever the segmentation:
      // its prefixes are "need more" or that same code.
      FUZZ_CHECK(!r.ok());
      if (r.failed()) FUZZ_CHECK(r.error() == full.error());
    }
  }
}

/// Appending bytes after the input: a complete header stays the same header,
/// a failure stays the same failure.
inline void check_appending(parser_kind kind, std::span<const std::byte> input, const pp::parse_result& full,
                            const pp::parse_options& options) {
  if (full.incomplete()) return;
  static constexpr std::byte tails[][4] = {
      {std::byte{'\r'}, std::byte{'\n'}, std::byte{'\r'}, std::byte{'\n'}},
      {std::byte{0x0D}, std::byte{0x0A}, std::byte{0x00}, std::byte{0x0D}},
      {std::byte{'P'}, std::byte{'R'}, std::byte{' '}, std::byte{0xFF}},
  };
  for (const auto& tail : tails) {
    const exact_copy longer(input, tail);
    const pp::parse_result r = run_parser(kind, longer.span(), options);
    check_result_shape(kind, longer.span(), r, options, false);
    if (full.ok()) {
      FUZZ_CHECK(r.ok() && r.consumed() == full.consumed() && same_fields(*r, *full));
    } else {
      FUZZ_CHECK(r.failed() && r.error() == full.error());
    }
  }
  // The input appended to itself.
  const exact_copy doubled(input, input);
  const pp::parse_result r = run_parser(kind, doubled.span(), options);
  if (full.ok()) FUZZ_CHECK(r.ok() && r.consumed() == full.consumed() && same_fields(*r, *full));
  if (full.failed()) FUZZ_CHECK(r.failed() && r.error() == full.error());
}

/// What a v1 header's endpoint becomes after build_v1 and a re-parse: TCP6
/// lines carry IPv6 text, so an IPv4 address (lenient `v1_accept_ipv4_in_tcp6`)
/// comes back IPv4-mapped.
[[nodiscard]] inline pp::endpoint after_v1_round_trip(const pp::header& h, const pp::endpoint& e) {
  if (h.family == pp::address_family::inet6) return {e.address.to_v6(), e.port};
  return e;
}

/// Builds `h` into an exact-size heap buffer (so ASan catches a builder that
/// writes past the size it announced), checking the size query and that a
/// buffer one byte short is refused and left untouched.
[[nodiscard]] inline exact_copy build_exactly(const pp::header& h, std::span<const pp::tlv_item> items = {},
                                              const pp::build_options& build_options = {}) {
  const pp::build_result size =
      h.version == pp::version::v1 ? pp::size_v1(h, build_options) : pp::size_v2(h, items, build_options);
  FUZZ_CHECK(size.ok());
  FUZZ_CHECK(size.size() >= pp::v1_min_size);
  {
    exact_copy small(std::vector<std::byte>(size.size() - 1, std::byte{0xA5}));
    const pp::build_result refused = pp::build(small.mutable_span(), h, items, build_options);
    FUZZ_CHECK(!refused.ok() && refused.error() == pp::errc::build_buffer_too_small && refused.size() == 0);
    const auto untouched = small.span();
    FUZZ_CHECK(std::all_of(untouched.begin(), untouched.end(), [](std::byte b) { return b == std::byte{0xA5}; }));
  }
  exact_copy out(std::vector<std::byte>(size.size(), std::byte{0}));
  const pp::build_result built = pp::build(out.mutable_span(), h, items, build_options);
  FUZZ_CHECK(built.ok() && built.size() == size.size() && built.error() == pp::errc{});
  return out;
}

/// parse -> build -> parse gives equal fields, and building the re-parsed
/// header gives the same bytes again.
inline void check_round_trip(std::span<const std::byte> input, const pp::parse_result& r,
                             const pp::parse_options& options) {
  if (!r.ok()) return;
  const pp::header& h = *r;
  const exact_copy emitted = build_exactly(h);

  pp::parse_options reparse_options = options;
  reparse_options.max_header_size = pp::v2_max_size;
  const pp::parse_result again = pp::parse(emitted.span(), reparse_options);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.consumed() == emitted.span().size());
  const pp::header& g = *again;
  FUZZ_CHECK(g.version == h.version);
  FUZZ_CHECK(g.command == h.command && g.family == h.family && g.transport == h.transport);
  if (h.version == pp::version::v1) {
    FUZZ_CHECK(g.source == after_v1_round_trip(h, h.source));
    FUZZ_CHECK(g.destination == after_v1_round_trip(h, h.destination));
  } else {
    FUZZ_CHECK(g.source == h.source && g.destination == h.destination);
    FUZZ_CHECK(same_bytes(g.unix_source, h.unix_source) && same_bytes(g.unix_destination, h.unix_destination));
    FUZZ_CHECK(g.tlv_bytes.size() == h.tlv_bytes.size());
    // An unlisted family/transport pair (accepted as UNSPEC) is re-emitted as
    // 0x00: the header's bytes change, and so does a CRC32C over them.
    const bool listed_pair = pp::detail::v2_address_block_size(std::to_integer<std::uint8_t>(input[13])) >= 0;
    // TLVs are re-emitted verbatim except a CRC32C value, which is recomputed:
    // it differs when the input's was wrong and verification was off, or when
    // the fam byte changed.
    const bool crc_as_received = !h.crc32c() || (options.verify_crc32c && listed_pair);
    if (crc_as_received) FUZZ_CHECK(same_bytes(g.tlv_bytes, h.tlv_bytes));
    // The address block is re-emitted as received (LOCAL ones included).
    FUZZ_CHECK(same_bytes(g.address_block, h.address_block));
    // So a v2 header with a listed family/transport pair comes back byte for byte.
    if (listed_pair && crc_as_received) FUZZ_CHECK(same_bytes(emitted.span(), h.raw));
  }
  // Building what was re-parsed gives the same bytes (the canonical form is stable).
  const exact_copy rebuilt = build_exactly(g);
  FUZZ_CHECK(same_bytes(rebuilt.span(), emitted.span()));
}

/// Walks every TLV and typed accessor of an accepted header; with ASan this
/// proves the views stay inside the input.
inline void exercise_accessors(const pp::header& h) {
  std::size_t walked = 0;
  for (const pp::tlv t : h.tlvs()) {
    FUZZ_CHECK(lies_within(t.value, h.tlv_bytes));
    walked += 3 + t.value.size();
  }
  FUZZ_CHECK(walked == h.tlv_bytes.size());
  (void)h.alpn();
  (void)h.authority();
  (void)h.crc32c();
  (void)h.noop();
  (void)h.unique_id();
  (void)h.netns();
  (void)h.aws_vpc_endpoint_id();
  (void)h.azure_private_endpoint_link_id();
  (void)h.gcp_psc_connection_id();
  if (const auto ssl = h.ssl()) {
    std::size_t sub_walked = 0;
    for (const pp::tlv t : ssl->sub_tlvs) sub_walked += 3 + t.value.size();
    FUZZ_CHECK(sub_walked == ssl->sub_tlvs.bytes().size());
    (void)ssl->version();
    (void)ssl->common_name();
    (void)ssl->cipher();
    (void)ssl->signature_algorithm();
    (void)ssl->key_algorithm();
    (void)ssl->group();
    (void)ssl->signature_scheme();
    (void)ssl->client_certificate();
    (void)ssl->client_verified();
  }
  (void)pp::to_text(h.source);
  (void)pp::to_text(h.destination.address);
}

/// Every check above, for one parser and one set of options (`splits`:
/// include the prefix checks, the costliest part).
inline pp::parse_result check_parser(parser_kind kind, std::span<const std::byte> input,
                                     const pp::parse_options& options, bool splits = true) {
  const pp::parse_result r = run_parser(kind, input, options);
  check_result_shape(kind, input, r, options);
  if (splits) check_split_consistency(kind, input, r, options);
  check_appending(kind, input, r, options);
  if (r.ok()) {
    exercise_accessors(*r);
    check_round_trip(input, r, options);
  }
  return r;
}

}  // namespace fuzz_support
