#include "conformance/fec_replay.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/case_fields.hpp"
#include "conformance/hex.hpp"
#include "kcpkit/fec/fec.hpp"
#include "kcpkit/kcpgo/release.hpp"
#include "kcpkit/kcpgo/snmp.hpp"

namespace kcpkit::conformance {

namespace {

using nlohmann::json;
namespace kf = kcpkit::fec;

/// An optional list of hex strings as a list (absent = empty), or required.
std::vector<Bytes> hex_list(const json& step, const char* key, bool required) {
    auto list = optional_hex_list(step, key);
    if (!list && required) throw MalformedCase(std::string(key) + " is missing");
    return list ? *std::move(list) : std::vector<Bytes>{};
}

/// "" if equal, else what differs.
std::string compare_lists(const std::vector<Bytes>& expected,
                          const std::vector<std::span<const std::uint8_t>>& actual) {
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i)
        if (!std::equal(expected[i].begin(), expected[i].end(), actual[i].begin(),
                        actual[i].end())) {
            // built step by step: GCC 12's -Wrestrict misfires on "[" + std::string
            std::string s(1, '[');
            s += std::to_string(i);
            s += "] ";
            s += first_difference(expected[i], actual[i]);
            return s;
        }
    if (expected.size() != actual.size()) {
        std::string s = std::to_string(expected.size()) + " datagrams expected, " +
                        std::to_string(actual.size()) + " produced";
        if (actual.size() > expected.size())
            s += "; first extra: " + to_hex(actual[expected.size()].first(std::min<std::size_t>(
                                         24, actual[expected.size()].size())));
        return s;
    }
    return {};
}

/// The modelled kcp-go SNMP counter of that name (encoder and decoder together, as kcp-go's
/// DefaultSnmp is one object), or nullopt if the FEC layer does not feed it.
std::optional<std::uint64_t> counter(const std::string& name, const kf::FecCounters& e,
                                     const kf::FecCounters& d) {
    kf::FecCounters both = e;
    both += d;
    return kcpgo::snmp_field_from_fec(both, name);
}

CaseOutcome run(const json& c) {
    if (!c.is_object()) throw MalformedCase("case is not an object");
    const kcpgo::Release* release = &kcpgo::default_release();
    if (auto name = optional_string_field(c, "reference")) {
        release = kcpgo::find_release(*name);
        if (!release) return CaseOutcome::skip("no profile '" + *name + "'");
    }
    if (auto it = c.find("result"); it != c.end()) {
        if (!it->is_string() || (*it != "valid" && *it != "invalid"))
            throw MalformedCase("result is neither valid nor invalid");
    }
    const auto ds = optional_int_field(c, "data_shards"),
               ps = optional_int_field(c, "parity_shards");
    if (!ds || !ps) throw MalformedCase("data_shards and parity_shards are required");
    if (*ds + *ps > kf::kMaxShards && *ds > 0 && *ps > 0)
        return CaseOutcome::skip("ds + ps > 256 (kcp-go v5.6.72 would use Leopard GF(2^16))");
    const long long dds = optional_int_field(c, "decoder_data_shards").value_or(*ds);
    const long long dps = optional_int_field(c, "decoder_parity_shards").value_or(*ps);

    std::unique_ptr<kf::FecEncoder> enc;
    if (*ds >= 1 && *ps >= 1) {
        kf::EncoderConfig ec;
        ec.data_shards = static_cast<int>(*ds);
        ec.parity_shards = static_cast<int>(*ps);
        ec.behaviour = release->frame.fec;
        enc = kf::FecEncoder::create(ec);
        if (!enc) return CaseOutcome::skip("encoder configuration not supported");
        if (auto next = optional_int_field(c, "encoder_next")) {
            if (*next < 0 || *next > 0xFFFFFFFFLL) throw MalformedCase("encoder_next out of range");
            enc->set_next_seqid(static_cast<std::uint32_t>(*next));
        }
    }
    kf::DecoderConfig dc;
    const bool shaped = dds >= 1 && dps >= 1 && dds + dps <= kf::kMaxShards;
    dc.data_shards = shaped ? static_cast<int>(dds) : 0;
    dc.parity_shards = shaped ? static_cast<int>(dps) : 0;
    dc.behaviour = release->frame.fec;
    auto dec = kf::FecDecoder::create(dc);
    const kf::FecCounters no_counters{};
    auto steps_it = c.find("steps");
    if (steps_it == c.end() || !steps_it->is_array()) throw MalformedCase("steps is missing");

    // changes_recorded (kcpkit): counters / decoder_shards are given on every step where
    // they change, so every other step must leave them as they were.
    const bool changes_recorded = optional_bool_field(c, "changes_recorded").value_or(false);
    std::map<std::string, std::uint64_t> expected_counters;  // every name the case uses, from 0
    for (const json& s : *steps_it)
        if (s.is_object())
            if (auto it = s.find("counters"); it != s.end() && it->is_object())
                for (const auto& item : it->items()) expected_counters[item.key()] = 0;
    std::pair<long long, long long> expected_shape{dc.data_shards, dc.parity_shards};

    std::uint32_t t = 0;
    std::set<std::string> unchecked;
    Bytes buffer;
    std::size_t n_steps = 0;
    for (const json& s : *steps_it) {
        const std::string where = "step " + std::to_string(n_steps);
        ++n_steps;
        if (!s.is_object()) throw MalformedCase(where + " is not an object");
        if (auto tv = optional_int_field(s, "t")) {
            if (*tv < 0 || *tv > 0xFFFFFFFFLL) throw MalformedCase(where + ": t out of range");
            t = static_cast<std::uint32_t>(*tv);
        }
        auto op_it = s.find("op");
        if (op_it == s.end() || !op_it->is_string()) throw MalformedCase(where + ": op is missing");
        const std::string op = *op_it;
        if (op != "encode" && op != "decode")
            return CaseOutcome::skip("op '" + op + "' not supported");
        Bytes data;
        std::vector<Bytes> expected;
        try {
            data = hex_field(s, "data");
            expected = hex_list(s, "out", true);
        } catch (const MalformedCase& e) {
            throw MalformedCase(where + ": " + e.what());
        }
        std::vector<std::span<const std::uint8_t>> actual;

        if (op == "encode") {
            if (!enc) {
                actual.push_back(data);
            } else {
                buffer.assign(kf::kFecOverhead, 0);
                buffer.insert(buffer.end(), data.begin(), data.end());
                const kf::EncodeResult r = enc->encode(buffer, t);
                if (r.status != kf::Status::ok)
                    return CaseOutcome::fail(
                        where + " (encode): " + std::string(kf::status_name(r.status)));
                actual.push_back(buffer);
                for (auto p : r.parity) actual.push_back(p);
            }
            if (std::string d = compare_lists(expected, actual); !d.empty())
                return CaseOutcome::fail(where + " (encode) out" + d);
            continue;
        }

        const kf::InputResult r = dec->input(data, t);
        for (const kf::Delivery& d : r.deliveries) actual.push_back(d.kcp);
        if (std::string d = compare_lists(expected, actual); !d.empty())
            return CaseOutcome::fail(where + " (decode) out" + d);
        const std::vector<Bytes> expected_oob = hex_list(s, "oob", false);
        std::vector<std::span<const std::uint8_t>> actual_oob;
        if (r.kind == kf::PacketKind::oob) actual_oob.push_back(r.oob_payload);
        if (std::string d = compare_lists(expected_oob, actual_oob); !d.empty())
            return CaseOutcome::fail(where + " (decode) oob" + d);
        if (auto it = s.find("decoder_shards"); it != s.end()) {
            if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_integer() ||
                !(*it)[1].is_number_integer())
                throw MalformedCase(where + ": decoder_shards is not [ds, ps]");
            expected_shape = {(*it)[0].get<long long>(), (*it)[1].get<long long>()};
        }
        if (s.contains("decoder_shards") || changes_recorded) {
            const auto [eds, eps] = expected_shape;
            if (eds != dec->data_shards() || eps != dec->parity_shards())
                return CaseOutcome::fail(where + " (decode) decoder_shards: expected [" +
                                         std::to_string(eds) + ", " + std::to_string(eps) +
                                         "] actual [" + std::to_string(dec->data_shards()) + ", " +
                                         std::to_string(dec->parity_shards()) + "]");
        }
        auto counters_it = s.find("counters");
        if (counters_it != s.end()) {
            if (!counters_it->is_object())
                throw MalformedCase(where + ": counters is not an object");
            for (const auto& [name, value] : counters_it->items()) {
                if (!value.is_number_unsigned() && !value.is_number_integer())
                    throw MalformedCase(where + ": counter " + name + " is not a number");
                expected_counters[name] = value.get<std::uint64_t>();
            }
        }
        if (counters_it != s.end() || changes_recorded) {
            for (const auto& [name, value] : expected_counters) {
                if (counters_it != s.end() && !counters_it->contains(name)) continue;
                const auto have =
                    counter(name, enc ? enc->counters() : no_counters, dec->counters());
                if (!have) {
                    unchecked.insert(name);
                    continue;
                }
                if (*have != value)
                    return CaseOutcome::fail(
                        where + " (decode) counter " + name + ": expected " +
                        std::to_string(value) + " actual " + std::to_string(*have) +
                        (counters_it == s.end() ? " (unchanged since the last record)" : ""));
            }
        }
    }
    std::string note = std::to_string(n_steps) + " steps";
    if (!unchecked.empty()) {
        note += "; counters not checked:";
        for (const auto& n : unchecked) note += " " + n;
    }
    return CaseOutcome::pass(note);
}

}  // namespace

CaseOutcome replay_fec_case(const nlohmann::json& test_case) {
    try {
        return run(test_case);
    } catch (const MalformedCase& e) {
        return CaseOutcome::bad_case(e.what());
    } catch (const nlohmann::json::exception& e) {
        return CaseOutcome::bad_case(e.what());
    }
}

}  // namespace kcpkit::conformance
