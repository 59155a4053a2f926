// blocking_server: a thread per connection, blocking reads, echo.
//
// The pattern to copy is `read_proxy_header`: it asks the parser how many
// bytes it still needs and reads at most that many, so not one byte of
// application data is taken from the socket. The socket can then be handed,
// untouched, to code that reads it itself (a TLS library, another process).
// For v2 that is 15 + 1 bytes, then exactly the rest of the header; for v1 it
// is 15 bytes, then one byte at a time up to the CRLF (at most 107 in all).
//
//   blocking_server [--listen 127.0.0.1:0] [--trust CIDR]... [--header-timeout 5] [--max-header 4096]
#include <proxy_protocol.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <thread>
#include <vector>

#include "support.hpp"

namespace pp = proxy_protocol;
using namespace examples;

namespace {

constexpr std::string_view usage =
    "usage: blocking_server [options]\n"
    "Accepts connections from trusted proxies, reads a PROXY v1/v2 header with reads sized\n"
    "by the parser, prints it, then echoes the application bytes back.\n\n";

/// A header read from a socket: the parser's last answer, and why reading
/// stopped early if it did (`received` otherwise).
struct header_read {
  pp::parse_result result;
  read_status stopped_by = read_status::received;
};

/// Reads one PROXY header into `storage` before `deadline`, without reading
/// a byte past it: each recv asks for at most what the parser still needs.
/// `storage` must hold the largest header `options` allows.
header_read read_proxy_header(int fd, std::span<std::byte> storage, const pp::parse_options& options,
                              clock::time_point deadline) {
  std::size_t have = 0;
  for (;;) {
    // An empty buffer asks for the 15 bytes of the shortest header; then 1 more
    // byte completes the v2 fixed part, after which the rest is known exactly.
    const pp::parse_result result = pp::parse(storage.first(have), options);
    if (!result.incomplete()) return {result};
    const std::size_t wanted = result.bytes_needed();
    if (wanted > storage.size() - have) return {pp::parse_result::invalid(pp::errc::v2_header_too_large)};
    const receive_result r = receive_before(fd, storage.subspan(have, wanted), deadline);
    if (r.status != read_status::received) return {result, r.status};
    have += r.size;
  }
}

void serve(int fd, const server_options& options) {
  const auto peer = peer_endpoint(fd);
  const auto local = local_endpoint(fd);
  // Only listed proxies may send a header; nobody else is served at all.
  if (!peer || pp::decide_trust(options.trusted_proxies, peer->address) == pp::trust_decision::reject_connection) {
    emit(describe_reject(peer, "untrusted_peer"));
    close(fd);
    return;
  }
  std::vector<std::byte> storage(header_storage_size(options));
  const header_read read =
      read_proxy_header(fd, storage, parse_options_for(options), clock::now() + options.header_timeout);
  if (!read.result.ok()) {
    // Never guess: no valid header, no service (and nothing is sent back).
    emit(describe_reject(peer, read.result.failed() ? reason(read.result.error()) : reason(read.stopped_by)));
    close(fd);
    return;
  }
  emit(describe_header(read.result.value(), peer, local));

  // The application: everything after the header, echoed back as it came.
  std::array<std::byte, 16384> buffer;
  std::size_t echoed = 0;
  for (;;) {
    const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || !write_all(fd, std::span(buffer).first(static_cast<std::size_t>(n)))) break;
    echoed += static_cast<std::size_t>(n);
  }
  emit("closed peer=" + text(peer) + " echoed=" + std::to_string(echoed));
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  const server_options options =
      parse_server_options(argc, argv, std::string(usage) + "options:\n" + std::string(server_options_usage));
  const int listener = bind_socket(options.listen, SOCK_STREAM);
  if (listener < 0) return 1;
  emit(describe_listening("tcp", local_endpoint(listener), options));
  for (;;) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {  // out of descriptors: wait for some to close
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      std::perror("accept");
      return 1;
    }
    std::thread(serve, fd, std::cref(options)).detach();
  }
}
