// Package vecfile writes kcpvec/1 documents the way every capture tool commits them: plain
// JSON, or gzip (best compression, a fixed header time) when the path ends in ".gz", so the
// same capture gives the same bytes.
package vecfile

import (
	"compress/gzip"
	"os"
	"strings"
	"time"
)

// fixedModTime is the gzip header time of every committed vector file.
var fixedModTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Write stores doc (the whole JSON document) at path, gzipped if path ends in ".gz".
func Write(path string, doc []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasSuffix(path, ".gz") {
		gz, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
		gz.ModTime = fixedModTime
		if _, err := gz.Write(doc); err != nil {
			return err
		}
		if err := gz.Close(); err != nil {
			return err
		}
	} else if _, err := f.Write(doc); err != nil {
		return err
	}
	return f.Close()
}
