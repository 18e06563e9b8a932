// Command capture-crypt writes a kcpvec/1 file of kind "crypt" from kcp-go's own packet
// encryption: every BlockCrypt constructor of kcp-go (the version pinned in go.mod) and,
// where the version has it, the AEAD path (NewAESGCMCrypt's Seal/Open, used the way sess.go
// uses it).
//
// Built with -modfile=v561/go.mod -tags kcpgo561 it runs against kcp-go v5.6.1 instead;
// ciphers.go / ciphers_561.go hold what differs between the versions.
//
// Every random choice (keys, nonces, payloads) comes from one seeded generator, so the same
// seed and kcp-go version give a byte-identical file.
//
// Usage, from interop/:
//
//	go run ./cmd/capture-crypt -seed 1                                        # v5.6.72
//	go run -modfile=v561/go.mod -tags kcpgo561 ./cmd/capture-crypt -seed 1    # v5.6.1
package main

import (
	"bytes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
	"kcpkit/interop/internal/vecfile"
)

const (
	nonceSize  = 16 // kcp-go's nonceSize
	headerSize = 20 // kcp-go's cryptHeaderSize: nonce + CRC-32
)

// testCase is one kcpvec/1 crypt case; field order is the order in the file.
type testCase struct {
	vecfile.Case
	Cipher      string  `json:"cipher"`
	Key         *string `json:"key,omitempty"`
	Passphrase  *string `json:"passphrase,omitempty"`
	Salt        string  `json:"salt,omitempty"`
	Iterations  int     `json:"iterations,omitempty"`
	Nonce       string  `json:"nonce,omitempty"`
	Plaintext   *string `json:"plaintext,omitempty"`
	Ciphertext  string  `json:"ciphertext"`
	ExpectCrcOK *bool   `json:"expect_crc_ok,omitempty"`
	ExpectError string  `json:"expect_error,omitempty"`
}

type vectorFile struct {
	Format string            `json:"format"`
	Kind   string            `json:"kind"`
	Source string            `json:"source"`
	Notes  map[string]string `json:"notes"`
	Cases  []testCase        `json:"cases"`
}

// cipherSpec names a kcpvec/1 cipher, its kcp-go constructor, the key sizes to try and the
// key length kcptun cuts from its 32-byte PBKDF2 output.
type cipherSpec struct {
	name      string
	make      func(key []byte) (kcp.BlockCrypt, error)
	keySizes  []int
	kcptunLen int
	isAEAD    bool
}

// commonCiphers are the ciphers both versions have (ciphers.go / ciphers_561.go give this
// build's list): kcpvec/1 name, constructor, key sizes to try, kcptun key length, AEAD.
var commonCiphers = []cipherSpec{
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
}

var payloadLengths = []int{0, 1, 15, 16, 17, 100, 1400, 1480}

// lengthsFor keeps the file small: full-size datagrams only for the first key of a cipher,
// a few lengths for passphrase keys.
func lengthsFor(keyIndex int, passphrase bool, all []int) []int {
	if passphrase {
		return []int{0, 17, 100}
	}
	if keyIndex == 0 {
		return all
	}
	var short []int
	for _, n := range all {
		if n < 1000 {
			short = append(short, n)
		}
	}
	return short
}

// rawLengths are whole-buffer lengths for cases below the envelope (no valid CRC needed):
// shorter than a header, shorter than a block, and longer than kcp-go's 1500-byte XOR table.
var rawLengths = []int{0, 1, 7, 8, 9, 19, 1600}

type capture struct {
	rng   *rand.Rand
	cases []testCase
}

func (c *capture) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(c.rng.Uint32())
	}
	return b
}

func hexOf(b []byte) string   { return hex.EncodeToString(b) }
func strPtr(s string) *string { return &s }
func boolPtr(v bool) *bool    { return &v }

func mustMake(spec cipherSpec, key []byte) kcp.BlockCrypt {
	bc, err := spec.make(key)
	if err != nil || bc == nil {
		log.Fatalf("%s: constructor rejects a %d-byte key: %v", spec.name, len(key), err)
	}
	return bc
}

// kcptunPass is kcptun's key derivation: PBKDF2-HMAC-SHA1(key, salt, iterations, 32).
func kcptunPass(pass, salt string, iterations int) []byte {
	k, err := pbkdf2.Key(sha1.New, pass, []byte(salt), iterations, 32)
	if err != nil {
		log.Fatal(err)
	}
	return k
}

// envelope builds the plaintext datagram kcp-go's sender builds: nonce | CRC-32 LE | payload.
func envelope(nonce, payload []byte) []byte {
	d := make([]byte, headerSize+len(payload))
	copy(d, nonce)
	copy(d[headerSize:], payload)
	binary.LittleEndian.PutUint32(d[nonceSize:], crc32.ChecksumIEEE(d[headerSize:]))
	return d
}

// encrypt runs kcp-go's Encrypt in place as sess.go does and checks that Decrypt undoes it.
// ok is false if kcp-go panics on the input (v5.6.1's Salsa20 on buffers < 8 bytes).
func tryEncrypt(bc kcp.BlockCrypt, plain []byte) (ct []byte, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	return encrypt(bc, plain), true
}

// encrypt runs kcp-go's Encrypt in place as sess.go does and checks that Decrypt undoes it.
func encrypt(bc kcp.BlockCrypt, plain []byte) []byte {
	ct := make([]byte, len(plain))
	copy(ct, plain)
	bc.Encrypt(ct, ct)
	back := make([]byte, len(ct))
	copy(back, ct)
	bc.Decrypt(back, back)
	if !bytes.Equal(back, plain) {
		log.Fatalf("kcp-go Decrypt does not undo Encrypt (len %d)", len(plain))
	}
	return ct
}

// openCFB is kcp-go's receive path for the CFB family (sess.go packetInput); "" = accepted.
func openCFB(bc kcp.BlockCrypt, wire []byte) string {
	data := append([]byte(nil), wire...)
	if len(data) < headerSize {
		return "truncated"
	}
	bc.Decrypt(data, data)
	if crc32.ChecksumIEEE(data[headerSize:]) != binary.LittleEndian.Uint32(data[nonceSize:]) {
		return "checksum_mismatch"
	}
	return ""
}

// sealAEAD is kcp-go's send path for AEAD: nonce in front, Seal in place, tag appended.
func sealAEAD(a cipher.AEAD, nonce, payload []byte) (plain, wire []byte) {
	ns := a.NonceSize()
	buf := make([]byte, ns+len(payload), ns+len(payload)+a.Overhead())
	copy(buf, nonce)
	copy(buf[ns:], payload)
	plain = append([]byte(nil), buf...)
	wire = a.Seal(buf[:ns], buf[:ns], buf[ns:], nil)
	return plain, append([]byte(nil), wire...)
}

// openAEAD is kcp-go's receive path for AEAD; "" = accepted.
func openAEAD(a cipher.AEAD, wire []byte) (string, []byte) {
	data := append([]byte(nil), wire...)
	ns := a.NonceSize()
	if len(data) < ns+a.Overhead() {
		return "truncated", nil
	}
	pt, err := a.Open(data[ns:ns], data[:ns], data[ns:], nil)
	if err != nil {
		return "auth_failed", nil
	}
	return "", pt
}

func (c *capture) add(tc testCase) {
	tc.Reference = pin.Reference
	c.cases = append(c.cases, tc)
}

// datagramCase is base as the case of one datagram: plain (nil: not part of the case)
// and the wire bytes kcp-go made of it or that it must refuse.
func datagramCase(base testCase, id, comment string, plain, wire []byte) testCase {
	tc := base
	tc.ID = id
	tc.Comment = comment
	if plain != nil {
		tc.Plaintext = strPtr(hexOf(plain))
	}
	tc.Ciphertext = hexOf(wire)
	return tc
}

func tailFlags(spec cipherSpec, length int) []string {
	var flags []string
	switch spec.name {
	case "none", "xor", "salsa20":
	case "tea", "xtea", "3des", "blowfish", "cast5":
		if length%8 != 0 {
			flags = append(flags, "Tail")
		}
	default:
		if !spec.isAEAD && length%16 != 0 {
			flags = append(flags, "Tail")
		}
	}
	return flags
}

// keyed records envelope, raw and invalid cases for one cipher and one key.
func (c *capture) keyed(spec cipherSpec, keyIndex int, key []byte, passphrase *string, salt string, iterations int) {
	bc := mustMake(spec, key)
	idBase := fmt.Sprintf("crypt/%s/key%d-%dB", spec.name, keyIndex, len(key))
	keyHex := strPtr(hexOf(key))
	if passphrase != nil {
		idBase = fmt.Sprintf("crypt/%s/pass%d", spec.name, keyIndex)
		keyHex = nil
	}
	base := testCase{Cipher: spec.name, Key: keyHex, Passphrase: passphrase, Salt: salt, Iterations: iterations}

	if spec.isAEAD {
		a, ok := bc.(cipher.AEAD)
		if !ok {
			log.Fatalf("%s: NewAESGCMCrypt result has no Seal/Open", spec.name)
		}
		for _, n := range lengthsFor(keyIndex, passphrase != nil, payloadLengths) {
			nonce := c.bytes(a.NonceSize())
			plain, wire := sealAEAD(a, nonce, c.bytes(n))
			if verdict, pt := openAEAD(a, wire); verdict != "" || !bytes.Equal(pt, plain[a.NonceSize():]) {
				log.Fatalf("%s: kcp-go cannot open its own datagram", spec.name)
			}
			tc := datagramCase(base, fmt.Sprintf("%s/payload%d", idBase, n),
				fmt.Sprintf("AEAD datagram, %d-byte payload: plaintext = nonce(12) | payload, ciphertext = nonce | sealed payload | tag(16)", n),
				plain, wire)
			tc.Nonce = hexOf(nonce)
			tc.ExpectCrcOK = boolPtr(true)
			c.add(tc)
			if n == 100 && passphrase == nil {
				c.invalidAEAD(a, base, idBase, wire)
			}
		}
		return
	}

	for _, n := range lengthsFor(keyIndex, passphrase != nil, payloadLengths) {
		plain := envelope(c.bytes(nonceSize), c.bytes(n))
		wire := encrypt(bc, plain)
		if openCFB(bc, wire) != "" {
			log.Fatalf("%s: kcp-go rejects its own datagram", spec.name)
		}
		tc := datagramCase(base, fmt.Sprintf("%s/payload%d", idBase, n),
			fmt.Sprintf("datagram = nonce(16) | crc32 LE | %d-byte payload, %d bytes in all", n, len(plain)),
			plain, wire)
		tc.Flags = tailFlags(spec, len(plain))
		tc.ExpectCrcOK = boolPtr(true)
		c.add(tc)
		if n == 100 && passphrase == nil {
			c.invalidCFB(bc, base, idBase, wire)
		}
	}
	if passphrase != nil {
		return
	}
	for _, n := range lengthsFor(keyIndex, false, rawLengths) {
		plain := c.bytes(n)
		wire, ok := tryEncrypt(bc, plain)
		if !ok {
			fmt.Fprintf(os.Stderr, "%s: kcp-go panics on a %d-byte buffer; no case\n", spec.name, n)
			continue
		}
		tc := datagramCase(base, fmt.Sprintf("%s/raw%d", idBase, n),
			fmt.Sprintf("BlockCrypt.Encrypt of %d arbitrary bytes (no envelope, CRC not meaningful)", n),
			plain, wire)
		tc.Flags = append([]string{"Raw"}, tailFlags(spec, n)...)
		c.add(tc)
	}
}

// rejection is how kcp-go's receive path refuses damaged datagrams of one cipher family.
type rejection struct {
	open      func(wire []byte) string // kcp-go's verdict: "" accepted, else the reason
	flipAt    []int                    // bytes to flip (bit 0) in a valid datagram
	flipError string
	flipFlags []string
	flipText  string // comment; %d is the flipped byte
	truncLens []int  // prefixes of a valid datagram, all below the envelope
	truncText string // comment; %d is the length
}

// invalid records the flipped and truncated copies of wire, each checked to be refused by
// kcp-go for the stated reason first.
func (c *capture) invalid(r rejection, base testCase, idBase string, wire []byte) {
	add := func(id, comment string, flags []string, ct []byte, reason string) {
		tc := datagramCase(base, id, comment, nil, ct)
		tc.Flags = flags
		tc.Result = "invalid"
		tc.ExpectCrcOK = boolPtr(false)
		tc.ExpectError = reason
		c.add(tc)
	}
	for _, at := range r.flipAt {
		bad := append([]byte(nil), wire...)
		bad[at] ^= 0x01
		if v := r.open(bad); v != r.flipError {
			log.Fatalf("kcp-go accepts a flipped byte at %d (%q)", at, v)
		}
		add(fmt.Sprintf("%s/flip%d", idBase, at), fmt.Sprintf(r.flipText, at), r.flipFlags, bad, r.flipError)
	}
	for _, n := range r.truncLens {
		if v := r.open(wire[:n]); v != "truncated" {
			log.Fatalf("truncated datagram (%d bytes) not rejected (%q)", n, v)
		}
		add(fmt.Sprintf("%s/truncated%d", idBase, n), fmt.Sprintf(r.truncText, n), []string{"Truncated"}, wire[:n], "truncated")
	}
}

func (c *capture) invalidCFB(bc kcp.BlockCrypt, base testCase, idBase string, wire []byte) {
	// A flipped bit in the CRC, in the first payload byte and in the last byte (tail).
	c.invalid(rejection{
		open:      func(w []byte) string { return openCFB(bc, w) },
		flipAt:    []int{16, headerSize, len(wire) - 1},
		flipError: "checksum_mismatch",
		flipFlags: []string{"CrcMismatch"},
		flipText:  "valid datagram with bit 0 of byte %d flipped: kcp-go counts InCsumErrors and drops it",
		truncLens: []int{0, 4, 19},
		truncText: "%d bytes: shorter than nonce+crc, kcp-go drops it before decrypting",
	}, base, idBase, wire)
}

func (c *capture) invalidAEAD(a cipher.AEAD, base testCase, idBase string, wire []byte) {
	c.invalid(rejection{
		open:      func(w []byte) string { v, _ := openAEAD(a, w); return v },
		flipAt:    []int{0, 12, len(wire) - 1},
		flipError: "auth_failed",
		flipFlags: []string{"CrcMismatch", "AuthFailure"},
		flipText:  "sealed datagram with bit 0 of byte %d flipped: Open fails, kcp-go counts InCsumErrors",
		truncLens: []int{0, 12, 27},
		truncText: "%d bytes: shorter than nonce+tag (28), kcp-go drops it",
	}, base, idBase, wire)
}

// specExample is crypt.md's worked example: kcptun's default key, nonce 00..0f, the KCP
// "hello" PUSH as payload.
func (c *capture) specExample(spec cipherSpec) {
	pass := "it's a secrect"
	key := kcptunPass(pass, "kcp-go", 4096)[:spec.kcptunLen]
	bc := mustMake(spec, key)
	payload, _ := hex.DecodeString("4433221151008000e803000000000000000000000500000068656c6c6f")
	tc := testCase{Cipher: spec.name, Passphrase: strPtr(pass), Salt: "kcp-go", Iterations: 4096}
	tc.ID = fmt.Sprintf("crypt/%s/spec-example", spec.name)
	tc.Flags = []string{"Passphrase"}
	tc.ExpectCrcOK = boolPtr(true)
	if spec.isAEAD {
		a := bc.(cipher.AEAD)
		nonce := make([]byte, a.NonceSize())
		for i := range nonce {
			nonce[i] = byte(i)
		}
		plain, wire := sealAEAD(a, nonce, payload)
		tc.Comment = "kcptun default key, nonce 000102..0b, KCP PUSH \"hello\" (crypt.md section 8)"
		tc.Nonce = hexOf(nonce)
		tc.Plaintext = strPtr(hexOf(plain))
		tc.Ciphertext = hexOf(wire)
	} else {
		nonce := make([]byte, nonceSize)
		for i := range nonce {
			nonce[i] = byte(i)
		}
		plain := envelope(nonce, payload)
		tc.Comment = "kcptun default key, nonce 00..0f, KCP PUSH \"hello\" (crypt.md section 8)"
		tc.Plaintext = strPtr(hexOf(plain))
		tc.Ciphertext = hexOf(encrypt(bc, plain))
	}
	c.add(tc)
}

func main() {
	seed := flag.Uint64("seed", 1, "seed of every random choice")
	out := flag.String("out", "../vectors/kcpgo-"+pin.KCPVersion+"-crypt.json.gz", "output file (.gz = gzip)")
	flag.Parse()

	c := &capture{rng: rand.New(rand.NewPCG(*seed, 0x6b6370676f637279))}
	for _, spec := range ciphers {
		c.specExample(spec)
		for i, n := range spec.keySizes {
			c.keyed(spec, i, c.bytes(n), nil, "", 0)
		}
		// kcptun-style keys: PBKDF2 of a passphrase, cut to the cipher's size.
		for i, pass := range []string{"kcpkit passphrase", hexOf(c.bytes(6))} {
			salt, iterations := "kcp-go", 4096
			if i == 1 {
				salt, iterations = "other salt", 100
			}
			c.keyed(spec, i, kcptunPass(pass, salt, iterations)[:spec.kcptunLen], strPtr(pass), salt, iterations)
		}
	}
	// kcptun's own name "aes" (= AES-256 with all 32 bytes of the derived key).
	aes := cipherSpec{name: "aes", make: kcp.NewAESBlockCrypt, kcptunLen: 32}
	c.specExample(aes)

	doc := vectorFile{
		Format: "kcpvec/1",
		Kind:   "crypt",
		Source: fmt.Sprintf("kcp-go %s (github.com/xtaci/kcp-go/v5, pinned in %s), %s: "+
			"its exported BlockCrypt constructors' Encrypt/Decrypt%s, "+
			"driven the way sess.go drives them; captured by %s -seed %d",
			pin.KCPVersion, pin.GoMod, runtime.Version(), aeadNote, programPath, *seed),
		Notes: map[string]string{
			"Tail":         "the buffer length is not a multiple of the cipher's block size: the last bytes use the leading bytes of one more keystream block",
			"Raw":          "BlockCrypt over arbitrary bytes, below the envelope (no valid CRC; lengths 0..19 and 1600 included)",
			"Passphrase":   "key = PBKDF2-HMAC-SHA1(passphrase, salt, iterations, 32) cut to the cipher's kcptun size",
			"CrcMismatch":  "a received datagram kcp-go rejects (InCsumErrors): CRC-32 mismatch, or AEAD authentication failure",
			"AuthFailure":  "AEAD: the GCM tag does not verify",
			"Truncated":    "shorter than the envelope (20 bytes, or 28 for AES-GCM): dropped before decryption",
			"expect_error": "kcpkit extension: the rejection reason, one of truncated, checksum_mismatch, auth_failed",
			"aead_fields":  "AEAD cases: plaintext = nonce(12) | payload, ciphertext = nonce | encrypted payload | tag(16), nonce repeated in `nonce`",
		},
		Cases: c.cases,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		log.Fatal(err)
	}
	// The crypt files were committed with no gzip header time.
	if err := vecfile.WriteAt(*out, time.Time{}, buf.Bytes()); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%s: %d cases\n", *out, len(doc.Cases))
}
