// Fuzz target: the version-agnostic parse() with default options, through
// each of its overloads.
#include <cstddef>
#include <cstdint>

#include "parse_invariants.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::exact_copy copy(data, size);
  const auto input = copy.span();
  const pp::parse_result r = fs::check_parser(fs::parser_kind::any, input, {});
  const std::string_view text{reinterpret_cast<const char*>(input.data()), size};
  FUZZ_CHECK(fs::same_verdict(r, pp::parse(text)));
  FUZZ_CHECK(fs::same_verdict(r, pp::parse(std::span<const unsigned char>{data, size})));
  return 0;
}
