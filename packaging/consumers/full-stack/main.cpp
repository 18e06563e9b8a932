// The whole sans-IO stack through pkg-config (kcpkit.pc): two kcp-go sessions with FEC
// (3 data + 2 parity shards) and AES-128 exchange a message over an in-memory link that
// loses the second datagram, which the receiver rebuilds from parity. Prints
// "session round trip: <n> bytes, <r> recovered by FEC" and exits 0 when the message
// arrived intact and FEC did the repair.
#include <array>
#include <cstdint>
#include <cstdio>
#include <span>
#include <vector>

#include "kcpkit/crypt/nonce.hpp"
#include "kcpkit/kcpgo/session.hpp"

using namespace kcpkit;

int main() {
    kcpgo::SessionConfig config;
    config.conv = 42;
    config.frame.cipher = crypt::Cipher::aes128;
    config.frame.key.assign(16, 0x5a);
    config.frame.data_shards = 3;
    config.frame.parity_shards = 2;

    // Fixed seeds keep the run repeatable; real programs seed from an entropy source.
    const std::array<std::uint8_t, 32> seed_a{1}, seed_b{2};
    crypt::AesCtrNonceSource nonces_a(seed_a), nonces_b(seed_b);
    auto made_a = kcpgo::Session::create(config, 0, nonces_a);
    auto made_b = kcpgo::Session::create(config, 0, nonces_b);
    if (!made_a || !made_b) return 1;
    const std::unique_ptr<kcpgo::Session> a = std::move(made_a).value();
    const std::unique_ptr<kcpgo::Session> b = std::move(made_b).value();

    std::vector<std::uint8_t> message(8000);
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 13);
    if (a->write(message, 0) != static_cast<int>(message.size())) return 1;

    std::vector<std::uint8_t> wire(frame::kMaxDatagram), received;
    std::vector<std::uint8_t> buffer(message.size());
    int sent_by_a = 0, recovered = 0;
    for (std::uint32_t now = 0; now < 3000 && received.size() < message.size(); now += 10) {
        a->handle_timeout(now);
        b->handle_timeout(now);
        for (int n; (n = a->poll_transmit(wire)) > 0;) {
            if (++sent_by_a == 2) continue;  // lost on the way
            const auto r = b->handle_datagram(std::span(wire.data(), n), now);
            if (r.kind == fec::PacketKind::fec_parity) recovered += r.kcp_inputs;
        }
        for (int n; (n = b->poll_transmit(wire)) > 0;)
            a->handle_datagram(std::span(wire.data(), n), now);
        for (int n; (n = b->read(buffer, now)) > 0;)
            received.insert(received.end(), buffer.begin(), buffer.begin() + n);
    }
    const bool intact = received == message;
    std::printf("session round trip: %zu bytes%s, %d recovered by FEC\n", received.size(),
                intact ? "" : " (not the message sent)", recovered);
    return intact && recovered > 0 ? 0 : 1;
}
