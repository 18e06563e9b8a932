// Runs every case of a set of kcpvec/1 files and reports PASS / FAIL / SKIP per case.
#pragma once

#include <iosfwd>
#include <regex>
#include <string>
#include <vector>

#include "conformance/case_outcome.hpp"

namespace kcpkit::conformance {

struct CaseReport {
    std::string file;
    std::string kind;
    std::string id;    // the case's id, else "<file>#<index>"
    std::string name;  // the case's name, else empty
    CaseOutcome outcome;
};

struct RunSummary {
    std::vector<CaseReport> cases;
    std::vector<std::string> file_errors;  // unreadable or malformed files
    std::size_t passed = 0, failed = 0, skipped = 0, malformed_cases = 0;

    /// 0 all passed, 1 some case failed, 2 a file or case was unreadable or malformed.
    int exit_code() const;
};

struct RunOptions {
    std::vector<std::string> files;
    std::string filter;  // ECMAScript regex searched in id and name; empty: all
    bool verbose = false;
    bool hide_passes = false;  // print only FAIL and SKIP lines
};

/// Runs the files; prints one line per case to `out` as it goes, errors to `err`.
RunSummary run_vector_files(const RunOptions& options, std::ostream& out, std::ostream& err);

/// The closing line: "N passed, N failed, N skipped".
std::string summary_line(const RunSummary& summary);

/// One line per file: kind, cases, passed, failed, skipped (or the file's error).
void print_file_table(const RunSummary& summary, const std::vector<std::string>& files,
                      std::ostream& out);

/// A machine-readable report of the run.
nlohmann::json summary_json(const RunSummary& summary);

}  // namespace kcpkit::conformance
