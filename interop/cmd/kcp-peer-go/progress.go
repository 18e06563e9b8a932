package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows bytes moved and the rate on one refreshed stderr line, only when
// stderr is a terminal (harnesses read the output, people watch the line).
type progress struct {
	moved atomic.Uint64
	stop  chan struct{}
	done  chan struct{}
}

// Write counts bytes, so progress can sit behind an io.MultiWriter.
func (pr *progress) Write(b []byte) (int, error) {
	pr.moved.Add(uint64(len(b)))
	return len(b), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// startProgress returns a counter; its line runs until end is called (end may be
// called more than once).
func (p *peer) startProgress(total uint64) (*progress, func()) {
	pr := &progress{stop: make(chan struct{}), done: make(chan struct{})}
	if !isTerminal(p.stderr) {
		return pr, func() {}
	}
	began := time.Now()
	go func() {
		defer close(pr.done)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-pr.stop:
				fmt.Fprint(p.stderr, "\r\033[K")
				return
			case <-tick.C:
				moved := pr.moved.Load()
				seconds := time.Since(began).Seconds()
				fmt.Fprintf(p.stderr, "\r\033[K%d / %d bytes  %.1f MB/s", moved, total, float64(moved)/1e6/seconds)
			}
		}
	}()
	var once sync.Once
	return pr, func() { once.Do(func() { close(pr.stop); <-pr.done }) }
}
