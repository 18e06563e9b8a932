package kcptun

import (
	"encoding/json"
	"os"
	"testing"
)

type quadJSON struct {
	Name                          string
	NoDelay, Interval, Resend, NC int
}

func (q quadJSON) quad() NoDelay { return NoDelay{q.NoDelay, q.Interval, q.Resend, q.NC} }

// modes.json is the literal list protocol/kcptun/kcptun_test.cpp checks the C++ table against:
// if either table drifts, one of the two tests fails.
func TestModesEqualTheListSharedWithCpp(t *testing.T) {
	raw, err := os.ReadFile("modes.json")
	if err != nil {
		t.Fatal(err)
	}
	var pinned struct {
		DefaultMode    string     `json:"default_mode"`
		ManualDefaults quadJSON   `json:"manual_defaults"`
		Modes          []quadJSON `json:"modes"`
	}
	if err := json.Unmarshal(raw, &pinned); err != nil {
		t.Fatal(err)
	}
	if pinned.DefaultMode != DefaultMode {
		t.Fatalf("default mode %q, modes.json says %q", DefaultMode, pinned.DefaultMode)
	}
	if pinned.ManualDefaults.quad() != ManualDefaults {
		t.Fatalf("manual defaults %v, modes.json says %v", ManualDefaults, pinned.ManualDefaults.quad())
	}
	if len(pinned.Modes) != len(Modes) {
		t.Fatalf("%d modes, modes.json has %d", len(Modes), len(pinned.Modes))
	}
	for i, m := range pinned.Modes {
		if Modes[i].Name != m.Name || Modes[i].NoDelay != m.quad() {
			t.Fatalf("mode %d: %v, modes.json says %s %v", i, Modes[i], m.Name, m.quad())
		}
	}
}
