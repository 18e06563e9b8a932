// Replays a kcpvec/1 `fec` case (docs/conformance.md) against protocol/fec/fec.hpp.
//
// Fields read (docs/fec.md, "Vectors", has examples):
//  - data_shards, parity_shards: the session's FEC setting, used for the encoder and (unless
//    overridden) the decoder. Either <= 0: kcp-go frames nothing, so an encode step's out is
//    the payload unchanged, and the receiver has no decoder until a FEC datagram arrives
//    (then (1, 1), autotuned). ds + ps > 256 is skipped (kcp-go v5.6.72's klauspost would
//    switch to Leopard GF(2^16)).
//  - decoder_data_shards, decoder_parity_shards (optional, kcpkit): the receiver's own
//    setting when it differs from the sender's (autotune cases; 0 = none).
//  - encoder_next (optional): the encoder's first seqid.
//  - reference: "kcp-go" (default, v5.6.72) or "kcp-go-5.6.1"; anything else skips.
//  - steps, in order; one encoder and one receive path per case, header offset 0:
//      {"op": "encode", "data": KCP payload, "out": [data datagram, parity...]}
//      {"op": "decode", "data": datagram, "out": [KCP datagrams handed to KCP, in order]}
//    optional per step (kcpkit, written by interop/cmd/capture-fec):
//      t: ms clock (uint32) for the call; default: the previous step's t, 0 at first.
//         Matters for v5.6.72's 500 ms parity rule and v5.6.1's 60 s decoder expiry.
//      oob (decode): v5.6.72 OOB payloads delivered; absent = none.
//      decoder_shards (decode): [ds, ps] of the decoder after the step ([0, 0]: none yet).
//      counters (decode): kcp-go SNMP counter values after the step, cumulative over the
//         case (FECErrs FECFullShardSet FECParityShards FECRecovered FECShardMin
//         FECShardSet FECShortShards InErrs KCPInErrors OOBPackets); other names are
//         reported as not checked.
//  - result "invalid": hostile input; checked exactly like a valid case (the datagrams
//    must be dropped or absorbed exactly as the reference does).
// An unknown op skips the case.
#pragma once

#include <nlohmann/json.hpp>

#include "conformance/case_outcome.hpp"

namespace kcpkit::conformance {

CaseOutcome replay_fec_case(const nlohmann::json& test_case);

}  // namespace kcpkit::conformance
