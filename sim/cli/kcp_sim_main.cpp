// kcp-sim: KCP (the real kcpkit core) and ns-3's TCP side by side on simulated paths.
// docs/simulation.md explains the scenarios, the outputs and the default comparison.
#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/cli/options.hpp"
#include "sim/cli/speed_bench.hpp"

using namespace kcpkit::sim;

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    CliConfig cfg;
    std::string error;
    const int rc = parse_cli(args, cfg, error);
    if (rc != 0) {
        std::cerr << "kcp-sim: " << error << "\n";
        if (rc == kUsageError) std::cerr << "(kcp-sim --help for the flags)\n";
        return rc;
    }
    if (cfg.help) {
        std::cout << cli_help();
        return 0;
    }
    if (cfg.list_presets) return list_presets();
    if (!cfg.merge_files.empty()) return merge_results(cfg);
    if (cfg.speed_bench) return run_speed_bench(args, cfg);
    if (cfg.default_comparison) return run_default_comparison(args, cfg);
    if (!cfg.emit_jobs.empty()) return emit_jobs(cfg);
    return run_batch(cfg);
}
