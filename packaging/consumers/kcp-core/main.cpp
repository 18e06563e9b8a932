// Two KCP cores (the C original's semantics) on a lossless in-memory link: a message goes
// from a to b. Prints "kcp round trip: <n> bytes" and exits 0 when it arrives intact.
#include <cstdint>
#include <cstdio>
#include <span>
#include <vector>

#include "kcpkit/kcp/kcp.hpp"

using Datagrams = std::vector<std::vector<std::uint8_t>>;

int main() {
    kcpkit::kcp::Kcp a(7), b(7);
    Datagrams a_to_b, b_to_a;
    auto a_out = [&](std::span<const std::uint8_t> d) { a_to_b.emplace_back(d.begin(), d.end()); };
    auto b_out = [&](std::span<const std::uint8_t> d) { b_to_a.emplace_back(d.begin(), d.end()); };
    a.set_output(a_out);
    b.set_output(b_out);

    std::vector<std::uint8_t> message(3000);
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 7);
    if (a.send(message) < 0) return 1;

    std::vector<std::uint8_t> received(message.size());
    for (std::uint32_t now = 0; now < 1000; now += 10) {
        a.update(now);
        b.update(now);
        for (const auto& d : a_to_b) b.input(d, now);
        for (const auto& d : b_to_a) a.input(d, now);
        a_to_b.clear();
        b_to_a.clear();
        const int n = b.recv(received);
        if (n > 0) {
            const bool intact =
                static_cast<std::size_t>(n) == message.size() && received == message;
            std::printf("kcp round trip: %d bytes%s\n", n, intact ? "" : " (corrupt)");
            return intact ? 0 : 1;
        }
    }
    std::puts("kcp round trip: nothing arrived");
    return 1;
}
