package dedup

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectReader reads files of unaligned sizes from many offsets, in
// direct I/O mode (where the test's file system allows it) and without,
// by view (within a block and across blocks) and ReadByte, and compares
// with the file's bytes; a view past the end is a cut record.
func TestDirectReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dir := t.TempDir()
	for _, size := range []int{0, 1, directAlign - 1, directAlign, 3*directAlign + 17, 1 << 18} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		path := filepath.Join(dir, "run")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"direct", "plain"} {
			for _, block := range []int{1, directAlign, 3 * directAlign, 1 << 16} {
				for _, start := range []int{0, 1, directAlign - 1, directAlign, size / 2, size} {
					if start > size {
						continue
					}
					var f *os.File
					direct := false
					var err error
					if mode == "direct" {
						f, direct, err = openDirect(path)
					} else {
						f, err = os.Open(path)
					}
					if err != nil {
						t.Fatal(err)
					}
					d := newDirectReader(f, direct, int64(start), block)
					var got []byte
					var scratch []byte
					for i := 0; ; i++ {
						if i == 2 && start == 1 {
							// Close before the end: the goroutine stops.
							break
						}
						if i%3 == 0 {
							c, err := d.ReadByte()
							if err == io.EOF {
								break
							}
							if err != nil {
								t.Fatal(err)
							}
							got = append(got, c)
							continue
						}
						// A view of what is left at most (more is a cut
						// record); of 1 byte at the end, io.EOF.
						n := min(1+rng.IntN(5000), max(size-start-len(got), 1))
						b, err := d.view(n, &scratch)
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, b...)
					}
					d.Close()
					f.Close()
					if start == 1 {
						if !bytes.HasPrefix(data[start:], got) {
							t.Fatalf("size %d, %s, block %d, from 1: the first reads differ from the file", size, mode, block)
						}
						continue
					}
					if !bytes.Equal(got, data[start:]) {
						t.Fatalf("size %d, %s (direct %v), block %d, from %d: read %d bytes, want %d (or different bytes)",
							size, mode, direct, block, start, len(got), size-start)
					}
					if size-start > 1 {
						f, direct, err := openDirect(path)
						if err != nil {
							t.Fatal(err)
						}
						d := newDirectReader(f, direct, int64(start), block)
						if _, err := d.view(size-start+1, &scratch); err != io.ErrUnexpectedEOF {
							t.Fatalf("size %d, block %d, from %d: a view past the end gave %v, want io.ErrUnexpectedEOF", size, block, start, err)
						}
						d.Close()
						f.Close()
					}
				}
			}
		}
	}
}
