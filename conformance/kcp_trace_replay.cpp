#include "conformance/kcp_trace_replay.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/case_fields.hpp"
#include "conformance/hex.hpp"
#include "kcpkit/kcp/kcp.hpp"

namespace kcpkit::conformance {

namespace {

using nlohmann::json;

std::int64_t get_int(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number_integer())
        throw MalformedCase(where + "." + key + " is missing or not an integer");
    return it->get<std::int64_t>();
}

std::optional<std::int64_t> find_int(const json& obj, const char* key, const std::string& where) {
    if (!obj.contains(key)) return std::nullopt;
    return get_int(obj, key, where);
}

int as_int(std::int64_t v) {
    return static_cast<int>(v);
}

/// Names the header field (or payload) at byte `offset` of a KCP datagram, walking its
/// segments with the `len` fields of `datagram` itself.
std::string locate(const Bytes& datagram, std::size_t offset) {
    static constexpr struct {
        std::size_t end;
        const char* name;
    } kFields[] = {{4, "conv"}, {5, "cmd"}, {6, "frg"},  {8, "wnd"},
                   {12, "ts"},  {16, "sn"}, {20, "una"}, {24, "len"}};
    std::size_t start = 0;
    for (int segment = 0; start + kcp::kHeaderSize <= datagram.size(); ++segment) {
        const auto header = kcp::decode_header(datagram.data() + start);
        const std::size_t header_end = start + kcp::kHeaderSize;
        if (offset < header_end) {
            for (const auto& f : kFields)
                if (offset - start < f.end)
                    return "segment " + std::to_string(segment) + " field " + f.name;
        }
        if (offset < header_end + header.len)
            return "segment " + std::to_string(segment) + " payload byte " +
                   std::to_string(offset - header_end);
        start = header_end + header.len;
    }
    return "byte " + std::to_string(offset);
}

std::string describe_out_difference(const std::vector<Bytes>& expected,
                                    const std::vector<Bytes>& actual) {
    std::ostringstream s;
    if (expected.size() != actual.size()) {
        s << "out: expected " << expected.size() << " datagram(s), got " << actual.size();
    }
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
        if (expected[i] == actual[i]) continue;
        if (s.tellp() > 0) s << "; first differing ";
        const Bytes& e = expected[i];
        const Bytes& a = actual[i];
        std::size_t at = 0;
        while (at < e.size() && at < a.size() && e[at] == a[at]) ++at;
        s << "out[" << i << "] at byte " << at << " (" << locate(e, at) << "): expected ";
        s << (at < e.size()
                  ? to_hex(std::span(e).subspan(at, std::min<std::size_t>(8, e.size() - at)))
                  : std::string("<end, ") + std::to_string(e.size()) + " bytes>");
        s << " actual ";
        s << (at < a.size()
                  ? to_hex(std::span(a).subspan(at, std::min<std::size_t>(8, a.size() - at)))
                  : std::string("<end, ") + std::to_string(a.size()) + " bytes>");
        return s.str();
    }
    if (expected.size() != actual.size()) {
        const auto& extra = expected.size() > actual.size() ? expected : actual;
        s << " (first unmatched: " << to_hex(extra[std::min(expected.size(), actual.size())])
          << ")";
    }
    return s.str();
}

std::optional<std::int64_t> state_field(const kcp::KcpState& st, const std::string& name) {
    if (name == "snd_una") return st.snd_una;
    if (name == "snd_nxt") return st.snd_nxt;
    if (name == "rcv_nxt") return st.rcv_nxt;
    if (name == "cwnd") return st.cwnd;
    if (name == "ssthresh") return st.ssthresh;
    if (name == "rx_srtt") return st.rx_srtt;
    if (name == "rx_rttval") return st.rx_rttval;
    if (name == "rx_rto") return st.rx_rto;
    if (name == "rmt_wnd") return st.rmt_wnd;
    if (name == "probe") return st.probe;
    if (name == "state") return st.state;
    if (name == "incr") return st.incr;
    if (name == "nsnd_buf") return st.nsnd_buf;
    if (name == "nrcv_buf") return st.nrcv_buf;
    if (name == "nsnd_que") return st.nsnd_que;
    if (name == "nrcv_que") return st.nrcv_que;
    if (name == "xmit") return st.xmit;
    return std::nullopt;
}

struct Mismatch {
    std::string text;
};

class TraceReplayer {
  public:
    TraceReplayer(std::uint32_t conv, const kcp::Profile& profile) : kcp_(conv, profile) {
        kcp_.set_output(collect_);
    }

    /// Runs one step; returns a mismatch description, or nullopt if it matched.
    /// Throws MalformedCase; returns a string starting with "skip:" for unknown ops.
    std::optional<std::string> run(const json& step, const std::string& where) {
        if (!step.is_object()) throw MalformedCase(where + " is not an object");
        auto op_it = step.find("op");
        if (op_it == step.end() || !op_it->is_string())
            throw MalformedCase(where + ".op is missing or not a string");
        const std::string op = *op_it;
        const std::uint32_t t = static_cast<std::uint32_t>(get_int(step, "t", where));
        collect_.datagrams.clear();

        std::optional<std::int64_t> ret;
        std::optional<Bytes> data;
        if (op == "send") {
            ret = kcp_.send(hex_value(step.value("data", json()), where + ".data"));
        } else if (op == "input") {
            // A trace records one clock value per call, `t`: every reading kcp-go takes
            // inside the call equals it, so it is the call's `now`.
            ret = kcp_.input(hex_value(step.value("data", json()), where + ".data"), t,
                             packet_type(step, where), ack_nodelay(step, where));
        } else if (op == "recv") {
            const std::int64_t len = get_int(step, "len", where);
            recv_buffer_.assign(static_cast<std::size_t>(len < 0 ? -len : len), 0);
            const int n = kcp_.recv(recv_buffer_, len < 0);
            ret = n;
            if (n > 0) data = Bytes(recv_buffer_.begin(), recv_buffer_.begin() + n);
        } else if (op == "peeksize") {
            ret = kcp_.peeksize();
        } else if (op == "update") {
            kcp_.update(t);
        } else if (op == "check") {
            ret = kcp_.check(t);
        } else if (op == "flush") {
            ret = kcp_.flush(t);  // kcp-go traces record the suggested delay as `ret`
        } else if (op == "waitsnd") {
            ret = kcp_.waitsnd();
        } else if (op == "nodelay") {
            ret = kcp_.nodelay(
                as_int(get_int(step, "nodelay", where)), as_int(get_int(step, "interval", where)),
                as_int(get_int(step, "resend", where)), as_int(get_int(step, "nc", where)));
        } else if (op == "wndsize") {
            ret = kcp_.wndsize(as_int(get_int(step, "snd", where)),
                               as_int(get_int(step, "rcv", where)));
        } else if (op == "setmtu") {
            ret = kcp_.setmtu(as_int(get_int(step, "mtu", where)));
        } else if (op == "set") {
            apply_set(step, where);
        } else {
            return "skip:op '" + op + "' is not supported";
        }

        if (auto expected = find_int(step, "ret", where); expected && ret) {
            // check() returns a uint32 and some writers sign it: compare modulo 2^32.
            if (static_cast<std::uint32_t>(*expected) != static_cast<std::uint32_t>(*ret))
                return "ret: expected " + std::to_string(*expected) + " actual " +
                       std::to_string(*ret);
        }
        if (op == "recv" && data && step.contains("data")) {
            const Bytes expected = hex_value(step["data"], where + ".data");
            if (expected != *data)
                return "data: expected " + to_hex(expected) + " actual " + to_hex(*data);
        }
        if (auto out = step.find("out"); out != step.end()) {
            if (!out->is_array()) throw MalformedCase(where + ".out is not an array");
            std::vector<Bytes> expected;
            for (std::size_t i = 0; i < out->size(); ++i)
                expected.push_back(hex_value((*out)[i], where + ".out[" + std::to_string(i) + "]"));
            if (expected != collect_.datagrams)
                return describe_out_difference(expected, collect_.datagrams);
        }
        if (auto st = step.find("state"); st != step.end()) {
            if (!st->is_object()) throw MalformedCase(where + ".state is not an object");
            const kcp::KcpState actual = kcp_.state();
            for (const auto& [name, value] : st->items()) {
                if (!value.is_number_integer())
                    throw MalformedCase(where + ".state." + name + " is not an integer");
                const auto mine = state_field(actual, name);
                if (!mine) {
                    unchecked_fields_.insert(name);
                    continue;
                }
                const auto want = value.get<std::int64_t>();
                if (static_cast<std::uint32_t>(want) != static_cast<std::uint32_t>(*mine))
                    return "state." + name + ": expected " + std::to_string(want) + " actual " +
                           std::to_string(*mine);
            }
        }
        return std::nullopt;
    }

    const std::set<std::string>& unchecked_fields() const { return unchecked_fields_; }

  private:
    /// `pkt_type`: "regular" (default) or "fec" (a datagram recovered by FEC), or kcp-go's
    /// numbers 0 / 1.
    static kcp::PacketType packet_type(const json& step, const std::string& where) {
        auto it = step.find("pkt_type");
        if (it == step.end()) return kcp::PacketType::regular;
        if (*it == "regular" || *it == 0) return kcp::PacketType::regular;
        if (*it == "fec" || *it == 1) return kcp::PacketType::fec_recovered;
        throw MalformedCase(where + ".pkt_type is not \"regular\" or \"fec\"");
    }

    /// `ack_nodelay`: the session's ackNoDelay flag given to kcp-go's Input (default false).
    static bool ack_nodelay(const json& step, const std::string& where) {
        auto it = step.find("ack_nodelay");
        if (it == step.end()) return false;
        if (!it->is_boolean()) throw MalformedCase(where + ".ack_nodelay is not a boolean");
        return it->get<bool>();
    }

    void apply_set(const json& step, const std::string& where) {
        bool any = false;
        const auto field = [&](const char* key) {
            auto v = find_int(step, key, where);
            any = any || v.has_value();
            return v;
        };
        if (auto v = field("stream")) kcp_.set_stream(*v != 0);
        if (auto v = field("rx_minrto")) kcp_.set_rx_minrto(static_cast<std::int32_t>(*v));
        if (auto v = field("fastresend")) kcp_.set_fastresend(static_cast<std::int32_t>(*v));
        if (auto v = field("fastlimit")) kcp_.set_fastlimit(static_cast<std::int32_t>(*v));
        if (auto v = field("nocwnd")) kcp_.set_nocwnd(*v != 0);
        if (auto v = field("dead_link")) kcp_.set_dead_link(static_cast<std::uint32_t>(*v));
        if (auto v = field("interval")) kcp_.set_interval_raw(static_cast<std::uint32_t>(*v));
        if (!any) throw MalformedCase(where + " (set) names no known field");
    }

    struct Collector {
        std::vector<Bytes> datagrams;
        void operator()(std::span<const std::uint8_t> d) {
            datagrams.emplace_back(d.begin(), d.end());
        }
    };

    Collector collect_;
    kcp::Kcp kcp_;
    Bytes recv_buffer_;
    std::set<std::string> unchecked_fields_;
};

}  // namespace

CaseOutcome replay_kcp_trace(const json& test_case) {
    try {
        if (!test_case.is_object()) throw MalformedCase("case is not an object");
        const std::string reference = test_case.value("reference", std::string("ikcp"));
        const kcp::Profile* profile = kcp::find_profile(reference);
        if (!profile) return CaseOutcome::skip("no behaviour profile named '" + reference + "'");
        if (test_case.value("result", std::string("valid")) != "valid")
            return CaseOutcome::skip("kcp-trace cases with result '" +
                                     test_case.value("result", std::string()) +
                                     "' are not defined");
        auto config = test_case.find("config");
        if (config == test_case.end() || !config->is_object())
            throw MalformedCase("config is missing or not an object");
        const auto conv = static_cast<std::uint32_t>(get_int(*config, "conv", "config"));
        auto steps = test_case.find("steps");
        if (steps == test_case.end() || !steps->is_array())
            throw MalformedCase("steps is missing or not an array");

        TraceReplayer replayer(conv, *profile);
        for (std::size_t i = 0; i < steps->size(); ++i) {
            const json& step = (*steps)[i];
            const std::string where = "steps[" + std::to_string(i) + "]";
            auto problem = replayer.run(step, where);
            if (!problem) continue;
            if (problem->starts_with("skip:")) return CaseOutcome::skip(problem->substr(5));
            return CaseOutcome::fail(
                "step " + std::to_string(i) + " (" + step["op"].get<std::string>() +
                ", t=" + std::to_string(step["t"].get<std::int64_t>()) + ") " + *problem);
        }
        std::string note;
        for (const auto& name : replayer.unchecked_fields())
            note += (note.empty() ? "state fields not modelled, not checked: " : ", ") + name;
        return CaseOutcome::pass(note);
    } catch (const MalformedCase& e) {
        return CaseOutcome::bad_case(e.what());
    }
}

}  // namespace kcpkit::conformance
