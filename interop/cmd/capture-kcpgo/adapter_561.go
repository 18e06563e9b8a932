//go:build kcpgo561

package main

import (
	_ "unsafe" // for go:linkname

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
)

const sourceText = pin.Release + ", " +
	"its KCP core (*kcp.KCP) driven through its API by interop/cmd/capture-kcpgo " +
	"(built with -modfile=v561/go.mod -tags kcpgo561) inside a testing/synctest fake clock (Go "

//go:linkname kcpFlush github.com/xtaci/kcp-go/v5.(*KCP).flush
func kcpFlush(k *kcp.KCP, ackOnly bool) uint32

func flushFull(k *kcp.KCP) uint32 { return kcpFlush(k, false) }

func input(k *kcp.KCP, data []byte, fec, ackNoDelay bool) int {
	return k.Input(data, !fec, ackNoDelay)
}

const (
	minMtu       = 50
	maxFragments = 255
	probeInit    = 7000
)
