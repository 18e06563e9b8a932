//go:build !kcpgo561

package main

import (
	"unsafe"

	"kcpkit/interop/internal/pin"
)

// The start of the vector file's `source` (the profile name and version are in pin).
const sourceText = pin.Release + " with " +
	"klauspost/reedsolomon v1.12.0: its unexported fecEncoder/fecDecoder called through " +
	"go:linkname by interop/cmd/capture-fec inside a testing/synctest fake clock (Go "

// Session-level facts of this version (sess.go) that the receive glue reproduces.
const (
	minDatagram = 12   // packetInput: len < min(IKCP_OVERHEAD, fecHeaderSizePlus2+convSize) is dropped
	hasOOB      = true // 0xF3 is an OOB packet, not KCP
	parityGapMs = 500  // sess.go passes maxFECEncodeLatency to encode
)

// encode's signature differs by version (see linkname.go for the rest of the codec).
//
//go:linkname fecEncode github.com/xtaci/kcp-go/v5.(*fecEncoder).encode
func fecEncode(enc unsafe.Pointer, b []byte, rto uint32) [][]byte

// fecDecoder{dataShards, parityShards, shardSize int; ...}: the field offsets (amd64)
// checked at start-up by checkLayout.
const (
	decDSOffset = 0
	decPSOffset = 8
)

func encodeWith(enc unsafe.Pointer, b []byte) [][]byte { return fecEncode(enc, b, parityGapMs) }

// counterNames are the DefaultSnmp fields this version's decoder updates itself.
var counterNames = []string{"FECErrs", "FECFullShardSet", "FECParityShards", "FECRecovered", "FECShardMin", "FECShardSet"}
