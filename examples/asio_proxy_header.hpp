// async_read_proxy_header: read one PROXY protocol header from an Asio stream.
//
// Copy this file into your project. It needs standalone Asio 1.22 or newer
// (Debian: libasio-dev) and proxy_protocol.hpp, and works with any completion
// token: a callback, asio::use_future, asio::use_awaitable, asio::deferred.
//
//   std::array<std::byte, 4096> storage;  // must outlive the operation and the header
//   async_read_proxy_header(socket, storage, {},
//       [&](std::error_code error, proxy_protocol::header header) {
//         if (error) return;              // no valid header: close, never guess
//         use(header.source, header.tlvs());
//         // the socket's next byte is the first byte after the header
//       });
//
// On success the header occupies the first `header.size()` bytes of
// `storage`, and its views (TLVs, raw bytes) point there. The reads are
// sized by the parser's "need more" answers, so no byte after the header is
// taken from the stream: the socket can be handed as it is to
// asio::ssl::stream or any other reader. (For v1 lines that means one small
// read per byte after the first 15; v2 needs two reads plus one for the rest.)
//
// Errors: a `proxy_protocol::errc` (category "proxy_protocol") for an invalid
// header, `std::errc::no_buffer_space` when `storage` is smaller than the
// header, `asio::error::eof` when the peer closed first, or the read's error.
// There is no timeout of its own: arm a steady_timer that closes the socket
// (spec section 4: at least 3 seconds), as asio_server.cpp does.
#pragma once

#include <proxy_protocol.hpp>

#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/compose.hpp>
#include <asio/read.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

namespace proxy_protocol_asio {

namespace detail {

template <typename AsyncReadStream>
struct read_proxy_header_operation {
  AsyncReadStream& stream;
  std::span<std::byte> storage;
  proxy_protocol::parse_options options;
  std::size_t have = 0;
  unsigned reads = 0;

  // Called once to start, then after every read.
  template <typename Self>
  void operator()(Self& self, std::error_code error = {}, std::size_t bytes_read = 0) {
    have += bytes_read;
    if (error) return self.complete(error, proxy_protocol::header{});
    const proxy_protocol::parse_result result = proxy_protocol::parse(storage.first(have), options);
    if (result.ok()) return self.complete(std::error_code{}, result.value());
    if (result.failed()) return self.complete(make_error_code(result.error()), proxy_protocol::header{});
    const std::size_t room = storage.size() - have;
    if (result.bytes_needed() > room && reads > 0)  // (never inline from the initiating call)
      return self.complete(std::make_error_code(std::errc::no_buffer_space), proxy_protocol::header{});
    ++reads;
    const std::size_t wanted = std::min(result.bytes_needed(), room);
    asio::async_read(stream, asio::buffer(storage.data() + have, wanted), std::move(self));
  }
};

}  // namespace detail

/// Reads one PROXY v1 or v2 header from `stream` into `storage`, then
/// completes with `void(std::error_code, proxy_protocol::header)`.
template <typename AsyncReadStream, typename CompletionToken>
auto async_read_proxy_header(AsyncReadStream& stream, std::span<std::byte> storage,
                             const proxy_protocol::parse_options& options, CompletionToken&& token) {
  return asio::async_compose<CompletionToken, void(std::error_code, proxy_protocol::header)>(
      detail::read_proxy_header_operation<AsyncReadStream>{stream, storage, options}, token, stream);
}

}  // namespace proxy_protocol_asio
