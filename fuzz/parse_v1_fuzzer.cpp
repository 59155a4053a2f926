// Fuzz target: parse_v1(), strict and with the lenient TCP6 option.
#include <cstddef>
#include <cstdint>

#include "parse_invariants.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::exact_copy copy(data, size);
  const auto input = copy.span();

  const pp::parse_result strict = fs::check_parser(fs::parser_kind::v1, input, {});
  // The lenient option differs only after an address family mismatch; the
  // prefix checks are repeated only then.
  const bool mismatch = strict.failed() && strict.error() == pp::errc::v1_address_family_mismatch;
  const pp::parse_result lenient =
      fs::check_parser(fs::parser_kind::v1, input, {.v1_accept_ipv4_in_tcp6 = true}, mismatch);

  // The lenient option only turns "IPv4 in a TCP6 line" into an acceptance.
  if (strict.failed() && strict.error() == pp::errc::v1_address_family_mismatch) {
    FUZZ_CHECK(!lenient.incomplete());
    if (lenient.ok()) FUZZ_CHECK(lenient->family == pp::address_family::inet6);
  } else {
    FUZZ_CHECK(fs::same_verdict(strict, lenient));
  }

  // The version-agnostic parser and the text overload agree on v1 input.
  if (size > 0 && data[0] == 'P') {
    FUZZ_CHECK(fs::same_verdict(strict, pp::parse(input)));
    FUZZ_CHECK(
        fs::same_verdict(strict, pp::parse_v1(std::string_view{reinterpret_cast<const char*>(input.data()), size})));
  }
  return 0;
}
