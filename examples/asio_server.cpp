// asio_server: standalone Asio, one io_context, echo.
//
// The pattern to copy is `async_read_proxy_header` (asio_proxy_header.hpp)
// together with the timer in `session::start`: the header must arrive before
// the timer fires, or the socket is closed.
//
//   asio_server [--listen 127.0.0.1:0] [--trust CIDR]... [--header-timeout 5] [--max-header 4096]

// Asio learns from these that the build has no exceptions or no RTTI.
#if !defined(__cpp_exceptions) && !defined(ASIO_NO_EXCEPTIONS)
#define ASIO_NO_EXCEPTIONS 1
#endif
#if !defined(__cpp_rtti) && !defined(__GXX_RTTI) && !defined(ASIO_NO_TYPEID)
#define ASIO_NO_TYPEID 1
#endif

#include <proxy_protocol.hpp>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <array>
#include <memory>
#include <vector>

#include "asio_proxy_header.hpp"
#include "support.hpp"

#if defined(ASIO_NO_EXCEPTIONS)
// Without exceptions Asio calls this where it would throw; every call below
// passes an error_code instead, so reaching it is a bug.
template <typename Exception>
void asio::detail::throw_exception(const Exception& e) {
  std::fprintf(stderr, "asio: %s\n", e.what());
  std::abort();
}
#endif

namespace pp = proxy_protocol;
using namespace examples;
using asio::ip::tcp;

namespace {

constexpr std::string_view usage =
    "usage: asio_server [options]\n"
    "Accepts connections from trusted proxies with standalone Asio, reads a PROXY v1/v2 header\n"
    "with async_read_proxy_header, prints it, then echoes the application bytes back.\n\n";

std::optional<pp::endpoint> to_endpoint(const tcp::endpoint& e) {
  return pp::to_endpoint(e.data(), static_cast<socklen_t>(e.size()));
}

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, const server_options& options)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        options_(options),
        storage_(header_storage_size(options)) {}

  void start() {
    std::error_code ignored;
    peer_ = to_endpoint(socket_.remote_endpoint(ignored));
    local_ = to_endpoint(socket_.local_endpoint(ignored));
    // Only listed proxies may send a header; nobody else is served at all.
    if (!peer_ || pp::decide_trust(options_.trusted_proxies, peer_->address) == pp::trust_decision::reject_connection)
      return reject("untrusted_peer");

    timer_.expires_after(options_.header_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code error) {
      if (error) return;  // cancelled: the header arrived in time
      self->timed_out_ = true;
      std::error_code ignored_error;
      self->socket_.close(ignored_error);  // makes the pending read fail
    });
    proxy_protocol_asio::async_read_proxy_header(
        socket_, storage_, parse_options_for(options_),
        [self = shared_from_this()](std::error_code error, const pp::header& header) {
          self->on_header(error, header);
        });
  }

 private:
  void on_header(std::error_code error, const pp::header& header) {
    timer_.cancel();
    if (error) {  // never guess: no valid header, no service
      if (timed_out_) return reject("header_timeout");
      if (error.category() == pp::error_category()) return reject(pp::to_string(static_cast<pp::errc>(error.value())));
      if (error == std::errc::no_buffer_space) return reject("v2_header_too_large");
      return reject(error == asio::error::eof ? "closed_before_header" : "read_error");
    }
    emit(describe_header(header, peer_, local_));
    read_application();  // the socket's next byte is the first one after the header
  }

  // The application: echo.
  void read_application() {
    socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](std::error_code error, std::size_t n) {
      if (error) return self->finish();
      asio::async_write(self->socket_, asio::buffer(self->buffer_.data(), n),
                        [self](std::error_code write_error, std::size_t written) {
                          self->echoed_ += written;
                          if (write_error) return self->finish();
                          self->read_application();
                        });
    });
  }

  void reject(std::string_view why) {
    emit(describe_reject(peer_, why));
    std::error_code ignored;
    socket_.close(ignored);
  }

  void finish() {
    emit("closed peer=" + text(peer_) + " echoed=" + std::to_string(echoed_));
    std::error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  const server_options& options_;
  std::vector<std::byte> storage_;  // the header; its views point here
  std::array<std::byte, 16384> buffer_{};
  std::optional<pp::endpoint> peer_, local_;
  bool timed_out_ = false;
  std::size_t echoed_ = 0;
};

void accept_next(tcp::acceptor& acceptor, const server_options& options) {
  acceptor.async_accept([&acceptor, &options](std::error_code error, tcp::socket socket) {
    if (!error) {
      std::make_shared<session>(std::move(socket), options)->start();
      return accept_next(acceptor, options);
    }
    // Out of descriptors, typically: try again a little later instead of spinning.
    auto pause = std::make_shared<asio::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(100));
    pause->async_wait([pause, &acceptor, &options](std::error_code) { accept_next(acceptor, options); });
  });
}

}  // namespace

int main(int argc, char** argv) {
  const server_options options =
      parse_server_options(argc, argv, std::string(usage) + "options:\n" + std::string(server_options_usage));
  asio::io_context io;
  std::error_code error;
  const auto address = asio::ip::make_address(std::string(pp::to_text(options.listen.address).view()), error);
  tcp::acceptor acceptor(io);
  const tcp::endpoint at(address, options.listen.port);
  if (!error) acceptor.open(at.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(at, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    std::fprintf(stderr, "cannot listen on %s: %s\n", text(options.listen).c_str(), error.message().c_str());
    return 1;
  }
  emit(describe_listening("tcp", to_endpoint(acceptor.local_endpoint(error)), options));
  accept_next(acceptor, options);
  io.run();
}
