package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	kcp "github.com/xtaci/kcp-go/v5"
)

func echoServer(t *testing.T) string {
	t.Helper()
	lis, err := kcp.ListenWithOptions("127.0.0.1:0", nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	go func() {
		for {
			s, err := lis.AcceptKCP()
			if err != nil {
				return
			}
			s.SetStreamMode(true)
			go io.Copy(s, s)
		}
	}()
	return lis.Addr().String()
}

func runLoad(t *testing.T, args ...string) (int, Report) {
	t.Helper()
	var out bytes.Buffer
	code := run(args, &out, io.Discard)
	var r Report
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil && code != 2 {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	return code, r
}

func TestEverySessionStaysHealthyAgainstAnEchoServer(t *testing.T) {
	addr := echoServer(t)
	code, r := runLoad(t, "--dial", addr, "--sessions", "40", "--rate", "20", "--ramp", "0.3",
		"--duration", "1", "--grace", "1")
	if code != 0 || r.Opened != 40 || r.Healthy != 40 || r.Unhealthy != 0 {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	if r.MessagesSent < 40*10 || r.MessagesEchoed != r.MessagesSent || r.EchoErrors != 0 {
		t.Fatalf("messages: %+v", r)
	}
	if r.LatencyP50Ms <= 0 || r.LatencyMaxMs < r.LatencyP99Ms {
		t.Fatalf("latencies: %+v", r)
	}
}

func TestSessionsWithoutServerAreUnhealthy(t *testing.T) {
	code, r := runLoad(t, "--dial", "127.0.0.1:9", "--sessions", "5", "--rate", "10", "--ramp", "0",
		"--duration", "0.5", "--grace", "0.2")
	if code != 0 || r.Opened != 5 || r.Healthy != 0 || r.Unhealthy != 5 || r.MessagesEchoed != 0 {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}

func TestMessagesDetectAlteration(t *testing.T) {
	a, b := make([]byte, 64), make([]byte, 64)
	fillMessage(a, 3, 7, 12345)
	for i := range a {
		fillMessage(b, 3, 7, 12345)
		b[i] ^= 0x10
		if bytes.Equal(a, b) {
			t.Fatalf("flipping byte %d left the message equal", i)
		}
	}
	fillMessage(b, 3, 8, 12345)
	if bytes.Equal(a[20:], b[20:]) {
		t.Fatalf("the filler does not depend on the sequence number")
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{}, {"--dial", "h:1", "--size", "5"}, {"--dial", "h:1", "--sessions", "0"},
		{"--dial", "h:1", "--mode", "x"}, {"--dial", "h:1", "--duration", "5000"}} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
