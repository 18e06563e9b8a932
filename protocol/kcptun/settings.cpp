#include "kcpkit/kcptun/settings.hpp"

#include <array>

#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/profile.hpp"

namespace kcpkit::kcptun {

namespace {

using S = Settings;

// Help texts in kcptun's words, the defaults left to the driver (which may show them).
constexpr std::array<Flag, 16> kFlags{{
    {"crypt",
     "null none xor aes aes-128 aes-192 salsa20 blowfish twofish cast5 3des tea xtea sm4 "
     "aes-128-gcm aes-192-gcm aes-256-gcm",
     &S::crypt},
    {"key", "pre-shared secret (PBKDF2, as kcptun)", &S::key},
    {"datashard", "FEC data shards", &S::datashard},
    {"parityshard", "FEC parity shards (0 and 0: FEC off)", &S::parityshard},
    {"mode", "normal fast fast2 fast3 manual", &S::mode},
    {"nodelay", "manual: KCP nodelay", &S::nodelay},
    {"interval", "manual: interval ms", &S::interval},
    {"resend", "manual: fast resend", &S::resend},
    {"nc", "manual: 1 = no congestion control", &S::nc},
    {"mtu", "the whole UDP payload", &S::mtu},
    {"sndwnd", "send window (0: 128 dial, 1024 listen)", &S::sndwnd},
    {"rcvwnd", "recv window (0: 512 dial, 1024 listen)", &S::rcvwnd},
    {"dscp", "DSCP (6 bit)", &S::dscp},
    {"sockbuf", "socket buffer bytes", &S::sockbuf},
    {"acknodelay", "flush ACKs immediately", &S::acknodelay},
    {"stream", "KCP stream mode", &S::stream},
}};

}  // namespace

std::optional<NoDelay> Settings::quad() const {
    return kcptun_nodelay(mode, {nodelay, interval, resend, nc});
}

Windows role_windows(Role role) {
    return role == Role::dial ? Windows{128, 512} : Windows{1024, 1024};
}

Windows windows_for(const Settings& s, Role role) {
    const Windows defaults = role_windows(role);
    return {s.sndwnd != 0 ? s.sndwnd : defaults.sndwnd, s.rcvwnd != 0 ? s.rcvwnd : defaults.rcvwnd};
}

std::string validate(const Settings& s) {
    if (!s.quad()) return "--mode '" + s.mode + "': want " + std::string(mode_names());
    if (s.dscp < 0 || s.dscp > 63) return "--dscp must be 0..63";
    if (s.sndwnd < 0 || s.rcvwnd < 0) return "--sndwnd/--rcvwnd must be > 0";
    return {};
}

namespace {

template <typename PassFn>
SessionConfigResult session_config_with(const Settings& s, Role role, PassFn&& pass) {
    SessionConfigResult r;
    r.error = validate(s);
    if (!r.error.empty()) return r;
    kcpgo::SessionConfig& c = r.config;
    if (const kcpgo::Release* release = kcpgo::find_release(s.profile)) {
        c.release = *release;
    } else if (const kcp::Profile* core = kcp::find_profile(s.profile)) {
        // A C-original core: C's session semantics, kcp-go's framing in front.
        c.release = kcpgo::release_for_core_profile(s.profile);
        c.ikcp_profile = core;
    } else {
        r.error = "--profile '" + s.profile + "': want kcp-go, kcp-go-5.6.1 or ikcp";
        return r;
    }
    // Unknown names are refused (kcptun would silently use AES-256): a typo must not pass
    // as a test of AES.
    FrameConfigResult recipe = kcptun_frame_config(s.crypt, pass(), c.release);
    if (!recipe) {
        r.unsupported = true;
        r.error = "--crypt " + s.crypt + ": " + std::string(config_error_name(recipe.error)) +
                  " (unsupported)";
        return r;
    }
    c.frame = std::move(recipe.config);
    c.frame.data_shards = s.datashard;
    c.frame.parity_shards = s.parityshard;
    // The framing's own check of the shard counts is the one rule; it speaks for the flags.
    if (frame::ConfigError why{}; !frame::Framer::create(c.frame, &why)) {
        r.unsupported = why == frame::ConfigError::aead_on_561;
        r.error = "--datashard " + std::to_string(s.datashard) + " --parityshard " +
                  std::to_string(s.parityshard) + ": " + std::string(frame::config_error_name(why));
        return r;
    }
    const NoDelay quad = *s.quad();
    c.nodelay = quad.nodelay;
    c.interval = quad.interval;
    c.resend = quad.resend;
    c.nc = quad.nc;
    c.mtu = static_cast<std::size_t>(s.mtu);
    const Windows windows = windows_for(s, role);
    c.snd_wnd = windows.sndwnd;
    c.rcv_wnd = windows.rcvwnd;
    c.stream = s.stream;
    c.write_delay = false;  // kcptun always runs with write delay off
    c.ack_nodelay = s.acknodelay;
    c.passive = role == Role::listen;
    return r;
}

}  // namespace

SessionConfigResult session_config(const Settings& settings, Role role) {
    // The pass is derived only once the name is known to need it (kcptun_frame_config).
    return session_config_with(settings, role, [&] { return std::string_view(settings.key); });
}

SessionConfigResult session_config(const Settings& settings, Role role,
                                   const crypt::KcptunPass& pass) {
    return session_config_with(settings, role, [&]() -> const crypt::KcptunPass& { return pass; });
}

std::span<const Flag> flag_table() {
    return kFlags;
}

const Flag* find_flag(std::string_view name) {
    for (const Flag& f : kFlags)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace kcpkit::kcptun
