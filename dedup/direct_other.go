//go:build !linux

package dedup

import "os"

const directAlign = 4096

// createDirect creates (or truncates) a file; direct I/O is used on Linux
// only.
func createDirect(path string) (*os.File, bool, error) {
	f, err := os.Create(path)
	return f, false, err
}

// endDirect does nothing: files are never in direct I/O mode here.
func endDirect(*os.File) error { return nil }
