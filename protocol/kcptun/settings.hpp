// kcptun's flags as one plain struct, and the one path from them to a kcpgo::SessionConfig.
//
// Every driver goes the same way: fill a Settings (a command line through flag_table() and
// kcpkit/kcptun/program_options.hpp, a preset, code), check it with validate(), and turn it
// into the session's configuration with session_config() (crypt recipe, FEC shards, mode).
// kcp-peer, kcp-sim and the ns-3 application (sim/ns3/kcp_application.hpp) all do.
//
// Adding a kcptun setting: a member of Settings (kcptun's flag name), a row of flag_table(),
// and, if the session has the knob, its line in session_config(). A driver that lists the
// flags it offers (kcp-sim) adds the name to its list. docs/net.md, "kcptun's flags", says
// the same for readers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/kcpgo/session.hpp"
#include "kcpkit/kcptun/kcptun.hpp"

namespace kcpkit::kcptun {

/// kcptun's flags, named as kcptun names them, with kcptun's (client) defaults.
struct Settings {
    std::string crypt = "aes";
    std::string key{crypt::kKcptunDefaultKey};
    int datashard = 10, parityshard = 3;  ///< either 0: FEC off
    std::string mode{kDefaultMode};
    /// --mode manual's quadruple (a preset ignores them): kcptun's defaults 0, 50, 0, 0.
    int nodelay = kManualDefaults.nodelay, interval = kManualDefaults.interval,
        resend = kManualDefaults.resend, nc = kManualDefaults.nc;
    int mtu = 1350;              ///< the whole UDP payload, framing included
    int sndwnd = 0, rcvwnd = 0;  ///< 0: kcptun's default for the role (role_windows)
    int dscp = 0;                ///< 6 bits; the socket's, not the session's
    int sockbuf = 4194304;       ///< socket buffer bytes; the socket's, not the session's
    bool acknodelay = false, stream = false;
    /// Beyond kcptun: the core's profile, a kcp-go release (kcpgo::releases()) or a
    /// C-original core (kcp::find_profile: "ikcp", ...).
    std::string profile{"kcp-go"};

    /// The quadruple the session runs with (kcptun_nodelay); nullopt for an unknown --mode.
    std::optional<NoDelay> quad() const;
};

/// Which end a session is: kcptun's window defaults differ by it.
enum class Role : std::uint8_t { dial, listen };

struct Windows {
    int sndwnd, rcvwnd;
};
/// kcptun's --sndwnd/--rcvwnd defaults: client 128/512, server 1024/1024.
Windows role_windows(Role role);
/// The windows a session of `role` runs with: the flags, role_windows() for a 0.
Windows windows_for(const Settings& settings, Role role);

/// The first thing wrong with `settings` that needs no key derivation (an unknown --mode,
/// --dscp out of range, a negative window), as one line for the user; empty when fine.
std::string validate(const Settings& settings);

struct SessionConfigResult {
    kcpgo::SessionConfig config;  ///< valid when `error` is empty
    std::string error;            ///< one line for the user, naming the flags at fault
    /// The error names a setting kcpkit knows but this session cannot run (an unknown
    /// cipher, AES-GCM under kcp-go v5.6.1); kcp-peer exits 127 on it.
    bool unsupported = false;
    explicit operator bool() const { return error.empty(); }
};

/// The one path from kcptun's flags to a session: validate(); the --profile (a kcp-go
/// release, or a C-original core with C's session semantics and the framing of
/// kcpgo::release_for_core_profile); the crypt recipe (kcptun_frame_config: unknown --crypt names
/// refused); the FEC shards (checked by the framing); the --mode quadruple; mtu; windows
/// (windows_for); stream; ACK no-delay; write delay off (kcptun never turns it on);
/// `passive` by role. conv stays 0.
SessionConfigResult session_config(const Settings& settings, Role role);
/// The same with the --key already derived (crypt::kcptun_pass), for drivers that make many
/// sessions with one key.
SessionConfigResult session_config(const Settings& settings, Role role,
                                   const crypt::KcptunPass& pass);

// ----- the flag table ----------------------------------------------------------------------

/// One kcptun flag: its name without dashes, what it means, and the member it sets (its
/// type is the flag's: text, number, or a switch that takes no value).
struct Flag {
    std::string_view name;
    std::string_view help;
    std::variant<std::string Settings::*, int Settings::*, bool Settings::*> member;
};

/// Every flag of Settings, in kcp-peer's --help order. The drivers' command lines are built
/// from it (kcpkit/kcptun/program_options.hpp).
std::span<const Flag> flag_table();
/// The row called `name`; nullptr for anything else.
const Flag* find_flag(std::string_view name);

}  // namespace kcpkit::kcptun
