#include "kcpkit/net/echo_service.hpp"

#include <mutex>
#include <span>
#include <vector>

namespace kcpkit::net {

void start_echo(const std::shared_ptr<UdpSession>& session) {
    struct State {
        std::vector<std::uint8_t> pending;  // refused by a full window; empty when idle
        std::mutex mutex;
    };
    auto state = std::make_shared<State>();
    // A raw pointer: the callbacks live inside the session, a shared_ptr would be a cycle.
    UdpSession* raw = session.get();
    auto pump = [raw, state] {
        thread_local std::vector<std::uint8_t> scratch(65536);
        std::lock_guard lock(state->mutex);
        if (!state->pending.empty()) {
            if (!raw->try_write(state->pending).ok()) return;  // on_writable resumes
            state->pending.clear();
            state->pending.shrink_to_fit();
        }
        for (;;) {
            std::size_t got = 0;
            while (got < scratch.size()) {
                const IoResult r = raw->try_read(std::span(scratch).subspan(got));
                if (!r.ok() || r.bytes == 0) break;
                got += r.bytes;
            }
            if (got == 0) return;
            const auto bytes = std::span(scratch).first(got);
            const IoResult w = raw->try_write(bytes);
            if (w.error == Error::would_block) {
                state->pending.assign(bytes.begin(), bytes.end());
                return;
            }
            if (!w.ok()) return;
        }
    };
    session->set_callbacks(pump, pump);
    pump();  // bytes that arrived before the callbacks were set
}

}  // namespace kcpkit::net
