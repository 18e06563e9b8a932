// kcp-go's packet encryption layer, sans-IO: every cipher of kcp-go (v5.6.1 and v5.6.72),
// the nonce/CRC-32 datagram envelope, and v5.6.72's AES-GCM (AEAD) envelope.
//
// Two levels:
//  - BlockCrypt is kcp-go's BlockCrypt: a whole-buffer, in-place, length-preserving
//    transform (CFB with the fixed IV for the block ciphers, Salsa20, the XOR table, none).
//    Known-answer vectors live at this level.
//  - PacketCrypt is what a session uses: seal() turns a payload into a datagram (nonce from
//    the caller's NonceSource, CRC-32, encryption, or the AEAD layout), open() turns a
//    received datagram back into the payload or says why not (an OpenStatus, never an
//    exception). Both work in place in the caller's buffer and allocate nothing.
//
// Errors: the constructors (make_*) return the object or a ConfigError; seal() reports a
// SealStatus and open() an OpenStatus. Each value says what the caller does next; names
// come from the tables beside the enums (name_of, kcpkit/base/enum_names.hpp).
//
// Datagram layouts (docs/crypt.md has the details):
//   header ciphers: | nonce 16 | CRC-32 LE of payload, 4 | payload |  all encrypted
//   AES-GCM:        | nonce 12 (clear) | encrypted payload | tag 16 |
//
// Threads: an object keeps separate state for sealing and for opening, so one thread may
// seal while another opens (kcp-go's sender and reader do this); two concurrent seals (or
// two concurrent opens) on one object need the caller's lock, or one object each.
//
// No randomness is read here: nonces come from the NonceSource the caller passes (see
// protocol/crypt/nonce.hpp for a fast seeded generator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/base/expected.hpp"

namespace kcpkit::crypt {

/// Every cipher kcp-go offers. Names (name_of) are those of kcpvec/1.
enum class Cipher : std::uint8_t {
    none,        ///< "none": identity, but the 16+4 byte header is still added and checked
    xor_table,   ///< "xor": XOR with a 1500-byte PBKDF2 table
    aes128,      ///< "aes-128"
    aes192,      ///< "aes-192"
    aes256,      ///< "aes-256" (kcptun's "aes")
    tea,         ///< "tea": TEA with 16 rounds (8 cycles), not the usual 64
    xtea,        ///< "xtea"
    triple_des,  ///< "3des": DES-EDE3
    blowfish,    ///< "blowfish"
    cast5,       ///< "cast5"
    salsa20,     ///< "salsa20": Salsa20/20, nonce = first 8 bytes, left in clear
    sm4,         ///< "sm4"
    twofish,     ///< "twofish"
    aes128_gcm,  ///< "aes-128-gcm" (AEAD, kcp-go >= v5.6.49)
    aes192_gcm,  ///< "aes-192-gcm"
    aes256_gcm,  ///< "aes-256-gcm"
};

// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(Cipher) {
    using enum Cipher;
    return std::to_array<EnumName<Cipher>>({{none, "none"}, {xor_table, "xor"}, {aes128, "aes-128"},
        {aes192, "aes-192"}, {aes256, "aes-256"}, {tea, "tea"}, {xtea, "xtea"},
        {triple_des, "3des"}, {blowfish, "blowfish"}, {cast5, "cast5"}, {salsa20, "salsa20"},
        {sm4, "sm4"}, {twofish, "twofish"}, {aes128_gcm, "aes-128-gcm"},
        {aes192_gcm, "aes-192-gcm"}, {aes256_gcm, "aes-256-gcm"}});
}
// clang-format on
static_assert(names_are_distinct<Cipher>());

inline constexpr auto kAllCiphers = values_of<Cipher>();

/// Parses the names above, plus kcptun's "aes" (= aes-256). nullopt for anything else
/// (kcptun's "null", meaning no encryption layer at all, is not a cipher; see
/// key_derivation.hpp for kcptun's full --crypt rules).
std::optional<Cipher> parse_cipher_name(std::string_view name);

/// True for the AES-GCM ciphers (PacketCrypt only; no BlockCrypt).
bool is_aead(Cipher cipher);

/// Whether kcp-go's constructor for `cipher` accepts a key of `length` bytes:
/// aes-128/192/256 and their GCM forms 16/24/32 exactly (our names fix the size), sm4, tea,
/// xtea, cast5 16, 3des 24, twofish 16/24/32, blowfish 1..56; salsa20, xor and none any
/// length (salsa20 zero-pads or truncates to 32).
bool key_length_ok(Cipher cipher, std::size_t length);

/// Why make_block_crypt / make_packet_crypt made nothing. The same arguments fail the same
/// way every time: change them.
enum class ConfigError : std::uint8_t {
    bad_key = 1,       ///< the cipher refuses the key's length (key_length_ok): pass a key of
                       ///< an accepted length (key_derivation.hpp derives kcptun's)
    unknown_cipher,    ///< the name does not parse (parse_cipher_name): pass a listed name
    not_block_cipher,  ///< make_block_crypt with an AES-GCM cipher: AEAD has no BlockCrypt,
                       ///< use make_packet_crypt
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(ConfigError) {
    using enum ConfigError;
    return std::to_array<EnumName<ConfigError>>({{bad_key, "bad_key"},
        {unknown_cipher, "unknown_cipher"}, {not_block_cipher, "not_block_cipher"}});
}
// clang-format on
static_assert(names_are_distinct<ConfigError>());

/// What seal() did.
enum class SealStatus : std::uint8_t {
    ok = 0,   ///< the datagram is in the buffer: send it
    no_room,  ///< the buffer is shorter than header + payload + trailer; nothing was written:
              ///< seal again into a buffer of at least overhead().total() + payload bytes
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(SealStatus) {
    using enum SealStatus;
    return std::to_array<EnumName<SealStatus>>({{ok, "ok"}, {no_room, "no_room"}});
}
// clang-format on
static_assert(names_are_distinct<SealStatus>());

/// What open() found. Every failure means: drop the datagram (its bytes were decrypted in
/// place and are unspecified) and go on with the next; the session is unaffected.
enum class OpenStatus : std::uint8_t {
    ok = 0,             ///< `payload` is the plaintext: hand it on
    truncated,          ///< shorter than the envelope (20, or 28 for GCM): drop, count nothing
    checksum_mismatch,  ///< CRC-32 differs: drop, count InCsumErrors
    auth_failed,        ///< AES-GCM tag differs: drop, count InCsumErrors
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(OpenStatus) {
    using enum OpenStatus;
    return std::to_array<EnumName<OpenStatus>>({{ok, "ok"}, {truncated, "truncated"},
        {checksum_mismatch, "checksum_mismatch"}, {auth_failed, "auth_failed"}});
}
// clang-format on
static_assert(names_are_distinct<OpenStatus>());

// ----- envelope constants ----------------------------------------------------------------

inline constexpr std::size_t kNonceSize = 16;                      ///< header ciphers
inline constexpr std::size_t kCrcSize = 4;                         ///< header ciphers
inline constexpr std::size_t kHeaderSize = kNonceSize + kCrcSize;  ///< 20
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kXorTableSize = 1500;  ///< "xor" transforms at most this much

/// Where random nonce bytes come from. fill() must write every byte of `out`; it is called
/// once per sealed datagram (16 or 12 bytes).
class NonceSource {
  public:
    virtual ~NonceSource() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

// ----- level 1: kcp-go's BlockCrypt --------------------------------------------------------

/// A whole-buffer transform, in place, same length out as in. Any length is accepted
/// (0 too); what happens to short buffers is what kcp-go v5.6.72 does (Salsa20 leaves
/// buffers shorter than 8 bytes alone; XOR stops after 1500 bytes).
class BlockCrypt {
  public:
    virtual ~BlockCrypt() = default;
    virtual Cipher cipher() const = 0;
    virtual void encrypt(std::span<std::uint8_t> data) = 0;
    virtual void decrypt(std::span<std::uint8_t> data) = 0;
    /// Same result as encrypt() on each buffer in turn; buffers must not overlap. AES
    /// interleaves up to eight packets, which is where the speed comes from (CFB encryption
    /// of one packet is a serial chain).
    virtual void encrypt_batch(std::span<const std::span<std::uint8_t>> packets);
    /// Same as decrypt() on each buffer in turn.
    virtual void decrypt_batch(std::span<const std::span<std::uint8_t>> packets);
};

// ----- level 2: the datagram envelope -------------------------------------------------------

/// Bytes the envelope adds before and after the payload.
struct Overhead {
    std::size_t header = 0;   ///< 20 for the header ciphers, 12 for GCM
    std::size_t trailer = 0;  ///< 0, or 16 (GCM tag)
    constexpr std::size_t total() const { return header + trailer; }
};

/// What seal() made of one payload.
struct SealedEnvelope {
    SealStatus status = SealStatus::ok;
    std::size_t length = 0;  ///< bytes of the finished datagram, from buffer[0]
};

/// What open() found in one datagram.
struct OpenedEnvelope {
    OpenStatus status = OpenStatus::ok;
    std::span<std::uint8_t> payload;  ///< inside the datagram; empty unless ok
};

/// One datagram of a seal_batch: in as for seal(), out in `result`.
struct SealJob {
    std::span<std::uint8_t> buffer;
    std::size_t payload_len = 0;
    SealedEnvelope result{};
};

/// One datagram of an open_batch.
struct OpenJob {
    std::span<std::uint8_t> datagram;
    OpenedEnvelope result{};
};

class PacketCrypt {
  public:
    virtual ~PacketCrypt() = default;
    virtual Cipher cipher() const = 0;
    virtual Overhead overhead() const = 0;
    /// Random bytes at the front of each datagram: 16, or 12 for GCM.
    std::size_t nonce_size() const { return is_aead(cipher()) ? kGcmNonceSize : kNonceSize; }

    /// Seals in place. On entry the payload sits at buffer[overhead().header ...] and is
    /// `payload_len` bytes long; buffer[0, header) is scratch. Needs buffer.size() >=
    /// header + payload_len + trailer, else returns no_room and leaves the buffer alone.
    /// On ok, buffer[0, result.length) is the datagram to send.
    SealedEnvelope seal(std::span<std::uint8_t> buffer, std::size_t payload_len,
                        NonceSource& nonces);

    /// As seal(), but the nonce is already in buffer[0, nonce size) (deterministic; for
    /// vectors and tests).
    virtual SealedEnvelope seal_with_nonce(std::span<std::uint8_t> buffer,
                                           std::size_t payload_len) = 0;

    /// Opens in place. On ok, `payload` is the plaintext inside `datagram`. Otherwise
    /// truncated / checksum_mismatch / auth_failed; the datagram's bytes are then
    /// unspecified (it was decrypted in place) and it must be dropped.
    virtual OpenedEnvelope open(std::span<std::uint8_t> datagram) = 0;

    /// seal() for every job (nonces drawn in job order). Faster than a loop for AES.
    virtual void seal_batch(std::span<SealJob> jobs, NonceSource& nonces);
    /// open() for every job.
    virtual void open_batch(std::span<OpenJob> jobs);

    /// The level-1 transform underneath a header cipher; nullptr for AEAD.
    virtual BlockCrypt* block_crypt() { return nullptr; }
};

/// kcp-go's constructors (NewAESBlockCrypt, NewTEABlockCrypt, ...). `key` is used as
/// given: no derivation, no cutting (kcptun's rules are in key_derivation.hpp). The object
/// (never nullptr), or bad_key / not_block_cipher.
Expected<std::unique_ptr<BlockCrypt>, ConfigError> make_block_crypt(
    Cipher cipher, std::span<const std::uint8_t> key);

/// The envelope for `cipher` (header ciphers wrap make_block_crypt; GCM is AEAD). The
/// object (never nullptr), or bad_key.
Expected<std::unique_ptr<PacketCrypt>, ConfigError> make_packet_crypt(
    Cipher cipher, std::span<const std::uint8_t> key);
/// By name (parse_cipher_name): as above, or unknown_cipher if it does not parse.
Expected<std::unique_ptr<PacketCrypt>, ConfigError> make_packet_crypt(
    std::string_view name, std::span<const std::uint8_t> key);

}  // namespace kcpkit::crypt
