// What replaying one case of a vector file gives, whatever its kind.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kcpkit::conformance {

struct CaseOutcome {
    enum class Status { pass, fail, skip };
    Status status = Status::pass;
    /// For fail: where and what differs (step, op, field, expected, actual); for skip:
    /// why; for pass: optional notes (e.g. state fields that were not checked).
    std::string detail;
    /// The case itself is not valid kcpvec/1 (a missing or mistyped field).
    bool malformed = false;

    static CaseOutcome pass(std::string note = {}) { return {Status::pass, std::move(note)}; }
    static CaseOutcome fail(std::string why) { return {Status::fail, std::move(why)}; }
    static CaseOutcome skip(std::string why) { return {Status::skip, std::move(why)}; }
    static CaseOutcome bad_case(std::string why) {
        return {Status::fail, "malformed case: " + why, true};
    }
};

/// Replays one case of a given kind. `file_kind` is the file's top-level kind.
using CaseRunner = CaseOutcome (*)(const nlohmann::json& test_case);

/// The runner for a kind, or nullptr if this build cannot run that kind.
CaseRunner find_case_runner(const std::string& kind);

}  // namespace kcpkit::conformance
