// Command kcp-load is the load generator of the scale test: it opens --sessions kcp-go
// client sessions (each with its own UDP socket, so a server sees one remote address per
// session) to an echo server on loopback, ramps them up over --ramp seconds, has each send
// a small message --rate times a second for --duration seconds, and reports how many
// stayed healthy: every message sent before the final --grace got its echo back intact.
// Its last stdout line is one JSON object (see Report).
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/kcptun"
	"kcpkit/interop/internal/pin"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type config struct {
	dial                  string
	sessions              int
	rate                  float64
	size                  int
	ramp, duration, grace time.Duration
	link                  kcptun.Flags
	sndwnd, rcvwnd, mtu   int
	seed                  uint64
	progress              bool
}

// Report is kcp-load's result.
type Report struct {
	Sessions        int      `json:"sessions"`              // asked for
	Opened          int      `json:"opened"`                // dialled without error
	Healthy         int      `json:"healthy"`               // every message before the grace period echoed intact
	Unhealthy       int      `json:"unhealthy"`             // opened but missing or wrong echoes
	MessagesSent    uint64   `json:"messages_sent"`         // all sessions
	MessagesEchoed  uint64   `json:"messages_echoed"`       // came back intact
	EchoErrors      uint64   `json:"echo_errors"`           // came back altered or out of order
	LatencyP50Ms    float64  `json:"latency_p50_ms"`        // echo round trip, sampled
	LatencyP99Ms    float64  `json:"latency_p99_ms"`        //
	LatencyMaxMs    float64  `json:"latency_max_ms"`        //
	RampSeconds     float64  `json:"ramp_seconds"`          // time to open every session
	DurationSeconds float64  `json:"duration_seconds"`      // steady phase
	KCPGoVersion    string   `json:"kcp_go_version"`        //
	DialErrors      []string `json:"dial_errors,omitempty"` // the first few
}

// session is one client's traffic and its record.
type session struct {
	id       uint32
	conn     *kcp.UDPSession
	sent     atomic.Uint64 // messages written
	echoed   atomic.Uint64 // messages back intact, in order
	bad      atomic.Uint64 // messages back altered
	lastSent atomic.Int64  // send time (unix ns) of the latest message
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kcp-load: %v\n", err)
		return 2
	}
	block, err := cfg.link.Block()
	if errors.Is(err, kcptun.ErrUnsupported) {
		fmt.Fprintf(stderr, "kcp-load: %v\n", err)
		return 127
	}
	if err != nil {
		fmt.Fprintf(stderr, "kcp-load: %v\n", err)
		return 1
	}
	raiseFileLimit(cfg.sessions, stderr)
	nd := cfg.link.NoDelay()

	latencies := newSampler(100000, cfg.seed)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var sessions []*session
	var dialErrors []string
	began := time.Now()
	step := time.Duration(0)
	if cfg.sessions > 1 {
		step = cfg.ramp / time.Duration(cfg.sessions)
	}
	for i := 0; i < cfg.sessions; i++ {
		if wait := time.Until(began.Add(step * time.Duration(i))); wait > 0 {
			time.Sleep(wait)
		}
		conn, err := kcp.DialWithOptions(cfg.dial, block, cfg.link.DataShard, cfg.link.ParityShard)
		if err != nil {
			if len(dialErrors) < 5 {
				dialErrors = append(dialErrors, err.Error())
			}
			continue
		}
		conn.SetStreamMode(true)
		conn.SetWriteDelay(false)
		conn.SetNoDelay(nd.NoDelay, nd.Interval, nd.Resend, nd.NC)
		conn.SetWindowSize(cfg.sndwnd, cfg.rcvwnd)
		conn.SetMtu(cfg.mtu)
		s := &session{id: uint32(i), conn: conn}
		sessions = append(sessions, s)
		wg.Add(2)
		go func() { defer wg.Done(); s.receive(cfg.size, latencies) }()
		go func() { defer wg.Done(); s.send(cfg, stop) }()
		if cfg.progress && (i+1)%1000 == 0 {
			fmt.Fprintf(stderr, "kcp-load: %d sessions open after %.1fs\n", i+1, time.Since(began).Seconds())
		}
	}
	rampDone := time.Now()
	if cfg.progress {
		fmt.Fprintf(stdout, "ramped %d %.3f\n", len(sessions), rampDone.Sub(began).Seconds())
	}
	time.Sleep(cfg.duration)
	close(stop) // senders stop; echoes of the last messages get the grace period
	time.Sleep(cfg.grace)
	steady := time.Since(rampDone) - cfg.grace

	report := Report{Sessions: cfg.sessions, Opened: len(sessions), RampSeconds: rampDone.Sub(began).Seconds(),
		DurationSeconds: steady.Seconds(), KCPGoVersion: pin.KCPVersion, DialErrors: dialErrors}
	for _, s := range sessions {
		sent, echoed, bad := s.sent.Load(), s.echoed.Load(), s.bad.Load()
		report.MessagesSent += sent
		report.MessagesEchoed += echoed
		report.EchoErrors += bad
		if sent > 0 && echoed == sent && bad == 0 {
			report.Healthy++
		} else {
			report.Unhealthy++
		}
	}
	report.LatencyP50Ms, report.LatencyP99Ms, report.LatencyMaxMs = latencies.percentiles()
	for _, s := range sessions {
		s.conn.Close() // unblocks the receivers
	}
	wg.Wait()
	line, _ := json.Marshal(report)
	fmt.Fprintln(stdout, string(line))
	if report.Opened == 0 {
		return 1
	}
	return 0
}

// send writes a message every 1/rate seconds (first one at a random phase, so sessions
// do not send in lockstep) until stop.
func (s *session) send(cfg *config, stop <-chan struct{}) {
	period := time.Duration(float64(time.Second) / cfg.rate)
	rng := rand.New(rand.NewPCG(cfg.seed, uint64(s.id)))
	timer := time.NewTimer(time.Duration(rng.Int64N(int64(period) + 1)))
	defer timer.Stop()
	msg := make([]byte, cfg.size)
	for seq := uint64(0); ; seq++ {
		select {
		case <-stop:
			return
		case <-timer.C:
		}
		now := time.Now().UnixNano()
		fillMessage(msg, s.id, seq, now)
		if _, err := s.conn.Write(msg); err != nil {
			return
		}
		s.lastSent.Store(now)
		s.sent.Add(1)
		timer.Reset(period)
	}
}

// receive reads echoes in order and checks each against what was sent.
func (s *session) receive(size int, latencies *sampler) {
	got := make([]byte, size)
	want := make([]byte, size)
	for seq := uint64(0); ; seq++ {
		if _, err := io.ReadFull(s.conn, got); err != nil {
			return
		}
		sentAt := int64(binary.LittleEndian.Uint64(got[12:20]))
		fillMessage(want, s.id, seq, sentAt)
		if string(got) != string(want) {
			s.bad.Add(1)
			continue
		}
		s.echoed.Add(1)
		latencies.add(time.Since(time.Unix(0, sentAt)))
	}
}

// fillMessage: session id (4), sequence (8), send time ns (8), then bytes derived from
// all three, so any altered byte is detected.
func fillMessage(msg []byte, id uint32, seq uint64, sentAt int64) {
	binary.LittleEndian.PutUint32(msg[0:4], id)
	binary.LittleEndian.PutUint64(msg[4:12], seq)
	binary.LittleEndian.PutUint64(msg[12:20], uint64(sentAt))
	x := uint64(id)<<40 ^ seq ^ uint64(sentAt)
	for i := 20; i < len(msg); i++ {
		x = x*6364136223846793005 + 1442695040888963407
		msg[i] = byte(x >> 56)
	}
}

// sampler keeps a uniform sample of latencies (reservoir sampling) for percentiles.
type sampler struct {
	mu    sync.Mutex
	rng   *rand.Rand
	seen  uint64
	keep  []time.Duration
	limit int
}

func newSampler(limit int, seed uint64) *sampler {
	return &sampler{rng: rand.New(rand.NewPCG(seed, 99)), limit: limit}
}

func (s *sampler) add(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen++
	if len(s.keep) < s.limit {
		s.keep = append(s.keep, d)
	} else if j := s.rng.Uint64N(s.seen); j < uint64(s.limit) {
		s.keep[j] = d
	}
}

func (s *sampler) percentiles() (p50, p99, maxMs float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keep) == 0 {
		return 0, 0, 0
	}
	sorted := append([]time.Duration(nil), s.keep...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return ms(sorted[len(sorted)/2]), ms(sorted[len(sorted)*99/100]), ms(sorted[len(sorted)-1])
}

// raiseFileLimit lifts the soft descriptor limit to the hard one: each session owns a
// socket.
func raiseFileLimit(sessions int, stderr io.Writer) {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return
	}
	lim.Cur = lim.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	if uint64(sessions)+64 > lim.Cur {
		fmt.Fprintf(stderr, "kcp-load: %d sessions need more descriptors than the limit %d\n", sessions, lim.Cur)
	}
}

func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("kcp-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.dial, "dial", "", "echo server address (host:port), e.g. kcp-peer-go --listen ADDR echo")
	fs.IntVar(&c.sessions, "sessions", 1000, "client sessions to open")
	fs.Float64Var(&c.rate, "rate", 1, "messages per second per session")
	fs.IntVar(&c.size, "size", 64, "message bytes (>= 20)")
	ramp := fs.Float64("ramp", 10, "seconds over which the sessions are opened")
	duration := fs.Float64("duration", 20, "seconds of traffic after the ramp")
	grace := fs.Float64("grace", 3, "seconds the last echoes may take")
	// Light defaults for many sessions (give the server the same --crypt and FEC):
	// no crypt, no FEC, interval 100 ms.
	c.link.Register(fs, kcptun.Flags{Crypt: "null", Key: kcptun.DefaultKey, Mode: "manual",
		Manual: kcptun.NoDelay{NoDelay: 0, Interval: 100, Resend: 2, NC: 1}})
	fs.IntVar(&c.sndwnd, "sndwnd", 32, "send window")
	fs.IntVar(&c.rcvwnd, "rcvwnd", 32, "receive window")
	fs.IntVar(&c.mtu, "mtu", 1350, "MTU")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the send phases")
	fs.BoolVar(&c.progress, "progress", false, "progress on stderr and a \"ramped N SECONDS\" line")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.ramp = seconds(*ramp)
	c.duration = seconds(*duration)
	c.grace = seconds(*grace)
	switch {
	case c.dial == "" || fs.NArg() != 0:
		return nil, errors.New("--dial HOST:PORT is required (and no positional arguments)")
	case c.sessions <= 0 || c.rate <= 0 || c.size < 20:
		return nil, errors.New("--sessions and --rate must be > 0, --size >= 20")
	case *ramp < 0 || *duration <= 0 || *grace < 0 || *ramp+*duration+*grace > 3600:
		return nil, errors.New("--ramp, --duration, --grace: >= 0, > 0, >= 0, an hour at most in all")
	}
	if err := c.link.Check(); err != nil {
		return nil, err
	}
	return c, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
