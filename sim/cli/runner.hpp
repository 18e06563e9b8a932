// Runs simulations in child processes, up to `jobs` at a time. ns-3 keeps global state
// (the simulator, node list, random-stream counters), so a fresh process per run is
// what makes "same seed, same numbers" hold however runs are batched, and it uses every
// core. Each child writes its RunResult as JSON to a temporary file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace kcpkit::sim {

struct RunnerOptions {
    int jobs = 1;           ///< concurrent child processes (>= 1)
    bool progress = false;  ///< a progress bar on stderr (only if it is a terminal)
    std::string label = "runs";
};

/// Runs every spec and returns the results in the same order. A run whose child fails
/// (crash, abort) yields a result with no groups and its id; `failures` counts them.
std::vector<RunResult> run_all(const std::vector<RunSpec>& specs, const RunnerOptions& options,
                               int* failures = nullptr);

/// The number of processors (at least 1).
int default_jobs();

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
  public:
    ProgressBar(std::string label, bool enabled);
    ~ProgressBar();
    void update(double fraction, const std::string& detail = {});
    void finish();

  private:
    std::string label_;
    bool enabled_;
    double start_;
    int last_permille_ = -1;
};

}  // namespace kcpkit::sim
