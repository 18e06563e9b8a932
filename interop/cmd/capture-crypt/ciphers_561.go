//go:build kcpgo561

package main

import "kcpkit/interop/internal/pin"

// What this build captures: kcp-go v5.6.1 (internal/pin; the version Debian ships), which
// has no AEAD mode. Built against interop/v561/go.mod:
//
//	cd interop && go run -modfile=v561/go.mod -tags kcpgo561 ./cmd/capture-crypt -seed 1
const (
	programPath = pin.GoRun + " ./cmd/capture-crypt (in interop/)"
	aeadNote    = ""
)

var ciphers = commonCiphers
