//go:build !kcpgo561

package main

import (
	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
)

// What this build captures: kcp-go v5.6.72, whose cases carry the default reference.
const (
	reference   = "kcp-go"
	goModPath   = "interop/go.mod"
	programPath = "interop/cmd/capture-crypt"
	aeadNote    = " and NewAESGCMCrypt's Seal/Open"
)

var (
	kcpVersion = pin.KCPVersion
	defaultOut = "../vectors/kcpgo-" + pin.KCPVersion + "-crypt.json.gz"
)

// ciphers: kcpvec/1 name, constructor, key sizes to try, kcptun key length, AEAD.
var ciphers = []cipherSpec{
	{"none", kcp.NewNoneBlockCrypt, []int{0, 32}, 32, false},
	{"xor", kcp.NewSimpleXORBlockCrypt, []int{32, 5}, 32, false},
	{"aes-128", kcp.NewAESBlockCrypt, []int{16, 16}, 16, false},
	{"aes-192", kcp.NewAESBlockCrypt, []int{24, 24}, 24, false},
	{"aes-256", kcp.NewAESBlockCrypt, []int{32, 32}, 32, false},
	{"tea", kcp.NewTEABlockCrypt, []int{16, 16}, 16, false},
	{"xtea", kcp.NewXTEABlockCrypt, []int{16, 16}, 16, false},
	{"3des", kcp.NewTripleDESBlockCrypt, []int{24, 24}, 24, false},
	{"blowfish", kcp.NewBlowfishBlockCrypt, []int{32, 1, 3, 16, 56}, 32, false},
	{"cast5", kcp.NewCast5BlockCrypt, []int{16, 16}, 16, false},
	{"salsa20", kcp.NewSalsa20BlockCrypt, []int{32, 16, 40}, 32, false},
	{"sm4", kcp.NewSM4BlockCrypt, []int{16, 16}, 16, false},
	{"twofish", kcp.NewTwofishBlockCrypt, []int{32, 16, 24}, 32, false},
	{"aes-128-gcm", kcp.NewAESGCMCrypt, []int{16, 16}, 16, true},
	{"aes-192-gcm", kcp.NewAESGCMCrypt, []int{24, 24}, 24, true},
	{"aes-256-gcm", kcp.NewAESGCMCrypt, []int{32, 32}, 32, true},
}
