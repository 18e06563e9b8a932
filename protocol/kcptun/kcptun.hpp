// kcptun's configuration vocabulary, defined once for every driver (net/, sim/, conformance/):
//
//  - --mode: the presets normal / fast / fast2 / fast3 and the manual rule, as KCP's
//    (nodelay, interval, resend, nc) quadruple;
//  - --crypt + --key: the cipher name, the PBKDF2 "pass" and the key slice each cipher gets,
//    kcp-go's "aes follows the key length" rule, and what happens to names kcptun does not
//    know; the result is a frame::FrameConfig;
//  - --profile: which kcp-go release a session reproduces: a row of kcpgo's release table
//    (protocol/kcpgo/release.hpp, kcpgo::find_release).
//
// kcptun (f788cbb, 2026-01) is the reference (docs/crypt.md, docs/framing.md). The Go side keeps
// the same mode table in interop/internal/kcptun/modes.go; both are checked against
// interop/internal/kcptun/modes.json, so neither can drift alone. docs/crypt.md explains the
// policies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/base/expected.hpp"
#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/fec/fec.hpp"
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcpgo/release.hpp"

namespace kcpkit::kcptun {

// ----- --mode ------------------------------------------------------------------------------

/// KCP's nodelay(nodelay, interval, resend, nc).
struct NoDelay {
    int nodelay = 0;
    int interval = 0;
    int resend = 0;
    int nc = 0;
    bool operator==(const NoDelay&) const = default;
};

struct Mode {
    std::string_view name;
    NoDelay quad;
};

/// kcptun's presets, in its order: normal 0/40/2/1, fast 0/30/2/1, fast2 1/20/2/1,
/// fast3 1/10/2/1.
std::span<const Mode> modes();

/// kcptun's --mode default.
inline constexpr std::string_view kDefaultMode = "fast";
/// The mode that takes the quadruple from --nodelay --interval --resend --nc.
inline constexpr std::string_view kManualMode = "manual";
/// kcptun's defaults of those four flags (client and server): 0, 50, 0, 0. A driver that
/// offers "manual" starts from these, whatever its own --mode default is.
inline constexpr NoDelay kManualDefaults{0, 50, 0, 0};

/// The preset called `name`; nullopt for "manual" and for names that are not presets.
std::optional<NoDelay> kcptun_mode(std::string_view name);

/// The one manual rule: the quadruple a session runs with for --mode `name`. A preset
/// ignores `manual`; "manual" returns `manual` as given (start it from kManualDefaults and
/// overwrite the flags the user set). Any other name is nullopt: kcptun silently treats it
/// as manual (its switch has no default), which would let a typo pass as a test of a preset.
/// Choosing a preset and also setting a manual flag is the caller's error to report (or to
/// ignore, as kcptun does); setting a manual flag never switches the mode by itself.
std::optional<NoDelay> kcptun_nodelay(std::string_view name,
                                      const NoDelay& manual = kManualDefaults);

/// "normal, fast, fast2, fast3 or manual": for usage and error messages.
std::string_view mode_names();

// ----- --crypt / --key -----------------------------------------------------------------------

/// What to do with a --crypt name that is neither kcptun's nor the core's.
enum class UnknownCrypt : std::uint8_t {
    refuse,                ///< an error (kcpkit's drivers: a typo must not pass as AES)
    fall_back_to_aes_256,  ///< kcptun's own behaviour: AES-256 with the whole pass
};

/// A --crypt name resolved: kcptun's names (aes = AES-256, aes-128, aes-192, aes-128-gcm,
/// salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, none, and null = no crypt
/// layer at all), then, beyond kcptun, the core's full names (aes-256, aes-192-gcm,
/// aes-256-gcm; crypt::parse_cipher_name).
struct CryptChoice {
    bool known = false;      ///< false: unknown name refused (cipher unset)
    bool fell_back = false;  ///< unknown name, AES-256 chosen by UnknownCrypt::fall_back_to_aes_256
    std::optional<crypt::Cipher> cipher;  ///< nullopt with `known`: "null", no crypt layer
};
CryptChoice resolve_crypt(std::string_view crypt_name, UnknownCrypt unknown = UnknownCrypt::refuse);

/// resolve_crypt() for a raw key (vectors give kcp-go's constructors raw keys): "aes" is
/// kcp-go's NewAESBlockCrypt, which sizes AES by the key it gets (16 -> AES-128, 24 ->
/// AES-192, anything else AES-256); every other name, the core's sized AES names included,
/// keeps its cipher (crypt::key_length_ok says whether the key fits it).
CryptChoice resolve_crypt_for_key(std::string_view crypt_name, std::size_t key_length,
                                  UnknownCrypt unknown = UnknownCrypt::refuse);

/// PBKDF2-HMAC-SHA1(passphrase, salt, iterations, 32) cut to kcptun's key length for `cipher`
/// (crypt::kcptun_key_length). kcptun uses salt "kcp-go" and 4096 iterations; vectors may
/// name others. `iterations` >= 1. (~4 ms at 4096: once per configuration.)
std::vector<std::uint8_t> derive_key(crypt::Cipher cipher, std::string_view passphrase,
                                     std::string_view salt = crypt::kKcptunSalt,
                                     unsigned iterations = crypt::kKcptunIterations);

/// Why kcptun_frame_config() gave no FrameConfig; the caller changes the --crypt flag (or
/// the release) and asks again.
enum class ConfigError : std::uint8_t {
    unknown_crypt = 1,  ///< the --crypt name is unknown and UnknownCrypt::refuse
    aead_on_561,        ///< AES-GCM with a release that has no AEAD mode (kcp-go v5.6.1)
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(ConfigError) {
    using enum ConfigError;
    return std::to_array<EnumName<ConfigError>>({{unknown_crypt, "unknown_crypt"},
        {aead_on_561, "aead_on_561"}});
}
// clang-format on
static_assert(names_are_distinct<ConfigError>());

/// kcptun's crypt recipe as the framing runs it.
struct FrameRecipe {
    frame::FrameConfig config;  ///< shards 0 (set them after)
    bool fell_back = false;     ///< see CryptChoice
};
using FrameConfigResult = Expected<FrameRecipe, ConfigError>;

/// kcptun's whole crypt recipe as a frame::FrameConfig: resolve the name (above), derive
/// the pass from `passphrase` (PBKDF2, kcptun's salt and rounds), hand the cipher its slice,
/// set `release`'s framing rules. FEC shards are left 0: the caller sets data_shards /
/// parity_shards. (--profile names a release: kcpgo::find_release.)
FrameConfigResult kcptun_frame_config(std::string_view crypt_name, std::string_view passphrase,
                                      const kcpgo::Release& release,
                                      UnknownCrypt unknown = UnknownCrypt::refuse);
/// The same with a pass already derived (crypt::kcptun_pass), for drivers that make many
/// sessions with one key.
FrameConfigResult kcptun_frame_config(std::string_view crypt_name, const crypt::KcptunPass& pass,
                                      const kcpgo::Release& release,
                                      UnknownCrypt unknown = UnknownCrypt::refuse);

}  // namespace kcpkit::kcptun
