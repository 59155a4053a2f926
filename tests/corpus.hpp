// The valid and invalid headers of tests/data, as flat lists for property tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generated/vector_table.hpp"

namespace test_support {

struct named_input {
  std::string name;
  std::string_view bytes;
};

/// Every header in tests/data that our strict parser must accept.
inline std::vector<named_input> valid_headers() {
  std::vector<named_input> out;
  for (const auto& c : test_vectors::captured)
    if (c.valid) out.push_back({std::string(c.name), c.bytes});
  for (const auto& c : test_vectors::spec)
    if (c.expectation == "accept") out.push_back({std::string(c.id), c.bytes});
  for (const auto& c : test_vectors::malformed)
    if (c.spec_expectation != "reject" && c.name != "v2-ssl-tlv-too-short")
      out.push_back({std::string(c.name), c.bytes});
  return out;
}

/// Every header in tests/data that our strict parser must refuse.
inline std::vector<named_input> invalid_headers() {
  std::vector<named_input> out;
  for (const auto& c : test_vectors::captured)
    if (!c.valid) out.push_back({std::string(c.name), c.bytes});
  for (const auto& c : test_vectors::spec)
    if (c.expectation == "reject") out.push_back({std::string(c.id), c.bytes});
  for (const auto& c : test_vectors::malformed)
    if (c.spec_expectation == "reject" || c.name == "v2-ssl-tlv-too-short")
      out.push_back({std::string(c.name), c.bytes});
  return out;
}

}  // namespace test_support
