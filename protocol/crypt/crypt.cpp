#include "kcpkit/crypt/crypt.hpp"

#include <cryptopp/aes.h>
#include <cryptopp/blowfish.h>
#include <cryptopp/cast.h>
#include <cryptopp/des.h>
#include <cryptopp/sm4.h>
#include <cryptopp/twofish.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/crc32.hpp"
#include "kcpkit/crypt/detail/aes.hpp"
#include "kcpkit/crypt/detail/cfb.hpp"
#include "kcpkit/crypt/detail/gcm.hpp"
#include "kcpkit/crypt/detail/salsa20.hpp"
#include "kcpkit/crypt/detail/sm4.hpp"
#include "kcpkit/crypt/detail/tea.hpp"
#include "kcpkit/crypt/key_derivation.hpp"

namespace kcpkit::crypt {

// ----- names and keys
// -----------------------------------------------------------------------------

std::optional<Cipher> parse_cipher_name(std::string_view name) {
    if (name == "aes") return Cipher::aes256;  // kcptun's default name
    return parse<Cipher>(name);
}

bool is_aead(Cipher cipher) {
    return cipher == Cipher::aes128_gcm || cipher == Cipher::aes192_gcm ||
           cipher == Cipher::aes256_gcm;
}

bool key_length_ok(Cipher cipher, std::size_t n) {
    switch (cipher) {
        case Cipher::none:
        case Cipher::xor_table:
        case Cipher::salsa20:
            return true;
        case Cipher::aes128:
        case Cipher::aes128_gcm:
            return n == 16;
        case Cipher::aes192:
        case Cipher::aes192_gcm:
            return n == 24;
        case Cipher::aes256:
        case Cipher::aes256_gcm:
            return n == 32;
        case Cipher::tea:
        case Cipher::xtea:
        case Cipher::cast5:
        case Cipher::sm4:
            return n == 16;
        case Cipher::triple_des:
            return n == 24;
        case Cipher::twofish:
            return n == 16 || n == 24 || n == 32;
        case Cipher::blowfish:
            return n >= 1 && n <= 56;
    }
    return false;
}

// ----- level 1 ---------------------------------------------------------------------------

void BlockCrypt::encrypt_batch(std::span<const std::span<std::uint8_t>> packets) {
    for (const auto& p : packets) encrypt(p);
}

void BlockCrypt::decrypt_batch(std::span<const std::span<std::uint8_t>> packets) {
    for (const auto& p : packets) decrypt(p);
}

namespace {

template <std::size_t N>
inline void xor_chunk(std::uint8_t* __restrict dst, const std::uint8_t* __restrict key) {
    typedef std::uint8_t Chunk __attribute__((vector_size(N)));
    Chunk a, b;
    std::memcpy(&a, dst, N);
    std::memcpy(&b, key, N);
    a ^= b;
    std::memcpy(dst, &a, N);
}

/// dst[i] ^= key[i] for i < n. Cloned for AVX-512, AVX2 and baseline, picked at load time.
/// (32-byte chunks: GCC lowers a 64-byte vector type on AVX2 through the stack, with
/// store-forwarding stalls that made it slower than kcp-go.)
__attribute__((target_clones("avx512f", "avx2", "default"))) void xor_bytes(
    std::uint8_t* __restrict dst, const std::uint8_t* __restrict key, std::size_t n) {
    std::size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        xor_chunk<32>(dst + i, key + i);
        xor_chunk<32>(dst + i + 32, key + i + 32);
    }
    if (i + 32 <= n) xor_chunk<32>(dst + i, key + i), i += 32;
    if (i + 16 <= n) xor_chunk<16>(dst + i, key + i), i += 16;
    if (i + 8 <= n) xor_chunk<8>(dst + i, key + i), i += 8;
    for (; i < n; ++i) dst[i] ^= key[i];
}

class NoneCrypt final : public BlockCrypt {
  public:
    Cipher cipher() const override { return Cipher::none; }
    void encrypt(std::span<std::uint8_t>) override {}
    void decrypt(std::span<std::uint8_t>) override {}
    void encrypt_batch(std::span<const std::span<std::uint8_t>>) override {}
    void decrypt_batch(std::span<const std::span<std::uint8_t>>) override {}
};

/// kcp-go's "xor": one fixed table, PBKDF2-HMAC-SHA1(key, salt, 32, 1500), XORed over the
/// first min(len, 1500) bytes of every packet (nonce included). Its own inverse.
class XorCrypt final : public BlockCrypt {
  public:
    explicit XorCrypt(std::span<const std::uint8_t> key) {
        static constexpr std::string_view kSalt = "sH3CIVoF#rWLtJo6";
        pbkdf2_hmac_sha1(key, as_bytes_view(kSalt), 32, table_);
    }
    Cipher cipher() const override { return Cipher::xor_table; }
    void encrypt(std::span<std::uint8_t> data) override { apply(data); }
    void decrypt(std::span<std::uint8_t> data) override { apply(data); }

  private:
    void apply(std::span<std::uint8_t> data) const {
        xor_bytes(data.data(), table_.data(), std::min(data.size(), table_.size()));
    }
    std::array<std::uint8_t, kXorTableSize> table_{};
};

/// Salsa20/20 keyed with the key zero-padded (or truncated) to 32 bytes; the packet's first
/// 8 bytes are the Salsa20 nonce and stay in clear, the rest is XORed with the keystream
/// from block counter 0. Packets shorter than 8 bytes are left alone (kcp-go v5.6.72).
class Salsa20Crypt final : public BlockCrypt {
  public:
    explicit Salsa20Crypt(std::span<const std::uint8_t> key)
        : enc_(padded(key)), dec_(padded(key)) {}
    Cipher cipher() const override { return Cipher::salsa20; }
    void encrypt(std::span<std::uint8_t> data) override { apply(enc_, data); }
    void decrypt(std::span<std::uint8_t> data) override { apply(dec_, data); }

  private:
    static std::array<std::uint8_t, 32> padded(std::span<const std::uint8_t> key) {
        std::array<std::uint8_t, 32> k{};
        std::copy_n(key.begin(), std::min<std::size_t>(key.size(), 32), k.begin());
        return k;
    }
    static void apply(detail::Salsa20Xor& s, std::span<std::uint8_t> data) {
        if (data.size() < 8) return;
        s.apply(data.data(), data.data() + 8, data.size() - 8);
    }
    detail::Salsa20Xor enc_;  // one per direction (the portable path keeps stream state)
    detail::Salsa20Xor dec_;
};

class AesCfbCrypt final : public BlockCrypt {
  public:
    AesCfbCrypt(Cipher c, std::span<const std::uint8_t> key) : cipher_(c), engine_(key) {}
    Cipher cipher() const override { return cipher_; }
    void encrypt(std::span<std::uint8_t> data) override {
        engine_.cfb_encrypt(data.data(), data.size());
    }
    void decrypt(std::span<std::uint8_t> data) override {
        engine_.cfb_decrypt(data.data(), data.size());
    }
    void encrypt_batch(std::span<const std::span<std::uint8_t>> packets) override {
        engine_.cfb_encrypt_many(packets);
    }

  private:
    Cipher cipher_;
    detail::AesEngine engine_;  // its operations keep no state: safe from both directions
};

/// SM4: our table code encrypts (a serial chain: its one-block latency is the speed);
/// decryption, parallel across blocks, goes to Crypto++'s AES-NI SM4 where the CPU has
/// AES-NI (measured faster than our four-block table code), else to ours.
class Sm4Crypt final : public BlockCrypt {
  public:
    explicit Sm4Crypt(std::span<const std::uint8_t> key) : sm4_(key.first<16>()) {
        if (detail::have_aesni()) {
            dec_ = std::make_unique<CryptoPP::SM4::Encryption>();
            dec_->SetKey(key.data(), key.size());
        }
    }
    Cipher cipher() const override { return Cipher::sm4; }
    void encrypt(std::span<std::uint8_t> data) override {
        sm4_.cfb_encrypt(data.data(), data.size());
    }
    void decrypt(std::span<std::uint8_t> data) override {
        if (dec_)
            detail::cfb_decrypt_generic(*dec_, data.data(), data.size());
        else
            sm4_.cfb_decrypt(data.data(), data.size());
    }

  private:
    detail::Sm4Cfb sm4_;                              // keeps no per-call state
    std::unique_ptr<CryptoPP::SM4::Encryption> dec_;  // keeps scratch space: decrypt only
};

class TeaCrypt final : public BlockCrypt {
  public:
    TeaCrypt(Cipher c, std::span<const std::uint8_t> key)
        : cipher_(c),
          tea_(c == Cipher::tea ? detail::TeaCfb::Variant::tea16 : detail::TeaCfb::Variant::xtea,
               key.first<16>()) {}
    Cipher cipher() const override { return cipher_; }
    void encrypt(std::span<std::uint8_t> data) override {
        tea_.cfb_encrypt(data.data(), data.size());
    }
    void decrypt(std::span<std::uint8_t> data) override {
        tea_.cfb_decrypt(data.data(), data.size());
    }

  private:
    Cipher cipher_;
    detail::TeaCfb tea_;  // keeps no per-call state: safe from both directions
};

/// CFB over a Crypto++ block cipher. Each direction has its own cipher object, in case one
/// keeps scratch space inside (Crypto++'s SM4 does).
class GenericCfbCrypt final : public BlockCrypt {
  public:
    GenericCfbCrypt(Cipher c, std::unique_ptr<CryptoPP::BlockTransformation> enc,
                    std::unique_ptr<CryptoPP::BlockTransformation> dec)
        : cipher_(c), enc_(std::move(enc)), dec_(std::move(dec)) {
        enc_->ProcessBlock(detail::kCfbIv, first_keystream_);
    }
    Cipher cipher() const override { return cipher_; }
    void encrypt(std::span<std::uint8_t> data) override {
        detail::cfb_encrypt_generic(*enc_, first_keystream_, data.data(), data.size());
    }
    void decrypt(std::span<std::uint8_t> data) override {
        detail::cfb_decrypt_generic(*dec_, data.data(), data.size());
    }

  private:
    Cipher cipher_;
    std::unique_ptr<CryptoPP::BlockTransformation> enc_, dec_;
    std::uint8_t first_keystream_[16] = {};
};

template <typename T>
std::unique_ptr<CryptoPP::BlockTransformation> keyed(std::span<const std::uint8_t> key) {
    auto c = std::make_unique<T>();
    c->SetKey(key.data(), key.size());
    return c;
}

/// Blowfish cycles the key bytes over its P-array, so a key and the same key repeated give
/// the same cipher; Crypto++ wants at least 4 bytes, kcp-go (x/crypto) accepts 1.
std::unique_ptr<CryptoPP::BlockTransformation> keyed_blowfish(std::span<const std::uint8_t> key) {
    std::uint8_t longer[8];
    if (key.size() >= 4) return keyed<CryptoPP::Blowfish::Encryption>(key);
    std::size_t n = 0;
    while (n < 4) {
        std::memcpy(longer + n, key.data(), key.size());
        n += key.size();
    }
    return keyed<CryptoPP::Blowfish::Encryption>(std::span<const std::uint8_t>(longer, n));
}

template <typename Make>
std::unique_ptr<BlockCrypt> generic(Cipher c, Make make) {
    return std::make_unique<GenericCfbCrypt>(c, make(), make());
}

}  // namespace

Expected<std::unique_ptr<BlockCrypt>, ConfigError> make_block_crypt(
    Cipher cipher, std::span<const std::uint8_t> key) {
    if (is_aead(cipher)) return Unexpected(ConfigError::not_block_cipher);
    if (!key_length_ok(cipher, key.size())) return Unexpected(ConfigError::bad_key);
    std::unique_ptr<BlockCrypt> made;
    switch (cipher) {
        case Cipher::none:
            made = std::make_unique<NoneCrypt>();
            break;
        case Cipher::xor_table:
            made = std::make_unique<XorCrypt>(key);
            break;
        case Cipher::salsa20:
            made = std::make_unique<Salsa20Crypt>(key);
            break;
        case Cipher::aes128:
        case Cipher::aes192:
        case Cipher::aes256:
            made = std::make_unique<AesCfbCrypt>(cipher, key);
            break;
        case Cipher::tea:
        case Cipher::xtea:
            made = std::make_unique<TeaCrypt>(cipher, key);
            break;
        case Cipher::triple_des:
            made = generic(cipher, [&] { return keyed<CryptoPP::DES_EDE3::Encryption>(key); });
            break;
        case Cipher::blowfish:
            made = generic(cipher, [&] { return keyed_blowfish(key); });
            break;
        case Cipher::cast5:
            made = generic(cipher, [&] { return keyed<CryptoPP::CAST128::Encryption>(key); });
            break;
        case Cipher::sm4:
            made = std::make_unique<Sm4Crypt>(key);
            break;
        case Cipher::twofish:
            made = generic(cipher, [&] { return keyed<CryptoPP::Twofish::Encryption>(key); });
            break;
        case Cipher::aes128_gcm:
        case Cipher::aes192_gcm:
        case Cipher::aes256_gcm:
            break;  // handled above
    }
    return made;
}

// ----- level 2 ---------------------------------------------------------------------------

SealedEnvelope PacketCrypt::seal(std::span<std::uint8_t> buffer, std::size_t payload_len,
                                 NonceSource& nonces) {
    if (buffer.size() < overhead().total() || buffer.size() - overhead().total() < payload_len)
        return {SealStatus::no_room, 0};
    nonces.fill(buffer.first(nonce_size()));
    return seal_with_nonce(buffer, payload_len);
}

void PacketCrypt::seal_batch(std::span<SealJob> jobs, NonceSource& nonces) {
    for (SealJob& job : jobs) job.result = seal(job.buffer, job.payload_len, nonces);
}

void PacketCrypt::open_batch(std::span<OpenJob> jobs) {
    for (OpenJob& job : jobs) job.result = open(job.datagram);
}

namespace {

bool fits(std::span<const std::uint8_t> buffer, Overhead o, std::size_t payload_len) {
    return buffer.size() >= o.total() && buffer.size() - o.total() >= payload_len;
}

/// | nonce 16 | CRC-32 LE of the payload | payload |, all of it through the BlockCrypt.
class HeaderPacketCrypt final : public PacketCrypt {
  public:
    explicit HeaderPacketCrypt(std::unique_ptr<BlockCrypt> block) : block_(std::move(block)) {}
    Cipher cipher() const override { return block_->cipher(); }
    Overhead overhead() const override { return {kHeaderSize, 0}; }
    BlockCrypt* block_crypt() override { return block_.get(); }

    SealedEnvelope seal_with_nonce(std::span<std::uint8_t> buffer,
                                   std::size_t payload_len) override {
        if (!fits(buffer, overhead(), payload_len)) return {SealStatus::no_room, 0};
        const std::span<std::uint8_t> datagram = buffer.first(kHeaderSize + payload_len);
        stamp_crc(datagram);
        block_->encrypt(datagram);
        return {SealStatus::ok, datagram.size()};
    }

    OpenedEnvelope open(std::span<std::uint8_t> datagram) override {
        if (datagram.size() < kHeaderSize) return {OpenStatus::truncated, {}};
        block_->decrypt(datagram);
        return check_crc(datagram);
    }

    void seal_batch(std::span<SealJob> jobs, NonceSource& nonces) override {
        // Stamp each datagram, then encrypt them in groups through encrypt_batch.
        constexpr std::size_t kGroup = 32;
        std::span<std::uint8_t> group[kGroup];
        std::size_t n = 0;
        for (SealJob& job : jobs) {
            if (!fits(job.buffer, overhead(), job.payload_len)) {
                job.result = {SealStatus::no_room, 0};
                continue;
            }
            const std::span<std::uint8_t> datagram =
                job.buffer.first(kHeaderSize + job.payload_len);
            nonces.fill(datagram.first(kNonceSize));
            stamp_crc(datagram);
            job.result = {SealStatus::ok, datagram.size()};
            group[n++] = datagram;
            if (n == kGroup) {
                block_->encrypt_batch(std::span(group, n));
                n = 0;
            }
        }
        if (n > 0) block_->encrypt_batch(std::span(group, n));
    }

    void open_batch(std::span<OpenJob> jobs) override {
        constexpr std::size_t kGroup = 32;
        std::span<std::uint8_t> group[kGroup];
        OpenJob* owner[kGroup];
        std::size_t n = 0;
        auto flush = [&] {
            block_->decrypt_batch(std::span(group, n));
            for (std::size_t i = 0; i < n; ++i) owner[i]->result = check_crc(group[i]);
            n = 0;
        };
        for (OpenJob& job : jobs) {
            if (job.datagram.size() < kHeaderSize) {
                job.result = {OpenStatus::truncated, {}};
                continue;
            }
            owner[n] = &job;
            group[n++] = job.datagram;
            if (n == kGroup) flush();
        }
        if (n > 0) flush();
    }

  private:
    static void stamp_crc(std::span<std::uint8_t> datagram) {
        store_le32(datagram.data() + kNonceSize, crc32_ieee(datagram.subspan(kHeaderSize)));
    }
    static OpenedEnvelope check_crc(std::span<std::uint8_t> datagram) {
        const std::span<std::uint8_t> payload = datagram.subspan(kHeaderSize);
        if (crc32_ieee(payload) != load_le32(datagram.data() + kNonceSize))
            return {OpenStatus::checksum_mismatch, {}};
        return {OpenStatus::ok, payload};
    }
    std::unique_ptr<BlockCrypt> block_;
};

/// | nonce 12, clear | AES-GCM ciphertext | tag 16 |, no additional data.
class GcmPacketCrypt final : public PacketCrypt {
  public:
    // One AesGcm per direction (the portable path keeps stream state).
    GcmPacketCrypt(Cipher c, std::span<const std::uint8_t> key)
        : cipher_(c), seal_(key), open_(key) {}
    Cipher cipher() const override { return cipher_; }
    Overhead overhead() const override { return {kGcmNonceSize, kGcmTagSize}; }

    SealedEnvelope seal_with_nonce(std::span<std::uint8_t> buffer,
                                   std::size_t payload_len) override {
        if (!fits(buffer, overhead(), payload_len)) return {SealStatus::no_room, 0};
        std::uint8_t* nonce = buffer.data();
        std::uint8_t* text = nonce + kGcmNonceSize;
        seal_.seal(nonce, text, payload_len, text + payload_len);
        return {SealStatus::ok, overhead().total() + payload_len};
    }

    OpenedEnvelope open(std::span<std::uint8_t> datagram) override {
        if (datagram.size() < overhead().total()) return {OpenStatus::truncated, {}};
        const std::size_t n = datagram.size() - overhead().total();
        std::uint8_t* nonce = datagram.data();
        std::uint8_t* text = nonce + kGcmNonceSize;
        if (!open_.open(nonce, text, n, text + n)) return {OpenStatus::auth_failed, {}};
        return {OpenStatus::ok, datagram.subspan(kGcmNonceSize, n)};
    }

  private:
    Cipher cipher_;
    detail::AesGcm seal_;
    detail::AesGcm open_;
};

}  // namespace

Expected<std::unique_ptr<PacketCrypt>, ConfigError> make_packet_crypt(
    Cipher cipher, std::span<const std::uint8_t> key) {
    if (!key_length_ok(cipher, key.size())) return Unexpected(ConfigError::bad_key);
    if (is_aead(cipher)) return std::make_unique<GcmPacketCrypt>(cipher, key);
    auto block = make_block_crypt(cipher, key);
    if (!block) return Unexpected(block.error());
    return std::make_unique<HeaderPacketCrypt>(std::move(block).value());
}

Expected<std::unique_ptr<PacketCrypt>, ConfigError> make_packet_crypt(
    std::string_view name, std::span<const std::uint8_t> key) {
    const std::optional<Cipher> cipher = parse_cipher_name(name);
    if (!cipher) return Unexpected(ConfigError::unknown_cipher);
    return make_packet_crypt(*cipher, key);
}

}  // namespace kcpkit::crypt
