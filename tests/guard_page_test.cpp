// Inputs placed flush against a PROT_NONE page: any read past the span crashes the test.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "corpus.hpp"
#include "support.hpp"

namespace pp = proxy_protocol;

namespace {

class guarded_buffer {
 public:
  explicit guarded_buffer(std::size_t capacity) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    usable_ = (capacity + page - 1) / page * page;
    void* m = mmap(nullptr, usable_ + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(m != MAP_FAILED);
    base_ = static_cast<std::byte*>(m);
    REQUIRE(mprotect(base_ + usable_, page, PROT_NONE) == 0);
    page_ = page;
  }
  ~guarded_buffer() { munmap(base_, usable_ + page_); }
  guarded_buffer(const guarded_buffer&) = delete;
  guarded_buffer& operator=(const guarded_buffer&) = delete;

  // Copies `bytes` so that its last byte is the last readable one.
  std::span<const std::byte> place(std::span<const std::byte> bytes) {
    std::byte* at = base_ + usable_ - bytes.size();
    if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    return {at, bytes.size()};
  }

 private:
  std::byte* base_ = nullptr;
  std::size_t usable_ = 0;
  std::size_t page_ = 0;
};

void exercise(std::span<const std::byte> in) {
  const auto r = pp::parse(in);
  (void)pp::detect(in);
  (void)pp::parse_v1(in);
  (void)pp::parse_v2(in);
  if (r.ok()) {
    for (const pp::tlv t : r->tlvs()) (void)t.value.size();
    if (const auto ssl = r->ssl())
      for (const pp::tlv t : ssl->sub_tlvs) (void)t.type;
    (void)r->authority();
    (void)r->aws_vpc_endpoint_id();
    (void)r->azure_private_endpoint_link_id();
    (void)r->gcp_psc_connection_id();
  }
}

TEST_CASE("no read past the end: every vector and every prefix against a guard page", "[guard]") {
  guarded_buffer buffer(70000);
  auto all = test_support::valid_headers();
  const auto invalid = test_support::invalid_headers();
  all.insert(all.end(), invalid.begin(), invalid.end());
  std::size_t parsed = 0;
  for (const auto& h : all) {
    const auto bytes = test_support::as_span(h.bytes);
    for (std::size_t k = 0; k <= bytes.size(); ++k) {
      exercise(buffer.place(bytes.first(k)));
      ++parsed;
    }
  }
  CHECK(parsed > 1000);
}

TEST_CASE("no read past the end: v2 lengths that promise more than the span holds", "[guard]") {
  guarded_buffer buffer(4096);
  for (unsigned len = 0; len < 300; ++len) {
    for (const char* fam : {"00", "11", "21", "31", "12"}) {
      auto in = test_support::hex_bytes(std::string("0d0a0d0a000d0a515549540a21") + fam);
      in.push_back(static_cast<std::byte>(len >> 8));
      in.push_back(static_cast<std::byte>(len));
      in.resize(16 + len / 2, std::byte{0x03});  // TLV-shaped filler, half of what len promises
      exercise(buffer.place(in));
      if (len / 2 < len) CHECK_FALSE(pp::parse(buffer.place(in)).ok());
    }
  }
}

}  // namespace
