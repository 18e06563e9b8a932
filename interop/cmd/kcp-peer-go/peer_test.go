package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/peerproto"
)

// listening starts a listening run and returns its address and a channel with its
// exit code and stdout.
func listening(t *testing.T, args ...string) (string, <-chan runResult) {
	t.Helper()
	stdoutReader, stdoutWriter := io.Pipe()
	done := make(chan runResult, 1)
	var out bytes.Buffer
	go func() {
		code := run(append([]string{"--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), stdoutWriter, io.Discard)
		stdoutWriter.Close()
		done <- runResult{code: code}
	}()
	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "listening ") {
		t.Fatalf("listener printed %q first, want `listening ADDR`", lines.Text())
	}
	addr := strings.TrimPrefix(lines.Text(), "listening ")
	result := make(chan runResult, 1)
	go func() {
		for lines.Scan() {
			out.WriteString(lines.Text() + "\n")
		}
		r := <-done
		r.stdout = out.String()
		result <- r
	}()
	return addr, result
}

type runResult struct {
	code   int
	stdout string
}

func dialing(args ...string) runResult {
	var out bytes.Buffer
	code := run(args, strings.NewReader(""), &out, io.Discard)
	return runResult{code, out.String()}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func expectedLine(seed, n uint64) string {
	return peerproto.ResultLine(peerproto.StreamDigest(seed, n), n)
}

func TestSourceToListeningSink(t *testing.T) {
	addr, sink := listening(t, "sink", "--timeout", "20", "--crypt", "aes-128")
	source := dialing("--dial", addr, "source", "300000", "--seed", "9", "--timeout", "20", "--crypt", "aes-128")
	got := <-sink
	want := expectedLine(9, 300000)
	if source.code != exitOK || got.code != exitOK {
		t.Fatalf("exit codes source %d sink %d", source.code, got.code)
	}
	if lastLine(source.stdout) != want || lastLine(got.stdout) != want {
		t.Fatalf("result lines\nsource %q\nsink   %q\nwant   %q", lastLine(source.stdout), lastLine(got.stdout), want)
	}
	if !strings.HasPrefix(source.stdout, "throughput ") {
		t.Fatalf("no throughput line before the result: %q", source.stdout)
	}
}

func TestListeningSourceToDialingSinkInStreamModeWithoutFEC(t *testing.T) {
	flags := []string{"--timeout", "20", "--crypt", "none", "--datashard", "0", "--parityshard", "0", "--stream"}
	addr, source := listening(t, append([]string{"source", "100001", "--seed", "3"}, flags...)...)
	sink := dialing(append([]string{"--dial", addr, "sink"}, flags...)...)
	got := <-source
	want := expectedLine(3, 100001)
	if sink.code != exitOK || got.code != exitOK || lastLine(sink.stdout) != want || lastLine(got.stdout) != want {
		t.Fatalf("sink %d %q, source %d %q, want %q", sink.code, sink.stdout, got.code, got.stdout, want)
	}
}

func TestEchoRoundTripsAndServerEndsAtItsBound(t *testing.T) {
	addr, server := listening(t, "echo", "--timeout", "3", "--crypt", "null")
	client := dialing("--dial", addr, "echo", "200000", "--chunk", "50000", "--timeout", "10", "--crypt", "null", "--quiet")
	if client.code != exitOK || client.stdout != expectedLine(1, 200000)+"\n" {
		t.Fatalf("echo client: %d %q", client.code, client.stdout)
	}
	select {
	case r := <-server:
		if r.code != exitOK {
			t.Fatalf("echo server ended with %d at its time bound, want 0", r.code)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("echo server ran past its --timeout")
	}
}

func TestSinkWithoutSourceTimesOutAsFailure(t *testing.T) {
	began := time.Now()
	r := dialing("--dial", "127.0.0.1:9", "sink", "--timeout", "1")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d", r.code, exitFailed)
	}
	if time.Since(began) > 5*time.Second {
		t.Fatalf("--timeout 1 took %v", time.Since(began))
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"--dial", "127.0.0.1:9", "sink", "--crypt", "rot13"}, exitUnsupported},
		{[]string{"--dial", "127.0.0.1:9"}, exitUsage},
		{[]string{"--dial", "127.0.0.1:9", "--listen", "127.0.0.1:0", "sink"}, exitUsage},
		{[]string{"--dial", "127.0.0.1:9", "source"}, exitUsage},
		{[]string{"--listen", "127.0.0.1:0", "echo", "5"}, exitUsage},
		{[]string{"--dial", "127.0.0.1:9", "sink", "--mode", "turbo"}, exitUsage},
		{[]string{"--dial", "127.0.0.1:9", "sink", "--datashard", "200", "--parityshard", "100"}, exitUsage},
		{[]string{"gen", "10"}, exitOK},
		{[]string{"--dial", "127.0.0.1:9", "sink", "--profile", "ikcp"}, exitUnsupported},
	}
	for _, c := range cases {
		if got := dialing(c.args...); got.code != c.want {
			t.Errorf("%v: exit %d, want %d", c.args, got.code, c.want)
		}
	}
}

func TestFlagsMayFollowTheMode(t *testing.T) {
	o, err := parseArgs([]string{"--dial", "h:1", "source", "77", "--seed", "5", "--acknodelay", "--mode", "fast3"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.action != "source" || o.count != 77 || o.seed != 5 || !o.ackNoDelay || o.link.Mode != "fast3" {
		t.Fatalf("parsed %+v", o)
	}
	if o.sndwnd != 128 || o.rcvwnd != 512 {
		t.Fatalf("dialer windows %d/%d, want kcptun's 128/512", o.sndwnd, o.rcvwnd)
	}
}

func TestGenPrintsTheStreamDigest(t *testing.T) {
	r := dialing("gen", "1000", "--seed", "2")
	if r.stdout != fmt.Sprintln(expectedLine(2, 1000)) {
		t.Fatalf("gen printed %q", r.stdout)
	}
}

func TestGarbageFromOtherAddressesIsCountedAndTheTransferCompletes(t *testing.T) {
	addr, sink := listening(t, "sink", "--timeout", "20", "--crypt", "aes-128")
	before := kcp.DefaultSnmp.Copy().InCsumErrors
	stop := make(chan struct{})
	sent := make(chan int, 1)
	go func() {
		rng := rand.New(rand.NewPCG(5, 6))
		count := 0
		defer func() { sent <- count }()
		for {
			conn, err := net.Dial("udp", addr) // a fresh source port each time
			if err != nil {
				return
			}
			junk := make([]byte, 1+rng.IntN(1500))
			for i := range junk {
				junk[i] = byte(rng.Uint32())
			}
			conn.Write(junk)
			conn.Close()
			count++
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	source := dialing("--dial", addr, "source", "2000000", "--timeout", "20", "--crypt", "aes-128")
	close(stop)
	junk := <-sent
	got := <-sink
	want := expectedLine(1, 2000000)
	if source.code != exitOK || got.code != exitOK || lastLine(got.stdout) != want {
		t.Fatalf("with %d garbage datagrams: source %d, sink %d %q", junk, source.code, got.code, lastLine(got.stdout))
	}
	if counted := kcp.DefaultSnmp.Copy().InCsumErrors - before; junk < 10 || counted == 0 {
		t.Fatalf("%d garbage datagrams, %d counted as checksum errors", junk, counted)
	}
}

func TestCatThroughAnEchoServerEndsAfterStdinAndIdle(t *testing.T) {
	addr, _ := listening(t, "echo", "--timeout", "10", "--crypt", "xor")
	text := strings.Repeat("kcpkit interop cat line\n", 2000)
	var out bytes.Buffer
	began := time.Now()
	code := run([]string{"--dial", addr, "cat", "--timeout", "10", "--crypt", "xor"}, strings.NewReader(text), &out, io.Discard)
	if code != exitOK || out.String() != text {
		t.Fatalf("cat: exit %d, %d of %d bytes back", code, out.Len(), len(text))
	}
	if elapsed := time.Since(began); elapsed > 5*time.Second {
		t.Fatalf("cat took %v after stdin ended, want about 1 s of idle", elapsed)
	}
}
