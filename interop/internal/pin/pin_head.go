//go:build !kcpgo561

package pin

const (
	// KCPVersion is the kcp-go release pinned in interop/go.mod.
	KCPVersion = "v5.6.72"
	// Reference is kcpkit's profile name for this release: kcp-peer's --profile and the
	// `reference` of every vector case captured from it.
	Reference = "kcp-go"
	// GoMod is the module file that pins it, from the repository root.
	GoMod = "interop/go.mod"
	// Release describes the release for a vector file's `source`.
	Release = "kcp-go v5.6.72 (github.com/xtaci/kcp-go/v5, tag v5.6.72, commit 78a2a39)"
	// GoRun is the `go run` that builds a tool against it, from interop/.
	GoRun = "go run"
)
