// Behaviour profiles. KCP implementations agree on the wire format but not on every
// algorithm; a profile names one implementation's behaviour as a list of differences
// from the C original, so the state machine is one code path with a few switches, never a
// fork. docs/profiles.md explains each entry and when a user meets it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace kcpkit::kcp {

struct Profile {
    std::string_view name;
    std::string_view description;

    /// Default rcv_wnd, and the remote window assumed before the peer says otherwise.
    std::uint32_t default_rcv_wnd;
    /// wndsize() never sets rcv_wnd below this (C: 128, so any message fits the window).
    std::uint32_t min_rcv_wnd;
    /// A message needing this many fragments or more is refused by send().
    std::uint32_t fragment_limit;
    /// First wait (ms) before probing a zero remote window with WASK.
    std::uint32_t probe_init;
    /// IKCP_FASTACK_CONSERVE: an ACK counts as a duplicate only for segments sent no
    /// later than the acknowledged one.
    bool fastack_conserve;
    /// send() returns the number of bytes queued (C >= f2aa30e) rather than 0.
    bool send_returns_bytes;
};

/// The C original, tag 1.7.1 (commit 8004f7e; ikcp.c identical to 49bea97).
inline constexpr Profile kIkcpProfile{
    .name = "ikcp",
    .description = "the C original ikcp.c, tag 1.7.1 (8004f7e), FASTACK_CONSERVE on",
    .default_rcv_wnd = 128,
    .min_rcv_wnd = 128,
    .fragment_limit = 128,
    .probe_init = 7000,
    .fastack_conserve = true,
    .send_returns_bytes = true,
};

/// The C original at f2aa30e (2023-05-07), the last commit before FASTACK_CONSERVE was
/// enabled: on the wire the same as tag 1.7, with send() returning bytes.
inline constexpr Profile kIkcpPreConserveProfile{
    .name = "ikcp-f2aa30e",
    .description = "the C original at f2aa30e (before FASTACK_CONSERVE; wire-equal to tag 1.7)",
    .default_rcv_wnd = 128,
    .min_rcv_wnd = 128,
    .fragment_limit = 128,
    .probe_init = 7000,
    .fastack_conserve = false,
    .send_returns_bytes = true,
};

/// Every profile the core knows, the default first.
std::span<const Profile* const> all_profiles();

/// The profile with this name, or nullptr.
const Profile* find_profile(std::string_view name);

}  // namespace kcpkit::kcp
