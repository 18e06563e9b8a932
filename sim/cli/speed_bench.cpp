#include "sim/cli/speed_bench.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "sim/cli/runner.hpp"
#include "sim/report/report.hpp"

namespace kcpkit::sim {

namespace {

bool given(const std::vector<std::string>& args, const std::string& flag) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == flag || a.rfind(flag + "=", 0) == 0;
    });
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int run_speed_bench(const std::vector<std::string>& user_args, const CliConfig& base) {
    // The bench's path unless the user says otherwise: a clean 100 Mbit/s, 20 ms path,
    // one flow of each kind for 10 simulated seconds.
    std::vector<std::string> args = user_args;
    const std::vector<std::pair<std::string, std::string>> defaults = {
        {"--bandwidth", "100Mbps"},
        {"--rtt", "20ms"},
        {"--duration", "10"},
        {"--variants", "udp-plain,kcp-fast3,kcp-normal,kcp-fast3+fec10/3,tcp-cubic"}};
    for (const auto& [flag, value] : defaults)
        if (!given(user_args, flag)) args.insert(args.end(), {flag, value});
    CliConfig cfg;
    std::string error;
    if (int rc = parse_cli(args, cfg, error)) {
        std::cerr << "kcp-sim: " << error << "\n";
        return rc;
    }
    const int reps = 3;
    std::vector<RunSpec> specs;
    for (int rep = 0; rep < reps; ++rep)
        for (const RunSpec& s : cfg.runs) specs.push_back(s);
    RunnerOptions ro;
    ro.jobs = 1;  // one at a time: the runs must not compete for a core
    ro.progress = base.progress;
    ro.label = "speed bench";
    int failures = 0;
    const auto results = run_all(specs, ro, &failures);
    if (failures) return 1;

    // Cost is CPU time: on a shared machine wall time mostly measures the neighbours.
    struct Row {
        std::string variant;
        double cpu = 0, wall = 0, packets = 0, goodput = 0, sim = 0;
    };
    std::vector<Row> rows;
    for (std::size_t i = 0; i < cfg.runs.size(); ++i) {
        std::vector<double> cpus, walls;
        for (int rep = 0; rep < reps; ++rep) {
            cpus.push_back(results[rep * cfg.runs.size() + i].cpu_seconds);
            walls.push_back(results[rep * cfg.runs.size() + i].wall_seconds);
        }
        const RunResult& r = results[i];
        Row row;
        row.variant = r.groups.empty() ? "?" : r.groups.front().variant;
        row.cpu = median(cpus);
        row.wall = median(walls);
        row.packets = static_cast<double>(r.path.link_packets);
        row.goodput = r.groups.empty() ? 0 : r.groups.front().goodput_mbps;
        row.sim = r.sim_seconds;
        rows.push_back(row);
    }
    std::cout
        << "Simulation speed: "
        << common_description(
               {results.begin(), results.begin() + static_cast<std::ptrdiff_t>(cfg.runs.size())})
        << "\n(median CPU time of " << reps << " runs each, one process at a time; "
        << "a packet = one transmission over one link, so every hop and every ACK counts)\n\n";
    const Row* udp = nullptr;
    for (const Row& r : rows)
        if (r.variant == "udp-plain") udp = &r;
    std::cout << std::left << std::setw(20) << "variant" << std::right << std::setw(12) << "goodput"
              << std::setw(12) << "link pkts" << std::setw(9) << "cpu s" << std::setw(9) << "wall s"
              << std::setw(12) << "pkts/cpu-s" << std::setw(9) << "ns/pkt" << std::setw(13)
              << "cost vs UDP"
              << "\n";
    double worst_kcp = 0;
    for (const Row& r : rows) {
        const double pps = r.packets / r.cpu;
        std::ostringstream ratio;
        if (udp && udp != &r) {
            const double x = (r.cpu / r.packets) / (udp->cpu / udp->packets);
            if (r.variant.rfind("kcp", 0) == 0) worst_kcp = std::max(worst_kcp, x);
            ratio << std::fixed << std::setprecision(2) << x << "x";
        } else {
            ratio << "1 (ref)";
        }
        std::ostringstream gp;
        gp << std::fixed << std::setprecision(2) << r.goodput << " Mb/s";
        std::cout << std::left << std::setw(20) << r.variant << std::right << std::setw(12)
                  << gp.str() << std::setw(12) << static_cast<long long>(r.packets) << std::fixed
                  << std::setprecision(2) << std::setw(9) << r.cpu << std::setw(9) << r.wall
                  << std::setw(12) << static_cast<long long>(pps) << std::setw(9)
                  << static_cast<long long>(1e9 / pps) << std::setw(13) << ratio.str() << "\n";
    }
    if (udp && worst_kcp > 0)
        std::cout << "\nKCP's cost per simulated packet: at most " << std::setprecision(2)
                  << worst_kcp << "x a plain ns-3 UDP flow's (target <= 1.5x: "
                  << (worst_kcp <= 1.5 ? "met" : "NOT met") << ")\n";
    // Scale: CPU time grows with the packets simulated, which grow with flows x rate x
    // time; per packet it also grows with the number of flows (ns-3's routers scan one
    // route per access link), so this is the budget at this run's flow count.
    std::cout << "\nTen-minute budget on an idle core at " << cfg.runs.front().scenario.num_flows
              << " flow(s) (linear in packets; docs/simulation.md has a measured 100-flow "
                 "run):\n";
    const double bw_mbps = static_cast<double>(cfg.runs.front().scenario.path.bandwidth_bps) / 1e6;
    for (const Row& r : rows) {
        if (r.variant.rfind("kcp", 0) != 0) continue;
        const double budget_packets = 600.0 * r.packets / r.cpu;
        const double sim_seconds = 600.0 * r.sim / r.cpu;  // of this path, this load
        std::cout << "  " << r.variant << ": " << std::fixed << std::setprecision(1)
                  << budget_packets / 1e6 << " million link packets, i.e. " << std::setprecision(0)
                  << sim_seconds << " simulated s of this " << bw_mbps << " Mbit/s path\n";
    }
    return worst_kcp <= 1.5 ? 0 : 3;
}

}  // namespace kcpkit::sim
