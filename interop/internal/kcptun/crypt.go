// Package kcptun chooses a kcp-go BlockCrypt and the KCP timing options the way kcptun's
// flags do, so the interop tools accept the same --crypt/--key/--mode values as kcptun.
package kcptun

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"errors"
	"fmt"
	"sync"

	kcp "github.com/xtaci/kcp-go/v5"
)

// ErrUnsupported marks a cipher name this build (this kcp-go version) cannot provide; the
// tools turn it into exit code 127.
var ErrUnsupported = errors.New("unsupported")

// DefaultKey is kcptun's default --key (its spelling).
const DefaultKey = "it's a secrect"

// DeriveKey is kcptun's key derivation: PBKDF2-HMAC-SHA1(key, "kcp-go", 4096, 32).
func DeriveKey(key string) []byte {
	pass, err := pbkdf2.Key(sha1.New, key, []byte("kcp-go"), 4096, 32)
	if err != nil { // only for parameters outside FIPS limits, which these are not
		panic(err)
	}
	return pass
}

// CipherNames lists every --crypt name this build supports, in a stable order.
func CipherNames() []string {
	names := []string{"null", "none", "xor", "aes", "aes-128", "aes-192", "salsa20", "blowfish",
		"twofish", "cast5", "3des", "tea", "xtea", "sm4"}
	return append(names, aeadNames...)
}

// NewBlock returns the BlockCrypt kcptun builds for --crypt name with the derived key pass
// (nil for "null": no crypt header at all). Unlike kcptun, an unknown name is an error
// rather than a silent fallback to AES-256, so a typo cannot pass as a test of AES.
func NewBlock(name string, pass []byte) (kcp.BlockCrypt, error) {
	var block kcp.BlockCrypt
	var err error
	switch name {
	case "null":
		return nil, nil
	case "none":
		block, err = kcp.NewNoneBlockCrypt(pass)
	case "xor":
		block, err = kcp.NewSimpleXORBlockCrypt(pass)
	case "aes":
		block, err = kcp.NewAESBlockCrypt(pass)
	case "aes-128":
		block, err = kcp.NewAESBlockCrypt(pass[:16])
	case "aes-192":
		block, err = kcp.NewAESBlockCrypt(pass[:24])
	case "salsa20":
		block, err = kcp.NewSalsa20BlockCrypt(pass)
	case "blowfish":
		block, err = kcp.NewBlowfishBlockCrypt(pass)
	case "twofish":
		block, err = kcp.NewTwofishBlockCrypt(pass)
	case "cast5":
		block, err = kcp.NewCast5BlockCrypt(pass[:16])
	case "3des":
		block, err = kcp.NewTripleDESBlockCrypt(pass[:24])
	case "tea":
		block, err = kcp.NewTEABlockCrypt(pass[:16])
	case "xtea":
		block, err = kcp.NewXTEABlockCrypt(pass[:16])
	case "sm4":
		block, err = kcp.NewSM4BlockCrypt(pass[:16])
		if err == nil {
			// kcp-go's SM4 keeps scratch state and is used by the sender and the reader
			// at once (docs/crypt.md); serialise it so no datagram is garbled.
			block = Locked(block)
		}
	default:
		return newAEAD(name, pass)
	}
	if err != nil {
		return nil, fmt.Errorf("crypt %s: %w", name, err)
	}
	return block, nil
}

// Locked wraps a CFB-family BlockCrypt in a mutex. A kcp-go session encrypts (its sender)
// and decrypts (its reader) with one object at once, and kcp-go's SM4 keeps scratch state
// in it, which garbles datagrams now and then (docs/crypt.md). The lock changes no byte the
// cipher computes. Not for kcp-go's AEAD crypt: kcp-go type-switches on that type, so it
// must be passed on as it is.
func Locked(b kcp.BlockCrypt) kcp.BlockCrypt { return &lockedBlock{inner: b} }

type lockedBlock struct {
	mu    sync.Mutex
	inner kcp.BlockCrypt
}

func (b *lockedBlock) Encrypt(dst, src []byte) {
	b.mu.Lock()
	b.inner.Encrypt(dst, src)
	b.mu.Unlock()
}

func (b *lockedBlock) Decrypt(dst, src []byte) {
	b.mu.Lock()
	b.inner.Decrypt(dst, src)
	b.mu.Unlock()
}
