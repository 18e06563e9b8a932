// AES for the crypt layer: kcp-go's full-block CFB (single packet and many packets at once),
// plain block encryption for the nonce generator. Internal to protocol/; the public API is
// protocol/crypt/crypt.hpp.
//
// On x86-64 CPUs with AES-NI (checked once, at run time) the block cipher runs on our own
// AES-NI code: CFB decryption pipelines eight blocks of one packet, CFB encryption of many
// packets interleaves up to eight packets (encryption of one packet is a serial chain: each
// block's input is the previous block's output). Elsewhere Crypto++'s AES does the work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace kcpkit::crypt::detail {

/// True when this CPU (and OS) can run the AES-NI paths.
bool have_aesni();

/// FIPS-197 key expansion, portable. `key` is 16, 24 or 32 bytes (checked by the caller).
struct AesSchedule {
    alignas(16) std::uint8_t round_key[15][16];
    int rounds = 0;  ///< 10, 12 or 14
};
void aes_expand_key(AesSchedule& schedule, std::span<const std::uint8_t> key);

/// One AES key, ready for every operation the layer needs. Not copyable (it may own a
/// Crypto++ object); const operations keep no per-call state in the object, so several
/// threads may use one engine at once.
class AesEngine {
  public:
    /// `key` must be 16, 24 or 32 bytes. `force_portable` selects the Crypto++ path even on
    /// AES-NI CPUs (tests compare the two).
    explicit AesEngine(std::span<const std::uint8_t> key, bool force_portable = false);
    ~AesEngine();
    AesEngine(const AesEngine&) = delete;
    AesEngine& operator=(const AesEngine&) = delete;

    bool uses_aesni() const { return aesni_; }
    /// The expanded key (for other AES-NI code, e.g. GCM).
    const AesSchedule& schedule() const { return schedule_; }

    /// Replaces the key (same length rules); allocates nothing.
    void rekey(std::span<const std::uint8_t> key);

    /// ECB: out[i] = E(in[i]) for `blocks` 16-byte blocks; in and out may be the same.
    void encrypt_blocks(const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) const;

    /// kcp-go CFB with the fixed IV over `data`, in place.
    void cfb_encrypt(std::uint8_t* data, std::size_t len) const;
    void cfb_decrypt(std::uint8_t* data, std::size_t len) const;
    /// cfb_encrypt of every packet; packets must not overlap.
    void cfb_encrypt_many(std::span<const std::span<std::uint8_t>> packets) const;

  private:
    AesSchedule schedule_{};
    alignas(16) std::uint8_t first_keystream_[16]{};  ///< E_K(IV), the same for every packet
    bool aesni_ = false;
    struct Portable;
    std::unique_ptr<Portable> portable_;
};

}  // namespace kcpkit::crypt::detail
