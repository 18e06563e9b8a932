// Package peerproto is the transfer protocol the interop peers speak (kcp-peer-go here,
// kcp-peer in net/): the payload stream, the control bytes, the result lines. The
// protocol itself is written down in docs/interop.md.
package peerproto

import "encoding/binary"

// Stream is the payload every source sends: SplitMix64 outputs, each written as 8
// little-endian bytes, cut to the requested length. Any peer can regenerate it from the
// seed alone, so the receiver's SHA-256 can be checked without shipping the data.
type Stream struct {
	state   uint64
	pending [8]byte
	have    int // unread bytes left in pending (its tail)
}

// NewStream starts the stream of seed.
func NewStream(seed uint64) *Stream { return &Stream{state: seed} }

func (s *Stream) next() uint64 {
	s.state += 0x9E3779B97F4A7C15
	z := s.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Read fills p with the next len(p) bytes of the stream; it never fails.
func (s *Stream) Read(p []byte) (int, error) {
	n := 0
	for s.have > 0 && n < len(p) {
		p[n] = s.pending[8-s.have]
		s.have--
		n++
	}
	for ; len(p)-n >= 8; n += 8 {
		binary.LittleEndian.PutUint64(p[n:], s.next())
	}
	if n < len(p) {
		binary.LittleEndian.PutUint64(s.pending[:], s.next())
		s.have = 8
		for n < len(p) {
			p[n] = s.pending[8-s.have]
			s.have--
			n++
		}
	}
	return n, nil
}
