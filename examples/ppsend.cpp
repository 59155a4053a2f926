// ppsend: send a PROXY protocol header, then relay stdin and stdout like nc.
//
// The tool to test a PROXY-enabled server by hand: any version, addresses
// of your choice, TLVs (curl only sends v1 without TLVs), UDP.
//
//   printf 'GET / HTTP/1.0\r\n\r\n' | ppsend --src 192.0.2.1:5000 --dst 198.51.100.2:443 --alpn h2 127.0.0.1 8080
//   ppsend --dry-run --v2 --src 192.0.2.1:5000 --dst 198.51.100.2:443 --crc32c | xxd
#include <proxy_protocol.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace pp = proxy_protocol;
using namespace examples;

namespace {

constexpr std::string_view usage =
    "usage: ppsend [options] HOST PORT\n"
    "       ppsend --dry-run [options]\n"
    "Connects to HOST PORT, sends a PROXY protocol header, then copies stdin to the connection\n"
    "and the connection to stdout until the server closes it.\n\n"
    "options:\n"
    "  --v1 | --v2             header version (default v2)\n"
    "  --udp                   UDP: one datagram per line of stdin, holding the header and the\n"
    "                          line without its newline; replies are printed one per line (v2 only)\n"
    "  --src ADDR:PORT         source to announce, e.g. 192.0.2.1:5000 or [2001:db8::1]:5000\n"
    "  --dst ADDR:PORT         destination to announce (both or neither; default: this\n"
    "                          connection's own, source = our address, destination = the server)\n"
    "  --local                 a LOCAL header, as proxies send for health checks (v1: UNKNOWN)\n"
    "  --dry-run               write the header to stdout and exit (needs --src/--dst or --local)\n"
    "  --linger SECONDS        UDP: wait this long for replies after the last line (default 1)\n"
    "TLVs (v2 only), written in the order given:\n"
    "  --alpn PROTOCOL         ALPN (0x01), e.g. h2\n"
    "  --authority HOST        AUTHORITY (0x02), the TLS SNI\n"
    "  --unique-id ID          UNIQUE_ID (0x05), at most 128 bytes\n"
    "  --netns NAME            NETNS (0x30)\n"
    "  --ssl-version VERSION   SSL (0x20) sub-TLV 0x21, e.g. TLSv1.3; any --ssl-* option adds one\n"
    "  --ssl-cn NAME           SSL sub-TLV 0x22: client certificate CN (also sets the certificate\n"
    "                          bits, verified)\n"
    "  --ssl-cipher NAME       SSL sub-TLV 0x23\n"
    "  --crc32c                CRC32C (0x03), computed over the finished header\n"
    "  --tlv TYPE=HEX          any TLV, e.g. --tlv 0xE0=0102 (type decimal or 0x-hex, value may be empty),\n"
    "                          written as given even when malformed, e.g. a wrong CRC32C: --tlv 3=deadbeef\n";

struct tlv_request {
  enum class kind { text, bytes, crc32c, ssl } what = kind::text;
  std::uint8_t type = 0;
  std::string_view text;
  std::vector<std::byte> bytes;
};

struct options {
  pp::version version = pp::version::v2;
  bool udp = false;
  bool local = false;
  bool dry_run = false;
  double linger_seconds = 1.0;
  std::optional<pp::endpoint> source, destination;
  std::vector<tlv_request> tlvs;
  std::optional<std::string_view> ssl_version, ssl_common_name, ssl_cipher;
  const char* host = nullptr;
  const char* port = nullptr;
};

std::optional<std::vector<std::byte>> parse_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<std::byte> out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (error != std::errc{} || end != text.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<std::byte>(value));
  }
  return out;
}

// `0xE0=0102` or `224=0102`.
std::optional<tlv_request> parse_tlv(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  std::string_view type_text = text.substr(0, equals);
  int base = 10;
  if (type_text.starts_with("0x") || type_text.starts_with("0X")) {
    type_text.remove_prefix(2);
    base = 16;
  }
  unsigned type = 0;
  const auto [end, error] = std::from_chars(type_text.data(), type_text.data() + type_text.size(), type, base);
  auto value = parse_hex(text.substr(equals + 1));
  if (type_text.empty() || error != std::errc{} || end != type_text.data() + type_text.size() || type > 255 || !value)
    return std::nullopt;
  tlv_request t;
  t.what = tlv_request::kind::bytes;
  t.type = static_cast<std::uint8_t>(type);
  t.bytes = std::move(*value);
  return t;
}

options parse_command_line(int argc, char** argv) {
  options o;
  std::vector<const char*> positional;
  auto value = [&](int& i) -> std::string_view {
    if (i + 1 >= argc) usage_error(std::string(argv[i]) + " needs a value", usage);
    return argv[++i];
  };
  auto endpoint = [&](int& i) {
    const std::string_view name = argv[i];
    const auto e = parse_endpoint(value(i));
    if (!e) usage_error(std::string(name) + ": expected ADDR:PORT, e.g. 192.0.2.1:5000 or [2001:db8::1]:443", usage);
    return e;
  };
  auto text_tlv = [&](std::uint8_t type, int& i) {
    tlv_request t;
    t.type = type;
    t.text = value(i);
    o.tlvs.push_back(std::move(t));
  };
  auto ssl_part = [&](std::optional<std::string_view>& part, int& i) {
    part = value(i);
    const bool first = std::none_of(o.tlvs.begin(), o.tlvs.end(),
                                    [](const tlv_request& t) { return t.what == tlv_request::kind::ssl; });
    if (first) o.tlvs.push_back({tlv_request::kind::ssl, pp::tlv_type::ssl, {}, {}});
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--v1") {
      o.version = pp::version::v1;
    } else if (arg == "--v2") {
      o.version = pp::version::v2;
    } else if (arg == "--udp") {
      o.udp = true;
    } else if (arg == "--local") {
      o.local = true;
    } else if (arg == "--dry-run") {
      o.dry_run = true;
    } else if (arg == "--src") {
      o.source = endpoint(i);
    } else if (arg == "--dst") {
      o.destination = endpoint(i);
    } else if (arg == "--linger") {
      const auto seconds = parse_number(value(i));
      if (!seconds || *seconds < 0 || *seconds > 3600) usage_error("--linger: expected seconds, 0-3600", usage);
      o.linger_seconds = *seconds;
    } else if (arg == "--alpn") {
      text_tlv(pp::tlv_type::alpn, i);
    } else if (arg == "--authority") {
      text_tlv(pp::tlv_type::authority, i);
    } else if (arg == "--unique-id") {
      text_tlv(pp::tlv_type::unique_id, i);
    } else if (arg == "--netns") {
      text_tlv(pp::tlv_type::netns, i);
    } else if (arg == "--ssl-version") {
      ssl_part(o.ssl_version, i);
    } else if (arg == "--ssl-cn") {
      ssl_part(o.ssl_common_name, i);
    } else if (arg == "--ssl-cipher") {
      ssl_part(o.ssl_cipher, i);
    } else if (arg == "--crc32c") {
      o.tlvs.push_back({tlv_request::kind::crc32c, pp::tlv_type::crc32c, {}, {}});
    } else if (arg == "--tlv") {
      auto t = parse_tlv(value(i));
      if (!t) usage_error("--tlv: expected TYPE=HEX with TYPE 0-255, e.g. 0xE0=0102", usage);
      o.tlvs.push_back(std::move(*t));
    } else if (arg == "--help" || arg == "-h") {
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      std::exit(0);
    } else if (arg.starts_with("--")) {
      usage_error("unknown option: " + std::string(arg), usage);
    } else {
      positional.push_back(argv[i]);
    }
  }
  if (positional.size() == 2) {
    o.host = positional[0];
    o.port = positional[1];
  } else if (!(o.dry_run && positional.empty())) {
    usage_error("expected HOST PORT", usage);
  }
  if (o.source.has_value() != o.destination.has_value()) usage_error("give both --src and --dst, or neither", usage);
  if (o.local && o.source) usage_error("--local announces no addresses: drop --src/--dst", usage);
  if (o.dry_run && !o.local && !o.source) usage_error("--dry-run needs --src and --dst (or --local)", usage);
  if (o.version == pp::version::v1 && !o.tlvs.empty()) usage_error("v1 headers carry no TLVs: use --v2", usage);
  if (o.version == pp::version::v1 && o.udp) usage_error("v1 is TCP only: use --v2 with --udp", usage);
  return o;
}

/// The header bytes for `o`; `local` and `peer` are this connection's own
/// endpoints, used when no --src/--dst are given.
std::vector<std::byte> build_header(const options& o, const std::optional<pp::endpoint>& local,
                                    const std::optional<pp::endpoint>& peer) {
  const auto transport = o.udp ? pp::transport_protocol::datagram : pp::transport_protocol::stream;
  pp::header h;
  if (o.local) {
    h = pp::local_header();
    h.version = o.version;
  } else if (o.source) {
    h = pp::proxy_header(*o.source, *o.destination, o.version, transport);
  } else if (local && peer) {
    h = pp::proxy_header(*local, *peer, o.version, transport);  // the client is us, the server is the peer
  } else {
    std::fprintf(stderr, "ppsend: cannot read this connection's addresses; give --src and --dst\n");
    std::exit(1);
  }

  // The SSL TLV's sub-TLVs first: the SSL item refers to them.
  std::vector<pp::tlv_item> ssl_parts;
  if (o.ssl_version) ssl_parts.push_back(pp::tlv_item::ssl_version(*o.ssl_version));
  if (o.ssl_common_name) ssl_parts.push_back(pp::tlv_item::ssl_common_name(*o.ssl_common_name));
  if (o.ssl_cipher) ssl_parts.push_back(pp::tlv_item::ssl_cipher(*o.ssl_cipher));
  const std::uint8_t client =
      pp::ssl_client::ssl | (o.ssl_common_name ? pp::ssl_client::cert_conn | pp::ssl_client::cert_sess : 0);
  std::vector<pp::tlv_item> items;
  for (const tlv_request& t : o.tlvs) {
    switch (t.what) {
      case tlv_request::kind::text:  // --alpn, --authority, --unique-id, --netns: held to the spec
        items.push_back(pp::tlv_item::text(t.type, t.text));
        if (items.back().value_size() == SIZE_MAX) {
          std::fprintf(stderr, "ppsend: cannot build the header: TLV 0x%02x breaks its type's rules\n", t.type);
          std::exit(1);
        }
        break;
      case tlv_request::kind::bytes:
        items.push_back(pp::tlv_item::raw(t.type, t.bytes));
        break;
      case tlv_request::kind::crc32c:
        items.push_back(pp::tlv_item::crc32c());
        break;
      case tlv_request::kind::ssl:
        items.push_back(pp::tlv_item::ssl(client, /*verify=*/0, ssl_parts));
        break;
    }
  }

  // --tlv writes what it is given, even a TLV our parser would refuse (a wrong
  // CRC32C, a malformed SSL value): ppsend exists to test receivers too. The
  // named TLV options were checked above.
  const pp::build_options build_options{.write_invalid_tlvs = true};
  const pp::build_result size = o.version == pp::version::v1 ? pp::size_v1(h) : pp::size_v2(h, items, build_options);
  std::vector<std::byte> out(size.size());
  const pp::build_result built = pp::build(out, h, items, build_options);
  if (!built) {
    std::fprintf(stderr, "ppsend: cannot build the header: %s\n", std::string(pp::message(built.error())).c_str());
    std::exit(1);
  }
  return out;
}

bool write_stdout(std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

// TCP: header, then stdin -> socket and socket -> stdout until the server closes.
int relay_stream(int fd) {
  std::array<std::byte, 16384> buffer;
  bool stdin_open = true;
  for (;;) {
    std::array<pollfd, 2> watched{{{fd, POLLIN, 0}, {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}}};
    if (poll(watched.data(), watched.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("ppsend: poll");
      return 1;
    }
    if (watched[0].revents != 0) {
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) return 0;  // the server closed
      if (n < 0) {
        std::perror("ppsend: recv");
        return 1;
      }
      if (!write_stdout(std::span(buffer).first(static_cast<std::size_t>(n)))) return 1;
    }
    if (watched[1].revents != 0) {
      const ssize_t n = read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        stdin_open = false;
        shutdown(fd, SHUT_WR);  // the server sees the end of our data
      } else if (!write_all(fd, std::span(buffer).first(static_cast<std::size_t>(n)))) {
        std::perror("ppsend: send");
        return 1;
      }
    }
  }
}

// UDP: one datagram per stdin line, each starting with the header; replies
// are printed one per line until `linger` after the end of stdin.
int relay_datagrams(int fd, std::span<const std::byte> header, double linger_seconds) {
  std::vector<std::byte> pending;  // stdin bytes not yet ending in a newline
  std::array<std::byte, 65536> buffer;
  bool stdin_open = true;
  clock::time_point stop_at = clock::time_point::max();
  auto send_line = [&](std::span<const std::byte> line) {
    std::vector<std::byte> datagram(header.begin(), header.end());
    datagram.insert(datagram.end(), line.begin(), line.end());
    if (send(fd, datagram.data(), datagram.size(), 0) < 0) {
      std::perror("ppsend: send");
      return false;
    }
    return true;
  };
  for (;;) {
    int timeout = -1;
    if (!stdin_open) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(stop_at - clock::now()).count();
      if (left <= 0) return 0;
      timeout = static_cast<int>(left);
    }
    std::array<pollfd, 2> watched{{{fd, POLLIN, 0}, {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}}};
    const int ready = poll(watched.data(), watched.size(), timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return 1;
    if (watched[0].revents != 0) {
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
      if (n < 0 && errno != EINTR) {
        std::perror("ppsend: recv");  // e.g. nobody listens on that port
        return 1;
      }
      if (n >= 0) {
        write_stdout(std::span(buffer).first(static_cast<std::size_t>(n)));
        write_stdout(std::as_bytes(std::span("\n", 1)));
      }
    }
    if (watched[1].revents != 0) {
      const ssize_t n = read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) pending.insert(pending.end(), buffer.begin(), buffer.begin() + n);
      for (auto newline = std::find(pending.begin(), pending.end(), std::byte{'\n'}); newline != pending.end();
           newline = std::find(pending.begin(), pending.end(), std::byte{'\n'})) {
        if (!send_line(std::span(pending.begin(), newline))) return 1;
        pending.erase(pending.begin(), newline + 1);
      }
      if (n <= 0) {
        if (!pending.empty() && !send_line(pending)) return 1;  // a last line without newline
        stdin_open = false;
        stop_at = clock::now() + std::chrono::milliseconds(static_cast<long>(linger_seconds * 1000));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse_command_line(argc, argv);
  if (o.dry_run) {
    const std::vector<std::byte> header = build_header(o, std::nullopt, std::nullopt);
    return write_stdout(header) ? 0 : 1;
  }
  const int fd = connect_to(o.host, o.port, o.udp ? SOCK_DGRAM : SOCK_STREAM);
  if (fd < 0) return 1;
  const std::vector<std::byte> header = build_header(o, local_endpoint(fd), peer_endpoint(fd));
  if (o.udp) return relay_datagrams(fd, header, o.linger_seconds);
  // Senders must send the whole header at once (spec 2.2): one write.
  if (!write_all(fd, header)) {
    std::perror("ppsend: send");
    return 1;
  }
  return relay_stream(fd);
}
