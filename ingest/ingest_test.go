package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readAll(t *testing.T, o Options, inputs ...string) (arts []string, errs []error) {
	t.Helper()
	err := Read(context.Background(), inputs, o, func(it Item) error {
		if it.Err != nil {
			errs = append(errs, it.Err)
			return nil
		}
		arts = append(arts, it.Article.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return arts, errs
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSeedsDirectory(t *testing.T) {
	var got []Item
	err := Read(context.Background(), []string{"../testdata/seeds"}, Options{}, func(it Item) error {
		got = append(got, it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("got %d items, want 5", len(got))
	}
	a := got[0].Article
	if a.ID != "000_593ee4de91dc436a" {
		t.Errorf("first id %q, want 000_593ee4de91dc436a (lexical order)", a.ID)
	}
	if want := time.Date(2021, 12, 4, 0, 0, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("000 published %v, want %v (from the date header)", a.Published, want)
	}
	if strings.Contains(a.Text, " date 2021") || !strings.HasPrefix(a.Text, "The Kremlin") {
		t.Errorf("date header not stripped: %q", a.Text[:40])
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/good.txt", []byte("A short article about something.\n"))
	write(t, dir, "a/empty.txt", nil)
	write(t, dir, "a/binary.bin", []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2, 3, 0})
	write(t, dir, "a/invalid-utf8.txt", []byte("Caf\xe9 society \xff\xfe is back. A second sentence.\n"))
	write(t, dir, "a/.hidden.txt", []byte("not read\n"))
	big := bytes.Repeat([]byte("word "), 3<<20/5) // 3 MB
	write(t, dir, "a/huge.txt", big)
	jl := `{"id":"j1","text":"First line article."}
{"id": 2, "title": "numeric id", "text": "Second article."}

{"id":"j3","text":"broken
not json at all
{"text":"no id"}
{"id":"j4"}
{"id":"j5","text":17}
{"id":"j6","html":"<p>html only</p>"}
["an","array"]
`
	write(t, dir, "a/feed.jsonl", []byte(jl))
	arts, errs := readAll(t, Options{MaxRecordBytes: 1 << 20}, filepath.Join(dir, "a"), filepath.Join(dir, "missing.txt"))
	wantArts := []string{"j1", "2", "j6", "good", "invalid-utf8"}
	if strings.Join(arts, ",") != strings.Join(wantArts, ",") {
		t.Errorf("articles %v, want %v", arts, wantArts)
	}
	wantErrs := []struct {
		sub string
		is  error
	}{
		{"binary.bin", ErrBinary},
		{"empty.txt", ErrEmpty},
		{"feed.jsonl:4", ErrMalformed},
		{"feed.jsonl:5", ErrMalformed},
		{"feed.jsonl:6", ErrMalformed},
		{"feed.jsonl:7", ErrEmpty},
		{"feed.jsonl:8", ErrMalformed},
		{"feed.jsonl:10", ErrMalformed},
		{"huge.txt", ErrTooLarge},
		{"missing.txt", os.ErrNotExist},
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(wantErrs))
	}
	for _, w := range wantErrs {
		found := false
		for _, e := range errs {
			if strings.Contains(e.Error(), w.sub) && errors.Is(e, w.is) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error naming %s wrapping %v in %v", w.sub, w.is, errs)
		}
	}
}

func TestLongLineSkipped(t *testing.T) {
	dir := t.TempDir()
	long := `{"id":"long","text":"` + strings.Repeat("x", 2000) + `"}`
	p := write(t, dir, "f.jsonl", []byte(`{"id":"a","text":"one."}`+"\n"+long+"\n"+`{"id":"b","text":"two."}`))
	arts, errs := readAll(t, Options{MaxRecordBytes: 1000}, p)
	if strings.Join(arts, ",") != "a,b" {
		t.Errorf("articles %v, want a,b", arts)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrTooLarge) || !strings.Contains(errs[0].Error(), "f.jsonl:2") {
		t.Errorf("errors %v, want one ErrTooLarge naming f.jsonl:2", errs)
	}
}

func TestStdin(t *testing.T) {
	o := Options{Stdin: strings.NewReader(`{"id":"s1","text":"From stdin.","published":"2010-07-02"}` + "\n")}
	var got []Item
	if err := Read(context.Background(), []string{"-"}, o, func(it Item) error { got = append(got, it); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Article.ID != "s1" || got[0].Article.Published.Year() != 2010 || got[0].Article.Origin != "stdin:1" {
		t.Fatalf("got %+v", got)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		path string
		head string
		want Format
		err  error
	}{
		{"x.jsonl", "", FormatJSONL, nil},
		{"x.txt", "\x00\x01", FormatText, nil},
		{"noext", `  {"id":1}`, FormatJSONL, nil},
		{"noext", "Plain words.", FormatText, nil},
		{"noext", "\x00\x01\x02", "", ErrBinary},
	}
	for _, c := range cases {
		t.Run(c.path+"/"+c.head, func(t *testing.T) {
			got, err := Detect(c.path, []byte(c.head))
			if got != c.want || !errors.Is(err, c.err) {
				t.Errorf("got %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Read(context.Background(), []string{"../testdata/seeds"}, Options{}, func(Item) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("got %v after %d items, want stop after 1", err, n)
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"x"}` + "\n" + `{"id":1,"text":"y","published":"26-FEB-1987 15:01:01.79"}`))
	f.Add([]byte("{\"id\":\"a\",\"text\":\"\xff\"}\n\n\n{"))
	f.Add([]byte(`{"id":null}` + "\r\n" + `[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := readJSONL(context.Background(), bytes.NewReader(data), "fuzz", 0, Options{MaxRecordBytes: 256}.withDefaults(), func(it Item) error {
			n++
			if it.Err == nil && (it.Article.ID == "" || (strings.TrimSpace(it.Article.Text) == "" && strings.TrimSpace(it.Article.HTML) == "")) {
				t.Fatalf("article without id or text: %+v", it.Article)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("readJSONL: %v", err)
		}
		if lines := bytes.Count(data, []byte("\n")) + 1; n > lines {
			t.Fatalf("%d items from %d lines", n, lines)
		}
	})
}

func FuzzTextArticle(f *testing.F) {
	f.Add(" date 2021-12-04 The Kremlin said.")
	f.Add("date 2021-13-45 x")
	f.Add("\ufeff date 2021-12-04T10:00 text")
	f.Fuzz(func(t *testing.T, s string) {
		a := TextArticle("id", s)
		if len(a.Text) > len(s)*3+3 {
			t.Fatalf("text grew from %d to %d bytes", len(s), len(a.Text))
		}
	})
}

func TestWARCAndHTML(t *testing.T) {
	for _, f := range []string{"warc/testdata/fixture.warc", "warc/testdata/fixture.warc.gz"} {
		t.Run(f, func(t *testing.T) {
			var pages []Item
			var errs []error
			err := Read(context.Background(), []string{f}, Options{}, func(it Item) error {
				if it.Err != nil {
					errs = append(errs, it.Err)
				} else {
					pages = append(pages, it)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(pages) < 2 {
				t.Fatalf("got %d pages, want the fixture's HTML responses", len(pages))
			}
			for _, p := range pages {
				if p.Article.HTML == "" || p.Article.URL == "" || p.Article.ID != p.Article.URL || !strings.Contains(p.Article.Origin, f+"@") {
					t.Errorf("page %+v: want HTML, URL as id and an origin naming the record", p.Article.ID)
				}
			}
			if len(errs) != 1 || !errors.Is(errs[0], ErrDamaged) || !strings.Contains(errs[0].Error(), "truncated") {
				t.Errorf("errors %v, want one ErrDamaged naming the truncated record", errs)
			}
		})
	}
	dir := t.TempDir()
	page := write(t, dir, "story.htm", []byte("<html><head><title>T</title></head><body><p>Text.</p></body></html>"))
	sniffed := write(t, dir, "noext", []byte("<!DOCTYPE html><html><body><p>Body text.</p></body></html>"))
	var got []Item
	if err := Read(context.Background(), []string{page, sniffed}, Options{}, func(it Item) error { got = append(got, it); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Article.ID != "story" || got[0].Article.HTML == "" || got[1].Article.HTML == "" {
		t.Fatalf("html files: got %+v", got)
	}
}
