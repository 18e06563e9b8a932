#include "sim/cli/commands.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/cli/presets.hpp"
#include "sim/cli/runner.hpp"
#include "sim/report/plot.hpp"
#include "sim/report/report.hpp"

namespace fs = std::filesystem;

namespace kcpkit::sim {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// 0 if every run finished and every byte arrived intact, else 1.
int integrity_status(const std::vector<RunResult>& runs, int failures) {
    int status = failures > 0 ? 1 : 0;
    for (const RunResult& r : runs) {
        if (r.groups.empty()) status = 1;
        for (const GroupResult& g : r.groups) {
            if (!g.intact) {
                std::cerr << "kcp-sim: " << r.id << " " << g.variant
                          << ": DATA CORRUPTED: " << g.error << "\n";
                status = 1;
            }
        }
    }
    return status;
}

bool write_file(const std::string& path, const std::function<void(std::ostream&)>& fill) {
    if (path.empty()) return true;
    const fs::path p(path);
    if (p.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
    }
    std::ofstream out(path);
    if (!out) {
        std::cerr << "kcp-sim: cannot write " << path << "\n";
        return false;
    }
    fill(out);
    return true;
}

// Table, CSV, JSON, plots as the flags ask.
void emit_outputs(const std::vector<RunResult>& runs, const CliConfig& cfg,
                  const std::string& title) {
    if (!cfg.quiet) {
        std::cout << title << "\n" << common_description(runs) << "\n\n";
        print_table(std::cout, runs);
    }
    if (write_file(cfg.csv, [&](std::ostream& o) { write_csv(o, runs); }) && !cfg.csv.empty() &&
        !cfg.quiet)
        std::cout << "CSV: " << cfg.csv << "\n";
    const std::string json = !cfg.json.empty() ? cfg.json : cfg.result_json;
    if (write_file(json, [&](std::ostream& o) { write_json(o, runs); }) && !json.empty() &&
        !cfg.quiet)
        std::cout << "JSON: " << json << "\n";
    if (!cfg.plot_dir.empty()) {
        std::string error;
        const auto pngs = write_plots(runs, cfg.plot_dir, common_description(runs), error);
        for (const auto& p : pngs) std::cout << "Plot: " << p << "\n";
        if (pngs.empty()) std::cerr << "kcp-sim: " << error << "\n";
    }
}

std::string exe_dir() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : self.parent_path().string();
}

}  // namespace

// --default: KCP normal/fast/fast3 vs TCP Cubic and BBR on the `default` preset.
int run_default_comparison(const std::vector<std::string>& user_args, const CliConfig& base_cfg) {
    const auto t0 = std::chrono::steady_clock::now();
    // kcptun's FEC default (10 data + 3 parity shards) on each mode.
    const std::vector<std::string> variants = {
        "kcp-normal",       "kcp-fast",          "kcp-fast3", "kcp-normal+fec10/3",
        "kcp-fast+fec10/3", "kcp-fast3+fec10/3", "tcp-cubic", "tcp-bbr"};
    std::string list;
    for (const auto& v : variants) list += (list.empty() ? "" : ",") + v;
    const std::string losses = "0,0.5%,1%,2%,5%";

    auto build = [&](const std::vector<std::string>& extra, const std::string& prefix,
                     std::vector<RunSpec>& out) -> int {
        std::vector<std::string> args = user_args;
        args.insert(args.end(), extra.begin(), extra.end());
        CliConfig cfg;
        std::string error;
        const int rc = parse_cli(args, cfg, error);
        if (rc != 0) {
            std::cerr << "kcp-sim: " << error << "\n";
            return rc;
        }
        for (auto& r : cfg.runs) {
            r.id = prefix + r.id;
            out.push_back(std::move(r));
        }
        return 0;
    };
    std::vector<RunSpec> specs;
    if (int rc = build(
            {"--sweep", "traffic=bulk", "--sweep", "loss=" + losses, "--sweep", "variant=" + list},
            "bulk-", specs))
        return rc;
    const std::size_t n_bulk = specs.size();
    if (int rc = build({"--sweep", "traffic=echo", "--sweep", "variant=" + list}, "echo-", specs))
        return rc;

    RunnerOptions ro;
    ro.jobs = base_cfg.jobs > 0 ? base_cfg.jobs : default_jobs();
    ro.progress = base_cfg.progress;
    ro.label = "kcp-sim --default";
    // Longest first, so two processes finish together: ns-3's TCP costs about three
    // times as much per packet as a KCP flow, most at low loss, where it sends most.
    std::vector<std::size_t> run_order(specs.size());
    for (std::size_t i = 0; i < run_order.size(); ++i) run_order[i] = i;
    auto tcp_bulk = [&](std::size_t i) {
        return i < n_bulk && !specs[i].variants.empty() && specs[i].variants.front().tcp;
    };
    std::stable_partition(run_order.begin(), run_order.end(), tcp_bulk);
    std::vector<RunSpec> run_ordered;
    for (std::size_t i : run_order) run_ordered.push_back(specs[i]);
    int failures = 0;
    const std::vector<RunResult> done = run_all(run_ordered, ro, &failures);
    std::vector<RunResult> all(done.size());
    for (std::size_t k = 0; k < run_order.size(); ++k) all[run_order[k]] = done[k];
    const std::vector<RunResult> bulk(all.begin(),
                                      all.begin() + static_cast<std::ptrdiff_t>(n_bulk));
    const std::vector<RunResult> echo(all.begin() + static_cast<std::ptrdiff_t>(n_bulk), all.end());
    const double wall = seconds_since(t0);

    // The loss every table row is taken at: the preset's (or the user's --loss).
    const std::string main_loss = echo.empty() ? "0.02" : echo.front().param("loss");
    std::vector<RunResult> bulk_main;
    for (const RunResult& r : bulk)
        if (r.param("loss") == main_loss) bulk_main.push_back(r);

    const std::string out_dir =
        !base_cfg.out_dir.empty() ? base_cfg.out_dir : exe_dir() + "/../reports/sim-default";
    const RunResult* any = echo.empty() ? (all.empty() ? nullptr : &all.front()) : &echo.front();
    std::cout << "== kcp-sim --default: KCP vs TCP on one simulated path (ns-3 3.37) ==\n";
    if (any)
        std::cout << "Path: " << any->param("bandwidth") << " bottleneck, RTT "
                  << any->param("rtt_ms") << " ms, queue " << any->param("queue")
                  << " (1 BDP), loss " << any->param("loss_model")
                  << " in both directions, 100 Mbit/s access links; seed " << any->param("seed")
                  << "\n";
    std::cout << "KCP: the kcpkit core (ikcp profile) in kcptun's modes, windows 1.5 BDP, "
                 "+fec10/3 = kcp-go's FEC framing\n(10 data + 3 parity shards) from the core; "
                 "TCP: ns-3's Cubic and BBR (SACK, IW10, MSS 1448).\n\n";
    std::cout << "1) Bulk transfer, "
              << (bulk_main.empty() ? "" : bulk_main.front().param("duration"))
              << " s, one flow, at loss " << std::stod(main_loss) * 100 << "%:\n";
    print_table(std::cout, bulk_main);

    // Goodput vs loss as a pivot table.
    std::vector<std::string> loss_cols;
    std::map<std::string, std::map<std::string, double>> pivot;
    std::vector<std::string> order;
    for (const RunResult& r : bulk) {
        const std::string l = r.param("loss");
        if (std::find(loss_cols.begin(), loss_cols.end(), l) == loss_cols.end())
            loss_cols.push_back(l);
        for (const GroupResult& g : r.groups) {
            if (!pivot.count(g.variant)) order.push_back(g.variant);
            pivot[g.variant][l] = g.goodput_mbps;
        }
    }
    std::sort(loss_cols.begin(), loss_cols.end(), [](const std::string& a, const std::string& b) {
        return std::stod(a) < std::stod(b);
    });
    std::cout << "\n2) Bulk goodput (Mbit/s) against loss rate (same path otherwise):\n";
    std::cout << std::left << std::setw(20) << "variant" << std::right;
    for (const auto& l : loss_cols) {
        std::ostringstream h;
        h << std::stod(l) * 100 << "%";
        std::cout << std::setw(9) << h.str();
    }
    std::cout << "\n";
    for (const auto& v : order) {
        std::cout << std::left << std::setw(20) << v << std::right;
        for (const auto& l : loss_cols) {
            std::ostringstream c;
            c << std::fixed << std::setprecision(2) << pivot[v][l];
            std::cout << std::setw(9) << c.str();
        }
        std::cout << "\n";
    }

    std::cout << "\n3) Echo, " << (echo.empty() ? "" : echo.front().param("msg_size"))
              << "-byte messages at " << (echo.empty() ? "" : echo.front().param("msg_rate"))
              << "/s (the KCP author's method), round-trip time per message:\n";
    print_table(std::cout, echo);
    std::cout
        << "\nNotes: goodput counts verified application bytes; retrans % is payload sent "
           "again per byte delivered;\nFEC ovh is the parity datagrams' bytes, FEC rec the "
           "KCP datagrams rebuilt from parity.\ntcp-bbr is ns-3 3.37's BBR model, which collapses "
           "after a retransmission timeout on a 1-BDP queue\n(its pacing rate falls to a few "
           "kbit/s). docs/simulation.md explains every number.\n";

    std::error_code ec;
    fs::create_directories(out_dir, ec);
    CliConfig cfg;
    cfg.quiet = true;
    cfg.csv = out_dir + "/default.csv";
    cfg.json = out_dir + "/default.json";
    emit_outputs(all, cfg, "");
    std::string error;
    const auto pngs = write_plots(all, out_dir, "kcp-sim --default", error);
    std::cout << "\nResults: " << cfg.csv << ", " << cfg.json << "\n";
    for (const auto& p : pngs) std::cout << "Plot: " << fs::weakly_canonical(p).string() << "\n";
    if (pngs.empty()) std::cout << "Plots: none (" << error << ")\n";
    std::cout << "Took " << std::fixed << std::setprecision(1) << wall << " s for " << all.size()
              << " simulations on " << ro.jobs << " processes.\n";
    return integrity_status(all, failures);
}

int emit_jobs(const CliConfig& cfg) {
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::error_code ec;
    fs::create_directories(cfg.jobs_out, ec);
    const std::string out_dir = fs::absolute(cfg.jobs_out).string();
    if (!write_file(cfg.emit_jobs, [&](std::ostream& o) {
            for (std::size_t i = 0; i < cfg.runs.size(); ++i) {
                std::vector<std::string> cmd = {self};
                cmd.insert(cmd.end(), cfg.run_args[i].begin(), cfg.run_args[i].end());
                cmd.insert(cmd.end(), {"--run-id", cfg.runs[i].id, "--result-json",
                                       out_dir + "/" + cfg.runs[i].id + ".json", "--quiet",
                                       "--no-progress", "--jobs", "1"});
                o << shell_join(cmd) << "\n";
            }
        }))
        return 1;
    std::cout << "Wrote " << cfg.runs.size() << " jobs to " << cfg.emit_jobs << " (each writes "
              << out_dir << "/<run>.json).\n"
              << "Run them: parallel --sshloginfile HOSTS < " << cfg.emit_jobs
              << "    (or plain `parallel < " << cfg.emit_jobs << "` here)\n";
    if (!cfg.emit_slurm.empty()) {
        const std::string jobs_abs = fs::absolute(cfg.emit_jobs).string();
        if (!write_file(cfg.emit_slurm, [&](std::ostream& o) {
                o << "#!/bin/bash\n"
                  << "# Slurm job array: one kcp-sim run per task (line of " << jobs_abs << ").\n"
                  << "#SBATCH --job-name=kcp-sim\n"
                  << "#SBATCH --array=1-" << cfg.runs.size() << "\n"
                  << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
                  << "#SBATCH --output=" << out_dir << "/slurm-%A_%a.out\n"
                  << "set -euo pipefail\n"
                  << "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " << shell_join({jobs_abs}) << ")\n"
                  << "eval \"$line\"\n";
            }))
            return 1;
        fs::permissions(cfg.emit_slurm, fs::perms::owner_exec | fs::perms::group_exec,
                        fs::perm_options::add, ec);
        std::cout << "Slurm: sbatch " << cfg.emit_slurm << "\n";
    }
    std::cout << "Merge: " << fs::path(self).filename().string() << " --merge " << out_dir
              << "/*.json --csv all.csv --json all.json --plot plots\n";
    return 0;
}

int list_presets() {
    for (const Preset& p : presets())
        std::cout << std::left << std::setw(15) << p.name << p.description << "\n";
    return 0;
}

int merge_results(const CliConfig& cfg) {
    std::string error;
    std::vector<RunResult> runs;
    for (const auto& f : cfg.merge_files) {
        if (!read_json_file(f, runs, error)) {
            std::cerr << "kcp-sim: " << error << "\n";
            return 1;
        }
    }
    std::stable_sort(runs.begin(), runs.end(),
                     [](const RunResult& a, const RunResult& b) { return a.id < b.id; });
    emit_outputs(runs, cfg, "Merged " + std::to_string(runs.size()) + " runs");
    return integrity_status(runs, 0);
}

int run_batch(const CliConfig& cfg) {
    const auto t0 = std::chrono::steady_clock::now();
    RunnerOptions ro;
    ro.jobs = cfg.jobs > 0 ? cfg.jobs : default_jobs();
    ro.progress = cfg.progress;
    int failures = 0;
    std::vector<RunResult> runs;
    if (cfg.runs.size() == 1) {
        // One run: in this process, with a progress bar over simulated time.
        ProgressBar bar("kcp-sim", cfg.progress);
        runs.push_back(run_scenario(cfg.runs.front(), [&](double f) { bar.update(f); }));
        bar.finish();
    } else {
        ro.jobs = std::min<int>(ro.jobs, static_cast<int>(cfg.runs.size()));
        runs = run_all(cfg.runs, ro, &failures);
    }
    std::ostringstream title;
    title << "kcp-sim: " << runs.size() << " run" << (runs.size() == 1 ? "" : "s") << " in "
          << std::fixed << std::setprecision(1) << seconds_since(t0) << " s";
    emit_outputs(runs, cfg, title.str());
    return integrity_status(runs, failures);
}

}  // namespace kcpkit::sim
