// One row per kcp-go release: everything kcpkit does differently for one release than for
// another, in one place. Layers below kcpgo (kcp, fec, frame) know no release: they take
// behaviour values (kcp::Profile, fec::Behaviour, frame::Behaviour) in their configs, and a
// row fills them in. Nothing outside release.cpp asks which release a row is; callers ask
// the row's values. docs/profiles.md lists each value with the kcp-go code it comes from.
//
// Adding a release that differs only in these values is adding a row to release.cpp (and
// its SNMP column list, if kcp-go changed DefaultSnmp's Header()).
#pragma once

#include <span>
#include <string_view>

#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcpgo/snmp.hpp"

namespace kcpkit::kcpgo {

/// One kcp-go release as every layer sees it.
struct Release {
    /// The name vectors (`reference`) and --profile use: "kcp-go" is the newest release
    /// kcpkit models before any other was added (v5.6.72), "kcp-go-5.6.1" the older one.
    std::string_view name;
    std::string_view version;  ///< kcp-go's tag, e.g. "v5.6.72"
    const kcp::Profile* kcp;   ///< the KCP core's behaviour (kcp/profile.hpp)
    /// FEC decoder and encoder rules, OOB, AEAD, MTU rule, listener length gate, largest
    /// datagram.
    frame::Behaviour frame;
    SnmpColumns snmp;  ///< DefaultSnmp's Header() / ToSlice() columns, in order
    /// write() also waits while the queued segments reach the peer's window (rmt_wnd), not
    /// only the own send window.
    bool writable_waits_for_peer_window = false;
};

/// Every release, the default ("kcp-go", v5.6.72) first.
std::span<const Release> releases();
/// The default release (kcp-go v5.6.72).
const Release& default_release();
/// By name ("kcp-go", "kcp-go-5.6.1"); nullptr for anything else, including the ikcp core
/// profiles (they have no kcp-go session layer; kcp::find_profile knows them).
const Release* find_release(std::string_view name);
/// The release whose framing goes with a KCP core profile name when the core may be any
/// profile (the simulator runs ikcp cores with kcp-go framing): that release for a kcp-go
/// name, the default for everything else.
const Release& release_for_core_profile(std::string_view kcp_profile_name);

}  // namespace kcpkit::kcpgo
