#include "sim/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

namespace kcpkit::sim {

using nlohmann::json;

namespace {

// Each struct's JSON keys, listed once for writing and reading: fields(s, f) calls
// f(key, member) for every field.
constexpr auto latency_fields = [](auto& l, auto&& f) {
    f("count", l.count);
    f("mean", l.mean);
    f("p50", l.p50);
    f("p95", l.p95);
    f("p99", l.p99);
    f("max", l.max);
};

constexpr auto loss_fields = [](auto& c, auto&& f) {
    f("seen", c.seen);
    f("dropped", c.dropped);
    f("bernoulli", c.bernoulli);
    f("ge", c.ge);
    f("listed", c.listed);
    f("blackhole", c.blackhole);
    f("corrupted", c.corrupted);
};

// All but loss_fwd/loss_rev (objects of their own).
constexpr auto path_fields = [](auto& p, auto&& f) {
    f("queue_drops_fwd", p.queue_drops_fwd);
    f("queue_drops_rev", p.queue_drops_rev);
    f("reordered", p.channel.reordered);
    f("duplicated", p.channel.duplicated);
    f("bottleneck_packets_fwd", p.bottleneck_packets_fwd);
    f("bottleneck_bytes_fwd", p.bottleneck_bytes_fwd);
    f("link_packets", p.link_packets);
};

// All but the keys a reader requires (variant, goodput_mbps, latency_ms) and flows, whose
// default when missing (1) is not the struct's.
constexpr auto group_fields = [](auto& g, auto&& f) {
    f("flow_goodput_mbps", g.flow_goodput_mbps);
    f("fairness", g.fairness);
    f("latency_cdf_ms", g.cdf);
    f("bytes_delivered", g.bytes_delivered);
    f("messages_sent", g.messages_sent);
    f("messages_delivered", g.messages_delivered);
    f("retrans_bytes", g.retrans_bytes);
    f("wire_bytes", g.wire_bytes);
    f("datagrams", g.datagrams);
    f("fec_parity_bytes", g.fec_parity_bytes);
    f("fec_recovered", g.fec_recovered);
    f("rejected", g.rejected);
    f("csum_errors", g.csum_errors);
    f("kcp_input_errors", g.kcp_input_errors);
    f("intact", g.intact);
    f("complete", g.complete);
    f("error", g.error);
    f("digest", g.digest);
    f("dead_link", g.dead_link);
    f("sndwnd", g.sndwnd);
    f("rcvwnd", g.rcvwnd);
};

template <class T, class Fields>
json fields_json(const T& s, Fields fields) {
    json j = json::object();
    fields(s, [&](const char* key, const auto& v) { j[key] = v; });
    return j;
}

// A missing key leaves the struct's default.
template <class T, class Fields>
void read_fields(const json& j, T& s, Fields fields) {
    fields(s, [&](const char* key, auto& v) { v = j.value(key, v); });
}

json latency_json(const LatencySummary& l) {
    return fields_json(l, latency_fields);
}

LatencySummary latency_from(const json& j) {
    LatencySummary l;
    latency_fields(l, [&](const char* key, auto& v) { j.at(key).get_to(v); });
    return l;
}

json loss_json(const LossCounters& c) {
    return fields_json(c, loss_fields);
}

LossCounters loss_from(const json& j) {
    LossCounters c;
    read_fields(j, c, loss_fields);
    return c;
}

std::string fixed(double v, int digits) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(digits) << v;
    return os.str();
}

std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

json to_json(const RunResult& r) {
    json params = json::object();
    json order = json::array();
    for (const Param& p : r.params) {
        params[p.key] = p.value;
        order.push_back(p.key);
    }
    json groups = json::array();
    for (const GroupResult& g : r.groups) {
        json o = fields_json(g, group_fields);
        o["variant"] = g.variant;
        o["flows"] = g.flows;
        o["goodput_mbps"] = g.goodput_mbps;
        o["latency_ms"] = latency_json(g.latency);
        groups.push_back(std::move(o));
    }
    json path = fields_json(r.path, path_fields);
    path["loss_fwd"] = loss_json(r.path.loss_fwd);
    path["loss_rev"] = loss_json(r.path.loss_rev);
    return {
        {"id", r.id},
        {"params", params},
        {"param_order", order},
        {"groups", groups},
        {"path", path},
        {"sim_seconds", r.sim_seconds},
        {"wall_seconds", r.wall_seconds},
        {"cpu_seconds", r.cpu_seconds},
    };
}

RunResult run_from_json(const json& j) {
    RunResult r;
    r.id = j.value("id", "");
    const json& params = j.at("params");
    if (j.contains("param_order")) {
        for (const auto& k : j.at("param_order"))
            r.params.push_back(
                {k.get<std::string>(), params.at(k.get<std::string>()).get<std::string>()});
    } else {
        for (auto it = params.begin(); it != params.end(); ++it)
            r.params.push_back({it.key(), it.value().get<std::string>()});
    }
    for (const json& g : j.at("groups")) {
        GroupResult o;
        o.variant = g.at("variant").get<std::string>();
        o.flows = g.value("flows", 1u);
        o.goodput_mbps = g.at("goodput_mbps").get<double>();
        o.latency = latency_from(g.at("latency_ms"));
        read_fields(g, o, group_fields);
        r.groups.push_back(std::move(o));
    }
    if (j.contains("path")) {
        const json& p = j.at("path");
        read_fields(p, r.path, path_fields);
        if (p.contains("loss_fwd")) r.path.loss_fwd = loss_from(p.at("loss_fwd"));
        if (p.contains("loss_rev")) r.path.loss_rev = loss_from(p.at("loss_rev"));
    }
    r.sim_seconds = j.value("sim_seconds", 0.0);
    r.wall_seconds = j.value("wall_seconds", 0.0);
    r.cpu_seconds = j.value("cpu_seconds", 0.0);
    return r;
}

void write_json(std::ostream& out, const std::vector<RunResult>& runs) {
    json doc = {{"kcp_sim", 1}, {"runs", json::array()}};
    for (const RunResult& r : runs) doc["runs"].push_back(to_json(r));
    out << doc.dump(1) << "\n";
}

bool read_json_file(const std::string& path, std::vector<RunResult>& runs, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = path + ": cannot open";
        return false;
    }
    try {
        const json doc = json::parse(in);
        if (doc.contains("runs")) {
            for (const json& r : doc.at("runs")) runs.push_back(run_from_json(r));
        } else {
            runs.push_back(run_from_json(doc));
        }
    } catch (const std::exception& e) {
        error = path + ": " + e.what();
        return false;
    }
    return true;
}

namespace {

// The params shown as columns: those whose value differs between runs, excluding the
// variant list (each row shows its variant).
std::vector<std::string> varying_params(const std::vector<RunResult>& runs) {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (const RunResult& r : runs)
        for (const Param& p : r.params)
            if (seen.insert(p.key).second) keys.push_back(p.key);
    std::vector<std::string> out;
    for (const std::string& k : keys) {
        if (k == "variants") continue;
        std::set<std::string> values;
        for (const RunResult& r : runs) values.insert(r.param(k));
        if (values.size() > 1) out.push_back(k);
    }
    // The loss model's label already carries the rate.
    if (std::find(out.begin(), out.end(), "loss_model") != out.end())
        out.erase(std::remove(out.begin(), out.end(), "loss"), out.end());
    return out;
}

}  // namespace

std::string common_description(const std::vector<RunResult>& runs) {
    if (runs.empty()) return {};
    std::ostringstream os;
    bool first = true;
    for (const Param& p : runs.front().params) {
        const bool varies = std::any_of(runs.begin(), runs.end(), [&](const RunResult& r) {
            return r.param(p.key) != p.value;
        });
        if (p.key == "variants" || varies) continue;
        if (p.key == "loss" && runs.front().param("loss_model") != "none") continue;
        os << (first ? "" : ", ") << p.key << " " << p.value;
        first = false;
    }
    return os.str();
}

void write_csv(std::ostream& out, const std::vector<RunResult>& runs) {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (const RunResult& r : runs)
        for (const Param& p : r.params)
            if (p.key != "variants" && seen.insert(p.key).second) keys.push_back(p.key);
    out << "id,variant";
    for (const auto& k : keys) out << "," << k;
    out << ",flows,goodput_mbps,fairness,latency_count,latency_mean_ms,latency_p50_ms,"
           "latency_p95_ms,latency_p99_ms,latency_max_ms,messages_sent,messages_delivered,"
           "bytes_delivered,retrans_bytes,wire_bytes,datagrams,fec_parity_bytes,fec_recovered,"
           "intact,complete,dead_link,sndwnd,rcvwnd,queue_drops_fwd,loss_drops_fwd,"
           "loss_drops_rev,link_packets,sim_seconds,cpu_seconds,wall_seconds,"
           // Added later, so at the end: columns before them keep their positions.
           "corrupted_fwd,corrupted_rev,rejected,csum_errors,kcp_input_errors\n";
    for (const RunResult& r : runs) {
        for (const GroupResult& g : r.groups) {
            out << csv_escape(r.id) << "," << csv_escape(g.variant);
            for (const auto& k : keys) out << "," << csv_escape(r.param(k));
            out << "," << g.flows << "," << g.goodput_mbps << "," << g.fairness << ","
                << g.latency.count << "," << g.latency.mean << "," << g.latency.p50 << ","
                << g.latency.p95 << "," << g.latency.p99 << "," << g.latency.max << ","
                << g.messages_sent << "," << g.messages_delivered << "," << g.bytes_delivered << ","
                << g.retrans_bytes << "," << g.wire_bytes << "," << g.datagrams << ","
                << g.fec_parity_bytes << "," << g.fec_recovered << "," << g.intact << ","
                << g.complete << "," << g.dead_link << "," << g.sndwnd << "," << g.rcvwnd << ","
                << r.path.queue_drops_fwd << "," << r.path.loss_fwd.dropped << ","
                << r.path.loss_rev.dropped << "," << r.path.link_packets << "," << r.sim_seconds
                << "," << r.cpu_seconds << "," << r.wall_seconds << "," << r.path.loss_fwd.corrupted
                << "," << r.path.loss_rev.corrupted << "," << g.rejected << "," << g.csum_errors
                << "," << g.kcp_input_errors << "\n";
        }
    }
}

void print_table(std::ostream& out, const std::vector<RunResult>& runs) {
    const auto vary = varying_params(runs);
    std::vector<std::string> header = {"variant"};
    for (const auto& k : vary) header.push_back(k);
    // Bulk latency is write-to-delivery and mostly measures the sender's buffer (two KCP
    // windows, or TCP's socket buffer): kept in CSV/JSON, not shown.
    const bool latency = std::any_of(
        runs.begin(), runs.end(), [](const RunResult& r) { return r.param("traffic") != "bulk"; });
    header.push_back("goodput");
    if (latency)
        for (const char* h : {"p50", "p95", "p99", "max"}) header.push_back(h);
    for (const char* h : {"delivered", "retrans", "retrans", "FEC ovh", "FEC rec"})
        header.push_back(h);
    // Bit corruption: what the path damaged and what the receivers' checks threw away.
    const bool corrupt = std::any_of(
        runs.begin(), runs.end(), [](const RunResult& r) { return !r.param("corrupt").empty(); });
    if (corrupt)
        for (const char* h : {"corrupted", "CRC fail", "rejected", "KCP rej"}) header.push_back(h);
    header.push_back("intact");
    std::vector<std::string> units = {""};
    for (std::size_t i = 0; i < vary.size(); ++i) units.push_back("");
    units.push_back("Mbit/s");
    if (latency)
        for (int i = 0; i < 4; ++i) units.push_back("ms");
    for (const char* u : {"msgs", "MB", "%", "MB", "pkts"}) units.push_back(u);
    if (corrupt)
        for (int i = 0; i < 4; ++i) units.push_back("pkts");
    units.push_back("");
    std::vector<std::vector<std::string>> rows;
    for (const RunResult& r : runs) {
        for (const GroupResult& g : r.groups) {
            std::vector<std::string> row = {g.variant};
            for (const auto& k : vary) row.push_back(r.param(k));
            row.push_back(fixed(g.goodput_mbps, 3));
            if (latency) {
                if (g.latency.count > 0 && r.param("traffic") != "bulk") {
                    for (double v : {g.latency.p50, g.latency.p95, g.latency.p99, g.latency.max})
                        row.push_back(fixed(v, 1));
                } else {
                    for (int i = 0; i < 4; ++i) row.push_back("-");
                }
            }
            row.push_back(std::to_string(g.messages_delivered) + "/" +
                          std::to_string(g.messages_sent));
            row.push_back(fixed(static_cast<double>(g.retrans_bytes) / 1e6, 2));
            row.push_back(g.bytes_delivered > 0
                              ? fixed(100.0 * static_cast<double>(g.retrans_bytes) /
                                          static_cast<double>(g.bytes_delivered),
                                      1)
                              : "-");
            row.push_back(fixed(static_cast<double>(g.fec_parity_bytes) / 1e6, 2));
            row.push_back(std::to_string(g.fec_recovered));
            if (corrupt) {
                row.push_back(
                    std::to_string(r.path.loss_fwd.corrupted + r.path.loss_rev.corrupted));
                row.push_back(std::to_string(g.csum_errors));
                row.push_back(std::to_string(g.rejected));
                row.push_back(std::to_string(g.kcp_input_errors));
            }
            std::string ok = g.intact ? "yes" : "NO";
            if (g.intact && !g.complete) ok = "yes, partial";
            if (g.dead_link) ok += " (dead link)";
            row.push_back(ok);
            rows.push_back(std::move(row));
        }
    }
    std::vector<std::size_t> width(header.size(), 0);
    auto fit = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    };
    fit(header);
    fit(units);
    for (const auto& row : rows) fit(row);
    auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            const bool left = i <= vary.size();
            out << (i ? "  " : "") << (left ? std::left : std::right)
                << std::setw(static_cast<int>(width[i])) << row[i];
        }
        out << std::right << "\n";
    };
    line(header);
    line(units);
    for (const auto& row : rows) line(row);
}

}  // namespace kcpkit::sim
