//go:build kcpgo561

package main

import (
	"unsafe"

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

// encode's signature differs by version (see linkname.go for the rest of the codec).
//
//go:linkname fecEncode github.com/xtaci/kcp-go/v5.(*fecEncoder).encode
func fecEncode(enc unsafe.Pointer, b []byte) [][]byte

// fecDecoder{rxlimit, dataShards, parityShards, shardSize int; ...}.
const (
	decDSOffset = 8
	decPSOffset = 16
)

func encodeWith(enc unsafe.Pointer, b []byte) [][]byte { return fecEncode(enc, b) }

// v5.6.1's decoder updates only FECShortShards itself (the others are counted by the
// session around it).
var counterNames = []string{"FECShortShards"}
