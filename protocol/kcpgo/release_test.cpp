#define BOOST_TEST_MODULE release
#include "kcpkit/kcpgo/release.hpp"

#include <boost/test/unit_test.hpp>
#include <vector>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/nonce.hpp"
#include "kcpkit/kcpgo/listener_demux.hpp"
#include "kcpkit/kcpgo/session.hpp"

using namespace kcpkit;
using namespace kcpkit::kcpgo;
using Bytes = std::vector<std::uint8_t>;

namespace {

crypt::AesCtrNonceSource nonce_source(std::uint8_t seed) {
    std::array<std::uint8_t, 32> s{};
    s.fill(seed);
    return crypt::AesCtrNonceSource(s);
}

// A release that exists only here: v5.6.72's row with every value that can differ changed.
// Nothing but this row is written for it; the checks below show each value taking effect in
// the layers (kcp, fec, frame, session, listener, SNMP) that ask the row.
constexpr SnmpColumn kTestColumns[] = {
    {"BytesSent", &Snmp::BytesSent},
    {"OOBPackets", &Snmp::OOBPackets},
};

Release test_release() {
    Release r = default_release();
    r.name = "kcp-go-test";
    r.version = "v0.0.0-test";
    r.kcp = &kcp::kKcpGo561Profile;
    r.frame.fec.parity_gap_ms = 0;  // parity always
    r.frame.fec.min_datagram = 20;  // decoder gate
    r.frame.fec.oob = false;        // no OOB
    r.frame.aead = false;           // no AES-GCM
    r.frame.min_kcp_mtu = 200;      // the core's minimum mtu
    r.frame.listener_min_datagram = 30;
    r.frame.max_datagram = 1200;
    r.snmp = kTestColumns;
    r.writable_waits_for_peer_window = true;
    return r;
}

SessionConfig config_for(const Release& release, int ds = 0, int ps = 0) {
    SessionConfig c;
    c.conv = 9;
    c.release = release;
    c.frame.data_shards = ds;
    c.frame.parity_shards = ps;
    return c;
}

std::unique_ptr<Session> make(const SessionConfig& c, crypt::NonceSource& nonces) {
    Session::CreateError why;
    auto s = Session::create(c, 0, nonces, &why);
    BOOST_TEST_REQUIRE(s != nullptr);
    return s;
}

/// An FEC parity datagram of `n` bytes (n >= 6).
Bytes parity_datagram(std::size_t n) {
    Bytes d(n, 0);
    store_le16(d.data() + 4, fec::kTypeParity);
    return d;
}

/// How many 1-byte writes a fresh session accepts before write() would block.
int writes_until_blocked(const SessionConfig& c) {
    auto nonces = nonce_source(1);
    auto s = make(c, nonces);
    const Bytes one{1};
    int n = 0;
    while (n < 10000 && s->write(one, 0) > 0) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(names_accepted_today_find_their_rows) {
    const Release* head = find_release("kcp-go");
    BOOST_REQUIRE(head);
    BOOST_TEST(head == &default_release());
    BOOST_TEST(head->version == "v5.6.72");
    BOOST_TEST(head->kcp == kcp::find_profile("kcp-go"));
    const Release* old = find_release("kcp-go-5.6.1");
    BOOST_REQUIRE(old);
    BOOST_TEST(old->version == "v5.6.1");
    BOOST_TEST(old->kcp == kcp::find_profile("kcp-go-5.6.1"));
    BOOST_TEST(!find_release("ikcp"));  // a core profile without a kcp-go session layer
    for (const Release& r : releases()) BOOST_TEST(r.kcp->name == r.name);
    BOOST_TEST(&release_for_core_profile("ikcp") == &default_release());
    BOOST_TEST(&release_for_core_profile("kcp-go-5.6.1") == old);
}

BOOST_AUTO_TEST_CASE(the_two_rows_differ_where_kcp_go_does) {
    const Release& head = default_release();
    const Release& old = *find_release("kcp-go-5.6.1");
    // kcp-go's Snmp.Header() of each release, as printed by its snmp.go.
    BOOST_TEST(snmp_csv_header(head.snmp) ==
               "BytesSent,BytesReceived,MaxConn,ActiveOpens,PassiveOpens,CurrEstab,InErrs,"
               "InCsumErrors,KCPInErrors,InPkts,OutPkts,InSegs,OutSegs,InBytes,OutBytes,"
               "RetransSegs,FastRetransSegs,EarlyRetransSegs,LostSegs,RepeatSegs,FECFullShards,"
               "FECParityShards,FECErrs,FECRecovered,FECShardSet,FECShardMin,RingBufferSndQueue,"
               "RingBufferRcvQueue,RingBufferSndBuffer,OOBPackets");
    BOOST_TEST(snmp_csv_header(old.snmp) ==
               "BytesSent,BytesReceived,MaxConn,ActiveOpens,PassiveOpens,CurrEstab,InErrs,"
               "InCsumErrors,KCPInErrors,InPkts,OutPkts,InSegs,OutSegs,InBytes,OutBytes,"
               "RetransSegs,FastRetransSegs,EarlyRetransSegs,LostSegs,RepeatSegs,"
               "FECParityShards,FECErrs,FECRecovered,FECShortShards");
    BOOST_TEST(head.frame.aead);
    BOOST_TEST(!old.frame.aead);
    BOOST_TEST(head.frame.fec.oob);
    BOOST_TEST(!old.frame.fec.oob);
    BOOST_TEST(head.frame.listener_min_datagram == 12u);
    BOOST_TEST(old.frame.listener_min_datagram == 24u);
    BOOST_TEST(!head.writable_waits_for_peer_window);
    BOOST_TEST(old.writable_waits_for_peer_window);
}

BOOST_AUTO_TEST_CASE(a_row_is_the_only_edit_a_values_only_release_needs) {
    const Release& head = default_release();
    const Release test = test_release();
    auto na = nonce_source(2), nb = nonce_source(3);

    // kcp: the row's core profile runs in the session.
    auto plain_head = make(config_for(head), na);
    auto plain_test = make(config_for(test), nb);
    BOOST_TEST(&plain_head->kcp().profile() == &kcp::kKcpGoProfile);
    BOOST_TEST(&plain_test->kcp().profile() == &kcp::kKcpGo561Profile);

    // frame: AEAD refused, the core's minimum mtu, the largest datagram.
    SessionConfig gcm = config_for(test);
    gcm.frame.cipher = crypt::Cipher::aes128_gcm;
    gcm.frame.key.assign(16, 1);
    Session::CreateError why;
    BOOST_TEST(!Session::create(gcm, 0, na, &why));
    BOOST_TEST((why.frame == frame::ConfigError::aead_on_561));
    gcm.release = head;
    BOOST_TEST(Session::create(gcm, 0, na, &why) != nullptr);
    SessionConfig small = config_for(test);
    small.mtu = 150;  // KCP mtu 150 < 200
    BOOST_TEST(!Session::create(small, 0, na, &why));
    BOOST_TEST(why.bad_mtu);
    small.release = head;
    BOOST_TEST(Session::create(small, 0, na, &why) != nullptr);
    BOOST_TEST(plain_test->framer().max_datagram() == 1200u);
    BOOST_TEST(plain_head->framer().max_datagram() == 1500u);

    // fec: parity always (v5.6.72 skips the very first (1, 1) group), no OOB, the gate.
    frame::FrameConfig fc;
    fc.data_shards = 1;
    fc.parity_shards = 1;
    fc.behaviour = head.frame;
    auto head_framer = frame::Framer::create(fc);
    fc.behaviour = test.frame;
    auto test_framer = frame::Framer::create(fc);
    BOOST_REQUIRE(head_framer);
    BOOST_REQUIRE(test_framer);
    const Bytes kcp_bytes(40, 7);
    const Bytes nonce(16, 0);
    BOOST_TEST(head_framer->seal_with_nonce(kcp_bytes, 0, nonce).datagrams.size() == 1u);
    BOOST_TEST(test_framer->seal_with_nonce(kcp_bytes, 0, nonce).datagrams.size() == 2u);
    auto fec_head = make(config_for(head, 1, 1), na);
    auto fec_test = make(config_for(test, 1, 1), nb);
    BOOST_TEST(fec_head->oob_max_size() > 0u);
    BOOST_TEST(fec_test->oob_max_size() == 0u);
    Bytes short_raw(16, 0x55);  // no FEC type at offset 4
    Bytes copy = short_raw;
    BOOST_TEST((head_framer->open(copy, 0).kind == fec::PacketKind::raw_kcp));
    copy = short_raw;
    const frame::OpenResult dropped = test_framer->open(copy, 0);
    BOOST_TEST((dropped.drop == fec::DropReason::too_short));

    // listener: its length gate.
    const Bytes parity = parity_datagram(26);
    BOOST_TEST((frame::identify(parity, head.frame).kind == fec::PacketKind::fec_parity));
    BOOST_TEST((frame::identify(parity, test.frame).kind == fec::PacketKind::dropped));

    // session: the writable rule (the peer's window, 128 before it says otherwise).
    SessionConfig wide = config_for(head);
    wide.snd_wnd = 1024;
    BOOST_TEST(writes_until_blocked(wide) == 1024);
    wide.release = test;
    BOOST_TEST(writes_until_blocked(wide) == static_cast<int>(plain_test->kcp().state().rmt_wnd));
    BOOST_TEST(plain_test->kcp().state().rmt_wnd < 1024u);

    // SNMP: the row's columns.
    Snmp x;
    x.BytesSent = 4;
    x.OOBPackets = 2;
    x.InPkts = 9;
    BOOST_TEST(snmp_csv_header(test.snmp) == "BytesSent,OOBPackets");
    BOOST_TEST(snmp_csv_row(x, test.snmp) == "4,2");
    BOOST_TEST(snmp_to_json(x, test.snmp) == "{\"BytesSent\":4,\"OOBPackets\":2}");
}

BOOST_AUTO_TEST_CASE(snmp_is_built_from_the_layer_counters) {
    fec::FecCounters f;
    f.fec_recovered = 3;
    f.fec_shard_set = 2;
    f.kcp_in_errors = 1;
    frame::FrameCounters fr;
    fr.in_pkts = 7;
    fr.out_bytes = 100;
    kcp::Kcp::Counters k;
    k.lost_segs = 1;
    k.fast_retrans_segs = 2;
    k.early_retrans_segs = 4;
    DemuxCounters dm;
    dm.in_csum_errors = 5;
    fr.in_csum_errors = 6;
    Snmp s;
    s.KCPInErrors = 10;  // the session's own part
    add_layer_counters(s, {&f, &fr, &k, &dm});
    BOOST_TEST(s.InCsumErrors == 11u);
    BOOST_TEST(s.FECRecovered == 3u);
    BOOST_TEST(s.FECShardSet == 2u);
    BOOST_TEST(s.KCPInErrors == 11u);
    BOOST_TEST(s.InPkts == 7u);
    BOOST_TEST(s.OutBytes == 100u);
    BOOST_TEST(s.RetransSegs == 7u);
    BOOST_TEST(s.LostSegs == 1u);
    BOOST_TEST(s.FastRetransSegs == 2u);
    BOOST_TEST(s.EarlyRetransSegs == 4u);
    BOOST_TEST(s.BytesSent == 0u);  // a session-level field: no layer feeds it
    BOOST_TEST(snmp_field_from_fec(f, "FECRecovered").value() == 3u);
    BOOST_TEST(!snmp_field_from_fec(f, "InPkts").has_value());         // fed by the frame layer
    BOOST_TEST(!snmp_field_from_fec(f, "FECFullShards").has_value());  // a column, not a field
}
