// Key material for the crypt layer: PBKDF2-HMAC-SHA1, and kcptun's rules for turning its
// --key and --crypt options into a kcp-go cipher and key.
//
// kcptun derives one 32-byte "pass" = PBKDF2-HMAC-SHA1(password = the --key string,
// salt = "kcp-go", 4096 iterations, 32 bytes), then gives each cipher a prefix of it:
//   aes (default, = AES-256) 32 · aes-128 16 · aes-192 24 · aes-128-gcm 16 · salsa20 32 ·
//   blowfish 32 · twofish 32 (Twofish-256) · cast5 16 · 3des 24 · tea 16 · xtea 16 ·
//   xor 32 · sm4 16 · none (key ignored) · null = no encryption layer at all.
// Any other --crypt name makes kcptun fall back to "aes" (AES-256 with all 32 bytes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kcpkit/crypt/crypt.hpp"

namespace kcpkit::crypt {

/// PBKDF2 (RFC 8018) with HMAC-SHA1; fills all of `out`. `iterations` >= 1.
void pbkdf2_hmac_sha1(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                      unsigned iterations, std::span<std::uint8_t> out);

/// The bytes of a string, as PBKDF2 input.
inline std::span<const std::uint8_t> as_bytes_view(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline constexpr std::string_view kKcptunSalt = "kcp-go";
inline constexpr unsigned kKcptunIterations = 4096;
inline constexpr std::size_t kKcptunPassSize = 32;
inline constexpr std::string_view kKcptunDefaultKey = "it's a secrect";  // sic, kcptun's default

using KcptunPass = std::array<std::uint8_t, kKcptunPassSize>;

/// PBKDF2-HMAC-SHA1(key, "kcp-go", 4096, 32), as kcptun computes it. (About 4 ms: do it once
/// per configuration, not per session.)
KcptunPass kcptun_pass(std::string_view key);

/// How many leading bytes of the pass kcptun hands to `cipher`'s constructor (table above;
/// for the GCM sizes kcptun does not name, the AES key size; none: 32, ignored).
std::size_t kcptun_key_length(Cipher cipher);

/// pass[0, kcptun_key_length(cipher)).
std::span<const std::uint8_t> kcptun_key(Cipher cipher, const KcptunPass& pass);

/// What kcptun (2026-01 code) does with a --crypt name.
struct KcptunCrypt {
    bool has_layer = true;  ///< false for "null": no nonce, no CRC, no encryption
    Cipher cipher = Cipher::aes256;
    bool fell_back = false;  ///< the name was not one of kcptun's: it uses "aes" (AES-256)
};
KcptunCrypt resolve_kcptun_crypt(std::string_view crypt_name);

/// kcptun's whole recipe: resolve the --crypt name, derive the pass from the --key string,
/// cut it, construct. For "null" the result is a nullptr (not an error): run without a
/// crypt layer. Never unknown_cipher (kcptun falls back to "aes"), never bad_key (the key is
/// cut to the cipher's length).
Expected<std::unique_ptr<PacketCrypt>, ConfigError> make_kcptun_crypt(std::string_view crypt_name,
                                                                      std::string_view key);

}  // namespace kcpkit::crypt
