#include "kcpkit/kcptun/kcptun.hpp"

#include <array>

namespace kcpkit::kcptun {

namespace {

constexpr std::array<Mode, 4> kModes{{
    {"normal", {0, 40, 2, 1}},
    {"fast", {0, 30, 2, 1}},
    {"fast2", {1, 20, 2, 1}},
    {"fast3", {1, 10, 2, 1}},
}};

}  // namespace

// ----- --mode ------------------------------------------------------------------------------

std::span<const Mode> modes() {
    return kModes;
}

std::optional<NoDelay> kcptun_mode(std::string_view name) {
    for (const Mode& m : kModes)
        if (m.name == name) return m.quad;
    return std::nullopt;
}

std::optional<NoDelay> kcptun_nodelay(std::string_view name, const NoDelay& manual) {
    if (name == kManualMode) return manual;
    return kcptun_mode(name);
}

std::string_view mode_names() {
    return "normal, fast, fast2, fast3 or manual";
}

// ----- --crypt / --key -----------------------------------------------------------------------

CryptChoice resolve_crypt(std::string_view crypt_name, UnknownCrypt unknown) {
    const crypt::KcptunCrypt k = crypt::resolve_kcptun_crypt(crypt_name);
    if (!k.has_layer) return {true, false, std::nullopt};
    if (!k.fell_back) return {true, false, k.cipher};
    if (const auto core = crypt::parse_cipher_name(crypt_name)) return {true, false, *core};
    if (unknown == UnknownCrypt::fall_back_to_aes_256) return {true, true, crypt::Cipher::aes256};
    return {};
}

CryptChoice resolve_crypt_for_key(std::string_view crypt_name, std::size_t key_length,
                                  UnknownCrypt unknown) {
    CryptChoice choice = resolve_crypt(crypt_name, unknown);
    if (crypt_name == "aes") {
        if (key_length == 16) choice.cipher = crypt::Cipher::aes128;
        if (key_length == 24) choice.cipher = crypt::Cipher::aes192;
    }
    return choice;
}

std::vector<std::uint8_t> derive_key(crypt::Cipher cipher, std::string_view passphrase,
                                     std::string_view salt, unsigned iterations) {
    std::vector<std::uint8_t> key(crypt::kKcptunPassSize);
    crypt::pbkdf2_hmac_sha1(crypt::as_bytes_view(passphrase), crypt::as_bytes_view(salt),
                            iterations, key);
    key.resize(crypt::kcptun_key_length(cipher));
    return key;
}

std::string_view config_error_name(ConfigError error) {
    switch (error) {
        case ConfigError::none:
            return "none";
        case ConfigError::unknown_crypt:
            return "unknown_crypt";
        case ConfigError::aead_on_561:
            return "aead_on_561";
    }
    return "?";
}

namespace {

/// Everything but the key bytes; the pass is only derived once the name is known to need it.
template <typename PassFn>
FrameConfigResult frame_config_with(std::string_view crypt_name, const kcpgo::Release& release,
                                    UnknownCrypt unknown, PassFn&& pass) {
    FrameConfigResult r;
    const CryptChoice choice = resolve_crypt(crypt_name, unknown);
    if (!choice.known) {
        r.error = ConfigError::unknown_crypt;
        return r;
    }
    if (choice.cipher && crypt::is_aead(*choice.cipher) && !release.frame.aead) {
        r.error = ConfigError::aead_on_561;
        return r;
    }
    r.fell_back = choice.fell_back;
    r.config.behaviour = release.frame;
    r.config.cipher = choice.cipher;
    if (choice.cipher) {
        const crypt::KcptunPass derived = pass();
        const auto key = crypt::kcptun_key(*choice.cipher, derived);
        r.config.key.assign(key.begin(), key.end());
    }
    return r;
}

}  // namespace

FrameConfigResult kcptun_frame_config(std::string_view crypt_name, std::string_view passphrase,
                                      const kcpgo::Release& release, UnknownCrypt unknown) {
    return frame_config_with(crypt_name, release, unknown,
                             [&] { return crypt::kcptun_pass(passphrase); });
}

FrameConfigResult kcptun_frame_config(std::string_view crypt_name, const crypt::KcptunPass& pass,
                                      const kcpgo::Release& release, UnknownCrypt unknown) {
    return frame_config_with(crypt_name, release, unknown, [&] { return pass; });
}

}  // namespace kcpkit::kcptun
