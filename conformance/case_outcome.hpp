// What replaying one case of a vector file gives, whatever its kind.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kcpkit/base/enum_names.hpp"

namespace kcpkit::conformance {

/// What became of one case. The names are the words kcp-conform prints and writes in its
/// JSON report.
enum class Verdict : std::uint8_t {
    pass,  ///< the case replayed as the vector says
    fail,  ///< it did not (or the case is malformed): `detail` says where; exit status 1 (2)
    skip,  ///< this build or profile cannot run it: `detail` says why; not a failure
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(Verdict) {
    using enum Verdict;
    return std::to_array<EnumName<Verdict>>({{pass, "PASS"}, {fail, "FAIL"}, {skip, "SKIP"}});
}
// clang-format on
static_assert(names_are_distinct<Verdict>());

struct CaseOutcome {
    Verdict verdict = Verdict::pass;
    /// For fail: where and what differs (step, op, field, expected, actual); for skip:
    /// why; for pass: optional notes (e.g. state fields that were not checked).
    std::string detail;
    /// The case itself is not valid kcpvec/1 (a missing or mistyped field).
    bool malformed = false;

    static CaseOutcome pass(std::string note = {}) { return {Verdict::pass, std::move(note)}; }
    static CaseOutcome fail(std::string why) { return {Verdict::fail, std::move(why)}; }
    static CaseOutcome skip(std::string why) { return {Verdict::skip, std::move(why)}; }
    static CaseOutcome bad_case(std::string why) {
        return {Verdict::fail, "malformed case: " + why, true};
    }
};

/// Replays one case of a given kind. `file_kind` is the file's top-level kind.
using CaseRunner = CaseOutcome (*)(const nlohmann::json& test_case);

/// The runner for a kind, or nullptr if this build cannot run that kind.
CaseRunner find_case_runner(const std::string& kind);

}  // namespace kcpkit::conformance
