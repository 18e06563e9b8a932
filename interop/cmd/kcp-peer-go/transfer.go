package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/peerproto"
)

const (
	// sinkLinger bounds how long a sink waits for the source's bye after sending its
	// digest; a lost bye costs only this wait.
	sinkLinger = 5 * time.Second
	// byeGrace keeps a source alive briefly after its bye so KCP can retransmit it.
	byeGrace = 200 * time.Millisecond
)

// source sends one transfer: header, N stream bytes, then waits for the digest.
func (p *peer) source(sess *kcp.UDPSession, dialer bool) int {
	n := p.opts.count
	if !dialer {
		// The dialing sink opens the session with its start byte.
		var start [1]byte
		if _, err := io.ReadFull(sess, start[:]); err != nil {
			return p.failed("waiting for the sink's start byte: %v", err)
		}
		if start[0] != peerproto.StartByte {
			return p.failed("expected the start byte 0x%02x, got 0x%02x", peerproto.StartByte, start[0])
		}
	}
	began := time.Now()
	header := peerproto.EncodeHeader(n)
	if _, err := sess.Write(header[:]); err != nil {
		return p.failed("writing the header: %v", err)
	}
	stream := peerproto.NewStream(p.opts.seed)
	hash := sha256.New()
	shown, endProgress := p.startProgress(n)
	defer endProgress()
	counted := io.MultiWriter(hash, shown)
	buf := make([]byte, p.opts.chunk)
	for sent := uint64(0); sent < n; {
		piece := buf[:min(uint64(len(buf)), n-sent)]
		stream.Read(piece)
		counted.Write(piece)
		if _, err := sess.Write(piece); err != nil {
			return p.failed("after %d of %d bytes: %v", sent, n, err)
		}
		sent += uint64(len(piece))
	}
	var digest [peerproto.DigestSize]byte
	if _, err := io.ReadFull(sess, digest[:]); err != nil {
		return p.failed("all %d bytes sent, waiting for the sink's digest: %v", n, err)
	}
	elapsed := time.Since(began)
	endProgress()
	sess.Write([]byte{peerproto.ByeByte})
	time.Sleep(byeGrace)
	own := hash.Sum(nil)
	p.report(n, elapsed)
	fmt.Fprintln(p.stdout, peerproto.ResultLine(own, n))
	if !bytes.Equal(own, digest[:]) {
		return p.failed("the sink's digest %x differs from what was sent", digest)
	}
	return exitOK
}

// sink receives one transfer, prints its digest and returns it to the source.
func (p *peer) sink(sess *kcp.UDPSession, dialer bool) int {
	if dialer {
		if _, err := sess.Write([]byte{peerproto.StartByte}); err != nil {
			return p.failed("sending the start byte: %v", err)
		}
	}
	var header [peerproto.HeaderSize]byte
	if _, err := io.ReadFull(sess, header[:]); err != nil {
		return p.failed("waiting for the transfer header: %v", err)
	}
	began := time.Now()
	n, err := peerproto.DecodeHeader(header)
	if err != nil {
		return p.failed("%v", err)
	}
	hash := sha256.New()
	shown, endProgress := p.startProgress(n)
	defer endProgress()
	got, err := io.CopyBuffer(io.MultiWriter(hash, shown), io.LimitReader(sess, int64(n)), make([]byte, p.opts.chunk))
	if err != nil || uint64(got) != n {
		return p.failed("received %d of %d bytes: %v", got, n, err)
	}
	endProgress()
	elapsed := time.Since(began)
	digest := hash.Sum(nil)
	p.report(n, elapsed)
	fmt.Fprintln(p.stdout, peerproto.ResultLine(digest, n))
	if _, err := sess.Write(digest); err != nil {
		return p.failed("returning the digest: %v", err)
	}
	linger := time.Now().Add(sinkLinger)
	if !p.deadline.IsZero() && p.deadline.Before(linger) {
		linger = p.deadline
	}
	sess.SetReadDeadline(linger)
	var bye [1]byte
	if _, err := io.ReadFull(sess, bye[:]); err != nil {
		fmt.Fprintf(p.stderr, "kcp-peer-go: no bye from the source (%v); exiting anyway\n", err)
	} else if bye[0] != peerproto.ByeByte {
		return p.failed("expected the bye byte 0x%02x after the transfer, got 0x%02x", peerproto.ByeByte, bye[0])
	}
	return exitOK
}

// echoClient sends N stream bytes in --chunk pieces and reads each piece back before
// the next, so a piece is one round trip (the "echo of 1 MiB messages" benchmark).
func (p *peer) echoClient(sess *kcp.UDPSession) int {
	n := p.opts.count
	stream := peerproto.NewStream(p.opts.seed)
	hash := sha256.New()
	out := make([]byte, p.opts.chunk)
	back := make([]byte, p.opts.chunk)
	began := time.Now()
	for done := uint64(0); done < n; {
		size := min(uint64(len(out)), n-done)
		stream.Read(out[:size])
		if _, err := sess.Write(out[:size]); err != nil {
			return p.failed("after %d of %d bytes: %v", done, n, err)
		}
		if _, err := io.ReadFull(sess, back[:size]); err != nil {
			return p.failed("echo of bytes %d..%d: %v", done, done+size, err)
		}
		hash.Write(back[:size])
		if !bytes.Equal(out[:size], back[:size]) {
			fmt.Fprintln(p.stdout, peerproto.ResultLine(hash.Sum(nil), done+size))
			return p.failed("the echo of bytes %d..%d differs from what was sent", done, done+size)
		}
		done += size
	}
	p.report(n, time.Since(began))
	fmt.Fprintln(p.stdout, peerproto.ResultLine(hash.Sum(nil), n))
	return exitOK
}

// serveEcho returns every byte of a session to its sender until the session fails (its
// deadline, or the process ends: kcp-go sessions have no FIN).
func serveEcho(sess *kcp.UDPSession) {
	defer sess.Close()
	buf := make([]byte, 65536)
	for {
		n, err := sess.Read(buf)
		if err != nil {
			return
		}
		if _, err := sess.Write(buf[:n]); err != nil {
			return
		}
	}
}

// cat copies stdin to the session and the session to stdout. With no FIN in KCP it ends
// once stdin is at EOF and nothing has arrived for catIdle, or at the time bound.
func (p *peer) cat(sess *kcp.UDPSession) int {
	const catIdle = time.Second
	var stdinDone atomic.Bool
	go func() {
		io.Copy(sess, p.stdin)
		stdinDone.Store(true)
		sess.SetReadDeadline(p.earlier(time.Now().Add(catIdle)))
	}()
	buf := make([]byte, 65536)
	for {
		n, err := sess.Read(buf)
		if n > 0 {
			if _, werr := p.stdout.Write(buf[:n]); werr != nil {
				return p.failed("stdout: %v", werr)
			}
			if stdinDone.Load() {
				sess.SetReadDeadline(p.earlier(time.Now().Add(catIdle)))
			}
		}
		if err != nil {
			if stdinDone.Load() || p.timedOut() {
				return exitOK
			}
			return p.failed("%v", err)
		}
	}
}

func (p *peer) earlier(t time.Time) time.Time {
	if !p.deadline.IsZero() && p.deadline.Before(t) {
		return p.deadline
	}
	return t
}

func (p *peer) timedOut() bool { return !p.deadline.IsZero() && !time.Now().Before(p.deadline) }

// report prints the informative line before the result line (--quiet drops it).
func (p *peer) report(n uint64, elapsed time.Duration) {
	if p.opts.quiet {
		return
	}
	seconds := elapsed.Seconds()
	fmt.Fprintf(p.stdout, "throughput %.3f MB/s seconds %.6f\n", float64(n)/1e6/max(seconds, 1e-9), seconds)
}

func (p *peer) failed(format string, args ...any) int {
	fmt.Fprintf(p.stderr, "kcp-peer-go: "+format+"\n", args...)
	return exitFailed
}
