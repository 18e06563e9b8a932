package kcptun

import "fmt"

// NoDelay holds KCP's nodelay/interval/resend/nc quadruple.
type NoDelay struct{ NoDelay, Interval, Resend, NC int }

// Mode is one of kcptun's named --mode presets.
type Mode struct {
	Name    string
	NoDelay NoDelay
}

// Modes is kcptun's preset table, in its order: the only Go copy. The C++ copy is
// protocol/kcptun/kcptun.cpp; both are tested against the literal list in modes.json.
var Modes = []Mode{
	{"normal", NoDelay{0, 40, 2, 1}},
	{"fast", NoDelay{0, 30, 2, 1}},
	{"fast2", NoDelay{1, 20, 2, 1}},
	{"fast3", NoDelay{1, 10, 2, 1}},
}

// DefaultMode is kcptun's --mode default.
const DefaultMode = "fast"

// ManualMode takes the quadruple from --nodelay --interval --resend --nc.
const ManualMode = "manual"

// ManualDefaults are kcptun's defaults of those four flags; "manual" starts from them.
var ManualDefaults = NoDelay{0, 50, 0, 0}

// Preset is the quadruple of a named preset; false for "manual" and unknown names.
func Preset(name string) (NoDelay, bool) {
	for _, m := range Modes {
		if m.Name == name {
			return m.NoDelay, true
		}
	}
	return NoDelay{}, false
}

// MustPreset is Preset for names known to be presets (tables in the tools); it panics on
// any other name.
func MustPreset(name string) NoDelay {
	nd, ok := Preset(name)
	if !ok {
		panic("kcptun: no preset " + name)
	}
	return nd
}

// ModeNoDelay maps kcptun's --mode to its quadruple; "manual" takes the one given. Other
// names are an error (kcptun itself would run them as manual, hiding a typo).
func ModeNoDelay(mode string, manual NoDelay) (NoDelay, error) {
	if mode == ManualMode {
		return manual, nil
	}
	if nd, ok := Preset(mode); ok {
		return nd, nil
	}
	return NoDelay{}, fmt.Errorf("--mode %q: want normal, fast, fast2, fast3 or manual", mode)
}
