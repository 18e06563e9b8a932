package peerproto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestStreamIsSplitMix64LittleEndian(t *testing.T) {
	// SplitMix64 from seed 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4 (the
	// published reference sequence); the stream writes each little-endian.
	got := make([]byte, 16)
	NewStream(0).Read(got)
	want, _ := hex.DecodeString("afcd1d7b39a820e2f465b9a16a9e786e")
	if !bytes.Equal(got, want) {
		t.Fatalf("stream(0)[0:16] = %x, want %x", got, want)
	}
}

func TestStreamDoesNotDependOnReadSizes(t *testing.T) {
	whole := make([]byte, 1000)
	NewStream(42).Read(whole)
	s := NewStream(42)
	var pieces []byte
	for _, n := range []int{1, 3, 7, 8, 9, 15, 16, 17, 100, 0, 824} {
		p := make([]byte, n)
		s.Read(p)
		pieces = append(pieces, p...)
	}
	if !bytes.Equal(pieces, whole) {
		t.Fatalf("reading in pieces gives a different stream")
	}
}

func TestHeaderRoundTripAndBound(t *testing.T) {
	h := EncodeHeader(0x0102030405)
	if !bytes.Equal(h[:], []byte{5, 4, 3, 2, 1, 0, 0, 0}) {
		t.Fatalf("header is not little-endian: %x", h)
	}
	if n, err := DecodeHeader(h); err != nil || n != 0x0102030405 {
		t.Fatalf("DecodeHeader = %d, %v", n, err)
	}
	if _, err := DecodeHeader(EncodeHeader(MaxTransfer + 1)); err == nil {
		t.Fatalf("an oversized header was accepted")
	}
}

func TestStreamDigest(t *testing.T) {
	data := make([]byte, 12345)
	NewStream(7).Read(data)
	want := sha256.Sum256(data)
	if got := StreamDigest(7, 12345); !bytes.Equal(got, want[:]) {
		t.Fatalf("StreamDigest = %x, want %x", got, want)
	}
	if got := ResultLine(want[:2], 5); got != "sha256 "+hex.EncodeToString(want[:2])+" bytes 5" {
		t.Fatalf("result line %q", got)
	}
}
