// Package vecfile writes kcpvec/1 documents the way the capture tools commit them: plain
// JSON, or gzip (best compression, a fixed header time) when the path ends in ".gz", so the
// same capture gives the same bytes.
package vecfile

import (
	"compress/gzip"
	"io"
	"os"
	"strings"
	"time"
)

// FixedModTime is the gzip header time of the committed vector files (the crypt files
// were committed with none: the zero time, see WriteAt).
var FixedModTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Write stores doc (the whole JSON document) at path, gzipped if path ends in ".gz", with
// the header time FixedModTime.
func Write(path string, doc []byte) error { return WriteAt(path, FixedModTime, doc) }

// WriteAt is Write with another gzip header time; the zero time leaves the field 0.
func WriteAt(path string, modTime time.Time, doc []byte) error {
	return Stream(path, modTime, func(w io.Writer) error {
		_, err := w.Write(doc)
		return err
	})
}

// Stream is WriteAt for a document written in pieces: write puts it on w (the file, or
// its gzip stream), and Stream closes both.
func Stream(path string, modTime time.Time, write func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if !strings.HasSuffix(path, ".gz") {
		if err := write(f); err != nil {
			return err
		}
		return f.Close()
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	gz.ModTime = modTime
	if err := write(gz); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return f.Close()
}

// Case is what every kcpvec/1 case opens with, whatever its kind. Embedded first in a
// tool's case struct, encoding/json writes these fields first and in this order.
type Case struct {
	ID        string   `json:"id"`
	Comment   string   `json:"comment,omitempty"`
	Flags     []string `json:"flags,omitempty"`
	Reference string   `json:"reference"`
	Result    string   `json:"result,omitempty"`
}
