#include "conformance/crypt_replay.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "conformance/case_fields.hpp"
#include "conformance/hex.hpp"
#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/kcptun/kcptun.hpp"

namespace kcpkit::conformance {

namespace {

using nlohmann::json;
namespace kc = kcpkit::crypt;

struct Resolved {
    kc::Cipher cipher;
    Bytes key;
};

/// The cipher and the key its constructor gets; a string starting "skip:" or "fail:" instead.
std::variant<Resolved, std::string> resolve(const json& c) {
    const std::optional<std::string> name = optional_string_field(c, "cipher");
    if (!name) throw MalformedCase("cipher is missing");
    const bool raw_key = c.contains("key");
    const Bytes given_key = raw_key ? hex_field(c, "key") : Bytes{};
    const kcptun::CryptChoice choice = kcptun::resolve_crypt_for_key(*name, given_key.size());
    if (!choice.cipher) return "skip:cipher '" + *name + "' is not supported";
    const kc::Cipher cipher = *choice.cipher;

    Bytes key;
    if (raw_key) {
        key = given_key;
    } else if (const auto pass = optional_string_field(c, "passphrase")) {
        const std::string salt =
            optional_string_field(c, "salt").value_or(std::string(kc::kKcptunSalt));
        unsigned iterations = kc::kKcptunIterations;
        if (auto it = c.find("iterations"); it != c.end()) {
            if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0 ||
                it->get<std::uint64_t>() > 100'000'000)
                throw MalformedCase("iterations is not a positive integer");
            iterations = it->get<unsigned>();
        }
        key = kcptun::derive_key(cipher, *pass, salt, iterations);
    } else {
        throw MalformedCase("neither key nor passphrase is given");
    }
    if (!kc::key_length_ok(cipher, key.size()))
        return "fail:the " + std::string(kc::cipher_name(cipher)) + " constructor rejects a " +
               std::to_string(key.size()) + "-byte key";
    return Resolved{cipher, std::move(key)};
}

std::optional<kc::Status> parse_expected_error(const json& c) {
    const std::optional<std::string> e = optional_string_field(c, "expect_error");
    if (!e) return std::nullopt;
    for (kc::Status s :
         {kc::Status::truncated, kc::Status::checksum_mismatch, kc::Status::auth_failed})
        if (kc::status_name(s) == *e) return s;
    throw MalformedCase("expect_error '" + *e +
                        "' is not truncated, checksum_mismatch or "
                        "auth_failed");
}

CaseOutcome replay(const json& c) {
    if (!c.is_object()) throw MalformedCase("case is not an object");
    const std::string reference = optional_string_field(c, "reference").value_or("kcp-go");
    const kcpgo::Release* release = kcpgo::find_release(reference);
    if (!release) return CaseOutcome::skip("reference '" + reference + "' has no crypt layer here");
    const std::string result = optional_string_field(c, "result").value_or("valid");
    if (result != "valid" && result != "invalid")
        throw MalformedCase("result is neither valid nor invalid");
    const bool invalid = result == "invalid";
    const std::optional<bool> expect_ok = optional_bool_field(c, "expect_crc_ok");
    const std::optional<kc::Status> expect_error = parse_expected_error(c);

    auto resolved = resolve(c);
    if (auto* why = std::get_if<std::string>(&resolved)) {
        if (why->starts_with("skip:")) return CaseOutcome::skip(why->substr(5));
        return CaseOutcome::fail(why->substr(5));
    }
    const auto& [cipher, key] = std::get<Resolved>(resolved);
    const bool aead = kc::is_aead(cipher);
    if (aead && !release->frame.aead) return CaseOutcome::skip("kcp-go v5.6.1 has no AEAD mode");

    auto made = kc::make_packet_crypt(cipher, key);
    if (!made)
        return CaseOutcome::fail("constructor: " + std::string(kc::status_name(made.status)));
    kc::PacketCrypt& pc = *made.object;
    const Bytes ciphertext = hex_field(c, "ciphertext");
    std::string notes;

    if (!invalid) {
        const Bytes plaintext = hex_field(c, "plaintext");
        Bytes buf = plaintext;
        if (aead) {
            if (plaintext.size() < kc::kGcmNonceSize)
                throw MalformedCase("plaintext of an AEAD case is shorter than its nonce");
            if (c.contains("nonce")) {
                const Bytes nonce = hex_field(c, "nonce");
                if (!std::equal(nonce.begin(), nonce.end(), plaintext.begin(),
                                plaintext.begin() + kc::kGcmNonceSize) ||
                    nonce.size() != kc::kGcmNonceSize)
                    throw MalformedCase("nonce is not the first 12 bytes of plaintext");
            }
            buf.resize(plaintext.size() + kc::kGcmTagSize);
            const kc::SealResult s = pc.seal_with_nonce(buf, plaintext.size() - kc::kGcmNonceSize);
            if (s.status != kc::Status::ok)
                return CaseOutcome::fail("seal: " + std::string(kc::status_name(s.status)));
            buf.resize(s.length);
        } else {
            pc.block_crypt()->encrypt(buf);
        }
        if (buf != ciphertext)
            return CaseOutcome::fail("encrypt " + first_difference(ciphertext, buf));

        Bytes back = ciphertext;
        if (aead) {
            const kc::OpenResult r = pc.open(back);
            if (r.status != kc::Status::ok)
                return CaseOutcome::fail("decrypt: open() says " +
                                         std::string(kc::status_name(r.status)));
            const Bytes payload(plaintext.begin() + kc::kGcmNonceSize, plaintext.end());
            if (!std::equal(r.payload.begin(), r.payload.end(), payload.begin(), payload.end()))
                return CaseOutcome::fail("decrypt payload " + first_difference(payload, r.payload));
        } else {
            pc.block_crypt()->decrypt(back);
            if (back != plaintext)
                return CaseOutcome::fail("decrypt " + first_difference(plaintext, back));
        }
    }

    // The envelope's verdict on the ciphertext.
    Bytes datagram = ciphertext;
    const kc::OpenResult r = pc.open(datagram);
    const bool accepted = r.status == kc::Status::ok;
    if (invalid && accepted) return CaseOutcome::fail("open() accepted an invalid datagram");
    if (expect_ok && *expect_ok != accepted)
        return CaseOutcome::fail(std::string("expect_crc_ok is ") +
                                 (*expect_ok ? "true" : "false") + " but open() says " +
                                 std::string(kc::status_name(r.status)));
    if (expect_error && r.status != *expect_error)
        return CaseOutcome::fail("expected " + std::string(kc::status_name(*expect_error)) +
                                 ", open() says " + std::string(kc::status_name(r.status)));
    if (invalid) notes = "rejected: " + std::string(kc::status_name(r.status));
    return CaseOutcome::pass(notes);
}

}  // namespace

CaseOutcome replay_crypt_case(const nlohmann::json& test_case) {
    try {
        return replay(test_case);
    } catch (const MalformedCase& e) {
        return CaseOutcome::bad_case(e.what());
    } catch (const json::exception& e) {
        return CaseOutcome::bad_case(e.what());
    }
}

}  // namespace kcpkit::conformance
