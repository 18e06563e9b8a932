//go:build kcpgo561

package main

import (
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
)

const sourceText = pin.Release + " with " +
	"klauspost/reedsolomon v1.9.9: its unexported fecEncoder/fecDecoder called through " +
	"go:linkname by interop/cmd/capture-fec (built with -modfile=v561/go.mod -tags kcpgo561) " +
	"inside a testing/synctest fake clock (Go "

const (
	minDatagram = 24    // packetInput: only len >= IKCP_OVERHEAD reaches kcpInput
	hasOOB      = false // no OOB in v5.6.1: 0xF3 is handed to KCP as a raw datagram
	parityGapMs = 0     // no parity-skip rule
)

//go:linkname newFECEncoder github.com/xtaci/kcp-go/v5.newFECEncoder
func newFECEncoder(dataShards, parityShards, offset int) unsafe.Pointer

//go:linkname fecEncode github.com/xtaci/kcp-go/v5.(*fecEncoder).encode
func fecEncode(enc unsafe.Pointer, b []byte) [][]byte

//go:linkname newFECDecoder github.com/xtaci/kcp-go/v5.newFECDecoder
func newFECDecoder(dataShards, parityShards int) unsafe.Pointer

//go:linkname fecDecode github.com/xtaci/kcp-go/v5.(*fecDecoder).decode
func fecDecode(dec unsafe.Pointer, in []byte) [][]byte

// fecEncoder{dataShards, parityShards, shardSize int; paws, next uint32; ...},
// fecDecoder{rxlimit, dataShards, parityShards, shardSize int; ...}.
const (
	encPawsOffset = 24
	encNextOffset = 28
	decDSOffset   = 8
	decPSOffset   = 16
)

func encodeWith(enc unsafe.Pointer, b []byte) [][]byte { return fecEncode(enc, b) }

// v5.6.1's decoder updates only FECShortShards itself (the others are counted by the
// session around it).
var counterNames = []string{"FECShortShards"}

func readCounters() map[string]uint64 {
	s := kcp.DefaultSnmp.Copy()
	return map[string]uint64{"FECShortShards": s.FECShortShards}
}
