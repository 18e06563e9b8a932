package kcptun

import (
	"flag"
	"fmt"

	kcp "github.com/xtaci/kcp-go/v5"
)

// Flags are kcptun's cipher, FEC and timing options, as the interop tools take them.
type Flags struct {
	Crypt, Key             string
	DataShard, ParityShard int
	Mode                   string
	Manual                 NoDelay // used when Mode is "manual"
}

// Register adds --crypt --key --datashard --parityshard --mode --nodelay --interval
// --resend --nc to fs, starting from defaults.
func (f *Flags) Register(fs *flag.FlagSet, defaults Flags) {
	fs.StringVar(&f.Crypt, "crypt", defaults.Crypt, "kcptun cipher: "+fmt.Sprint(CipherNames()))
	fs.StringVar(&f.Key, "key", defaults.Key, "kcptun pre-shared secret (PBKDF2-HMAC-SHA1, salt kcp-go, 4096 rounds)")
	fs.IntVar(&f.DataShard, "datashard", defaults.DataShard, "FEC data shards (0 with --parityshard 0: FEC off)")
	fs.IntVar(&f.ParityShard, "parityshard", defaults.ParityShard, "FEC parity shards")
	fs.StringVar(&f.Mode, "mode", defaults.Mode, "normal, fast, fast2, fast3 or manual (then --nodelay --interval --resend --nc)")
	fs.IntVar(&f.Manual.NoDelay, "nodelay", defaults.Manual.NoDelay, "manual mode: KCP nodelay")
	fs.IntVar(&f.Manual.Interval, "interval", defaults.Manual.Interval, "manual mode: KCP interval (ms)")
	fs.IntVar(&f.Manual.Resend, "resend", defaults.Manual.Resend, "manual mode: KCP fast resend")
	fs.IntVar(&f.Manual.NC, "nc", defaults.Manual.NC, "manual mode: 1 turns congestion control off")
}

// Check validates the shard counts and the mode.
func (f *Flags) Check() error {
	if f.DataShard < 0 || f.ParityShard < 0 || f.DataShard+f.ParityShard > 255 {
		return fmt.Errorf("--datashard/--parityshard must be >= 0 with at most 255 shards in all")
	}
	_, err := ModeNoDelay(f.Mode, f.Manual)
	return err
}

// NoDelay is the quadruple the mode stands for (after Check).
func (f *Flags) NoDelay() NoDelay {
	nd, _ := ModeNoDelay(f.Mode, f.Manual)
	return nd
}

// Block builds the cipher from --crypt and --key (nil for "null"); ErrUnsupported marks
// a name this build cannot provide.
func (f *Flags) Block() (kcp.BlockCrypt, error) { return NewBlock(f.Crypt, DeriveKey(f.Key)) }
