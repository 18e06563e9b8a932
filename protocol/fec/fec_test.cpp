#define BOOST_TEST_MODULE fec
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "kcpkit/base/allocation_counter_test_support.hpp"
#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/fec/fec.hpp"

using namespace kcpkit::fec;
using Bytes = std::vector<std::uint8_t>;

namespace {

/// Bytes from hex text, written in groups (spaces and '|' ignored).
Bytes spec_bytes(std::string_view text) {
    Bytes out;
    int high = -1;
    for (char ch : text) {
        int v = -1;
        if (ch >= '0' && ch <= '9') v = ch - '0';
        if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
        if (v < 0) continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    return out;
}

Bytes copy_of(std::span<const std::uint8_t> s) {
    return Bytes(s.begin(), s.end());
}

// A worked 3 + 2 example: three KCP datagrams and the five FEC packets kcp-go made of them.
const Bytes kKcp0 = spec_bytes(
    "44 33 22 11 51 00 80 00 e8 03 00 00 00 00 00 00 00 00 00 00 05 00 00 00 68 65 6c 6c 6f");
const Bytes kKcp1 =
    spec_bytes("44 33 22 11 52 00 7f 00 e8 03 00 00 00 00 00 00 01 00 00 00 00 00 00 00");
const Bytes kKcp2 = spec_bytes(
    "07 00 00 00 51 00 80 00 05 00 00 00 02 00 00 00 00 00 00 00 08 00 00 00 34 35 36 37 38 39 "
    "3a 3b");
const Bytes kData0 = spec_bytes(
    "00 00 00 00 f1 00 1f 00 | 44 33 22 11 51 00 80 00 e8 03 00 00 00 00 00 00 00 00 00 00 05 00 "
    "00 00 68 65 6c 6c 6f");
const Bytes kData1 = spec_bytes(
    "01 00 00 00 f1 00 1a 00 | 44 33 22 11 52 00 7f 00 e8 03 00 00 00 00 00 00 01 00 00 00 00 00 "
    "00 00");
const Bytes kData2 = spec_bytes(
    "02 00 00 00 f1 00 22 00 | 07 00 00 00 51 00 80 00 05 00 00 00 02 00 00 00 00 00 00 00 08 00 "
    "00 00 34 35 36 37 38 39 3a 3b");
const Bytes kParity0 = spec_bytes(
    "03 00 00 00 f2 00 | 27 00 07 00 00 00 52 00 7f 00 05 00 00 00 02 00 00 00 01 00 00 00 0d 00 "
    "00 00 5c 50 5a 5b 57 39 3a 3b");
const Bytes kParity1 = spec_bytes(
    "04 00 00 00 f2 00 | b9 00 d3 99 ee 77 49 00 2b 00 bc 09 00 00 0c 00 00 00 08 00 00 00 03 00 "
    "00 00 da 97 ea ec df 96 9c 9a");

/// One set of FEC rules under test, named for messages. The values are kcp-go v5.6.72's
/// (the defaults) and v5.6.1's, as protocol/kcpgo/release.cpp fills them in.
struct Profile {
    std::string_view name;
    Behaviour behaviour;
};
constexpr Profile kHead{"v5.6.72", {}};
constexpr Profile k561{"v5.6.1",
                       {.decoder = Behaviour::Decoder::sorted_queue,
                        .min_datagram = 24,
                        .oob = false,
                        .group_aligned_seqids = false,
                        .parity_gap_ms = 0,
                        .queue_expiry_ms = 60000}};
constexpr Profile kProfiles[] = {kHead, k561};

std::unique_ptr<FecEncoder> encoder(int ds, int ps, const Profile& profile,
                                    std::size_t offset = 0) {
    EncoderConfig c;
    c.data_shards = ds;
    c.parity_shards = ps;
    c.behaviour = profile.behaviour;
    c.header_offset = offset;
    auto e = FecEncoder::create(c);
    BOOST_REQUIRE(e);
    return e;
}

std::unique_ptr<FecDecoder> decoder(int ds, int ps, const Profile& profile) {
    DecoderConfig c;
    c.data_shards = ds;
    c.parity_shards = ps;
    c.behaviour = profile.behaviour;
    auto d = FecDecoder::create(c);
    BOOST_REQUIRE(d);
    return d;
}

/// What one encode() put on the wire: the data datagram, then its parity datagrams.
std::vector<Bytes> encode_one(FecEncoder& e, const Bytes& kcp, std::uint32_t now,
                              std::size_t offset = 0) {
    Bytes buf(offset + kFecOverhead);
    buf.insert(buf.end(), kcp.begin(), kcp.end());
    const EncodeResult r = e.encode(buf, now);
    BOOST_REQUIRE(r.status == Status::ok);
    std::vector<Bytes> out{buf};
    for (auto p : r.parity) out.push_back(copy_of(p));
    return out;
}

/// The KCP datagrams a decoder hands on for one input, with their "recovered" marks.
struct Handed {
    std::vector<Bytes> kcp;
    std::vector<bool> recovered;
};
Handed input(FecDecoder& d, const Bytes& datagram, std::uint32_t now = 0) {
    const InputResult r = d.input(datagram, now);
    Handed h;
    for (const Delivery& x : r.deliveries) {
        h.kcp.push_back(copy_of(x.kcp));
        h.recovered.push_back(x.recovered);
    }
    return h;
}

Bytes kcp_like(std::mt19937_64& rng, std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (n >= 6) {
        b[4] = static_cast<std::uint8_t>(81 + rng() % 4);
        b[5] = 0;
    }
    return b;
}

}  // namespace

// ----- the worked 3 + 2 example, byte for byte ------------------------------------------------

BOOST_AUTO_TEST_CASE(spec_worked_packets_are_encoded_byte_for_byte) {
    for (const Profile& p : kProfiles) {
        auto e = encoder(3, 2, p);
        const auto w0 = encode_one(*e, kKcp0, 1000);
        const auto w1 = encode_one(*e, kKcp1, 1010);
        const auto w2 = encode_one(*e, kKcp2, 1020);
        BOOST_REQUIRE_EQUAL(w0.size(), 1u);
        BOOST_REQUIRE_EQUAL(w1.size(), 1u);
        BOOST_REQUIRE_EQUAL(w2.size(), 3u);
        BOOST_TEST(w0[0] == kData0);
        BOOST_TEST(w1[0] == kData1);
        BOOST_TEST(w2[0] == kData2);
        BOOST_TEST(w2[1] == kParity0);  // as long as the longest data packet (40 bytes)
        BOOST_TEST(w2[2] == kParity1);
        BOOST_TEST(e->next_seqid() == 5u);
    }
}

BOOST_AUTO_TEST_CASE(spec_worked_recovery_of_two_lost_data_packets) {
    for (const Profile& p : kProfiles) {
        auto d = decoder(3, 2, p);
        Handed h = input(*d, kData0);
        BOOST_REQUIRE_EQUAL(h.kcp.size(), 1u);  // the data packet's own KCP bytes
        BOOST_TEST(h.kcp[0] == kKcp0);
        BOOST_TEST(!h.recovered[0]);
        BOOST_TEST(input(*d, kParity0).kcp.empty());  // parity never reaches KCP
        h = input(*d, kParity1);                      // third shard: the group decodes
        BOOST_REQUIRE_EQUAL(h.kcp.size(), 2u);
        BOOST_TEST(h.kcp[0] == kKcp1);  // ascending shard order, cut to the size field
        BOOST_TEST(h.kcp[1] == kKcp2);
        BOOST_TEST(h.recovered[0]);
        BOOST_TEST(h.recovered[1]);
        BOOST_TEST(d->counters().fec_recovered == 2u);
    }
}

BOOST_AUTO_TEST_CASE(data_bytes_come_before_recovered_ones) {
    // data #2 arrives last, after data #0 and parity #0: its own bytes first, then data #1.
    for (const Profile& p : kProfiles) {
        auto d = decoder(3, 2, p);
        input(*d, kData0);
        input(*d, kParity0);
        const Handed h = input(*d, kData2);
        BOOST_REQUIRE_EQUAL(h.kcp.size(), 2u);
        BOOST_TEST(h.kcp[0] == kKcp2);
        BOOST_TEST(!h.recovered[0]);
        BOOST_TEST(h.kcp[1] == kKcp1);
        BOOST_TEST(h.recovered[1]);
    }
}

BOOST_AUTO_TEST_CASE(parity_covers_only_size_field_and_kcp_bytes_after_the_crypt_room) {
    // With 20 bytes of crypt room the FEC packets are the same, shifted; the room stays as
    // the caller left it in data packets and zero in parity packets.
    auto e = encoder(3, 2, kHead, 20);
    encode_one(*e, kKcp0, 0, 20);
    encode_one(*e, kKcp1, 1, 20);
    const auto w = encode_one(*e, kKcp2, 2, 20);
    BOOST_REQUIRE_EQUAL(w.size(), 3u);
    BOOST_TEST(Bytes(w[0].begin() + 20, w[0].end()) == kData2);
    BOOST_TEST(Bytes(w[1].begin() + 20, w[1].end()) == kParity0);
    BOOST_TEST(Bytes(w[2].begin() + 20, w[2].end()) == kParity1);
    BOOST_TEST(std::all_of(w[1].begin(), w[1].begin() + 20, [](std::uint8_t b) { return b == 0; }));
}

// ----- seqids --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(paws_values_of_the_spec) {
    BOOST_TEST(paws_for(2) == 4294967294u);
    BOOST_TEST(paws_for(3) == 4294967295u);
    BOOST_TEST(paws_for(5) == 4294967295u);
    for (int s : {4, 6, 7, 11}) BOOST_TEST(paws_for(s) == 4294967292u);
    BOOST_TEST(paws_for(10) == 4294967290u);
    BOOST_TEST(paws_for(13) == 4294967287u);
    BOOST_TEST(paws_for(20) == 4294967280u);
}

BOOST_AUTO_TEST_CASE(seqids_wrap_to_zero_at_paws) {
    for (const Profile& p : kProfiles) {
        auto e = encoder(10, 3, p);
        e->set_next_seqid(paws_for(13) - 13);  // the last group before the wrap
        std::mt19937_64 rng(1);
        std::vector<Bytes> wire;
        for (int i = 0; i < 20; ++i)
            for (auto& b : encode_one(*e, kcp_like(rng, 100), static_cast<std::uint32_t>(i)))
                wire.push_back(b);
        BOOST_REQUIRE_EQUAL(wire.size(), 26u);
        for (std::size_t i = 0; i < wire.size(); ++i) {
            const std::uint32_t expect = i < 13 ? paws_for(13) - 13 + static_cast<std::uint32_t>(i)
                                                : static_cast<std::uint32_t>(i - 13);
            BOOST_TEST(kcpkit::load_le32(wire[i].data()) == expect);
            BOOST_TEST(kcpkit::load_le16(wire[i].data() + 4) ==
                       ((i % 13) < 10 ? kTypeData : kTypeParity));
        }
    }
}

BOOST_AUTO_TEST_CASE(every_datagram_is_a_data_shard_pure_acks_too) {
    // A 24-byte ACK-only datagram and a 1-byte one are framed and counted like any other.
    auto e = encoder(2, 1, k561);
    const auto a = encode_one(*e, Bytes(24, 0x11), 0);
    const auto b = encode_one(*e, Bytes(1, 0x22), 0);
    BOOST_TEST(kcpkit::load_le16(a[0].data() + 6) == 26u);  // size = 2 + KCP length
    BOOST_TEST(kcpkit::load_le16(b[0].data() + 6) == 3u);
    BOOST_REQUIRE_EQUAL(b.size(), 2u);
    BOOST_TEST(b[1].size() == a[0].size());  // parity as long as the longest data packet
}

// ----- v5.6.72's 500 ms parity rule ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(head_skips_parity_after_a_500_ms_gap_but_consumes_the_ids) {
    auto e = encoder(3, 2, kHead);
    std::mt19937_64 rng(2);
    auto group = [&](std::uint32_t t0, std::uint32_t gap_before_last) {
        std::vector<Bytes> out;
        for (auto& b : encode_one(*e, kcp_like(rng, 40), t0)) out.push_back(b);
        for (auto& b : encode_one(*e, kcp_like(rng, 40), t0 + 5)) out.push_back(b);
        for (auto& b : encode_one(*e, kcp_like(rng, 40), t0 + 5 + gap_before_last))
            out.push_back(b);
        return out;
    };
    BOOST_TEST(group(10000, 499).size() == 5u);
    BOOST_TEST(e->next_seqid() == 5u);
    BOOST_TEST(group(20000, 500).size() == 3u);  // skipped...
    BOOST_TEST(e->next_seqid() == 10u);          // ...but the parity ids are gone
    BOOST_TEST(e->counters().parity_groups_skipped == 1u);
    BOOST_TEST(group(30000, 0).size() == 5u);
    // only the last gap counts: a long gap before the second packet does not skip
    std::vector<Bytes> w;
    for (auto& b : encode_one(*e, kcp_like(rng, 40), 40000)) w.push_back(b);
    for (auto& b : encode_one(*e, kcp_like(rng, 40), 45000)) w.push_back(b);
    for (auto& b : encode_one(*e, kcp_like(rng, 40), 45001)) w.push_back(b);
    BOOST_TEST(w.size() == 5u);
    BOOST_TEST(kcpkit::load_le32(w[3].data()) == 18u);
}

BOOST_AUTO_TEST_CASE(head_never_sends_parity_for_the_first_one_one_group) {
    auto head = encoder(1, 1, kHead);
    auto v561 = encoder(1, 1, k561);
    const auto h0 = encode_one(*head, kKcp0, 0);
    const auto v0 = encode_one(*v561, kKcp0, 0);
    BOOST_TEST(h0.size() == 1u);
    BOOST_TEST(v0.size() == 2u);
    BOOST_TEST(head->next_seqid() == 2u);  // the skipped parity still took seqid 1
    const auto h1 = encode_one(*head, kKcp1, 10);
    BOOST_REQUIRE_EQUAL(h1.size(), 2u);
    BOOST_TEST(kcpkit::load_le32(h1[1].data()) == 3u);
    // (1,1) parity is a copy of the data shard: size field + KCP bytes
    BOOST_TEST(Bytes(h1[1].begin() + 6, h1[1].end()) == Bytes(h1[0].begin() + 6, h1[0].end()));
    // the clock may wrap between two packets
    auto w = encoder(1, 1, kHead);
    encode_one(*w, kKcp0, 0xFFFFFF00u);
    BOOST_TEST(encode_one(*w, kKcp1, 0x00000010u).size() == 2u);  // 0x110 ms later
}

// ----- decoders ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(decoded_groups_are_forgotten_and_recovered_again) {
    // (1,1) in order: the data packet completes its group; the parity that follows starts
    // the group over and "recovers" the data packet a second time (docs/fec.md).
    for (const Profile& p : kProfiles) {
        auto e = encoder(1, 1, p);
        auto d = decoder(1, 1, p);
        encode_one(*e, kKcp0, 0);  // v5.6.72's first group has no parity
        const auto w = encode_one(*e, kKcp1, 1);
        BOOST_REQUIRE_EQUAL(w.size(), 2u);
        BOOST_TEST(input(*d, w[0]).kcp.size() == 1u);
        const Handed again = input(*d, w[1]);
        BOOST_REQUIRE_EQUAL(again.kcp.size(), 1u);
        BOOST_TEST(again.kcp[0] == kKcp1);
        BOOST_TEST(again.recovered[0]);
    }
}

BOOST_AUTO_TEST_CASE(duplicates_and_reordering_within_the_window) {
    for (const Profile& p : kProfiles) {
        auto e = encoder(4, 2, p);
        auto d = decoder(4, 2, p);
        std::mt19937_64 rng(3);
        std::vector<Bytes> kcp, wire;
        for (int i = 0; i < 8; ++i) {
            kcp.push_back(kcp_like(rng, 30 + 20 * static_cast<std::size_t>(i)));
            for (auto& b : encode_one(*e, kcp.back(), static_cast<std::uint32_t>(i)))
                wire.push_back(b);
        }
        BOOST_REQUIRE_EQUAL(wire.size(), 12u);
        // group 1 first (data 5 lost, parity twice), then group 0 (data 1 and 2 lost)
        std::vector<Bytes> handed;
        for (int i : {10, 10, 6, 8, 9, 11, 0, 4, 3, 5, 5}) {
            const Handed h = input(*d, wire[static_cast<std::size_t>(i)]);
            handed.insert(handed.end(), h.kcp.begin(), h.kcp.end());
        }
        for (int k = 0; k < 8; ++k)
            BOOST_TEST(
                std::count(handed.begin(), handed.end(), kcp[static_cast<std::size_t>(k)]) >= 1,
                "datagram " << k);
        BOOST_TEST(d->counters().duplicates >= 1u);
    }
}

BOOST_AUTO_TEST_CASE(v561_forgets_queued_shards_after_60_s) {
    auto e = encoder(3, 2, k561);
    std::vector<Bytes> wire;
    for (const Bytes* k : {&kKcp0, &kKcp1, &kKcp2})
        for (auto& b : encode_one(*e, *k, 0)) wire.push_back(b);
    // Expiry runs at the end of each decode: a packet of a later group, `gap` after the
    // first two shards, ages them out (or not) before the group's third shard arrives.
    Bytes later = wire[0];
    kcpkit::store_le32(later.data(), 100);
    for (std::uint32_t gap : {60000u, 60001u}) {
        auto d = decoder(3, 2, k561);
        input(*d, wire[0], 7);
        input(*d, wire[3], 7);
        input(*d, later, 7 + gap);
        const Handed h = input(*d, wire[4], 7 + gap);
        // at exactly 60 s the first two are still queued and the group decodes
        BOOST_TEST(h.kcp.size() == (gap == 60000u ? 2u : 0u));
        BOOST_TEST(d->counters().expired == (gap == 60000u ? 0u : 2u));
    }
}

BOOST_AUTO_TEST_CASE(autotune_follows_the_peer_and_a_lazy_decoder_appears) {
    for (const Profile& p : kProfiles) {
        auto e = encoder(10, 3, p);
        DecoderConfig c;
        c.data_shards = 0;  // this session has no FEC of its own
        c.parity_shards = 0;
        c.behaviour = p.behaviour;
        auto d = FecDecoder::create(c);
        BOOST_REQUIRE(d);
        BOOST_TEST(!d->has_decoder());
        std::mt19937_64 rng(4);
        std::vector<Bytes> wire;
        for (int i = 0; i < 60; ++i)
            for (auto& b :
                 encode_one(*e, kcp_like(rng, 24 + rng() % 200), static_cast<std::uint32_t>(i)))
                wire.push_back(b);
        int recovered = 0;
        for (std::size_t i = 0; i < wire.size(); ++i) {
            if (i > 40 && i % 13 == 4) continue;  // lose one data packet per later group
            for (bool r : input(*d, wire[i]).recovered) recovered += r;
            if (i == 0) BOOST_TEST(d->has_decoder());
        }
        BOOST_TEST(d->data_shards() == 10);
        BOOST_TEST(d->parity_shards() == 3);
        BOOST_TEST(d->counters().autotune_changes == 1u);
        BOOST_TEST(recovered >= 1);
    }
}

// ----- demultiplexing, OOB, length gates -------------------------------------------------------

BOOST_AUTO_TEST_CASE(raw_kcp_oob_and_length_gates) {
    Bytes raw = kKcp1;  // cmd 0x52, frg 0: never a FEC type
    Bytes oob = spec_bytes("ff ff ff ff f3 00 0a 00 78 56 34 12 aa bb cc dd");
    for (const Profile& p : kProfiles) {
        auto d = decoder(3, 2, p);
        InputResult r = d->input(raw, 0);
        BOOST_TEST((r.kind == PacketKind::raw_kcp));
        BOOST_REQUIRE_EQUAL(r.deliveries.size(), 1u);
        BOOST_TEST(copy_of(r.deliveries[0].kcp) == raw);

        r = d->input(oob, 0);
        if (p.behaviour.oob) {
            BOOST_TEST((r.kind == PacketKind::oob));
            BOOST_TEST(r.oob_conv == 0x12345678u);
            BOOST_TEST(copy_of(r.oob_payload) == spec_bytes("aa bb cc dd"));
            BOOST_TEST(r.deliveries.empty());
            BOOST_TEST(d->counters().oob_packets == 1u);
        } else {  // v5.6.1 has no OOB, and 16 bytes are below its 24-byte gate
            BOOST_TEST((r.kind == PacketKind::dropped));
            BOOST_TEST(d->counters().dropped_short == 1u);
        }
        // below the gate: 11 bytes (v5.6.72) / 23 bytes (v5.6.1)
        const Bytes tiny(p.behaviour.min_datagram - 1, 0xf1);
        r = d->input(tiny, 0);
        BOOST_TEST((r.kind == PacketKind::dropped && r.drop == DropReason::too_short));
        // oversized FEC datagram: dropped, counted
        Bytes big(kDefaultMaxDatagram + 1, 0);
        kcpkit::store_le16(big.data() + 4, kTypeData);
        r = d->input(big, 0);
        BOOST_TEST((r.drop == DropReason::oversize));
        BOOST_TEST(d->counters().dropped_oversize == 1u);
    }
}

BOOST_AUTO_TEST_CASE(invalid_configurations_are_refused) {
    Status why = Status::ok;
    EncoderConfig c;
    for (auto [ds, ps] : {std::pair{0, 3}, {3, 0}, {200, 57}, {-1, 1}}) {
        c.data_shards = ds;
        c.parity_shards = ps;
        BOOST_TEST(!FecEncoder::create(c, &why));
        BOOST_TEST((why == Status::bad_config));
    }
    c.data_shards = 3;
    c.parity_shards = 2;
    c.header_offset = 1500;
    BOOST_TEST(!FecEncoder::create(c, &why));
    DecoderConfig dc;
    dc.max_datagram = 10;
    BOOST_TEST(!FecDecoder::create(dc, &why));
    // encode refuses buffers without room for the header, or longer than max_datagram
    auto e = encoder(3, 2, kHead, 4);
    Bytes small(11), large(kDefaultMaxDatagram + 1);
    BOOST_TEST((e->encode(small, 0).status == Status::too_short));
    BOOST_TEST((e->encode(large, 0).status == Status::too_long));
    BOOST_TEST(e->next_seqid() == 0u);
    BOOST_TEST(e->counters().encode_rejected == 2u);
}

// ----- hostile input ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(random_and_hostile_datagrams_never_crash_and_memory_stays_bounded) {
    std::mt19937_64 rng(5);
    for (const Profile& p : kProfiles)
        for (auto [ds, ps] : {std::pair{1, 1}, {3, 2}, {10, 3}, {20, 5}, {128, 128}}) {
            auto d = decoder(ds, ps, p);
            auto e = encoder(ds, ps, p);
            std::vector<Bytes> real;
            for (int i = 0; i < 3 * (ds + ps); ++i)
                for (auto& b :
                     encode_one(*e, kcp_like(rng, 24 + rng() % 300), static_cast<std::uint32_t>(i)))
                    real.push_back(b);
            std::uint64_t allocations_late = 0;
            std::uint64_t handed = 0;
            std::uint32_t now = 0;
            for (int round = 0; round < 20000; ++round) {
                Bytes dg;
                switch (rng() % 6) {
                    case 0:  // pure garbage of any length up to a little over the maximum
                        dg.resize(rng() % 1600);
                        for (auto& b : dg) b = static_cast<std::uint8_t>(rng());
                        break;
                    case 1:  // FEC-typed garbage with hostile seqids
                    case 2: {
                        dg.resize(6 + rng() % 200);
                        for (auto& b : dg) b = static_cast<std::uint8_t>(rng());
                        const std::uint32_t seqs[] = {
                            static_cast<std::uint32_t>(rng()), 0xFFFFFFFFu, paws_for(ds + ps),
                            static_cast<std::uint32_t>(rng() % 64),
                            0x80000000u + static_cast<std::uint32_t>(rng() % 64)};
                        kcpkit::store_le32(dg.data(), seqs[rng() % 5]);
                        kcpkit::store_le16(dg.data() + 4, rng() % 2 ? kTypeData : kTypeParity);
                        break;
                    }
                    case 3: {  // a real packet, truncated or with a lying size field
                        dg = real[rng() % real.size()];
                        if (rng() % 2)
                            dg.resize(rng() % (dg.size() + 1));
                        else if (dg.size() >= 8)
                            kcpkit::store_le16(dg.data() + 6, static_cast<std::uint16_t>(rng()));
                        break;
                    }
                    default:  // real packets, reordered and duplicated
                        dg = real[rng() % real.size()];
                }
                now += static_cast<std::uint32_t>(rng() % 3000);
                const std::uint64_t before = kcpkit::test::allocations();
                const std::uint64_t shape_changes = d->counters().autotune_changes;
                const InputResult r = d->input(dg, now);
                // a shape change builds a new codec (as kcp-go does); nothing else may allocate
                if (round >= 15000 && d->counters().autotune_changes == shape_changes)
                    allocations_late += kcpkit::test::allocations() - before;
                for (const Delivery& x : r.deliveries) {
                    // own bytes are a view of the input; rebuilt ones fit a datagram
                    BOOST_REQUIRE(x.kcp.size() <=
                                  (x.recovered ? kDefaultMaxDatagram - kFecOverhead : dg.size()));
                    ++handed;
                }
            }
            const FecCounters& c = d->counters();
            BOOST_TEST(handed > 0u);
            BOOST_TEST(c.fec_parity_shards + c.duplicates + c.kcp_in_errors + c.dropped_short +
                           c.dropped_oversize >
                       0u);
            // the pool stops growing once warm: hostile input does not allocate without bound
            BOOST_TEST(allocations_late == 0u, p.name << " " << ds << "+" << ps);
        }
}

BOOST_AUTO_TEST_CASE(head_shard_sets_stay_bounded_where_kcp_go_grows_without_limit) {
    // A set exactly 2^31 "ahead" of the newest group survives v5.6.72's discard rule, and
    // each step of the newest group strands one more of them: kcp-go's map grows by one set
    // per two datagrams (measured: 2004 sets after 4000 datagrams with (1,1)), each holding
    // a buffer when ds >= 2. Needs S to divide 2^31. kcpkit keeps at most 8 and counts the
    // evictions.
    for (auto [ds, ps] : {std::pair{1, 1}, {3, 1}, {6, 2}}) {
        auto d = decoder(ds, ps, kHead);
        const auto S = static_cast<std::uint32_t>(ds + ps);
        Bytes dg(40, 0x51);
        kcpkit::store_le16(dg.data() + 4, kTypeData);
        std::uint64_t allocations = 0;
        for (std::uint32_t i = 0; i < 2000; ++i)
            for (std::uint32_t seq : {S * i, S * i + 0x80000000u}) {
                kcpkit::store_le32(dg.data(), seq);
                const std::uint64_t before = kcpkit::test::allocations();
                d->input(dg, 0);
                if (i >= 100) allocations += kcpkit::test::allocations() - before;
            }
        BOOST_TEST(d->counters().fec_shard_set <= 8u);
        BOOST_TEST(d->counters().set_overflow > 1000u);
        BOOST_TEST(allocations == 0u);
    }
}

// ----- steady state ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(no_allocation_per_datagram_in_steady_state) {
    for (const Profile& p : kProfiles)
        for (auto [ds, ps] : {std::pair{10, 3}, {3, 2}, {1, 1}}) {
            auto e = encoder(ds, ps, p, 20);
            auto d = decoder(ds, ps, p);
            std::mt19937_64 rng(6);
            Bytes buf;
            buf.reserve(kDefaultMaxDatagram);
            std::uint64_t allocations = 0, recovered = 0;
            for (int i = 0; i < 6000; ++i) {
                const std::size_t n = 24 + rng() % 1300;
                buf.assign(20 + kFecOverhead + n, 0x5a);
                buf[20 + kFecOverhead + 4] = 0x51;
                buf[20 + kFecOverhead + 5] = 0;
                const bool lose = rng() % 10 == 0;
                const std::uint64_t before = kcpkit::test::allocations();
                const EncodeResult r = e->encode(buf, static_cast<std::uint32_t>(i));
                const auto plain = std::span<const std::uint8_t>(buf).subspan(20);
                if (!lose) d->input(plain, static_cast<std::uint32_t>(i));
                for (auto q : r.parity) {
                    const InputResult in = d->input(q.subspan(20), static_cast<std::uint32_t>(i));
                    for (const Delivery& x : in.deliveries) recovered += x.recovered;
                }
                if (i >= 1000) allocations += kcpkit::test::allocations() - before;
            }
            BOOST_TEST(allocations == 0u, p.name << " " << ds << "+" << ps << ": " << allocations);
            BOOST_TEST(recovered > 0u);
        }
}

// ----- autotune under a peer that keeps changing shape -------------------------------------------

namespace {

/// FEC datagrams P D^ds P^ps D at seqids base, base + 1, ...: both kcp-go period detectors
/// read (ds, ps) from them. Blocks at descending bases that are multiples of 258 put the
/// newest block first in v5.6.72's seqid-sorted window and in v5.6.1's seqid % 258 slots.
std::vector<Bytes> shape_block(int ds, int ps, std::uint32_t base) {
    std::vector<std::uint16_t> types{kTypeParity};
    types.insert(types.end(), static_cast<std::size_t>(ds), kTypeData);
    types.insert(types.end(), static_cast<std::size_t>(ps), kTypeParity);
    types.push_back(kTypeData);
    std::vector<Bytes> out;
    for (std::size_t i = 0; i < types.size(); ++i) {
        Bytes dg(40, 0x51);
        kcpkit::store_le32(dg.data(), base + static_cast<std::uint32_t>(i));
        kcpkit::store_le16(dg.data() + 4, types[i]);
        kcpkit::store_le16(dg.data() + 6, 30);
        out.push_back(dg);
    }
    return out;
}

struct FloodResult {
    std::uint64_t changes = 0, builds = 0, late_allocations = 0;
};

/// `blocks` blocks cycling through `shapes`, each sent twice; allocations counted after two
/// cycles.
FloodResult shape_flood(const Profile& p, std::span<const std::pair<int, int>> shapes, int blocks) {
    auto d = decoder(shapes[0].first, shapes[0].second, p);
    FloodResult r;
    const int warm = 2 * static_cast<int>(shapes.size());
    for (int b = 0; b < blocks; ++b) {
        const auto [ds, ps] = shapes[static_cast<std::size_t>(b) % shapes.size()];
        const auto base = static_cast<std::uint32_t>(258 * (blocks + 10 - b));
        const std::vector<Bytes> block = shape_block(ds, ps, base);
        // twice: v5.6.1 tunes only on a mismatching datagram, with the block complete
        for (int pass = 0; pass < 2; ++pass)
            for (const Bytes& dg : block) {
                const std::uint64_t before = kcpkit::test::allocations();
                d->input(dg, 0);
                if (b >= warm) r.late_allocations += kcpkit::test::allocations() - before;
            }
    }
    r.changes = d->counters().autotune_changes;
    r.builds = d->counters().codec_builds;
    BOOST_TEST(d->counters().codec_failures == 0u);
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_peer_flipping_shapes_costs_no_codec_rebuild_and_no_allocation) {
    // kcp-go rebuilds its Reed-Solomon codec (matrix inversion, decode cache) on every
    // autotune switch; a peer alternating two shapes makes that happen every few datagrams.
    constexpr std::pair<int, int> kTwo[] = {{3, 2}, {20, 4}};
    for (const Profile& p : kProfiles) {
        const FloodResult r = shape_flood(p, kTwo, 400);
        BOOST_TEST(r.changes >= 390u, p.name << ": the flood must really flip shapes " << r.changes
                                             << " " << r.builds);
        BOOST_TEST(r.builds == 2u, p.name);
        BOOST_TEST(r.late_allocations == 0u, p.name);
    }
}

BOOST_AUTO_TEST_CASE(codec_cache_holds_four_shapes_and_only_a_fifth_rebuilds) {
    constexpr std::pair<int, int> kFour[] = {{3, 2}, {20, 4}, {5, 1}, {8, 8}};
    constexpr std::pair<int, int> kFive[] = {{3, 2}, {20, 4}, {5, 1}, {8, 8}, {12, 3}};
    for (const Profile& p : kProfiles) {
        const FloodResult four = shape_flood(p, kFour, 200);
        BOOST_TEST(four.changes >= 190u, p.name);
        BOOST_TEST(four.builds == 4u, p.name);
        BOOST_TEST(four.late_allocations == 0u, p.name);
        // least recently used goes: a 5-shape cycle misses every time, but stays bounded
        const FloodResult five = shape_flood(p, kFive, 200);
        BOOST_TEST(five.builds >= 190u, p.name);
        BOOST_TEST(five.builds <= 201u, p.name);
    }
}

BOOST_AUTO_TEST_CASE(counters_add_every_field) {
    FecCounters a;
    a.kcp_in_errors = 1;
    a.codec_builds = 2;
    a.codec_failures = 3;
    a.encode_rejected = 4;
    FecCounters sum;
    sum += a;
    sum += a;
    BOOST_TEST(sum.kcp_in_errors == 2u);
    BOOST_TEST(sum.codec_builds == 4u);
    BOOST_TEST(sum.codec_failures == 6u);
    BOOST_TEST(sum.encode_rejected == 8u);
    BOOST_TEST(sum.fec_recovered == 0u);
}
