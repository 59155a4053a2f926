// Writes headers built by the library, with what real receivers must make of
// them, for run_interop.py: NAME.bin + NAME.expect.json in the given folder.
//
//   make_builder_cases OUTDIR
//
// Expected addresses and TLV bytes are written out literally below, not
// derived from the builder's output, so a builder bug shows as a mismatch.
#include <proxy_protocol.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace pp = proxy_protocol;

namespace {

struct expected_tlv {
  int type;
  std::string_view value_hex;
};

struct builder_case {
  std::string name;
  pp::header header;
  std::vector<pp::tlv_item> tlvs;
  pp::build_options options;
  std::string_view haproxy, nginx, tshark;  // "accept" | "reject"
  bool addresses;                           // false: the receiver keeps the real connection's addresses
  std::vector<expected_tlv> expected_tlvs;
  bool corrupt_crc = false;  // flip the CRC32C value after building
  std::string_view note = "";
};

pp::endpoint ep(std::string_view address, std::uint16_t port) { return {*pp::parse_ip_address(address), port}; }

bool write_case(const std::string& dir, const builder_case& c) {
  std::vector<std::byte> buffer(70000);
  const auto built = pp::build(buffer, c.header, c.tlvs, c.options);
  if (!built) {
    std::fprintf(stderr, "%s: build failed: %s\n", c.name.c_str(), std::string(pp::to_string(built.error())).c_str());
    return false;
  }
  buffer.resize(built.size());
  if (c.corrupt_crc) {
    const auto parsed = pp::parse(buffer);
    const auto crc = parsed->find(pp::tlv_type::crc32c);
    const auto offset = static_cast<std::size_t>(crc->value.data() - buffer.data());
    buffer[offset + 3] ^= std::byte{0x01};
  }
  // "?" stands for a value only the finished header determines (the CRC32C, the padding's zeros):
  // taken from the built bytes at the same position; haproxy verifies the CRC32C on its own.
  std::vector<std::string> values;
  const auto parsed = pp::parse(buffer, {.verify_crc32c = false});
  std::size_t index = 0;
  for (const pp::tlv t : parsed->tlvs()) {
    if (index < c.expected_tlvs.size()) {
      std::string h;
      for (const std::byte b : t.value) {
        char two[3];
        std::snprintf(two, sizeof two, "%02x", std::to_integer<unsigned>(b));
        h += two;
      }
      values.push_back(c.expected_tlvs[index].value_hex == "?" ? h : std::string(c.expected_tlvs[index].value_hex));
    }
    ++index;
  }
  if (index != c.expected_tlvs.size()) {
    std::fprintf(stderr, "%s: %zu TLVs built, %zu expected\n", c.name.c_str(), index, c.expected_tlvs.size());
    return false;
  }
  std::ofstream bin(dir + "/" + c.name + ".bin", std::ios::binary);
  bin.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
  std::ofstream json(dir + "/" + c.name + ".expect.json");
  json << "{\"expect\": {\"haproxy\": \"" << c.haproxy << "\", \"nginx\": \"" << c.nginx << "\", \"tshark\": \""
       << c.tshark << "\"}, ";
  if (c.addresses) {
    json << "\"src_addr\": \"" << pp::to_text(c.header.source.address).view()
         << "\", \"src_port\": " << c.header.source.port << ", \"dst_addr\": \""
         << pp::to_text(c.header.destination.address).view() << "\", \"dst_port\": " << c.header.destination.port
         << ", ";
  } else {
    json << "\"src_addr\": null, \"src_port\": null, \"dst_addr\": null, \"dst_port\": null, ";
  }
  json << "\"tlvs\": [";
  for (std::size_t i = 0; i < c.expected_tlvs.size(); ++i)
    json << (i ? ", " : "") << "{\"type\": " << c.expected_tlvs[i].type << ", \"value_hex\": \"" << values[i] << "\"}";
  json << "], \"note\": \"" << c.note << "\"}\n";
  return static_cast<bool>(bin) && static_cast<bool>(json);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_builder_cases OUTDIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto v4 = pp::proxy_header(ep("192.0.2.1", 51000), ep("198.51.100.2", 443));
  const auto v6 = pp::proxy_header(ep("2001:db8::1", 51000), ep("2001:db8::2", 443));
  auto as_v1 = [](pp::header h) {
    h.version = pp::version::v1;
    return h;
  };
  pp::header unknown;
  unknown.version = pp::version::v1;

  static const std::byte der[] = {std::byte{0x30}, std::byte{0x03}, std::byte{0x02}, std::byte{0x01}, std::byte{0x01}};
  static const pp::tlv_item ssl_subs[] = {pp::tlv_item::ssl_version("TLSv1.3"),
                                          pp::tlv_item::ssl_common_name("client.example.test"),
                                          pp::tlv_item::ssl_cipher("TLS_AES_256_GCM_SHA384"),
                                          pp::tlv_item::ssl_signature_algorithm("RSA-SHA256"),
                                          pp::tlv_item::ssl_key_algorithm("RSA2048"),
                                          pp::tlv_item::ssl_group("x25519"),
                                          pp::tlv_item::ssl_signature_scheme("rsa_pss_rsae_sha256"),
                                          pp::tlv_item::ssl_client_certificate(der)};
  static const std::byte custom[] = {std::byte{0xCA}, std::byte{0xFE}};

  const std::vector<builder_case> cases = {
      {"v1-tcp4", as_v1(v4), {}, {}, "accept", "accept", "accept", true, {}},
      {"v1-tcp6", as_v1(v6), {}, {}, "accept", "accept", "accept", true, {}},
      {"v1-unknown",
       unknown,
       {},
       {},
       "accept",
       "accept",
       "reject",
       false,
       {},
       false,
       "tshark 4.0 flags the bare UNKNOWN line"},
      {"v2-tcp4", v4, {}, {}, "accept", "accept", "accept", true, {}},
      {"v2-tcp6", v6, {}, {}, "accept", "accept", "accept", true, {}},
      {"v2-local", pp::local_header(), {}, {}, "accept", "accept", "accept", false, {}},
      {"v2-mixed-families",
       pp::proxy_header(ep("2001:db8::7", 4711), ep("::ffff:198.51.100.2", 443)),
       {},
       {},
       "accept",
       "accept",
       "accept",
       true,
       {}},
      {"v2-every-tlv",
       v4,
       {pp::tlv_item::alpn("h2"), pp::tlv_item::authority("www.example.test"), pp::tlv_item::unique_id("conn-42"),
        pp::tlv_item::ssl(pp::ssl_client::ssl | pp::ssl_client::cert_conn | pp::ssl_client::cert_sess, 0, ssl_subs),
        pp::tlv_item::netns("blue"), pp::tlv_item::aws_vpc_endpoint_id("vpce-0123456789abcdef0"),
        pp::tlv_item::azure_private_endpoint_link_id(0x12345678u),
        pp::tlv_item::gcp_psc_connection_id(0x9b34d70a003c64u), pp::tlv_item::raw(0xE1, custom), pp::tlv_item::noop(3)},
       {},
       "accept",
       "accept",
       "accept",
       true,
       {{0x01, "6832"},
        {0x02, "7777772e6578616d706c652e74657374"},
        {0x05, "636f6e6e2d3432"},
        {0x20,
         "0700000000210007544c5376312e33220013636c69656e742e6578616d706c652e74657374230016544c535f4145535f3235365f47434"
         "d"
         "5f53484133383424000a5253412d534841323536250007525341323034382600067832353531392700137273615f7073735f727361655"
         "f"
         "7368613235362800053003020101"},
        {0x30, "626c7565"},
        {0xEA, "01767063652d3031323334353637383961626364656630"},
        {0xEE, "0178563412"},
        {0xE0, "009b34d70a003c64"},
        {0xE1, "cafe"},
        {0x04, "000000"}}},
      {"v2-crc32c",
       v4,
       {pp::tlv_item::crc32c(), pp::tlv_item::authority("www.example.test")},
       {},
       "accept",
       "accept",
       "accept",
       true,
       {{0x03, "?"}, {0x02, "7777772e6578616d706c652e74657374"}}},
      {"v2-noop-padding-crc32c",
       v6,
       {pp::tlv_item::crc32c(), pp::tlv_item::unique_id("abc")},
       {.pad_to_multiple = 64},
       "accept",
       "accept",
       "accept",
       true,
       {{0x03, "?"}, {0x05, "616263"}, {0x04, "?"}}},
      {"v2-wrong-crc32c",
       v4,
       {pp::tlv_item::crc32c()},
       {},
       "reject",
       "accept",
       "accept",
       true,
       {{0x03, "?"}},
       true,
       "nginx and tshark do not check CRC32C; haproxy must refuse it"},
  };
  bool ok = true;
  for (const auto& c : cases) ok = write_case(dir, c) && ok;
  return ok ? 0 : 1;
}
