// Parsing and building never allocate: a replaced global operator new counts.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "corpus.hpp"
#include "support.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}

// Every replaceable form is replaced, so that nothing allocated by one
// allocator is released by another (ASan checks that).
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  std::abort();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++allocations;
  const auto alignment = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(alignment, (n + alignment - 1) / alignment * alignment)) return p;
  std::abort();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace pp = proxy_protocol;

TEST_CASE("parsing, TLV access, formatting and building allocate nothing", "[allocation]") {
  const auto valid = test_support::valid_headers();
  const auto invalid = test_support::invalid_headers();
  std::array<std::byte, 70000> out{};
  std::size_t checksum = 0;

  const std::size_t before = allocations.load();
  {
    // The counter itself must work. (A call of the function, not a
    // new-expression, which an optimiser may elide with its delete.)
    void* probe = ::operator new(sizeof(int));
    ::operator delete(probe);
  }
  REQUIRE(allocations.load() == before + 1);

  const std::size_t start = allocations.load();
  for (const auto& h : valid) {
    const auto bytes = test_support::as_span(h.bytes);
    for (std::size_t k = 0; k <= bytes.size(); k += 7) checksum += pp::parse(bytes.first(k)).bytes_needed();
    const auto r = pp::parse(bytes);
    checksum += r.consumed() + static_cast<std::size_t>(pp::detect(bytes));
    for (const pp::tlv t : r->tlvs()) checksum += t.value.size();
    if (const auto ssl = r->ssl())
      for (const pp::tlv t : ssl->sub_tlvs) checksum += t.type;
    checksum += r->alpn().value_or("").size() + r->authority().value_or("").size() + r->crc32c().value_or(0);
    checksum += pp::to_text(r->source).size + pp::to_text(r->destination.address).size;
    checksum += pp::build(out, *r).size();
  }
  for (const auto& h : invalid) checksum += static_cast<std::size_t>(pp::parse(test_support::as_span(h.bytes)).error());
  const pp::tlv_item items[] = {pp::tlv_item::authority("example.com"), pp::tlv_item::crc32c()};
  checksum += pp::build_v2(out, pp::local_header(), items, {.pad_to_multiple = 8}).size();
  const std::size_t end = allocations.load();

  CHECK(checksum != 0);
  CHECK(end - start == 0);
}
