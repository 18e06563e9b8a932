package kcptun

import "fmt"

// NoDelay holds KCP's nodelay/interval/resend/nc quadruple.
type NoDelay struct{ NoDelay, Interval, Resend, NC int }

// ModeNoDelay maps kcptun's --mode to its quadruple; "manual" takes the one given.
func ModeNoDelay(mode string, manual NoDelay) (NoDelay, error) {
	switch mode {
	case "normal":
		return NoDelay{0, 40, 2, 1}, nil
	case "fast":
		return NoDelay{0, 30, 2, 1}, nil
	case "fast2":
		return NoDelay{1, 20, 2, 1}, nil
	case "fast3":
		return NoDelay{1, 10, 2, 1}, nil
	case "manual":
		return manual, nil
	}
	return NoDelay{}, fmt.Errorf("--mode %q: want normal, fast, fast2, fast3 or manual", mode)
}
