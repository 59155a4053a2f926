// Helpers shared by the fuzz targets: invariant checks that abort, exact-size
// heap copies (so ASan sees any over-read), and a reader that turns fuzz bytes
// into values for the structure-aware targets.
//
// The targets may allocate and use the standard library freely; the library
// under test may not, and nothing here changes that.
#pragma once

#include <proxy_protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace fuzz_support {

namespace pp = proxy_protocol;

/// Prints which invariant broke and aborts, so libFuzzer (and the replay
/// driver) report the input as a crash with a readable reason.
[[noreturn]] inline void invariant_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

// A macro so that the message names the exact condition and line.
#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::fuzz_support::invariant_failed(#condition, __FILE__, __LINE__))

/// An exact-size heap copy of some bytes. The allocation ends where the bytes
/// end, so AddressSanitizer reports a read of even one byte past the span
/// (libFuzzer's own buffer may have slack behind it; a prefix of a larger
/// buffer certainly has).
class exact_copy {
 public:
  explicit exact_copy(std::span<const std::byte> bytes) : bytes_(new std::byte[bytes.size()]), size_(bytes.size()) {
    if (size_ != 0) std::memcpy(bytes_.get(), bytes.data(), size_);
  }
  exact_copy(const std::uint8_t* data, std::size_t size)
      : exact_copy(std::span<const std::byte>{reinterpret_cast<const std::byte*>(data), size}) {}
  /// The concatenation of two byte ranges.
  exact_copy(std::span<const std::byte> first, std::span<const std::byte> second)
      : bytes_(new std::byte[first.size() + second.size()]), size_(first.size() + second.size()) {
    if (!first.empty()) std::memcpy(bytes_.get(), first.data(), first.size());
    if (!second.empty()) std::memcpy(bytes_.get() + first.size(), second.data(), second.size());
  }

  [[nodiscard]] std::span<const std::byte> span() const noexcept { return {bytes_.get(), size_}; }
  [[nodiscard]] std::span<std::byte> mutable_span() noexcept { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<std::byte[]> bytes_;
  std::size_t size_;
};

[[nodiscard]] inline bool same_bytes(std::span<const std::byte> a, std::span<const std::byte> b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

/// True when `inner` lies inside `outer` (an empty span anywhere counts only
/// when it is null or inside).
[[nodiscard]] inline bool lies_within(std::span<const std::byte> inner, std::span<const std::byte> outer) noexcept {
  if (inner.empty()) return true;
  const auto* o = outer.data();
  const auto* i = inner.data();
  return i >= o && i + inner.size() <= o + outer.size();
}

/// Reads typed values from the front of the fuzz input; past the end it
/// yields zeros, so every input decodes to something.
class byte_reader {
 public:
  explicit byte_reader(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

  [[nodiscard]] std::uint8_t u8() noexcept {
    if (position_ >= bytes_.size()) return 0;
    return std::to_integer<std::uint8_t>(bytes_[position_++]);
  }
  [[nodiscard]] std::uint16_t u16() noexcept {
    const auto high = u8();
    return static_cast<std::uint16_t>((high << 8) | u8());
  }
  [[nodiscard]] std::uint32_t u32() noexcept {
    const std::uint32_t high = u16();
    return (high << 16) | u16();
  }
  [[nodiscard]] std::uint64_t u64() noexcept {
    const std::uint64_t high = u32();
    return (high << 32) | u32();
  }
  [[nodiscard]] bool boolean() noexcept { return (u8() & 1) != 0; }
  /// Up to `at_most` bytes (fewer when the input runs out), as a view.
  [[nodiscard]] std::span<const std::byte> bytes(std::size_t at_most) noexcept {
    const std::size_t n = std::min(at_most, remaining());
    const auto out = bytes_.subspan(position_, n);
    position_ += n;
    return out;
  }
  [[nodiscard]] std::string_view text(std::size_t at_most) noexcept {
    const auto b = bytes(at_most);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - position_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

}  // namespace fuzz_support
