#include "conformance/frame_replay.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "conformance/case_fields.hpp"
#include "conformance/hex.hpp"
#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/crc32.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcpgo/release.hpp"
#include "kcpkit/kcptun/kcptun.hpp"

namespace kcpkit::conformance {

namespace {

using nlohmann::json;
namespace kc = kcpkit::crypt;

struct Setup {
    const kcpgo::Release* release = &kcpgo::default_release();
    std::optional<kc::Cipher> cipher;  // nullopt: "null", no crypt layer
    Bytes key;
    int ds = 0, ps = 0;

    frame::FrameConfig frame_config() const {
        frame::FrameConfig fc;
        fc.behaviour = release->frame;
        fc.cipher = cipher;
        fc.key = key;
        fc.data_shards = ds;
        fc.parity_shards = ps;
        return fc;
    }
};

/// The case's layers, or a skip reason.
std::variant<Setup, CaseOutcome> read_setup(const json& c) {
    Setup s;
    const std::string reference = optional_string_field(c, "reference").value_or("kcp-go");
    s.release = kcpgo::find_release(reference);
    if (!s.release) return CaseOutcome::skip("reference '" + reference + "' has no framing here");
    const auto name = optional_string_field(c, "cipher");
    if (!name) throw MalformedCase("cipher is missing");
    auto raw_key = optional_hex_field(c, "key");
    const kcptun::CryptChoice choice =
        kcptun::resolve_crypt_for_key(*name, raw_key ? raw_key->size() : 0);
    if (!choice.known) return CaseOutcome::skip("cipher '" + *name + "' is not supported");
    s.cipher = choice.cipher;
    if (s.cipher) {
        if (raw_key) {
            s.key = *std::move(raw_key);
        } else if (auto pass = optional_string_field(c, "passphrase")) {
            const std::string salt =
                optional_string_field(c, "salt").value_or(std::string(kc::kKcptunSalt));
            const long long iterations =
                optional_int_field(c, "iterations").value_or(kc::kKcptunIterations);
            if (iterations <= 0 || iterations > 100'000'000)
                throw MalformedCase("iterations is not a positive integer");
            s.key = kcptun::derive_key(*s.cipher, *pass, salt, static_cast<unsigned>(iterations));
        } else {
            throw MalformedCase("neither key nor passphrase is given");
        }
    }
    s.ds = static_cast<int>(optional_int_field(c, "data_shards").value_or(0));
    s.ps = static_cast<int>(optional_int_field(c, "parity_shards").value_or(0));
    if (s.ds < 0 || s.ps < 0) s.ds = s.ps = 0;  // kcp-go: no FEC
    if (s.ds + s.ps > fec::kMaxShards)
        return CaseOutcome::skip("more than 256 shards (klauspost would switch to GF(2^16))");
    return s;
}

std::string at(std::size_t i) {
    return "datagram " + std::to_string(i) + ": ";
}

/// The crypt checks of a valid datagram: wire -> plain, CRC, plain -> wire.
std::optional<std::string> check_crypt(const Setup& s, kc::PacketCrypt* pc, const Bytes& wire,
                                       const Bytes& plain) {
    if (!pc) {
        if (plain != wire) return "plain differs from wire without a crypt layer";
        return std::nullopt;
    }
    if (kc::is_aead(*s.cipher)) {
        if (plain.size() < kc::kGcmNonceSize) return "plain is shorter than the GCM nonce";
        Bytes opened = wire;
        const kc::OpenResult r = pc->open(opened);
        if (r.status != kc::Status::ok)
            return "decrypt: open() says " + std::string(kc::status_name(r.status));
        const std::span<const std::uint8_t> expected(plain.data() + kc::kGcmNonceSize,
                                                     plain.size() - kc::kGcmNonceSize);
        if (!std::equal(r.payload.begin(), r.payload.end(), expected.begin(), expected.end()))
            return "decrypt " + first_difference(expected, r.payload);
        if (!std::equal(plain.begin(), plain.begin() + kc::kGcmNonceSize, wire.begin()))
            return "the nonce in plain is not the wire's";
        Bytes sealed = plain;
        sealed.resize(plain.size() + kc::kGcmTagSize);
        const kc::SealResult sr = pc->seal_with_nonce(sealed, plain.size() - kc::kGcmNonceSize);
        if (sr.status != kc::Status::ok) return "seal: " + std::string(kc::status_name(sr.status));
        sealed.resize(sr.length);
        if (sealed != wire) return "re-encrypt " + first_difference(wire, sealed);
        return std::nullopt;
    }
    Bytes decrypted = wire;
    pc->block_crypt()->decrypt(decrypted);
    if (decrypted != plain) return "decrypt " + first_difference(plain, decrypted);
    if (plain.size() < kc::kHeaderSize) return "plain is shorter than the nonce/CRC header";
    const std::uint32_t crc = kc::crc32_ieee(std::span(plain).subspan(kc::kHeaderSize));
    if (crc != load_le32(plain.data() + kc::kNonceSize)) return "the CRC-32 in plain is wrong";
    Bytes encrypted = plain;
    pc->block_crypt()->encrypt(encrypted);
    if (encrypted != wire) return "re-encrypt " + first_difference(wire, encrypted);
    return std::nullopt;
}

/// The FEC header of a valid datagram against its `kcp` field.
std::optional<std::string> check_fec_header(std::span<const std::uint8_t> payload, const Bytes& kcp,
                                            bool check_size, const frame::Behaviour& behaviour) {
    if (payload.size() >= 6) {
        const std::uint16_t type = load_le16(payload.data() + 4);
        if (type == fec::kTypeData) {
            if (payload.size() < fec::kFecOverhead) return "FEC data packet shorter than 8 bytes";
            const std::span<const std::uint8_t> body = payload.subspan(fec::kFecOverhead);
            if (!std::equal(body.begin(), body.end(), kcp.begin(), kcp.end()))
                return "kcp " + first_difference(kcp, body);
            if (check_size && load_le16(payload.data() + 6) != body.size() + 2)
                return "FEC size field is not 2 + KCP length";
            return std::nullopt;
        }
        if (type == fec::kTypeParity) {
            if (!kcp.empty()) return "a parity packet with a non-empty kcp field";
            return std::nullopt;
        }
        if (type == fec::kTypeOob && behaviour.fec.oob) return std::nullopt;
    }
    if (!std::equal(payload.begin(), payload.end(), kcp.begin(), kcp.end()))
        return "kcp " + first_difference(kcp, payload);
    return std::nullopt;
}

bool rejection_matches(const std::string& expected, const frame::OpenResult& r, kc::PacketCrypt* pc,
                       const Bytes& wire) {
    using S = frame::OpenResult::Status;
    if (expected == "truncated") return r.status == S::truncated;
    if (expected == "too_short") return r.status == S::dropped;
    if (expected == "checksum_mismatch" || expected == "auth_failed") {
        if (r.status != S::bad_checksum || !pc) return false;
        Bytes copy = wire;
        return kc::status_name(pc->open(copy).status) == expected;
    }
    throw MalformedCase("expect_error '" + expected + "' is not known");
}

/// The send side: the case's KCP datagrams, framed again by our encoder and crypt with the
/// reference's nonces, must give the reference's wire bytes (data) and parity payloads.
/// nullopt when they do; else the first difference.
std::optional<std::string> check_send_side(const Setup& s, const json& list, kc::PacketCrypt* pc) {
    auto tx = frame::Framer::create(s.frame_config());
    const std::size_t header = pc ? pc->overhead().header : 0;
    const std::size_t nonce = pc ? pc->nonce_size() : 0;
    bool first = true;
    std::vector<Bytes> pending_parity;  // our parity, still to meet the reference's
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Bytes plain = hex_field(list[i], "plain");
        const Bytes wire = hex_field(list[i], "wire");
        const std::span<const std::uint8_t> payload(plain.data() + header, plain.size() - header);
        const bool fec_on = tx->fec_enabled();
        const bool parity =
            fec_on && payload.size() >= 6 && load_le16(payload.data() + 4) == fec::kTypeParity;
        if (parity) {
            if (pending_parity.empty()) return at(i) + "the reference sent parity we did not";
            Bytes ours = pending_parity.front();
            pending_parity.erase(pending_parity.begin());
            Bytes opened = ours;
            std::span<const std::uint8_t> our_payload = opened;
            if (pc) {
                const kc::OpenResult r = pc->open(opened);
                if (r.status != kc::Status::ok) return at(i) + "our parity does not open";
                our_payload = r.payload;
            }
            if (!std::equal(our_payload.begin(), our_payload.end(), payload.begin(), payload.end()))
                return at(i) + "parity " + first_difference(payload, our_payload);
            continue;
        }
        if (!pending_parity.empty()) {
            // v5.6.72 skips a group's parity after a 500 ms gap, which this replay (no
            // clock) cannot see; v5.6.1 never skips.
            if (s.release->frame.fec.parity_gap_ms == 0)
                return at(i) + "the reference sent no parity where we did";
            pending_parity.clear();
        }
        if (fec_on && first) {
            if (payload.size() < fec::kFecOverhead) return at(i) + "not an FEC data packet";
            tx->encoder()->set_next_seqid(load_le32(payload.data()));
        }
        first = false;
        const Bytes kcp = hex_field(list[i], "kcp");
        const frame::SealResult r =
            tx->seal_with_nonce(kcp, 0, std::span(plain).first(std::min(nonce, plain.size())));
        if (r.status != frame::SealResult::Status::ok || r.datagrams.empty())
            return at(i) + "our framing refused its KCP bytes";
        // The parity datagrams were sealed with the data datagram's nonce: compare them after
        // decryption only.
        for (std::size_t k = 1; k < r.datagrams.size(); ++k)
            pending_parity.emplace_back(r.datagrams[k].begin(), r.datagrams[k].end());
        if (!std::equal(r.datagrams[0].begin(), r.datagrams[0].end(), wire.begin(), wire.end()))
            return at(i) + "framed again " + first_difference(wire, r.datagrams[0]);
    }
    return std::nullopt;
}

CaseOutcome replay(const json& c) {
    if (!c.is_object()) throw MalformedCase("case is not an object");
    const std::string result = optional_string_field(c, "result").value_or("valid");
    if (result != "valid" && result != "invalid")
        throw MalformedCase("result is neither valid nor invalid");
    auto setup_or = read_setup(c);
    if (auto* skip = std::get_if<CaseOutcome>(&setup_or)) return *skip;
    const Setup& s = std::get<Setup>(setup_or);

    frame::ConfigError why{};
    auto rx = frame::Framer::create(s.frame_config(), &why);
    if (!rx) {
        if (why == frame::ConfigError::aead_on_561)
            return CaseOutcome::skip("kcp-go v5.6.1 has no AEAD mode");
        return CaseOutcome::fail("framing refused the case's setting: " +
                                 std::string(frame::config_error_name(why)));
    }
    std::unique_ptr<kc::PacketCrypt> pc;
    if (s.cipher) pc = kc::make_packet_crypt(*s.cipher, s.key).object;

    auto list = c.find("datagrams");
    if (list == c.end() || !list->is_array()) throw MalformedCase("datagrams is not an array");

    // Every kcp payload of the case (what a rebuilt shard may legitimately be) and the ones
    // that must be rebuilt.
    // (Keyed by the bytes as a string: GCC 12 warns wrongly on std::less<vector<uint8_t>>.)
    const auto key_of = [](std::span<const std::uint8_t> b) {
        return std::string(b.begin(), b.end());
    };
    std::map<std::string, int> known;
    std::map<std::string, std::vector<std::size_t>> must_rebuild;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json& d = (*list)[i];
        if (!d.is_object()) throw MalformedCase(at(i) + "not an object");
        const auto kcp = optional_hex_field(d, "kcp");
        if (!kcp || kcp->empty()) continue;
        ++known[key_of(*kcp)];
        if (optional_bool_field(d, "lost").value_or(false) &&
            !optional_bool_field(d, "unrecoverable").value_or(false))
            must_rebuild[key_of(*kcp)].push_back(i);
    }

    std::size_t rejected = 0, hostile = 0, fed = 0, rebuilt = 0;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json& d = (*list)[i];
        if (optional_bool_field(d, "lost").value_or(false)) continue;
        const Bytes wire = hex_field(d, "wire");
        Bytes work = wire;
        ++fed;
        if (const auto expected = optional_string_field(d, "expect_error")) {
            const frame::OpenResult r = rx->open(work, 0);
            if (!rejection_matches(*expected, r, pc.get(), wire))
                return CaseOutcome::fail(at(i) + "expected rejection '" + *expected +
                                         "', the pipeline says status " +
                                         std::to_string(static_cast<int>(r.status)));
            if (!r.deliveries.empty())
                return CaseOutcome::fail(at(i) + "a rejected datagram reached KCP");
            ++rejected;
            continue;
        }
        const Bytes plain = hex_field(d, "plain");
        if (auto e = check_crypt(s, pc.get(), wire, plain)) return CaseOutcome::fail(at(i) + *e);
        const std::size_t header = pc ? pc->overhead().header : 0;
        const std::span<const std::uint8_t> payload(plain.data() + header, plain.size() - header);
        const auto deliver = optional_hex_list(d, "deliver");
        if (!deliver) {
            const Bytes kcp = hex_field(d, "kcp");
            if (auto e = check_fec_header(payload, kcp, true, s.release->frame))
                return CaseOutcome::fail(at(i) + *e);
        }

        const frame::OpenResult r = rx->open(work, 0);
        if (deliver) {
            ++hostile;
            std::vector<Bytes> got;
            for (const auto& x : r.deliveries) got.emplace_back(x.kcp.begin(), x.kcp.end());
            if (got != *deliver)
                return CaseOutcome::fail(at(i) + "expected " + std::to_string(deliver->size()) +
                                         " KCP datagrams from this hostile one, got " +
                                         std::to_string(got.size()));
            continue;
        }
        const Bytes kcp = hex_field(d, "kcp");
        std::size_t own = 0;
        for (const auto& x : r.deliveries) {
            const Bytes bytes(x.kcp.begin(), x.kcp.end());
            if (!x.recovered) {
                ++own;
                if (bytes != kcp)
                    return CaseOutcome::fail(at(i) + "KCP got " + first_difference(kcp, bytes));
                continue;
            }
            ++rebuilt;
            auto it = must_rebuild.find(key_of(bytes));
            if (it != must_rebuild.end()) {
                it->second.pop_back();
                if (it->second.empty()) must_rebuild.erase(it);
                continue;
            }
            if (!known.contains(key_of(bytes)))
                return CaseOutcome::fail(
                    at(i) + "FEC rebuilt bytes that no datagram carried: " +
                    to_hex(std::span(bytes).first(std::min<std::size_t>(bytes.size(), 32))));
        }
        if (own != (kcp.empty() ? 0u : 1u))
            return CaseOutcome::fail(at(i) + std::to_string(own) +
                                     " regular KCP datagrams from it, expected " +
                                     (kcp.empty() ? "0" : "1"));
    }
    if (!must_rebuild.empty())
        return CaseOutcome::fail("lost datagram " +
                                 std::to_string(must_rebuild.begin()->second.front()) +
                                 " was not rebuilt by FEC");
    bool framed_again = false;
    if (result == "valid") {
        if (auto e = check_send_side(s, *list, pc.get()))
            return CaseOutcome::fail("send side: " + *e);
        framed_again = true;
    }
    if (result == "invalid" && rejected + hostile == 0)
        throw MalformedCase("an invalid case without a rejected or hostile datagram");
    return CaseOutcome::pass(std::to_string(fed) + " datagrams, " + std::to_string(rebuilt) +
                             " rebuilt, " + std::to_string(rejected) + " rejected, " +
                             std::to_string(hostile) + " hostile" +
                             (framed_again ? ", framed again byte for byte" : ""));
}

}  // namespace

CaseOutcome replay_frame_case(const json& test_case) {
    try {
        return replay(test_case);
    } catch (const MalformedCase& e) {
        return CaseOutcome::bad_case(e.what());
    }
}

}  // namespace kcpkit::conformance
