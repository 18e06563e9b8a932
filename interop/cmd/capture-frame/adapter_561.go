//go:build kcpgo561

package main

// What this build captures: kcp-go v5.6.1 (interop/v561/go.mod), which has no AEAD mode.
const minDatagram = 24 // packetInput: only len >= IKCP_OVERHEAD reaches kcpInput

var ciphers = commonCiphers
