package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// jsonlLines returns n JSONL lines with ids l1..ln.
func jsonlLines(n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"id":"l%d","text":"Article number %d says something about %d things."}`+"\n", i, i, i*7)
	}
	return b.Bytes()
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return w.EncodeAll(data, nil)
}

func TestCompressedInputs(t *testing.T) {
	const n = 5000 // several zstd blocks, so a cut leaves whole ones
	plain := jsonlLines(n)
	all := make([]string, n)
	for i := range all {
		all[i] = fmt.Sprintf("l%d", i+1)
	}
	gz, zs := gzipBytes(t, plain), zstdBytes(t, plain)
	tests := []struct {
		name    string
		file    string
		data    []byte
		want    int  // articles read (a prefix of all)
		damaged bool // one ErrDamaged item expected
	}{
		{"gzip", "a.jsonl.gz", gz, n, false},
		{"zstd", "a.jsonl.zst", zs, n, false},
		{"gzip without extension", "a.data", gz, n, false},
		{"zstd text", "story.txt.zst", zstdBytes(t, []byte("One plain text article.\n")), 1, false},
		{"gzip truncated", "a.jsonl.gz", gz[:len(gz)*2/3], -1, true},
		{"zstd truncated", "a.jsonl.zst", zs[:len(zs)*2/3], -1, true},
		{"gzip corrupt checksum", "a.jsonl.gz", append(slices.Clone(gz[:len(gz)-8]), 1, 2, 3, 4, 5, 6, 7, 8), n, true},
		{"empty gz", "a.jsonl.gz", nil, 0, true},
		{"gzip header only", "a.jsonl.gz", gz[:5], 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := write(t, dir, tc.file, tc.data)
			var read atomic.Int64
			arts, errs := readAll(t, Options{Progress: func(n int64) { read.Add(n) }}, p)
			if got := read.Load(); got != int64(len(tc.data)) {
				t.Errorf("progress counted %d bytes, want %d", got, len(tc.data))
			}
			var damaged int
			for _, err := range errs {
				if errors.Is(err, ErrDamaged) {
					damaged++
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q does not name %s", err, p)
					}
				} else if !errors.Is(err, ErrMalformed) { // the line cut by the damage
					t.Errorf("unexpected error %v", err)
				}
			}
			if tc.damaged != (damaged == 1) || damaged > 1 {
				t.Errorf("got %d damage errors (%v), want damaged=%v", damaged, errs, tc.damaged)
			}
			if tc.want >= 0 && len(arts) != tc.want {
				t.Errorf("got %d articles, want %d", len(arts), tc.want)
			}
			if tc.want < 0 && (len(arts) == 0 || len(arts) >= n) {
				t.Errorf("got %d articles from a truncated file, want the ones before the damage", len(arts))
			}
			if strings.HasSuffix(tc.file, ".jsonl.gz") || strings.HasSuffix(tc.file, ".jsonl.zst") || tc.file == "a.data" {
				if !slices.Equal(arts, all[:len(arts)]) {
					t.Errorf("articles %v are not a prefix of the input", arts)
				}
			}
		})
	}
}

func TestCompressedStdin(t *testing.T) {
	for name, data := range map[string][]byte{"gzip": gzipBytes(t, jsonlLines(3)), "zstd": zstdBytes(t, jsonlLines(3)), "plain": jsonlLines(3)} {
		t.Run(name, func(t *testing.T) {
			arts, errs := readAll(t, Options{Stdin: bytes.NewReader(data)}, "-")
			if len(arts) != 3 || len(errs) != 0 {
				t.Errorf("got %v, %v; want 3 articles, no errors", arts, errs)
			}
		})
	}
}

func TestJSONLineHook(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.jsonl", []byte("{\"id\":\"a\",\"text\":\"x y z\"}\n\nnot json\n"))
	write(t, dir, "b.txt", []byte("Plain text here.\n"))
	var lines, origins []string
	var offsets []int64
	var items []Item
	err := Read(context.Background(), []string{p, filepath.Join(dir, "b.txt")}, Options{JSONLine: func(l Line) error {
		lines = append(lines, string(l.Bytes))
		origins = append(origins, l.Origin)
		offsets = append(offsets, l.Offset)
		return nil
	}}, func(it Item) error { items = append(items, it); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`{"id":"a","text":"x y z"}`, "not json"}; !slices.Equal(lines, want) {
		t.Errorf("lines %q, want %q", lines, want)
	}
	if want := []string{p + ":1", p + ":3"}; !slices.Equal(origins, want) {
		t.Errorf("origins %q, want %q", origins, want)
	}
	if want := []int64{0, 27}; !slices.Equal(offsets, want) {
		t.Errorf("offsets %v, want %v", offsets, want)
	}
	if len(items) != 1 || items[0].Article.ID != "b" {
		t.Errorf("items %+v, want the text file only", items)
	}
	if it := ParseJSONLine([]byte(lines[1]), origins[1]); !errors.Is(it.Err, ErrMalformed) {
		t.Errorf("ParseJSONLine(%q) error %v, want ErrMalformed", lines[1], it.Err)
	}
}

func TestExpandGlobs(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.jsonl", "a.jsonl", "c.txt", "odd[1].jsonl"} {
		write(t, dir, n, []byte("{}\n"))
	}
	tests := []struct {
		name    string
		in      []string
		want    []string
		wantErr bool
	}{
		{"pattern", []string{filepath.Join(dir, "*.jsonl")}, []string{filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "odd[1].jsonl")}, false},
		{"existing name with brackets", []string{filepath.Join(dir, "odd[1].jsonl")}, []string{filepath.Join(dir, "odd[1].jsonl")}, false},
		{"stdin and plain", []string{"-", filepath.Join(dir, "c.txt")}, []string{"-", filepath.Join(dir, "c.txt")}, false},
		{"no match", []string{filepath.Join(dir, "*.warc")}, nil, true},
		{"malformed", []string{filepath.Join(dir, "[")}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExpandGlobs(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error %v", err, tc.wantErr)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzDecompress feeds arbitrary bytes as a .gz, .zst or unnamed file: it
// must never panic, and every error must be reported as an Item.
func FuzzDecompress(f *testing.F) {
	f.Add(gzipBytes(f, jsonlLines(3)), 0)
	f.Add(zstdBytes(f, jsonlLines(3)), 1)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, 2)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0}, 1)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, kind int) {
		name := []string{"f.jsonl.gz", "f.jsonl.zst", "f"}[uint(kind)%3]
		p := write(t, dir, name, data)
		err := Read(context.Background(), []string{p}, Options{MaxRecordBytes: 1 << 16}, func(it Item) error {
			if it.Err == nil && it.Article.ID == "" {
				t.Errorf("article without id and without error")
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Read returned %v; bad input must come as Items", err)
		}
	})
}

// TestJSONLineOffsets: offsets point at the lines in the file as stored,
// CRLF endings included; compressed files and standard input have none.
func TestJSONLineOffsets(t *testing.T) {
	dir := t.TempDir()
	data := []byte("\ufeff{\"id\":\"a\",\"text\":\"x\"}\r\n\n  {\"id\":\"b\",\"text\":\"y\"}\n{\"id\":\"c\",\"text\":\"z\"}")
	plain := write(t, dir, "a.jsonl", data)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	packed := write(t, dir, "b.jsonl.gz", gz.Bytes())
	for _, tc := range []struct {
		input string
		stdin io.Reader
		want  bool
	}{{plain, nil, true}, {packed, nil, false}, {"-", bytes.NewReader(data), false}} {
		n := 0
		err := Read(context.Background(), []string{tc.input}, Options{Stdin: tc.stdin, JSONLine: func(l Line) error {
			n++
			if !tc.want {
				if l.Offset != -1 {
					t.Errorf("%s: offset %d, want -1", tc.input, l.Offset)
				}
				return nil
			}
			if l.Offset < 0 || !bytes.HasPrefix(data[l.Offset:], l.Bytes) {
				t.Errorf("%s: offset %d does not hold %q", tc.input, l.Offset, l.Bytes)
			}
			if bytes.HasPrefix(l.Bytes, []byte("\ufeff")) {
				t.Errorf("%s: line with its byte order mark: %q", tc.input, l.Bytes)
			}
			return nil
		}}, func(Item) error { return nil })
		if err != nil || n != 3 {
			t.Errorf("%s: %d lines, %v", tc.input, n, err)
		}
	}
}
