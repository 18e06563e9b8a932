// Package pin names the kcp-go release this build links: interop/go.mod pins v5.6.72 and
// interop/v561/go.mod (built with -modfile=v561/go.mod -tags kcpgo561) pins v5.6.1.
// pin_head.go and pin_561.go hold the two sets of names; every tool takes them from here.
package pin

import kcp "github.com/xtaci/kcp-go/v5"

var _ = kcp.NewConn2
