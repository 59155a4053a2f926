// ppdump: decode the PROXY protocol header at the start of files, stdin or
// hex text, for people (default) or for scripts (--json).
//
//   ppdump [--json] [--hex] [--accept-ipv4-in-tcp6] [FILE|-]...
//
// Without files it decodes a few bundled sample headers. Exit status: 0 when
// every input holds a valid header, 1 when one is invalid, 2 when one is
// incomplete (and none invalid).
#include <proxy_protocol.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace pp = proxy_protocol;

namespace {

struct sample {
  const char* name;
  std::string_view bytes;
};

// v1 TCP4, v1 TCP6, v2 TCP4 with ALPN/AUTHORITY/UNIQUE_ID/SSL/CRC32C, v2 LOCAL.
constexpr char v2_tlvs[] =
    "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21\x11\x00\x70\xc0\xa8\x00\x01\xc0\xa8\x00\x0b\xdc\x04\x01\xbb"
    "\x01\x00\x02h2\x02\x00\x0b"
    "example.com\x05\x00\x20"
    "0f1e2d3c4b5a69788796a5b4c3d2e1f0\x20\x00\x24\x07\x00\x00\x00\x00\x21\x00\x07TLSv1.3\x22\x00\x12"
    "client.example.com\x03\x00\x04\x2f\xcd\x11\xa3";
constexpr char v2_local[] = "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x20\x00\x00\x00";
const sample samples[] = {
    {"sample v1 TCP4", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"},
    {"sample v1 TCP6", "PROXY TCP6 2001:db8:85a3::8a2e:370:7334 2001:db8:85a3::8a2e:370:7335 56324 443\r\n"},
    {"sample v2 TCP4 with TLVs", {v2_tlvs, sizeof v2_tlvs - 1}},
    {"sample v2 LOCAL", {v2_local, sizeof v2_local - 1}},
};

// Names as in the test vectors' JSON; custom, experimental and future types are UNKNOWN.
std::string_view tlv_name(std::uint8_t type) {
  switch (type) {
    case pp::tlv_type::alpn:
      return "ALPN";
    case pp::tlv_type::authority:
      return "AUTHORITY";
    case pp::tlv_type::crc32c:
      return "CRC32C";
    case pp::tlv_type::noop:
      return "NOOP";
    case pp::tlv_type::unique_id:
      return "UNIQUE_ID";
    case pp::tlv_type::ssl:
      return "SSL";
    case pp::tlv_type::netns:
      return "NETNS";
    default:
      return "UNKNOWN";
  }
}

std::string_view ssl_sub_name(std::uint8_t type) {
  switch (type) {
    case pp::ssl_type::version:
      return "SSL_VERSION";
    case pp::ssl_type::common_name:
      return "SSL_CN";
    case pp::ssl_type::cipher:
      return "SSL_CIPHER";
    case pp::ssl_type::signature_algorithm:
      return "SSL_SIG_ALG";
    case pp::ssl_type::key_algorithm:
      return "SSL_KEY_ALG";
    case pp::ssl_type::group:
      return "SSL_GROUP";
    case pp::ssl_type::signature_scheme:
      return "SSL_SIG_SCHEME";
    case pp::ssl_type::client_certificate:
      return "SSL_CLIENT_CERT";
    default:
      return "UNKNOWN";
  }
}

std::string hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::byte b : bytes) {
    out += digits[std::to_integer<unsigned>(b) >> 4];
    out += digits[std::to_integer<unsigned>(b) & 15];
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool printable(std::span<const std::byte> v) {
  for (const std::byte b : v) {
    const auto u = std::to_integer<unsigned>(b);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  return !v.empty();
}

// A UNIX path: the raw 108 bytes up to the first NUL.
std::string unix_path(std::span<const std::byte> raw) {
  std::string out;
  for (const std::byte b : raw) {
    if (b == std::byte{0}) break;
    out += static_cast<char>(b);
  }
  return out;
}

std::string address_text(const pp::header& h, bool source) {
  if (h.family == pp::address_family::unix_socket) return unix_path(source ? h.unix_source : h.unix_destination);
  return std::string(pp::to_text((source ? h.source : h.destination).address).view());
}

void print_json(std::ostream& out, const pp::parse_result& r) {
  if (r.incomplete()) {
    out << "{\"valid\": false, \"incomplete\": true, \"bytes_needed\": " << r.bytes_needed() << "}\n";
    return;
  }
  if (r.failed()) {
    out << "{\"valid\": false, \"error\": {\"code\": " << json_string(pp::to_string(r.error()))
        << ", \"message\": " << json_string(pp::message(r.error())) << "}}\n";
    return;
  }
  const pp::header& h = *r;
  const bool addresses = h.has_addresses();
  const bool ports = addresses && h.family != pp::address_family::unix_socket;
  auto addr = [&](bool source) { return addresses ? json_string(address_text(h, source)) : std::string("null"); };
  auto port = [&](bool source) {
    return ports ? std::to_string((source ? h.source : h.destination).port) : std::string("null");
  };
  out << "{\"valid\": true, \"header_length\": " << r.consumed() << ", \"version\": " << static_cast<int>(h.version)
      << ", \"command\": \"" << pp::to_string(h.command) << "\", \"family\": \"" << pp::to_string(h.family)
      << "\", \"transport\": \"" << pp::to_string(h.transport) << "\", \"src_addr\": " << addr(true)
      << ", \"src_port\": " << port(true) << ", \"dst_addr\": " << addr(false) << ", \"dst_port\": " << port(false)
      << ", \"tlvs\": [";
  bool first = true;
  for (const pp::tlv t : h.tlvs()) {
    out << (first ? "" : ", ") << "{\"type\": " << int{t.type} << ", \"type_name\": \"" << tlv_name(t.type)
        << "\", \"length\": " << t.value.size() << ", \"value_hex\": \"" << hex(t.value) << "\"";
    first = false;
    if (t.type == pp::tlv_type::ssl) {
      const pp::ssl_view ssl = *pp::as_ssl(t);  // the parser validated every SSL TLV
      out << ", \"ssl\": {\"client\": " << int{ssl.client} << ", \"verify\": " << ssl.verify << ", \"sub_tlvs\": [";
      bool first_sub = true;
      for (const pp::tlv sub : ssl.sub_tlvs) {
        out << (first_sub ? "" : ", ") << "{\"type\": " << int{sub.type} << ", \"type_name\": \""
            << ssl_sub_name(sub.type) << "\", \"length\": " << sub.value.size() << ", \"value_hex\": \""
            << hex(sub.value) << "\"}";
        first_sub = false;
      }
      out << "]}";
    }
    out << "}";
  }
  out << "]}\n";
}

void print_value(std::ostream& out, std::span<const std::byte> value) {
  if (printable(value))
    out << '"' << std::string_view(reinterpret_cast<const char*>(value.data()), value.size()) << '"';
  else
    out << (value.empty() ? "(empty)" : hex(value));
}

void print_human(std::ostream& out, std::string_view name, const pp::parse_result& r) {
  out << name << ": ";
  if (r.incomplete()) {
    out << "incomplete, at least " << r.bytes_needed() << " more byte(s) needed\n";
    return;
  }
  if (r.failed()) {
    out << "INVALID (" << pp::to_string(r.error()) << "): " << pp::message(r.error()) << "\n";
    return;
  }
  const pp::header& h = *r;
  out << "valid v" << static_cast<int>(h.version) << ' ' << pp::to_string(h.command) << ' ' << pp::to_string(h.family)
      << '/' << pp::to_string(h.transport) << ", " << r.consumed() << " bytes\n";
  if (h.has_addresses()) {
    if (h.family == pp::address_family::unix_socket) {
      out << "  source       " << unix_path(h.unix_source) << "\n  destination  " << unix_path(h.unix_destination)
          << "\n";
    } else {
      out << "  source       " << h.source << "\n  destination  " << h.destination << "\n";
    }
  } else {
    out << "  no addresses: use the connection's own endpoints\n";
  }
  for (const pp::tlv t : h.tlvs()) {
    out << "  TLV 0x" << hex(std::as_bytes(std::span{&t.type, 1})) << ' ' << tlv_name(t.type) << " (" << t.value.size()
        << " bytes): ";
    if (t.type == pp::tlv_type::ssl) {
      const pp::ssl_view ssl = *pp::as_ssl(t);  // the parser validated every SSL TLV
      out << "client=0x" << hex(std::as_bytes(std::span{&ssl.client, 1})) << (ssl.client_ssl() ? " SSL" : "")
          << (ssl.client_cert_conn() ? " CERT_CONN" : "") << (ssl.client_cert_sess() ? " CERT_SESS" : "")
          << " verify=" << ssl.verify << (ssl.client_verified() ? " (client certificate verified)" : "") << "\n";
      for (const pp::tlv sub : ssl.sub_tlvs) {
        out << "      0x" << hex(std::as_bytes(std::span{&sub.type, 1})) << ' ' << ssl_sub_name(sub.type) << ": ";
        print_value(out, sub.value);
        out << "\n";
      }
      continue;
    }
    if (t.type == pp::tlv_type::crc32c) {
      out << "0x" << hex(t.value) << " (verified)\n";
      continue;
    }
    print_value(out, t.value);
    out << "\n";
  }
  if (const auto id = h.aws_vpc_endpoint_id()) out << "  if sent by AWS: VPC endpoint " << *id << "\n";
  if (const auto id = h.azure_private_endpoint_link_id()) out << "  if sent by Azure: LinkID " << *id << "\n";
  if (const auto id = h.gcp_psc_connection_id()) out << "  if sent by Google Cloud: PSC connection " << *id << "\n";
}

// Reads hex text (whitespace and an optional 0x prefix ignored). Returns false on a non-hex character.
bool decode_hex(std::string_view text, std::string& out) {
  out.clear();
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ':') continue;
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      ++i;
      continue;
    }
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      return false;
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high * 16 + v);
      high = -1;
    }
  }
  return high < 0;
}

int usage() {
  std::cerr << "usage: ppdump [--json] [--hex] [--accept-ipv4-in-tcp6] [FILE|-]...\n"
               "Decodes the PROXY protocol header at the start of each input; without inputs, bundled samples.\n"
               "Exit status: 0 valid, 1 invalid (or unreadable), 2 incomplete.\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false, hex_input = false;
  pp::parse_options options;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json")
      json = true;
    else if (arg == "--hex")
      hex_input = true;
    else if (arg == "--accept-ipv4-in-tcp6")
      options.v1_accept_ipv4_in_tcp6 = true;
    else if (arg == "-h" || arg == "--help")
      return usage(), 0;
    else if (arg.size() > 1 && arg[0] == '-')
      return usage();
    else
      files.emplace_back(arg);
  }

  int status = 0;
  auto report = [&](std::string_view name, std::string_view bytes) {
    const auto r = pp::parse(bytes, options);
    if (json)
      print_json(std::cout, r);
    else
      print_human(std::cout, name, r);
    if (r.failed()) status = 1;
    if (r.incomplete() && status == 0) status = 2;
  };

  if (files.empty()) {
    for (const auto& s : samples) report(s.name, s.bytes);
    return status;
  }
  for (const auto& file : files) {
    std::string data;
    if (file == "-") {
      data.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::cerr << "ppdump: cannot read " << file << "\n";
        status = 1;
        continue;
      }
      data.assign(std::istreambuf_iterator<char>(in), {});
    }
    if (hex_input) {
      std::string raw;
      if (!decode_hex(data, raw)) {
        std::cerr << "ppdump: " << file << " is not hex text\n";
        status = 1;
        continue;
      }
      data = std::move(raw);
    }
    report(file, data);
  }
  return status;
}
