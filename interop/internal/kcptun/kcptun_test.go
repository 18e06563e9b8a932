package kcptun

import (
	"encoding/hex"
	"errors"
	"testing"

	kcp "github.com/xtaci/kcp-go/v5"
)

func TestDeriveKeyMatchesKcptun(t *testing.T) {
	// Known answer (docs/crypt.md, kcptun's names and keys): kcptun's default key.
	got := hex.EncodeToString(DeriveKey(DefaultKey))
	want := "25d7d7bd51050742d8d791f2b653c6c8b2366b7e25a124cf7a2e12eaf4ffa444"
	if got != want {
		t.Fatalf("DeriveKey(default) = %s, want %s", got, want)
	}
}

func TestEveryCipherNameBuildsAndRoundTrips(t *testing.T) {
	pass := DeriveKey("interop")
	for _, name := range CipherNames() {
		block, err := NewBlock(name, pass)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "null" {
			if block != nil {
				t.Fatalf("null must have no crypt layer")
			}
			continue
		}
		if isAEAD(name) {
			continue // AEAD blocks are sealed by the session, not Encrypt/Decrypt
		}
		plain := []byte("0123456789abcdef0123456789abcdef-kcpkit")
		sealed := make([]byte, len(plain))
		block.Encrypt(sealed, plain)
		if name != "none" && string(sealed) == string(plain) {
			t.Fatalf("%s: Encrypt left the data as it was", name)
		}
		opened := make([]byte, len(plain))
		block.Decrypt(opened, sealed)
		if string(opened) != string(plain) {
			t.Fatalf("%s: Decrypt(Encrypt(x)) != x", name)
		}
	}
}

func TestCipherNamesTakeKcptunsKeyLengths(t *testing.T) {
	// kcptun cuts the 32-byte derived key for the shorter-key ciphers; a wrong cut still
	// round-trips, so compare with kcp-go's constructor given kcptun's cut.
	pass := DeriveKey("interop")
	cuts := []struct {
		name   string
		keyLen int
		make   func([]byte) (kcp.BlockCrypt, error)
	}{
		{"aes", 32, kcp.NewAESBlockCrypt},
		{"aes-128", 16, kcp.NewAESBlockCrypt},
		{"aes-192", 24, kcp.NewAESBlockCrypt},
		{"cast5", 16, kcp.NewCast5BlockCrypt},
		{"3des", 24, kcp.NewTripleDESBlockCrypt},
		{"xtea", 16, kcp.NewXTEABlockCrypt},
	}
	plain := []byte("0123456789abcdef0123456789abcdef-kcpkit")
	for _, c := range cuts {
		block, err := NewBlock(c.name, pass)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want, _ := c.make(pass[:c.keyLen])
		got, expected := make([]byte, len(plain)), make([]byte, len(plain))
		block.Encrypt(got, plain)
		want.Encrypt(expected, plain)
		if string(got) != string(expected) {
			t.Fatalf("%s: not kcp-go's cipher with a %d-byte key", c.name, c.keyLen)
		}
	}
	if block, _ := NewBlock("sm4", pass); block == nil {
		t.Fatalf("sm4: no block")
	} else if _, locked := block.(*lockedBlock); !locked {
		t.Fatalf("sm4 must be wrapped by Locked")
	}
}

func TestUnknownCipherIsUnsupported(t *testing.T) {
	_, err := NewBlock("aes-512", DeriveKey("k"))
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("unknown name: err = %v, want ErrUnsupported", err)
	}
}

func TestModes(t *testing.T) {
	cases := map[string]NoDelay{"normal": {0, 40, 2, 1}, "fast": {0, 30, 2, 1},
		"fast2": {1, 20, 2, 1}, "fast3": {1, 10, 2, 1}}
	for mode, want := range cases {
		got, err := ModeNoDelay(mode, NoDelay{9, 9, 9, 9})
		if err != nil || got != want {
			t.Fatalf("%s: %v %v, want %v", mode, got, err, want)
		}
	}
	manual := NoDelay{1, 15, 3, 0}
	if got, _ := ModeNoDelay("manual", manual); got != manual {
		t.Fatalf("manual: %v", got)
	}
	if _, err := ModeNoDelay("turbo", manual); err == nil {
		t.Fatalf("unknown mode accepted")
	}
}

func isAEAD(name string) bool {
	for _, n := range aeadNames {
		if n == name {
			return true
		}
	}
	return false
}
