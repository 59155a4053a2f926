// Fuzz target: parse_v2() under each parse option, and how the options relate.
#include <cstddef>
#include <cstdint>

#include "parse_invariants.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::exact_copy copy(data, size);
  const auto input = copy.span();
  constexpr std::size_t small_limit = 128;

  const pp::parse_result strict = fs::check_parser(fs::parser_kind::v2, input, {});
  // The prefix checks run once per input, under an option chosen by its last byte.
  const std::uint8_t pick = size == 0 ? 0 : data[size - 1] % 4;
  const pp::parse_result unverified = fs::check_parser(fs::parser_kind::v2, input, {.verify_crc32c = false}, pick == 0);
  const pp::parse_result unlisted =
      fs::check_parser(fs::parser_kind::v2, input, {.allow_unlisted_family_transport = true}, pick == 1);
  const pp::parse_result no_unspec =
      fs::check_parser(fs::parser_kind::v2, input, {.reject_proxy_unspecified = true}, pick == 2);
  const pp::parse_result limited =
      fs::check_parser(fs::parser_kind::v2, input, {.max_header_size = small_limit}, pick == 3);

  // Turning CRC32C verification off only turns a mismatch into an acceptance.
  if (strict.failed() && strict.error() == pp::errc::v2_crc32c_mismatch) {
    FUZZ_CHECK(unverified.ok() && unverified->crc32c().has_value());
  } else {
    FUZZ_CHECK(fs::same_verdict(strict, unverified));
  }
  // Allowing unlisted pairs only turns that error into an UNSPEC acceptance
  // (or a later error in the TLVs).
  if (strict.failed() && strict.error() == pp::errc::v2_unlisted_family_transport) {
    FUZZ_CHECK(!unlisted.failed() || fs::is_v2_error(unlisted.error()));
    if (unlisted.ok())
      FUZZ_CHECK(unlisted->family == pp::address_family::unspecified && unlisted->address_block.empty());
  } else {
    FUZZ_CHECK(fs::same_verdict(strict, unlisted));
  }
  // Rejecting PROXY UNSPEC changes exactly those headers, as soon as byte 13
  // says so (whatever follows: need-more and later faults included).
  const bool fixed_part_fine = !(strict.failed() && strict.error() <= pp::errc::v2_unlisted_family_transport);
  if (size >= 14 && fixed_part_fine && std::to_integer<unsigned>(input[12]) == 0x21 &&
      std::to_integer<unsigned>(input[13]) == 0x00) {
    FUZZ_CHECK(no_unspec.failed() && no_unspec.error() == pp::errc::v2_proxy_unspecified_rejected);
  } else {
    FUZZ_CHECK(fs::same_verdict(strict, no_unspec));
  }
  // A size limit refuses larger headers as soon as their length is known.
  if (size >= pp::v2_fixed_size && !(strict.failed() && strict.error() <= pp::errc::v2_length_too_short)) {
    const std::size_t total =
        pp::v2_fixed_size + ((std::to_integer<std::size_t>(input[14]) << 8) | std::to_integer<std::size_t>(input[15]));
    if (total > small_limit) {
      FUZZ_CHECK(limited.failed() && limited.error() == pp::errc::v2_header_too_large);
    } else {
      FUZZ_CHECK(fs::same_verdict(strict, limited));
    }
  }
  if (strict.ok() && strict.consumed() <= small_limit) FUZZ_CHECK(fs::same_verdict(strict, limited));

  // The version-agnostic parser and the unsigned-char overload agree on v2 input.
  if (size > 0 && data[0] == 0x0D) {
    FUZZ_CHECK(fs::same_verdict(strict, pp::parse(input)));
    FUZZ_CHECK(fs::same_verdict(strict, pp::parse_v2(std::span<const unsigned char>{data, size})));
  }
  return 0;
}
