// Boilerplate shared by the examples, kept apart so that each example shows
// only how it reads or writes PROXY headers:
//   1. command line: endpoints, CIDR lists, the options every server takes
//   2. POSIX sockets: listen, connect, addresses, reads with a deadline
//   3. reporting: one greppable line per event on stdout
// Examples may allocate and use the standard library freely; the library may not.
#pragma once

#include <proxy_protocol.hpp>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

namespace pp = proxy_protocol;
using clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// 1. Command line
// ---------------------------------------------------------------------------

inline std::string text(const pp::endpoint& e) { return std::string(pp::to_text(e).view()); }
inline std::string text(const pp::cidr& c) { return std::string(pp::to_text(c).view()); }
inline std::string text(const std::optional<pp::endpoint>& e) { return e ? text(*e) : std::string("-"); }

/// `192.0.2.1:443` or `[2001:db8::1]:443`.
inline std::optional<pp::endpoint> parse_endpoint(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // IPv6 needs brackets
  }
  const auto address = pp::parse_ip_address(host);
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (!address || error != std::errc{} || end != port_text.data() + port_text.size() || port_text.empty() ||
      port > 65535)
    return std::nullopt;
  return pp::endpoint{*address, static_cast<std::uint16_t>(port)};
}

/// A decimal number such as `3` or `2.5` (std::from_chars for double is
/// missing from libc++ 14, hence strtod).
inline std::optional<double> parse_number(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// Prints `message` and the usage text on stderr, then exits with status 2.
[[noreturn]] inline void usage_error(std::string_view message, std::string_view usage) {
  std::fprintf(stderr, "%.*s\n\n%.*s", static_cast<int>(message.size()), message.data(), static_cast<int>(usage.size()),
               usage.data());
  std::exit(2);
}

/// Options every example server takes.
struct server_options {
  pp::endpoint listen{pp::ip_address::v4(0x7F000001u), 0};  // 127.0.0.1, a free port
  std::vector<pp::cidr> trusted_proxies;
  std::chrono::milliseconds header_timeout{5000};
  std::size_t max_header_size = 4096;
};

inline constexpr std::string_view server_options_usage =
    "  --listen ADDR:PORT    address to listen on (default 127.0.0.1:0, a free port; the first\n"
    "                        line printed is 'listening PROTO ADDR:PORT ...')\n"
    "  --trust CIDR          a proxy allowed to connect and send headers; repeat for more\n"
    "                        (default 127.0.0.0/8 and ::1). Everyone else is rejected.\n"
    "  --header-timeout SEC  time allowed for the whole header, at least 3 (spec section 4:\n"
    "                        long enough for a TCP retransmission; default 5)\n"
    "  --max-header BYTES    largest header accepted, 232-65551 (default 4096, as nginx)\n";

/// Parses the shared server options; anything else is a usage error.
/// Datagram servers have no header timeout: each datagram holds a whole header.
inline server_options parse_server_options(int argc, char** argv, std::string_view usage,
                                           bool has_header_timeout = true) {
  server_options options;
  auto value = [&](int& i) -> std::string_view {
    if (i + 1 >= argc) usage_error(std::string(argv[i]) + " needs a value", usage);
    return argv[++i];
  };
  auto number = [&](std::string_view text, double low, double high, std::string_view what) {
    const auto v = parse_number(text);
    if (!v || *v < low || *v > high)
      usage_error(std::string(what) + ": '" + std::string(text) + "' is out of range", usage);
    return *v;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--listen") {
      const auto e = parse_endpoint(value(i));
      if (!e) usage_error("--listen: expected ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080", usage);
      options.listen = *e;
    } else if (arg == "--trust") {
      const auto block = pp::parse_cidr(value(i));
      if (!block) usage_error("--trust: expected a CIDR block such as 10.0.0.0/8 (host bits zero)", usage);
      options.trusted_proxies.push_back(*block);
    } else if (arg == "--header-timeout" && has_header_timeout) {
      options.header_timeout =
          std::chrono::milliseconds(static_cast<long>(1000 * number(value(i), 3, 3600, "--header-timeout")));
    } else if (arg == "--max-header") {
      options.max_header_size = static_cast<std::size_t>(number(value(i), 232, pp::v2_max_size, "--max-header"));
    } else if (arg == "--help" || arg == "-h") {
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      std::exit(0);
    } else {
      usage_error("unknown argument: " + std::string(arg), usage);
    }
  }
  if (options.trusted_proxies.empty())
    options.trusted_proxies = {*pp::parse_cidr("127.0.0.0/8"), *pp::parse_cidr("::1")};
  return options;
}

/// The parser options a server uses: the spec's strict defaults, plus its size cap.
inline pp::parse_options parse_options_for(const server_options& options) {
  pp::parse_options p;
  p.max_header_size = options.max_header_size;
  return p;
}

/// Header storage large enough for any header a server accepts (v1 lines are
/// at most 107 bytes whatever the cap).
inline std::size_t header_storage_size(const server_options& options) {
  return std::max(options.max_header_size, pp::v1_max_size);
}

// ---------------------------------------------------------------------------
// 2. POSIX sockets
// ---------------------------------------------------------------------------

inline std::optional<pp::endpoint> local_endpoint(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return std::nullopt;
  return pp::to_endpoint(reinterpret_cast<const sockaddr*>(&address), length);
}

inline std::optional<pp::endpoint> peer_endpoint(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return std::nullopt;
  return pp::to_endpoint(reinterpret_cast<const sockaddr*>(&address), length);
}

/// A socket of `type` (SOCK_STREAM listening, or SOCK_DGRAM) bound to `at`;
/// -1 after printing why.
inline int bind_socket(const pp::endpoint& at, int type) {
  sockaddr_storage address{};
  const socklen_t length = pp::to_sockaddr(at, address);
  const int fd = socket(address.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("socket");
    return -1;
  }
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 ||
      (type == SOCK_STREAM && listen(fd, SOMAXCONN) != 0)) {
    std::fprintf(stderr, "cannot listen on %s: %s\n", text(at).c_str(), std::strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/// Connects a socket of `type` to HOST PORT (names resolved); -1 after printing why.
inline int connect_to(const char* host, const char* port, int type) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  addrinfo* found = nullptr;
  if (const int e = getaddrinfo(host, port, &hints, &found); e != 0) {
    std::fprintf(stderr, "%s %s: %s\n", host, port, gai_strerror(e));
    return -1;
  }
  int fd = -1;
  int error = 0;
  for (const addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) std::fprintf(stderr, "cannot connect to %s %s: %s\n", host, port, std::strerror(error));
  return fd;
}

inline bool set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

/// Writes all of `bytes` (blocking socket); false on error.
inline bool write_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

enum class read_status { received, closed, timed_out, failed };

struct receive_result {
  read_status status = read_status::failed;
  std::size_t size = 0;  // bytes received when `received`
};

/// One recv(2) of at most `into.size()` bytes from a blocking socket,
/// waiting no later than `deadline`. Never more than asked, so the bytes
/// after them stay in the socket.
inline receive_result receive_before(int fd, std::span<std::byte> into, clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return {read_status::timed_out};
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return {read_status::failed};
    if (ready == 0) return {read_status::timed_out};
    const ssize_t n = recv(fd, into.data(), into.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return {read_status::failed};
    if (n == 0) return {read_status::closed};
    return {read_status::received, static_cast<std::size_t>(n)};
  }
}

// ---------------------------------------------------------------------------
// 3. Reporting: one line per event, `word key=value ...`, for people and tests
// ---------------------------------------------------------------------------

/// Writes `line` and a newline to stdout in one write(2), so that lines from
/// several threads never interleave.
inline void emit(std::string line) {
  line += '\n';
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// Bytes as printable text: ASCII letters, digits and punctuation as they
/// are; space, `\`, `"`, `=`, `,` and everything else as `\xNN`.
inline std::string escaped(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::byte b : bytes) {
    const auto c = std::to_integer<unsigned char>(b);
    if (c > 0x20 && c < 0x7F && c != '\\' && c != '"' && c != '=' && c != ',') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out.empty() ? std::string("-") : out;
}
inline std::string escaped(std::string_view s) {
  return escaped(std::span<const std::byte>(reinterpret_cast<const std::byte*>(s.data()), s.size()));
}

inline std::string hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::byte b : bytes) {
    out += digits[std::to_integer<unsigned>(b) >> 4];
    out += digits[std::to_integer<unsigned>(b) & 15];
  }
  return out;
}

inline std::string hex_number(std::uint32_t value, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%0*x", width, static_cast<unsigned>(value));
  return buffer;
}

/// Whom a connection really comes from: the header's addresses for PROXY
/// with INET/INET6 (or UNIX paths), else the socket's own (LOCAL, UNSPEC,
/// v1 UNKNOWN; spec 2.2).
inline std::string describe_endpoints(const pp::header& h, const std::optional<pp::endpoint>& peer,
                                      const std::optional<pp::endpoint>& local) {
  if (!h.has_addresses()) return "src=" + text(peer) + " dst=" + text(local) + " from=socket";
  if (h.family == pp::address_family::unix_socket) {
    auto path = [](std::span<const std::byte> raw) {
      std::size_t n = 0;
      while (n < raw.size() && raw[n] != std::byte{0}) ++n;
      return "unix:" + escaped(raw.first(n));
    };
    return "src=" + path(h.unix_source) + " dst=" + path(h.unix_destination) + " from=header";
  }
  return "src=" + text(h.source) + " dst=" + text(h.destination) + " from=header";
}

/// `header peer=... version=2 command=proxy ... src=... dst=... tlvs=... alpn=...`
inline std::string describe_header(const pp::header& h, const std::optional<pp::endpoint>& peer,
                                   const std::optional<pp::endpoint>& local) {
  static constexpr const char* families[] = {"unspec", "inet", "inet6", "unix"};
  static constexpr const char* transports[] = {"unspec", "stream", "dgram"};
  std::string line = "header peer=" + text(peer);
  line += h.version == pp::version::v1 ? " version=1" : " version=2";
  line += h.command == pp::command::proxy ? " command=proxy" : " command=local";
  line += std::string(" family=") + families[static_cast<int>(h.family)];
  line += std::string(" transport=") + transports[static_cast<int>(h.transport)];
  line += " " + describe_endpoints(h, peer, local);
  line += " size=" + std::to_string(h.size());
  std::string tlvs;
  for (const pp::tlv t : h.tlvs()) {
    if (!tlvs.empty()) tlvs += ',';
    char type[3];
    std::snprintf(type, sizeof type, "%02x", t.type);
    tlvs += std::string(type) + ":" + hex(t.value);
  }
  line += " tlvs=" + (tlvs.empty() ? std::string("-") : tlvs);
  if (const auto v = h.alpn()) line += " alpn=" + escaped(*v);
  if (const auto v = h.authority()) line += " authority=" + escaped(*v);
  if (const auto v = h.unique_id()) line += " unique_id=" + escaped(*v);
  if (const auto v = h.netns()) line += " netns=" + escaped(*v);
  if (const auto v = h.crc32c()) line += " crc32c=" + hex_number(*v, 8);  // verified by the parser
  if (const auto ssl = h.ssl()) {
    line += " ssl_client=" + hex_number(ssl->client, 2) + " ssl_verify=" + std::to_string(ssl->verify);
    if (const auto v = ssl->version()) line += " ssl_version=" + escaped(*v);
    if (const auto v = ssl->common_name()) line += " ssl_cn=" + escaped(*v);
    if (const auto v = ssl->cipher()) line += " ssl_cipher=" + escaped(*v);
    if (const auto v = ssl->signature_algorithm()) line += " ssl_sig_alg=" + escaped(*v);
    if (const auto v = ssl->key_algorithm()) line += " ssl_key_alg=" + escaped(*v);
  }
  return line;
}

/// `reject peer=... reason=...`: the connection is closed without an answer.
inline std::string describe_reject(const std::optional<pp::endpoint>& peer, std::string_view reason) {
  return "reject peer=" + text(peer) + " reason=" + std::string(reason);
}

/// The reason word for a parse failure, e.g. `v2_crc32c_mismatch`.
inline std::string_view reason(pp::errc e) { return pp::to_string(e); }

/// The reason word for a failed blocking read of the header.
inline std::string_view reason(read_status s) {
  switch (s) {
    case read_status::closed:
      return "closed_before_header";
    case read_status::timed_out:
      return "header_timeout";
    case read_status::failed:
      return "read_error";
    case read_status::received:
      break;
  }
  return "none";
}

/// `listening tcp 127.0.0.1:40123 trust=127.0.0.0/8,::1/128 header_timeout_ms=5000 max_header=4096`
inline std::string describe_listening(std::string_view protocol, const std::optional<pp::endpoint>& at,
                                      const server_options& options) {
  // Appended piece by piece: GCC 12 at -O2 warns (-Wrestrict, a false
  // positive) on `"literal" + std::string&&` inlined here.
  std::string line = "listening ";
  line.append(protocol).append(" ").append(text(at)).append(" trust=");
  for (std::size_t i = 0; i < options.trusted_proxies.size(); ++i)
    line.append(i == 0 ? "" : ",").append(text(options.trusted_proxies[i]));
  line.append(" header_timeout_ms=").append(std::to_string(options.header_timeout.count()));
  line.append(" max_header=").append(std::to_string(options.max_header_size));
  return line;
}

}  // namespace examples
