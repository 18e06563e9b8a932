//go:build !kcpgo561

package main

import (
	_ "unsafe" // for go:linkname

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
)

// The start of the vector file's `source` (the profile name and version are in pin).
const sourceText = pin.Release + ", " +
	"its KCP core (*kcp.KCP) driven through its API by interop/cmd/capture-kcpgo " +
	"inside a testing/synctest fake clock (Go "

// flushFull is kcp-go's own flush, as its UDPSession calls it (every `interval`, after a
// Write, on Close). It is unexported; go:linkname calls it without changing kcp-go.
//
//go:linkname kcpFlush github.com/xtaci/kcp-go/v5.(*KCP).flush
func kcpFlush(k *kcp.KCP, flushType kcp.FlushType) uint32

func flushFull(k *kcp.KCP) uint32 { return kcpFlush(k, kcp.IKCP_FLUSH_FULL) }

func input(k *kcp.KCP, data []byte, fec, ackNoDelay bool) int {
	t := kcp.IKCP_PACKET_REGULAR
	if fec {
		t = kcp.IKCP_PACKET_FEC
	}
	return k.Input(data, t, ackNoDelay)
}

// Parameters of this version that the scenarios respect.
const (
	minMtu       = 25  // SetMtu refuses mtu <= 24
	maxFragments = 255 // Send refuses more
	probeInit    = 500 // first zero-window probe wait (ms)
)
