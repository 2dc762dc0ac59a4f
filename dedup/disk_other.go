//go:build !unix

package dedup

// diskFree is unknown on this platform.
func diskFree(string) (int64, bool) { return 0, false }
