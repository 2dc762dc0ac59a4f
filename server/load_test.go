package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/store/pebble"
)

// loadCorpus reads the base articles of the load test: the shared data
// sets when present (WIRETRACE_SHARED, else /work/shared/data), else the
// seeds.
func loadCorpus(t *testing.T) ([]map[string]any, string) {
	dir := os.Getenv("WIRETRACE_SHARED")
	if dir == "" {
		dir = "/work/shared/data"
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var out []map[string]any
	pr := engine.NewPreparer(engine.Options{})
	skipped := 0
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var a map[string]any
			if json.Unmarshal(sc.Bytes(), &a) != nil {
				continue
			}
			text, _ := a["text"].(string)
			// Articles the engine refuses (tables, empty bodies) are not
			// load: leave them out.
			if _, err := pr.Prepare(wiretrace.Article{ID: "x", Text: text}); err != nil {
				skipped++
				continue
			}
			out = append(out, map[string]any{"title": a["title"], "source": a["source"], "text": text, "published": a["published"]})
		}
		f.Close()
	}
	if len(out) > 0 {
		return out, fmt.Sprintf("%d articles from %s (%d the engine refuses left out)", len(out), dir, skipped)
	}
	t.Logf("no shared data in %s: the load test uses the seeds", dir)
	for _, l := range seedLines(t) {
		var a map[string]any
		json.Unmarshal(l, &a)
		out = append(out, a)
	}
	return out, "the 5 seeds"
}

// variant derives article k of the feed from base: the base itself the
// first time, then copies that drop a paragraph, under another outlet and a
// later date, so that the feed carries wire copy the way real ones do.
func variant(base []map[string]any, k int, r *rand.Rand) []byte {
	b := base[k%len(base)]
	gen := k / len(base)
	a := map[string]any{"id": fmt.Sprintf("load-%d", k), "title": b["title"], "text": b["text"], "published": b["published"]}
	a["source"] = fmt.Sprint(b["source"])
	if gen > 0 {
		a["source"] = fmt.Sprintf("%v-copy%d", b["source"], gen)
		paras := strings.Split(fmt.Sprint(b["text"]), "\n\n")
		if len(paras) > 2 {
			i := r.IntN(len(paras))
			paras = slices.Delete(paras, i, i+1)
		}
		a["text"] = strings.Join(paras, "\n\n")
		a["published"] = nil
	}
	out, _ := json.Marshal(a)
	return out
}

// latencies collects durations of one kind of request.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) quantiles() (n int, p50, p99 time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(l.d)
	q := func(p float64) time.Duration { return l.d[min(len(l.d)-1, int(p*float64(len(l.d))))] }
	return len(l.d), q(.5), q(.99)
}

// TestLoad is the bounded load test (WIRETRACE_LOAD=1): 50 clients post
// WIRETRACE_LOAD_N articles (default 100000) one by one to a real server
// with a Pebble store, while 4 others list stories, read matches and
// stories and compare articles. It requires zero errors and reports the
// ingest rate and p50/p99 latencies (docs/benchmarks.md); with
// WIRETRACE_LOAD_OUT it also writes the report there.
func TestLoad(t *testing.T) {
	if os.Getenv("WIRETRACE_LOAD") != "1" {
		t.Skip("load test skipped: set WIRETRACE_LOAD=1 (minutes of CPU)")
	}
	total := 100000
	if v := os.Getenv("WIRETRACE_LOAD_N"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("WIRETRACE_LOAD_N=%q", v)
		}
		total = n
	}
	const writers, readers = 50, 4
	base, from := loadCorpus(t)
	st, err := pebble.Open(filepath.Join(t.TempDir(), "data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := start(t, Config{}, st)
	s.client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers + readers}}

	var next, errs atomic.Int64
	var ingest, listing, matches, story, compare latencies
	var acked sync.Map // index → id
	var ackedN atomic.Int64
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	fail := func(format string, args ...any) {
		if errs.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	do := func(method, path string, body []byte) (int, []byte, time.Duration) {
		req, _ := http.NewRequestWithContext(ctx, method, s.URL+path, bytes.NewReader(body))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		t0 := time.Now()
		resp, err := s.client.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				fail("%s %s: %v", method, path, err)
			}
			return 0, nil, 0
		}
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, buf.Bytes(), time.Since(t0)
	}
	type checkpoint struct {
		n       int64
		elapsed time.Duration
	}
	var marks []checkpoint
	var marksMu sync.Mutex
	begin := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for {
				k := int(next.Add(1)) - 1
				if k >= total || ctx.Err() != nil {
					return
				}
				code, body, took := do("POST", "/v1/articles", variant(base, k, r))
				if code != 201 {
					if code != 0 {
						fail("post article %d: %d %.200s", k, code, body)
					}
					continue
				}
				ingest.add(took)
				n := ackedN.Add(1)
				acked.Store(n-1, fmt.Sprintf("load-%d", k))
				if n%10000 == 0 {
					marksMu.Lock()
					marks = append(marks, checkpoint{n, time.Since(begin)})
					marksMu.Unlock()
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for rd := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			r := rand.New(rand.NewPCG(uint64(rd), 2))
			for ctx.Err() == nil {
				n := ackedN.Load()
				if n < 10 {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				// An id counted but not stored yet reads as "".
				idOf := func() string { v, _ := acked.Load(r.Int64N(n)); s, _ := v.(string); return s }
				switch r.IntN(4) {
				case 0:
					code, body, took := do("GET", "/v1/stories?limit=20", nil)
					if code != 200 {
						if code != 0 {
							fail("list stories: %d %.200s", code, body)
						}
						continue
					}
					listing.add(took)
				case 1:
					id := idOf()
					if id == "" {
						continue
					}
					code, body, took := do("GET", "/v1/articles/"+url.PathEscape(id)+"/matches", nil)
					if code != 200 {
						if code != 0 {
							fail("matches: %d %.200s", code, body)
						}
						continue
					}
					matches.add(took)
					var m matchesOut
					json.Unmarshal(body, &m)
					if code, body, took := do("GET", "/v1/stories/"+m.Story, nil); code == 200 {
						story.add(took)
					} else if code != 0 {
						fail("story %s: %d %.200s", m.Story, code, body)
					}
					if len(m.Matches) > 0 {
						q := url.Values{"a": {m.ID}, "b": {m.Matches[0].ID}}.Encode()
						if code, body, took := do("GET", "/v1/compare?"+q, nil); code == 200 {
							compare.add(took)
						} else if code != 0 {
							fail("compare: %d %.200s", code, body)
						}
					}
				default:
					time.Sleep(5 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	stop()
	rwg.Wait()

	// Then one client alone: the latency of one article against the full
	// index, without queueing behind 49 others.
	var single latencies
	r := rand.New(rand.NewPCG(99, 1))
	for k := total; k < total+500; k++ {
		t0 := time.Now()
		resp := s.do(t, "POST", "/v1/articles", variant(base, k, r), ctJSON)
		if resp.Status != 201 {
			fail("post article %d alone: %d %.200s", k, resp.Status, resp.Body)
			continue
		}
		single.add(time.Since(t0))
	}
	var rep strings.Builder
	fmt.Fprintf(&rep, "load test: %d articles (%s, with copies) posted one per request by %d clients while %d clients read; "+
		"store pebble; GOMAXPROCS %d; %s\n\n", ackedN.Load(), from, writers, readers, runtime.GOMAXPROCS(0), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&rep, "ingest: %d articles in %v: %.0f articles/s sustained; errors: %d\n\n", ackedN.Load(), elapsed.Round(time.Second),
		float64(ackedN.Load())/elapsed.Seconds(), errs.Load())
	fmt.Fprintf(&rep, "| request | count | p50 | p99 |\n|---|---:|---:|---:|\n")
	for _, row := range []struct {
		name string
		l    *latencies
	}{{"POST /v1/articles (one article, 50 writers)", &ingest}, {"POST /v1/articles (one article, one writer, after the run)", &single}, {"GET /v1/stories", &listing}, {"GET /v1/articles/{id}/matches", &matches},
		{"GET /v1/stories/{id}", &story}, {"GET /v1/compare", &compare}} {
		n, p50, p99 := row.l.quantiles()
		fmt.Fprintf(&rep, "| %s | %d | %v | %v |\n", row.name, n, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
	}
	fmt.Fprintf(&rep, "\ningest rate by index size:\n\n| articles indexed | elapsed | rate over the last step |\n|---:|---:|---:|\n")
	slices.SortFunc(marks, func(a, b checkpoint) int { return int(a.n - b.n) })
	var prev checkpoint
	for _, m := range marks {
		fmt.Fprintf(&rep, "| %d | %v | %.0f/s |\n", m.n, m.elapsed.Round(time.Second), float64(m.n-prev.n)/(m.elapsed-prev.elapsed).Seconds())
		prev = m
	}
	// Where the time went, from the server's own metrics.
	if r := s.do(t, "GET", "/metrics", nil); r.Status == 200 {
		body := r.Body
		sums := map[string]float64{}
		for _, line := range strings.Split(string(body), "\n") {
			for _, name := range []string{"wiretrace_store_write_seconds_sum", "wiretrace_store_write_seconds_count",
				"wiretrace_store_write_articles_sum", "wiretrace_match_seconds_sum", "wiretrace_match_seconds_count"} {
				if v, ok := strings.CutPrefix(line, name+" "); ok {
					sums[name], _ = strconv.ParseFloat(v, 64)
				}
			}
		}
		if p50, p99, ok := histogramQuantiles(string(body), "wiretrace_match_seconds"); ok {
			fmt.Fprintf(&rep, "\nmatching one article (engine Add, from the server's histogram): p50 ≤ %v, p99 ≤ %v\n", p50, p99)
		}
		if n := sums["wiretrace_store_write_seconds_count"]; n > 0 {
			fmt.Fprintf(&rep, "\nstore writes: %.0f, %.1f articles each on average, %.1f ms each on average; matching: %.2f ms per article on average\n",
				n, sums["wiretrace_store_write_articles_sum"]/n, 1000*sums["wiretrace_store_write_seconds_sum"]/n,
				1000*sums["wiretrace_match_seconds_sum"]/max(1, sums["wiretrace_match_seconds_count"]))
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&rep, "\nGo heap in use after the run: %d MiB (server and clients in one process)\n", ms.HeapInuse>>20)
	t.Log("\n" + rep.String())
	if out := os.Getenv("WIRETRACE_LOAD_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(rep.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if errs.Load() > 0 {
		t.Errorf("%d errors", errs.Load())
	}
}

// histogramQuantiles reads the upper bounds of the buckets holding the
// median and the 99th percentile of a Prometheus histogram.
func histogramQuantiles(metrics, name string) (p50, p99 time.Duration, ok bool) {
	type bucket struct {
		le    float64
		count float64
	}
	var bs []bucket
	for _, line := range strings.Split(metrics, "\n") {
		rest, found := strings.CutPrefix(line, name+`_bucket{le="`)
		if !found {
			continue
		}
		le, count, _ := strings.Cut(rest, `"} `)
		l, err1 := strconv.ParseFloat(le, 64)
		c, err2 := strconv.ParseFloat(count, 64)
		if err1 == nil && err2 == nil {
			bs = append(bs, bucket{l, c})
		}
	}
	if len(bs) == 0 || bs[len(bs)-1].count == 0 {
		return 0, 0, false
	}
	total := bs[len(bs)-1].count
	at := func(q float64) time.Duration {
		for _, b := range bs {
			if b.count >= q*total {
				return time.Duration(b.le * float64(time.Second))
			}
		}
		return time.Duration(math.Inf(1))
	}
	return at(.5), at(.99), true
}
