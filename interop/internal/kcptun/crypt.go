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

// blockCiphers are kcptun's CFB-family --crypt names, in CipherNames order: the kcp-go
// constructor and how many bytes of the derived key it takes (0: all 32).
var blockCiphers = []struct {
	name   string
	keyLen int
	make   func(key []byte) (kcp.BlockCrypt, error)
	locked bool // kcp-go's SM4 keeps scratch state: see Locked
}{
	{"null", 0, nil, false},
	{"none", 0, kcp.NewNoneBlockCrypt, false},
	{"xor", 0, kcp.NewSimpleXORBlockCrypt, false},
	{"aes", 0, kcp.NewAESBlockCrypt, false},
	{"aes-128", 16, kcp.NewAESBlockCrypt, false},
	{"aes-192", 24, kcp.NewAESBlockCrypt, false},
	{"salsa20", 0, kcp.NewSalsa20BlockCrypt, false},
	{"blowfish", 0, kcp.NewBlowfishBlockCrypt, false},
	{"twofish", 0, kcp.NewTwofishBlockCrypt, false},
	{"cast5", 16, kcp.NewCast5BlockCrypt, false},
	{"3des", 24, kcp.NewTripleDESBlockCrypt, false},
	{"tea", 16, kcp.NewTEABlockCrypt, false},
	{"xtea", 16, kcp.NewXTEABlockCrypt, false},
	{"sm4", 16, kcp.NewSM4BlockCrypt, true},
}

// CipherNames lists every --crypt name this build supports, in a stable order.
func CipherNames() []string {
	names := make([]string, 0, len(blockCiphers)+len(aeadNames))
	for _, c := range blockCiphers {
		names = append(names, c.name)
	}
	return append(names, aeadNames...)
}

// NewBlock returns the BlockCrypt kcptun builds for --crypt name with the derived key pass
// (nil for "null": no crypt header at all). Unlike kcptun, an unknown name is an error
// rather than a silent fallback to AES-256, so a typo cannot pass as a test of AES.
func NewBlock(name string, pass []byte) (kcp.BlockCrypt, error) {
	for _, c := range blockCiphers {
		if c.name != name {
			continue
		}
		if c.make == nil {
			return nil, nil
		}
		key := pass
		if c.keyLen != 0 {
			key = pass[:c.keyLen]
		}
		block, err := c.make(key)
		if err != nil {
			return nil, fmt.Errorf("crypt %s: %w", name, err)
		}
		if c.locked {
			// Used by the sender and the reader at once (docs/crypt.md); serialised so
			// no datagram is garbled.
			block = Locked(block)
		}
		return block, nil
	}
	return newAEAD(name, pass)
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
