package main

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/kcptun"
)

// ----- scenario parameters ------------------------------------------------------------

type preset struct {
	name                          string
	nodelay, interval, resend, nc int
	call                          bool // false: kcp-go's defaults, NoDelay never called
}

var presets = []preset{
	{"default", 0, 100, 0, 0, false},
	kcptunPreset("normal"),
	kcptunPreset("fast"),
	kcptunPreset("fast2"),
	kcptunPreset("fast3"),
	{"nd2", 2, 10, 1, 0, true},
	{"cc", 0, 20, 2, 0, true},
	{"ndcc", 1, 30, 3, 0, true},
	{"noresend", 1, 20, 0, 1, true},
}

// kcptunPreset is a kcptun --mode preset, from the one Go table (internal/kcptun).
func kcptunPreset(name string) preset {
	q := kcptun.MustPreset(name)
	return preset{name, q.NoDelay, q.Interval, q.Resend, q.NC, true}
}

type driver int

const (
	sessionDriven driver = iota // flush every returned interval, like kcp-go's UDPSession
	updateCheck                 // Update, then Check says when to call it again
	updateTick                  // Update every `tick` ms
)

type endpointCfg struct {
	preset       preset
	mtu          int // 0: default, SetMtu never called
	badMtuFirst  bool
	snd, rcv     int // 0: default, WndSize never called
	stream       bool
	driver       driver
	tick         int64
	writeDelay   bool
	ackNoDelay   bool
	deadLink     int
	readEvery    int64
	readLen      int
	smallReads   float64
	stalls       [][2]int64 // the reader does not read in [from, to)
	messages     []message
	emptySend    bool
	hugeSend     bool
	stuckMessage bool // last message has more fragments than the peer's rcv_wnd
	reconfig     int64
}

type message struct {
	at   int64
	data []byte
}

type linkParams struct {
	loss, dup, fecRecover, fecCopy, bad float64
	delay, jitter                       int64
	blackouts                           [][2]int64
}

// ----- events -------------------------------------------------------------------------

type event struct {
	at  int64
	seq uint64
	fn  func()
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// ----- the scenario -------------------------------------------------------------------

type scenario struct {
	seed    uint64
	r       *rand.Rand
	theme   string
	startT  uint32
	now     int64 // ms since the start
	maxMs   int64
	tailMs  int64
	doneAt  int64
	links   [2]linkParams // [0]: A to B, [1]: B to A
	eps     [2]*endpoint
	q       eventQueue
	seq     uint64
	clock   *kcp.KCP // never updated: its Check() returns kcp-go's currentMs()
	wrapped bool
}

func (sc *scenario) t() uint32 { return sc.startT + uint32(sc.now) }

func (sc *scenario) at(when int64, fn func()) {
	if when < sc.now {
		when = sc.now
	}
	sc.seq++
	heap.Push(&sc.q, &event{at: when, seq: sc.seq, fn: fn})
}

// advance moves kcp-go's clock (the bubble's fake clock) to `when`.
func (sc *scenario) advance(when int64) {
	if when > sc.now {
		time.Sleep(time.Duration(when-sc.now) * time.Millisecond)
		before := sc.t()
		sc.now = when
		if sc.t() < before {
			sc.wrapped = true
		}
	}
	if got := sc.clock.Check(); got != sc.t() {
		panic(fmt.Sprintf("seed %d: kcp-go's clock reads %d, expected %d", sc.seed, got, sc.t()))
	}
}

func (sc *scenario) chance(p float64) bool { return sc.r.Float64() < p }
func (sc *scenario) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + sc.r.Int64N(hi-lo+1)
}
func pick[T any](sc *scenario, xs ...T) T { return xs[sc.r.IntN(len(xs))] }

var themes = []string{"mixed", "zerowindow", "fragments", "stream", "lossy", "tinymtu",
	"reorder", "clockwrap", "bulk", "badinput"}

func newScenario(seed uint64) *scenario {
	sc := &scenario{seed: seed, r: rand.New(rand.NewPCG(seed, seed^0x6b6370676f766563))}
	sc.theme = themes[seed%uint64(len(themes))]
	sc.startT = sc.r.Uint32()
	if sc.theme == "clockwrap" || sc.chance(0.05) {
		sc.startT = uint32(-sc.between(200, 6000))
	}
	sc.maxMs = sc.between(10000, 30000)
	sc.tailMs = sc.between(300, 2000)
	sc.doneAt = -1

	for i := range sc.links {
		l := &sc.links[i]
		l.loss = pick(sc, 0, 0.01, 0.03, 0.05, 0.1, 0.2)
		l.delay = pick[int64](sc, 0, 1, 5, 10, 20, 40, 80)
		l.jitter = pick[int64](sc, 0, 0, 2, 5, 10, 30)
		l.dup = pick(sc, 0, 0, 0.01, 0.05)
		l.fecRecover = pick(sc, 0, 0, 0.3)
		l.fecCopy = pick(sc, 0, 0, 0, 0.02)
		switch sc.theme {
		case "lossy":
			l.loss = pick(sc, 0.1, 0.2, 0.3, 0.4)
			l.jitter = pick[int64](sc, 0, 10, 40)
			if sc.chance(0.7) {
				from := sc.between(500, 4000)
				l.blackouts = append(l.blackouts, [2]int64{from, from + sc.between(1000, 6000)})
			}
		case "reorder":
			l.jitter = pick[int64](sc, 20, 50, 100)
			l.dup = pick(sc, 0.05, 0.1, 0.2)
			l.fecRecover = pick(sc, 0.3, 0.6)
			l.fecCopy = 0.05
		case "badinput":
			l.bad = pick(sc, 0.02, 0.05, 0.1)
		}
		if sc.theme == "mixed" && sc.chance(0.3) {
			l.bad = 0.02
		}
	}

	for i := range sc.eps {
		sc.eps[i] = &endpoint{sc: sc, idx: i, name: string(rune('A' + i))}
	}
	conv := sc.r.Uint32()
	for i, ep := range sc.eps {
		ep.cfg = sc.endpointConfig(i)
		ep.trace = &caseTrace{conv: conv}
	}
	// Messages need the peer's receive window, so they are made once both are configured.
	for i, ep := range sc.eps {
		sc.makeMessages(ep, sc.eps[1-i])
	}
	return sc
}

func (sc *scenario) endpointConfig(i int) endpointCfg {
	var c endpointCfg
	c.preset = pick(sc, presets...)
	c.mtu = pick(sc, 0, 1400, 1200, 1000, 576, 512, 300, 200, 100, 60)
	if sc.theme == "tinymtu" {
		c.mtu = pick(sc, 25, 26, 30, 40, 48, 50, 60, 72)
	}
	if c.mtu != 0 && c.mtu < minMtu {
		c.mtu = minMtu
	}
	if sc.theme == "lossy" && sc.chance(0.6) {
		c.preset = pick(sc, presets[0], presets[1], presets[6]) // nodelay 0: long timeouts
	}
	c.badMtuFirst = sc.chance(0.15)
	c.snd = pick(sc, 0, 0, 4, 8, 16, 32, 64, 128)
	c.rcv = pick(sc, 0, 0, 8, 16, 32, 64, 128, 256)
	if sc.theme == "bulk" {
		c.snd = pick(sc, 128, 256, 512)
		c.rcv = pick(sc, 128, 256, 512)
		if c.preset.nc == 0 && sc.chance(0.5) {
			c.preset = presets[4]
		}
	}
	c.stream = sc.theme == "stream" && (i == 0 || sc.chance(0.5)) || sc.chance(0.05)
	c.driver = pick(sc, sessionDriven, sessionDriven, updateCheck, updateTick)
	if sc.theme == "fragments" {
		c.driver = pick(sc, updateCheck, updateTick) // a session never sends frg > 0
	}
	c.tick = pick[int64](sc, 10, 10, 20, 33, int64(max(c.preset.interval, 10)))
	c.writeDelay = sc.chance(0.5)
	c.ackNoDelay = sc.chance(0.3)
	if sc.chance(0.2) || sc.theme == "lossy" && sc.chance(0.5) {
		c.deadLink = int(sc.between(3, 12))
	}
	c.readEvery = pick[int64](sc, 1, 5, 10, 20, 50)
	c.readLen = 1 << 18
	if sc.chance(0.3) {
		c.smallReads = pick(sc, 0.1, 0.3)
	}
	if sc.theme == "zerowindow" || sc.chance(0.15) {
		from := sc.between(100, 3000)
		c.stalls = append(c.stalls, [2]int64{from, from + sc.between(1500, 7000)})
		if sc.chance(0.3) {
			from2 := c.stalls[0][1] + sc.between(200, 2000)
			c.stalls = append(c.stalls, [2]int64{from2, from2 + sc.between(500, 3000)})
		}
	}
	c.emptySend = sc.chance(0.2)
	c.hugeSend = sc.chance(0.15)
	c.stuckMessage = sc.theme == "fragments" && sc.chance(0.3)
	if sc.chance(0.25) {
		c.reconfig = sc.between(1000, 5000)
	}
	return c
}

func (ep *endpoint) mss() int {
	if ep.cfg.mtu == 0 {
		return 1400 - 24
	}
	return ep.cfg.mtu - 24
}

func rcvWnd(c endpointCfg) int {
	if c.rcv == 0 {
		return 32
	}
	return c.rcv
}

func (sc *scenario) makeMessages(ep, peer *endpoint) {
	mss := ep.mss()
	// Fragments are limited by kcp-go's 255 and by the peer's receive window: a message
	// with more fragments than the receiver's rcv_wnd can never be reassembled.
	maxFrags := min(maxFragments, rcvWnd(peer.cfg))
	if ep.cfg.stream {
		maxFrags = maxFragments
	}
	budget := pick[int64](sc, 5000, 20000, 40000, 80000, 120000)
	if sc.theme == "bulk" {
		budget = pick[int64](sc, 150000, 250000)
	}
	if sc.theme == "tinymtu" {
		budget /= 4
	}
	count := int(sc.between(5, 150))
	genMs := sc.between(200, min(sc.maxMs/2, 10000))
	var total int64
	for m := 0; m < count && total < budget; m++ {
		var size int
		switch {
		case sc.theme == "fragments" && sc.chance(0.6):
			size = int(sc.between(int64(mss)+1, int64(maxFrags*mss)))
		case sc.chance(0.7):
			size = int(sc.between(1, int64(mss)))
		default:
			size = int(sc.between(1, int64(min(8, maxFrags)*mss)))
		}
		size = min(size, 60000, maxFrags*mss)
		at := sc.between(0, genMs)
		ep.cfg.messages = append(ep.cfg.messages, message{at, payload(sc.seed, ep.idx, m, size)})
		total += int64(size)
	}
	if ep.cfg.stuckMessage && !ep.cfg.stream {
		frags := rcvWnd(peer.cfg) + 1 + int(sc.between(0, 3))
		if frags <= maxFragments && frags*mss <= 120000 {
			ep.cfg.messages = append(ep.cfg.messages,
				message{genMs + 100, payload(sc.seed, ep.idx, 999, frags*mss)})
		} else {
			ep.cfg.stuckMessage = false
		}
	} else {
		ep.cfg.stuckMessage = false
	}
	// Sort by time (stable: equal times keep their order).
	msgs := ep.cfg.messages
	for i := 1; i < len(msgs); i++ {
		for j := i; j > 0 && msgs[j].at < msgs[j-1].at; j-- {
			msgs[j], msgs[j-1] = msgs[j-1], msgs[j]
		}
	}
}

// payload is deterministic and compresses well, yet every byte depends on its offset.
func payload(seed uint64, ep, m, size int) []byte {
	b := make([]byte, size)
	base := byte(seed*7 + uint64(ep)*101 + uint64(m)*31)
	for j := range b {
		b[j] = base + byte(j)
	}
	return b
}

// ----- endpoints ----------------------------------------------------------------------

type endpoint struct {
	sc      *scenario
	idx     int
	name    string
	cfg     endpointCfg
	k       *kcp.KCP
	trace   *caseTrace
	pending [][]byte

	writeQ      [][]byte // session: writes waiting for the window; update: sends held back
	nextMessage int
	sent, recvd bytes.Buffer
	stuckSent   bool
	timerGen    int
}

type snmpCounts struct{ fast, early, lost uint64 }

func readSnmp() snmpCounts {
	return snmpCounts{
		atomic.LoadUint64(&kcp.DefaultSnmp.FastRetransSegs),
		atomic.LoadUint64(&kcp.DefaultSnmp.EarlyRetransSegs),
		atomic.LoadUint64(&kcp.DefaultSnmp.LostSegs),
	}
}

// call records one call on the endpoint: its clock, arguments, result and output, and
// hands the output to the link.
func (ep *endpoint) call(op string, args obj, fn func() (ret any, data []byte)) any {
	ep.pending = ep.pending[:0]
	before := readSnmp()
	ret, data := fn()
	after := readSnmp()
	tr := ep.trace

	step := obj{{"t", ep.sc.t()}, {"op", op}}
	step = append(step, args...)
	if ret != nil {
		step = append(step, kv{"ret", ret})
	}
	if data != nil {
		step = append(step, kv{"data", hexBytes(data)})
	}
	outs := make([]hexBytes, 0, len(ep.pending))
	for _, d := range ep.pending {
		outs = append(outs, hexBytes(d))
		for off := 0; off+24 <= len(d); off += 24 + int(binary.LittleEndian.Uint32(d[off+20:])) {
			if d[off+4] == kcp.IKCP_CMD_WASK {
				tr.addFlag("ZeroWindowProbe")
			}
		}
	}
	step = append(step, kv{"out", outs})
	if len(outs) > 0 || op == "input" || len(tr.steps) == 0 {
		step = append(step, kv{"state", readState(ep.k)})
	}
	tr.steps = append(tr.steps, step)
	tr.datagramsOut += len(outs)

	if after.fast > before.fast {
		tr.addFlag("FastRetransmit")
	}
	if after.early > before.early {
		tr.addFlag("EarlyRetransmit")
	}
	if after.lost > before.lost {
		tr.addFlag("TimeoutRetransmit")
	}
	pending := ep.pending
	ep.pending = nil
	for _, d := range pending {
		if len(d) > 0 {
			ep.sc.transmit(ep, d)
		}
	}
	return ret
}

func (ep *endpoint) output(buf []byte, size int) {
	ep.pending = append(ep.pending, append([]byte(nil), buf[:size]...))
}

func (ep *endpoint) send(data []byte) int {
	// In stream mode kcp-go first tops up the last queued segment, and keeps those bytes
	// even when it then refuses the rest (-2).
	topUp := 0
	if last := lastQueuedLen(ep.k); ep.cfg.stream && last >= 0 && last < ep.mss() {
		topUp = min(len(data), ep.mss()-last)
	}
	ret := ep.call("send", obj{{"data", hexBytes(data)}}, func() (any, []byte) {
		return ep.k.Send(data), nil
	}).(int)
	if ret == 0 {
		ep.sent.Write(data)
	} else if ret == -2 {
		ep.sent.Write(data[:topUp])
	}
	return ret
}

func (ep *endpoint) flush() uint32 {
	return ep.call("flush", nil, func() (any, []byte) { return flushFull(ep.k), nil }).(uint32)
}

func (ep *endpoint) update() {
	ep.call("update", nil, func() (any, []byte) { ep.k.Update(); return nil, nil })
}

func (ep *endpoint) check() uint32 {
	return ep.call("check", nil, func() (any, []byte) { return ep.k.Check(), nil }).(uint32)
}

func (ep *endpoint) waitsnd() int {
	return ep.call("waitsnd", nil, func() (any, []byte) { return ep.k.WaitSnd(), nil }).(int)
}

func (ep *endpoint) peeksize() int {
	return ep.call("peeksize", nil, func() (any, []byte) { return ep.k.PeekSize(), nil }).(int)
}

func (ep *endpoint) recv(n int) int {
	buf := make([]byte, n)
	ret := ep.call("recv", obj{{"len", n}}, func() (any, []byte) {
		r := ep.k.Recv(buf)
		if r > 0 {
			return r, buf[:r]
		}
		return r, nil
	}).(int)
	if ret > 0 {
		ep.recvd.Write(buf[:ret])
		peer := ep.sc.eps[1-ep.idx]
		if !bytes.HasPrefix(peer.sent.Bytes(), ep.recvd.Bytes()) {
			panic(fmt.Sprintf("seed %d: %s received bytes its peer never sent", ep.sc.seed, ep.name))
		}
	}
	return ret
}

func (ep *endpoint) input(d []byte, fec bool) int {
	args := obj{{"data", hexBytes(d)}}
	if fec {
		args = append(args, kv{"pkt_type", "fec"})
		ep.trace.addFlag("FecRecovered")
	}
	if ep.cfg.ackNoDelay {
		args = append(args, kv{"ack_nodelay", true})
	}
	ret := ep.call("input", args, func() (any, []byte) {
		return input(ep.k, d, fec, ep.cfg.ackNoDelay), nil
	}).(int)
	if ret != 0 {
		ep.trace.addFlag("BadInput")
	}
	return ret
}

func (ep *endpoint) stalled() bool {
	for _, s := range ep.cfg.stalls {
		if ep.sc.now >= s[0] && ep.sc.now < s[1] {
			return true
		}
	}
	return false
}

// ----- setup and drivers --------------------------------------------------------------

func (ep *endpoint) setup() {
	c := &ep.cfg
	ep.k = kcp.NewKCP(ep.trace.conv, ep.output)
	if c.preset.call {
		p := c.preset
		ep.call("nodelay", obj{{"nodelay", p.nodelay}, {"interval", p.interval},
			{"resend", p.resend}, {"nc", p.nc}},
			func() (any, []byte) { return ep.k.NoDelay(p.nodelay, p.interval, p.resend, p.nc), nil })
	}
	if c.snd != 0 || c.rcv != 0 {
		ep.call("wndsize", obj{{"snd", c.snd}, {"rcv", c.rcv}},
			func() (any, []byte) { return ep.k.WndSize(c.snd, c.rcv), nil })
	}
	if c.badMtuFirst {
		bad := minMtu - 1 - int(ep.sc.between(0, 2))
		ep.call("setmtu", obj{{"mtu", bad}}, func() (any, []byte) { return ep.k.SetMtu(bad), nil })
	}
	if c.mtu != 0 {
		ep.call("setmtu", obj{{"mtu", c.mtu}}, func() (any, []byte) { return ep.k.SetMtu(c.mtu), nil })
	}
	if c.stream {
		// kcp-go's UDPSession.SetStreamMode writes this field directly.
		ep.call("set", obj{{"stream", 1}}, func() (any, []byte) { setField(ep.k, "stream", 1); return nil, nil })
		ep.trace.addFlag("StreamMode")
	}
	if c.deadLink != 0 {
		ep.call("set", obj{{"dead_link", c.deadLink}},
			func() (any, []byte) { setField(ep.k, "dead_link", int64(c.deadLink)); return nil, nil })
	}
	if c.ackNoDelay {
		ep.trace.addFlag("AckNoDelay")
	}
	if c.driver == sessionDriven {
		ep.trace.addFlag("SessionDriven")
	} else {
		ep.trace.addFlag("UpdateDriven")
	}
	if c.emptySend {
		ep.call("send", obj{{"data", hexBytes(nil)}}, func() (any, []byte) { return ep.k.Send(nil), nil })
	}

	sc := ep.sc
	switch c.driver {
	case sessionDriven:
		sc.at(sc.now, ep.sessionTick)
	case updateCheck:
		sc.at(sc.now, ep.updateCheckTick)
	case updateTick:
		sc.at(sc.now, ep.updateTick)
	}
	for _, m := range c.messages {
		sc.at(m.at, ep.appWrite)
	}
	if c.hugeSend && ep.mss() <= 120 {
		sc.at(sc.between(0, 2000), func() {
			data := payload(sc.seed, ep.idx, 777, (maxFragments+1)*ep.mss())
			if ep.send(data) == -2 {
				ep.trace.addFlag("FragmentLimit")
			}
		})
	}
	if c.driver != sessionDriven {
		sc.at(sc.between(0, c.readEvery), ep.pollRead)
	} else {
		for _, s := range c.stalls {
			sc.at(s[1], ep.sessionRead) // the application reads again
		}
	}
	if c.reconfig != 0 {
		sc.at(c.reconfig, ep.reconfigure)
	}
}

// sessionTick is UDPSession.update: flush, then wake a blocked writer.
func (ep *endpoint) sessionTick() {
	next := ep.flush()
	ep.sessionWrite()
	ep.sc.at(ep.sc.now+int64(next), ep.sessionTick)
}

func (ep *endpoint) updateCheckTick() {
	ep.update()
	ep.throttledSends()
	ep.reschedule()
}

// reschedule asks Check when Update is next due and arms the timer for it; an older
// timer is forgotten.
func (ep *endpoint) reschedule() {
	next := ep.check()
	wait := int64(int32(next - ep.sc.t()))
	ep.timerGen++
	gen := ep.timerGen
	ep.sc.at(ep.sc.now+max(wait, 1), func() {
		if gen == ep.timerGen {
			ep.updateCheckTick()
		}
	})
}

func (ep *endpoint) updateTick() {
	ep.update()
	ep.throttledSends()
	if ep.sc.chance(0.05) {
		ep.check()
	}
	ep.sc.at(ep.sc.now+ep.cfg.tick, ep.updateTick)
}

// appWrite hands the next message to the endpoint's writer.
func (ep *endpoint) appWrite() {
	m := ep.cfg.messages[ep.nextMessage]
	ep.nextMessage++
	ep.writeQ = append(ep.writeQ, m.data)
	if ep.cfg.driver == sessionDriven {
		ep.sessionWrite()
	} else {
		ep.throttledSends()
		if ep.sc.chance(0.2) {
			ep.flush() // "flush after send", as C users often do
		}
	}
}

func (ep *endpoint) sndWnd() int {
	if ep.cfg.snd == 0 {
		return 32
	}
	return ep.cfg.snd
}

// sessionWrite is UDPSession.Write: when WaitSnd allows, the buffer is cut into
// mss-sized messages; the data goes out at once unless writeDelay holds it until the
// next flush tick (or the window is full).
func (ep *endpoint) sessionWrite() {
	for len(ep.writeQ) > 0 {
		if ep.waitsnd() >= ep.sndWnd() {
			return // blocked until the next tick or input
		}
		b := ep.writeQ[0]
		ep.writeQ = ep.writeQ[1:]
		mss := ep.mss()
		for len(b) > 0 {
			n := min(len(b), mss)
			ep.send(b[:n])
			b = b[n:]
		}
		if ep.waitsnd() >= ep.sndWnd() || !ep.cfg.writeDelay {
			ep.flush()
		}
	}
}

// throttledSends is the classic C-style writer: send whole messages while waitsnd is
// below twice the send window.
func (ep *endpoint) throttledSends() {
	for len(ep.writeQ) > 0 {
		if ep.waitsnd() >= 2*ep.sndWnd() {
			return
		}
		b := ep.writeQ[0]
		ep.writeQ = ep.writeQ[1:]
		if ep.send(b) == -2 {
			ep.trace.addFlag("FragmentLimit")
		}
		if ep.cfg.stuckMessage && ep.nextMessage == len(ep.cfg.messages) && len(ep.writeQ) == 0 {
			ep.stuckSent = true
			ep.sc.eps[1-ep.idx].trace.addFlag("FragmentLimit")
			ep.trace.addFlag("FragmentLimit")
		}
	}
}

// pollRead is the classic reader: recv until nothing is left, every readEvery ms.
func (ep *endpoint) pollRead() {
	if !ep.stalled() {
		for {
			n := ep.cfg.readLen
			if ep.sc.chance(ep.cfg.smallReads) {
				n = int(ep.sc.between(1, 4*int64(ep.mss())))
			}
			ret := ep.recv(n)
			if ret == -2 {
				if size := ep.peeksize(); size > 0 {
					ret = ep.recv(size)
				}
			}
			if ret < 0 {
				break
			}
		}
	}
	ep.sc.at(ep.sc.now+ep.cfg.readEvery, ep.pollRead)
}

// sessionRead is UDPSession.Read after input: PeekSize, then Recv into a buffer at
// least that large.
func (ep *endpoint) sessionRead() {
	if ep.stalled() {
		return
	}
	for {
		size := ep.peeksize()
		if size <= 0 {
			return
		}
		n := ep.cfg.readLen
		if ep.sc.chance(ep.cfg.smallReads) {
			n = size // the session's recvbuf, cut to the message
		}
		ep.recv(max(n, size))
	}
}

func (ep *endpoint) reconfigure() {
	sc := ep.sc
	switch sc.r.IntN(3) {
	case 0:
		p := pick(sc, presets[1:]...)
		ep.cfg.preset = p
		ep.call("nodelay", obj{{"nodelay", p.nodelay}, {"interval", p.interval},
			{"resend", p.resend}, {"nc", p.nc}},
			func() (any, []byte) { return ep.k.NoDelay(p.nodelay, p.interval, p.resend, p.nc), nil })
	case 1:
		snd, rcv := pick(sc, 0, 8, 64), pick(sc, 0, 16, 64, 128)
		if snd != 0 {
			ep.cfg.snd = snd
		}
		if rcv != 0 {
			ep.cfg.rcv = rcv
		}
		ep.call("wndsize", obj{{"snd", snd}, {"rcv", rcv}},
			func() (any, []byte) { return ep.k.WndSize(snd, rcv), nil })
	case 2:
		v := pick(sc, 10, 30, 100)
		ep.call("set", obj{{"rx_minrto", v}},
			func() (any, []byte) { setField(ep.k, "rx_minrto", int64(v)); return nil, nil })
	}
}

// ----- the link -----------------------------------------------------------------------

func (sc *scenario) inBlackout(l *linkParams) bool {
	for _, b := range l.blackouts {
		if sc.now >= b[0] && sc.now < b[1] {
			return true
		}
	}
	return false
}

func (sc *scenario) transmit(from *endpoint, d []byte) {
	to := sc.eps[1-from.idx]
	l := &sc.links[from.idx]
	arrival := func() int64 { return sc.now + l.delay + sc.between(0, l.jitter) }
	deliver := func(when int64, data []byte, fec bool) {
		sc.at(when, func() { to.receive(data, fec) })
	}
	if sc.inBlackout(l) {
		return
	}
	if sc.chance(l.loss) {
		if sc.chance(l.fecRecover) {
			deliver(arrival()+sc.between(1, 40), d, true)
		}
	} else {
		deliver(arrival(), d, false)
		if sc.chance(l.fecCopy) {
			deliver(arrival()+sc.between(1, 40), d, true) // a late FEC re-recovery
		}
	}
	if sc.chance(l.dup) {
		deliver(arrival(), d, false)
	}
	if sc.chance(l.bad) {
		deliver(arrival(), sc.corrupt(d), false)
	}
}

// corrupt makes a malformed copy of a datagram (KCP has no checksum).
func (sc *scenario) corrupt(d []byte) []byte {
	c := append([]byte(nil), d...)
	// segment offsets
	var offs []int
	for off := 0; off+24 <= len(c); off += 24 + int(binary.LittleEndian.Uint32(c[off+20:])) {
		offs = append(offs, off)
	}
	switch sc.r.IntN(5) {
	case 0: // shorter than a header
		return c[:sc.between(1, 23)]
	case 1: // conv mismatch, possibly after some segments
		o := offs[sc.r.IntN(len(offs))]
		c[o] ^= 0x5a
	case 2: // truncated tail
		cut := sc.between(1, int64(min(len(c)-1, 40)))
		return c[:len(c)-int(cut)]
	case 3: // unknown command
		o := offs[sc.r.IntN(len(offs))]
		c[o+4] = byte(pick(sc, 0, 80, 85, 0xff))
	case 4: // a len running past the end
		o := offs[len(offs)-1]
		binary.LittleEndian.PutUint32(c[o+20:], uint32(len(c)))
	}
	return c
}

func (ep *endpoint) receive(d []byte, fec bool) {
	ep.input(d, fec)
	if ep.cfg.driver == updateCheck {
		// An input can move the deadline (docs/core-api.md): ask Check again.
		ep.reschedule()
	}
	if ep.cfg.driver == sessionDriven {
		// UDPSession.kcpInput: wake the reader if a message is ready, and the writer if
		// the window allows.
		if ep.peeksize() > 0 {
			ep.sessionRead()
		}
		if ep.waitsnd() < ep.sndWnd() {
			ep.sessionWrite()
		}
	}
}

// ----- running ------------------------------------------------------------------------

func (sc *scenario) finished() bool {
	for i, ep := range sc.eps {
		peer := sc.eps[1-i]
		if ep.nextMessage < len(ep.cfg.messages) || len(ep.writeQ) > 0 || ep.k.WaitSnd() > 0 {
			return false
		}
		if peer.recvd.Len() < ep.sent.Len() && !ep.stuckSent {
			return false
		}
	}
	return true
}

func runScenario(seed uint64) (*caseTrace, *caseTrace) {
	sc := newScenario(seed)
	sc.clock = kcp.NewKCP(0, func([]byte, int) {})
	// Move kcp-go's clock to the seed's start value (instant in fake time).
	time.Sleep(time.Duration(sc.startT-sc.clock.Check()) * time.Millisecond)
	sc.advance(0)

	for _, ep := range sc.eps {
		ep.setup()
	}
	for sc.q.Len() > 0 {
		e := heap.Pop(&sc.q).(*event)
		if e.at > sc.maxMs {
			break
		}
		sc.advance(e.at)
		e.fn()
		if sc.doneAt < 0 && sc.finished() {
			sc.doneAt = sc.now
			sc.maxMs = min(sc.maxMs, sc.now+sc.tailMs)
		}
	}

	for _, ep := range sc.eps {
		c := ep.cfg
		tr := ep.trace
		tr.name = fmt.Sprintf("seed%d-%s-%s-mtu%d-wnd%dx%d-loss%d-delay%d-%s", sc.seed, sc.theme,
			c.preset.name, max(c.mtu, 0), c.snd, c.rcv, int(sc.links[ep.idx].loss*100),
			sc.links[ep.idx].delay, ep.name)
		if c.mtu == 0 {
			tr.name = fmt.Sprintf("seed%d-%s-%s-mtudef-wnd%dx%d-loss%d-delay%d-%s", sc.seed,
				sc.theme, c.preset.name, c.snd, c.rcv, int(sc.links[ep.idx].loss*100),
				sc.links[ep.idx].delay, ep.name)
		}
		tr.id = fmt.Sprintf("%s/seed%d/%s", idPrefix, sc.seed, ep.name)
		drv := map[driver]string{sessionDriven: "session-style flushes", updateCheck: "update/check",
			updateTick: fmt.Sprintf("update every %d ms", c.tick)}[c.driver]
		tr.comment = fmt.Sprintf("endpoint %s of seed %d (%s): %s, %d messages, %d bytes sent, "+
			"%d bytes received, %d ms simulated", ep.name, sc.seed, sc.theme, drv,
			len(c.messages), ep.sent.Len(), ep.recvd.Len(), sc.now)
		if sc.wrapped {
			tr.addFlag("ClockWrap")
		}
		if fieldInt(ep.k, "state") == 0xFFFFFFFF {
			tr.addFlag("DeadLink")
		}
	}
	return sc.eps[0].trace, sc.eps[1].trace
}
