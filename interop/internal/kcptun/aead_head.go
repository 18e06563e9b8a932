//go:build !kcpgo561

package kcptun

import (
	"fmt"

	kcp "github.com/xtaci/kcp-go/v5"
)

var aeadNames = []string{"aes-128-gcm", "aes-192-gcm", "aes-256-gcm"}

// newAEAD covers the AES-GCM names (kcp-go's AEAD mode, v5.6.49 and later).
func newAEAD(name string, pass []byte) (kcp.BlockCrypt, error) {
	keyLen := map[string]int{"aes-128-gcm": 16, "aes-192-gcm": 24, "aes-256-gcm": 32}[name]
	if keyLen == 0 {
		return nil, fmt.Errorf("crypt %q: %w (known: %v)", name, ErrUnsupported, CipherNames())
	}
	block, err := kcp.NewAESGCMCrypt(pass[:keyLen])
	if err != nil {
		return nil, fmt.Errorf("crypt %s: %w", name, err)
	}
	return block, nil
}
