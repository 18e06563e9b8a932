#define BOOST_TEST_MODULE frame_replay
#include "conformance/frame_replay.hpp"

#include <boost/test/unit_test.hpp>
#include <functional>
#include <string>
#include <vector>

#include "conformance/vector_file.hpp"

using namespace kcpkit::conformance;
using nlohmann::json;

// The replayer must notice every kind of difference, not only pass what it is given: each
// test takes a committed kcp-go case, breaks one thing, and expects FAIL.

namespace {

json committed_case(const std::string& id_part) {
    const VectorFile f = load_vector_file("vectors/kcpgo-v5.6.72-frame.json.gz");
    BOOST_TEST_REQUIRE(f.error.empty(), f.error);
    for (const auto& c : f.document["cases"])
        if (c["id"].get<std::string>().find(id_part) != std::string::npos) return c;
    BOOST_FAIL("no case " << id_part);
    return {};
}

std::size_t first_index(const json& c, const std::function<bool(const json&)>& pred) {
    for (std::size_t i = 0; i < c["datagrams"].size(); ++i)
        if (pred(c["datagrams"][i])) return i;
    BOOST_FAIL("no such datagram");
    return 0;
}

std::string flip_hex(const json& value, std::size_t at) {
    // (Through a vector: GCC 12 at -O3 warns wrongly on in-place std::string edits here.)
    const std::string text = value.get<std::string>();
    std::vector<char> hex(text.begin(), text.end());
    BOOST_TEST_REQUIRE(at < hex.size());
    hex[at] = hex[at] == '0' ? '1' : '0';
    return {hex.begin(), hex.end()};
}

bool fails(const json& c) {
    return replay_frame_case(c).verdict == Verdict::fail;
}

const char* kLossy = "aes-128/fec-10-3/client-to-server";

}  // namespace

BOOST_AUTO_TEST_CASE(committed_cases_pass) {
    for (const char* id : {kLossy, "null/fec-0-0/server-to-client", "aes-256-gcm/fec-10-3/client",
                           "sm4/fec-10-3/invalid-crypt", "salsa20/fec-10-3/invalid-fec-header"}) {
        const CaseOutcome r = replay_frame_case(committed_case(id));
        BOOST_TEST((r.verdict == Verdict::pass), id << ": " << r.detail);
    }
}

BOOST_AUTO_TEST_CASE(a_wrong_plain_kcp_or_wire_fails) {
    json c = committed_case(kLossy);
    const std::size_t i = first_index(c, [](const json& d) { return !d.contains("lost"); });
    json wrong_plain = c;
    wrong_plain["datagrams"][i]["plain"] = flip_hex(c["datagrams"][i]["plain"], 50);
    BOOST_TEST(fails(wrong_plain));
    json wrong_kcp = c;
    wrong_kcp["datagrams"][i]["kcp"] = flip_hex(c["datagrams"][i]["kcp"], 10);
    BOOST_TEST(fails(wrong_kcp));
    json wrong_wire = c;
    wrong_wire["datagrams"][i]["wire"] = flip_hex(c["datagrams"][i]["wire"], 60);
    BOOST_TEST(fails(wrong_wire));
    json wrong_key = c;
    wrong_key["key"] = flip_hex(c["key"], 0);
    BOOST_TEST(fails(wrong_key));
}

BOOST_AUTO_TEST_CASE(a_lost_datagram_that_cannot_be_rebuilt_fails) {
    json c = committed_case(kLossy);
    // Without any parity nothing can be rebuilt: the case's lost datagrams must be missed.
    json no_parity = c;
    no_parity["datagrams"] = json::array();
    for (const auto& d : c["datagrams"])
        if (!(d.contains("kcp") && d["kcp"] == "" && !d.contains("lost")))
            no_parity["datagrams"].push_back(d);
    BOOST_TEST(fails(no_parity));
    // A lost datagram whose kcp nobody can produce.
    json invented = c;
    const std::size_t i = first_index(c, [](const json& d) {
        return d.value("lost", false) && !d.value("unrecoverable", false);
    });
    invented["datagrams"][i]["kcp"] = flip_hex(c["datagrams"][i]["kcp"], 0);
    BOOST_TEST(fails(invented));
}

BOOST_AUTO_TEST_CASE(a_datagram_our_encoder_would_frame_differently_fails) {
    // No crypt layer: wire == plain. Give one data datagram another FEC seqid (in both):
    // the receiver may still cope, but framing the case again no longer gives its bytes.
    json c = committed_case("null/fec-10-3/client-to-server");
    const std::size_t i = first_index(c, [](const json& d) {
        return !d.contains("lost") && d["kcp"] != "" && d["wire"].get<std::string>().size() > 100;
    });
    json moved = c;
    const std::string seqid_bumped = flip_hex(c["datagrams"][i]["wire"], 1);
    moved["datagrams"][i]["wire"] = seqid_bumped;
    moved["datagrams"][i]["plain"] = seqid_bumped;
    BOOST_TEST(fails(moved));
}

BOOST_AUTO_TEST_CASE(wrong_rejections_and_deliveries_fail) {
    json crc = committed_case("aes-128/fec-10-3/invalid-crypt");
    const std::size_t i = first_index(
        crc, [](const json& d) { return d.value("expect_error", "") == "checksum_mismatch"; });
    json as_truncated = crc;
    as_truncated["datagrams"][i]["expect_error"] = "truncated";
    BOOST_TEST(fails(as_truncated));
    json hostile = committed_case("aes-128/fec-10-3/invalid-fec-header");
    const std::size_t h = first_index(
        hostile, [](const json& d) { return d.contains("deliver") && !d["deliver"].empty(); });
    json no_delivery = hostile;
    no_delivery["datagrams"][h]["deliver"] = json::array();
    BOOST_TEST(fails(no_delivery));
}

BOOST_AUTO_TEST_CASE(malformed_and_unsupported_cases_are_reported) {
    json c = committed_case(kLossy);
    c.erase("cipher");
    BOOST_TEST(replay_frame_case(c).malformed);
    json other = committed_case(kLossy);
    other["reference"] = "ikcp";
    BOOST_TEST((replay_frame_case(other).verdict == Verdict::skip));
    json bad_hex = committed_case(kLossy);
    bad_hex["datagrams"][0]["wire"] = "zz";
    BOOST_TEST(replay_frame_case(bad_hex).malformed);
}
