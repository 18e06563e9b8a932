#define BOOST_TEST_MODULE kcpgo_session_capture
// kcpkit's sans-IO Session as the receiver of real kcp-go traffic: each committed `frame`
// capture is one direction of a kcp-go echo session (the client's messages one way, the
// server's echo of them the other). Fed the datagrams kcp-go put on the wire (minus the
// ones lost on purpose), a kcpkit Session must read back the same byte stream in both
// directions: the client's writes, rebuilt by FEC or retransmitted by kcp-go where lost.
#include <boost/test/unit_test.hpp>
#include <map>
#include <string>

#include "conformance/hex.hpp"
#include "conformance/vector_file.hpp"
#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/crypt/nonce.hpp"
#include "kcpkit/kcpgo/session.hpp"

using namespace kcpkit;
using nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes hex(const json& v) {
    return conformance::from_hex(v.get<std::string>()).value();
}

/// What a kcpkit Session reads from one captured direction.
Bytes read_through_session(const json& c) {
    kcpgo::SessionConfig cfg;
    const kcpgo::Release* release = kcpgo::find_release(c.value("reference", "kcp-go"));
    BOOST_TEST_REQUIRE(release != nullptr);
    cfg.release = *release;
    const std::string cipher = c["cipher"];
    if (cipher != "null") {
        cfg.frame.cipher = crypt::parse_cipher_name(cipher);
        BOOST_TEST_REQUIRE(cfg.frame.cipher.has_value());
        cfg.frame.key = hex(c["key"]);
    }
    cfg.frame.data_shards = c["data_shards"];
    cfg.frame.parity_shards = c["parity_shards"];
    cfg.snd_wnd = cfg.rcv_wnd = 128;  // as the capture's sessions
    // The conv: from the first datagram's KCP bytes.
    for (const auto& d : c["datagrams"]) {
        const Bytes kcp = hex(d["kcp"]);
        if (kcp.size() >= 24) {
            cfg.conv = load_le32(kcp.data());
            break;
        }
    }
    std::array<std::uint8_t, 32> seed{};
    crypt::AesCtrNonceSource nonces(seed);
    auto s = kcpgo::Session::create(cfg, 0, nonces);
    BOOST_TEST_REQUIRE(s != nullptr);
    struct Discard {
        void operator()(std::span<const std::uint8_t>) {}
    } discard;
    s->set_transmit_sink(discard);  // our ACKs go nowhere: the capture is fixed
    Bytes got(65536), stream;
    std::uint32_t now = 0;
    for (const auto& d : c["datagrams"]) {
        if (d.value("lost", false)) continue;
        Bytes wire = hex(d["wire"]);
        s->handle_datagram(wire, ++now);
        for (int n; (n = s->read(got, now)) > 0;)
            stream.insert(stream.end(), got.begin(), got.begin() + n);
    }
    return stream;
}

void check_file(const char* path) {
    const conformance::VectorFile f = conformance::load_vector_file(path);
    BOOST_TEST_REQUIRE(f.error.empty(), f.error);
    std::map<std::string, json> valid;  // id -> case
    for (const auto& c : f.document["cases"])
        if (c.value("result", "valid") == "valid") valid[c["id"]] = c;
    std::size_t pairs = 0;
    for (const auto& [id, c] : valid) {
        if (!id.ends_with("/client-to-server")) continue;
        const std::string back = id.substr(0, id.size() - 16) + "server-to-client";
        BOOST_TEST_REQUIRE(valid.contains(back), back);
        const Bytes up = read_through_session(c);
        const Bytes down = read_through_session(valid[back]);
        // The client wrote 1 + 24 + 1400 + 14 messages of 1..700 bytes; the server echoed them.
        BOOST_TEST(up.size() >= 1425u, id << ": " << up.size() << " bytes");
        BOOST_TEST((up == down), id);
        ++pairs;
    }
    BOOST_TEST(pairs >= 18u);
}

}  // namespace

BOOST_AUTO_TEST_CASE(kcp_go_v5_6_72_sessions_read_back_through_kcpkit) {
    check_file("vectors/kcpgo-v5.6.72-frame.json.gz");
}

BOOST_AUTO_TEST_CASE(kcp_go_v5_6_1_sessions_read_back_through_kcpkit) {
    check_file("vectors/kcpgo-v5.6.1-frame.json.gz");
}
