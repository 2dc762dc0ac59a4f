package dedup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/zeebo/xxh3"

	"github.com/wiretrace/wiretrace/engine"
)

func TestDocFeaturesRoundTrip(t *testing.T) {
	for _, p := range preparedFixtures(t, engine.Options{Level: engine.LevelNearDup}) {
		b := appendDocFeatures(nil, p)
		var q engine.Prepared
		if err := decodeDocFeatures(b, &q); err != nil {
			t.Fatalf("%s: %v", p.Article.ID, err)
		}
		if q.Doc.Words != p.Doc.Words || q.Shingles != p.Shingles || q.Exact != p.Exact || !slices.Equal(q.Sig, p.Sig) {
			t.Fatalf("%s: decoded document features differ", p.Article.ID)
		}
		if err := decodeDocFeatures(b[:len(b)-1], &q); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: truncated record: got %v, want ErrCorrupt", p.Article.ID, err)
		}
	}
}

func FuzzDecodeDocFeatures(f *testing.F) {
	for _, p := range preparedFixtures(f, engine.Options{Level: engine.LevelNearDup})[:3] {
		f.Add(appendDocFeatures(nil, p))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var q engine.Prepared
		if decodeDocFeatures(b, &q) == nil && !q.DocumentOnly() {
			t.Fatal("a decoded record without a signature")
		}
	})
}

// TestTextBlocks: blocks read back as one stream of lines; damage is
// ErrCorrupt, never a panic or a huge allocation.
func TestTextBlocks(t *testing.T) {
	batches := []string{"{\"id\":\"a\"}\n{\"id\":\"b\"}\n", "", strings.Repeat("{\"id\":\"c\",\"text\":\"words words\"}\n", 5000)}
	var file []byte
	for _, b := range batches {
		file = appendTextBlock(file, []byte(b))
	}
	got, err := io.ReadAll(newTextReader(bytes.NewReader(file), "t"))
	if err != nil || string(got) != strings.Join(batches, "") {
		t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(strings.Join(batches, "")))
	}
	for name, bad := range map[string][]byte{
		"truncated":    file[:len(file)-3],
		"huge length":  {0xff, 0xff, 0xff, 0xff, 0x7f},
		"not s2":       append([]byte{4}, 0xff, 0xff, 0xff, 0xff),
		"cut length":   {0x80},
		"bad in block": append(appendTextBlock(nil, []byte("x\n")), 5, 1, 2, 3, 4, 5),
	} {
		if _, err := io.ReadAll(newTextReader(bytes.NewReader(bad), "t")); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzTextBlocks(f *testing.F) {
	f.Add(appendTextBlock(nil, []byte("a\nb\n")))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		io.Copy(io.Discard, newTextReader(bytes.NewReader(b), "t"))
	})
}

// TestFilteredKeepsLines: dedup.jsonl holds JSONL input lines exactly as
// they were (fields wiretrace does not read included), whether the line
// is read again from a plain file or kept from a compressed one; text
// files become articles in the JSONL input format.
func TestFilteredKeepsLines(t *testing.T) {
	dir := t.TempDir()
	lines := []string{
		`{"id":"p1","text":"The council approved the new budget on Monday after a long debate about schools.","extra":{"kept":[1,2]},"url":"https://example.org/a"}`,
		`{ "id" : "p2", "text" : "A different report about harbour traffic and the weather in the north sea ports.", "x": "\u00e9" }`,
	}
	plain := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(plain, []byte(strings.Join(lines, "\r\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	zlines := []string{
		`{"id":"z1","text":"Shares in the mining group fell sharply as copper prices slid to a new low.","source":"wire"}`,
		`{"id":"z2","text":"Heavy snow closed mountain passes and delayed trains across the alpine region."}`,
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(zlines, "\n")))
	zw.Close()
	packed := filepath.Join(dir, "b.jsonl.gz")
	if err := os.WriteFile(packed, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	txt := filepath.Join(dir, "t.txt")
	if err := os.WriteFile(txt, []byte("Plain text about a local election result and turnout figures.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory of JSONL files: its lines are kept in the work directory.
	sub := filepath.Join(dir, "dir")
	os.Mkdir(sub, 0o755)
	dirLine := `{"id":"d1","text":"Farmers in the valley harvested a record crop of apples this autumn.","tag":"x"}`
	if err := os.WriteFile(filepath.Join(sub, "c.jsonl"), []byte(dirLine+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, lv := range []engine.Level{engine.LevelNearDup, engine.LevelReuse} {
		out, sum := dedupRun(t, Options{Engine: engine.Options{Level: lv}}, plain, packed, txt, sub)
		if sum.Kept != 6 {
			t.Fatalf("%v: kept %d, want 6 (nothing is a copy)", lv, sum.Kept)
		}
		b, err := os.ReadFile(filepath.Join(out, DedupFile))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		want := append(slices.Clone(lines), zlines...)
		if !slices.Equal(got[:4], want) {
			t.Errorf("%v: dedup.jsonl lines\n%q\nwant\n%q", lv, got[:4], want)
		}
		if !strings.HasPrefix(got[4], `{"id":"t","text":"Plain text about`) {
			t.Errorf("%v: text file line %q", lv, got[4])
		}
		if got[5] != dirLine {
			t.Errorf("%v: line from a directory %q, want %q", lv, got[5], dirLine)
		}
	}
}

// TestLineReaderChangedInput: a line that is no longer in its input file
// as it was read stops the output with ErrWorkMismatch.
func TestLineReaderChangedInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.jsonl")
	os.WriteFile(p, []byte("{\"id\":\"a\"}\n{\"id\":\"b\"}\n"), 0o644)
	line := []byte(`{"id":"b"}`)
	src := lineSource{Input: 0, Offset: 11, Len: len(line), Hash: xxh3.Hash(line)}
	lr := &lineReader{inputs: []string{p}}
	defer lr.close()
	if got, err := lr.read(src); err != nil || string(got) != string(line)+"\n" {
		t.Fatalf("read: %q, %v", got, err)
	}
	os.WriteFile(p, []byte("{\"id\":\"a\"}\n{\"id\":\"c\"}\n"), 0o644)
	if _, err := (&lineReader{inputs: []string{p}}).read(src); !errors.Is(err, ErrWorkMismatch) {
		t.Errorf("changed line: got %v, want ErrWorkMismatch", err)
	}
	if _, err := (&lineReader{inputs: []string{p}}).read(lineSource{Offset: 100, Len: 3}); err == nil {
		t.Error("line past the end: no error")
	}
}

// TestAsyncWriter writes through the page cache and, where the file
// system allows it, with direct I/O: the files must be what was written,
// whether flushes and the end fall on aligned offsets or not.
func TestAsyncWriter(t *testing.T) {
	dir := t.TempDir()
	create := map[string]func(string) (*os.File, bool, error){
		"buffered": func(p string) (*os.File, bool, error) { f, err := os.Create(p); return f, false, err },
		"direct":   createDirect,
	}
	big := bytes.Repeat([]byte("y"), 3*asyncChunk+5) // larger than a chunk
	for name, create := range create {
		for _, flushAt := range []int{-1, 1000, 9362} { // 9362: after exactly one chunk
			p := filepath.Join(dir, fmt.Sprintf("%s-%d", name, flushAt))
			f, direct, err := create(p)
			if err != nil {
				t.Fatal(err)
			}
			if name == "direct" && !direct && flushAt < 0 {
				t.Logf("direct I/O is not available in %s: tested buffered", dir)
			}
			w := newAsyncWriter(f, direct)
			var want bytes.Buffer
			for i := range 200000 {
				line := []byte(strings.Repeat("x", i%97) + "\n")
				w.Write(line)
				want.Write(line)
				if i == flushAt {
					if err := w.Flush(); err != nil {
						t.Fatal(err)
					}
				}
			}
			w.Write(big)
			want.Write(big)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			f.Close()
			if got, _ := os.ReadFile(p); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s, flush at %d (direct I/O %v): file has %d bytes, want %d", name, flushAt, direct, len(got), want.Len())
			}
		}
	}

	// Whole chunks only: the file stays in direct I/O mode to the end.
	p := filepath.Join(dir, "aligned")
	f, direct, err := createDirect(p)
	if err != nil {
		t.Fatal(err)
	}
	w := newAsyncWriter(f, direct)
	w.Write(big[:2*asyncChunk])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, _ := os.ReadFile(p); !bytes.Equal(got, big[:2*asyncChunk]) {
		t.Fatalf("aligned: file has %d bytes, want %d", len(got), 2*asyncChunk)
	}

	// A failing file: the error comes back from Flush and later writes.
	w = newAsyncWriter(f, false)
	w.Write(big)
	if err := w.Flush(); err == nil {
		t.Fatal("Flush after writing to a closed file: no error")
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Error("Write after a failed write: no error")
	}
	w.Close()
}
