//go:build go1.25

// Command capture-fec records kcpvec/1 `fec` vectors from kcp-go's own FEC code.
//
// kcp-go's FEC encoder and decoder are unexported. This program reaches them through
// go:linkname (newFECEncoder, (*fecEncoder).encode, newFECDecoder, (*fecDecoder).decode;
// see linkname.go, and adapter_head.go / adapter_561.go for encode), without changing
// kcp-go's source, and drives them the way kcp-go's UDPSession does:
//
//   - encode: a buffer of 8 bytes of header room + the KCP payload (no crypt room:
//     header offset 0) goes through encode(); the step's `out` is that buffer (now framed)
//     followed by any parity packets encode() returned. v5.6.72's session passes
//     maxFECEncodeLatency (500) as the threshold; so does this program.
//   - decode: the datagram goes through the part of sess.go between decryption and KCP,
//     which is reproduced in rig.input (a dozen lines): the length gate of packetInput
//     (v5.6.72: < 12 bytes dropped; v5.6.1: < 24 bytes dropped), the demultiplexing on
//     the u16 at offset 4, the lazily created (1, 1) decoder, the data packet's bytes
//     after the 8-byte header handed to KCP first, then every recovered shard whose size
//     field is in [2, len] cut to r[2:size]; v5.6.72 OOB (0xF3) payloads after the conv.
//     The step's `out` lists those KCP inputs in order; `oob` the OOB payloads.
//
// Time: kcp-go v5.6.72's encoder reads time.Now() (500 ms parity rule) and v5.6.1's
// decoder reads its currentMs() (60 s expiry). Every case runs in its own testing/synctest
// bubble, whose fake clock moves only when the case sleeps, so each step's `t` (the
// case's base plus the fake milliseconds elapsed) is exactly what kcp-go saw, up to that
// constant base. synctest.Test needs a *testing.T, hence testing.Main.
//
// Every random choice comes from one seeded generator per case, so a seed and kcp-go
// version give a byte-identical file.
//
// Usage, from interop/:
//
//	go run ./cmd/capture-fec -seed 1                                       # v5.6.72
//	go run -modfile=v561/go.mod -tags kcpgo561 ./cmd/capture-fec -seed 1   # v5.6.1
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
	"kcpkit/interop/internal/vecfile"
)

var (
	seedFlag  = flag.Uint64("seed", 1, "seed of every random choice")
	outFlag   = flag.String("out", "", "output file (.json or .json.gz); default ../vectors/<version>-fec.json.gz")
	quietFlag = flag.Bool("quiet", false, "no per-case summary on stderr")
)

type step struct {
	Op            string            `json:"op"`
	T             uint32            `json:"t"`
	Data          string            `json:"data"`
	Out           []string          `json:"out"`
	OOB           []string          `json:"oob,omitempty"`
	DecoderShards []int             `json:"decoder_shards,omitempty"`
	Counters      map[string]uint64 `json:"counters,omitempty"`
}

type fecCase struct {
	vecfile.Case
	DataShards          int     `json:"data_shards"`
	ParityShards        int     `json:"parity_shards"`
	DecoderDataShards   *int    `json:"decoder_data_shards,omitempty"`
	DecoderParityShards *int    `json:"decoder_parity_shards,omitempty"`
	EncoderNext         *uint32 `json:"encoder_next,omitempty"`
	ChangesRecorded     bool    `json:"changes_recorded"`
	Steps               []step  `json:"steps"`
}

// ----- the rig: one encoder, one receive path, one fake clock -----------------------------

type rig struct {
	c            *fecCase
	start        time.Time
	base         uint32
	enc          unsafe.Pointer // nil: kcp-go frames nothing (ds or ps <= 0)
	dec          unsafe.Pointer // nil until the first FEC datagram (then (1, 1))
	lastShards   []int
	lastCounters map[string]uint64
	wire         [][]byte // every datagram the encoder emitted, in order
}

func newRig(c *fecCase, base uint32) *rig {
	kcp.DefaultSnmp.Reset()
	r := &rig{c: c, start: time.Now(), base: base}
	r.enc = newFECEncoder(c.DataShards, c.ParityShards, 0)
	if r.enc != nil && c.EncoderNext != nil {
		*(*uint32)(unsafe.Add(r.enc, encNextOffset)) = *c.EncoderNext
	}
	dds, dps := c.DataShards, c.ParityShards
	if c.DecoderDataShards != nil {
		dds = *c.DecoderDataShards
	}
	if c.DecoderParityShards != nil {
		dps = *c.DecoderParityShards
	}
	r.dec = newFECDecoder(dds, dps)
	r.lastShards = r.shards()
	r.lastCounters = readCounters()
	return r
}

func (r *rig) now() uint32 { return r.base + uint32(time.Since(r.start)/time.Millisecond) }

func (r *rig) wait(ms uint32) {
	if ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}

func (r *rig) shards() []int {
	if r.dec == nil {
		return []int{0, 0}
	}
	return []int{*(*int)(unsafe.Add(r.dec, decDSOffset)), *(*int)(unsafe.Add(r.dec, decPSOffset))}
}

func hexes(list [][]byte) []string {
	out := make([]string, 0, len(list))
	for _, b := range list {
		out = append(out, hex.EncodeToString(b))
	}
	return out
}

// encode frames one KCP payload and records the step; returns what went on the wire.
func (r *rig) encode(payload []byte) [][]byte {
	t := r.now()
	var out [][]byte
	if r.enc == nil {
		out = [][]byte{bytes.Clone(payload)}
	} else {
		b := make([]byte, 8+len(payload))
		copy(b[8:], payload)
		ps := encodeWith(r.enc, b)
		out = append(out, b)
		for _, p := range ps {
			out = append(out, bytes.Clone(p))
		}
	}
	r.c.Steps = append(r.c.Steps, step{Op: "encode", T: t, Data: hex.EncodeToString(payload), Out: hexes(out)})
	r.wire = append(r.wire, out...)
	return out
}

// input is sess.go's receive path between decryption and KCP (see the file comment).
func (r *rig) input(dg []byte) (out, oob [][]byte) {
	if len(dg) < minDatagram {
		return
	}
	flag := binary.LittleEndian.Uint16(dg[4:])
	switch {
	case flag == 0xf1 || flag == 0xf2:
		if len(dg) < 8 {
			return
		}
		if r.dec == nil {
			r.dec = newFECDecoder(1, 1)
		}
		if flag == 0xf1 {
			out = append(out, bytes.Clone(dg[8:]))
		}
		for _, rec := range fecDecode(r.dec, dg) {
			if len(rec) >= 2 {
				sz := binary.LittleEndian.Uint16(rec)
				if int(sz) <= len(rec) && sz >= 2 {
					out = append(out, bytes.Clone(rec[2:sz]))
				}
			}
		}
	case flag == 0xf3 && hasOOB:
		oob = append(oob, bytes.Clone(dg[12:]))
	default:
		out = append(out, bytes.Clone(dg))
	}
	return
}

func (r *rig) decode(dg []byte) {
	t := r.now()
	out, oob := r.input(bytes.Clone(dg))
	st := step{Op: "decode", T: t, Data: hex.EncodeToString(dg), Out: hexes(out), OOB: hexes(oob)}
	if len(st.OOB) == 0 {
		st.OOB = nil
	}
	if s := r.shards(); !slices.Equal(s, r.lastShards) {
		st.DecoderShards = s
		r.lastShards = s
	}
	if c := readCounters(); !mapsEqual(c, r.lastCounters) {
		st.Counters = c
		r.lastCounters = c
	}
	r.c.Steps = append(r.c.Steps, st)
}

// finish puts the final counters and decoder shape on the last decode step.
func (r *rig) finish() {
	for i := len(r.c.Steps) - 1; i >= 0; i-- {
		if r.c.Steps[i].Op == "decode" {
			r.c.Steps[i].Counters = readCounters()
			r.c.Steps[i].DecoderShards = r.shards()
			return
		}
	}
}

func mapsEqual(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// checkLayout verifies the struct offsets the adapter relies on.
func checkLayout() {
	enc := newFECEncoder(3, 2, 0)
	if enc == nil || *(*uint32)(unsafe.Add(enc, encPawsOffset)) != 0xffffffff/5*5 ||
		*(*uint32)(unsafe.Add(enc, encNextOffset)) != 0 {
		panic("capture-fec: unexpected fecEncoder layout")
	}
	encodeWith(enc, make([]byte, 40))
	if *(*uint32)(unsafe.Add(enc, encNextOffset)) != 1 {
		panic("capture-fec: fecEncoder.next not where expected")
	}
	dec := newFECDecoder(7, 4)
	if dec == nil || *(*int)(unsafe.Add(dec, decDSOffset)) != 7 || *(*int)(unsafe.Add(dec, decPSOffset)) != 4 {
		panic("capture-fec: unexpected fecDecoder layout")
	}
}

// ----- output ----------------------------------------------------------------------------------

func writeFile(path string, cases []*fecCase) error {
	var buf bytes.Buffer
	src, _ := json.Marshal(sourceText + runtime.Version() + "), seed " + fmt.Sprint(*seedFlag) +
		"; command: " + commandLine())
	fmt.Fprintf(&buf, "{\n\"format\": \"kcpvec/1\",\n\"kind\": \"fec\",\n\"source\": %s,\n", src)
	notes, _ := json.MarshalIndent(fileNotes, "", " ")
	fmt.Fprintf(&buf, "\"notes\": %s,\n\"cases\": [\n", notes)
	for i, c := range cases {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		buf.Write(b)
		if i+1 < len(cases) {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n}\n")

	return vecfile.Write(path, buf.Bytes())
}

func commandLine() string {
	return fmt.Sprintf("%s ./cmd/capture-fec -seed %d", pin.GoRun, *seedFlag)
}

var fileNotes = map[string]string{
	"t":                     "ms clock (uint32): the case's base plus the fake time elapsed; kcp-go only uses differences (v5.6.72 encoder: 500 ms parity rule, first datagram counts as long after the previous; v5.6.1 decoder: 60 s expiry)",
	"encode":                "data = KCP payload; out = the framed data datagram (header offset 0) then any parity datagrams",
	"decode":                "data = one datagram after decryption; out = what kcp-go's session hands to KCP Input, in order (data packet bytes after the 8-byte header, then recovered r[2:size]); oob = v5.6.72 OOB payloads (bytes after the conv)",
	"decoder_shards":        "after this step the decoder's (ds, ps); [0, 0] = no decoder yet. Given when it changed and on the last decode step",
	"counters":              "after this step, cumulative since the case began: the kcp-go SNMP counters this version's decoder itself updates (v5.6.72: FECErrs FECFullShardSet FECParityShards FECRecovered FECShardMin FECShardSet; v5.6.1: FECShortShards). Given when one changed and on the last decode step",
	"changes_recorded":      "true: every decode step where a recorded counter or the decoder's shape changed carries counters / decoder_shards, so a step without them leaves them as they were (counters start at 0, the shape at the configured one or [0, 0])",
	"decoder_data_shards":   "the receiver's own FEC setting when it differs from data_shards/parity_shards (0: none, kcp-go then creates a (1, 1) decoder on the first FEC datagram and autotunes)",
	"result":                "invalid: hostile or malformed input; the case passes when every out/oob/counters/decoder_shards matches, i.e. the input is dropped or absorbed exactly as kcp-go does",
	"FecSeqidWrap":          "the encoder starts near paws (encoder_next), seqids wrap to 0",
	"FecUnalignedNext":      "encoder_next is not a multiple of S: groups straddle decoder groups (v5.6.1 even emits data seqids >= paws)",
	"FecParitySkip":         "v5.6.72 skips parity when the last two data packets of a group are >= 500 ms apart",
	"FecFirstGroupNoParity": "v5.6.72 (1, 1): the very first datagram never gets parity",
	"FecDecodeForget":       "shards arriving after their group was decoded start over and can be recovered again",
	"FecAutotune":           "the receiver's (ds, ps) differ from the sender's; autotune adapts",
	"FecExpire":             "v5.6.1 drops queued shards older than 60 s",
	"FecQueueOverflow":      "v5.6.1 pushes shards out of its 3*S queue (FECShortShards)",
	"FecNoFec":              "ds or ps is 0: kcp-go frames nothing",
	"ClockWrap":             "t wraps past 2^32",
	"Hostile":               "crafted datagrams: bad lengths, types, seqids, size fields, garbage parity, floods",
}

// idPrefix starts every case id (and the default file name).
const idPrefix = "kcpgo-" + pin.KCPVersion

// ----- main ------------------------------------------------------------------------------------

func main() {
	testing.Init()
	flag.Parse()
	out := *outFlag
	if out == "" {
		out = "../vectors/" + idPrefix + "-fec.json.gz"
	}
	checkLayout()
	run := func(t *testing.T) {
		var cases []*fecCase
		for i, spec := range catalogue() {
			c := &fecCase{
				Case: vecfile.Case{ID: idPrefix + "/fec/" + spec.name, Comment: spec.comment,
					Flags: spec.flags, Reference: pin.Reference},
				DataShards:          spec.ds,
				ParityShards:        spec.ps,
				DecoderDataShards:   spec.decDS,
				DecoderParityShards: spec.decPS,
				EncoderNext:         spec.next,
				ChangesRecorded:     true,
			}
			if spec.invalid {
				c.Result = "invalid"
			}
			g := &gen{r: rand.New(rand.NewPCG(*seedFlag, uint64(i)+1))}
			synctest.Test(t, func(t *testing.T) {
				r := newRig(c, spec.base)
				spec.run(r, g)
				r.finish()
			})
			if !*quietFlag {
				fmt.Fprintf(os.Stderr, "%s: %d steps\n", c.ID, len(c.Steps))
			}
			cases = append(cases, c)
		}
		if err := writeFile(out, cases); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "capture-fec: %d cases -> %s\n", len(cases), out)
	}
	testing.Main(func(string, string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "CaptureFec", F: run}}, nil, nil)
}
