// epoll_server: one thread, non-blocking sockets, many connections, echo.
//
// The pattern to copy is `read_header`: each connection owns a buffer as
// large as the biggest header it accepts. Whatever a read returns is appended
// and the whole buffer is parsed again; the parser answers "need more" until
// the header is complete, however the sender's bytes were split. Bytes that
// arrived after the header in the same read are application data and are
// handed on before anything else is read. On top of that:
//   - only trusted proxies may connect (`pp::decide_trust`, before any read);
//   - the header must be complete within the header timeout;
//   - a header larger than the cap is refused as soon as its length is known;
//   - no valid header, no service: the connection is closed, nothing is sent,
//     and the server never "falls back" to treating the bytes as application data.
//
//   epoll_server [--listen 127.0.0.1:0] [--trust CIDR]... [--header-timeout 5] [--max-header 4096]
#include <proxy_protocol.hpp>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <deque>
#include <thread>
#include <unordered_map>
#include <vector>

#include "support.hpp"

namespace pp = proxy_protocol;
using namespace examples;

namespace {

constexpr std::string_view usage =
    "usage: epoll_server [options]\n"
    "Accepts connections from trusted proxies on one epoll loop, reads a PROXY v1/v2 header\n"
    "however it is split across reads, prints it, then echoes the application bytes back.\n\n";

struct connection {
  std::uint64_t id = 0;
  int fd = -1;
  std::optional<pp::endpoint> peer;
  std::optional<pp::endpoint> local;
  bool header_done = false;
  std::vector<std::byte> header;  // storage for the header; released once it is parsed
  std::size_t header_bytes = 0;   // bytes of `header` filled so far
  std::vector<std::byte> unsent;  // echoed bytes the socket has not taken yet
  bool waiting_to_send = false;   // watching EPOLLOUT instead of EPOLLIN
  bool peer_done_sending = false;
  std::size_t echoed = 0;
};

class server {
 public:
  server(int listener, const server_options& options)
      : listener_(listener), options_(options), parse_options_(parse_options_for(options)) {}

  int run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0 || !set_nonblocking(listener_) || !watch(listener_, EPOLLIN, EPOLL_CTL_ADD)) {
      std::perror("epoll");
      return 1;
    }
    std::array<epoll_event, 64> events{};
    for (;;) {
      const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), next_timeout_ms());
      if (ready < 0 && errno != EINTR) {
        std::perror("epoll_wait");
        return 1;
      }
      for (int i = 0; i < ready; ++i) {
        const epoll_event& e = events[static_cast<std::size_t>(i)];
        if (e.data.fd == listener_)
          accept_all();
        else
          on_event(e.data.fd, e.events);
      }
      expire_header_deadlines();
    }
  }

 private:
  bool watch(int fd, std::uint32_t events, int operation) {
    epoll_event e{};
    e.events = events;
    e.data.fd = fd;
    return epoll_ctl(epoll_, operation, fd, &e) == 0;
  }

  void accept_all() {
    for (;;) {
      const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return;  // EAGAIN: all pending connections taken
      }
      const auto peer = peer_endpoint(fd);
      // Only listed proxies may send a header; nobody else is served at all.
      if (!peer || pp::decide_trust(options_.trusted_proxies, peer->address) == pp::trust_decision::reject_connection) {
        emit(describe_reject(peer, "untrusted_peer"));
        close(fd);
        continue;
      }
      connection c;
      c.id = next_id_++;
      c.fd = fd;
      c.peer = peer;
      c.local = local_endpoint(fd);
      c.header.resize(header_storage_size(options_));
      if (!watch(fd, EPOLLIN, EPOLL_CTL_ADD)) {
        close(fd);
        continue;
      }
      // One timeout for every connection, so deadlines are queued in order.
      deadlines_.push_back({clock::now() + options_.header_timeout, fd, c.id});
      connections_.insert_or_assign(fd, std::move(c));
    }
  }

  void on_event(int fd, std::uint32_t events) {
    const auto found = connections_.find(fd);
    if (found == connections_.end()) return;
    connection& c = found->second;
    if (events & EPOLLOUT) {
      flush(c);  // may close c
      return;
    }
    if (c.header_done)
      read_application(c);
    else
      read_header(c);
  }

  // Appends what the socket has to the header buffer and parses it all again.
  void read_header(connection& c) {
    for (;;) {
      const ssize_t n = recv(c.fd, c.header.data() + c.header_bytes, c.header.size() - c.header_bytes, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // the rest comes with a later event
      if (n <= 0) return reject(c, n == 0 ? "closed_before_header" : "read_error");
      c.header_bytes += static_cast<std::size_t>(n);

      const pp::parse_result result = pp::parse(std::span(c.header).first(c.header_bytes), parse_options_);
      if (result.failed()) return reject(c, reason(result.error()));  // never guess
      if (result.incomplete()) {
        // Unreachable while the buffer holds the cap: the parser refuses
        // longer headers first. Kept so that a smaller buffer cannot spin.
        if (c.header_bytes == c.header.size()) return reject(c, "v2_header_too_large");
        continue;
      }
      emit(describe_header(result.value(), c.peer, c.local));
      c.header_done = true;
      // Bytes that came with the header belong to the application, unharmed.
      std::vector<std::byte> header = std::move(c.header);
      const auto after_header = std::span(header).first(c.header_bytes).subspan(result.consumed());
      return application_data(c, after_header);
    }
  }

  void read_application(connection& c) {
    std::array<std::byte, 16384> buffer;
    const ssize_t n = recv(c.fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) return finish(c);
    if (n == 0) {
      c.peer_done_sending = true;
      if (c.unsent.empty()) finish(c);
      return;
    }
    application_data(c, std::span(buffer).first(static_cast<std::size_t>(n)));
  }

  // The application: echo. While the socket will not take more, reading stops.
  void application_data(connection& c, std::span<const std::byte> bytes) {
    if (bytes.empty()) return;
    c.unsent.insert(c.unsent.end(), bytes.begin(), bytes.end());
    flush(c);
  }

  void flush(connection& c) {
    while (!c.unsent.empty()) {
      const ssize_t n = send(c.fd, c.unsent.data(), c.unsent.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c.waiting_to_send) c.waiting_to_send = watch(c.fd, EPOLLOUT, EPOLL_CTL_MOD);
        return;
      }
      if (n < 0) return finish(c);
      c.unsent.erase(c.unsent.begin(), c.unsent.begin() + n);
      c.echoed += static_cast<std::size_t>(n);
    }
    if (c.peer_done_sending) return finish(c);
    if (c.waiting_to_send) c.waiting_to_send = !watch(c.fd, EPOLLIN, EPOLL_CTL_MOD);
  }

  void expire_header_deadlines() {
    const auto now = clock::now();
    while (!deadlines_.empty() && deadlines_.front().at <= now) {
      const deadline d = deadlines_.front();
      deadlines_.pop_front();
      const auto found = connections_.find(d.fd);
      if (found != connections_.end() && found->second.id == d.connection_id && !found->second.header_done)
        reject(found->second, "header_timeout");
    }
  }

  int next_timeout_ms() const {
    if (deadlines_.empty()) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadlines_.front().at - clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
  }

  void reject(connection& c, std::string_view why) {
    emit(describe_reject(c.peer, why));
    drop(c);
  }

  void finish(connection& c) {
    emit("closed peer=" + text(c.peer) + " echoed=" + std::to_string(c.echoed));
    drop(c);
  }

  void drop(connection& c) {
    const int fd = c.fd;
    close(fd);  // also removes it from the epoll set
    connections_.erase(fd);
  }

  struct deadline {
    clock::time_point at;
    int fd;
    std::uint64_t connection_id;  // fds are reused; ids are not
  };

  int epoll_ = -1;
  int listener_;
  const server_options& options_;
  pp::parse_options parse_options_;
  std::unordered_map<int, connection> connections_;
  std::deque<deadline> deadlines_;
  std::uint64_t next_id_ = 1;
};

}  // namespace

int main(int argc, char** argv) {
  const server_options options =
      parse_server_options(argc, argv, std::string(usage) + "options:\n" + std::string(server_options_usage));
  const int listener = bind_socket(options.listen, SOCK_STREAM);
  if (listener < 0) return 1;
  emit(describe_listening("tcp", local_endpoint(listener), options));
  return server(listener, options).run();
}
