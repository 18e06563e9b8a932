package main

import (
	"bufio"
	"encoding/json"
	"io"
	"math/bits"
	"net"
	"strings"
	"testing"
	"time"
)

// startRelay runs kcp-relay in front of a UDP echo server and returns the relay's
// address and a channel with its final report.
func startRelay(t *testing.T, args ...string) (*net.UDPAddr, <-chan Report) {
	t.Helper()
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := server.ReadFromUDP(buf)
			if err != nil {
				return
			}
			server.WriteToUDP(buf[:n], from)
		}
	}()
	out, outWriter := io.Pipe()
	go func() {
		run(append([]string{"--forward", server.LocalAddr().String()}, args...), outWriter, io.Discard)
		outWriter.Close()
	}()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "listening ") {
		t.Fatalf("first line %q", lines.Text())
	}
	addr, err := net.ResolveUDPAddr("udp", strings.TrimPrefix(lines.Text(), "listening "))
	if err != nil {
		t.Fatal(err)
	}
	reports := make(chan Report, 1)
	go func() {
		var r Report
		for lines.Scan() {
			json.Unmarshal(lines.Bytes(), &r)
		}
		reports <- r
	}()
	return addr, reports
}

// exchange sends count datagrams through the relay and collects what comes back.
func exchange(t *testing.T, relay *net.UDPAddr, count int) [][]byte {
	t.Helper()
	client, err := net.DialUDP("udp", nil, relay)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for i := 0; i < count; i++ {
		client.Write([]byte{byte(i), 0xAA, 0x55, 0x00})
		time.Sleep(200 * time.Microsecond) // keep the loopback socket buffers far from full
	}
	var got [][]byte
	client.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 64)
	for {
		n, err := client.Read(buf)
		if err != nil {
			return got
		}
		got = append(got, append([]byte(nil), buf[:n]...))
	}
}

func TestCleanRelayForwardsBothWaysInOrder(t *testing.T) {
	relay, reports := startRelay(t, "--duration", "1", "--delay", "2")
	got := exchange(t, relay, 50)
	if len(got) != 50 {
		t.Fatalf("%d of 50 came back", len(got))
	}
	for i, p := range got {
		if p[0] != byte(i) {
			t.Fatalf("datagram %d came back as number %d: a constant delay reordered", i, p[0])
		}
	}
	r := <-reports
	if r.Up.Packets != 50 || r.Up.Delivered != 50 || r.Down.Delivered != 50 || r.Clients != 1 {
		t.Fatalf("report %+v", r)
	}
}

func TestLossDuplicateAndCorruptAreCountedAndDone(t *testing.T) {
	relay, reports := startRelay(t, "--duration", "1", "--loss", "0.3", "--duplicate", "0.2",
		"--corrupt", "0.2", "--up-only", "--seed", "7")
	got := exchange(t, relay, 200)
	r := <-reports
	if r.Up.Dropped == 0 || r.Up.Duplicated == 0 || r.Up.Corrupted == 0 {
		t.Fatalf("nothing impaired: %+v", r.Up)
	}
	if r.Down.Dropped+r.Down.Duplicated+r.Down.Corrupted != 0 {
		t.Fatalf("--up-only impaired the way back: %+v", r.Down)
	}
	wantBack := r.Up.Packets - r.Up.Dropped + r.Up.Duplicated
	if uint64(len(got)) != wantBack || r.Up.Delivered != wantBack {
		t.Fatalf("%d came back, delivered %d, want %d", len(got), r.Up.Delivered, wantBack)
	}
	flipped := 0
	for _, p := range got {
		diff := 0
		for i, want := range []byte{p[0], 0xAA, 0x55, 0x00} {
			if i > 0 {
				diff += bits.OnesCount8(p[i] ^ want)
			}
		}
		if diff > 1 {
			t.Fatalf("datagram %x has %d bits changed, corruption flips one", p, diff)
		}
		flipped += diff
	}
	if flipped == 0 {
		t.Fatalf("no corrupted datagram came back")
	}
}

func TestSameSeedSameDecisions(t *testing.T) {
	counts := func() Counts {
		relay, reports := startRelay(t, "--duration", "1", "--loss", "0.25", "--duplicate", "0.1", "--seed", "42")
		exchange(t, relay, 100)
		return (<-reports).Up
	}
	a, b := counts(), counts()
	if a.Dropped != b.Dropped || a.Duplicated != b.Duplicated {
		t.Fatalf("seed 42 gave %+v then %+v", a, b)
	}
}

func TestReorderLetsLaterDatagramsOvertake(t *testing.T) {
	relay, reports := startRelay(t, "--duration", "1", "--reorder", "0.3", "--reorder-ms", "5", "--up-only")
	got := exchange(t, relay, 100)
	overtaken := 0
	for i := 1; i < len(got); i++ {
		if got[i][0] < got[i-1][0] {
			overtaken++
		}
	}
	if r := <-reports; r.Up.Reordered == 0 || overtaken == 0 || len(got) != 100 {
		t.Fatalf("reordered %d, overtaken %d, back %d", r.Up.Reordered, overtaken, len(got))
	}
}

func TestBadArgumentsAreRefused(t *testing.T) {
	for _, args := range [][]string{{}, {"--forward", "127.0.0.1:1", "--loss", "2"},
		{"--forward", "127.0.0.1:1", "--duration", "0"}, {"--forward", "127.0.0.1:1", "extra"}} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestGarbageIsSentFromManyPorts(t *testing.T) {
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	out, outWriter := io.Pipe()
	go func() {
		run([]string{"--forward", server.LocalAddr().String(), "--duration", "0.5", "--garbage-rate", "200"}, outWriter, io.Discard)
		outWriter.Close()
	}()
	go io.Copy(io.Discard, out)
	ports := map[int]bool{}
	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 2048)
	for len(ports) < 20 {
		_, from, err := server.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("only %d garbage sources seen: %v", len(ports), err)
		}
		ports[from.Port] = true
	}
}
