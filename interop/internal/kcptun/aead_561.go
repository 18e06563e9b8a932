//go:build kcpgo561

package kcptun

import (
	"fmt"
	"strings"

	kcp "github.com/xtaci/kcp-go/v5"

	"kcpkit/interop/internal/pin"
)

var aeadNames []string

// v5.6.1 has no AEAD mode: the GCM names are known but unsupported here.
func newAEAD(name string, _ []byte) (kcp.BlockCrypt, error) {
	if strings.HasSuffix(name, "-gcm") {
		return nil, fmt.Errorf("crypt %s needs kcp-go >= v5.6.49, this build links %s: %w",
			name, pin.KCPVersion, ErrUnsupported)
	}
	return nil, fmt.Errorf("crypt %q: %w (known: %v)", name, ErrUnsupported, CipherNames())
}
