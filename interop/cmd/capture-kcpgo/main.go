//go:build go1.25

// Command capture-kcpgo records kcpvec/1 `kcp-trace` vectors from kcp-go's KCP core.
//
// It drives two kcp-go *kcp.KCP objects (A and B) through a seeded scenario on a virtual
// impaired link (loss, delay, jitter and reordering, duplication, FEC-recovered copies,
// corrupted datagrams, blackouts, a reader that stops reading) and writes, for each
// endpoint, every call made on it with the clock value kcp-go saw and everything it did
// in answer. kcp-go's source is not modified.
//
// Time: kcp-go reads `currentMs()` (wall time since its package was initialised) inside
// Input, flush, Update and Check. Each scenario runs inside a testing/synctest bubble,
// whose fake clock only moves when the only goroutine sleeps, so every reading inside one
// call is the same value: the step's `t`. That value is read through kcp-go's exported
// API (Check() of a KCP that was never updated returns currentMs()), and the scenario
// first sleeps (instantly, in fake time) until currentMs() equals a seed-chosen start, so
// a seed always gives the same file.
//
// synctest.Test needs a *testing.T, so main runs the capture as a test through
// testing.Main.
//
// Usage (from interop/):
//
//	go run ./cmd/capture-kcpgo -seeds 1-40 -out ../vectors/kcpgo-v5.6.72-trace-seeds-1-40.json.gz
//	go run ./cmd/capture-kcpgo -random 30 -out /tmp/fresh.json.gz
//
// kcp-go v5.6.1 (the same source against another go.mod, see ../../v561/README.md):
//
//	go run -modfile=v561/go.mod -tags kcpgo561 ./cmd/capture-kcpgo -seeds 1-20 -out ...
package main

import (
	crand "crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	"kcpkit/interop/internal/vecfile"
)

var (
	seedsFlag  = flag.String("seeds", "1-40", "seeds to capture: a range 1-40, or a list 3,7,9")
	randomFlag = flag.Int("random", 0, "capture this many fresh random seeds instead of -seeds")
	outFlag    = flag.String("out", "", "output file (.json or .json.gz)")
	quietFlag  = flag.Bool("quiet", false, "no per-case summary on stderr")
)

func parseSeeds(spec string) ([]uint64, error) {
	var seeds []uint64
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if lo, hi, ok := strings.Cut(part, "-"); ok {
			a, err1 := strconv.ParseUint(lo, 10, 64)
			b, err2 := strconv.ParseUint(hi, 10, 64)
			if err1 != nil || err2 != nil || b < a {
				return nil, fmt.Errorf("bad seed range %q", part)
			}
			for s := a; s <= b; s++ {
				seeds = append(seeds, s)
			}
			continue
		}
		s, err := strconv.ParseUint(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad seed %q", part)
		}
		seeds = append(seeds, s)
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("no seeds in %q", spec)
	}
	return seeds, nil
}

func randomSeeds(n int) []uint64 {
	seeds := make([]uint64, n)
	var b [8]byte
	for i := range seeds {
		if _, err := crand.Read(b[:]); err != nil {
			panic(err)
		}
		seeds[i] = 1000 + binary.LittleEndian.Uint64(b[:])%(1<<31)
	}
	return seeds
}

func capture(t *testing.T, seeds []uint64) []*caseTrace {
	var cases []*caseTrace
	for _, seed := range seeds {
		// One bubble per seed: its fake clock starts afresh.
		synctest.Test(t, func(t *testing.T) {
			a, b := runScenario(seed)
			cases = append(cases, a, b)
		})
		if !*quietFlag {
			for _, c := range cases[len(cases)-2:] {
				fmt.Fprintf(os.Stderr, "%s: %d steps, %d datagrams out, flags %v\n",
					c.name, len(c.steps), c.datagramsOut, c.flags)
			}
		}
	}
	return cases
}

func writeFile(path string, cases []*caseTrace, seeds []uint64) error {
	return vecfile.Stream(path, vecfile.FixedModTime, func(w io.Writer) error {
		return writeDocument(w, cases, seeds)
	})
}

func main() {
	testing.Init()
	flag.Parse()
	if *outFlag == "" {
		fmt.Fprintln(os.Stderr, "capture-kcpgo: -out is required")
		os.Exit(2)
	}
	var seeds []uint64
	if *randomFlag > 0 {
		seeds = randomSeeds(*randomFlag)
		fmt.Fprintf(os.Stderr, "capture-kcpgo: random seeds %v\n", seeds)
	} else {
		var err error
		if seeds, err = parseSeeds(*seedsFlag); err != nil {
			fmt.Fprintln(os.Stderr, "capture-kcpgo:", err)
			os.Exit(2)
		}
	}
	run := func(t *testing.T) {
		cases := capture(t, seeds)
		if err := writeFile(*outFlag, cases, seeds); err != nil {
			t.Fatal(err)
		}
	}
	testing.Main(func(string, string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "CaptureKcpGo", F: run}}, nil, nil)
}
