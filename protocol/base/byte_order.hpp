// Little-endian loads and stores: every integer KCP, FEC and the crypt envelope put on
// the wire is little-endian on every host.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace kcpkit {

// std::byteswap is C++23.
inline std::uint16_t byteswap(std::uint16_t v) {
    return __builtin_bswap16(v);
}
inline std::uint32_t byteswap(std::uint32_t v) {
    return __builtin_bswap32(v);
}

inline std::uint16_t load_le16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
    return v;
}

inline std::uint32_t load_le32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
    return v;
}

inline void store_le16(std::uint8_t* p, std::uint16_t v) {
    if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
    std::memcpy(p, &v, sizeof v);
}

inline void store_le32(std::uint8_t* p, std::uint32_t v) {
    if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
    std::memcpy(p, &v, sizeof v);
}

}  // namespace kcpkit
