//go:build !kcpgo561

package main

import (
	kcp "github.com/xtaci/kcp-go/v5"
)

// What this build captures: kcp-go v5.6.72 (interop/go.mod).
const minDatagram = 12 // packetInput: shorter decrypted datagrams never reach KCP

// Every cipher of commonCiphers, and v5.6.72's AEAD mode.
var ciphers = append(commonCiphers[:len(commonCiphers):len(commonCiphers)],
	cipherSpec{"aes-128-gcm", kcp.NewAESGCMCrypt, 16},
	cipherSpec{"aes-256-gcm", kcp.NewAESGCMCrypt, 32},
)
