//go:build kcpgo561

package kcptun

import (
	"fmt"
	"strings"

	kcp "github.com/xtaci/kcp-go/v5"
)

// ProfileName is kcp-peer's --profile name for the behaviour of this build.
const ProfileName = "kcp-go-5.6.1"

// KCPVersion is the kcp-go release this build links.
const KCPVersion = "v5.6.1"

var aeadNames []string

// v5.6.1 has no AEAD mode: the GCM names are known but unsupported here.
func newAEAD(name string, _ []byte) (kcp.BlockCrypt, error) {
	if strings.HasSuffix(name, "-gcm") {
		return nil, fmt.Errorf("crypt %s needs kcp-go >= v5.6.49, this build links %s: %w",
			name, KCPVersion, ErrUnsupported)
	}
	return nil, fmt.Errorf("crypt %q: %w (known: %v)", name, ErrUnsupported, CipherNames())
}
