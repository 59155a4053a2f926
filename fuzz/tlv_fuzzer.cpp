// Fuzz target: the TLV region of a v2 header. The input is the region itself;
// it is wrapped in a LOCAL header, validated, and when accepted every TLV, SSL
// sub-TLV and typed accessor is walked and compared with an independent,
// straightforward decoding written here.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "parse_invariants.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

namespace {

struct simple_tlv {
  std::uint8_t type;
  std::span<const std::byte> value;
};

std::uint8_t byte_at(std::span<const std::byte> s, std::size_t i) { return std::to_integer<std::uint8_t>(s[i]); }

// Splits `region` into TLVs, or returns nothing when one runs past the end.
std::optional<std::vector<simple_tlv>> split(std::span<const std::byte> region) {
  std::vector<simple_tlv> out;
  std::size_t at = 0;
  while (at < region.size()) {
    if (region.size() - at < 3) return std::nullopt;
    const std::size_t length = (std::size_t{byte_at(region, at + 1)} << 8) | byte_at(region, at + 2);
    if (region.size() - at - 3 < length) return std::nullopt;
    out.push_back({byte_at(region, at), region.subspan(at + 3, length)});
    at += 3 + length;
  }
  return out;
}

// What a walk over any bytes, valid or not, must yield: a TLV while a TLV
// header fits, its value cut at the end; one or two bytes left are no TLV.
std::vector<simple_tlv> bounded_split(std::span<const std::byte> region) {
  std::vector<simple_tlv> out;
  std::size_t at = 0;
  while (region.size() - at >= 3) {
    const std::size_t length = (std::size_t{byte_at(region, at + 1)} << 8) | byte_at(region, at + 2);
    const std::size_t there = std::min(length, region.size() - at - 3);
    out.push_back({byte_at(region, at), region.subspan(at + 3, there)});
    at += 3 + there;
  }
  return out;
}

// Walks `region` (any bytes) with tlv_range, in an exact-size copy so that a
// read past it is caught, and compares with bounded_split.
void check_bounded_walk(std::span<const std::byte> region) {
  const fs::exact_copy alone(region);
  const auto want = bounded_split(alone.span());
  const pp::tlv_range range(alone.span());
  std::size_t i = 0;
  for (const pp::tlv t : range) {
    FUZZ_CHECK(i < want.size());
    FUZZ_CHECK(t.type == want[i].type && t.value.data() == want[i].value.data() &&
               t.value.size() == want[i].value.size());
    if (const auto ssl = t.ssl()) {
      std::size_t sub_bytes = 0;
      for (const pp::tlv sub : ssl->sub_tlvs) sub_bytes += 3 + sub.value.size();
      FUZZ_CHECK(sub_bytes <= t.value.size() - 5);
    }
    ++i;
  }
  FUZZ_CHECK(i == want.size() && range.count() == want.size());
  if (!want.empty()) {
    const auto first = range.find(want.front().type);
    FUZZ_CHECK(first && first->value.data() == want.front().value.data());
  }
}

// The spec's rules for the TLV region, in wire order: the error the parser
// must report (errc{} for a valid region).
pp::errc expected_error(std::span<const std::byte> region) {
  // Structure and per-TLV rules are checked TLV by TLV, so find the first
  // TLV whose header or value is cut, and the first rule broken before it.
  std::size_t at = 0;
  bool crc_seen = false;
  while (at < region.size()) {
    if (region.size() - at < 3) return pp::errc::v2_tlv_truncated;
    const std::uint8_t type = byte_at(region, at);
    const std::size_t length = (std::size_t{byte_at(region, at + 1)} << 8) | byte_at(region, at + 2);
    if (region.size() - at - 3 < length) return pp::errc::v2_tlv_truncated;
    const auto value = region.subspan(at + 3, length);
    if (type == pp::tlv_type::crc32c) {
      if (length != 4) return pp::errc::v2_crc32c_bad_length;
      if (crc_seen) return pp::errc::v2_crc32c_duplicate;
      crc_seen = true;
    } else if (type == pp::tlv_type::unique_id) {
      if (length > 128) return pp::errc::v2_unique_id_too_long;
    } else if (type == pp::tlv_type::ssl) {
      if (length < 5) return pp::errc::v2_ssl_too_short;
      if (!split(value.subspan(5))) return pp::errc::v2_ssl_sub_tlv_truncated;
    }
    at += 3 + length;
  }
  return pp::errc{};
}

std::optional<simple_tlv> first_of(const std::vector<simple_tlv>& tlvs, std::uint8_t type) {
  for (const auto& t : tlvs)
    if (t.type == type) return t;
  return std::nullopt;
}

std::string_view as_text(std::span<const std::byte> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

void check_text(std::optional<std::string_view> got, const std::optional<simple_tlv>& want) {
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (got) FUZZ_CHECK(got->data() == as_text(want->value).data() && got->size() == want->value.size());
}
void check_bytes(std::optional<std::span<const std::byte>> got, const std::optional<simple_tlv>& want) {
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (got) FUZZ_CHECK(got->data() == want->value.data() && got->size() == want->value.size());
}

// Every accessor of an accepted header against the simple decoding.
void check_accessors(const pp::header& h) {
  const auto tlvs = split(h.tlv_bytes);
  FUZZ_CHECK(tlvs.has_value());
  // The range walks the same TLVs, in order, with views into the header.
  std::size_t i = 0;
  for (const pp::tlv t : h.tlvs()) {
    FUZZ_CHECK(i < tlvs->size());
    FUZZ_CHECK(t.type == (*tlvs)[i].type);
    FUZZ_CHECK(t.value.data() == (*tlvs)[i].value.data() && t.value.size() == (*tlvs)[i].value.size());
    FUZZ_CHECK(t.text().size() == t.value.size());
    ++i;
  }
  FUZZ_CHECK(i == tlvs->size());
  FUZZ_CHECK(h.tlvs().count() == tlvs->size());
  FUZZ_CHECK(h.tlvs().empty() == tlvs->empty());
  // find() returns the first of a type, for every type.
  for (unsigned type = 0; type < 256; ++type) {
    const auto got = h.find(static_cast<std::uint8_t>(type));
    const auto want = first_of(*tlvs, static_cast<std::uint8_t>(type));
    FUZZ_CHECK(got.has_value() == want.has_value());
    if (got) FUZZ_CHECK(got->type == type && got->value.data() == want->value.data());
  }

  check_text(h.alpn(), first_of(*tlvs, pp::tlv_type::alpn));
  check_text(h.authority(), first_of(*tlvs, pp::tlv_type::authority));
  check_text(h.netns(), first_of(*tlvs, pp::tlv_type::netns));
  check_bytes(h.noop(), first_of(*tlvs, pp::tlv_type::noop));
  check_bytes(h.unique_id(), first_of(*tlvs, pp::tlv_type::unique_id));
  if (const auto id = h.unique_id()) FUZZ_CHECK(id->size() <= pp::unique_id_max_size);

  const auto crc = first_of(*tlvs, pp::tlv_type::crc32c);
  FUZZ_CHECK(h.crc32c().has_value() == crc.has_value());
  if (crc) {
    FUZZ_CHECK(crc->value.size() == 4);
    const std::uint32_t stored = (std::uint32_t{byte_at(crc->value, 0)} << 24) |
                                 (std::uint32_t{byte_at(crc->value, 1)} << 16) |
                                 (std::uint32_t{byte_at(crc->value, 2)} << 8) | byte_at(crc->value, 3);
    FUZZ_CHECK(*h.crc32c() == stored);
  }

  // Vendor TLVs: only the first of each type counts, with its exact shape.
  const auto aws = first_of(*tlvs, pp::tlv_type::aws);
  const bool aws_ok = aws && !aws->value.empty() && byte_at(aws->value, 0) == 0x01;
  FUZZ_CHECK(h.aws_vpc_endpoint_id().has_value() == aws_ok);
  if (aws_ok) FUZZ_CHECK(*h.aws_vpc_endpoint_id() == as_text(aws->value.subspan(1)));
  const auto azure = first_of(*tlvs, pp::tlv_type::azure);
  const bool azure_ok = azure && azure->value.size() == 5 && byte_at(azure->value, 0) == 0x01;
  FUZZ_CHECK(h.azure_private_endpoint_link_id().has_value() == azure_ok);
  if (azure_ok) {
    std::uint32_t link = 0;
    for (std::size_t k = 4; k >= 1; --k) link = (link << 8) | byte_at(azure->value, k);
    FUZZ_CHECK(*h.azure_private_endpoint_link_id() == link);
  }
  const auto gcp = first_of(*tlvs, pp::tlv_type::gcp);
  const bool gcp_ok = gcp && gcp->value.size() == 8;
  FUZZ_CHECK(h.gcp_psc_connection_id().has_value() == gcp_ok);
  if (gcp_ok) {
    std::uint64_t id = 0;
    for (std::size_t k = 0; k < 8; ++k) id = (id << 8) | byte_at(gcp->value, k);
    FUZZ_CHECK(*h.gcp_psc_connection_id() == id);
  }

  // SSL: client, verify, and one level of sub-TLVs.
  const auto ssl_tlv = first_of(*tlvs, pp::tlv_type::ssl);
  const auto ssl = h.ssl();
  FUZZ_CHECK(ssl.has_value() == ssl_tlv.has_value());
  if (!ssl) return;
  FUZZ_CHECK(ssl_tlv->value.size() >= 5);
  FUZZ_CHECK(ssl->client == byte_at(ssl_tlv->value, 0));
  const std::uint32_t verify = (std::uint32_t{byte_at(ssl_tlv->value, 1)} << 24) |
                               (std::uint32_t{byte_at(ssl_tlv->value, 2)} << 16) |
                               (std::uint32_t{byte_at(ssl_tlv->value, 3)} << 8) | byte_at(ssl_tlv->value, 4);
  FUZZ_CHECK(ssl->verify == verify);
  FUZZ_CHECK(ssl->client_ssl() == ((ssl->client & 0x01) != 0));
  FUZZ_CHECK(ssl->client_cert_conn() == ((ssl->client & 0x02) != 0));
  FUZZ_CHECK(ssl->client_cert_sess() == ((ssl->client & 0x04) != 0));
  FUZZ_CHECK(ssl->client_verified() == ((ssl->client & 0x06) != 0 && verify == 0));
  const auto subs = split(ssl_tlv->value.subspan(5));
  FUZZ_CHECK(subs.has_value());
  std::size_t j = 0;
  for (const pp::tlv t : ssl->sub_tlvs) {
    FUZZ_CHECK(j < subs->size());
    FUZZ_CHECK(t.type == (*subs)[j].type && t.value.data() == (*subs)[j].value.data() &&
               t.value.size() == (*subs)[j].value.size());
    ++j;
  }
  FUZZ_CHECK(j == subs->size());
  check_text(ssl->version(), first_of(*subs, pp::ssl_type::version));
  check_text(ssl->common_name(), first_of(*subs, pp::ssl_type::common_name));
  check_text(ssl->cipher(), first_of(*subs, pp::ssl_type::cipher));
  check_text(ssl->signature_algorithm(), first_of(*subs, pp::ssl_type::signature_algorithm));
  check_text(ssl->key_algorithm(), first_of(*subs, pp::ssl_type::key_algorithm));
  check_text(ssl->group(), first_of(*subs, pp::ssl_type::group));
  check_text(ssl->signature_scheme(), first_of(*subs, pp::ssl_type::signature_scheme));
  check_bytes(ssl->client_certificate(), first_of(*subs, pp::ssl_type::client_certificate));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65535) return 0;  // the length field cannot describe more
  const auto region = std::span<const std::byte>{reinterpret_cast<const std::byte*>(data), size};

  // LOCAL, UNSPEC: the whole length is the TLV region.
  std::vector<std::byte> fixed(pp::v2_signature.size());
  for (std::size_t i = 0; i < fixed.size(); ++i) fixed[i] = std::byte{pp::v2_signature[i]};
  fixed.push_back(std::byte{0x20});
  fixed.push_back(std::byte{0x00});
  fixed.push_back(static_cast<std::byte>(size >> 8));
  fixed.push_back(static_cast<std::byte>(size));
  const fs::exact_copy wrapped(fixed, region);

  check_bounded_walk(region);

  const pp::errc want = expected_error(region);
  const pp::parse_result unverified = pp::parse_v2(wrapped.span(), {.verify_crc32c = false});
  fs::check_result_shape(fs::parser_kind::v2, wrapped.span(), unverified, {.verify_crc32c = false});
  if (want != pp::errc{}) {
    FUZZ_CHECK(unverified.failed() && unverified.error() == want);
    return 0;
  }
  FUZZ_CHECK(unverified.ok() && unverified.consumed() == wrapped.span().size());
  FUZZ_CHECK(unverified->tlv_bytes.data() == wrapped.span().data() + pp::v2_fixed_size);
  check_accessors(*unverified);
  fs::exercise_accessors(*unverified);

  // With verification on, only the CRC32C value can make a difference.
  const pp::parse_result verified = pp::parse_v2(wrapped.span());
  if (const auto crc = unverified->crc32c()) {
    std::vector<std::byte> zeroed(wrapped.span().begin(), wrapped.span().end());
    const auto at =
        static_cast<std::size_t>(unverified->find(pp::tlv_type::crc32c)->value.data() - wrapped.span().data());
    for (std::size_t k = 0; k < 4; ++k) zeroed[at + k] = std::byte{0};
    const bool matches = pp::crc32c(zeroed) == *crc;
    FUZZ_CHECK(verified.ok() == matches);
    if (!matches) FUZZ_CHECK(verified.error() == pp::errc::v2_crc32c_mismatch);
  } else {
    FUZZ_CHECK(fs::same_verdict(verified, unverified));
  }

  // The region can be walked directly too, in an exact-size copy of its own.
  const fs::exact_copy alone(region);
  const pp::tlv_range range(alone.span());
  std::size_t walked = 0;
  for (const pp::tlv t : range) walked += 3 + t.value.size();
  FUZZ_CHECK(walked == size);

  // Re-emitted verbatim by the builder (CRC32C recomputed), and accepted with
  // verification on.
  const fs::exact_copy rebuilt = fs::build_exactly(*unverified);
  const pp::parse_result again = pp::parse_v2(rebuilt.span());
  FUZZ_CHECK(again.ok() && again.consumed() == wrapped.span().size());
  if (verified.ok()) FUZZ_CHECK(fs::same_bytes(rebuilt.span(), wrapped.span()));
  return 0;
}
