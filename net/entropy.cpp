#include "kcpkit/net/entropy.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/nonce.hpp"

namespace kcpkit::net {

void fill_random(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (errno != EINTR) {
            std::perror("getrandom");
            std::abort();
        }
    }
}

std::uint32_t KernelRandom::next_u32() {
    std::uint8_t bytes[4];
    fill_random(bytes);
    return load_le32(bytes);
}

void ThreadNonces::fill(std::span<std::uint8_t> out) {
    thread_local std::unique_ptr<crypt::AesCtrNonceSource> generator;
    if (!generator) {
        std::array<std::uint8_t, crypt::AesCtrNonceSource::kSeedSize> seed{};
        fill_random(seed);
        generator = std::make_unique<crypt::AesCtrNonceSource>(seed);
    }
    generator->fill(out);
}

crypt::NonceSource& thread_nonces() {
    static ThreadNonces nonces;
    return nonces;
}

}  // namespace kcpkit::net
