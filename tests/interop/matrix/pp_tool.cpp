// pp_tool - the interop matrix's bridge between real software and this library.
//
// The matrix tests (matrix.py) never write or read PROXY bytes themselves:
// every header sent to a receiver comes from the library's builders, and every
// header a sender writes is decoded by the library's parser, through this tool.
//
//   pp_tool build [--v1|--v2] [--local] --src ADDR:PORT --dst ADDR:PORT
//                 [--tlv TYPE=HEX]... [--authority TEXT] [--alpn TEXT] [--unique-id TEXT]
//                 [--ssl-version TEXT] [--ssl-cipher TEXT] [--ssl-cn TEXT]
//                 [--crc32c] [--pad-to SIZE] [--max-size SIZE]
//       Writes one header to stdout. IPv6 endpoints are written [ADDR]:PORT.
//       --max-size fails (exit 3) when the v2 header would be larger: the size
//       is known from size_v2() before anything is written, which is how a
//       caller keeps under a receiver's limit (Apache mod_remoteip: 232 bytes).
//   pp_tool decode [--allow-ipv4-in-tcp6]
//       Reads bytes from stdin and prints one JSON object: the decoded header,
//       or the error code, and the bytes that follow the header.
//   pp_tool serve --port-file FILE --log FILE [--bind ADDR] [--count N]
//                 [--idle-timeout SECONDS] [--allow-ipv4-in-tcp6]
//       A test receiver: listens on ADDR (127.0.0.1) on a port the kernel
//       picks, writes that port to FILE, and for each connection reads a PROXY
//       header and the request that follows (up to an empty line, bounded),
//       appends the decoded JSON line to the log (`rest_hex`: the bytes after
//       the header), and answers with an HTTP 200 whose body is that line. Exits after N connections (default:
//       unlimited) or after SECONDS without a connection (default 60).
//
// Exit status: 0 success, 1 decode error / refused header, 2 usage, 3 build error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
// Before the library: under libc++ 14 its operator<< templates use std::streamsize,
// which <iosfwd> does not declare there (reported; the library should include <ios>).
#include <ios>
#include <proxy_protocol.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pp = proxy_protocol;

namespace {

int usage() {
  std::fputs(
      "usage: pp_tool build [--v1|--v2] [--local] --src ADDR:PORT --dst ADDR:PORT [--tlv TYPE=HEX]...\n"
      "                     [--authority T] [--alpn T] [--unique-id T] [--ssl-version T] [--ssl-cipher T]\n"
      "                     [--ssl-cn T] [--crc32c] [--pad-to SIZE] [--max-size SIZE]\n"
      "       pp_tool decode [--allow-ipv4-in-tcp6]\n"
      "       pp_tool serve --port-file FILE --log FILE [--bind ADDR] [--count N] [--idle-timeout S]\n"
      "                     [--allow-ipv4-in-tcp6]\n",
      stderr);
  return 2;
}

bool parse_number(std::string_view text, unsigned long& out) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc{} && r.ptr == text.data() + text.size();
}

/// "192.0.2.1:80" or "[2001:db8::1]:80".
bool parse_endpoint(std::string_view text, pp::endpoint& out) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  unsigned long port = 0;
  if (!parse_number(text.substr(colon + 1), port) || port > 65535) return false;
  const auto ip = pp::parse_ip_address(address);
  if (!ip) return false;
  out = {*ip, static_cast<std::uint16_t>(port)};
  return true;
}

bool parse_hex(std::string_view hex, std::vector<std::byte>& out) {
  if (hex.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    const auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (r.ec != std::errc{} || r.ptr != hex.data() + i + 2) return false;
    out.push_back(static_cast<std::byte>(value));
  }
  return true;
}

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (const std::byte b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    s += digits[v >> 4];
    s += digits[v & 0xF];
  }
  return s;
}

/// JSON string literal; bytes outside printable ASCII are escaped as \u00XX.
std::string json_string(std::string_view text) {
  std::string s = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      s += '\\';
      s += c;
    } else if (u < 0x20 || u >= 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", u);
      s += buffer;
    } else {
      s += c;
    }
  }
  return s + "\"";
}

bool printable(std::span<const std::byte> bytes) {
  for (const std::byte b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    if (v < 0x20 || v >= 0x7F) return false;
  }
  return true;
}

std::string tlv_list_json(pp::tlv_range tlvs) {
  std::string s = "[";
  bool first = true;
  for (const pp::tlv t : tlvs) {
    if (!first) s += ", ";
    first = false;
    s += "{\"type\": " + std::to_string(t.type) + ", \"hex\": \"" + to_hex(t.value) + "\"";
    if (printable(t.value)) s += ", \"text\": " + json_string(t.text());
    s += "}";
  }
  return s + "]";
}

std::string_view family_name(pp::address_family f) {
  switch (f) {
    case pp::address_family::inet:
      return "inet";
    case pp::address_family::inet6:
      return "inet6";
    case pp::address_family::unix_socket:
      return "unix";
    case pp::address_family::unspecified:
      break;
  }
  return "unspecified";
}

/// The whole parse outcome as one JSON object (no trailing newline).
std::string decode_json(std::span<const std::byte> input, const pp::parse_options& options) {
  const pp::parse_result r = pp::parse(input, options);
  if (r.failed())
    return "{\"status\": \"invalid\", \"error\": \"" + std::string(pp::to_string(r.error())) + "\", \"input_hex\": \"" +
           to_hex(input.first(std::min<std::size_t>(input.size(), 64))) + "\"}";
  if (r.incomplete())
    return "{\"status\": \"need_more\", \"bytes_needed\": " + std::to_string(r.bytes_needed()) +
           ", \"input_size\": " + std::to_string(input.size()) + "}";
  const pp::header& h = r.value();
  std::string s = "{\"status\": \"ok\", \"version\": " + std::to_string(static_cast<int>(h.version));
  s += std::string(", \"command\": \"") + (h.command == pp::command::proxy ? "proxy" : "local") + "\"";
  s += ", \"family\": \"" + std::string(family_name(h.family)) + "\"";
  s += std::string(", \"transport\": \"") +
       (h.transport == pp::transport_protocol::stream     ? "stream"
        : h.transport == pp::transport_protocol::datagram ? "datagram"
                                                          : "unspecified") +
       "\"";
  if (h.has_addresses() && h.family != pp::address_family::unix_socket) {
    s += ", \"src_addr\": \"" + std::string(pp::to_text(h.source.address).view()) + "\"";
    s += ", \"src_port\": " + std::to_string(h.source.port);
    s += ", \"dst_addr\": \"" + std::string(pp::to_text(h.destination.address).view()) + "\"";
    s += ", \"dst_port\": " + std::to_string(h.destination.port);
  }
  s += ", \"size\": " + std::to_string(h.size());
  s += ", \"header_hex\": \"" + to_hex(h.raw) + "\"";
  s += ", \"tlvs\": " + tlv_list_json(h.tlvs());
  if (const auto ssl = h.ssl())
    s += ", \"ssl\": {\"client\": " + std::to_string(ssl->client) + ", \"verify\": " + std::to_string(ssl->verify) +
         ", \"sub_tlvs\": " + tlv_list_json(ssl->sub_tlvs) + "}";
  if (const auto crc = h.crc32c())
    s += ", \"crc32c_verified\": " + std::string(options.verify_crc32c ? "true" : "false");
  s += ", \"rest_hex\": \"" + to_hex(input.subspan(h.size())) + "\"}";
  return s;
}

struct build_request {
  pp::version version = pp::version::v2;
  bool local = false;
  std::optional<pp::endpoint> source, destination;
  std::vector<std::pair<std::uint8_t, std::vector<std::byte>>> raw_tlvs;
  std::vector<std::pair<std::uint8_t, std::string>> text_tlvs;
  std::vector<std::pair<std::uint8_t, std::string>> ssl_subs;
  bool crc32c = false;
  std::size_t pad_to = 0;
  std::size_t max_size = 0;
};

int run_build(int argc, char** argv) {
  build_request request;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    const std::string_view value = has_value ? std::string_view(argv[i + 1]) : std::string_view();
    unsigned long number = 0;
    if (arg == "--v1") {
      request.version = pp::version::v1;
    } else if (arg == "--v2") {
      request.version = pp::version::v2;
    } else if (arg == "--local") {
      request.local = true;
    } else if (arg == "--crc32c") {
      request.crc32c = true;
    } else if (!has_value) {
      return usage();
    } else if (arg == "--src" || arg == "--dst") {
      pp::endpoint e;
      if (!parse_endpoint(value, e)) {
        std::fprintf(stderr, "pp_tool: bad endpoint '%s'\n", argv[i + 1]);
        return 2;
      }
      (arg == "--src" ? request.source : request.destination) = e;
      ++i;
    } else if (arg == "--tlv") {
      const auto equals = value.find('=');
      std::vector<std::byte> bytes;
      if (equals == std::string_view::npos || !parse_number(value.substr(0, equals), number) || number > 255 ||
          !parse_hex(value.substr(equals + 1), bytes)) {
        std::fprintf(stderr, "pp_tool: bad --tlv '%s' (TYPE=HEX, type in decimal)\n", argv[i + 1]);
        return 2;
      }
      request.raw_tlvs.emplace_back(static_cast<std::uint8_t>(number), std::move(bytes));
      ++i;
    } else if (arg == "--authority" || arg == "--alpn" || arg == "--unique-id") {
      const std::uint8_t type = arg == "--authority" ? pp::tlv_type::authority
                                : arg == "--alpn"    ? pp::tlv_type::alpn
                                                     : pp::tlv_type::unique_id;
      request.text_tlvs.emplace_back(type, std::string(value));
      ++i;
    } else if (arg == "--ssl-version" || arg == "--ssl-cipher" || arg == "--ssl-cn") {
      const std::uint8_t type = arg == "--ssl-version"  ? pp::ssl_type::version
                                : arg == "--ssl-cipher" ? pp::ssl_type::cipher
                                                        : pp::ssl_type::common_name;
      request.ssl_subs.emplace_back(type, std::string(value));
      ++i;
    } else if ((arg == "--pad-to" || arg == "--max-size") && parse_number(value, number)) {
      (arg == "--pad-to" ? request.pad_to : request.max_size) = number;
      ++i;
    } else {
      return usage();
    }
  }

  pp::header h = pp::local_header();
  if (!request.local) {
    if (!request.source || !request.destination) return usage();
    h = pp::proxy_header(*request.source, *request.destination, request.version);
  }
  h.version = request.version;

  // Items hold views: the vectors above own the bytes until the build is done.
  std::vector<pp::tlv_item> ssl_items;
  for (const auto& [type, text] : request.ssl_subs) ssl_items.push_back(pp::tlv_item::text(type, text));
  std::vector<pp::tlv_item> items;
  for (const auto& [type, text] : request.text_tlvs) items.push_back(pp::tlv_item::text(type, text));
  for (const auto& [type, bytes] : request.raw_tlvs) items.push_back(pp::tlv_item::raw(type, bytes));
  if (!ssl_items.empty()) items.push_back(pp::tlv_item::ssl(pp::ssl_client::ssl, 0, ssl_items));
  if (request.crc32c) items.push_back(pp::tlv_item::crc32c());
  pp::build_options options;
  options.pad_to_size = request.pad_to;

  const pp::build_result size = h.version == pp::version::v1 ? pp::size_v1(h, options) : pp::size_v2(h, items, options);
  if (!size) {
    std::fprintf(stderr, "pp_tool: cannot build: %s\n", std::string(pp::to_string(size.error())).c_str());
    return 3;
  }
  if (request.max_size != 0 && size.size() > request.max_size) {
    std::fprintf(stderr, "pp_tool: header would be %zu bytes, over --max-size %zu\n", size.size(), request.max_size);
    return 3;
  }
  std::vector<std::byte> out(size.size());
  const pp::build_result written = pp::build(out, h, items, options);
  if (!written || written.size() != out.size()) {
    std::fprintf(stderr, "pp_tool: build disagrees with size: %s\n",
                 std::string(pp::to_string(written.error())).c_str());
    return 3;
  }
  return std::fwrite(out.data(), 1, out.size(), stdout) == out.size() ? 0 : 3;
}

pp::parse_options options_from(int argc, char** argv) {
  pp::parse_options options;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--allow-ipv4-in-tcp6") options.v1_accept_ipv4_in_tcp6 = true;
  }
  return options;
}

int run_decode(int argc, char** argv) {
  const pp::parse_options options = options_from(argc, argv);
  for (int i = 0; i < argc; ++i)
    if (std::string_view(argv[i]) != "--allow-ipv4-in-tcp6") return usage();
  std::vector<std::byte> input;
  std::array<char, 4096> chunk;
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), stdin)) > 0 && input.size() < 1u << 20)
    for (std::size_t i = 0; i < n; ++i) input.push_back(static_cast<std::byte>(chunk[i]));
  const std::string json = decode_json(input, options);
  std::printf("%s\n", json.c_str());
  return pp::parse(input, options).ok() ? 0 : 1;
}

/// Reads one connection's PROXY header and, when it is valid, what follows up
/// to the end of an HTTP request head (CRLF CRLF), so that `rest_hex` shows
/// whether the application bytes arrived intact. Bounded: 64 reads, and at
/// most 2 s of waiting for the request after the header.
std::string read_connection(int fd, const pp::parse_options& options) {
  std::vector<std::byte> input;
  std::array<std::byte, 4096> chunk;
  bool header_done = false;
  for (int reads = 0; reads < 64; ++reads) {
    if (header_done) {
      pollfd more{fd, POLLIN, 0};
      if (poll(&more, 1, 2000) <= 0) break;
    }
    const ssize_t n = recv(fd, chunk.data(), chunk.size(), 0);
    if (n <= 0) break;
    input.insert(input.end(), chunk.begin(), chunk.begin() + n);
    const pp::parse_result r = pp::parse(input, options);
    if (r.failed()) break;
    if (r.ok()) {
      header_done = true;
      const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
      if (text.find("\r\n\r\n", r.consumed()) != std::string_view::npos) break;
    }
  }
  return decode_json(input, options);
}

int run_serve(int argc, char** argv) {
  std::string port_file, log_file, bind_address = "127.0.0.1";
  unsigned long count = 0, idle_timeout = 60;
  const pp::parse_options options = options_from(argc, argv);
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--allow-ipv4-in-tcp6") continue;
    if (i + 1 >= argc) return usage();
    const std::string_view value = argv[++i];
    if (arg == "--port-file") {
      port_file = value;
    } else if (arg == "--log") {
      log_file = value;
    } else if (arg == "--bind") {
      bind_address = value;
    } else if (!((arg == "--count" && parse_number(value, count)) ||
                 (arg == "--idle-timeout" && parse_number(value, idle_timeout)))) {
      return usage();
    }
  }
  if (port_file.empty() || log_file.empty()) return usage();
  const auto ip = pp::parse_ip_address(bind_address);
  if (!ip) return usage();

  sockaddr_storage address{};
  const socklen_t address_length = pp::to_sockaddr({*ip, 0}, address);
  const int listener = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listener < 0 || bind(listener, reinterpret_cast<const sockaddr*>(&address), address_length) != 0 ||
      listen(listener, 64) != 0) {
    std::perror("pp_tool serve: bind/listen");
    return 2;
  }
  socklen_t length = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const auto bound = pp::to_endpoint(reinterpret_cast<const sockaddr*>(&address), length);
  FILE* log = std::fopen(log_file.c_str(), "a");
  if (!bound || log == nullptr) return 2;
  {
    // Written to a temporary name and renamed, so a reader never sees half a port.
    const std::string temporary = port_file + ".tmp";
    FILE* f = std::fopen(temporary.c_str(), "w");
    if (f == nullptr) return 2;
    std::fprintf(f, "%u\n", bound->port);
    std::fclose(f);
    std::rename(temporary.c_str(), port_file.c_str());
  }

  for (unsigned long served = 0; count == 0 || served < count; ++served) {
    pollfd waiting{listener, POLLIN, 0};
    if (poll(&waiting, 1, static_cast<int>(idle_timeout * 1000)) <= 0) break;
    const int connection = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    timeval limit{5, 0};
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    std::string json = read_connection(connection, options);
    std::fprintf(log, "%s\n", json.c_str());
    std::fflush(log);
    json += "\n";
    const std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) +
        "\r\nConnection: close\r\n\r\n" + json;
    (void)!send(connection, reply.data(), reply.size(), MSG_NOSIGNAL);
    shutdown(connection, SHUT_WR);
    close(connection);
  }
  std::fclose(log);
  close(listener);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view mode = argv[1];
  if (mode == "build") return run_build(argc - 2, argv + 2);
  if (mode == "decode") return run_decode(argc - 2, argv + 2);
  if (mode == "serve") return run_serve(argc - 2, argv + 2);
  return usage();
}
