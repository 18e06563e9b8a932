//go:build kcpgo561

package pin

const (
	// KCPVersion is the kcp-go release pinned in interop/v561/go.mod.
	KCPVersion = "v5.6.1"
	// Reference is kcpkit's profile name for this release: kcp-peer's --profile and the
	// `reference` of every vector case captured from it.
	Reference = "kcp-go-5.6.1"
	// GoMod is the module file that pins it, from the repository root.
	GoMod = "interop/v561/go.mod"
	// Release describes the release for a vector file's `source`.
	Release = "kcp-go v5.6.1 (github.com/xtaci/kcp-go/v5, tag v5.6.1, commit 88fc14a)"
	// GoRun is the `go run` that builds a tool against it, from interop/.
	GoRun = "go run -modfile=v561/go.mod -tags kcpgo561"
)
