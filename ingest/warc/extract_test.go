package warc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/extract"
	"github.com/wiretrace/wiretrace/ingest/warc"
)

// TestFixtureExtracts reads the committed fixture archive and extracts the
// text of each HTML page, passing the HTTP charset on: the windows-1251
// page must come out as Russian text.
func TestFixtureExtracts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "fixture.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"https://news.example/port-strike": "Dock workers returned to work on Tuesday",
		"https://ru.example/metro":         "Участок новой линии метро открылся в Москве",
		"https://saved.example/page":       "Saved as a resource record",
		"https://cc.example/decoded":       "stored decoded",
	}
	got := map[string]string{}
	st, err := warc.Read(bytes.NewReader(data), func(p warc.Page) error {
		a, err := extract.HTML(bytes.NewReader(p.Body), p.URL, extract.Options{Charset: p.Charset, MinRunes: 20})
		if err != nil {
			t.Errorf("%s: %v", p.URL, err)
			return nil
		}
		got[p.URL] = a.Text
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if st.HTML != int64(len(want)) || st.Truncated != 1 {
		t.Errorf("stats %+v: want %d pages and the truncated record counted", st, len(want))
	}
	for u, w := range want {
		if !strings.Contains(got[u], w) {
			t.Errorf("%s: got text %q, want it to contain %q", u, got[u], w)
		}
	}
}
