// Randomness from the kernel CSPRNG (getrandom): the source of client convs (kcp-go reads
// crypto/rand) and the seeds of the per-thread nonce generators the crypt layer draws from.
#pragma once

#include <cstdint>
#include <span>

#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/kcpgo/session.hpp"

namespace kcpkit::net {

/// Fills `out` from getrandom(2); retries on EINTR and short reads. Aborts only if the
/// kernel has no getrandom at all (there is no safe fallback for key material).
void fill_random(std::span<std::uint8_t> out);

/// kcpgo::RandomSource straight from getrandom (for convs: a few calls per session).
class KernelRandom final : public kcpgo::RandomSource {
  public:
    std::uint32_t next_u32() override;
};

/// Nonces for every session: each thread that seals draws from its own AES-CTR generator
/// (protocol/crypt/nonce.hpp), seeded from getrandom on first use, so sessions need no
/// generator of their own and threads never share one.
class ThreadNonces final : public crypt::NonceSource {
  public:
    void fill(std::span<std::uint8_t> out) override;
};

/// The process's ThreadNonces (stateless; the state is per thread).
crypt::NonceSource& thread_nonces();

}  // namespace kcpkit::net
