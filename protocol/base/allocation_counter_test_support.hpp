// Test support: replaces the global operator new/delete of the test binary that includes
// it (in exactly one translation unit) with counting versions, so a test can assert that a
// steady-state loop allocates nothing: `auto before = allocations(); ...; allocations() -
// before == 0`.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

// GCC flags free() inside a replaced operator delete as mismatched once it inlines it.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace kcpkit::test {
inline std::atomic<std::uint64_t> g_allocations{0};
inline std::uint64_t allocations() {
    return g_allocations.load();
}
}  // namespace kcpkit::test

void* operator new(std::size_t n) {
    ++kcpkit::test::g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ++kcpkit::test::g_allocations;
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return operator new(n, std::nothrow);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
