// The KCP core's hot paths: one flush pass over many sessions with segments in flight
// (none due), steady-state transfer, and heap allocations per segment (must be 0).
//
// The flush pass is the baseline's measurement (bench/README.md): 5000 sessions,
// each nodelay(1, 10, 2, 1) and windows 32, with 32 segments of 1376 bytes sent and in
// flight, none due. Both kcpkit and the C original are timed calling flush directly with
// the clock latched before the measurement, so neither retransmits.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "kcpkit/kcp/kcp.hpp"

#ifdef KCPKIT_HAVE_IKCP
extern "C" {
#include "ikcp.h"
}
#endif

// ----- heap allocation counter -------------------------------------------------------
// Replacing the global operators makes GCC see malloc/free behind new/delete and warn
// about a mismatch that is not one.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}
void* operator new(std::size_t n) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

using kcpkit::kcp::Kcp;

constexpr int kSessions = 5000;
constexpr int kInFlight = 32;
constexpr std::size_t kSegment = 1376;
constexpr std::uint32_t kPassTime = 10;  // ms: the clock of every pass, before any timer

std::map<std::string, double> g_ms_per_pass;  // for the ratio table

/// ms per pass and ns per in-flight segment, from Google Benchmark's own timer: a rate
/// counter divides by the elapsed time and kInvert turns it into time per unit.
void set_pass_counters(benchmark::State& state) {
    using benchmark::Counter;
    const double passes = static_cast<double>(state.iterations());
    state.counters["ms_per_pass"] = Counter(passes / 1e3, Counter::kIsRate | Counter::kInvert);
    state.counters["ns_per_segment"] =
        Counter(passes * kSessions * kInFlight / 1e9, Counter::kIsRate | Counter::kInvert);
}

struct CountingSink {
    std::uint64_t datagrams = 0;
    void operator()(std::span<const std::uint8_t>) { ++datagrams; }
};

void BM_FlushPass_kcpkit(benchmark::State& state) {
    CountingSink sink;
    std::vector<std::unique_ptr<Kcp>> sessions;
    const std::vector<std::uint8_t> payload(kSegment, 0x5a);
    for (int i = 0; i < kSessions; ++i) {
        auto k = std::make_unique<Kcp>(static_cast<std::uint32_t>(i + 1));
        k->set_output(sink);
        k->nodelay(1, 10, 2, 1);
        k->wndsize(kInFlight, kInFlight);
        for (int s = 0; s < kInFlight; ++s) k->send(payload);
        k->update(0);  // first flush: all 32 go out (nc = 1), due again at 200 ms
        k->update(kPassTime);
        sessions.push_back(std::move(k));
    }
    sink.datagrams = 0;
    for (auto _ : state) {
        for (auto& k : sessions) k->flush(kPassTime);
    }
    if (sink.datagrams != 0) state.SkipWithError("a segment was retransmitted during the pass");
    set_pass_counters(state);
}
BENCHMARK(BM_FlushPass_kcpkit)->Unit(benchmark::kMillisecond)->MinTime(1.0);

#ifdef KCPKIT_HAVE_IKCP
int ikcp_count_output(const char*, int, ikcpcb*, void* user) {
    ++*static_cast<std::uint64_t*>(user);
    return 0;
}

void BM_FlushPass_C_original(benchmark::State& state) {
    std::uint64_t datagrams = 0;
    std::vector<ikcpcb*> sessions;
    const std::vector<char> payload(kSegment, 0x5a);
    for (int i = 0; i < kSessions; ++i) {
        ikcpcb* k = ikcp_create(static_cast<IUINT32>(i + 1), &datagrams);
        ikcp_setoutput(k, ikcp_count_output);
        ikcp_nodelay(k, 1, 10, 2, 1);
        ikcp_wndsize(k, kInFlight, kInFlight);
        for (int s = 0; s < kInFlight; ++s)
            ikcp_send(k, payload.data(), static_cast<int>(kSegment));
        ikcp_update(k, 0);
        ikcp_update(k, 10);
        sessions.push_back(k);
    }
    datagrams = 0;
    for (auto _ : state) {
        for (ikcpcb* k : sessions) ikcp_flush(k);
    }
    if (datagrams != 0) state.SkipWithError("a segment was retransmitted during the pass");
    set_pass_counters(state);
    for (ikcpcb* k : sessions) ikcp_release(k);
}
BENCHMARK(BM_FlushPass_C_original)->Unit(benchmark::kMillisecond)->MinTime(1.0);
#endif

/// Two in-memory sessions: A sends 1376-byte messages, B reads them; ACKs flow back.
struct Pair {
    std::vector<std::vector<std::uint8_t>> a_to_b, b_to_a;
    struct Sink {
        std::vector<std::vector<std::uint8_t>>* queue;
        std::size_t used = 0;
        void operator()(std::span<const std::uint8_t> d) {
            // Reuse slots so the harness itself does not allocate in steady state.
            if (used == queue->size()) queue->emplace_back();
            (*queue)[used].assign(d.begin(), d.end());
            ++used;
        }
    } to_b{&a_to_b}, to_a{&b_to_a};
    Kcp a{7}, b{7};
    std::vector<std::uint8_t> message = std::vector<std::uint8_t>(kSegment, 0x42);
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(1 << 16);
    std::uint32_t now = 0;

    Pair() {
        a.set_output(to_b);
        b.set_output(to_a);
        for (Kcp* k : {&a, &b}) {
            k->nodelay(1, 10, 2, 1);
            k->wndsize(256, 256);
        }
        a_to_b.reserve(1024);
        b_to_a.reserve(1024);
    }

    /// One round: send `n` messages, flush, deliver, read, ack. Returns bytes read.
    std::size_t round(int n) {
        for (int i = 0; i < n; ++i) a.send(message);
        now += 10;
        a.update(now);
        for (std::size_t i = 0; i < to_b.used; ++i) b.input(a_to_b[i], now);
        to_b.used = 0;
        std::size_t got = 0;
        for (int r; (r = b.recv(buffer)) > 0;) got += static_cast<std::size_t>(r);
        b.update(now);
        for (std::size_t i = 0; i < to_a.used; ++i) a.input(b_to_a[i], now);
        to_a.used = 0;
        return got;
    }
};

void BM_SteadyTransfer(benchmark::State& state) {
    Pair pair;
    for (int i = 0; i < 200; ++i) pair.round(64);  // warm-up: pools and rings reach size
    std::size_t bytes = 0;
    std::uint64_t segments = 0;
    const std::uint64_t allocations_before = g_allocations.load();
    for (auto _ : state) {
        bytes += pair.round(64);
        segments += 64;
    }
    const std::uint64_t allocations = g_allocations.load() - allocations_before;
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["allocs_per_segment"] =
        segments ? static_cast<double>(allocations) / static_cast<double>(segments) : 0.0;
    if (bytes != segments * kSegment) state.SkipWithError("not every message arrived");
    if (allocations != 0) state.SkipWithError("heap allocations in steady state");
}
BENCHMARK(BM_SteadyTransfer)->MinTime(1.0);

class RatioReporter : public benchmark::ConsoleReporter {
  public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            auto it = run.counters.find("ms_per_pass");
            if (it != run.counters.end() && !run.error_occurred)
                g_ms_per_pass[run.benchmark_name()] = it->second.value;
        }
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    const auto find = [](const char* prefix) -> double {
        for (const auto& [name, ms] : g_ms_per_pass)
            if (name.rfind(prefix, 0) == 0) return ms;
        return 0;
    };
    const double ours = find("BM_FlushPass_kcpkit");
    const double c = find("BM_FlushPass_C_original");
    std::printf("\nFlush pass, 5000 sessions x 32 segments in flight (none due), same run:\n");
    std::printf("  %-22s %8s  %s\n", "implementation", "ms/pass", "vs kcpkit");
    if (ours > 0) std::printf("  %-22s %8.3f  %s\n", "kcpkit", ours, "1.00x");
    if (c > 0)
        std::printf("  %-22s %8.3f  kcpkit is %.2fx faster\n", "C original 1.7.1", c, c / ours);
    else
        std::printf("  C original not measured: run bench/reference/fetch-ikcp.sh, then rebuild\n");
    // The target, 0.3 ms where the C original took 1.9 ms (kcp-go 0.96 ms), read as
    // a ratio against the reference measured in this same run.
    constexpr double kTargetRatio = 1.9 / 0.3;
    std::printf("  target: <= 0.300 ms on the baseline machine, i.e. >= %.1fx the C original\n",
                kTargetRatio);
    if (c > 0 && ours > 0)
        std::printf("  %s: %.1fx the C original in this run\n",
                    c / ours >= kTargetRatio ? "MET" : "NOT MET", c / ours);
    return 0;
}
