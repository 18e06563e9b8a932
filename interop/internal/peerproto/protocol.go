package peerproto

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
)

// Control bytes and sizes of the source/sink exchange (docs/interop.md, "Peer protocol").
const (
	// StartByte is sent by a dialing sink to a listening source: the listener cannot
	// send before the dialer's first datagram creates the session.
	StartByte = 0x01
	// ByeByte is the source's last byte, after it has the sink's digest: it tells the
	// sink that its digest arrived and it may exit (KCP has no FIN).
	ByeByte = 0x04
	// HeaderSize is the 8-byte little-endian payload length that opens a transfer.
	HeaderSize = 8
	// DigestSize is the SHA-256 the sink returns.
	DigestSize = sha256.Size
	// MaxTransfer bounds the header's length field a sink accepts (1 TiB).
	MaxTransfer = 1 << 40
)

// EncodeHeader is the transfer header for n payload bytes.
func EncodeHeader(n uint64) [HeaderSize]byte {
	var h [HeaderSize]byte
	binary.LittleEndian.PutUint64(h[:], n)
	return h
}

// DecodeHeader parses a transfer header, refusing lengths beyond MaxTransfer.
func DecodeHeader(h [HeaderSize]byte) (uint64, error) {
	n := binary.LittleEndian.Uint64(h[:])
	if n > MaxTransfer {
		return 0, fmt.Errorf("transfer header announces %d bytes, more than the %d a sink accepts", n, uint64(MaxTransfer))
	}
	return n, nil
}

// ResultLine is the last stdout line of a finished source or sink.
func ResultLine(digest []byte, n uint64) string {
	return fmt.Sprintf("sha256 %x bytes %d", digest, n)
}

// StreamDigest is the SHA-256 of the first n bytes of seed's stream (what `gen` prints).
func StreamDigest(seed, n uint64) []byte {
	h := sha256.New()
	if _, err := io.CopyN(h, NewStream(seed), int64(n)); err != nil {
		panic(err) // Stream and sha256 never fail
	}
	return h.Sum(nil)
}
