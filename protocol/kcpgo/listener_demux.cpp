#include "kcpkit/kcpgo/listener_demux.hpp"

#include <functional>

namespace kcpkit::kcpgo {

namespace {

std::string_view as_key(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string_view demux_action_name(DemuxAction action) {
    switch (action) {
        case DemuxAction::deliver:
            return "deliver";
        case DemuxAction::create:
            return "create";
        case DemuxAction::replace:
            return "replace";
        case DemuxAction::close:
            return "close";
        case DemuxAction::drop:
            return "drop";
    }
    return "?";
}

std::string_view demux_drop_reason_name(DemuxDropReason reason) {
    switch (reason) {
        case DemuxDropReason::none:
            return "none";
        case DemuxDropReason::truncated:
            return "truncated";
        case DemuxDropReason::bad_checksum:
            return "bad_checksum";
        case DemuxDropReason::too_short:
            return "too_short";
        case DemuxDropReason::conv_mismatch:
            return "conv_mismatch";
        case DemuxDropReason::no_conv:
            return "no_conv";
        case DemuxDropReason::backlog_full:
            return "backlog_full";
    }
    return "?";
}

std::size_t ListenerDemux::KeyHash::operator()(std::string_view key) const {
    return std::hash<std::string_view>{}(key);
}

std::unique_ptr<ListenerDemux> ListenerDemux::create(const frame::FrameConfig& frame,
                                                     frame::ConfigError* why,
                                                     std::size_t accept_backlog) {
    auto framer = frame::Framer::create(frame, why);
    if (!framer) return nullptr;
    return std::unique_ptr<ListenerDemux>(new ListenerDemux(std::move(framer), accept_backlog));
}

ListenerDemux::ListenerDemux(std::unique_ptr<frame::Framer> framer, std::size_t backlog)
    : framer_(std::move(framer)), backlog_(backlog) {}

ListenerDemux::Entry* ListenerDemux::find(std::span<const std::uint8_t> remote_key) {
    auto it = sessions_.find(as_key(remote_key));
    return it == sessions_.end() ? nullptr : &it->second;
}

DemuxDecision ListenerDemux::route(std::span<const std::uint8_t> remote_key,
                                   std::span<std::uint8_t> wire) {
    const frame::Framer::Decrypted d = framer_->decrypt(wire);
    if (d.status != frame::OpenResult::Status::ok) {
        DemuxDecision out;
        if (d.status == frame::OpenResult::Status::truncated) {
            out.drop = DemuxDropReason::truncated;
            ++counters_.truncated;
        } else {
            out.drop = DemuxDropReason::bad_checksum;
            ++counters_.in_csum_errors;
        }
        return out;
    }
    return route_decrypted(remote_key, d.plain);
}

DemuxDecision ListenerDemux::route_decrypted(std::span<const std::uint8_t> remote_key,
                                             std::span<std::uint8_t> plain) {
    DemuxDecision out;
    out.plain = plain;
    out.identity = frame::identify(plain, framer_->config().behaviour);
    const frame::PacketIdentity& id = out.identity;
    if (id.kind == fec::PacketKind::dropped) {
        out.drop = DemuxDropReason::too_short;
        ++counters_.too_short;
        return out;
    }
    if (const Entry* e = find(remote_key)) {
        if (!id.has_conv || id.conv == e->conv) {
            out.action = DemuxAction::deliver;
            out.token = e->token;
            ++counters_.delivered;
            return out;
        }
        if (id.sn != 0) {
            out.drop = DemuxDropReason::conv_mismatch;
            ++counters_.conv_mismatch;
            return out;
        }
        // A reset: the old session goes; the new one is created below. The old one no longer
        // counts against the backlog once erased, so judge the backlog without it.
        const std::size_t waiting = awaiting_accept_ - (e->awaiting_accept ? 1 : 0);
        if (waiting >= backlog_) {
            // kcp-go closes the old session first and then finds the accept queue full.
            out.action = DemuxAction::close;
            out.token = e->token;
            out.drop = DemuxDropReason::backlog_full;
            ++counters_.backlog_full;
            return out;
        }
        out.action = DemuxAction::replace;
        out.token = e->token;
        out.conv = id.conv;
        ++counters_.replaced;
        return out;
    }
    if (!id.has_conv) {
        out.drop = DemuxDropReason::no_conv;
        ++counters_.no_conv;
        return out;
    }
    if (awaiting_accept_ >= backlog_) {
        out.drop = DemuxDropReason::backlog_full;
        ++counters_.backlog_full;
        return out;
    }
    out.action = DemuxAction::create;
    out.conv = id.conv;
    ++counters_.created;
    return out;
}

void ListenerDemux::insert(std::span<const std::uint8_t> remote_key, std::uint32_t conv,
                           std::uint64_t token) {
    erase(remote_key);
    sessions_.emplace(std::string(as_key(remote_key)), Entry{conv, token, true});
    ++awaiting_accept_;
}

bool ListenerDemux::accepted(std::span<const std::uint8_t> remote_key) {
    Entry* e = find(remote_key);
    if (!e || !e->awaiting_accept) return false;
    e->awaiting_accept = false;
    --awaiting_accept_;
    return true;
}

bool ListenerDemux::erase(std::span<const std::uint8_t> remote_key) {
    auto it = sessions_.find(as_key(remote_key));
    if (it == sessions_.end()) return false;
    if (it->second.awaiting_accept) --awaiting_accept_;
    sessions_.erase(it);
    return true;
}

}  // namespace kcpkit::kcpgo
