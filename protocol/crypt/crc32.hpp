// CRC-32 (IEEE 802.3 / zlib / Go's crc32.ChecksumIEEE), as kcp-go's crypt envelope uses it.
//
// Parameters: reflected polynomial 0xEDB88320 (normal form 0x04C11DB7), register preset
// 0xFFFFFFFF, result inverted. crc32_ieee("123456789") == 0xCBF43926.
//
// Speed: on x86-64 CPUs with carry-less multiply the bulk of the input is folded 128 bytes
// at a time with PCLMULQDQ, or with VPCLMULQDQ on 256-bit (AVX2) or 512-bit (AVX-512,
// 256 bytes at a time) registers; the
// choice is made once, at the first call, from CPUID. Everything else uses a slicing-by-8
// table loop. Every path gives the same value; the tests check them against each other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace kcpkit::crypt {

/// CRC-32/IEEE of `data`.
std::uint32_t crc32_ieee(std::span<const std::uint8_t> data);

/// Continues a CRC: crc32_ieee_update(crc32_ieee(a), b) == crc32_ieee(a ‖ b).
/// crc32_ieee_update(0, x) == crc32_ieee(x).
std::uint32_t crc32_ieee_update(std::uint32_t crc, std::span<const std::uint8_t> data);

/// Which implementation crc32_ieee runs on this CPU: "vpclmulqdq-avx512",
/// "vpclmulqdq-avx2", "pclmulqdq" or "slice8".
std::string_view crc32_backend();

namespace detail {
/// The portable table path, always available (tests compare the fast paths with it).
std::uint32_t crc32_update_table(std::uint32_t crc, const std::uint8_t* data, std::size_t len);
/// The 128-bit carry-less multiply path; falls back to the table on CPUs without it.
std::uint32_t crc32_update_pclmul(std::uint32_t crc, const std::uint8_t* data, std::size_t len);
/// The 256-bit path; falls back to crc32_update_pclmul on CPUs without it.
std::uint32_t crc32_update_vpclmul256(std::uint32_t crc, const std::uint8_t* data, std::size_t len);
/// The 512-bit path; falls back to crc32_update_vpclmul256 on CPUs without it.
std::uint32_t crc32_update_vpclmul(std::uint32_t crc, const std::uint8_t* data, std::size_t len);
}  // namespace detail

}  // namespace kcpkit::crypt
