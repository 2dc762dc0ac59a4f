package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/wiretrace/wiretrace/ingest/warc"
)

// Compressed inputs. A file or standard input that starts with the gzip or
// zstd magic number is decompressed as it streams, whatever its name; the
// extension (.gz, .zst) is set aside before the inner format is detected, so
// "feed.jsonl.gz" reads as JSONL. (A gzipped WARC archive is left to the
// WARC reader, which reads it member by member and so can step over a
// damaged record.) A stream that breaks off or is corrupt yields the
// articles before the damage, then one Item whose error wraps ErrDamaged
// and names the file and the last good line; reading goes on with the next
// input. Decompression holds one window (gzip 32 KiB, zstd at most
// maxZstdWindow) per open input.

// maxZstdWindow caps the zstd window a frame may ask for, and so the memory
// one zstd input can take.
const maxZstdWindow = 64 << 20

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompress returns a reader of br's decompressed content when br starts
// with a gzip or zstd magic number (and br itself otherwise), the name to
// detect the inner format by (path without its compression extension), and
// a function that releases the decoder.
func decompress(path string, br *bufio.Reader) (*bufio.Reader, string, func(), error) {
	head, _ := br.Peek(512)
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, gzipMagic) && warc.Sniff(head):
		return br, path, func() {}, nil
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", nil, fmt.Errorf("%w: gzip header: %v", ErrDamaged, err)
		}
		return bufio.NewReaderSize(damaged{zr}, 64<<10), stripExt(path, ".gz", ".gzip"), func() { zr.Close() }, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, "", nil, fmt.Errorf("%w: zstd: %v", ErrDamaged, err)
		}
		return bufio.NewReaderSize(damaged{zr}, 64<<10), stripExt(path, ".zst", ".zstd"), zr.Close, nil
	case ext == ".gz" || ext == ".gzip" || ext == ".zst" || ext == ".zstd":
		// Named compressed but not: an empty or overwritten file.
		return nil, "", nil, fmt.Errorf("%w: no %s header", ErrDamaged, ext)
	}
	return br, path, func() {}, nil
}

func stripExt(path string, exts ...string) string {
	ext := filepath.Ext(path)
	for _, e := range exts {
		if strings.EqualFold(ext, e) {
			return strings.TrimSuffix(path, ext)
		}
	}
	return path
}

// damaged marks decoder errors (all but io.EOF) as ErrDamaged.
type damaged struct{ r io.Reader }

func (d damaged) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: truncated (%v)", ErrDamaged, err)
		} else {
			err = fmt.Errorf("%w: %v", ErrDamaged, err)
		}
	}
	return n, err
}

// readStdin reads standard input as JSONL, decompressing it when it starts
// with a gzip or zstd magic number.
func readStdin(ctx context.Context, o Options, fn func(Item) error) error {
	br, _, done, err := decompress("stdin", bufio.NewReaderSize(counting(o.Stdin, o.Progress), 64<<10))
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read stdin: %w", err)})
	}
	defer done()
	return readJSONL(ctx, br, "stdin", -1, o, fn)
}

// counting calls progress with the size of every read from r.
func counting(r io.Reader, progress func(int64)) io.Reader {
	if progress == nil {
		return r
	}
	return &countingReader{r: r, progress: progress}
}

type countingReader struct {
	r        io.Reader
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.progress(int64(n))
	}
	return n, err
}
