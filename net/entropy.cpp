#include "net/entropy.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "protocol/byte_order.hpp"

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

std::uint32_t random_conv() {
    std::uint8_t bytes[4];
    fill_random(bytes);
    return load_le32(bytes);
}

}  // namespace kcpkit::net
