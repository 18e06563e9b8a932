// An echo service in the callback style: every byte a session receives goes back to its
// sender, on the session's loop thread, with no thread and no buffer per idle session.
// kcp-peer's listening `echo` mode and the scale test use it; it is also the worked example
// of UdpSession::set_callbacks (docs/net.md).
#pragma once

#include <memory>

#include "kcpkit/net/session.hpp"

namespace kcpkit::net {

/// Starts echoing on `session` until it is closed. Reads go through a per-thread scratch
/// buffer (what is readable is gathered into one write: one flush, not one per message);
/// only bytes the send window refuses are kept, and reading pauses until on_writable.
void start_echo(const std::shared_ptr<UdpSession>& session);

}  // namespace kcpkit::net
