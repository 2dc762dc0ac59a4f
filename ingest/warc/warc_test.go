package warc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	gowarc "github.com/internetarchive/gowarc"
)

// wantPages are the pages of the fixture, in order.
var wantPages = []struct {
	url, charset, contains string
}{
	{"https://news.example/port-strike", "utf-8", "Dock workers returned to work"},
	{"https://ru.example/metro", "windows-1251", "<title>"},
	{"https://saved.example/page", "", "Saved as a resource record"},
	{"https://cc.example/decoded", "", "stored decoded"},
}

func checkFixture(t *testing.T, data []byte) {
	t.Helper()
	pages, st, err := readAll(t, bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := fixtureStats
	want.Bytes = int64(len(data))
	if st != want {
		t.Errorf("stats:\ngot  %+v\nwant %+v", st, want)
	}
	if len(pages) != len(wantPages) {
		t.Fatalf("got %d pages, want %d", len(pages), len(wantPages))
	}
	for i, w := range wantPages {
		p := pages[i]
		if p.URL != w.url || p.Charset != w.charset || !bytes.Contains(p.Body, []byte(w.contains)) {
			t.Errorf("page %d: got url %q charset %q body %.60q; want url %q charset %q body containing %q",
				i, p.URL, p.Charset, p.Body, w.url, w.charset, w.contains)
		}
		if !strings.HasPrefix(p.RecordID, "<urn:uuid:") {
			t.Errorf("page %d: record id %q", i, p.RecordID)
		}
		if want := time.Date(2023, 11, 14, 9, 15, 0, 0, time.UTC); !p.Date.Equal(want) {
			t.Errorf("page %d: date %v, want %v", i, p.Date, want)
		}
		if p.Offset < 0 || p.Offset >= int64(len(data)) {
			t.Errorf("page %d: offset %d out of range", i, p.Offset)
		}
	}
	// The windows-1251 page arrives de-chunked and gunzipped, bytes intact.
	if !bytes.Equal(pages[1].Body, page2) {
		t.Errorf("page 2 body: got %.80q, want the windows-1251 bytes", pages[1].Body)
	}
}

// TestReadFixture reads the fixture archive written by gowarc, compressed
// and not, freshly generated and as committed in testdata.
func TestReadFixture(t *testing.T) {
	for _, compress := range []bool{true, false} {
		name := map[bool]string{true: "gz", false: "plain"}[compress]
		t.Run("generated "+name, func(t *testing.T) { checkFixture(t, writeFixture(t, compress)) })
	}
	for _, name := range []string{"fixture.warc.gz", "fixture.warc"} {
		t.Run("testdata "+name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			checkFixture(t, data)
		})
	}
}

// TestOffsetsAreMemberStarts checks that a page's offset starts a gzip
// member that holds the page's record.
func TestOffsetsAreMemberStarts(t *testing.T) {
	data := writeFixture(t, true)
	pages, _, err := readAll(t, bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		var got []Page
		if _, err := Read(bytes.NewReader(data[p.Offset:]), func(q Page) error {
			got = append(got, q)
			return errors.New("stop")
		}); err == nil || len(got) != 1 || got[0].RecordID != p.RecordID {
			t.Errorf("reading from offset %d: got %d pages, err %v; want record %s", p.Offset, len(got), err, p.RecordID)
		}
	}
}

// TestAgreesWithGowarc reads the complete records of the fixture with
// gowarc's reader and checks that both readers see the same records.
func TestAgreesWithGowarc(t *testing.T) {
	for _, compress := range []bool{true, false} {
		data := writeFixture(t, compress)
		gr, err := gowarc.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var theirs []string
		for {
			rec, err := gr.ReadRecord()
			if err != nil {
				break // io.EOF, or the truncated last record
			}
			theirs = append(theirs, rec.Header.Get("WARC-Type")+" "+rec.Header.Get("WARC-Target-URI"))
			rec.Content.Close()
		}
		var ours []string
		for _, p := range mustPages(t, data) {
			ours = append(ours, "html "+p.URL)
		}
		// Every HTML page we return is a complete record gowarc read.
		for _, o := range ours {
			u := strings.TrimPrefix(o, "html ")
			if !slices.ContainsFunc(theirs, func(s string) bool { return strings.HasSuffix(s, " "+u) }) {
				t.Errorf("compress=%v: page %s not among gowarc's records %q", compress, u, theirs)
			}
		}
		if len(theirs) != int(fixtureStats.Records)-1 {
			t.Errorf("compress=%v: gowarc read %d complete records, want %d", compress, len(theirs), fixtureStats.Records-1)
		}
	}
}

func mustPages(t *testing.T, data []byte) []Page {
	t.Helper()
	pages, _, err := readAll(t, bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// TestCorruption damages the fixture in the middle and checks that the
// reader counts the damage and reads the records after it.
func TestCorruption(t *testing.T) {
	gz := writeFixture(t, true)
	plain := writeFixture(t, false)
	// Offsets of the third page's member / record: damage at or inside it.
	third := mustPages(t, gz)[2].Offset
	thirdPlain := mustPages(t, plain)[2].Offset
	tests := []struct {
		name    string
		data    []byte
		corrupt int64
		html    int64
	}{
		{"garbage between gzip members", splice(gz, third, []byte("this is not gzip at all\n")), 1, 4},
		{"flipped bytes inside a member", flip(gz, int(third)+60), 1, 3}, // inside the third page's own member
		{"bad gzip member header", splice(gz, third, []byte{0x1f, 0x8b, 0x08, 0xff, 0xff}), 1, 4},
		{"garbage between records", splice(plain, thirdPlain, []byte("garbage line\r\nmore garbage\r\n")), 1, 4},
		{"bad content-length", badLength(plain, thirdPlain), 1, 3},
		{"header line of 1 MiB", splice(plain, thirdPlain, append(append([]byte("WARC/1.1\r\nX-Junk: "), bytes.Repeat([]byte("a"), 1<<20)...), "\r\n\r\n"...)), 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st, err := readAll(t, bytes.NewReader(tt.data), Options{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if st.Corrupt != tt.corrupt || st.HTML != tt.html {
				t.Errorf("got corrupt %d, html %d; want %d, %d (stats %+v)", st.Corrupt, st.HTML, tt.corrupt, tt.html, st)
			}
		})
	}
}

// badLength spoils the Content-Length of the record at offset.
func badLength(b []byte, at int64) []byte {
	out := bytes.Clone(b)
	i := int(at) + bytes.Index(out[at:], []byte("Content-Length: ")) + len("Content-Length: ")
	out[i] = 'x'
	return out
}

func splice(b []byte, at int64, insert []byte) []byte {
	out := append([]byte(nil), b[:at]...)
	out = append(out, insert...)
	return append(out, b[at:]...)
}

func flip(b []byte, at int) []byte {
	out := bytes.Clone(b)
	for i := at; i < at+8 && i < len(out); i++ {
		out[i] ^= 0x5a
	}
	return out
}

// TestTruncatedAnywhere cuts the fixture at many points: never a panic or
// an error, never more pages than the whole archive has.
func TestTruncatedAnywhere(t *testing.T) {
	for _, compress := range []bool{true, false} {
		data := writeFixture(t, compress)
		for cut := 0; cut < len(data); cut += 37 {
			_, st, err := readAll(t, bytes.NewReader(data[:cut]), Options{})
			if err != nil && !(cut < 5 && errors.Is(err, ErrNotWARC)) {
				t.Fatalf("compress=%v cut=%d: %v", compress, cut, err)
			}
			if st.HTML > fixtureStats.HTML {
				t.Fatalf("compress=%v cut=%d: %d pages", compress, cut, st.HTML)
			}
		}
	}
}

func TestOversize(t *testing.T) {
	_, st, err := readAll(t, bytes.NewReader(writeFixture(t, true)), Options{MaxBody: 100})
	if err != nil {
		t.Fatal(err)
	}
	// page1 (≈230 bytes) and page4 (≈110) are over 100 bytes; page2's
	// record is small compressed but its payload is over the cap too.
	if st.Oversize == 0 || st.HTML+st.Oversize < fixtureStats.HTML {
		t.Errorf("got %+v, want oversize pages counted", st)
	}
}

func TestCallbackError(t *testing.T) {
	stop := errors.New("enough")
	n := 0
	st, err := Read(bytes.NewReader(writeFixture(t, true)), func(Page) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 || st.HTML != 1 {
		t.Errorf("got err %v after %d pages (stats %+v), want %v after 1", err, n, st, stop)
	}
}

func TestNotWARC(t *testing.T) {
	for _, in := range []string{"<html><body>hi</body></html>", "PK\x03\x04zipfile", "\x28\xb5\x2f\xfdzstd"} {
		if _, err := Read(strings.NewReader(in), func(Page) error { return nil }); !errors.Is(err, ErrNotWARC) {
			t.Errorf("Read(%.10q): got %v, want ErrNotWARC", in, err)
		}
	}
	if st, err := Read(strings.NewReader(""), func(Page) error { return nil }); err != nil || st != (Stats{}) {
		t.Errorf("empty input: got %+v, %v; want nothing", st, err)
	}
}

// failingReader returns data, then an error that is not EOF.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	for _, compress := range []bool{true, false} {
		data := writeFixture(t, compress)
		_, _, err := readAll(t, &failingReader{r: bytes.NewReader(data[:len(data)/2]), err: boom}, Options{})
		if !errors.Is(err, boom) {
			t.Errorf("compress=%v: got %v, want %v", compress, err, boom)
		}
	}
}

// TestLongLineMemory feeds a 50 MB header line: the reader must skip it
// with bounded memory (gowarc's reader allocates over 250 MB for it).
func TestLongLineMemory(t *testing.T) {
	data := append([]byte("WARC/1.1\r\nX-Junk: "), bytes.Repeat([]byte("a"), 50<<20)...)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, st, err := readAll(t, bytes.NewReader(data), Options{})
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes for a 50 MB line, want under 4 MiB", alloc)
	}
	if st.Truncated+st.Corrupt != 1 {
		t.Errorf("got %+v, want the record counted once as truncated or corrupt", st)
	}
}

func TestChunked(t *testing.T) {
	body := []byte("hello, chunked world")
	got, ok := dechunk(chunked(body, 7), nil)
	if !ok || !bytes.Equal(got, body) {
		t.Errorf("dechunk: got %q, %v", got, ok)
	}
	if _, ok := dechunk(body, nil); ok {
		t.Errorf("dechunk of plain text: got ok")
	}
}

func TestSniff(t *testing.T) {
	gz, plain := writeFixture(t, true), writeFixture(t, false)
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"warc.gz", gz[:512], true},
		{"warc", plain[:512], true},
		{"gzip of something else", gzipped([]byte("<html><body>not a warc</body></html>")), false},
		{"html", []byte("<!DOCTYPE html><html>"), false},
		{"short", []byte("WA"), false},
	}
	for _, tt := range tests {
		if got := Sniff(tt.head); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
