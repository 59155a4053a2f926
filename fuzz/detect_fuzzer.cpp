// Fuzz target: detect(). Detection looks at no more than the 12 signature
// bytes, never changes its mind as more bytes arrive, and agrees with parse().
#include <cstddef>
#include <cstdint>

#include "parse_invariants.hpp"

namespace fs = fuzz_support;
namespace pp = proxy_protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::exact_copy copy(data, size);
  const auto input = copy.span();
  const pp::detection d = pp::detect(input);

  // The answer names what the first bytes are.
  const bool v1_so_far = fs::matches_signature_so_far(input, fs::v1_signature);
  const bool v2_so_far = fs::matches_signature_so_far(input, pp::v2_signature);
  switch (d) {
    case pp::detection::v1:
      FUZZ_CHECK(input.size() >= 5 && v1_so_far);
      break;
    case pp::detection::v2:
      FUZZ_CHECK(input.size() >= 12 && v2_so_far);
      break;
    case pp::detection::need_more:
      FUZZ_CHECK((v1_so_far && input.size() < 5) || (v2_so_far && input.size() < 12));
      break;
    case pp::detection::not_proxy:
      FUZZ_CHECK(!v1_so_far && !v2_so_far);
      break;
  }

  // Only the first 12 bytes matter, and a prefix never contradicts the whole.
  for (std::size_t k = 0; k <= input.size() && k <= 13; ++k) {
    const fs::exact_copy prefix(input.first(k));
    const pp::detection dk = pp::detect(prefix.span());
    FUZZ_CHECK(dk == pp::detection::need_more || dk == d);
    if (k >= 12) FUZZ_CHECK(dk == d);
  }
  // The text overload says the same.
  FUZZ_CHECK(pp::detect(std::string_view{reinterpret_cast<const char*>(data), size}) == d);

  // Detection agrees with parsing (checked inside, with the result's own invariants).
  const pp::parse_result r = pp::parse(input);
  fs::check_result_shape(fs::parser_kind::any, input, r, {});
  return 0;
}
