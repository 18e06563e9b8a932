// Randomness from the kernel CSPRNG (getrandom): kcp-go's client conv (4 bytes read as a
// little-endian u32) and seeds for the per-thread nonce generators.
#pragma once

#include <cstdint>
#include <span>

namespace kcpkit::net {

/// Fills `out` from getrandom(2); retries on EINTR and short reads. Aborts only if the
/// kernel has no getrandom at all (there is no safe fallback for key material).
void fill_random(std::span<std::uint8_t> out);

/// A fresh client conversation id, as kcp-go's Dial draws it.
std::uint32_t random_conv();

}  // namespace kcpkit::net
