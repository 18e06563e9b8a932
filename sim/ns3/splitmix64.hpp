// SplitMix64 (Steele, Lea, Flood 2014), the simulator's one seeded mixer: message content
// (message_stream.cpp) and crypt nonce seeds (framing.cpp) both come from it, so
// any seed, 0 included, spreads over every output bit.
#pragma once

#include <cstdint>

namespace kcpkit::sim {

inline constexpr std::uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ull;

/// The output function: a bijective scramble of `z`.
inline std::uint64_t splitmix64_mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/// The generator: advances `state` by the gamma and returns the next value.
inline std::uint64_t splitmix64_next(std::uint64_t& state) {
    state += kSplitMix64Gamma;
    return splitmix64_mix(state);
}

}  // namespace kcpkit::sim
