package warc_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/wiretrace/wiretrace/extract"
	"github.com/wiretrace/wiretrace/ingest/warc"
)

// TestBigWARC synthesises a WARC.gz of about 1 GB (WIRETRACE_BIG_WARC_MB
// sets the size in MB) in a temporary directory, streams it through the
// reader, extracts the text of every 20th page, and checks that the peak
// resident set stays under 500 MB. It runs only with WIRETRACE_BIG_WARC=1:
// writing and reading the file takes minutes and a gigabyte of disk.
func TestBigWARC(t *testing.T) {
	if os.Getenv("WIRETRACE_BIG_WARC") != "1" {
		t.Skip("set WIRETRACE_BIG_WARC=1 to synthesise and stream a 1 GB WARC (takes minutes)")
	}
	sizeMB := 1024
	if s := os.Getenv("WIRETRACE_BIG_WARC_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("bad WIRETRACE_BIG_WARC_MB %q", s)
		}
		sizeMB = n
	}
	path := filepath.Join(t.TempDir(), "big.warc.gz")
	start := time.Now()
	written, pages := synthesise(t, path, int64(sizeMB)<<20)
	t.Logf("wrote %s: %.0f MB compressed, %d HTML pages, in %v", path, float64(written)/(1<<20), pages, time.Since(start).Round(time.Second))

	// Measure the reading pass alone: reset the peak RSS (Linux ≥ 4.0)
	// and free what the writer held.
	runtime.GC()
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		bodyBytes   int64
		sampled     int
		extracted   int
		extractTime time.Duration
		extractIn   int64
	)
	start = time.Now()
	st, err := warc.Read(f, func(p warc.Page) error {
		bodyBytes += int64(len(p.Body))
		if st := sampled; st%20 == 0 {
			t0 := time.Now()
			a, err := extract.HTML(bytes.NewReader(p.Body), p.URL, extract.Options{Charset: p.Charset})
			extractTime += time.Since(t0)
			extractIn += int64(len(p.Body))
			if err == nil && a.Text != "" {
				extracted++
			}
		}
		sampled++
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	hwm := peakRSS(t)
	t.Logf("stats: %+v", st)
	readTime := elapsed - extractTime
	t.Logf("read: %d pages in %v (without extraction time): %.0f pages/s, %.1f MB/s compressed, %.1f MB/s of HTML payload",
		st.HTML, readTime.Round(time.Millisecond), float64(st.HTML)/readTime.Seconds(),
		float64(st.Bytes)/(1<<20)/readTime.Seconds(), float64(bodyBytes)/(1<<20)/readTime.Seconds())
	t.Logf("extract: %d of %d sampled pages in %v: %.0f pages/s, %.2f MB/s", extracted, (sampled+19)/20,
		extractTime.Round(time.Millisecond), float64((sampled+19)/20)/extractTime.Seconds(), float64(extractIn)/(1<<20)/extractTime.Seconds())
	t.Logf("peak RSS (VmHWM) %d MB (peak reset before reading: %v)", hwm>>20, resetPeak)
	if st.HTML != int64(pages) || st.Truncated != 0 || st.Corrupt != 0 {
		t.Errorf("got %+v, want %d pages and no damage", st, pages)
	}
	if extracted != (sampled+19)/20 {
		t.Errorf("extracted %d of %d sampled pages", extracted, (sampled+19)/20)
	}
	if hwm >= 500<<20 {
		t.Errorf("peak RSS %d MB, want under 500 MB", hwm>>20)
	}
}

// peakRSS reads VmHWM from /proc/self/status, in bytes.
func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("parse VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// synthesise writes a crawl-like WARC.gz of about size bytes: per capture
// a request, a response and a metadata record, one gzip member each; one
// capture in ten is an image. Page text is drawn from a vocabulary of
// invented words, so it compresses about as well as real HTML.
func synthesise(t testing.TB, path string, size int64) (written int64, pages int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cw := &countWriter{w: bufio.NewWriterSize(f, 1<<20)}
	gz, _ := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 3000)
	for i := range vocab {
		var b strings.Builder
		for range 3 + rng.IntN(8) {
			b.WriteByte("etaoinshrdlucmfwypvbgkjqxz"[min(25, int(rng.ExpFloat64()*5))])
		}
		vocab[i] = b.String()
	}
	member := func(typ, uri, ctype string, block []byte) {
		gz.Reset(cw)
		fmt.Fprintf(gz, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Target-URI: %s\r\nWARC-Date: 2023-11-14T09:15:00Z\r\nWARC-Record-ID: <urn:uuid:%08x-0000-4000-8000-%012x>\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			typ, uri, rng.Uint32(), rng.Uint64()&0xffffffffffff, ctype, len(block))
		gz.Write(block)
		gz.Write([]byte("\r\n\r\n"))
		if err := gz.Close(); err != nil {
			t.Fatal(err)
		}
	}
	var body bytes.Buffer
	for n := 0; cw.n < size; n++ {
		uri := fmt.Sprintf("https://news%d.example/story/%d", n%97, n)
		member("request", uri, "application/http; msgtype=request", []byte("GET /story HTTP/1.1\r\nHost: news.example\r\n\r\n"))
		body.Reset()
		if n%10 == 9 {
			body.WriteString("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n")
			for range 20000 {
				body.WriteByte(byte(rng.Uint32()))
			}
		} else {
			body.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
			body.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>`)
			words(&body, rng, vocab, 8)
			body.WriteString(`</title><meta property="og:site_name" content="Example News"></head><body><nav><ul>`)
			for range 30 {
				body.WriteString(`<li><a href="/section">`)
				words(&body, rng, vocab, 2)
				body.WriteString(`</a></li>`)
			}
			body.WriteString(`</ul></nav><article><h1>`)
			words(&body, rng, vocab, 8)
			body.WriteString(`</h1>`)
			for range 10 + rng.IntN(30) {
				body.WriteString("<p>")
				words(&body, rng, vocab, 30+rng.IntN(60))
				body.WriteString("</p>\n")
			}
			body.WriteString(`</article><footer>Example News</footer></body></html>`)
			pages++
		}
		member("response", uri, "application/http; msgtype=response", body.Bytes())
		member("metadata", uri, "application/warc-fields", []byte("fetchTimeMs: 120\r\n"))
	}
	if err := cw.w.(*bufio.Writer).Flush(); err != nil {
		t.Fatal(err)
	}
	return cw.n, pages
}

func words(b *bytes.Buffer, rng *rand.Rand, vocab []string, n int) {
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		// Zipf-like: frequent words much more frequent.
		b.WriteString(vocab[min(len(vocab)-1, int(rng.ExpFloat64()*300))])
	}
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// BenchmarkRead streams a synthetic 16 MB WARC.gz from memory and reports
// compressed MB/s and pages/s.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.warc.gz")
	synthesise(b, path, 16<<20)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pages int64
	for b.Loop() {
		st, err := warc.Read(bytes.NewReader(data), func(warc.Page) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		pages += st.HTML
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
