package main

import (
	"reflect"
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"
)

// kcp-go's FEC codec is unexported; go:linkname reaches it without changing kcp-go. The
// *fecEncoder / *fecDecoder results are kept as opaque pointers. These three have the same
// signature in every pinned version; encode does not (adapter_head.go / adapter_561.go).
//
//go:linkname newFECEncoder github.com/xtaci/kcp-go/v5.newFECEncoder
func newFECEncoder(dataShards, parityShards, offset int) unsafe.Pointer

//go:linkname newFECDecoder github.com/xtaci/kcp-go/v5.newFECDecoder
func newFECDecoder(dataShards, parityShards int) unsafe.Pointer

//go:linkname fecDecode github.com/xtaci/kcp-go/v5.(*fecDecoder).decode
func fecDecode(dec unsafe.Pointer, in []byte) [][]byte

// Field offsets (amd64) of fecEncoder{dataShards, parityShards, shardSize int; paws, next
// uint32; ...}, the same in every pinned version, checked at start-up by checkLayout.
const (
	encPawsOffset = 24
	encNextOffset = 28
)

// readCounters reads the DefaultSnmp fields named by this version's counterNames.
func readCounters() map[string]uint64 {
	snmp := reflect.ValueOf(kcp.DefaultSnmp.Copy()).Elem()
	counters := make(map[string]uint64, len(counterNames))
	for _, name := range counterNames {
		counters[name] = snmp.FieldByName(name).Uint()
	}
	return counters
}
