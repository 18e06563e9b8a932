// Command kcp-peer-go is the kcp-go side of the interop matrix: a peer on kcp-go (v5.6.72,
// or v5.6.1 when built with -modfile=v561/go.mod -tags kcpgo561) with the same command
// line, transfer protocol, output lines and exit codes as net/'s kcp-peer
// (docs/interop.md).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/kcptun"
	"kcpkit/interop/internal/peerproto"
	"kcpkit/interop/internal/pin"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// peer is one run: its options and where its lines go.
type peer struct {
	opts     *options
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	deadline time.Time // zero: unbounded
	block    kcp.BlockCrypt
	noDelay  kcptun.NoDelay

	exitOnce sync.Once
	exitCode chan int
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "kcp-peer-go: %v\n", err)
		return exitUsage
	}
	if opts.action == "gen" {
		fmt.Fprintln(stdout, peerproto.ResultLine(peerproto.StreamDigest(opts.seed, opts.count), opts.count))
		return exitOK
	}
	p := &peer{opts: opts, stdin: stdin, stdout: stdout, stderr: stderr, exitCode: make(chan int, 1)}
	if code := p.setUp(); code != exitOK {
		return code
	}
	start := time.Now()
	if opts.timeout > 0 {
		p.deadline = start.Add(opts.timeout)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	go p.connectAndRun()

	var bound <-chan time.Time
	if opts.timeout > 0 {
		// A little after the sessions' own deadlines, in case a call ignores them.
		bound = time.After(opts.timeout + 2*time.Second)
	}
	var code int
	select {
	case code = <-p.exitCode:
	case s := <-signals:
		code = p.endWithoutCompletion("stopped by " + s.String())
	case <-bound:
		code = p.endWithoutCompletion(fmt.Sprintf("timeout after %v", opts.timeout))
	}
	p.printStats()
	return code
}

// setUp resolves the cipher and timing options; unsupported features give exit 127.
func (p *peer) setUp() int {
	o := p.opts
	if o.profile != "" && o.profile != pin.Reference {
		fmt.Fprintf(p.stderr, "kcp-peer-go: --profile %s: this build is %s (kcp-go %s)\n",
			o.profile, pin.Reference, pin.KCPVersion)
		return exitUnsupported
	}
	block, err := o.link.Block()
	if errors.Is(err, kcptun.ErrUnsupported) {
		fmt.Fprintf(p.stderr, "kcp-peer-go (kcp-go %s): %v\n", pin.KCPVersion, err)
		return exitUnsupported
	}
	if err != nil {
		fmt.Fprintf(p.stderr, "kcp-peer-go: %v\n", err)
		return exitFailed
	}
	p.block = block
	p.noDelay = o.link.NoDelay()
	return exitOK
}

// finish records the run's exit code (the first one wins).
func (p *peer) finish(code int) {
	p.exitOnce.Do(func() { p.exitCode <- code })
}

func (p *peer) fail(format string, args ...any) {
	fmt.Fprintf(p.stderr, "kcp-peer-go: "+format+"\n", args...)
	p.finish(exitFailed)
}

// endWithoutCompletion is the exit code when the run is cut short: serving modes end
// this way normally, transfer modes have failed.
func (p *peer) endWithoutCompletion(why string) int {
	if p.opts.serving() {
		return exitOK
	}
	fmt.Fprintf(p.stderr, "kcp-peer-go: %s before the transfer completed\n", why)
	return exitFailed
}

func (p *peer) connectAndRun() {
	o := p.opts
	if o.dial != "" {
		sess, err := kcp.DialWithOptions(o.dial, p.block, o.link.DataShard, o.link.ParityShard)
		if err != nil {
			p.fail("dial %s: %v", o.dial, err)
			return
		}
		if err := p.configure(sess, true); err != nil {
			p.fail("%v", err)
			return
		}
		p.runSession(sess, true)
		return
	}
	lis, err := kcp.ListenWithOptions(o.listen, p.block, o.link.DataShard, o.link.ParityShard)
	if err != nil {
		p.fail("listen %s: %v", o.listen, err)
		return
	}
	if err := p.configureListener(lis); err != nil {
		p.fail("%v", err)
		return
	}
	fmt.Fprintf(p.stdout, "listening %s\n", lis.Addr())
	if !p.deadline.IsZero() {
		lis.SetReadDeadline(p.deadline)
	}
	for {
		sess, err := lis.AcceptKCP()
		if err != nil {
			if p.opts.serving() {
				p.finish(exitOK) // the time bound ended the service
			} else {
				p.fail("accept: %v", err)
			}
			return
		}
		if err := p.configure(sess, false); err != nil {
			p.fail("%v", err)
			return
		}
		if o.action == "echo" {
			go serveEcho(sess)
			continue
		}
		p.runSession(sess, false) // one transfer per listening run
		return
	}
}

// configure applies the options as kcptun does to every session it makes.
func (p *peer) configure(sess *kcp.UDPSession, dialer bool) error {
	o := p.opts
	sess.SetStreamMode(o.stream)
	sess.SetWriteDelay(false)
	sess.SetNoDelay(p.noDelay.NoDelay, p.noDelay.Interval, p.noDelay.Resend, p.noDelay.NC)
	if !sess.SetMtu(o.mtu) {
		return fmt.Errorf("--mtu %d refused by kcp-go %s", o.mtu, pin.KCPVersion)
	}
	sess.SetWindowSize(o.sndwnd, o.rcvwnd)
	sess.SetACKNoDelay(o.ackNoDelay)
	if !p.deadline.IsZero() {
		sess.SetDeadline(p.deadline)
	}
	if !dialer {
		return nil // the listener's socket carries DSCP and buffers
	}
	if o.dscp != 0 {
		if err := sess.SetDSCP(o.dscp); err != nil {
			fmt.Fprintf(p.stderr, "kcp-peer-go: SetDSCP: %v\n", err) // kcptun only logs it
		}
	}
	if err := sess.SetReadBuffer(o.sockbuf); err != nil {
		return fmt.Errorf("SetReadBuffer: %w", err)
	}
	return sess.SetWriteBuffer(o.sockbuf)
}

func (p *peer) configureListener(lis *kcp.Listener) error {
	o := p.opts
	if o.dscp != 0 {
		if err := lis.SetDSCP(o.dscp); err != nil {
			fmt.Fprintf(p.stderr, "kcp-peer-go: SetDSCP: %v\n", err)
		}
	}
	if err := lis.SetReadBuffer(o.sockbuf); err != nil {
		return fmt.Errorf("SetReadBuffer: %w", err)
	}
	return lis.SetWriteBuffer(o.sockbuf)
}

func (p *peer) runSession(sess *kcp.UDPSession, dialer bool) {
	switch p.opts.action {
	case "source":
		p.finish(p.source(sess, dialer))
	case "sink":
		p.finish(p.sink(sess, dialer))
	case "echo":
		p.finish(p.echoClient(sess))
	case "cat":
		p.finish(p.cat(sess))
	}
	// Close runs kcp-go's last flush; nothing more is needed on either version.
	sess.Close()
}

// printStats writes kcp-go's DefaultSnmp as one JSON object, in kcp-go's column order.
func (p *peer) printStats() {
	if p.opts.stats != "json" {
		return
	}
	snmp := kcp.DefaultSnmp.Copy()
	names, values := snmp.Header(), snmp.ToSlice()
	fields := make([]string, len(names))
	for i, name := range names {
		fields[i] = fmt.Sprintf("%q:%s", name, values[i])
	}
	fmt.Fprintf(p.stderr, "{%s}\n", strings.Join(fields, ","))
}
