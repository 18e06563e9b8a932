#include "sim/cli/runner.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

#include "sim/report/report.hpp"

namespace kcpkit::sim {
namespace {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int default_jobs() {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && isatty(STDERR_FILENO)), start_(now_seconds()) {}

ProgressBar::~ProgressBar() {
    finish();
}

void ProgressBar::update(double fraction, const std::string& detail) {
    if (!enabled_) return;
    const int permille = static_cast<int>(fraction * 1000);
    if (permille == last_permille_ && detail.empty()) return;
    last_permille_ = permille;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %5.1f%%  %.0fs %s\033[K", label_.c_str(), bar.c_str(),
                 fraction * 100, now_seconds() - start_, detail.c_str());
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    enabled_ = false;
}

std::vector<RunResult> run_all(const std::vector<RunSpec>& specs, const RunnerOptions& options,
                               int* failures) {
    std::vector<RunResult> results(specs.size());
    if (failures) *failures = 0;
    char dir_template[] = "/tmp/kcp-sim-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        std::perror("kcp-sim: mkdtemp");
        std::exit(1);
    }
    auto file_of = [&](std::size_t i) {
        return std::string(dir) + "/" + std::to_string(i) + ".json";
    };
    ProgressBar bar(options.label, options.progress);
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0, done = 0;
    const int jobs = std::max(1, options.jobs);
    bar.update(0, "0/" + std::to_string(specs.size()));
    while (done < specs.size()) {
        while (next < specs.size() && static_cast<int>(running.size()) < jobs) {
            std::fflush(stdout);
            std::fflush(stderr);
            const pid_t pid = fork();
            if (pid < 0) {
                std::perror("kcp-sim: fork");
                std::exit(1);
            }
            if (pid == 0) {
                const RunResult r = run_scenario(specs[next]);
                {
                    std::ofstream out(file_of(next));
                    out << to_json(r).dump();
                }
                _exit(0);
            }
            running[pid] = next++;
        }
        int status = 0;
        const pid_t pid = wait(&status);
        if (pid < 0) break;
        auto it = running.find(pid);
        if (it == running.end()) continue;
        const std::size_t i = it->second;
        running.erase(it);
        ++done;
        std::vector<RunResult> one;
        std::string error;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
            read_json_file(file_of(i), one, error) && one.size() == 1) {
            results[i] = std::move(one.front());
        } else {
            results[i].id = specs[i].id;
            results[i].params = describe(specs[i]);
            if (failures) ++*failures;
            bar.finish();
            std::cerr << "kcp-sim: run " << specs[i].id << " failed ("
                      << (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                              : "exit " + std::to_string(WEXITSTATUS(status)))
                      << ")" << (error.empty() ? "" : ": " + error) << "\n";
        }
        std::remove(file_of(i).c_str());
        bar.update(static_cast<double>(done) / static_cast<double>(specs.size()),
                   std::to_string(done) + "/" + std::to_string(specs.size()));
    }
    bar.finish();
    rmdir(dir);
    return results;
}

}  // namespace kcpkit::sim
