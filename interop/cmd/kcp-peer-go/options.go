package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"kcpkit/interop/internal/kcptun"
	"kcpkit/interop/internal/pin"
)

// Exit codes shared with net/'s kcp-peer (docs/interop.md).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnsupported = 127
)

// options is the command line: kcptun's flag names, meanings and defaults, plus the
// peer's own (--stream, --timeout, --stats, --seed, --chunk).
type options struct {
	listen, dial string
	action       string // echo, sink, source, cat, gen
	count        uint64 // N of `source N`, `echo N`, `gen N`
	hasCount     bool

	link                kcptun.Flags // --crypt --key --datashard --parityshard --mode (+ manual)
	mtu, sndwnd, rcvwnd int
	dscp, sockbuf       int
	ackNoDelay, stream  bool
	timeout             time.Duration
	stats               string
	seed                uint64
	chunk               int
	quiet               bool
	profile             string // kcp-peer's --profile: accepted only when it names this build's kcp-go
}

const usageText = `usage: kcp-peer-go (--listen ADDR | --dial ADDR) MODE [flags]
       kcp-peer-go gen N [--seed S]
modes:
  sink         receive one transfer, print its sha256, reply with the digest
  source N     send one transfer of N bytes of the --seed stream, check the sink's digest
  echo         (--listen) return every byte of every session to its sender
  echo N       (--dial) send N bytes in --chunk pieces, read each back, check it
  cat          stdin to the session, the session to stdout
  gen N        print the sha256 of the first N bytes of the --seed stream (no network)
`

// parseArgs accepts flags before, between and after the positional words, as
// Boost.Program_options does for the C++ peer.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("kcp-peer-go", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText+"flags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.listen, "listen", "", "listen on ADDR (host:port; port 0 picks one, printed as 'listening ADDR')")
	fs.StringVar(&o.dial, "dial", "", "dial ADDR (host:port)")
	// kcptun's defaults: AES-256, FEC 10+3, mode fast, manual 0/50/0/0.
	o.link.Register(fs, kcptun.Flags{Crypt: "aes", Key: kcptun.DefaultKey, DataShard: 10, ParityShard: 3,
		Mode: "fast", Manual: kcptun.NoDelay{NoDelay: 0, Interval: 50, Resend: 0, NC: 0}})
	fs.IntVar(&o.mtu, "mtu", 1350, "MTU: the whole UDP payload")
	fs.IntVar(&o.sndwnd, "sndwnd", 0, "send window in packets (default: 128 dialing, 1024 listening, as kcptun)")
	fs.IntVar(&o.rcvwnd, "rcvwnd", 0, "receive window in packets (default: 512 dialing, 1024 listening, as kcptun)")
	fs.IntVar(&o.dscp, "dscp", 0, "DSCP (6 bit)")
	fs.IntVar(&o.sockbuf, "sockbuf", 4194304, "socket send and receive buffer bytes")
	fs.BoolVar(&o.ackNoDelay, "acknodelay", false, "flush ACKs immediately")
	fs.BoolVar(&o.stream, "stream", false, "KCP stream mode (kcptun runs with it on)")
	timeoutSeconds := fs.Float64("timeout", 60, "bound on the whole run in seconds (0: none)")
	fs.StringVar(&o.stats, "stats", "", "json: kcp-go's DefaultSnmp as one JSON object on stderr at exit")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the payload stream")
	fs.IntVar(&o.chunk, "chunk", 65536, "bytes per Write (echo N: per round trip)")
	fs.BoolVar(&o.quiet, "quiet", false, "no throughput line")
	fs.StringVar(&o.profile, "profile", "", "behaviour profile (kcp-peer's flag): only this build's, "+pin.Reference+", is available")

	var words []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := o.takeWords(words); err != nil {
		return nil, err
	}
	if *timeoutSeconds < 0 {
		return nil, errors.New("--timeout must be >= 0")
	}
	o.timeout = time.Duration(*timeoutSeconds * float64(time.Second))
	return o, o.check()
}

func (o *options) takeWords(words []string) error {
	if len(words) == 0 {
		return errors.New("no mode given (sink, source N, echo [N], cat, gen N)")
	}
	o.action = words[0]
	switch o.action {
	case "sink", "cat":
		if len(words) != 1 {
			return fmt.Errorf("%s takes no argument", o.action)
		}
	case "source", "gen", "echo":
		if len(words) > 2 || (len(words) == 1 && o.action != "echo") {
			return fmt.Errorf("usage: %s N", o.action)
		}
		if len(words) == 2 {
			n, err := strconv.ParseUint(words[1], 10, 64)
			if err != nil {
				return fmt.Errorf("%s N: %q is not a byte count", o.action, words[1])
			}
			o.count, o.hasCount = n, true
		}
	default:
		return fmt.Errorf("unknown mode %q", o.action)
	}
	return nil
}

func (o *options) check() error {
	if o.action == "gen" {
		return nil
	}
	if (o.listen == "") == (o.dial == "") {
		return errors.New("give exactly one of --listen ADDR and --dial ADDR")
	}
	if o.action == "echo" && o.hasCount != (o.dial != "") {
		return errors.New("echo N dials (it checks what comes back); a listening echo takes no N")
	}
	if o.stats != "" && o.stats != "json" {
		return fmt.Errorf("--stats %q: only json is known", o.stats)
	}
	if err := o.link.Check(); err != nil {
		return err
	}
	if o.chunk <= 0 {
		return errors.New("--chunk must be > 0")
	}
	if o.dscp < 0 || o.dscp > 63 {
		return errors.New("--dscp must be 0..63")
	}
	if o.sndwnd == 0 {
		o.sndwnd = map[bool]int{true: 128, false: 1024}[o.dial != ""]
	}
	if o.rcvwnd == 0 {
		o.rcvwnd = map[bool]int{true: 512, false: 1024}[o.dial != ""]
	}
	if o.sndwnd < 0 || o.rcvwnd < 0 {
		return errors.New("--sndwnd/--rcvwnd must be > 0")
	}
	return nil
}

// serving reports whether the mode ends at its time bound rather than on completion.
func (o *options) serving() bool {
	return o.action == "cat" || (o.action == "echo" && !o.hasCount)
}
