#define BOOST_TEST_MODULE crypt
#include "kcpkit/crypt/crypt.hpp"

#include <cryptopp/aes.h>
#include <cryptopp/blowfish.h>
#include <cryptopp/cast.h>
#include <cryptopp/des.h>
#include <cryptopp/modes.h>
#include <cryptopp/sm4.h>
#include <cryptopp/tea.h>
#include <cryptopp/twofish.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kcpkit/crypt/crc32.hpp"
#include "kcpkit/crypt/detail/aes.hpp"
#include "kcpkit/crypt/detail/cfb.hpp"
#include "kcpkit/crypt/detail/gcm.hpp"
#include "kcpkit/crypt/detail/salsa20.hpp"
#include "kcpkit/crypt/detail/sm4.hpp"
#include "kcpkit/crypt/detail/tea.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/crypt/nonce.hpp"

using namespace kcpkit::crypt;
using kcpkit::name_of;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view s) {
    Bytes out;
    auto nibble = [](char c) {
        return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    };
    for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(nibble(s[i]) << 4 | nibble(s[i + 1])));
    return out;
}

std::string to_hex(std::span<const std::uint8_t> b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto x : b) {
        s += d[x >> 4];
        s += d[x & 15];
    }
    return s;
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
}

/// Writes 0, 1, 2, ... (wrapping) so sealed datagrams are reproducible.
struct CountingNonces final : NonceSource {
    std::uint8_t next = 0;
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) b = next++;
    }
};

std::unique_ptr<BlockCrypt> block(Cipher c, std::span<const std::uint8_t> key) {
    auto made = make_block_crypt(c, key);
    BOOST_REQUIRE_MESSAGE(made, "make_block_crypt " << name_of(c));
    return std::move(made).value();
}

std::unique_ptr<PacketCrypt> packet(Cipher c, std::span<const std::uint8_t> key) {
    auto made = make_packet_crypt(c, key);
    BOOST_REQUIRE_MESSAGE(made, "make_packet_crypt " << name_of(c));
    return std::move(made).value();
}

/// A valid key for each cipher (a prefix of 0..55).
Bytes test_key(Cipher c) {
    Bytes k(56);
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
    std::size_t n = kcptun_key_length(c);
    k.resize(n);
    return k;
}

// ----- known answers for kcptun's default key (docs/crypt.md) -------------------------------

const char* const kPassHex = "25d7d7bd51050742d8d791f2b653c6c8b2366b7e25a124cf7a2e12eaf4ffa444";
const char* const kPayloadHex = "4433221151008000e803000000000000000000000500000068656c6c6f";
const char* const kPlainHex =
    "000102030405060708090a0b0c0d0e0fabca4a05"
    "4433221151008000e803000000000000000000000500000068656c6c6f";

struct Known {
    Cipher cipher;
    std::size_t key_len;
    const char* ciphertext;
};

const Known kKnown[] = {
    {Cipher::aes256, 32,
     "86834343335b168ca911bf584a05f990b5c737cc7ca41e9e57af9312b5020b762e9544873fb9dc49ad81be9ae"
     "c42a76820"},
    {Cipher::aes128, 16,
     "ddd7e0a7981ba3e2a7f6d51f2a266318feeab052ae2beac29f446b40bc8245bcada95b2231e177b053718b40d"
     "1aced6787"},
    {Cipher::triple_des, 24,
     "5dca5d4fac8f6accf083365ae9eb528a9f1ddf8986fcda144df50d78d18a5f5bbe4d84b4eeab61f473864a66e"
     "d759fce42"},
    {Cipher::blowfish, 32,
     "186797305116055ece6531b898c4b235971c1d3551ee774cc20e8e42dd6428886228b82dc4c6ce9dc77130b83"
     "6d0e8f02b"},
    {Cipher::tea, 16,
     "fc9c4eb4a8e9502bde3d3c8b0679084d2de09ea99a46af1df0f7e3da75b857869b7c192bef81973fe320e6580"
     "f0144d6c8"},
    {Cipher::xtea, 16,
     "09256989438dfb5af0f2a323dfd1ac2c212c19dac4e9b7f8300547f0ad0da6267d349b45a906fc0277585d730"
     "9f6a9d508"},
    {Cipher::cast5, 16,
     "bb8f8d2209e0131c7d027b3e28d6b45733629f8e8c7d11fa73759fad0477a1d88fffcb63da97b30b395472852"
     "aaa8e9c5a"},
    {Cipher::twofish, 32,
     "79a0668add94e7387471af7514bb1065b9a11c33859b56dd62bfdfd343ea01f70c3ae551ad835e96cad8ba2b5"
     "32023351f"},
    {Cipher::sm4, 16,
     "0340e44fd923bb2259e375a7ab6ee54d5267f875fc0e6db2f6c9c0918ec492e1d6b4a5da9457b0d2e647a0853"
     "46a09b1ea"},
    {Cipher::salsa20, 32,
     "00010203040506079aaa6e7faf75365cfb7f2e0c5c5dd0422393db0496fb8b556ae920fe8a2a13c168777caa1"
     "e890626de"},
    {Cipher::xor_table, 32,
     "0fff8b84a99173765c7011c3f60cb823c0044b03f6a662029c52bfbcf779ac8cf0af663f479b134e20a0d0f7f"
     "64a566e80"},
    {Cipher::none, 32,
     "000102030405060708090a0b0c0d0e0fabca4a054433221151008000e803000000000000000000000500000068"
     "656c6c6f"},
};

}  // namespace

// ----- CRC-32 -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(crc32_check_values) {
    const std::string_view check = "123456789";
    BOOST_TEST(crc32_ieee(as_bytes_view(check)) == 0xCBF43926u);
    BOOST_TEST(crc32_ieee({}) == 0u);
    BOOST_TEST(crc32_ieee(hex(kPayloadHex)) == 0x054acaabu);
    BOOST_TEST(crc32_ieee(as_bytes_view("The quick brown fox jumps over the lazy dog")) ==
               0x414FA339u);
    BOOST_TEST_MESSAGE("crc32 backend: " << crc32_backend());
}

BOOST_AUTO_TEST_CASE(crc32_every_backend_agrees_with_the_table) {
    std::mt19937_64 rng(7);
    const Bytes data = random_bytes(rng, 5000);
    for (std::size_t off = 0; off < 17; ++off) {
        for (std::size_t n = 0; n + off <= data.size(); n += (n < 1100 ? 1 : 97)) {
            const std::uint32_t seed = static_cast<std::uint32_t>(rng());
            const std::uint32_t want = detail::crc32_update_table(seed, data.data() + off, n);
            const std::uint32_t p = detail::crc32_update_pclmul(seed, data.data() + off, n);
            const std::uint32_t y = detail::crc32_update_vpclmul256(seed, data.data() + off, n);
            const std::uint32_t v = detail::crc32_update_vpclmul(seed, data.data() + off, n);
            if (p != want || y != want || v != want)
                BOOST_FAIL("crc mismatch at off " << off << " len " << n);
        }
    }
}

BOOST_AUTO_TEST_CASE(crc32_update_chains) {
    std::mt19937_64 rng(8);
    const Bytes data = random_bytes(rng, 3000);
    const std::uint32_t whole = crc32_ieee(data);
    for (std::size_t cut : {0, 1, 15, 16, 17, 255, 256, 1024, 2999, 3000}) {
        const std::span<const std::uint8_t> all(data);
        BOOST_TEST(crc32_ieee_update(crc32_ieee(all.first(cut)), all.subspan(cut)) == whole);
    }
}

// ----- key derivation -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(kcptun_pass_of_the_default_key) {
    const KcptunPass pass = kcptun_pass(kKcptunDefaultKey);
    BOOST_TEST(to_hex(pass) == kPassHex);
}

BOOST_AUTO_TEST_CASE(pbkdf2_rfc6070) {
    Bytes out(20);
    pbkdf2_hmac_sha1(as_bytes_view("password"), as_bytes_view("salt"), 2, out);
    BOOST_TEST(to_hex(out) == "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
}

BOOST_AUTO_TEST_CASE(kcptun_names_and_key_slices) {
    BOOST_TEST((resolve_kcptun_crypt("aes").cipher == Cipher::aes256));
    BOOST_TEST(!resolve_kcptun_crypt("aes").fell_back);
    BOOST_TEST((resolve_kcptun_crypt("aes-128").cipher == Cipher::aes128));
    BOOST_TEST((resolve_kcptun_crypt("aes-128-gcm").cipher == Cipher::aes128_gcm));
    BOOST_TEST(!resolve_kcptun_crypt("null").has_layer);
    BOOST_TEST(resolve_kcptun_crypt("none").has_layer);
    const KcptunCrypt unknown = resolve_kcptun_crypt("rot13");
    BOOST_TEST((unknown.cipher == Cipher::aes256));
    BOOST_TEST(unknown.fell_back);
    BOOST_TEST(kcptun_key_length(Cipher::aes256) == 32u);
    BOOST_TEST(kcptun_key_length(Cipher::triple_des) == 24u);
    BOOST_TEST(kcptun_key_length(Cipher::tea) == 16u);
    BOOST_TEST(kcptun_key_length(Cipher::blowfish) == 32u);
}

BOOST_AUTO_TEST_CASE(kcptun_recipe_builds_the_default_aes256) {
    auto made = make_kcptun_crypt("aes", kKcptunDefaultKey);
    BOOST_REQUIRE(made);
    BOOST_REQUIRE(*made);
    BOOST_TEST(((*made)->cipher() == Cipher::aes256));
    // Its output is the AES-256 known answer above.
    Bytes buf = hex(kPlainHex);
    (*made)->block_crypt()->encrypt(buf);
    BOOST_TEST(to_hex(buf) == kKnown[0].ciphertext);
    auto null = make_kcptun_crypt("null", kKcptunDefaultKey);
    BOOST_REQUIRE(null);
    BOOST_TEST(!*null);
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
    for (Cipher c : kAllCiphers) {
        auto parsed = parse_cipher_name(name_of(c));
        BOOST_REQUIRE(parsed.has_value());
        BOOST_TEST((*parsed == c));
    }
    BOOST_TEST((parse_cipher_name("aes") == Cipher::aes256));
    BOOST_TEST(!parse_cipher_name("null").has_value());
    BOOST_TEST(!parse_cipher_name("AES").has_value());
}

// ----- known answers ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(spec_known_answers_every_cipher) {
    const Bytes pass = hex(kPassHex);
    const Bytes plain = hex(kPlainHex);
    for (const Known& k : kKnown) {
        BOOST_TEST_CONTEXT(name_of(k.cipher)) {
            auto bc = block(k.cipher, std::span(pass).first(k.key_len));
            Bytes buf = plain;
            bc->encrypt(buf);
            BOOST_TEST(to_hex(buf) == k.ciphertext);
            bc->decrypt(buf);
            BOOST_TEST(to_hex(buf) == kPlainHex);
            // And as an envelope: open() recovers the payload and checks the CRC.
            auto pc = packet(k.cipher, std::span(pass).first(k.key_len));
            Bytes wire = hex(k.ciphertext);
            const OpenedEnvelope r = pc->open(wire);
            BOOST_TEST((r.status == OpenStatus::ok));
            BOOST_TEST(to_hex(r.payload) == kPayloadHex);
        }
    }
}

BOOST_AUTO_TEST_CASE(spec_xor_table_prefix) {
    const Bytes pass = hex(kPassHex);
    auto bc = block(Cipher::xor_table, pass);
    Bytes zeros(32, 0);
    bc->encrypt(zeros);
    BOOST_TEST(to_hex(zeros) == "0ffe8987ad94757154791bc8fa01b62c6bce0106b2954013cd523fbc1f7aac8c");
}

BOOST_AUTO_TEST_CASE(spec_fec_aes128_datagram) {
    const Bytes pass = hex(kPassHex);
    auto pc = packet(Cipher::aes128, std::span(pass).first(16));
    const Bytes fec_payload =
        hex("00000000f1001f004433221151008000e803000000000000000000000500000068656c6c6f");
    Bytes buf(kHeaderSize + fec_payload.size());
    for (std::size_t i = 0; i < kNonceSize; ++i) buf[i] = static_cast<std::uint8_t>(i);
    std::memcpy(buf.data() + kHeaderSize, fec_payload.data(), fec_payload.size());
    const SealedEnvelope s = pc->seal_with_nonce(buf, fec_payload.size());
    BOOST_TEST((s.status == SealStatus::ok));
    BOOST_TEST(s.length == 57u);
    BOOST_TEST(to_hex(buf) ==
               "ddd7e0a7981ba3e2a7f6d51f2a266318e8933ee2ea18c8d33f44f44010b267ad"
               "350a43b996020bb599edffb3d72a7a0d3503784375f0f67627");
}

BOOST_AUTO_TEST_CASE(spec_aes128_gcm) {
    const Bytes pass = hex(kPassHex);
    auto pc = packet(Cipher::aes128_gcm, std::span(pass).first(16));
    BOOST_TEST(pc->overhead().header == 12u);
    BOOST_TEST(pc->overhead().trailer == 16u);
    struct {
        const char* plain;
        const char* wire;
    } cases[] = {
        {kPayloadHex,
         "000102030405060708090a0b17be27d65b6cc5c13f13fbdf0d6795721def429d453df549a2951fe22705aad"
         "5c66fa2793fbe84400d30edd95f"},
        {"00000000f1001f004433221151008000e803000000000000000000000500000068656c6c6f",
         "000102030405060708090a0b538d05c7fb6c5ac19323d9ce5c671572f5ec429d403df549caf0738e4db0762"
         "ab33a42cf6c00e8bf7f5cccc63a21ae1a7de00e3dd1"},
    };
    for (const auto& c : cases) {
        const Bytes plain = hex(c.plain);
        Bytes buf(12 + plain.size() + 16);
        for (std::size_t i = 0; i < 12; ++i) buf[i] = static_cast<std::uint8_t>(i);
        std::memcpy(buf.data() + 12, plain.data(), plain.size());
        const SealedEnvelope s = pc->seal_with_nonce(buf, plain.size());
        BOOST_TEST((s.status == SealStatus::ok));
        BOOST_TEST(to_hex(std::span(buf).first(s.length)) == c.wire);
        const OpenedEnvelope r = pc->open(std::span(buf).first(s.length));
        BOOST_TEST((r.status == OpenStatus::ok));
        BOOST_TEST(to_hex(r.payload) == c.plain);
    }
}

// ----- CFB against an independent implementation (Crypto++'s CFB_Mode) --------------------

namespace {

/// `rounds` 0: the cipher's default.
void set_key(CryptoPP::BlockCipher& cipher, const Bytes& key, int rounds) {
    if (rounds)
        cipher.SetKey(key.data(), key.size(),
                      CryptoPP::MakeParameters(CryptoPP::Name::Rounds(), rounds));
    else
        cipher.SetKey(key.data(), key.size());
}

template <typename T>
Bytes reference_cfb(const Bytes& key, const Bytes& plain, int rounds = 0) {
    typename T::Encryption cipher;
    set_key(cipher, key, rounds);
    const std::uint8_t iv[16] = {0xa7, 0x73, 0x4f, 0x9c, 0x12, 0xac, 0x1b, 0x01,
                                 0xa4, 0x15, 0xf2, 0xc1, 0xfc, 0x78, 0xe6, 0x6b};
    CryptoPP::CFB_Mode_ExternalCipher::Encryption cfb(cipher, iv);
    Bytes out(plain.size());
    if (!plain.empty()) cfb.ProcessData(out.data(), plain.data(), plain.size());
    return out;
}

Bytes reference_for(Cipher c, const Bytes& key, const Bytes& plain) {
    switch (c) {
        case Cipher::aes128:
        case Cipher::aes192:
        case Cipher::aes256:
            return reference_cfb<CryptoPP::AES>(key, plain);
        case Cipher::tea:
            return reference_cfb<CryptoPP::TEA>(key, plain, 8);
        case Cipher::xtea:
            return reference_cfb<CryptoPP::XTEA>(key, plain);
        case Cipher::triple_des:
            return reference_cfb<CryptoPP::DES_EDE3>(key, plain);
        case Cipher::blowfish:
            return reference_cfb<CryptoPP::Blowfish>(key, plain);
        case Cipher::cast5:
            return reference_cfb<CryptoPP::CAST128>(key, plain);
        case Cipher::sm4:
            return reference_cfb<CryptoPP::SM4>(key, plain);
        case Cipher::twofish:
            return reference_cfb<CryptoPP::Twofish>(key, plain);
        default:
            return {};
    }
}

const Cipher kCfbCiphers[] = {Cipher::aes128, Cipher::aes192,     Cipher::aes256,   Cipher::tea,
                              Cipher::xtea,   Cipher::triple_des, Cipher::blowfish, Cipher::cast5,
                              Cipher::sm4,    Cipher::twofish};

}  // namespace

BOOST_AUTO_TEST_CASE(cfb_matches_standard_cfb_on_every_length) {
    std::mt19937_64 rng(11);
    for (Cipher c : kCfbCiphers) {
        const Bytes key = test_key(c);
        auto bc = block(c, key);
        for (std::size_t n = 0; n <= 300; ++n) {
            const Bytes plain = random_bytes(rng, n);
            Bytes buf = plain;
            bc->encrypt(buf);
            if (buf != reference_for(c, key, plain))
                BOOST_FAIL(name_of(c) << " encrypt differs from CFB_Mode at length " << n);
            bc->decrypt(buf);
            if (buf != plain) BOOST_FAIL(name_of(c) << " round trip fails at length " << n);
        }
    }
}

BOOST_AUTO_TEST_CASE(aesni_and_portable_aes_agree) {
    std::mt19937_64 rng(12);
    for (std::size_t key_len : {16, 24, 32}) {
        const Bytes key = random_bytes(rng, key_len);
        const kcpkit::crypt::detail::AesEngine fast(key);
        const kcpkit::crypt::detail::AesEngine portable(key, true);
        BOOST_TEST_MESSAGE("AES-NI in use: " << fast.uses_aesni());
        for (std::size_t n : {0, 1, 15, 16, 17, 127, 128, 129, 255, 256, 1400, 1500}) {
            const Bytes plain = random_bytes(rng, n);
            Bytes a = plain, b = plain;
            fast.cfb_encrypt(a.data(), a.size());
            portable.cfb_encrypt(b.data(), b.size());
            BOOST_TEST(a == b);
            fast.cfb_decrypt(a.data(), a.size());
            portable.cfb_decrypt(b.data(), b.size());
            BOOST_TEST(a == plain);
            BOOST_TEST(b == plain);
            Bytes blocks = random_bytes(rng, 16 * 19), c1 = blocks, c2 = blocks;
            fast.encrypt_blocks(c1.data(), c1.data(), 19);
            portable.encrypt_blocks(c2.data(), c2.data(), 19);
            BOOST_TEST(c1 == c2);
        }
    }
}

BOOST_AUTO_TEST_CASE(own_gcm_matches_cryptopp_gcm) {
    using kcpkit::crypt::detail::AesGcm;
    std::mt19937_64 rng(14);
    for (std::size_t key_len : {16, 24, 32}) {
        const Bytes key = random_bytes(rng, key_len);
        AesGcm portable(key, AesGcm::Path::portable);
        AesGcm aesni(key, AesGcm::Path::aesni);
        AesGcm vaes_avx2(key, AesGcm::Path::vaes_avx2);
        AesGcm vaes_avx512(key, AesGcm::Path::vaes_avx512);
        BOOST_TEST_MESSAGE("GCM paths: aesni "
                           << (aesni.path() == AesGcm::Path::aesni) << ", vaes_avx2 "
                           << (vaes_avx2.path() == AesGcm::Path::vaes_avx2) << ", vaes_avx512 "
                           << (vaes_avx512.path() == AesGcm::Path::vaes_avx512));
        for (std::size_t n = 0; n <= 1500; n += (n < 600 ? 1 : 23)) {
            const Bytes nonce = random_bytes(rng, 12);
            const Bytes plain = random_bytes(rng, n);
            Bytes ref = plain;
            std::uint8_t ref_tag[16];
            portable.seal(nonce.data(), ref.data(), n, ref_tag);
            BOOST_REQUIRE(portable.open(nonce.data(), ref.data(), n, ref_tag));
            BOOST_REQUIRE(ref == plain);
            portable.seal(nonce.data(), ref.data(), n, ref_tag);
            for (AesGcm* g : {&aesni, &vaes_avx2, &vaes_avx512}) {
                Bytes a = plain;
                std::uint8_t tag[16];
                g->seal(nonce.data(), a.data(), n, tag);
                if (a != ref || std::memcmp(tag, ref_tag, 16) != 0)
                    BOOST_FAIL("GCM differs from Crypto++ at key " << key_len << " length " << n);
                BOOST_REQUIRE(g->open(nonce.data(), a.data(), n, tag));
                BOOST_REQUIRE(a == plain);
                Bytes b = ref;
                tag[n % 16] ^= 1;
                BOOST_REQUIRE(!g->open(nonce.data(), b.data(), n, tag));
                if (n > 0) {
                    b = ref;
                    b[n / 2] ^= 0x10;
                    tag[n % 16] ^= 1;
                    BOOST_REQUIRE(!g->open(nonce.data(), b.data(), n, tag));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(gcm_nist_test_case_4) {
    // The GCM specification's test case 4 uses additional data; case 3 (no AAD, 64 bytes)
    // fits our layout: key feffe9..., nonce cafebabefacedbaddecaf888.
    const Bytes key = hex("feffe9928665731c6d6a8f9467308308");
    const Bytes nonce = hex("cafebabefacedbaddecaf888");
    Bytes text =
        hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e"
            "2449a6b525b16aedf5aa0de657ba637b391aafd255");
    kcpkit::crypt::detail::AesGcm gcm(key);
    std::uint8_t tag[16];
    gcm.seal(nonce.data(), text.data(), text.size(), tag);
    BOOST_TEST(to_hex(text) ==
               "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8"
               "f6a5aac84aa051ba30b396a0aac973d58e091473f5985");
    BOOST_TEST(to_hex(std::span(tag, 16)) == "4d5c2af327cd64a62cf35abd2ba6fab4");
}

BOOST_AUTO_TEST_CASE(aes_fips197_block) {
    const Bytes key = hex("000102030405060708090a0b0c0d0e0f");
    const kcpkit::crypt::detail::AesEngine aes(key);
    Bytes block = hex("00112233445566778899aabbccddeeff");
    aes.encrypt_blocks(block.data(), block.data(), 1);
    BOOST_TEST(to_hex(block) == "69c4e0d86a7b0430d8cdb78070b4c55a");
}

// ----- odd lengths, short buffers, per-cipher quirks ----------------------------------------

BOOST_AUTO_TEST_CASE(round_trip_every_cipher_every_odd_length) {
    std::mt19937_64 rng(13);
    for (Cipher c : kAllCiphers) {
        if (is_aead(c)) continue;
        auto bc = block(c, test_key(c));
        for (std::size_t n :
             {0,  1,  2,  7,   8,   9,   15,   16,   17,   19,   20,   21,   31,
              33, 63, 65, 100, 127, 129, 1399, 1400, 1401, 1499, 1500, 1501, 1600}) {
            const Bytes plain = random_bytes(rng, n);
            Bytes buf = plain;
            bc->encrypt(buf);
            bc->decrypt(buf);
            BOOST_TEST(buf == plain, name_of(c) << " length " << n);
        }
    }
}

BOOST_AUTO_TEST_CASE(salsa20_leaves_short_buffers_and_the_nonce_alone) {
    auto bc = block(Cipher::salsa20, test_key(Cipher::salsa20));
    for (std::size_t n = 0; n < 8; ++n) {
        Bytes b(n, 0x5a);
        bc->encrypt(b);
        BOOST_TEST(b == Bytes(n, 0x5a));
    }
    Bytes b(40, 0x5a);
    bc->encrypt(b);
    BOOST_TEST(std::equal(b.begin(), b.begin() + 8, Bytes(8, 0x5a).begin()));
    BOOST_TEST(b[8] != 0x5a);  // (probability 1/256 of a false failure is fixed by the key)
}

BOOST_AUTO_TEST_CASE(salsa20_key_is_zero_padded_or_truncated) {
    const Bytes short_key = {1, 2, 3};
    Bytes padded(32, 0);
    padded[0] = 1, padded[1] = 2, padded[2] = 3;
    Bytes long_key = padded;
    long_key.push_back(99);
    Bytes a(100, 7), b(100, 7), c(100, 7);
    block(Cipher::salsa20, short_key)->encrypt(a);
    block(Cipher::salsa20, padded)->encrypt(b);
    block(Cipher::salsa20, long_key)->encrypt(c);
    BOOST_TEST(a == b);
    BOOST_TEST(b == c);
}

BOOST_AUTO_TEST_CASE(fast_salsa20_paths_match_cryptopp) {
    using kcpkit::crypt::detail::Salsa20Xor;
    using Path = Salsa20Xor::Path;
    // ECRYPT Salsa20/20, 256-bit key, set 1 vector 0 (key 80 00 .. 00, IV 0), stream[0..63].
    const Bytes vector_key_bytes =
        hex("8000000000000000000000000000000000000000000000000000000000000000");
    const Bytes vector_stream =
        hex("e3be8fdd8beca2e3ea8ef9475b29a6e7003951e1097a5c38d23b7a5fad9f6844"
            "b22c97559e2723c7cbbd3fe4fc8d9a0744652a83e72a9c461876af4d7ef1a117");
    std::array<std::uint8_t, 32> vector_key{};
    std::copy(vector_key_bytes.begin(), vector_key_bytes.end(), vector_key.begin());
    const std::uint8_t zero_nonce[8] = {};

    std::mt19937_64 rng(15);
    std::array<std::uint8_t, 32> key{};
    for (auto& b : key) b = static_cast<std::uint8_t>(rng());
    Salsa20Xor portable(key, Path::portable);
    BOOST_REQUIRE(portable.path() == Path::portable);
    {
        Salsa20Xor v(vector_key, Path::portable);
        Bytes ks(64, 0);
        v.apply(zero_nonce, ks.data(), ks.size());
        BOOST_TEST(ks == vector_stream);
    }
    for (Path want : {Path::avx2, Path::avx512}) {
        Salsa20Xor fast(key, want);
        const bool have = fast.path() == want;
        BOOST_TEST_MESSAGE("Salsa20 path " << static_cast<int>(want) << ": " << have);
        if (!have) continue;
        {
            Salsa20Xor v(vector_key, want);
            Bytes ks(64, 0);
            v.apply(zero_nonce, ks.data(), ks.size());
            BOOST_TEST(ks == vector_stream);
        }
        for (std::size_t n = 0; n <= 2200; ++n) {
            const Bytes nonce = random_bytes(rng, 8);
            const Bytes plain = random_bytes(rng, n);
            Bytes a = plain, b = plain;  // exactly n bytes: sanitizers see any overrun
            fast.apply(nonce.data(), a.data(), n);
            portable.apply(nonce.data(), b.data(), n);
            if (a != b)
                BOOST_FAIL("Salsa20 path " << static_cast<int>(want) << " differs at " << n);
            // Unaligned, with guard bytes after the end that must stay as they are.
            const std::size_t off = n % 7;
            Bytes g(off + n + 40, 0xa5);
            std::copy(plain.begin(), plain.end(), g.begin() + static_cast<std::ptrdiff_t>(off));
            fast.apply(nonce.data(), g.data() + off, n);
            if (!std::equal(b.begin(), b.end(), g.begin() + static_cast<std::ptrdiff_t>(off)) ||
                std::any_of(g.begin() + static_cast<std::ptrdiff_t>(off + n), g.end(),
                            [](std::uint8_t x) { return x != 0xa5; }) ||
                std::any_of(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(off),
                            [](std::uint8_t x) { return x != 0xa5; }))
                BOOST_FAIL("Salsa20 path " << static_cast<int>(want) << " unaligned/guard at "
                                           << n);
        }
    }
}

BOOST_AUTO_TEST_CASE(xor_stops_after_1500_bytes) {
    auto bc = block(Cipher::xor_table, test_key(Cipher::xor_table));
    Bytes b(1600, 0);
    bc->encrypt(b);
    BOOST_TEST(std::all_of(b.begin() + 1500, b.end(), [](std::uint8_t x) { return x == 0; }));
}

BOOST_AUTO_TEST_CASE(blowfish_short_keys_equal_their_repetition) {
    for (std::size_t n = 1; n <= 3; ++n) {
        Bytes key(n);
        for (std::size_t i = 0; i < n; ++i) key[i] = static_cast<std::uint8_t>(0x41 + i);
        Bytes repeated;
        while (repeated.size() < 12) repeated.insert(repeated.end(), key.begin(), key.end());
        Bytes a(50, 1), b(50, 1);
        block(Cipher::blowfish, key)->encrypt(a);
        block(Cipher::blowfish, repeated)->encrypt(b);
        BOOST_TEST(a == b);
    }
}

BOOST_AUTO_TEST_CASE(constructors_reject_bad_keys) {
    const Bytes k(64, 1);
    auto len = [&](std::size_t n) { return std::span(k).first(n); };
    BOOST_TEST((make_block_crypt(Cipher::aes128, len(24)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::aes256, len(16)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::tea, len(15)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::triple_des, len(16)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::cast5, len(10)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::sm4, len(32)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::twofish, len(20)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::blowfish, len(0)).error() == ConfigError::bad_key));
    BOOST_TEST((make_block_crypt(Cipher::blowfish, len(57)).error() == ConfigError::bad_key));
    BOOST_TEST(
        (make_block_crypt(Cipher::aes128_gcm, len(16)).error() == ConfigError::not_block_cipher));
    BOOST_TEST((make_packet_crypt(Cipher::aes128_gcm, len(32)).error() == ConfigError::bad_key));
    BOOST_TEST((make_packet_crypt("rot13", len(16)).error() == ConfigError::unknown_cipher));
    BOOST_TEST(bool(make_packet_crypt("aes", len(32))));
    BOOST_TEST(bool(make_block_crypt(Cipher::salsa20, len(0))));
    BOOST_TEST(bool(make_block_crypt(Cipher::xor_table, len(0))));
    BOOST_TEST(bool(make_block_crypt(Cipher::none, len(0))));
    for (std::size_t n = 0; n <= 64; ++n)
        for (Cipher c : kAllCiphers)
            BOOST_TEST(bool(make_packet_crypt(c, len(n))) == key_length_ok(c, n));
}

// ----- the envelope -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(seal_open_round_trip_every_cipher) {
    std::mt19937_64 rng(21);
    CountingNonces nonces;
    for (Cipher c : kAllCiphers) {
        auto pc = packet(c, test_key(c));
        const Overhead o = pc->overhead();
        BOOST_TEST(o.header == (is_aead(c) ? 12u : 20u));
        for (std::size_t n : {0, 1, 15, 16, 17, 100, 1372, 1400}) {
            const Bytes payload = random_bytes(rng, n);
            Bytes buf(o.total() + n + 5, 0xEE);
            std::copy(payload.begin(), payload.end(), buf.begin() + o.header);
            const SealedEnvelope s = pc->seal(buf, n, nonces);
            BOOST_REQUIRE((s.status == SealStatus::ok));
            BOOST_TEST(s.length == o.total() + n);
            BOOST_TEST(buf[s.length] == 0xEE);  // nothing written past the datagram
            const OpenedEnvelope r = pc->open(std::span(buf).first(s.length));
            BOOST_REQUIRE((r.status == OpenStatus::ok));
            BOOST_TEST(Bytes(r.payload.begin(), r.payload.end()) == payload);
            BOOST_TEST(r.payload.data() == buf.data() + o.header);
        }
    }
}

BOOST_AUTO_TEST_CASE(seal_reports_no_room) {
    CountingNonces nonces;
    for (Cipher c : kAllCiphers) {
        auto pc = packet(c, test_key(c));
        Bytes buf(pc->overhead().total() + 9, 0x11);
        BOOST_TEST((pc->seal(buf, 10, nonces).status == SealStatus::no_room));
        BOOST_TEST(buf == Bytes(buf.size(), 0x11));  // left alone
        BOOST_TEST(nonces.next == 0);                // no nonce drawn
        Bytes tiny(3);
        BOOST_TEST((pc->seal(tiny, 0, nonces).status == SealStatus::no_room));
        BOOST_TEST((pc->seal_with_nonce(tiny, 0).status == SealStatus::no_room));
        BOOST_TEST((pc->seal(buf, 9, nonces).status == SealStatus::ok));
        nonces.next = 0;
    }
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_is_rejected) {
    std::mt19937_64 rng(22);
    CountingNonces nonces;
    for (Cipher c : kAllCiphers) {
        auto pc = packet(c, test_key(c));
        const Overhead o = pc->overhead();
        const std::size_t n = 57;
        Bytes buf(o.total() + n);
        const Bytes payload = random_bytes(rng, n);
        std::memcpy(buf.data() + o.header, payload.data(), n);
        const SealedEnvelope s = pc->seal(buf, n, nonces);
        BOOST_REQUIRE((s.status == SealStatus::ok));
        const OpenStatus want =
            is_aead(c) ? OpenStatus::auth_failed : OpenStatus::checksum_mismatch;
        for (std::size_t at = 0; at < s.length; ++at) {
            // What a flip there damages is only the nonce, which no one checks (as in kcp-go):
            // none and XOR leave the nonce uncovered; with 8-byte blocks a flip in the first
            // block garbles that block and the next, both still inside the nonce; Salsa20's
            // bytes 8..15 are plain stream bytes (its bytes 0..7 are keystream inputs, so
            // changing them does fail the CRC).
            const bool eight_byte_block = c == Cipher::tea || c == Cipher::xtea ||
                                          c == Cipher::triple_des || c == Cipher::blowfish ||
                                          c == Cipher::cast5;
            if ((c == Cipher::none || c == Cipher::xor_table) && at < kNonceSize) continue;
            if (eight_byte_block && at < 8) continue;
            if (c == Cipher::salsa20 && at >= 8 && at < kNonceSize) continue;
            Bytes copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(s.length));
            copy[at] ^= 0x01;
            const OpenedEnvelope r = pc->open(copy);
            if (r.status != want)
                BOOST_FAIL(name_of(c) << ": flip at " << at << " gave " << name_of(r.status));
            BOOST_TEST(r.payload.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(truncated_datagrams_are_rejected_with_a_code) {
    for (Cipher c : kAllCiphers) {
        auto pc = packet(c, test_key(c));
        const std::size_t minimum = pc->overhead().total();
        for (std::size_t n = 0; n < minimum; ++n) {
            Bytes d(n, 0x33);
            const OpenedEnvelope r = pc->open(d);
            BOOST_TEST((r.status == OpenStatus::truncated), name_of(c) << " length " << n);
            BOOST_TEST(r.payload.empty());
        }
        // An empty payload is a valid datagram.
        CountingNonces nonces;
        Bytes d(minimum);
        const SealedEnvelope s = pc->seal(d, 0, nonces);
        BOOST_TEST((pc->open(std::span(d).first(s.length)).status == OpenStatus::ok));
    }
}

BOOST_AUTO_TEST_CASE(random_datagrams_never_crash) {
    std::mt19937_64 rng(23);
    std::size_t accepted = 0;
    for (Cipher c : kAllCiphers) {
        auto pc = packet(c, test_key(c));
        for (int i = 0; i < 400; ++i) {
            const std::size_t n = rng() % 1601;
            Bytes d = random_bytes(rng, n);
            const OpenedEnvelope r = pc->open(d);
            switch (r.status) {
                case OpenStatus::ok:
                    ++accepted;
                    BOOST_TEST(r.payload.size() + pc->overhead().total() == n);
                    break;
                case OpenStatus::truncated:
                    BOOST_TEST(n < pc->overhead().total());
                    break;
                case OpenStatus::checksum_mismatch:
                case OpenStatus::auth_failed:
                    break;
                default:
                    BOOST_FAIL("unexpected status " << name_of(r.status));
            }
        }
        // Also random keys of random lengths for the constructors.
        for (int i = 0; i < 20; ++i) {
            const Bytes key = random_bytes(rng, rng() % 70);
            const auto made = make_packet_crypt(c, key);
            BOOST_TEST(made.has_value() == key_length_ok(c, key.size()));
            if (!made) BOOST_TEST((made.error() == ConfigError::bad_key));
        }
    }
    BOOST_TEST(accepted == 0u);  // a random datagram passing a CRC-32 would be a 2^-32 event
}

// ----- batches ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(batch_encrypt_equals_single) {
    std::mt19937_64 rng(31);
    for (Cipher c : kAllCiphers) {
        if (is_aead(c)) continue;
        auto bc = block(c, test_key(c));
        for (int round = 0; round < 20; ++round) {
            const std::size_t count = 1 + rng() % 21;
            std::vector<Bytes> plain, single, batch;
            for (std::size_t i = 0; i < count; ++i) {
                // Mixed sizes: empty, shorter than a block, tails, full MTU.
                static const std::size_t sizes[] = {0, 1, 5, 15, 16, 17, 20, 33, 100, 1400, 1420};
                const std::size_t n = rng() % 3 == 0 ? sizes[rng() % 11] : rng() % 1501;
                plain.push_back(random_bytes(rng, n));
            }
            single = plain;
            batch = plain;
            for (auto& b : single) bc->encrypt(b);
            std::vector<std::span<std::uint8_t>> spans(batch.begin(), batch.end());
            bc->encrypt_batch(spans);
            BOOST_REQUIRE_MESSAGE(batch == single, name_of(c) << " round " << round);
            bc->decrypt_batch(spans);
            BOOST_REQUIRE(batch == plain);
        }
    }
}

BOOST_AUTO_TEST_CASE(seal_batch_and_open_batch_equal_single_calls) {
    std::mt19937_64 rng(32);
    for (Cipher c : kAllCiphers) {
        auto pc = packet(c, test_key(c));
        const Overhead o = pc->overhead();
        const std::size_t count = 45;  // more than one internal group of 32
        std::vector<Bytes> one, many;
        std::vector<std::size_t> lens;
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t n = i == 7 ? 0 : rng() % 1400;
            Bytes b(o.total() + n + (i == 3 ? 0 : 4));
            const Bytes payload = random_bytes(rng, n);
            std::copy(payload.begin(), payload.end(), b.begin() + o.header);
            lens.push_back(i == 3 ? n + 1 : n);  // job 3 has no room
            one.push_back(b);
            many.push_back(b);
        }
        CountingNonces n1, n2;
        std::vector<SealedEnvelope> singles;
        for (std::size_t i = 0; i < count; ++i) singles.push_back(pc->seal(one[i], lens[i], n1));
        std::vector<SealJob> jobs;
        for (std::size_t i = 0; i < count; ++i) jobs.push_back({many[i], lens[i], {}});
        pc->seal_batch(jobs, n2);
        for (std::size_t i = 0; i < count; ++i) {
            BOOST_TEST((jobs[i].result.status == singles[i].status));
            BOOST_TEST(jobs[i].result.length == singles[i].length);
            BOOST_TEST(many[i] == one[i], name_of(c) << " job " << i);
        }
        BOOST_TEST((jobs[3].result.status == SealStatus::no_room));
        // Open them all, one corrupted and one truncated.
        std::vector<OpenJob> opens;
        for (std::size_t i = 0; i < count; ++i)
            opens.push_back({std::span(many[i]).first(jobs[i].result.length), {}});
        many[10][o.header] ^= 0x80;
        opens[3].datagram = std::span(many[3]).first(5);
        pc->open_batch(opens);
        for (std::size_t i = 0; i < count; ++i) {
            const OpenStatus want =
                i == 3    ? OpenStatus::truncated
                : i == 10 ? (is_aead(c) ? OpenStatus::auth_failed : OpenStatus::checksum_mismatch)
                          : OpenStatus::ok;
            BOOST_TEST((opens[i].result.status == want), name_of(c) << " open " << i);
            if (want == OpenStatus::ok) BOOST_TEST(opens[i].result.payload.size() == lens[i]);
        }
    }
}

// ----- nonce source -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(aes_ctr_nonce_source) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = 1;
    AesCtrNonceSource a(seed), b(seed);
    std::array<std::uint8_t, 32> other_seed{};
    other_seed[0] = 2;
    AesCtrNonceSource c(other_seed);
    Bytes x(5000), y(5000), z(5000);
    // Uneven request sizes cross refill boundaries.
    for (std::size_t at = 0, step = 1; at < x.size(); at += step, step = step % 37 + 3) {
        const std::size_t n = std::min(step, x.size() - at);
        a.fill(std::span(x).subspan(at, n));
    }
    b.fill(y);
    c.fill(z);
    BOOST_TEST(x == y);  // same seed, same stream, however it is asked for
    BOOST_TEST(x != z);
    // No 16-byte nonce repeats, and bytes look uniform (a weak sanity check).
    std::set<Bytes> seen;
    for (std::size_t i = 0; i + 16 <= x.size(); i += 16)
        seen.insert(Bytes(x.begin() + i, x.begin() + i + 16));
    BOOST_TEST(seen.size() == x.size() / 16);
    std::size_t ones = 0;
    for (auto v : x) ones += static_cast<std::size_t>(__builtin_popcount(v));
    BOOST_TEST(ones > x.size() * 8 * 45 / 100);
    BOOST_TEST(ones < x.size() * 8 * 55 / 100);
    a.reseed(other_seed);
    Bytes w(100);
    a.fill(w);
    BOOST_TEST(std::equal(w.begin(), w.end(), z.begin()));
}

namespace {

/// Our cipher `Own` (cfb_encrypt, cfb_decrypt, encrypt_block) against the generic CFB over
/// Crypto++'s `Ref`, for random keys and every length 0..1600.
template <typename Ref, typename MakeOwn>
void own_cfb_matches_cryptopp(std::uint64_t seed, int rounds, MakeOwn make_own) {
    std::mt19937_64 rng(seed);
    for (int k = 0; k < 4; ++k) {
        const Bytes key = random_bytes(rng, 16);
        typename Ref::Encryption ref;
        set_key(ref, key, rounds);
        const auto own = make_own(std::span<const std::uint8_t, 16>(key.data(), 16));
        const std::size_t b = ref.BlockSize();
        Bytes first(b), block = random_bytes(rng, b), mine(b), theirs(b);
        ref.ProcessBlock(kcpkit::crypt::detail::kCfbIv, first.data());
        own->encrypt_block(block.data(), mine.data());
        ref.ProcessBlock(block.data(), theirs.data());
        BOOST_TEST(mine == theirs);
        for (std::size_t n = 0; n <= 1600; ++n) {
            const Bytes plain = random_bytes(rng, n);
            Bytes a = plain, c = plain;  // exactly n bytes: sanitizers see any overrun
            own->cfb_encrypt(a.data(), n);
            kcpkit::crypt::detail::cfb_encrypt_generic(ref, first.data(), c.data(), n);
            if (a != c) BOOST_FAIL("encrypt differs from Crypto++ at length " << n);
            Bytes d = c;
            own->cfb_decrypt(a.data(), n);
            kcpkit::crypt::detail::cfb_decrypt_generic(ref, d.data(), n);
            if (a != plain || d != plain) BOOST_FAIL("decrypt differs at length " << n);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(own_sm4_matches_cryptopp) {
    using kcpkit::crypt::detail::Sm4Cfb;
    // GB/T 32907 example 1: key = plaintext.
    const Bytes key = hex("0123456789abcdeffedcba9876543210");
    Bytes block = key;
    Sm4Cfb(std::span<const std::uint8_t, 16>(key.data(), 16))
        .encrypt_block(block.data(), block.data());
    BOOST_TEST(to_hex(block) == "681edf34d206965e86b3e94f536e4246");
    own_cfb_matches_cryptopp<CryptoPP::SM4>(21, 0,
                                            [](auto k) { return std::make_unique<Sm4Cfb>(k); });
}

BOOST_AUTO_TEST_CASE(own_tea_and_xtea_match_cryptopp_on_every_path) {
    using kcpkit::crypt::detail::TeaCfb;
    for (bool avx2 : {false, true}) {
        BOOST_TEST_MESSAGE(
            "TEA/XTEA decrypt on AVX2: "
            << TeaCfb(TeaCfb::Variant::tea16, std::array<std::uint8_t, 16>{}, avx2).uses_avx2());
        BOOST_TEST_CONTEXT("avx2 allowed " << avx2) {
            // kcp-go's TEA has 16 rounds: Crypto++'s 8 cycles.
            own_cfb_matches_cryptopp<CryptoPP::TEA>(22, 8, [avx2](auto k) {
                return std::make_unique<TeaCfb>(TeaCfb::Variant::tea16, k, avx2);
            });
            own_cfb_matches_cryptopp<CryptoPP::XTEA>(23, 0, [avx2](auto k) {
                return std::make_unique<TeaCfb>(TeaCfb::Variant::xtea, k, avx2);
            });
        }
    }
}

BOOST_AUTO_TEST_CASE(outcome_names_are_the_vector_files_words) {
    // kcpvec/1's expect_error values and kcp-conform's messages use these words.
    BOOST_TEST(name_of(OpenStatus::truncated) == "truncated");
    BOOST_TEST(name_of(OpenStatus::checksum_mismatch) == "checksum_mismatch");
    BOOST_TEST(name_of(OpenStatus::auth_failed) == "auth_failed");
    BOOST_TEST(name_of(SealStatus::no_room) == "no_room");
    BOOST_TEST(name_of(ConfigError::bad_key) == "bad_key");
    BOOST_TEST(name_of(ConfigError::unknown_cipher) == "unknown_cipher");
    BOOST_TEST(name_of(ConfigError::not_block_cipher) == "not_block_cipher");
    BOOST_TEST(kcpkit::values_of<OpenStatus>().size() == 4u);
}
