// Replays a kcpvec/1 `kcp-trace` case against the core, under the case's profile.
#pragma once

#include <nlohmann/json.hpp>

#include "conformance/case_outcome.hpp"

namespace kcpkit::conformance {

CaseOutcome replay_kcp_trace(const nlohmann::json& test_case);

}  // namespace kcpkit::conformance
