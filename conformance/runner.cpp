#include "conformance/runner.hpp"

#include <map>
#include <ostream>

#include "conformance/crypt_replay.hpp"
#include "conformance/fec_replay.hpp"
#include "conformance/frame_replay.hpp"
#include "conformance/kcp_trace_replay.hpp"
#include "conformance/vector_file.hpp"

namespace kcpkit::conformance {

CaseRunner find_case_runner(const std::string& kind) {
    static const std::map<std::string, CaseRunner> kRunners{
        {"kcp-trace", &replay_kcp_trace},
        {"crypt", &replay_crypt_case},
        {"fec", &replay_fec_case},
        {"frame", &replay_frame_case},
    };
    auto it = kRunners.find(kind);
    return it == kRunners.end() ? nullptr : it->second;
}

int RunSummary::exit_code() const {
    if (!file_errors.empty() || malformed_cases > 0) return 2;
    return failed > 0 ? 1 : 0;
}

namespace {

std::string string_field(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    return it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

RunSummary run_vector_files(const RunOptions& options, std::ostream& out, std::ostream& err) {
    RunSummary summary;
    const std::regex filter(options.filter.empty() ? std::string(".*") : options.filter,
                            std::regex::ECMAScript);
    for (const std::string& path : options.files) {
        VectorFile file = load_vector_file(path);
        if (!file.error.empty()) {
            err << "error: " << file.error << "\n";
            summary.file_errors.push_back(file.error);
            continue;
        }
        const std::string kind = file.document["kind"];
        const CaseRunner runner = find_case_runner(kind);
        const auto& cases = file.document["cases"];
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const auto& c = cases[i];
            CaseReport report;
            report.file = path;
            report.kind = kind;
            report.id = c.is_object() ? string_field(c, "id") : std::string();
            report.name = c.is_object() ? string_field(c, "name") : std::string();
            if (report.id.empty()) report.id = path + "#" + std::to_string(i);
            if (!std::regex_search(report.id, filter) && !std::regex_search(report.name, filter))
                continue;

            if (!runner)
                report.outcome =
                    CaseOutcome::skip("kind '" + kind + "' is not supported by this build");
            else
                report.outcome = runner(c);

            switch (report.outcome.verdict) {
                case Verdict::pass:
                    ++summary.passed;
                    break;
                case Verdict::fail:
                    ++summary.failed;
                    break;
                case Verdict::skip:
                    ++summary.skipped;
                    break;
            }
            if (report.outcome.malformed) ++summary.malformed_cases;

            if (options.hide_passes && report.outcome.verdict == Verdict::pass) {
                summary.cases.push_back(std::move(report));
                continue;
            }
            out << name_of(report.outcome.verdict) << "  " << report.id;
            if (!report.name.empty() && report.name != report.id) out << "  " << report.name;
            const bool show_detail = report.outcome.verdict != Verdict::pass ||
                                     (options.verbose && !report.outcome.detail.empty());
            if (show_detail) out << "\n      " << report.outcome.detail;
            out << "\n";
            summary.cases.push_back(std::move(report));
        }
    }
    return summary;
}

std::string summary_line(const RunSummary& s) {
    return std::to_string(s.passed) + " passed, " + std::to_string(s.failed) + " failed, " +
           std::to_string(s.skipped) + " skipped";
}

void print_file_table(const RunSummary& summary, const std::vector<std::string>& files,
                      std::ostream& out) {
    struct Counts {
        std::string kind;
        std::size_t pass = 0, fail = 0, skip = 0;
    };
    std::map<std::string, Counts> by_file;
    for (const auto& c : summary.cases) {
        Counts& n = by_file[c.file];
        n.kind = c.kind;
        if (c.outcome.verdict == Verdict::pass) ++n.pass;
        if (c.outcome.verdict == Verdict::fail) ++n.fail;
        if (c.outcome.verdict == Verdict::skip) ++n.skip;
    }
    for (const std::string& f : files) {
        auto it = by_file.find(f);
        if (it == by_file.end()) {
            bool unreadable = false;
            for (const auto& e : summary.file_errors) unreadable = unreadable || e.starts_with(f);
            out << "  " << f << ": "
                << (unreadable ? "UNREADABLE (see error above)" : "no cases selected") << "\n";
            continue;
        }
        const Counts& n = it->second;
        out << "  " << f << " [" << n.kind << "]: " << n.pass + n.fail + n.skip << " cases, "
            << n.pass << " passed, " << n.fail << " failed, " << n.skip << " skipped\n";
    }
}

nlohmann::json summary_json(const RunSummary& s) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : s.cases) {
        cases.push_back({{"file", c.file},
                         {"kind", c.kind},
                         {"id", c.id},
                         {"name", c.name},
                         {"status", std::string(name_of(c.outcome.verdict))},
                         {"detail", c.outcome.detail},
                         {"malformed", c.outcome.malformed}});
    }
    return {{"format", "kcp-conform-report/1"},
            {"passed", s.passed},
            {"failed", s.failed},
            {"skipped", s.skipped},
            {"file_errors", s.file_errors},
            {"cases", cases}};
}

}  // namespace kcpkit::conformance
