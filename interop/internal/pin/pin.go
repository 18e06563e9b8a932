// Package pin keeps the kcp-go version the interop tools are built against in go.mod.
package pin

import kcp "github.com/xtaci/kcp-go/v5"

// KCPVersion names the kcp-go release pinned in go.mod.
const KCPVersion = "v5.6.72"

var _ = kcp.NewConn2
