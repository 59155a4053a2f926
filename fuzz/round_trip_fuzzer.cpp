// Fuzz target, structure-aware: the fuzz bytes choose header fields, TLV items
// and build options; the header is built, parsed and compared with what a
// simple model of the spec says was sent. A build the model calls valid must
// succeed and parse back to the same fields and TLVs; one the model calls
// invalid must fail with one of the codes the model predicts, writing nothing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "parse_invariants.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

namespace {

using bytes = std::vector<std::byte>;

void append(bytes& out, std::span<const std::byte> b) { out.insert(out.end(), b.begin(), b.end()); }
void append(bytes& out, std::string_view t) {
  for (const char c : t) out.push_back(static_cast<std::byte>(c));
}
void append_be(bytes& out, std::uint64_t v, int size) {
  for (int i = size - 1; i >= 0; --i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

// One item as the model sees it: the TLV it must produce and what may be wrong with it.
struct modelled_item {
  pp::tlv_item item;
  std::uint8_t type = 0;
  bytes value;  // expected value (CRC32C: four zeros, checked separately)
  bool is_crc = false;
  bool invalid = false;       // value over 65535, SSL holding SSL or CRC32C
  bool breaks_rules = false;  // what the parser refuses at the top level (raw CRC32C, UNIQUE_ID over 128,
                              // malformed raw SSL): written only with build_options::write_invalid_tlvs
};

// Storage that must outlive the build: SSL sub-item arrays and made-up values.
struct arena {
  std::vector<std::unique_ptr<std::vector<pp::tlv_item>>> sub_lists;
  std::vector<std::unique_ptr<bytes>> values;
};

bool region_is_valid(std::span<const std::byte> r, bool& has_crc);

modelled_item make_simple_item(fs::byte_reader& in, arena& storage, bool inside_ssl) {
  modelled_item m;
  const std::uint8_t choice = in.u8();
  const std::size_t length = in.u8() % 48;
  switch (choice % (inside_ssl ? 10 : 12)) {
    case 0: {
      const auto t = in.text(length);
      m.item = pp::tlv_item::alpn(t);
      m.type = pp::tlv_type::alpn;
      append(m.value, t);
      break;
    }
    case 1: {
      const auto t = in.text(length);
      m.item = pp::tlv_item::authority(t);
      m.type = pp::tlv_type::authority;
      append(m.value, t);
      break;
    }
    case 2: {
      const auto t = in.text(length * 4);  // up to 188: some over the 128-byte limit
      m.item = in.boolean() ? pp::tlv_item::unique_id(t)
                            : pp::tlv_item::unique_id(
                                  std::span<const std::byte>{reinterpret_cast<const std::byte*>(t.data()), t.size()});
      m.type = pp::tlv_type::unique_id;
      append(m.value, t);
      m.breaks_rules = !inside_ssl && t.size() > pp::unique_id_max_size;  // inside SSL, 0x05 is just a sub-type
      break;
    }
    case 3: {
      const auto t = in.text(length);
      m.item = pp::tlv_item::netns(t);
      m.type = pp::tlv_type::netns;
      append(m.value, t);
      break;
    }
    case 4: {
      // Sometimes huge: values over 65535 and headers over the limit.
      std::size_t n = in.u8();
      if (in.u8() == 0xFF) n = std::size_t{in.u16()} + 32768;
      m.item = pp::tlv_item::noop(n);
      m.type = pp::tlv_type::noop;
      m.value.assign(n, std::byte{0});
      m.invalid = n > 65535;
      break;
    }
    case 5: {
      const auto t = in.text(length);
      m.item = pp::tlv_item::aws_vpc_endpoint_id(t);
      m.type = pp::tlv_type::aws;
      m.value.push_back(std::byte{0x01});
      append(m.value, t);
      break;
    }
    case 6: {
      const std::uint32_t link = in.u32();
      m.item = pp::tlv_item::azure_private_endpoint_link_id(link);
      m.type = pp::tlv_type::azure;
      m.value.push_back(std::byte{0x01});
      for (int i = 0; i < 4; ++i) m.value.push_back(static_cast<std::byte>(link >> (8 * i)));
      break;
    }
    case 7: {
      const std::uint64_t id = in.u64();
      m.item = pp::tlv_item::gcp_psc_connection_id(id);
      m.type = pp::tlv_type::gcp;
      append_be(m.value, id, 8);
      break;
    }
    case 8: {
      // Any type with raw bytes, also those with rules of their own: at the
      // top level a raw CRC32C is refused (its checksum is the builder's),
      // UNIQUE_ID is limited and a raw SSL value must be well formed; inside
      // SSL they are plain sub-TLVs. A raw SSL value is sometimes made well
      // formed: client, verify, then one sub-TLV.
      // One in four picks a type with rules of its own; otherwise any type.
      static constexpr std::uint8_t ruled[] = {pp::tlv_type::crc32c, pp::tlv_type::unique_id, pp::tlv_type::ssl};
      const std::uint8_t pick = in.u8();
      const std::uint8_t type = pick < 64 ? ruled[pick % 3] : in.u8();
      std::span<const std::byte> b = in.bytes(length);
      if (type == pp::tlv_type::ssl && in.boolean()) {
        const auto client_and_verify = in.bytes(5);
        bytes& v =
            *storage.values.emplace_back(std::make_unique<bytes>(client_and_verify.begin(), client_and_verify.end()));
        v.resize(5);  // the fuzz input may have run out
        v.push_back(std::byte{in.u8()});
        append_be(v, b.size(), 2);
        append(v, b);
        b = v;
      }
      m.item = pp::tlv_item::raw(type, b);
      m.type = type;
      append(m.value, b);
      if (!inside_ssl) {
        bytes alone{std::byte{type}};
        append_be(alone, b.size(), 2);
        append(alone, b);
        bool has_crc = false;
        m.breaks_rules = type == pp::tlv_type::crc32c || !region_is_valid(alone, has_crc);
      }
      break;
    }
    default: {
      // The SSL sub-TLV factories (the only ones when inside SSL).
      const auto t = in.text(length);
      static constexpr pp::tlv_item (*factories[])(std::string_view) = {
          pp::tlv_item::ssl_version,         pp::tlv_item::ssl_common_name,
          pp::tlv_item::ssl_cipher,          pp::tlv_item::ssl_signature_algorithm,
          pp::tlv_item::ssl_key_algorithm,   pp::tlv_item::ssl_group,
          pp::tlv_item::ssl_signature_scheme};
      const std::size_t which = in.u8() % 8;
      if (which == 7) {
        const auto der = std::span<const std::byte>{reinterpret_cast<const std::byte*>(t.data()), t.size()};
        m.item = pp::tlv_item::ssl_client_certificate(der);
        m.type = pp::ssl_type::client_certificate;
      } else {
        m.item = factories[which](t);
        m.type = static_cast<std::uint8_t>(pp::ssl_type::version + which);
      }
      append(m.value, t);
      break;
    }
  }
  return m;
}

modelled_item make_item(fs::byte_reader& in, arena& storage) {
  const std::uint8_t choice = in.u8() % 8;
  if (choice == 0) {
    modelled_item m;
    m.item = pp::tlv_item::crc32c();
    m.type = pp::tlv_type::crc32c;
    m.value.assign(4, std::byte{0});
    m.is_crc = true;
    return m;
  }
  if (choice == 1) {
    // SSL with a few sub-TLVs; sometimes a forbidden nested SSL or CRC32C.
    const std::uint8_t client = in.u8();
    const std::uint32_t verify = in.u32();
    const std::size_t count = in.u8() % 5;
    auto& subs = *storage.sub_lists.emplace_back(std::make_unique<std::vector<pp::tlv_item>>());
    modelled_item m;
    m.type = pp::tlv_type::ssl;
    m.value.push_back(std::byte{client});
    append_be(m.value, verify, 4);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t nested = in.u8();
      if (nested == 0xEE) {
        subs.push_back(pp::tlv_item::ssl(0, 0));
        m.invalid = true;
      } else if (nested == 0xEF) {
        subs.push_back(pp::tlv_item::crc32c());
        m.invalid = true;
      } else {
        const modelled_item sub = make_simple_item(in, storage, true);
        subs.push_back(sub.item);
        m.value.push_back(std::byte{sub.type});
        append_be(m.value, sub.value.size(), 2);
        append(m.value, sub.value);
        m.invalid = m.invalid || sub.invalid;
      }
    }
    m.invalid = m.invalid || m.value.size() > 65535;
    m.item = pp::tlv_item::ssl(client, verify, subs);
    return m;
  }
  return make_simple_item(in, storage, false);
}

pp::ip_address make_address(fs::byte_reader& in) {
  switch (in.u8() % 4) {
    case 0:
      return {};
    case 1: {
      std::array<std::uint8_t, 4> b{};
      for (auto& x : b) x = in.u8();
      return pp::ip_address::v4(b);
    }
    default: {
      std::array<std::uint8_t, 16> b{};
      // From a span rather than 16 calls: GCC 12 -O2 sees a false overflow in the latter.
      const auto raw = in.bytes(16);
      for (std::size_t i = 0; i < raw.size(); ++i) b[i] = std::to_integer<std::uint8_t>(raw[i]);
      if (in.boolean()) {  // IPv4-mapped
        for (std::size_t i = 0; i < 10; ++i) b[i] = 0;
        b[10] = b[11] = 0xFF;
      }
      return pp::ip_address::v6(b);
    }
  }
}

// A TLV region for `header::tlv_bytes`: usually well formed, sometimes not.
bytes make_tlv_region(fs::byte_reader& in) {
  bytes out;
  const std::size_t count = in.u8() % 4;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint8_t type = in.u8();
    const auto value = in.bytes(in.u8() % 24);
    if (type == pp::tlv_type::crc32c && in.boolean()) {
      out.push_back(std::byte{type});
      append_be(out, 4, 2);
      for (int k = 0; k < 4; ++k) out.push_back(std::byte{in.u8()});
      continue;
    }
    out.push_back(std::byte{type});
    append_be(out, value.size(), 2);
    append(out, value);
  }
  if (in.u8() == 0xFF && !out.empty()) out.pop_back();  // cut short
  return out;
}

// The spec's TLV rules, as the parser applies them (see the TLV fuzz target).
bool region_is_valid(std::span<const std::byte> r, bool& has_crc) {
  has_crc = false;
  std::size_t at = 0;
  auto u8 = [&](std::size_t i) { return std::to_integer<std::size_t>(r[i]); };
  while (at < r.size()) {
    if (r.size() - at < 3) return false;
    const std::size_t type = u8(at), length = (u8(at + 1) << 8) | u8(at + 2);
    if (r.size() - at - 3 < length) return false;
    if (type == pp::tlv_type::crc32c) {
      if (length != 4 || has_crc) return false;
      has_crc = true;
    }
    if (type == pp::tlv_type::unique_id && length > 128) return false;
    if (type == pp::tlv_type::ssl) {
      if (length < 5) return false;
      std::size_t sub = at + 8;
      const std::size_t sub_end = at + 3 + length;
      while (sub < sub_end) {
        if (sub_end - sub < 3) return false;
        const std::size_t sub_length = (u8(sub + 1) << 8) | u8(sub + 2);
        if (sub_end - sub - 3 < sub_length) return false;
        sub += 3 + sub_length;
      }
    }
    at += 3 + length;
  }
  return true;
}

struct expected_tlv {
  std::uint8_t type;
  bytes value;
  bool is_crc;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fs::byte_reader in({reinterpret_cast<const std::byte*>(data), size});
  arena storage;

  pp::header h;
  h.version = in.boolean() ? pp::version::v1 : pp::version::v2;
  const std::uint8_t command_choice = in.u8();
  // Now and then a command byte outside the enum's two values (2-15).
  h.command = static_cast<pp::command>(command_choice >= 0xF0 ? 2 + command_choice % 14 : command_choice & 1);
  const std::uint8_t family_choice = in.u8() % 9;  // 4 is out of range; 5-8 favour INET/INET6
  h.family = static_cast<pp::address_family>(family_choice < 5 ? family_choice : 1 + family_choice % 2);
  h.transport = static_cast<pp::transport_protocol>(in.u8() % 4);  // 3 is out of range
  h.source = {make_address(in), in.u16()};
  h.destination = {make_address(in), in.u16()};
  const auto unix_source = in.bytes(in.u8() % 112);
  const auto unix_destination = in.bytes(in.u8() % 112);
  h.unix_source = unix_source;
  h.unix_destination = unix_destination;
  const std::uint8_t block_choice = in.u8() % 5;
  const auto block = in.bytes(block_choice == 1 ? 12 : block_choice == 2 ? 36 : block_choice == 3 ? 216 : 0);
  h.address_block = block;  // LOCAL re-emit: a received block is written as it was
  const bytes region = in.u8() % 3 == 0 ? make_tlv_region(in) : bytes{};
  h.tlv_bytes = region;

  std::vector<modelled_item> modelled;
  const std::size_t item_count = in.u8() % 7;
  for (std::size_t i = 0; i < item_count; ++i) modelled.push_back(make_item(in, storage));
  std::vector<pp::tlv_item> items;
  items.reserve(modelled.size());
  for (const auto& m : modelled) items.push_back(m.item);

  pp::build_options options;
  options.map_mixed_families = in.boolean();
  switch (in.u8() % 3) {
    case 1:
      options.pad_to_multiple = in.u8() % 24;
      break;
    case 2:
      options.pad_to_size = in.u16() % 1200;
      break;
    default:
      break;
  }
  options.write_invalid_tlvs = in.u8() % 4 == 0;

  // ---- The model: what must be written, or which codes may refuse it.
  std::set<pp::errc> faults;
  const bool s4 = h.source.address.is_v4(), d4 = h.destination.address.is_v4();
  const bool s_set = h.source.address.family() != pp::address_family::unspecified;
  const bool d_set = h.destination.address.family() != pp::address_family::unspecified;
  const bool family_in_range = static_cast<unsigned>(h.family) <= 3;
  const bool transport_in_range = static_cast<unsigned>(h.transport) <= 2;
  const bool ip_family = h.family == pp::address_family::inet || h.family == pp::address_family::inet6;
  // IP addresses: both present; mixed or IPv6-in-INET only when mapping is on.
  bool six = h.family == pp::address_family::inet6 || !(s4 && d4);
  if (ip_family) {
    if (!s_set || !d_set) faults.insert(pp::errc::build_invalid_address);
    const bool needs_mapping = h.family == pp::address_family::inet ? !(s4 && d4) : (s4 || d4);
    if (needs_mapping && !options.map_mixed_families) faults.insert(pp::errc::build_invalid_address);
    // INET announced but no IPv4 address at all: not a mixed pair to map.
    if (h.family == pp::address_family::inet && s_set && d_set && !s4 && !d4)
      faults.insert(pp::errc::build_invalid_address);
  }

  // v1 is TCP only: anything else is sent as UNKNOWN (spec 2.1); an IP family
  // with no transport at all is refused, as in v2.
  const bool v1_unknown =
      h.command == pp::command::local || !ip_family || h.transport != pp::transport_protocol::stream;
  if (h.version == pp::version::v1) {
    if (ip_family && h.transport == pp::transport_protocol::unspecified)
      faults = {pp::errc::build_invalid_family_transport};
    else if (v1_unknown)
      faults.clear();
    if (static_cast<unsigned>(h.command) > 1) faults.insert(pp::errc::build_invalid_command);
  } else {
    if (!family_in_range || !transport_in_range) faults.insert(pp::errc::build_invalid_family_transport);
    if (family_in_range && h.family != pp::address_family::unspecified &&
        h.transport == pp::transport_protocol::unspecified)
      faults.insert(pp::errc::build_invalid_family_transport);
    // LOCAL re-emit: a received block (no addresses or paths set, at most the
    // family's size) is written as it was; a shorter one only with nothing after it.
    const bool unix_family = h.family == pp::address_family::unix_socket;
    const std::size_t native = h.family == pp::address_family::inet ? 12 : unix_family ? 216 : 36;
    const bool no_addresses = !s_set && !d_set && unix_source.empty() && unix_destination.empty();
    const bool verbatim = (ip_family || unix_family) && h.command == pp::command::local && no_addresses;
    if (verbatim) {
      faults.erase(pp::errc::build_invalid_address);
      const bool short_block = h.address_block.size() < native;
      const bool tlvs_after = !region.empty() || !modelled.empty();  // padding: below, once its size is known
      if (h.address_block.size() > native || (short_block && tlvs_after))
        faults.insert(pp::errc::build_invalid_address);
    }
    if (unix_family && !verbatim && (unix_source.size() > 108 || unix_destination.size() > 108))
      faults.insert(pp::errc::build_invalid_address);
    bool region_crc = false;
    if (!region_is_valid(region, region_crc)) faults.insert(pp::errc::build_invalid_tlv);
    int crc_count = region_crc ? 1 : 0;
    std::size_t items_size = 0;
    bool rules_broken = false;  // written anyway: the parser must refuse it with a TLV code
    bool raw_crc = false;       // ... unless it is a raw CRC32C that happens to be right
    for (const auto& m : modelled) {
      if (m.invalid || (m.breaks_rules && !options.write_invalid_tlvs)) faults.insert(pp::errc::build_invalid_tlv);
      rules_broken = rules_broken || m.breaks_rules;
      raw_crc = raw_crc || (m.breaks_rules && m.type == pp::tlv_type::crc32c);
      crc_count += m.is_crc ? 1 : 0;
      items_size += 3 + m.value.size();
    }
    if (crc_count > 1) faults.insert(pp::errc::build_invalid_tlv);
    if (items_size > 65535) faults.insert(pp::errc::build_header_too_large);
    // A header whose command is neither LOCAL nor PROXY cannot be written.
    if (static_cast<unsigned>(h.command) > 1) faults.insert(pp::errc::build_invalid_command);

    std::size_t block_size = 0;
    if (unix_family) block_size = 216;
    if (ip_family) block_size = six ? 36 : 12;
    if (verbatim) block_size = h.address_block.size();
    const std::size_t unpadded = pp::v2_fixed_size + block_size + region.size() + items_size;
    std::size_t padding = 0;
    if (options.pad_to_size != 0) {
      if (options.pad_to_size < unpadded || options.pad_to_size - unpadded == 1 || options.pad_to_size - unpadded == 2)
        faults.insert(pp::errc::build_invalid_padding);
      else
        padding = options.pad_to_size - unpadded;
    } else if (options.pad_to_multiple > 1) {
      const std::size_t m = options.pad_to_multiple;
      padding = (m - unpadded % m) % m;
      while (padding == 1 || padding == 2) padding += m;
    }
    if (verbatim && h.address_block.size() < native && padding != 0) faults.insert(pp::errc::build_invalid_address);
    if (unpadded + padding - pp::v2_fixed_size > 65535) faults.insert(pp::errc::build_header_too_large);

    // ---- Build and compare.
    const pp::build_result size_query = pp::size_v2(h, items, options);
    if (!faults.empty()) {
      FUZZ_CHECK(!size_query.ok() && faults.count(size_query.error()) == 1);
      std::vector<std::byte> out(4096, std::byte{0xA5});
      const pp::build_result r = pp::build_v2(out, h, items, options);
      FUZZ_CHECK(!r.ok() && r.error() == size_query.error() && r.size() == 0);
      FUZZ_CHECK(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0xA5}; }));
      return 0;
    }
    FUZZ_CHECK(size_query.ok());
    FUZZ_CHECK(size_query.size() == unpadded + padding);
    if (options.pad_to_size != 0) FUZZ_CHECK(size_query.size() == options.pad_to_size);
    if (options.pad_to_multiple > 1) FUZZ_CHECK(size_query.size() % options.pad_to_multiple == 0);
    const fs::exact_copy out = fs::build_exactly(h, items, options);
    const auto wire = out.span();
    {
      // The builder's fast path writes exactly what the general one writes.
      std::vector<std::byte> general(wire.size() + 64);
      const pp::build_result g = pp::detail::build_v2_general(general, h, items, options);
      FUZZ_CHECK(g.ok() && g.size() == wire.size() && std::equal(wire.begin(), wire.end(), general.begin()));
    }

    if (rules_broken) {
      // Written on request, item by item as given (the parser cannot be the
      // judge here), then NOOP padding.
      std::size_t at = pp::v2_fixed_size + block_size + region.size();
      for (const auto& m : modelled) {
        FUZZ_CHECK(at + 3 + m.value.size() <= wire.size());
        FUZZ_CHECK(wire[at] == std::byte{m.type});
        FUZZ_CHECK(std::to_integer<std::size_t>(wire[at + 1]) << 8 == (m.value.size() & 0xFF00));
        FUZZ_CHECK(std::to_integer<std::size_t>(wire[at + 2]) == (m.value.size() & 0xFF));
        if (!m.is_crc) FUZZ_CHECK(std::equal(m.value.begin(), m.value.end(), wire.begin() + std::ptrdiff_t(at + 3)));
        at += 3 + m.value.size();
      }
      FUZZ_CHECK(wire.size() - at == padding);
      // Our parser refuses it for a TLV's rules, or takes it when a raw
      // CRC32C happens to hold the right checksum.
      const pp::parse_result p = fs::check_parser(fs::parser_kind::any, wire, {});
      static const std::set<pp::errc> tlv_rule_codes = {
          pp::errc::v2_crc32c_bad_length, pp::errc::v2_crc32c_duplicate,      pp::errc::v2_crc32c_mismatch,
          pp::errc::v2_ssl_too_short,     pp::errc::v2_ssl_sub_tlv_truncated, pp::errc::v2_unique_id_too_long};
      FUZZ_CHECK((raw_crc && p.ok() && p.consumed() == wire.size()) || tlv_rule_codes.count(p.error()) == 1);
      return 0;
    }
    const pp::parse_result r = fs::check_parser(fs::parser_kind::any, wire, {});
    FUZZ_CHECK(r.ok() && r.consumed() == wire.size());
    const pp::header& g = *r;
    FUZZ_CHECK(g.version == pp::version::v2 && g.command == h.command);
    if (h.family == pp::address_family::unspecified) {
      FUZZ_CHECK(g.family == pp::address_family::unspecified && g.transport == pp::transport_protocol::unspecified);
    } else {
      const auto want_family =
          ip_family && !verbatim ? (six ? pp::address_family::inet6 : pp::address_family::inet) : h.family;
      FUZZ_CHECK(g.family == want_family && g.transport == h.transport);
    }
    // The address block as the model writes it.
    bytes want_block;
    if (verbatim) {
      append(want_block, h.address_block);
    } else if (ip_family) {
      for (const auto* e : {&h.source, &h.destination}) {
        const auto a = six ? e->address.to_v6() : e->address;
        for (const std::uint8_t b : a.bytes()) want_block.push_back(std::byte{b});
      }
      append_be(want_block, h.source.port, 2);
      append_be(want_block, h.destination.port, 2);
    } else if (h.family == pp::address_family::unix_socket) {
      for (const auto path : {unix_source, unix_destination}) {
        append(want_block, path);
        want_block.resize(want_block.size() + (108 - path.size()), std::byte{0});
      }
    }
    FUZZ_CHECK(fs::same_bytes(g.address_block, want_block));
    if (h.command == pp::command::proxy && ip_family) {
      FUZZ_CHECK(g.source == (pp::endpoint{six ? h.source.address.to_v6() : h.source.address, h.source.port}));
      FUZZ_CHECK(g.destination ==
                 (pp::endpoint{six ? h.destination.address.to_v6() : h.destination.address, h.destination.port}));
    }
    // The TLVs: the region verbatim, the items in order, then the padding.
    std::vector<expected_tlv> want;
    {
      std::size_t at = 0;
      while (at < region.size()) {
        const std::size_t length =
            (std::to_integer<std::size_t>(region[at + 1]) << 8) | std::to_integer<std::size_t>(region[at + 2]);
        const auto type = std::to_integer<std::uint8_t>(region[at]);
        want.push_back({type,
                        bytes(region.begin() + static_cast<std::ptrdiff_t>(at + 3),
                              region.begin() + static_cast<std::ptrdiff_t>(at + 3 + length)),
                        type == pp::tlv_type::crc32c});
        at += 3 + length;
      }
    }
    for (const auto& m : modelled) want.push_back({m.type, m.value, m.is_crc});
    if (padding != 0) want.push_back({pp::tlv_type::noop, bytes(padding - 3, std::byte{0}), false});
    std::size_t i = 0;
    bool crc_seen = false;
    for (const pp::tlv t : g.tlvs()) {
      FUZZ_CHECK(i < want.size());
      FUZZ_CHECK(t.type == want[i].type);
      if (want[i].is_crc) {
        FUZZ_CHECK(t.value.size() == 4);  // its value was verified by the parse above
        crc_seen = true;
      } else {
        FUZZ_CHECK(fs::same_bytes(t.value, want[i].value));
      }
      ++i;
    }
    FUZZ_CHECK(i == want.size());
    FUZZ_CHECK(g.crc32c().has_value() == crc_seen);
    return 0;
  }

  // ---- v1
  const pp::build_result size_query = pp::size_v1(h, options);
  if (!faults.empty()) {
    FUZZ_CHECK(!size_query.ok() && faults.count(size_query.error()) == 1);
    std::vector<std::byte> out(200, std::byte{0xA5});
    const pp::build_result r = pp::build_v1(out, h, options);
    FUZZ_CHECK(!r.ok() && r.error() == size_query.error());
    FUZZ_CHECK(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0xA5}; }));
    return 0;
  }
  FUZZ_CHECK(size_query.ok() && size_query.size() <= pp::v1_max_size);
  const fs::exact_copy out = fs::build_exactly(h, items, options);
  {
    // Written in place (room for any line) or through scratch (exact room): the same bytes.
    std::vector<std::byte> roomy(pp::v1_max_size + 16, std::byte{0xA5});
    const pp::build_result in_place = pp::build_v1(roomy, h, options);
    FUZZ_CHECK(in_place.ok() && in_place.size() == out.span().size());
    FUZZ_CHECK(std::equal(out.span().begin(), out.span().end(), roomy.begin()));
    FUZZ_CHECK(std::all_of(roomy.begin() + static_cast<std::ptrdiff_t>(in_place.size()), roomy.end(),
                           [](std::byte b) { return b == std::byte{0xA5}; }));
  }
  const pp::parse_result r = fs::check_parser(fs::parser_kind::any, out.span(), {});
  FUZZ_CHECK(r.ok() && r.consumed() == out.span().size());
  const pp::header& g = *r;
  FUZZ_CHECK(g.version == pp::version::v1 && g.command == pp::command::proxy);
  if (v1_unknown) {
    FUZZ_CHECK(g.family == pp::address_family::unspecified);
    FUZZ_CHECK(out.span().size() == 15);
  } else {
    FUZZ_CHECK(g.family == (six ? pp::address_family::inet6 : pp::address_family::inet));
    FUZZ_CHECK(g.transport == pp::transport_protocol::stream);
    FUZZ_CHECK(g.source == (pp::endpoint{six ? h.source.address.to_v6() : h.source.address, h.source.port}));
    FUZZ_CHECK(g.destination ==
               (pp::endpoint{six ? h.destination.address.to_v6() : h.destination.address, h.destination.port}));
  }
  return 0;
}
