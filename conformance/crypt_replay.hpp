// Replays a kcpvec/1 `crypt` case (docs/conformance.md) against protocol/crypt/crypt.hpp.
//
// Fields read (docs/crypt.md, "Vectors", documents them with examples):
//  - cipher: a kcpvec/1 cipher name, or kcptun's "aes" (with `key`: AES-128/192/256 by the
//    key's length, as kcp-go's NewAESBlockCrypt; with a passphrase: AES-256).
//  - key (hex), or passphrase (text) with optional salt (text, default "kcp-go") and
//    iterations (default 4096): PBKDF2-HMAC-SHA1 to 32 bytes, cut to the cipher's kcptun
//    size (aes-128/sm4/tea/xtea/cast5/aes-128-gcm 16, aes-192/3des/aes-192-gcm 24, else 32).
//  - plaintext / ciphertext (hex). Header ciphers: the whole datagram, nonce and CRC
//    included (any length; the CRC is not required to be right unless expect_crc_ok says
//    so). AEAD ciphers: plaintext = nonce (12) ‖ payload, ciphertext = nonce ‖ encrypted
//    payload ‖ tag (16); an optional `nonce` field must equal plaintext[0:12].
//  - result "invalid": only ciphertext is needed; passes when open() rejects it.
//    Optional expect_crc_ok (bool) on any case: whether open() accepts the ciphertext.
//    Optional expect_error ("truncated", "checksum_mismatch", "auth_failed"): the exact
//    rejection.
//  - reference: "kcp-go" (default) or "kcp-go-5.6.1" (same bytes; AEAD cases skip, as
//    v5.6.1 has no AEAD); anything else skips.
#pragma once

#include <nlohmann/json.hpp>

#include "conformance/case_outcome.hpp"

namespace kcpkit::conformance {

CaseOutcome replay_crypt_case(const nlohmann::json& test_case);

}  // namespace kcpkit::conformance
