//go:build kcpgo561

package kcptun

import (
	"errors"
	"testing"
)

func TestGCMUnsupportedOnV561(t *testing.T) {
	for _, name := range []string{"aes-128-gcm", "aes-192-gcm", "aes-256-gcm"} {
		if _, err := NewBlock(name, DeriveKey("k")); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("%s on v5.6.1: err = %v, want ErrUnsupported", name, err)
		}
	}
}
