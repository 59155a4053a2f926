// udp_receiver: PROXY v2 headers over UDP (spec revision 2026/04/27).
//
// Over UDP the header and the payload travel in the same datagram and a
// header is never split across datagrams, so each datagram is parsed on its
// own: a header that is incomplete within its datagram is refused, never
// completed from the next one. Version 1 is TCP-only, so only v2 is parsed.
// The payload after the header is echoed back to the sender (the proxy),
// without a header.
//
//   udp_receiver [--listen 127.0.0.1:0] [--trust CIDR]... [--max-header 4096]
#include <proxy_protocol.hpp>

#include <sys/socket.h>

#include <vector>

#include "support.hpp"

namespace pp = proxy_protocol;
using namespace examples;

namespace {

constexpr std::string_view usage =
    "usage: udp_receiver [options]\n"
    "Receives datagrams from trusted proxies, parses the PROXY v2 header at the start of each,\n"
    "prints it with the payload, and echoes the payload back to the sender.\n\n"
    "options:\n"
    "  --listen ADDR:PORT    address to listen on (default 127.0.0.1:0, a free port; the first\n"
    "                        line printed is 'listening udp ADDR:PORT ...')\n"
    "  --trust CIDR          a proxy allowed to send datagrams; repeat for more\n"
    "                        (default 127.0.0.0/8 and ::1). Datagrams from others are dropped.\n"
    "  --max-header BYTES    largest header accepted, 232-65551 (default 4096)\n";

}  // namespace

int main(int argc, char** argv) {
  const server_options options = parse_server_options(argc, argv, usage, /*has_header_timeout=*/false);
  const int fd = bind_socket(options.listen, SOCK_DGRAM);
  if (fd < 0) return 1;
  const auto local = local_endpoint(fd);
  emit(describe_listening("udp", local, options));
  const pp::parse_options parse_options = parse_options_for(options);

  std::vector<std::byte> datagram(65536);
  for (;;) {
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    const ssize_t n =
        recvfrom(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("recvfrom");
      return 1;
    }
    const auto peer = pp::to_endpoint(reinterpret_cast<const sockaddr*>(&from), from_length);
    if (!peer || pp::decide_trust(options.trusted_proxies, peer->address) == pp::trust_decision::reject_connection) {
      emit(describe_reject(peer, "untrusted_peer"));
      continue;
    }
    const auto bytes = std::span(datagram).first(static_cast<std::size_t>(n));
    const pp::parse_result result = pp::parse_v2(bytes, parse_options);
    if (!result.ok()) {  // never guess, and never wait for a next datagram
      const bool v1 = pp::detect(bytes) == pp::detection::v1;
      emit(describe_reject(peer, v1 ? "v1_over_udp" : result.failed() ? reason(result.error()) : "truncated_header"));
      continue;
    }
    const auto payload = bytes.subspan(result.consumed());
    emit(describe_header(result.value(), peer, local) + " payload_size=" + std::to_string(payload.size()) +
         " payload=" + escaped(payload.first(std::min<std::size_t>(payload.size(), 256))));
    sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&from), from_length);
  }
}
