//go:build !kcpgo561

// kcp-go's packet encryption measured the way bench/crypt_bench.cpp measures kcpkit's, so a
// compare script can pair the results by name and print ratios:
//
//	BenchmarkCryptEncrypt/<cipher>   BlockCrypt.Encrypt of one 1400-byte buffer, in place
//	BenchmarkCryptDecrypt/<cipher>   BlockCrypt.Decrypt of one 1400-byte buffer, in place
//	BenchmarkAEADSeal/<cipher>       NewAESGCMCrypt Seal of a 1400-byte payload, in place
//	BenchmarkAEADOpen/<cipher>       its Open (the sealed datagram is copied back each time)
//	BenchmarkCRC32IEEE1K             crc32.ChecksumIEEE of 1024 bytes
//
// Bytes per op = 1400 (1024 for CRC), as in the C++ suite. Run from interop/:
//
//	go test ./cmd/bench-kcpgo -run '^$' -bench 'Crypt|AEAD|CRC32' -benchtime 1s -count 5
package main

import (
	"crypto/cipher"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	kcp "github.com/xtaci/kcp-go/v5"
)

const benchPacket = 1400

type benchCipher struct {
	name string
	make func([]byte) (kcp.BlockCrypt, error)
	key  int
}

var benchCiphers = []benchCipher{
	{"none", kcp.NewNoneBlockCrypt, 32},
	{"xor", kcp.NewSimpleXORBlockCrypt, 32},
	{"aes-128", kcp.NewAESBlockCrypt, 16},
	{"aes-192", kcp.NewAESBlockCrypt, 24},
	{"aes-256", kcp.NewAESBlockCrypt, 32},
	{"tea", kcp.NewTEABlockCrypt, 16},
	{"xtea", kcp.NewXTEABlockCrypt, 16},
	{"3des", kcp.NewTripleDESBlockCrypt, 24},
	{"blowfish", kcp.NewBlowfishBlockCrypt, 32},
	{"cast5", kcp.NewCast5BlockCrypt, 16},
	{"salsa20", kcp.NewSalsa20BlockCrypt, 32},
	{"sm4", kcp.NewSM4BlockCrypt, 16},
	{"twofish", kcp.NewTwofishBlockCrypt, 32},
}

var benchAEADs = []benchCipher{
	{"aes-128-gcm", kcp.NewAESGCMCrypt, 16},
	{"aes-192-gcm", kcp.NewAESGCMCrypt, 24},
	{"aes-256-gcm", kcp.NewAESGCMCrypt, 32},
}

func benchBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func makeBench(b *testing.B, c benchCipher) kcp.BlockCrypt {
	bc, err := c.make(benchBytes(c.key, 99))
	if err != nil {
		b.Fatal(err)
	}
	return bc
}

// startBlock builds c and a 1400-byte buffer and starts the timer: the loop is the caller's.
func startBlock(b *testing.B, c benchCipher) (kcp.BlockCrypt, []byte) {
	bc := makeBench(b, c)
	buf := benchBytes(benchPacket, 1)
	b.SetBytes(benchPacket)
	b.ReportAllocs()
	b.ResetTimer()
	return bc, buf
}

func BenchmarkCryptEncrypt(b *testing.B) {
	for _, c := range benchCiphers {
		b.Run(c.name, func(b *testing.B) {
			bc, buf := startBlock(b, c)
			for i := 0; i < b.N; i++ {
				bc.Encrypt(buf, buf)
			}
		})
	}
}

func BenchmarkCryptDecrypt(b *testing.B) {
	for _, c := range benchCiphers {
		b.Run(c.name, func(b *testing.B) {
			bc, buf := startBlock(b, c)
			for i := 0; i < b.N; i++ {
				bc.Decrypt(buf, buf)
			}
		})
	}
}

// startAEAD builds c (kcp-go's AEAD crypt, whose type is unexported) and a buffer of nonce
// room + 1400 bytes + tag room, and starts the timer: the loop is the caller's.
func startAEAD(b *testing.B, c benchCipher) (a cipher.AEAD, ns int, buf []byte) {
	a = makeBench(b, c).(cipher.AEAD)
	ns = a.NonceSize()
	buf = make([]byte, ns+benchPacket, ns+benchPacket+a.Overhead())
	b.SetBytes(benchPacket)
	b.ReportAllocs()
	b.ResetTimer()
	return a, ns, buf
}

func BenchmarkAEADSeal(b *testing.B) {
	for _, c := range benchAEADs {
		b.Run(c.name, func(b *testing.B) {
			a, ns, buf := startAEAD(b, c)
			for i := 0; i < b.N; i++ {
				a.Seal(buf[:ns], buf[:ns], buf[ns:ns+benchPacket], nil)
			}
		})
	}
}

func BenchmarkAEADOpen(b *testing.B) {
	for _, c := range benchAEADs {
		b.Run(c.name, func(b *testing.B) {
			a, ns, buf := startAEAD(b, c)
			sealed := append([]byte(nil), a.Seal(buf[:ns], buf[:ns], buf[ns:], nil)...)
			work := make([]byte, len(sealed))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				copy(work, sealed)
				if _, err := a.Open(work[ns:ns], work[:ns], work[ns:], nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var crcSink uint32

func BenchmarkCRC32IEEE1K(b *testing.B) {
	buf := benchBytes(1024, 2)
	b.SetBytes(1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		crcSink = crc32.ChecksumIEEE(buf)
	}
}
