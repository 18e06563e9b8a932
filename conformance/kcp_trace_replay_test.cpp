#define BOOST_TEST_MODULE kcp_trace_replay
#include "conformance/kcp_trace_replay.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "conformance/runner.hpp"
#include "conformance/vector_file.hpp"

using namespace kcpkit::conformance;
using nlohmann::json;

namespace {

const char* kSharedFile = "vectors/ikcp-1.7.1-seeds-1-20.json.gz";

json first_case() {
    VectorFile f = load_vector_file(kSharedFile);
    BOOST_REQUIRE_MESSAGE(f.error.empty(), f.error);
    return f.document["cases"][0];
}

/// The index of the first step whose `out` is not empty.
std::size_t first_step_with_output(const json& c) {
    for (std::size_t i = 0; i < c["steps"].size(); ++i)
        if (!c["steps"][i]["out"].empty()) return i;
    BOOST_FAIL("no step with output");
    return 0;
}

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = "build/" + name;
    std::ofstream(path) << text;
    return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_captured_case_passes) {
    const CaseOutcome r = replay_kcp_trace(first_case());
    BOOST_TEST((r.verdict == Verdict::pass), r.detail);
}

BOOST_AUTO_TEST_CASE(a_flipped_output_byte_fails_naming_step_field_and_values) {
    json c = first_case();
    const std::size_t step = first_step_with_output(c);
    std::string d = c["steps"][step]["out"][0];
    d[13] = d[13] == '0' ? '1' : '0';  // byte 6: low byte of wnd in the first segment
    c["steps"][step]["out"][0] = d;
    const CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::fail));
    BOOST_TEST(r.detail.find("step " + std::to_string(step) + " (") == 0u, r.detail);
    BOOST_TEST(r.detail.find("segment 0 field wnd") != std::string::npos, r.detail);
    BOOST_TEST(r.detail.find("expected") != std::string::npos, r.detail);
}

BOOST_AUTO_TEST_CASE(a_wrong_return_value_or_state_fails) {
    json c = first_case();
    for (auto& s : c["steps"])
        if (s["op"] == "recv") {
            s["ret"] = 12345;
            break;
        }
    CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::fail));
    BOOST_TEST(r.detail.find("ret: expected 12345") != std::string::npos, r.detail);

    c = first_case();
    c["steps"][0]["state"]["rx_rto"] = 201;
    r = replay_kcp_trace(c);
    BOOST_TEST(r.detail.find("state.rx_rto: expected 201 actual 200") != std::string::npos,
               r.detail);
}

BOOST_AUTO_TEST_CASE(a_missing_datagram_fails) {
    json c = first_case();
    const std::size_t step = first_step_with_output(c);
    c["steps"][step]["out"] = json::array();
    const CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST(r.detail.find("expected 0 datagram(s)") != std::string::npos, r.detail);
}

BOOST_AUTO_TEST_CASE(unknown_ops_profiles_and_fields_are_skips_or_notes) {
    json c = first_case();
    c["steps"][3] = {{"t", 0}, {"op", "teleport"}, {"out", json::array()}};
    CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::skip));
    BOOST_TEST(r.detail.find("teleport") != std::string::npos);

    c = first_case();
    c["reference"] = "quic";
    r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::skip));

    c = first_case();
    c["steps"][0]["state"]["ts_recent"] = 0;  // a field the core does not model
    r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::pass));
    BOOST_TEST(r.detail.find("ts_recent") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_cases_are_reported_with_their_path) {
    json c = first_case();
    c.erase("config");
    CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST(r.malformed);
    c = first_case();
    c["steps"][2]["out"] = json::array({"zz"});
    r = replay_kcp_trace(c);
    BOOST_TEST(r.malformed);
    BOOST_TEST(r.detail.find("steps[2].out[0]") != std::string::npos, r.detail);
}

BOOST_AUTO_TEST_CASE(malformed_files_give_exit_2_and_name_the_position) {
    const std::string bad = write_temp("bad_vector.json", "{\"format\": \"kcpvec/1\", \"kind\": ");
    VectorFile f = load_vector_file(bad);
    BOOST_TEST(f.error.find("bad_vector.json: invalid JSON at byte 32") != std::string::npos,
               f.error);
    BOOST_TEST(!load_vector_file("build/no-such-file.json").error.empty());
    BOOST_TEST(!parse_vector_text("{\"format\": \"kcpvec/2\", \"kind\": \"x\", \"cases\": []}", "x")
                    .error.empty());

    std::ostringstream out, err;
    RunSummary s = run_vector_files({.files = {bad}, .filter = {}}, out, err);
    BOOST_TEST(s.exit_code() == 2);
    BOOST_TEST(err.str().find("bad_vector.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(runner_counts_filters_and_skips_unknown_kinds) {
    const std::string other =
        write_temp("other_kind.json",
                   R"({"format":"kcpvec/1","kind":"quantum","cases":[{"id":"q/1"},{"id":"q/2"}]})");
    std::ostringstream out, err;
    RunSummary s = run_vector_files({.files = {kSharedFile, other}, .filter = "seed1-"}, out, err);
    BOOST_TEST(s.passed == 2u);  // seed1 A and B only
    BOOST_TEST(s.skipped == 0u);
    BOOST_TEST(s.exit_code() == 0);
    s = run_vector_files({.files = {other}, .filter = {}}, out, err);
    BOOST_TEST(s.skipped == 2u);
    BOOST_TEST(summary_line(s) == "0 passed, 0 failed, 2 skipped");
    BOOST_TEST(out.str().find("SKIP  q/1") != std::string::npos);
    BOOST_TEST(summary_json(s)["skipped"] == 2);
}

// ----- kcp-go traces ----------------------------------------------------------------

namespace {

const char* kKcpGoFile = "vectors/kcpgo-v5.6.72-trace-seeds-1-40.json.gz";

json kcpgo_case(const std::string& file, std::size_t index) {
    static std::map<std::string, VectorFile> loaded;  // each file is parsed once
    auto it = loaded.find(file);
    if (it == loaded.end()) it = loaded.emplace(file, load_vector_file(file)).first;
    BOOST_REQUIRE_MESSAGE(it->second.error.empty(), it->second.error);
    return it->second.document["cases"][index];
}

/// The first step of `op` in a case that has the given key (or any, if key is empty).
json* find_step(json& c, const std::string& op, const std::string& key = {}) {
    for (auto& s : c["steps"])
        if (s["op"] == op && (key.empty() || s.contains(key))) return &s;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(kcp_go_cases_pass_under_their_profile_and_fail_under_ikcp) {
    json c = kcpgo_case(kKcpGoFile, 0);
    BOOST_TEST(c["reference"] == "kcp-go");
    CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::pass), r.detail);
    c["reference"] = "ikcp";
    r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::fail));

    json old = kcpgo_case("vectors/kcpgo-v5.6.1-trace-seeds-1-20.json.gz", 0);
    BOOST_TEST(old["reference"] == "kcp-go-5.6.1");
    r = replay_kcp_trace(old);
    BOOST_TEST((r.verdict == Verdict::pass), r.detail);
}

BOOST_AUTO_TEST_CASE(kcp_go_flush_results_and_input_arguments_are_checked) {
    // flush's suggested delay is compared as `ret`.
    json c = kcpgo_case(kKcpGoFile, 0);
    json* flush = find_step(c, "flush", "ret");
    BOOST_REQUIRE(flush != nullptr);
    (*flush)["ret"] = (*flush)["ret"].get<std::int64_t>() + 1;
    CaseOutcome r = replay_kcp_trace(c);
    BOOST_TEST((r.verdict == Verdict::fail));
    BOOST_TEST(r.detail.find("(flush, t=") != std::string::npos, r.detail);
    BOOST_TEST(r.detail.find("ret: expected") != std::string::npos, r.detail);

    // An input step's pkt_type and ack_nodelay must be well-formed.
    c = kcpgo_case(kKcpGoFile, 0);
    find_step(c, "input")->operator[]("pkt_type") = "parity";
    r = replay_kcp_trace(c);
    BOOST_TEST(r.malformed);
    BOOST_TEST(r.detail.find("pkt_type") != std::string::npos, r.detail);
    c = kcpgo_case(kKcpGoFile, 0);
    find_step(c, "input")->operator[]("ack_nodelay") = 1;
    r = replay_kcp_trace(c);
    BOOST_TEST(r.malformed);

    // Marking a regular ACK-carrying datagram as FEC-recovered changes the outcome (no RTT
    // sample, no remote window): the replayer really passes the argument on.
    bool some_case_changed = false;
    for (std::size_t i = 0; i < 6 && !some_case_changed; ++i) {
        c = kcpgo_case(kKcpGoFile, i);
        for (auto& s : c["steps"])
            if (s["op"] == "input" && !s.contains("pkt_type")) s["pkt_type"] = "fec";
        some_case_changed = replay_kcp_trace(c).verdict == Verdict::fail;
    }
    BOOST_TEST(some_case_changed);
}
