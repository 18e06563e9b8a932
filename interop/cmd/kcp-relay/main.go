// Command kcp-relay is a seeded UDP impairment relay for loopback tests: datagrams sent
// to --listen are forwarded to --forward (one upstream socket per client address, so the
// server still tells clients apart by address) and the replies come back, each direction
// with loss, reordering, duplication, corruption, delay and jitter drawn from --seed.
// It runs for at most --duration seconds and reports what it did as JSON.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// impairment is what happens to the datagrams of one direction.
type impairment struct {
	loss, reorder, duplicate, corrupt float64       // probabilities 0..1
	delay, jitter, reorderDelay       time.Duration // base delay, uniform extra [0, jitter], extra for a reordered datagram
}

// Counts is one direction's record, as printed at exit.
type Counts struct {
	Packets    uint64 `json:"packets"`    // datagrams received from this direction's sender
	Bytes      uint64 `json:"bytes"`      // their bytes
	Dropped    uint64 `json:"dropped"`    // lost on purpose
	Reordered  uint64 `json:"reordered"`  // held back by reorder_ms so later ones overtake it
	Duplicated uint64 `json:"duplicated"` // sent twice
	Corrupted  uint64 `json:"corrupted"`  // one bit flipped
	Delivered  uint64 `json:"delivered"`  // datagrams written (copies included)
	SendErrors uint64 `json:"send_errors"`
}

// Report is the JSON object kcp-relay prints as its last stdout line.
type Report struct {
	Seed    uint64  `json:"seed"`
	Clients int     `json:"clients"`
	Seconds float64 `json:"seconds"`
	Up      Counts  `json:"up"`      // client -> server
	Down    Counts  `json:"down"`    // server -> client
	Garbage uint64  `json:"garbage"` // random datagrams sent to the server from fresh ports
}

// direction applies one impairment with its own random stream and counters.
type direction struct {
	imp    impairment
	mu     sync.Mutex // guards rng and counts
	rng    *rand.Rand
	counts Counts
	sched  *scheduler
}

// send impairs one datagram and hands it (or its copies) to write, now or later.
func (d *direction) send(data []byte, write func([]byte) error) {
	d.mu.Lock()
	d.counts.Packets++
	d.counts.Bytes += uint64(len(data))
	if d.rng.Float64() < d.imp.loss {
		d.counts.Dropped++
		d.mu.Unlock()
		return
	}
	copies := 1
	if d.rng.Float64() < d.imp.duplicate {
		copies = 2
		d.counts.Duplicated++
	}
	packet := append([]byte(nil), data...)
	if len(packet) > 0 && d.rng.Float64() < d.imp.corrupt {
		packet[d.rng.IntN(len(packet))] ^= byte(1) << d.rng.IntN(8)
		d.counts.Corrupted++
	}
	wait := d.imp.delay
	if d.imp.jitter > 0 {
		wait += time.Duration(d.rng.Int64N(int64(d.imp.jitter) + 1))
	}
	if d.rng.Float64() < d.imp.reorder {
		wait += d.imp.reorderDelay
		d.counts.Reordered++
	}
	d.mu.Unlock()

	deliver := func() {
		for i := 0; i < copies; i++ {
			err := write(packet)
			d.mu.Lock()
			if err != nil {
				d.counts.SendErrors++
			} else {
				d.counts.Delivered++
			}
			d.mu.Unlock()
		}
	}
	if wait <= 0 {
		deliver()
		return
	}
	d.sched.at(time.Now().Add(wait), deliver)
}

func (d *direction) snapshot() Counts {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counts
}

type relay struct {
	listen  *net.UDPConn
	forward *net.UDPAddr
	up      *direction
	down    *direction

	mu       sync.Mutex
	upstream map[string]*net.UDPConn // client address -> its socket towards --forward
	stderr   io.Writer
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kcp-relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listenAddr := fs.String("listen", "127.0.0.1:0", "address the clients send to (port 0 picks one, printed as 'listening ADDR')")
	forwardAddr := fs.String("forward", "", "address of the server (host:port)")
	loss := fs.Float64("loss", 0, "drop probability per datagram (0..1)")
	reorder := fs.Float64("reorder", 0, "probability a datagram is held back by --reorder-ms so later ones overtake it")
	duplicate := fs.Float64("duplicate", 0, "probability a datagram is sent twice")
	corrupt := fs.Float64("corrupt", 0, "probability one bit of a datagram is flipped")
	delayMs := fs.Float64("delay", 0, "one-way delay in ms (each direction)")
	jitterMs := fs.Float64("jitter", 0, "extra delay drawn uniformly from [0, jitter] ms")
	reorderMs := fs.Float64("reorder-ms", 10, "extra delay of a reordered datagram in ms")
	seed := fs.Uint64("seed", 1, "seed of every random decision")
	duration := fs.Float64("duration", 300, "stop after this many seconds (the run is always bounded)")
	onlyUp := fs.Bool("up-only", false, "impair only client -> server")
	garbageRate := fs.Float64("garbage-rate", 0, "random datagrams per second sent to the server, each from a fresh port")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *forwardAddr == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "kcp-relay: --forward HOST:PORT is required (and no positional arguments)")
		return 2
	}
	for _, p := range []float64{*loss, *reorder, *duplicate, *corrupt} {
		if p < 0 || p > 1 {
			fmt.Fprintln(stderr, "kcp-relay: probabilities are 0..1")
			return 2
		}
	}
	if *duration <= 0 || *garbageRate < 0 || *garbageRate > 100000 || *delayMs < 0 || *jitterMs < 0 || *reorderMs < 0 {
		fmt.Fprintln(stderr, "kcp-relay: --duration must be > 0 and delays >= 0")
		return 2
	}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	imp := impairment{*loss, *reorder, *duplicate, *corrupt, ms(*delayMs), ms(*jitterMs), ms(*reorderMs)}
	clean := impairment{}
	if !*onlyUp {
		clean = imp
	}

	forward, err := net.ResolveUDPAddr("udp", *forwardAddr)
	if err != nil {
		fmt.Fprintf(stderr, "kcp-relay: --forward: %v\n", err)
		return 2
	}
	laddr, err := net.ResolveUDPAddr("udp", *listenAddr)
	if err != nil {
		fmt.Fprintf(stderr, "kcp-relay: --listen: %v\n", err)
		return 2
	}
	conn, err := net.ListenUDP("udp", laddr)
	if err != nil {
		fmt.Fprintf(stderr, "kcp-relay: %v\n", err)
		return 1
	}
	sched := newScheduler()
	r := &relay{
		listen: conn, forward: forward, stderr: stderr,
		// Two independent streams from one seed: the directions do not perturb each other.
		up:       &direction{imp: imp, rng: rand.New(rand.NewPCG(*seed, 1)), sched: sched},
		down:     &direction{imp: clean, rng: rand.New(rand.NewPCG(*seed, 2)), sched: sched},
		upstream: map[string]*net.UDPConn{},
	}
	fmt.Fprintf(stdout, "listening %s\n", conn.LocalAddr())
	began := time.Now()
	go r.serveClients()
	var garbage atomic.Uint64
	if *garbageRate > 0 {
		go sendGarbage(forward, *garbageRate, rand.New(rand.NewPCG(*seed, 3)), &garbage, sched.done)
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-signals:
	case <-time.After(time.Duration(*duration * float64(time.Second))):
	}
	conn.Close()
	sched.stop()
	r.mu.Lock()
	clients := len(r.upstream)
	for _, c := range r.upstream {
		c.Close()
	}
	r.mu.Unlock()
	report := Report{Seed: *seed, Clients: clients, Seconds: time.Since(began).Seconds(),
		Up: r.up.snapshot(), Down: r.down.snapshot(), Garbage: garbage.Load()}
	line, _ := json.Marshal(report)
	fmt.Fprintln(stdout, string(line))
	return 0
}

// serveClients reads what clients send and forwards it through each client's upstream.
func (r *relay) serveClients() {
	buf := make([]byte, 65536)
	for {
		n, client, err := r.listen.ReadFromUDP(buf)
		if err != nil {
			return // closed at the end of the run
		}
		up, err := r.upstreamFor(client)
		if err != nil {
			fmt.Fprintf(r.stderr, "kcp-relay: upstream for %v: %v\n", client, err)
			continue
		}
		r.up.send(buf[:n], func(b []byte) error { _, err := up.Write(b); return err })
	}
}

func (r *relay) upstreamFor(client *net.UDPAddr) (*net.UDPConn, error) {
	key := client.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.upstream[key]; ok {
		return c, nil
	}
	c, err := net.DialUDP("udp", nil, r.forward)
	if err != nil {
		return nil, err
	}
	r.upstream[key] = c
	go r.serveReplies(c, client)
	return c, nil
}

// serveReplies carries the server's datagrams for one client back to it.
func (r *relay) serveReplies(up *net.UDPConn, client *net.UDPAddr) {
	buf := make([]byte, 65536)
	for {
		n, err := up.Read(buf)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				continue // ICMP port unreachable (server not up yet, or restarting): keep going
			}
			return
		}
		r.down.send(buf[:n], func(b []byte) error { _, err := r.listen.WriteToUDP(b, client); return err })
	}
}

// sendGarbage sends random datagrams (1..1400 bytes) to the server, each from a new
// socket so they come from many addresses, until done closes.
func sendGarbage(server *net.UDPAddr, perSecond float64, rng *rand.Rand, sent *atomic.Uint64, done <-chan struct{}) {
	tick := time.NewTicker(time.Duration(float64(time.Second) / perSecond))
	defer tick.Stop()
	junk := make([]byte, 1400)
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		conn, err := net.DialUDP("udp", nil, server)
		if err != nil {
			continue
		}
		n := 1 + rng.IntN(len(junk))
		for i := 0; i < n; i++ {
			junk[i] = byte(rng.Uint32())
		}
		if _, err := conn.Write(junk[:n]); err == nil {
			sent.Add(1)
		}
		conn.Close()
	}
}
