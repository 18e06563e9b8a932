package vecfile

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPlainAndGzipHeaderTimes(t *testing.T) {
	dir := t.TempDir()
	doc := []byte("{\"format\": \"kcpvec/1\"}\n")

	plain := filepath.Join(dir, "x.json")
	if err := Write(plain, doc); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(plain); !bytes.Equal(got, doc) {
		t.Fatalf("plain file = %q", got)
	}

	for _, tc := range []struct {
		name  string
		write func(string) error
		mtime uint32 // gzip header MTIME field
	}{
		{"fixed", func(p string) error { return Write(p, doc) }, uint32(FixedModTime.Unix())},
		{"zero", func(p string) error { return WriteAt(p, time.Time{}, doc) }, 0},
		{"stream", func(p string) error {
			return Stream(p, FixedModTime, func(w io.Writer) error {
				w.Write(doc[:5])
				_, err := w.Write(doc[5:])
				return err
			})
		}, uint32(FixedModTime.Unix())},
	} {
		p := filepath.Join(dir, tc.name+".json.gz")
		if err := tc.write(p); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(p)
		if len(raw) < 10 || raw[0] != 0x1f || raw[1] != 0x8b {
			t.Fatalf("%s: not gzip", tc.name)
		}
		if m := uint32(raw[4]) | uint32(raw[5])<<8 | uint32(raw[6])<<16 | uint32(raw[7])<<24; m != tc.mtime {
			t.Fatalf("%s: header time %d, want %d", tc.name, m, tc.mtime)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); !bytes.Equal(got, doc) {
			t.Fatalf("%s: content %q", tc.name, got)
		}
	}
}
