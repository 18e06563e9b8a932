#include "kcpkit/crypt/key_derivation.hpp"

#include <cryptopp/pwdbased.h>
#include <cryptopp/sha.h>

namespace kcpkit::crypt {

void pbkdf2_hmac_sha1(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                      unsigned iterations, std::span<std::uint8_t> out) {
    CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA1> kdf;
    kdf.DeriveKey(out.data(), out.size(), 0, password.data(), password.size(), salt.data(),
                  salt.size(), iterations == 0 ? 1 : iterations, 0.0);
}

KcptunPass kcptun_pass(std::string_view key) {
    KcptunPass pass{};
    pbkdf2_hmac_sha1(as_bytes_view(key), as_bytes_view(kKcptunSalt), kKcptunIterations, pass);
    return pass;
}

std::size_t kcptun_key_length(Cipher cipher) {
    switch (cipher) {
        case Cipher::aes128:
        case Cipher::aes128_gcm:
        case Cipher::tea:
        case Cipher::xtea:
        case Cipher::cast5:
        case Cipher::sm4:
            return 16;
        case Cipher::aes192:
        case Cipher::aes192_gcm:
        case Cipher::triple_des:
            return 24;
        case Cipher::none:
        case Cipher::xor_table:
        case Cipher::aes256:
        case Cipher::aes256_gcm:
        case Cipher::blowfish:
        case Cipher::salsa20:
        case Cipher::twofish:
            return 32;
    }
    return 32;
}

std::span<const std::uint8_t> kcptun_key(Cipher cipher, const KcptunPass& pass) {
    return std::span<const std::uint8_t>(pass).first(kcptun_key_length(cipher));
}

KcptunCrypt resolve_kcptun_crypt(std::string_view name) {
    static constexpr struct {
        std::string_view name;
        Cipher cipher;
    } kNames[] = {
        {"aes", Cipher::aes256},      {"aes-128", Cipher::aes128},
        {"aes-192", Cipher::aes192},  {"aes-128-gcm", Cipher::aes128_gcm},
        {"salsa20", Cipher::salsa20}, {"blowfish", Cipher::blowfish},
        {"twofish", Cipher::twofish}, {"cast5", Cipher::cast5},
        {"3des", Cipher::triple_des}, {"tea", Cipher::tea},
        {"xtea", Cipher::xtea},       {"xor", Cipher::xor_table},
        {"sm4", Cipher::sm4},         {"none", Cipher::none},
    };
    if (name == "null") return {false, Cipher::none, false};
    for (const auto& n : kNames)
        if (n.name == name) return {true, n.cipher, false};
    return {true, Cipher::aes256, true};
}

Expected<std::unique_ptr<PacketCrypt>, ConfigError> make_kcptun_crypt(std::string_view crypt_name,
                                                                      std::string_view key) {
    const KcptunCrypt resolved = resolve_kcptun_crypt(crypt_name);
    if (!resolved.has_layer) return std::unique_ptr<PacketCrypt>();
    const KcptunPass pass = kcptun_pass(key);
    return make_packet_crypt(resolved.cipher, kcptun_key(resolved.cipher, pass));
}

}  // namespace kcpkit::crypt
