package warc

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gowarc "github.com/internetarchive/gowarc"
	"golang.org/x/text/encoding/charmap"
)

var update = flag.Bool("update", false, "rewrite testdata/fixture.warc.gz and testdata/fixture.warc")

// fixtureRecord is one record of the fixture archive.
type fixtureRecord struct {
	typ, uri, contentType string
	block                 []byte
	extra                 map[string]string // more WARC headers
}

// page1 and the other payloads are the fixture's HTML pages.
const page1 = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Port strike ends</title></head>
<body><article><h1>Port strike ends</h1><p>Dock workers returned to work on Tuesday after a deal on pay.</p></article></body></html>`

const page3 = `<html><head><title>Resource page</title></head><body><p>Saved as a resource record by a browser-based crawler.</p></body></html>`

const page4 = `<!doctype html><html><body><p>Served without a Content-Type and stored decoded, though the headers still claim gzip.</p></body></html>`

var page2 = func() []byte {
	s := `<html><head><title>Метро</title></head><body><p>Участок новой линии метро открылся в Москве во вторник.</p></body></html>`
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}()

// noise returns n bytes of words that compress poorly, so that cutting a
// gzip member short cuts into its data.
func noise(n int) string {
	var b strings.Builder
	x := uint32(2463534242)
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		fmt.Fprintf(&b, "w%x ", x)
	}
	return b.String()
}

func httpResponse(status, headers string, body []byte) []byte {
	return append([]byte("HTTP/1.1 "+status+"\r\n"+headers+"\r\n"), body...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func chunked(b []byte, size int) []byte {
	var buf bytes.Buffer
	for len(b) > 0 {
		n := min(size, len(b))
		fmt.Fprintf(&buf, "%x\r\n", n)
		buf.Write(b[:n])
		buf.WriteString("\r\n")
		b = b[n:]
	}
	buf.WriteString("0\r\n\r\n")
	return buf.Bytes()
}

const httpResp = "application/http; msgtype=response"

// fixtureRecords returns the records of the fixture, in order. The last is
// a response that the fixture writer cuts short.
func fixtureRecords() []fixtureRecord {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 64)...)
	return []fixtureRecord{
		{typ: "request", uri: "https://news.example/port-strike", contentType: "application/http; msgtype=request",
			block: []byte("GET /port-strike HTTP/1.1\r\nHost: news.example\r\nUser-Agent: test\r\n\r\n")},
		{typ: "response", uri: "https://news.example/port-strike", contentType: httpResp,
			block: httpResponse("200 OK", "Content-Type: text/html; charset=utf-8\r\n", []byte(page1))},
		{typ: "metadata", uri: "https://news.example/port-strike", contentType: "application/warc-fields",
			block: []byte("outlink: https://news.example/other E =a\r\n")},
		{typ: "response", uri: "https://ru.example/metro", contentType: httpResp,
			block: httpResponse("200 OK", "Content-Type: text/html; charset=windows-1251\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", chunked(gzipped(page2), 50))},
		{typ: "response", uri: "https://news.example/logo.png", contentType: httpResp,
			block: httpResponse("200 OK", "Content-Type: image/png\r\n", png)},
		{typ: "response", uri: "http://news.example/old", contentType: httpResp,
			block: httpResponse("301 Moved Permanently", "Location: https://news.example/new\r\nContent-Type: text/html\r\n", []byte("<html><body>Moved</body></html>"))},
		{typ: "revisit", uri: "https://news.example/port-strike", contentType: httpResp,
			block: []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"),
			extra: map[string]string{"WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest", "WARC-Refers-To-Target-URI": "https://news.example/port-strike"}},
		{typ: "response", uri: "https://api.example/v1/items", contentType: httpResp,
			block: httpResponse("200 OK", "Content-Type: application/json\r\n", []byte(`{"items":[1,2,3]}`))},
		{typ: "resource", uri: "https://saved.example/page", contentType: "text/html",
			block: []byte(page3)},
		{typ: "response", uri: "https://cc.example/decoded", contentType: httpResp,
			block: httpResponse("200 OK", "Content-Encoding: gzip\r\nX-Crawler-Content-Length: 999\r\n", []byte(page4))},
		{typ: "response", uri: "dns:news.example", contentType: "text/dns",
			block: []byte("20231114000000\nnews.example.\t300\tIN\tA\t192.0.2.1\n")},
		{typ: "response", uri: "https://news.example/cut-short", contentType: httpResp,
			block: httpResponse("200 OK", "Content-Type: text/html\r\n", []byte(`<html><body><p>`+noise(4000)+`</p></body></html>`))},
	}
}

// fixtureStats are the counts Read must report for the fixture.
var fixtureStats = Stats{
	Records: 13, Responses: 8, Resources: 1, HTML: 4, NonHTML: 3, NotOK: 1,
	Revisits: 1, Requests: 1, Metadata: 1, Other: 1, Truncated: 1,
}

// writeFixture writes the fixture archive with gowarc: a warcinfo record,
// then fixtureRecords, one gzip member per record when compress is set.
// The last record is cut 200 bytes short of its end.
func writeFixture(t testing.TB, compress bool) []byte {
	t.Helper()
	var out bytes.Buffer
	compression := ""
	if compress {
		compression = "gzip"
	}
	write := func(fill func(w *gowarc.Writer) error) {
		w, err := gowarc.NewWriter(&out, "fixture.warc", gowarc.SHA1, compression, "", false, nil)
		if err != nil {
			t.Fatalf("new writer: %v", err)
		}
		if err := fill(w); err != nil {
			t.Fatalf("write record: %v", err)
		}
		if compress {
			if err := w.CloseCompressedWriter(); err != nil {
				t.Fatalf("close member: %v", err)
			}
		}
	}
	write(func(w *gowarc.Writer) error {
		_, err := w.WriteInfoRecord(map[string]string{"software": "wiretrace fixture", "format": "WARC File Format 1.1"})
		return err
	})
	var lastStart int
	for _, fr := range fixtureRecords() {
		lastStart = out.Len()
		write(func(w *gowarc.Writer) error {
			rec := gowarc.NewRecord("", false)
			rec.Header.Set("WARC-Type", fr.typ)
			rec.Header.Set("WARC-Target-URI", fr.uri)
			rec.Header.Set("WARC-Date", "2023-11-14T09:15:00Z")
			rec.Header.Set("Content-Type", fr.contentType)
			for k, v := range fr.extra {
				rec.Header.Set(k, v)
			}
			if _, err := rec.Content.Write(fr.block); err != nil {
				return err
			}
			_, err := w.WriteRecord(rec)
			return err
		})
	}
	b := out.Bytes()
	if len(b)-lastStart < 300 {
		t.Fatalf("last record too small to cut")
	}
	return b[:len(b)-200]
}

// TestWriteFixture rewrites testdata/fixture.warc{,.gz} with -update; the
// files are there for commands and other packages to read.
func TestWriteFixture(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fixture.warc.gz and testdata/fixture.warc")
	}
	for name, compress := range map[string]bool{"fixture.warc.gz": true, "fixture.warc": false} {
		if err := os.WriteFile(filepath.Join("testdata", name), writeFixture(t, compress), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readAll reads a whole archive, copying the pages out.
func readAll(t testing.TB, r io.Reader, opts Options) ([]Page, Stats, error) {
	t.Helper()
	var pages []Page
	st, err := ReadWith(r, opts, func(p Page) error {
		p.Body = bytes.Clone(p.Body)
		pages = append(pages, p)
		return nil
	})
	return pages, st, err
}
