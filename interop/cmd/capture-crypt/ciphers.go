//go:build !kcpgo561

package main

import (
	kcp "github.com/xtaci/kcp-go/v5"
)

// What this build captures: kcp-go v5.6.72 (internal/pin), with its AEAD mode.
const (
	programPath = "interop/cmd/capture-crypt"
	aeadNote    = " and NewAESGCMCrypt's Seal/Open"
)

// Every cipher of commonCiphers, and the AEAD mode v5.6.72 has.
var ciphers = append(commonCiphers[:len(commonCiphers):len(commonCiphers)],
	cipherSpec{"aes-128-gcm", kcp.NewAESGCMCrypt, []int{16, 16}, 16, true},
	cipherSpec{"aes-192-gcm", kcp.NewAESGCMCrypt, []int{24, 24}, 24, true},
	cipherSpec{"aes-256-gcm", kcp.NewAESGCMCrypt, []int{32, 32}, 32, true},
)
