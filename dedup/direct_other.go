//go:build !linux

package dedup

import (
	"io"
	"os"
)

const directAlign = 4096

// createDirect creates (or truncates) a file; direct I/O is used on Linux
// only.
func createDirect(path string) (*os.File, bool, error) {
	f, err := os.Create(path)
	return f, false, err
}

// endDirect does nothing: files are never in direct I/O mode here.
func endDirect(*os.File) error { return nil }

// openDirect opens a file for reading; direct I/O is used on Linux only.
func openDirect(path string) (*os.File, bool, error) {
	f, err := os.Open(path)
	return f, false, err
}

// pread reads into b at off.
func pread(f *os.File, b []byte, off int64) (int, error) {
	n, err := f.ReadAt(b, off)
	if err == io.EOF {
		err = nil
	}
	return n, err
}
