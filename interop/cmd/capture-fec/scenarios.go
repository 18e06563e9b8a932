//go:build go1.25

package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"unsafe"
)

// gen draws every random choice of a case.
type gen struct{ r *rand.Rand }

func (g *gen) intn(n int) int         { return g.r.IntN(n) }
func (g *gen) chance(p float64) bool  { return g.r.Float64() < p }
func (g *gen) u32() uint32            { return g.r.Uint32() }
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

// kcpLike is a payload shaped like a KCP datagram (conv, cmd 81..84, frg 0, random rest)
// so a raw one is never mistaken for FEC; shorter than 6 bytes it is just random.
func (g *gen) kcpLike(n int) []byte {
	b := g.bytes(n)
	if n >= 6 {
		b[4] = byte(81 + g.intn(4))
		b[5] = 0
	}
	return b
}

// kcpLen draws a KCP datagram length: pure ACKs (24), a few ACKs, 25..700 bytes (kept
// short so the committed files stay small), full 1400-byte mtu segments up to the
// 1492-byte maximum kcp-go's buffers allow (with the 8-byte header: 1500), and rarely
// tiny ones.
func (g *gen) kcpLen(maxLen int) int {
	var n int
	switch x := g.intn(100); {
	case x < 25:
		n = 24
	case x < 32:
		n = 24 * g.between(2, 5)
	case x < 80:
		n = g.between(25, 700)
	case x < 90:
		n = g.between(1400, 1492)
	default:
		n = g.between(0, 23)
	}
	return min(n, maxLen)
}

// channel loses, duplicates and reorders a list of datagrams.
func (g *gen) channel(pkts [][]byte, loss, dup float64, reorder int) [][]byte {
	var out [][]byte
	for _, p := range pkts {
		if g.chance(loss) {
			continue
		}
		out = append(out, p)
		if g.chance(dup) {
			out = append(out, p)
		}
	}
	if reorder > 0 {
		for i := range out {
			if g.intn(3) == 0 {
				j := min(len(out)-1, i+1+g.intn(reorder))
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

type caseSpec struct {
	name, comment string
	flags         []string
	invalid       bool
	ds, ps        int
	decDS, decPS  *int
	next          *uint32
	base          uint32
	run           func(r *rig, g *gen)
}

func ptr[T any](v T) *T { return &v }

func pawsOf(s int) uint32 { return 0xffffffff / uint32(s) * uint32(s) }

// ----- stream scenarios --------------------------------------------------------------------------

type streamOpts struct {
	packets   int
	maxLen    int
	minLen    int // > 0: no datagram shorter (real KCP datagrams are >= 24 bytes)
	encGap    func(g *gen) uint32
	loss, dup float64
	reorder   int
	decGap    func(g *gen) uint32
	late      float64 // fraction of the wire re-delivered at the end (decode-then-forget)
}

func smallGap(g *gen) uint32 { return uint32(g.intn(20)) }

// encGapSometimesLong: mostly back to back, sometimes at or over the 500 ms rule.
func encGapSometimesLong(g *gen) uint32 {
	switch x := g.intn(100); {
	case x < 85:
		return uint32(g.intn(30))
	case x < 88:
		return 499
	case x < 91:
		return 500
	case x < 93:
		return 501
	default:
		return uint32(g.between(502, 3000))
	}
}

func stream(o streamOpts) func(r *rig, g *gen) {
	if o.maxLen == 0 {
		o.maxLen = 1492
	}
	if o.encGap == nil {
		o.encGap = smallGap
	}
	if o.decGap == nil {
		o.decGap = smallGap
	}
	return func(r *rig, g *gen) {
		for i := 0; i < o.packets; i++ {
			r.wait(o.encGap(g))
			r.encode(g.kcpLike(max(o.minLen, g.kcpLen(o.maxLen))))
		}
		for _, p := range g.channel(r.wire, o.loss, o.dup, o.reorder) {
			r.wait(o.decGap(g))
			r.decode(p)
		}
		if o.late > 0 {
			for _, p := range g.channel(r.wire, 1-o.late, 0, 4) {
				r.wait(o.decGap(g))
				r.decode(p)
			}
		}
	}
}

// ----- crafted datagrams ---------------------------------------------------------------------------

// craftGroup returns a consistent FEC group starting at seqid `next`, produced by a private
// kcp-go encoder (not recorded): the same fake instant for all packets, so v5.6.72 emits
// parity (for ds = 1 a throw-away datagram first, because the very first never gets it).
func craftGroup(ds, ps int, next uint32, payloads [][]byte) [][]byte {
	enc := newFECEncoder(ds, ps, 0)
	if ds == 1 {
		encodeWith(enc, make([]byte, 40))
		encodeWith(enc, make([]byte, 40)) // finish a group, whatever happened
		*(*uint32)(unsafe.Add(enc, encNextOffset)) = next
	} else {
		*(*uint32)(unsafe.Add(enc, encNextOffset)) = next
	}
	var out [][]byte
	for _, p := range payloads {
		b := make([]byte, 8+len(p))
		copy(b[8:], p)
		ps := encodeWith(enc, b)
		out = append(out, b)
		for _, q := range ps {
			out = append(out, bytes.Clone(q))
		}
	}
	return out
}

func fecPacket(seq uint32, typ uint16, body []byte) []byte {
	b := make([]byte, 6+len(body))
	binary.LittleEndian.PutUint32(b, seq)
	binary.LittleEndian.PutUint16(b[4:], typ)
	copy(b[6:], body)
	return b
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// ----- the catalogue ---------------------------------------------------------------------------------

func catalogue() []caseSpec {
	var cs []caseSpec
	add := func(c caseSpec) { cs = append(cs, c) }

	// The worked 3 + 2 example (protocol/fec/fec_test.cpp): the three ikcp.c datagrams,
	// decoded from data #0 and the two parity packets, then the two lost data packets arrive
	// late (a new, incomplete group).
	add(caseSpec{
		name: "spec-3-2-worked", ds: 3, ps: 2,
		comment: "fec.md section 10: data #1 and #2 lost, recovered from data #0 and both parity; then they arrive late",
		flags:   []string{"FecDecodeForget"},
		run: func(r *rig, g *gen) {
			r.encode(mustHex("4433221151008000e80300000000000000000000050000" + "0068656c6c6f"))
			r.wait(10)
			r.encode(mustHex("443322115200" + "7f00e8030000000000000100000000000000"))
			r.wait(10)
			r.encode(mustHex("070000005100800005000000020000000000000008000000" + "3435363738393a3b"))
			w := r.wire
			for _, i := range []int{0, 3, 4, 1, 2} {
				r.wait(1)
				r.decode(w[i])
			}
		},
	})

	// (1, 1): every group is one data packet and its copy; in order, the decoder decodes at
	// every shard, so every parity re-recovers its data packet. v5.6.72's first datagram
	// has no parity.
	add(caseSpec{
		name: "one-one-in-order", ds: 1, ps: 1,
		comment: "(1,1) without loss: every parity packet re-recovers its data packet (9 of 9 in v5.6.1)",
		flags:   []string{"FecDecodeForget", "FecFirstGroupNoParity"},
		run: func(r *rig, g *gen) {
			for i := 0; i < 9; i++ {
				r.wait(10)
				r.encode(g.kcpLike(g.kcpLen(1400)))
			}
			for _, p := range r.wire {
				r.wait(1)
				r.decode(p)
			}
		},
	})
	add(caseSpec{
		name: "two-three-parity-exceeds-data", ds: 2, ps: 3,
		comment: "ps > ds in order: the parity packets after a full group form a group of their own and re-recover",
		flags:   []string{"FecDecodeForget"},
		run:     stream(streamOpts{packets: 10}),
	})

	// The 500 ms rule at its boundary, before the last data packet and elsewhere.
	parityGaps := func(gaps []uint32) func(r *rig, g *gen) {
		return func(r *rig, g *gen) {
			for _, gap := range gaps {
				r.wait(gap)
				r.encode(g.kcpLike(g.kcpLen(1400)))
			}
			// lose the first data packet of every group
			s := r.c.DataShards + r.c.ParityShards
			for i, p := range r.wire {
				seq := binary.LittleEndian.Uint32(p)
				if seq%uint32(s) == 0 && p[4] == 0xf1 && i > 0 {
					continue
				}
				r.wait(1)
				r.decode(p)
			}
		}
	}
	add(caseSpec{
		name: "parity-gap-boundaries-3-2", ds: 3, ps: 2,
		comment: "gaps of 499/500/501 ms before a group's last data packet (v5.6.72 skips at >= 500), and long gaps elsewhere (no effect)",
		flags:   []string{"FecParitySkip"},
		run:     parityGaps([]uint32{0, 10, 499, 10, 10, 500, 10, 10, 501, 700, 10, 10, 10, 5000, 10, 10, 10, 0}),
	})
	add(caseSpec{
		name: "parity-gap-boundaries-1-1", ds: 1, ps: 1,
		comment: "(1,1): the gap to the previous datagram decides; the first never gets parity",
		flags:   []string{"FecParitySkip", "FecFirstGroupNoParity"},
		run:     parityGaps([]uint32{0, 10, 499, 500, 501, 10, 0, 65000, 10}),
	})
	add(caseSpec{
		name: "parity-gap-boundaries-10-3-clockwrap", ds: 10, ps: 3, base: 0xffffff00,
		comment: "(10,3) with the ms clock wrapping past 2^32 inside the stream",
		flags:   []string{"FecParitySkip", "ClockWrap"},
		run: parityGaps([]uint32{0, 1, 1, 1, 1, 1, 1, 1, 1, 600, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
			20, 20, 20, 20, 20, 20, 20, 20, 20, 499, 5, 5}),
	})

	// Streams over a lossy, reordering, duplicating channel, for many shapes.
	type shape struct{ ds, ps int }
	shapes := []shape{{10, 3}, {3, 2}, {1, 1}, {2, 1}, {2, 2}, {4, 2}, {5, 5}, {1, 3}, {6, 1}, {20, 5}, {20, 10}, {8, 8}}
	for _, sh := range shapes {
		s := sh.ds + sh.ps
		n := min(60, 4*sh.ds+1+sh.ds/2)
		maxLen := 1492
		if sh.ds >= 8 {
			n = 3*sh.ds + 2
			maxLen = 400
		}
		_ = s
		name := fmt.Sprintf("stream-%d-%d", sh.ds, sh.ps)
		add(caseSpec{name: name + "-clean", ds: sh.ds, ps: sh.ps,
			comment: "no loss, in order", flags: []string{"FecDecodeForget"},
			run: stream(streamOpts{packets: n, maxLen: maxLen})})
		add(caseSpec{name: name + "-loss10-reorder", ds: sh.ds, ps: sh.ps,
			comment: "10% loss, reordering within 3",
			run:     stream(streamOpts{packets: n, maxLen: maxLen, loss: 0.10, reorder: 3})})
		add(caseSpec{name: name + "-loss30-dup-reorder", ds: sh.ds, ps: sh.ps,
			comment: "30% loss, 10% duplicates, reordering within 6, encode gaps sometimes >= 500 ms",
			flags:   []string{"FecParitySkip"},
			run: stream(streamOpts{packets: n, maxLen: maxLen, loss: 0.30, dup: 0.10, reorder: 6,
				encGap: encGapSometimesLong})})
		add(caseSpec{name: name + "-late", ds: sh.ds, ps: sh.ps,
			comment: "15% loss, then 40% of the wire delivered again late",
			flags:   []string{"FecDecodeForget"},
			run:     stream(streamOpts{packets: n, maxLen: maxLen, loss: 0.15, late: 0.4})})
	}
	add(caseSpec{name: "stream-30-10-small", ds: 30, ps: 10,
		comment: "30+10, ACK-sized datagrams, 20% loss",
		run:     stream(streamOpts{packets: 92, maxLen: 60, loss: 0.2, reorder: 4})})
	add(caseSpec{name: "stream-128-128-small", ds: 128, ps: 128,
		comment: "S = 256 (the largest both decoders accept), tiny datagrams, 40% loss",
		run:     stream(streamOpts{packets: 257, maxLen: 30, loss: 0.4})})

	// seqid wrap: aligned and unaligned starting points near paws.
	for _, sh := range []shape{{10, 3}, {3, 2}, {2, 1}, {1, 1}, {4, 4}, {2, 2}} {
		s := sh.ds + sh.ps
		p := pawsOf(s)
		n := 4*sh.ds + 2
		add(caseSpec{name: fmt.Sprintf("wrap-%d-%d-aligned", sh.ds, sh.ps), ds: sh.ds, ps: sh.ps,
			next: ptr(p - 2*uint32(s)), comment: "encoder starts two groups before paws; 10% loss",
			flags: []string{"FecSeqidWrap"},
			run:   stream(streamOpts{packets: n, maxLen: 600, loss: 0.1, reorder: 2})})
		add(caseSpec{name: fmt.Sprintf("wrap-%d-%d-unaligned", sh.ds, sh.ps), ds: sh.ds, ps: sh.ps,
			next: ptr(p - uint32(s) - 1), comment: "encoder starts one seqid off a group boundary before paws",
			flags: []string{"FecSeqidWrap", "FecUnalignedNext"},
			run:   stream(streamOpts{packets: n, maxLen: 600, loss: 0.1})})
		add(caseSpec{name: fmt.Sprintf("wrap-%d-%d-above-paws", sh.ds, sh.ps), ds: sh.ds, ps: sh.ps,
			next: ptr(uint32(0xfffffffd)), comment: "encoder_next >= paws (0xfffffffd)",
			flags: []string{"FecSeqidWrap", "FecUnalignedNext"},
			run:   stream(streamOpts{packets: n, maxLen: 600})})
	}

	// Autotune: the receiver is configured differently (or not at all).
	add(caseSpec{name: "autotune-lazy-10-3", ds: 10, ps: 3, decDS: ptr(0), decPS: ptr(0),
		comment: "receiver without FEC: a (1,1) decoder appears and autotunes to (10,3)",
		flags:   []string{"FecAutotune"},
		run:     stream(streamOpts{packets: 80, maxLen: 200, loss: 0.05})})
	add(caseSpec{name: "autotune-lazy-3-2-clean", ds: 3, ps: 2, decDS: ptr(0), decPS: ptr(0),
		comment: "receiver without FEC, clean (3,2) stream", flags: []string{"FecAutotune"},
		run: stream(streamOpts{packets: 40, maxLen: 300})})
	add(caseSpec{name: "autotune-3-2-receiver-vs-10-3", ds: 10, ps: 3, decDS: ptr(3), decPS: ptr(2),
		comment: "receiver configured (3,2), sender (10,3)", flags: []string{"FecAutotune"},
		run: stream(streamOpts{packets: 70, maxLen: 200, loss: 0.05})})
	// The same with KCP-sized datagrams only (>= 24 bytes): shorter ones never reach the
	// decoder, and the seqid gap they leave makes v5.6.72's period detector fail.
	// packets datagrams of 24..maxLen bytes, delivered clean until the detector has settled
	// (the first settle+1), then with the given loss.
	kcpSizedTune := func(packets, maxLen, settle int, loss float64) func(r *rig, g *gen) {
		return func(r *rig, g *gen) {
			for i := 0; i < packets; i++ {
				r.wait(smallGap(g))
				r.encode(g.kcpLike(g.between(24, maxLen)))
			}
			for i, p := range r.wire {
				if i > settle && g.chance(loss) {
					continue
				}
				r.decode(p)
			}
		}
	}
	add(caseSpec{name: "autotune-lazy-10-3-kcp-sized", ds: 10, ps: 3, decDS: ptr(0), decPS: ptr(0),
		comment: "receiver without FEC, clean (10,3) stream of >= 24-byte datagrams: tunes, then recovers",
		flags:   []string{"FecAutotune"},
		run:     kcpSizedTune(120, 400, 60, 0.1)})
	add(caseSpec{name: "autotune-3-2-receiver-vs-20-5-kcp-sized", ds: 20, ps: 5, decDS: ptr(3), decPS: ptr(2),
		comment: "receiver configured (3,2), sender (20,5), >= 24-byte datagrams, loss after the first 80",
		flags:   []string{"FecAutotune"},
		run:     kcpSizedTune(140, 300, 80, 0.08)})
	add(caseSpec{name: "autotune-lazy-1-1-kcp-sized", ds: 1, ps: 1, decDS: ptr(0), decPS: ptr(0),
		comment: "receiver without FEC meets (1,1): the lazy (1,1) decoder already fits (v5.6.72 sends no parity for the first datagram)",
		flags:   []string{"FecAutotune", "FecFirstGroupNoParity"},
		run:     stream(streamOpts{packets: 12, minLen: 24, maxLen: 200, loss: 0.2})})
	add(caseSpec{name: "autotune-lazy-150-60", ds: 150, ps: 60, decDS: ptr(0), decPS: ptr(0),
		comment: "receiver without FEC autotunes to a large shape (S = 210)", flags: []string{"FecAutotune"},
		run: stream(streamOpts{packets: 460, maxLen: 24})})
	add(caseSpec{name: "autotune-lazy-200-56", ds: 200, ps: 56, decDS: ptr(0), decPS: ptr(0),
		comment: "S = 256: v5.6.72's autotune needs ds + ps < 256 and never switches; v5.6.1's accepts it",
		flags:   []string{"FecAutotune"},
		run:     stream(streamOpts{packets: 420, maxLen: 24})})
	add(caseSpec{name: "autotune-with-skipped-parity", ds: 4, ps: 2, decDS: ptr(2), decPS: ptr(2),
		comment: "autotune over a stream whose sender skips parity (seqid gaps)",
		flags:   []string{"FecAutotune", "FecParitySkip"},
		run:     stream(streamOpts{packets: 60, maxLen: 100, encGap: encGapSometimesLong})})

	// v5.6.1's 60 s expiry (v5.6.72 has none).
	add(caseSpec{name: "expiry-60s", ds: 3, ps: 2,
		comment: "decoder waits 60000/60001/61000 ms between shards of a group",
		flags:   []string{"FecExpire"},
		run: func(r *rig, g *gen) {
			for i := 0; i < 15; i++ {
				r.wait(5)
				r.encode(g.kcpLike(g.kcpLen(600)))
			}
			w := r.wire // 3 groups of 5
			plan := []struct {
				i   int
				gap uint32
			}{{0, 0}, {3, 60000}, {4, 1}, {5, 10}, {8, 60001}, {9, 0}, {10, 0}, {13, 61000}, {14, 0}, {11, 0}}
			for _, st := range plan {
				r.wait(st.gap)
				r.decode(w[st.i])
			}
		},
	})
	add(caseSpec{name: "expiry-60s-clockwrap", ds: 2, ps: 1, base: 0xffff0000,
		comment: "expiry across the 2^32 ms wrap", flags: []string{"FecExpire", "ClockWrap"},
		run: stream(streamOpts{packets: 20, maxLen: 300, loss: 0.3,
			decGap: func(g *gen) uint32 { return []uint32{0, 10, 30000, 60001}[g.intn(4)] }})})
	add(caseSpec{name: "queue-overflow-4-2", ds: 4, ps: 2,
		comment: "60% loss: groups never complete, shards are pushed out of the queue",
		flags:   []string{"FecQueueOverflow"},
		run:     stream(streamOpts{packets: 120, maxLen: 100, loss: 0.6})})

	// No FEC on the sender.
	add(caseSpec{name: "no-fec-4-0", ds: 4, ps: 0, comment: "ps = 0: kcp-go frames nothing; raw datagrams pass",
		flags: []string{"FecNoFec"}, run: stream(streamOpts{packets: 10, loss: 0.1})})
	add(caseSpec{name: "no-fec-0-3", ds: 0, ps: 3, comment: "ds = 0: kcp-go frames nothing",
		flags: []string{"FecNoFec"}, run: stream(streamOpts{packets: 6})})

	cs = append(cs, hostileCases()...)
	return cs
}

// ----- hostile input ---------------------------------------------------------------------------------

func hostileCases() []caseSpec {
	var cs []caseSpec
	add := func(c caseSpec) {
		c.invalid = true
		c.flags = append([]string{"Hostile"}, c.flags...)
		cs = append(cs, c)
	}

	add(caseSpec{name: "hostile-short-datagrams", ds: 3, ps: 2,
		comment: "0..30-byte datagrams typed F1, F2, F3 and raw: the length gates (12 / 24 bytes, 8 for FEC)",
		run: func(r *rig, g *gen) {
			for n := 0; n <= 30; n++ {
				for _, typ := range []uint16{0xf1, 0xf2, 0xf3, 0x0051} {
					b := g.bytes(n)
					if n >= 6 {
						binary.LittleEndian.PutUint32(b, uint32(n))
						binary.LittleEndian.PutUint16(b[4:], typ)
					}
					r.decode(b)
				}
			}
		}})

	add(caseSpec{name: "hostile-truncated", ds: 3, ps: 2,
		comment: "real (3,2) groups whose data and parity datagrams arrive cut short at random lengths",
		flags:   []string{"Truncated"},
		run: func(r *rig, g *gen) {
			for grp := uint32(0); grp < 12; grp++ {
				d := craftGroup(3, 2, grp*5, [][]byte{g.kcpLike(g.between(24, 300)), g.kcpLike(g.between(24, 300)), g.kcpLike(24)})
				lost := g.intn(3)
				for i, p := range d {
					if i == lost {
						continue
					}
					if g.chance(0.4) {
						p = p[:g.intn(len(p))]
					}
					r.decode(p)
				}
			}
		}})

	add(caseSpec{name: "hostile-seqids-beyond-paws", ds: 3, ps: 2,
		comment: "seqids at and above paws, 0xffffffff, then a normal lossy group",
		run: func(r *rig, g *gen) {
			p := pawsOf(5)
			for _, seq := range []uint32{0xffffffff - 4, 0xfffffffe, 0xffffffff} {
				_ = p
				for _, typ := range []uint16{0xf1, 0xf2} {
					r.decode(fecPacket(seq, typ, g.kcpLike(40)))
				}
			}
			grp := craftGroup(3, 2, 0, [][]byte{g.kcpLike(40), g.kcpLike(60), g.kcpLike(24)})
			for _, i := range []int{0, 2, 3, 4} {
				r.decode(grp[i])
			}
		}})

	add(caseSpec{name: "hostile-type-confusion", ds: 3, ps: 2,
		comment: "parity typed as data and data as parity inside a normal stream",
		flags:   []string{"FecAutotune"},
		run: func(r *rig, g *gen) {
			for i := 0; i < 30; i++ {
				r.encode(g.kcpLike(g.kcpLen(300)))
			}
			for i, p := range r.wire {
				q := bytes.Clone(p)
				if i%7 == 3 {
					q[4] ^= 0x03 // f1 <-> f2
				}
				if i%11 == 5 {
					continue
				}
				r.decode(q)
			}
		}})

	add(caseSpec{name: "hostile-recovered-size-field", ds: 1, ps: 1,
		comment: "(1,1) parity-only packets whose recovered size field is 0, 1, 2, len, len+1, 0xffff",
		run: func(r *rig, g *gen) {
			seq := uint32(1)
			for _, sz := range []int{0, 1, 2, 3, 30, 31, 32, 0xffff} {
				body := g.bytes(30)
				binary.LittleEndian.PutUint16(body, uint16(sz))
				r.decode(fecPacket(seq, 0xf2, body))
				seq += 2
			}
		}})

	add(caseSpec{name: "hostile-garbage-parity", ds: 2, ps: 1,
		comment: "real data packets with random parity: RS rebuilds garbage, size fields decide delivery",
		run: func(r *rig, g *gen) {
			for grp := uint32(0); grp < 24; grp++ {
				d := craftGroup(2, 1, grp*3, [][]byte{g.kcpLike(g.between(24, 200)), g.kcpLike(g.between(24, 200))})
				r.decode(d[g.intn(2)])
				r.decode(fecPacket(grp*3+2, 0xf2, g.bytes(g.between(2, 220))))
			}
		}})

	add(caseSpec{name: "hostile-size-field-lies", ds: 3, ps: 2,
		comment: "data packets with a wrong size field (ignored for direct delivery, garbles rebuilt shards)",
		run: func(r *rig, g *gen) {
			for grp := uint32(0); grp < 8; grp++ {
				d := craftGroup(3, 2, grp*5, [][]byte{g.kcpLike(g.between(24, 300)), g.kcpLike(g.between(24, 300)), g.kcpLike(24)})
				lie := g.intn(3)
				binary.LittleEndian.PutUint16(d[lie][6:], []uint16{0, 1, 0xffff, 7}[grp%4])
				for i, p := range d {
					if i == (lie+1)%3 {
						continue
					}
					r.decode(p)
				}
			}
		}})

	// The flood's seqids stay within a 2^24 window: spread over more than 2^31, kcp-go's
	// wrap-aware order is not transitive and v5.6.72's autotune result then depends on the
	// internals of Go's unstable sort.Slice (docs/fec.md, "Known divergences").
	add(caseSpec{name: "hostile-flood-then-stream", ds: 3, ps: 2,
		comment: "300 random FEC datagrams (random seqids in a 2^24 window, random types), then a normal (3,2) stream with loss",
		flags:   []string{"FecAutotune"},
		run: func(r *rig, g *gen) {
			for i := 0; i < 300; i++ {
				typ := uint16(0xf1 + g.intn(2))
				r.decode(fecPacket(0x40000000+g.u32()%(1<<24), typ, g.bytes(g.between(6, 120))))
			}
			for i := 0; i < 300; i++ {
				r.encode(g.kcpLike(g.kcpLen(60)))
			}
			for _, p := range g.channel(r.wire, 0.1, 0, 0) {
				r.decode(p)
			}
		}})

	add(caseSpec{name: "hostile-seqid-jumps", ds: 3, ps: 2,
		comment: "consistent groups at seqids far apart: 0, 2^31-ish, back, near paws, 2^31 ahead exactly",
		run: func(r *rig, g *gen) {
			starts := []uint32{0, 0x7ffffff5, 5, 0x80000005, 10, 0xfffffff0/5*5 - 5, 15, 2000000000, 20}
			for _, st := range starts {
				grp := craftGroup(3, 2, st, [][]byte{g.kcpLike(50), g.kcpLike(70), g.kcpLike(24)})
				for _, i := range []int{1, 3, 4, 0} {
					r.decode(grp[i])
				}
			}
		}})

	add(caseSpec{name: "hostile-sets-2pow31-ahead", ds: 1, ps: 1,
		comment: "(1,1): shard sets exactly 2^31 ahead survive v5.6.72's discard rule (a few of them)",
		run: func(r *rig, g *gen) {
			for i := uint32(0); i < 3; i++ {
				r.decode(fecPacket(2*i, 0xf1, g.kcpLike(30)))
				r.decode(fecPacket(0x80000000+2*i+1, 0xf2, g.kcpLike(30)))
			}
			r.decode(fecPacket(0x80000001, 0xf2, g.kcpLike(30)))
		}})

	add(caseSpec{name: "hostile-duplicate-flood", ds: 4, ps: 2,
		comment: "one parity packet 50 times, then the rest of its group",
		run: func(r *rig, g *gen) {
			grp := craftGroup(4, 2, 60, [][]byte{g.kcpLike(100), g.kcpLike(100), g.kcpLike(100), g.kcpLike(100)})
			for i := 0; i < 50; i++ {
				r.decode(grp[4])
			}
			for _, i := range []int{0, 1, 5, 2, 3} {
				r.decode(grp[i])
			}
		}})

	add(caseSpec{name: "hostile-oob-and-odd-types", ds: 3, ps: 2,
		comment: "0xF3 (OOB in v5.6.72, raw KCP in v5.6.1) with any seqid, and other type values",
		run: func(r *rig, g *gen) {
			for _, typ := range []uint16{0xf3, 0xf0, 0xf4, 0x00f1 | 0x0100, 0xfff1} {
				for _, n := range []int{12, 13, 24, 40} {
					b := g.bytes(n)
					binary.LittleEndian.PutUint32(b, []uint32{0xffffffff, 7}[n%2])
					binary.LittleEndian.PutUint16(b[4:], typ)
					r.decode(b)
				}
			}
		}})
	return cs
}
