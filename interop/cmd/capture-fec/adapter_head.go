//go:build !kcpgo561

package main

import (
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"

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

// kcp-go's FEC codec is unexported; go:linkname reaches it without changing kcp-go. The
// *fecEncoder / *fecDecoder results are kept as opaque pointers.
//
//go:linkname newFECEncoder github.com/xtaci/kcp-go/v5.newFECEncoder
func newFECEncoder(dataShards, parityShards, offset int) unsafe.Pointer

//go:linkname fecEncode github.com/xtaci/kcp-go/v5.(*fecEncoder).encode
func fecEncode(enc unsafe.Pointer, b []byte, rto uint32) [][]byte

//go:linkname newFECDecoder github.com/xtaci/kcp-go/v5.newFECDecoder
func newFECDecoder(dataShards, parityShards int) unsafe.Pointer

//go:linkname fecDecode github.com/xtaci/kcp-go/v5.(*fecDecoder).decode
func fecDecode(dec unsafe.Pointer, in []byte) [][]byte

// Field offsets (amd64) of the unexported structs, checked at start-up by checkLayout:
// fecEncoder{dataShards, parityShards, shardSize int; paws, next uint32; ...},
// fecDecoder{dataShards, parityShards, shardSize int; ...}.
const (
	encPawsOffset = 24
	encNextOffset = 28
	decDSOffset   = 0
	decPSOffset   = 8
)

func encodeWith(enc unsafe.Pointer, b []byte) [][]byte { return fecEncode(enc, b, parityGapMs) }

// counterNames are the DefaultSnmp fields this version's decoder updates itself.
var counterNames = []string{"FECErrs", "FECFullShardSet", "FECParityShards", "FECRecovered", "FECShardMin", "FECShardSet"}

func readCounters() map[string]uint64 {
	s := kcp.DefaultSnmp.Copy()
	return map[string]uint64{
		"FECErrs":         s.FECErrs,
		"FECFullShardSet": s.FECFullShardSet,
		"FECParityShards": s.FECParityShards,
		"FECRecovered":    s.FECRecovered,
		"FECShardMin":     s.FECShardMin,
		"FECShardSet":     s.FECShardSet,
	}
}
