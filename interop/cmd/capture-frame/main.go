// Command capture-frame records kcpvec/1 `frame` vectors from real kcp-go sessions.
//
// A client (kcp.NewConn) and a server (kcp.ServeConn + AcceptKCP, echoing) talk over a pair
// of in-memory net.PacketConns that record every datagram each side writes. Nothing in
// kcp-go is changed or reached around: the datagrams are what kcp-go's own session code
// (KCP, FEC encoder, crypt) put on the wire. For each recorded datagram the vector holds
// `wire`, `plain` (decrypted with a separate instance of the same cipher: nonce and CRC
// included; AES-GCM: nonce ‖ payload) and `kcp` (the KCP bytes after the FEC header, or the
// whole payload without FEC; empty for parity).
//
// Loss: with FEC on, the recording conn drops some data datagrams before the peer sees
// them (chosen per group from a seeded generator), so the receiving kcp-go session has to
// recover them from parity. A dropped data datagram is listed with "lost": true when its
// group still delivered at least data_shards shards (so kcp-go's decoder rebuilds it);
// dropped datagrams of groups that cannot be rebuilt (e.g. v5.6.72 skipped the parity) and
// dropped parity are listed with "lost": true and "unrecoverable": true.
//
// Invalid cases are derived from the captures with kcp-go's own ciphers: a flipped byte
// (CRC mismatch / GCM tag failure), truncations, and hostile FEC headers re-sealed with a
// valid CRC (a parity seqid beyond paws, absurd size fields, a header-only datagram).
//
// Timing is real (goroutines, timers, crypto/rand nonces), so two runs differ byte-wise;
// every case is self-contained and replays deterministically.
//
// Usage, from interop/:
//
//	go run ./cmd/capture-frame -seed 1                                       # v5.6.72
//	go run -modfile=v561/go.mod -tags kcpgo561 ./cmd/capture-frame -seed 1   # v5.6.1
package main

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	mrand "math/rand/v2"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/kcptun"
	"kcpkit/interop/internal/pin"
	"kcpkit/interop/internal/vecfile"
)

var (
	seedFlag  = flag.Uint64("seed", 1, "seed of every random choice (messages, keys, losses)")
	outFlag   = flag.String("out", "", "output file; default ../vectors/kcpgo-<version>-frame.json.gz")
	quietFlag = flag.Bool("quiet", false, "no per-case summary on stderr")
)

const (
	typeData   = 0xF1
	typeParity = 0xF2
	fecHeader  = 8 // seqid, type, size
)

type cipherSpec struct {
	name   string
	make   func([]byte) (kcp.BlockCrypt, error) // nil: no crypt layer ("null")
	keyLen int
}

// commonCiphers: the ciphers both versions have, captured with FEC off and 10 + 3.
var commonCiphers = []cipherSpec{
	{"null", nil, 0},
	{"none", kcp.NewNoneBlockCrypt, 16},
	{"xor", kcp.NewSimpleXORBlockCrypt, 32},
	{"aes-128", kcp.NewAESBlockCrypt, 16},
	{"aes-256", kcp.NewAESBlockCrypt, 32},
	{"tea", kcp.NewTEABlockCrypt, 16},
	{"salsa20", kcp.NewSalsa20BlockCrypt, 32},
	{"sm4", kcp.NewSM4BlockCrypt, 16},
	{"3des", kcp.NewTripleDESBlockCrypt, 24},
}

// ----- the recording wire ----------------------------------------------------------------

type record struct {
	wire    []byte
	dropped bool
}

type recorder struct {
	mu      sync.Mutex
	records [2][]record // [0] client->server, [1] server->client
	drop    func(side int, wire []byte) bool
	stopped bool
}

func (r *recorder) write(side int, wire []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	d := r.drop != nil && r.drop(side, wire)
	r.records[side] = append(r.records[side], record{wire, d})
	return !d
}

type endpoint struct {
	side      int
	addr      *net.UDPAddr
	peer      *endpoint
	in        chan []byte
	done      chan struct{}
	closeOnce sync.Once
	rec       *recorder
}

func newPair(rec *recorder) (client, server *endpoint) {
	client = &endpoint{side: 0, addr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40001},
		in: make(chan []byte, 65536), done: make(chan struct{}), rec: rec}
	server = &endpoint{side: 1, addr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40002},
		in: make(chan []byte, 65536), done: make(chan struct{}), rec: rec}
	client.peer, server.peer = server, client
	return
}

func (e *endpoint) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case p := <-e.in:
		return copy(b, p), e.peer.addr, nil
	case <-e.done:
		return 0, nil, net.ErrClosed
	}
}

func (e *endpoint) WriteTo(b []byte, _ net.Addr) (int, error) {
	p := append([]byte(nil), b...)
	if e.rec.write(e.side, p) {
		select {
		case e.peer.in <- p:
		default: // a full queue loses the datagram, as a socket buffer would
		}
	}
	return len(b), nil
}

func (e *endpoint) Close() error                       { e.closeOnce.Do(func() { close(e.done) }); return nil }
func (e *endpoint) LocalAddr() net.Addr                { return e.addr }
func (e *endpoint) SetDeadline(t time.Time) error      { return nil }
func (e *endpoint) SetReadDeadline(t time.Time) error  { return nil }
func (e *endpoint) SetWriteDeadline(t time.Time) error { return nil }

// ----- the crypt layer as the recorder sees it -------------------------------------------

// layer decrypts and re-seals with its own cipher instance (never kcp-go's session ones).
type layer struct {
	name  string
	block kcp.BlockCrypt // CFB family; nil with aead or null
	aead  cipher.AEAD    // kcp-go's AES-GCM BlockCrypt (its type is unexported)
}

func newLayer(spec cipherSpec, key []byte) (*layer, error) {
	b, aead, err := newCipher(spec, key)
	if err != nil {
		return nil, err
	}
	l := &layer{name: spec.name, aead: aead}
	if aead == nil {
		l.block = b
	}
	return l, nil
}

// newCipher builds a fresh instance of spec's kcp-go cipher (nil for null) and, when it is
// kcp-go's AES-GCM crypt, the same object as a cipher.AEAD.
func newCipher(spec cipherSpec, key []byte) (kcp.BlockCrypt, cipher.AEAD, error) {
	if spec.make == nil {
		return nil, nil, nil
	}
	b, err := spec.make(key)
	if err != nil {
		return nil, nil, err
	}
	aead, _ := b.(cipher.AEAD)
	return b, aead, nil
}

// open returns plain (the datagram after decryption: CFB nonce+CRC+payload, GCM
// nonce+payload, null the bytes) and the payload, or ok=false if kcp-go would reject it.
func (l *layer) open(wire []byte) (plain, payload []byte, ok bool) {
	switch {
	case l.aead != nil:
		n := l.aead.NonceSize()
		if len(wire) < n+l.aead.Overhead() {
			return nil, nil, false
		}
		pt, err := l.aead.Open(nil, wire[:n], wire[n:], nil)
		if err != nil {
			return nil, nil, false
		}
		plain = append(append([]byte(nil), wire[:n]...), pt...)
		return plain, plain[n:], true
	case l.block != nil:
		if len(wire) < 20 {
			return nil, nil, false
		}
		plain = make([]byte, len(wire))
		l.block.Decrypt(plain, wire)
		if crc32.ChecksumIEEE(plain[20:]) != binary.LittleEndian.Uint32(plain[16:]) {
			return nil, nil, false
		}
		return plain, plain[20:], true
	default:
		plain = append([]byte(nil), wire...)
		return plain, plain, true
	}
}

// seal builds a valid datagram around payload (a fresh random nonce), as kcp-go's sender.
func (l *layer) seal(payload []byte) (wire, plain []byte) {
	switch {
	case l.aead != nil:
		n := l.aead.NonceSize()
		nonce := make([]byte, n)
		rand.Read(nonce)
		plain = append(append([]byte(nil), nonce...), payload...)
		dst := make([]byte, n, n+len(payload)+l.aead.Overhead())
		copy(dst, nonce)
		wire = l.aead.Seal(dst, nonce, payload, nil)
		return wire, plain
	case l.block != nil:
		plain = make([]byte, 20+len(payload))
		rand.Read(plain[:16])
		copy(plain[20:], payload)
		binary.LittleEndian.PutUint32(plain[16:], crc32.ChecksumIEEE(plain[20:]))
		wire = make([]byte, len(plain))
		l.block.Encrypt(wire, plain)
		return wire, plain
	default:
		return append([]byte(nil), payload...), append([]byte(nil), payload...)
	}
}

func (l *layer) header() int {
	switch {
	case l.aead != nil:
		return l.aead.NonceSize()
	case l.block != nil:
		return 20
	}
	return 0
}

// ----- vectors ---------------------------------------------------------------------------

type datagram struct {
	Wire          string    `json:"wire"`
	Plain         string    `json:"plain,omitempty"`
	KCP           *string   `json:"kcp,omitempty"`
	Lost          bool      `json:"lost,omitempty"`
	Unrecoverable bool      `json:"unrecoverable,omitempty"`
	ExpectError   string    `json:"expect_error,omitempty"`
	Deliver       *[]string `json:"deliver,omitempty"` // nil: not a hostile datagram
	Comment       string    `json:"comment,omitempty"`
}

type frameCase struct {
	vecfile.Case
	Cipher       string     `json:"cipher"`
	Key          string     `json:"key"`
	DataShards   int        `json:"data_shards"`
	ParityShards int        `json:"parity_shards"`
	Direction    string     `json:"direction"`
	Datagrams    []datagram `json:"datagrams"`
}

func strp(s string) *string { return &s }

// ----- one real session ------------------------------------------------------------------

type capture struct {
	spec   cipherSpec
	key    []byte
	ds, ps int
	dirs   [2][]datagram
	lay    *layer
	stats  string
}

func runSession(spec cipherSpec, ds, ps int, rng *mrand.Rand) (*capture, error) {
	key := make([]byte, spec.keyLen)
	for i := range key {
		key[i] = byte(rng.Uint32())
	}
	mk := func() (kcp.BlockCrypt, error) {
		b, aead, err := newCipher(spec, key)
		if err != nil || b == nil || aead != nil {
			return b, err // kcp-go type-switches on its AEAD type: pass it as is
		}
		return kcptun.Locked(b), nil // see kcptun.Locked
	}
	blockC, err := mk()
	if err != nil {
		return nil, err
	}
	blockS, err := mk()
	if err != nil {
		return nil, err
	}
	lay, err := newLayer(spec, key)
	if err != nil {
		return nil, err
	}
	c := &capture{spec: spec, key: key, ds: ds, ps: ps, lay: lay}

	// Loss plan: in every other group of each direction, 1..ps data shards are dropped.
	shards := ds + ps
	plan := map[[2]uint32]bool{}
	rec := &recorder{}
	var dropMu sync.Mutex
	dropRng := mrand.New(mrand.NewPCG(rng.Uint64(), rng.Uint64()))
	if ds > 0 && ps > 0 {
		rec.drop = func(side int, wire []byte) bool {
			_, payload, ok := lay.open(wire)
			if !ok || len(payload) < fecHeader {
				return false
			}
			seqid := binary.LittleEndian.Uint32(payload)
			if binary.LittleEndian.Uint16(payload[4:]) != typeData {
				return false
			}
			group := seqid / uint32(shards)
			if group%2 == 0 {
				return false
			}
			dropMu.Lock()
			defer dropMu.Unlock()
			k := [2]uint32{uint32(side), group}
			if _, decided := plan[k]; !decided {
				plan[k] = true
				// decide the whole group now: which data indexes go
				n := 1 + dropRng.IntN(ps)
				for _, idx := range dropRng.Perm(ds)[:n] {
					plan[[2]uint32{uint32(side) | 2, group*uint32(shards) + uint32(idx)}] = true
				}
			}
			return plan[[2]uint32{uint32(side) | 2, seqid}]
		}
	}

	cliEnd, srvEnd := newPair(rec)
	l, err := kcp.ServeConn(blockS, ds, ps, srvEnd)
	if err != nil {
		return nil, err
	}
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		s, err := l.AcceptKCP()
		if err != nil {
			return
		}
		s.SetNoDelay(1, 10, 2, 1)
		s.SetWindowSize(128, 128)
		buf := make([]byte, 65536)
		for {
			n, err := s.Read(buf)
			if err != nil {
				s.Close()
				return
			}
			if _, err := s.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	cli, err := kcp.NewConn(srvEnd.addr.String(), blockC, ds, ps, cliEnd)
	if err != nil {
		return nil, err
	}
	cli.SetNoDelay(1, 10, 2, 1)
	cli.SetWindowSize(128, 128)

	var sent bytes.Buffer
	sizes := []int{1, 24, 1400}
	for i := 0; i < 14; i++ {
		sizes = append(sizes, 1+rng.IntN(700))
	}
	readErr := make(chan error, 1)
	total := 0
	for _, n := range sizes {
		total += n
	}
	got := make([]byte, 0, total)
	go func() {
		buf := make([]byte, 65536)
		cli.SetReadDeadline(time.Now().Add(20 * time.Second))
		for len(got) < total {
			n, err := cli.Read(buf)
			if err != nil {
				readErr <- err
				return
			}
			got = append(got, buf[:n]...)
		}
		readErr <- nil
	}()
	for _, n := range sizes {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		sent.Write(msg)
		if _, err := cli.Write(msg); err != nil {
			return nil, err
		}
		time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
	}
	if err := <-readErr; err != nil {
		return nil, fmt.Errorf("echo: %w", err)
	}
	if !bytes.Equal(got, sent.Bytes()) {
		return nil, errors.New("echo differs from what was sent")
	}
	time.Sleep(150 * time.Millisecond) // the last ACKs
	rec.mu.Lock()
	rec.stopped = true
	rec.mu.Unlock()
	cli.Close()
	l.Close()
	cliEnd.Close()
	srvEnd.Close()
	<-serverDone

	for side := 0; side < 2; side++ {
		d, err := c.toDatagrams(rec.records[side])
		if err != nil {
			return nil, err
		}
		c.dirs[side] = d
	}
	return c, nil
}

// toDatagrams decrypts each record and marks which lost ones kcp-go's decoder can rebuild.
func (c *capture) toDatagrams(recs []record) ([]datagram, error) {
	shards := uint32(c.ds + c.ps)
	received := map[uint32]int{}
	type parsed struct {
		plain, payload []byte
		fec            bool
		typ            uint16
		group          uint32
	}
	ps := make([]parsed, len(recs))
	for i, r := range recs {
		plain, payload, ok := c.lay.open(r.wire)
		if !ok {
			return nil, fmt.Errorf("a datagram kcp-go sent fails its own check (%s)", c.spec.name)
		}
		p := parsed{plain: plain, payload: payload}
		if c.ds > 0 && c.ps > 0 && len(payload) >= 6 {
			p.typ = binary.LittleEndian.Uint16(payload[4:])
			if p.typ == typeData || p.typ == typeParity {
				p.fec = true
				p.group = binary.LittleEndian.Uint32(payload) / shards
				if !r.dropped {
					received[p.group]++
				}
			}
		}
		ps[i] = p
	}
	out := make([]datagram, 0, len(recs))
	for i, r := range recs {
		p := ps[i]
		d := datagram{Wire: hex.EncodeToString(r.wire), Plain: hex.EncodeToString(p.plain)}
		switch {
		case p.fec && p.typ == typeParity:
			d.KCP = strp("")
		case p.fec:
			d.KCP = strp(hex.EncodeToString(p.payload[fecHeader:]))
		default:
			d.KCP = strp(hex.EncodeToString(p.payload))
		}
		if r.dropped {
			d.Lost = true
			if p.typ != typeData || received[p.group] < c.ds {
				d.Unrecoverable = true
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// ----- invalid cases ---------------------------------------------------------------------

// withInvalid returns the valid datagrams with crypt-level bad ones inserted in the middle
// (the ones after them must still decode and recover: state unchanged).
func (c *capture) crcCase(valid []datagram, rng *mrand.Rand) []datagram {
	var out []datagram
	mid := len(valid) / 2
	done := false
	for i, d := range valid {
		out = append(out, d)
		if i < mid || d.Lost || done {
			continue
		}
		done = true
		wire, _ := hex.DecodeString(d.Wire)
		h := c.lay.header()
		bad := func(w []byte, why, comment string) {
			out = append(out, datagram{Wire: hex.EncodeToString(w), ExpectError: why, Comment: comment})
		}
		gcm := c.lay.aead != nil
		mismatch := "checksum_mismatch"
		if gcm {
			mismatch = "auth_failed"
		}
		// A flipped byte in the part the CRC (or the GCM tag) covers.
		flip := append([]byte(nil), wire...)
		at := h + rng.IntN(len(wire)-h)
		if c.lay.block == nil && !gcm {
			continue // null: nothing checks the bytes
		}
		if !gcm && at < 20 {
			at = 20
		}
		flip[at] ^= 1 << rng.IntN(8)
		bad(flip, mismatch, fmt.Sprintf("byte %d flipped", at))
		// Shorter than the envelope.
		env := 20
		if gcm {
			env = c.lay.aead.NonceSize() + c.lay.aead.Overhead()
		}
		bad(wire[:env-1], "truncated", "one byte shorter than the crypt envelope")
		// Cut at the end: the CRC / tag no longer matches.
		if len(wire) > env+3 {
			bad(wire[:len(wire)-3], mismatch, "last 3 bytes cut")
		}
	}
	return out
}

// hostileFEC appends FEC datagrams with hostile headers, validly sealed, to the valid ones.
func (c *capture) hostileFEC(valid []datagram) []datagram {
	out := append([]datagram(nil), valid...)
	var lastData []byte
	var lastSeqid uint32
	for _, d := range valid {
		plain, _ := hex.DecodeString(d.Plain)
		payload := plain[c.lay.header():]
		if len(payload) >= fecHeader+24 && binary.LittleEndian.Uint16(payload[4:]) == typeData {
			lastData = payload
			lastSeqid = binary.LittleEndian.Uint32(payload)
		}
	}
	if lastData == nil {
		return out
	}
	shards := uint32(c.ds + c.ps)
	add := func(payload []byte, deliver []string, comment string) {
		wire, plain := c.lay.seal(payload)
		d := datagram{Wire: hex.EncodeToString(wire), Plain: hex.EncodeToString(plain), Comment: comment}
		if deliver == nil {
			deliver = []string{}
		}
		d.Deliver = &deliver
		out = append(out, d)
	}
	// A parity packet whose seqid is beyond paws (v5.6.72 ignores it; v5.6.1 queues it in a
	// group that never completes): nothing reaches KCP.
	p := append([]byte(nil), lastData...)
	binary.LittleEndian.PutUint32(p, 0xFFFFFFF0)
	binary.LittleEndian.PutUint16(p[4:], typeParity)
	add(p, nil, "parity, seqid 0xfffffff0 (beyond paws)")
	// Data packets of a fresh group with absurd size fields: the size field is not used
	// for a data packet's own bytes, which go to KCP unchanged.
	base := (lastSeqid/shards + 5) * shards
	for i, size := range []uint16{0, 1, 0xFFFF} {
		q := append([]byte(nil), lastData...)
		binary.LittleEndian.PutUint32(q, base+uint32(i))
		binary.LittleEndian.PutUint16(q[6:], size)
		add(q, []string{hex.EncodeToString(q[fecHeader:])}, fmt.Sprintf("data, size field %d", size))
	}
	// A header-only FEC datagram (6 bytes): below both versions' length gate.
	h := make([]byte, 6)
	binary.LittleEndian.PutUint32(h, base+7)
	binary.LittleEndian.PutUint16(h[4:], typeData)
	add(h, nil, "FEC header only, 6 bytes")
	// 12 bytes: v5.6.72 hands the 4 bytes after the header to KCP; v5.6.1 drops it (< 24).
	t := append(make([]byte, 8), 1, 2, 3, 4)
	binary.LittleEndian.PutUint32(t, base+8)
	binary.LittleEndian.PutUint16(t[4:], typeData)
	binary.LittleEndian.PutUint16(t[6:], 6)
	var deliver []string
	if minDatagram <= len(t) {
		deliver = []string{"01020304"}
	}
	add(t, deliver, "12-byte data packet")
	return out
}

// ----- main ------------------------------------------------------------------------------

func main() {
	flag.Parse()
	rng := mrand.New(mrand.NewPCG(*seedFlag, 0x6672616d65))
	var cases []frameCase
	dirs := []string{"client->server", "server->client"}
	for _, spec := range ciphers {
		for _, fec := range [][2]int{{0, 0}, {10, 3}} {
			var c *capture
			var err error
			for attempt := 0; attempt < 3; attempt++ {
				if c, err = runSession(spec, fec[0], fec[1], rng); err == nil {
					break
				}
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s fec %d/%d: %v\n", spec.name, fec[0], fec[1], err)
				os.Exit(1)
			}
			fecName := fmt.Sprintf("fec-%d-%d", fec[0], fec[1])
			for side := 0; side < 2; side++ {
				fc := frameCase{
					Case: vecfile.Case{
						ID:        fmt.Sprintf("kcpgo-%s-frame/%s/%s/%s", pin.KCPVersion, spec.name, fecName, strings.ReplaceAll(dirs[side], "->", "-to-")),
						Comment:   "a real kcp-go " + pin.KCPVersion + " echo session (NewConn <-> ServeConn), one direction",
						Reference: pin.Reference,
					},
					Cipher: spec.name, Key: hex.EncodeToString(c.key),
					DataShards: fec[0], ParityShards: fec[1], Direction: dirs[side],
					Datagrams: c.dirs[side],
				}
				lost, unrec := 0, 0
				for _, d := range c.dirs[side] {
					if d.Lost {
						lost++
					}
					if d.Unrecoverable {
						unrec++
					}
				}
				if lost > 0 {
					fc.Flags = append(fc.Flags, "FecLoss")
				}
				cases = append(cases, fc)
				if !*quietFlag {
					fmt.Fprintf(os.Stderr, "%-60s %4d datagrams, %d lost (%d unrecoverable)\n", fc.ID, len(fc.Datagrams), lost, unrec)
				}
			}
			// Invalid cases from the client->server capture.
			addInvalid := func(name string, flags []string, comment string, datagrams []datagram) {
				cases = append(cases, frameCase{
					Case: vecfile.Case{
						ID:        fmt.Sprintf("kcpgo-%s-frame/%s/%s/%s", pin.KCPVersion, spec.name, fecName, name),
						Comment:   comment,
						Flags:     flags,
						Reference: pin.Reference,
						Result:    "invalid",
					},
					Cipher: spec.name, Key: hex.EncodeToString(c.key),
					DataShards: fec[0], ParityShards: fec[1], Direction: dirs[0],
					Datagrams: datagrams,
				})
			}
			if spec.make != nil {
				addInvalid("invalid-crypt", []string{"CrcMismatch", "Truncated"},
					"a capture with a flipped byte and truncated copies inserted mid-way: rejected, and what follows still decodes",
					c.crcCase(c.dirs[0], rng))
			}
			if fec[0] > 0 {
				addInvalid("invalid-fec-header", []string{"FecHostileSeqid", "FecHostileSize"},
					"a capture followed by validly sealed datagrams with hostile FEC headers",
					c.hostileFEC(c.dirs[0]))
			}
		}
	}
	doc := map[string]any{
		"format": "kcpvec/1",
		"kind":   "frame",
		"source": fmt.Sprintf("kcp-go %s (%s) real sessions over a recording net.PacketConn, captured by interop/cmd/capture-frame -seed %d (%s, %s/%s)",
			pin.KCPVersion, pin.GoMod, *seedFlag, runtime.Version(), runtime.GOOS, runtime.GOARCH),
		"notes": map[string]string{
			"FecLoss":         "some data datagrams were dropped on the wire (lost: true); the receiver's FEC decoder must rebuild them",
			"CrcMismatch":     "a datagram with a flipped byte: CRC-32 mismatch (AES-GCM: tag failure)",
			"Truncated":       "datagrams cut short: below the envelope, or with their tail missing",
			"FecHostileSeqid": "a parity packet with a seqid beyond paws",
			"FecHostileSize":  "data packets with absurd size fields, header-only and 12-byte FEC datagrams",
		},
		"cases": cases,
	}
	out := *outFlag
	if out == "" {
		out = "../vectors/kcpgo-" + pin.KCPVersion + "-frame.json.gz"
	}
	if err := write(out, doc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(path string, doc any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return vecfile.Write(path, buf.Bytes())
}
