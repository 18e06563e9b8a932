// Replays a kcpvec/1 `frame` case (docs/conformance.md) against protocol/frame/frame.hpp:
// whole datagrams as a kcp-go peer put them on the wire, through the receive pipeline
// (crypt -> FEC -> KCP bytes), plus a re-encryption check of each one.
//
// Fields read (docs/framing.md, "Vectors", has an example):
//  - reference: "kcp-go" (default, v5.6.72) or "kcp-go-5.6.1"; anything else skips.
//  - cipher: a kcpvec/1 cipher name, kcptun's "aes" (= aes-256 with a passphrase; by key
//    length with `key`), or "null": no crypt layer at all (kcptun's null, kcp-go's block ==
//    nil; kcpkit extension). key (hex), or passphrase (+ salt, iterations) as for `crypt`.
//  - data_shards, parity_shards: the receiver's FEC setting (either 0: FEC off; received FEC
//    is still decoded, as kcp-go's session does).
//  - datagrams, in wire order, each one of:
//      {"wire", "plain", "kcp"}: a valid datagram. Checks: decrypting `wire` gives `plain`
//        (CFB family: nonce, CRC and payload; AES-GCM: nonce ‖ payload; null: the same
//        bytes), the CRC-32 in plain is right, encrypting `plain` again gives `wire`, the
//        FEC header parses (data: the size field is 2 + KCP length; parity: `kcp` is
//        empty), and the pipeline hands exactly `kcp` to KCP as a regular packet.
//      + "lost": true: never given to the receiver; unless "unrecoverable": true (or its
//        `kcp` is empty), the FEC decoder must rebuild its `kcp` from the rest.
//      + "deliver": [hex...] (kcpkit): exactly these KCP datagrams, in order, come out of
//        this one (used for hostile FEC headers); then the size-field check is skipped.
//      {"wire", "expect_error"}: rejected by the pipeline with "truncated",
//        "checksum_mismatch", "auth_failed" or "too_short"; nothing reaches KCP.
//    Every KCP datagram the decoder rebuilds must be some datagram's `kcp` of the case
//    (kcp-go's decoders may rebuild a shard twice: docs/fec.md).
//  - Valid cases are also framed again (kcpkit's send side): every datagram's `kcp`, lost
//    ones included, goes through our FEC encoder (starting at the first seqid) and crypt
//    with the nonce from its `plain`; the result must be `wire` byte for byte, and our
//    parity must equal the reference's parity payloads (v5.6.72 may skip a group's parity
//    after a 500 ms gap, which a replay without clock accepts).
//  - result "invalid": as valid, and at least one datagram must be rejected or hostile.
#pragma once

#include <nlohmann/json.hpp>

#include "conformance/case_outcome.hpp"

namespace kcpkit::conformance {

CaseOutcome replay_frame_case(const nlohmann::json& test_case);

}  // namespace kcpkit::conformance
