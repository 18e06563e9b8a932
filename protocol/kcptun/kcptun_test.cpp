#define BOOST_TEST_MODULE kcptun
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "kcpkit/kcptun/kcptun.hpp"

using namespace kcpkit;
using kcptun::NoDelay;

namespace {

std::string hex(std::span<const std::uint8_t> b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::uint8_t x : b) {
        s += digits[x >> 4];
        s += digits[x & 15];
    }
    return s;
}

// docs/crypt.md, kcptun's keys: PBKDF2-HMAC-SHA1("it's a secrect", "kcp-go", 4096, 32).
constexpr std::string_view kDefaultPassHex =
    "25d7d7bd51050742d8d791f2b653c6c8b2366b7e25a124cf7a2e12eaf4ffa444";

}  // namespace

// ----- --mode ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(presets_are_kcptuns) {
    BOOST_TEST((kcptun::kcptun_mode("normal") == NoDelay{0, 40, 2, 1}));
    BOOST_TEST((kcptun::kcptun_mode("fast") == NoDelay{0, 30, 2, 1}));
    BOOST_TEST((kcptun::kcptun_mode("fast2") == NoDelay{1, 20, 2, 1}));
    BOOST_TEST((kcptun::kcptun_mode("fast3") == NoDelay{1, 10, 2, 1}));
    BOOST_TEST(!kcptun::kcptun_mode("manual"));
    BOOST_TEST(!kcptun::kcptun_mode("Fast"));
    BOOST_TEST(kcptun::modes().size() == 4u);
    BOOST_TEST(kcptun::kDefaultMode == "fast");
}

BOOST_AUTO_TEST_CASE(one_manual_rule) {
    // manual starts from kcptun's flag defaults, whatever the preset default is
    BOOST_TEST((kcptun::kcptun_nodelay("manual") == NoDelay{0, 50, 0, 0}));
    const NoDelay mine{1, 15, 3, 0};
    BOOST_TEST((kcptun::kcptun_nodelay("manual", mine) == mine));
    // a preset ignores the manual flags
    BOOST_TEST((kcptun::kcptun_nodelay("fast3", mine) == NoDelay{1, 10, 2, 1}));
    // unknown names are refused (kcptun would silently run them as manual)
    BOOST_TEST(!kcptun::kcptun_nodelay("turbo", mine));
    BOOST_TEST(!kcptun::kcptun_nodelay("", mine));
}

BOOST_AUTO_TEST_CASE(mode_table_equals_the_committed_literal_shared_with_go) {
    // The same file is read by interop/internal/kcptun's Go test against modes.go.
    std::ifstream in("interop/internal/kcptun/modes.json");
    BOOST_REQUIRE_MESSAGE(in, "run from the source tree (CTest does)");
    const auto j = nlohmann::json::parse(in);
    BOOST_TEST(j.at("default_mode").get<std::string>() == std::string(kcptun::kDefaultMode));
    const auto& m = j.at("manual_defaults");
    BOOST_TEST((NoDelay{m.at("nodelay"), m.at("interval"), m.at("resend"), m.at("nc")} ==
                kcptun::kManualDefaults));
    const auto& list = j.at("modes");
    BOOST_REQUIRE_EQUAL(list.size(), kcptun::modes().size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& e = list[i];
        const kcptun::Mode& ours = kcptun::modes()[i];
        BOOST_TEST(e.at("name").get<std::string>() == std::string(ours.name));
        BOOST_TEST(
            (NoDelay{e.at("nodelay"), e.at("interval"), e.at("resend"), e.at("nc")} == ours.quad),
            ours.name);
    }
}

// ----- --crypt / --key -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(crypt_names_and_the_fallback_policy) {
    using crypt::Cipher;
    auto c = kcptun::resolve_crypt("aes");
    BOOST_TEST((c.known && c.cipher == Cipher::aes256 && !c.fell_back));
    c = kcptun::resolve_crypt("null");
    BOOST_TEST((c.known && !c.cipher));
    c = kcptun::resolve_crypt("none");
    BOOST_TEST((c.known && c.cipher == Cipher::none));
    // beyond kcptun: the core's full names
    c = kcptun::resolve_crypt("aes-256-gcm");
    BOOST_TEST((c.known && c.cipher == Cipher::aes256_gcm && !c.fell_back));
    // unknown: refused by default, AES-256 under kcptun's own policy
    c = kcptun::resolve_crypt("aes-512");
    BOOST_TEST((!c.known && !c.cipher));
    c = kcptun::resolve_crypt("aes-512", kcptun::UnknownCrypt::fall_back_to_aes_256);
    BOOST_TEST((c.known && c.fell_back && c.cipher == Cipher::aes256));
}

BOOST_AUTO_TEST_CASE(aes_follows_a_raw_keys_length) {
    using crypt::Cipher;
    const auto cipher = [](std::string_view name, std::size_t length) {
        return kcptun::resolve_crypt_for_key(name, length).cipher;
    };
    BOOST_TEST((cipher("aes", 16) == Cipher::aes128));
    BOOST_TEST((cipher("aes", 24) == Cipher::aes192));
    BOOST_TEST((cipher("aes", 32) == Cipher::aes256));
    BOOST_TEST((cipher("aes", 17) == Cipher::aes256));
    // sized names keep their size: a 16-byte key for aes-256 is the constructor's error
    BOOST_TEST((cipher("aes-256", 16) == Cipher::aes256));
    BOOST_TEST((cipher("twofish", 16) == Cipher::twofish));
    BOOST_TEST((cipher("aes-128-gcm", 32) == Cipher::aes128_gcm));
    BOOST_TEST(!cipher("null", 16));
    BOOST_TEST(!kcptun::resolve_crypt_for_key("aes-512", 16).known);
}

BOOST_AUTO_TEST_CASE(frame_config_carries_kcptuns_key_slices) {
    using crypt::Cipher;
    auto r = kcptun::kcptun_frame_config("aes", crypt::kKcptunDefaultKey, kcpgo::default_release());
    BOOST_REQUIRE(r);
    BOOST_TEST((r.config.cipher == Cipher::aes256));
    BOOST_TEST(hex(r.config.key) == kDefaultPassHex);
    BOOST_TEST(r.config.data_shards == 0);
    BOOST_TEST(r.config.parity_shards == 0);

    const crypt::KcptunPass pass = crypt::kcptun_pass(crypt::kKcptunDefaultKey);
    for (auto [name, length] : {std::pair{"aes-128", 16u},
                                {"3des", 24u},
                                {"tea", 16u},
                                {"salsa20", 32u},
                                {"aes-128-gcm", 16u},
                                {"none", 32u}}) {
        r = kcptun::kcptun_frame_config(name, pass, *kcpgo::find_release("kcp-go-5.6.1"));
        if (std::string_view(name) == "aes-128-gcm") {
            BOOST_TEST((r.error == kcptun::ConfigError::aead_on_561));
            continue;
        }
        BOOST_REQUIRE_MESSAGE(r, name);
        BOOST_TEST((r.config.behaviour == kcpgo::find_release("kcp-go-5.6.1")->frame));
        BOOST_TEST(r.config.key.size() == length, name);
        BOOST_TEST(hex(r.config.key) == kDefaultPassHex.substr(0, 2 * length), name);
        // the frame layer accepts what the recipe made
        BOOST_TEST(frame::Framer::create(r.config) != nullptr, name);
    }

    r = kcptun::kcptun_frame_config("null", pass, kcpgo::default_release());
    BOOST_REQUIRE(r);
    BOOST_TEST(!r.config.cipher);
    BOOST_TEST(r.config.key.empty());

    r = kcptun::kcptun_frame_config("aes-512", pass, kcpgo::default_release());
    BOOST_TEST((r.error == kcptun::ConfigError::unknown_crypt));
    r = kcptun::kcptun_frame_config("aes-512", pass, kcpgo::default_release(),
                                    kcptun::UnknownCrypt::fall_back_to_aes_256);
    BOOST_REQUIRE(r);
    BOOST_TEST(r.fell_back);
    BOOST_TEST(hex(r.config.key) == kDefaultPassHex);
}

BOOST_AUTO_TEST_CASE(derive_key_honours_salt_and_rounds) {
    BOOST_TEST(hex(kcptun::derive_key(crypt::Cipher::aes256, crypt::kKcptunDefaultKey)) ==
               kDefaultPassHex);
    BOOST_TEST(hex(kcptun::derive_key(crypt::Cipher::cast5, crypt::kKcptunDefaultKey)) ==
               kDefaultPassHex.substr(0, 32));
    // RFC 6070 test 1: PBKDF2-HMAC-SHA1("password", "salt", 1, 20) = 0c60c80f...; first 16
    BOOST_TEST(hex(kcptun::derive_key(crypt::Cipher::aes128, "password", "salt", 1)) ==
               "0c60c80f961f0e71f3a9b524af601206");
}
