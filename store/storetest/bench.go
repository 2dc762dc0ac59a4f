package storetest

import (
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/store"
)

// benchArticle is a real 4 KB wire story (the AP text of the seed cluster).
//
//go:embed testdata/bench/article.txt
var benchArticle string

// BenchStateSize is the size of the State in benchmark records: about what a
// MinHash signature plus sentence sketches of a 4 KB article take.
const BenchStateSize = 1024

// BenchRecord returns benchmark record i: the 4 KB seed article with its
// paragraphs rotated by i (so records differ as real ones do, and block
// compression cannot fold them together), full metadata, and
// BenchStateSize bytes of incompressible state.
func BenchRecord(i int) *store.Record {
	paras := strings.Split(strings.TrimSpace(benchArticle), "\n\n")
	k := i % len(paras)
	text := strings.Join(append(paras[k:len(paras):len(paras)], paras[:k]...), "\n\n")
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	state := make([]byte, BenchStateSize)
	for j := 0; j < len(state); j += 8 {
		v := rng.Uint64()
		for b := 0; b < 8 && j+b < len(state); b++ {
			state[j+b] = byte(v >> (8 * b))
		}
	}
	return &store.Record{
		Article: wiretrace.Article{
			ID:        benchID(i),
			Title:     "Biden, Putin to hold video call amid Ukraine tensions",
			URL:       benchID(i),
			Source:    "Example News",
			Published: time.Date(2021, 12, 4, 10, 0, i%60, 0, time.FixedZone("", 3*3600)),
			Lang:      "en",
			Byline:    "Vladimir Isachenkov, Aamer Madhani",
			Dateline:  "MOSCOW",
			Credits:   []string{"AP"},
			Text:      text,
			Origin:    fmt.Sprintf("news.jsonl:%d", i+1),
		},
		State: state,
	}
}

func benchID(i int) string { return fmt.Sprintf("https://news.example.com/2021/12/04/article-%08d", i) }

// BenchOption configures Bench.
type BenchOption func(*benchConfig)

type benchConfig struct {
	diskUsage func(b *testing.B, s store.Store) int64
}

// WithDiskUsage adds the Footprint benchmark: it stores 10,000 benchmark
// records and reports diskUsage(s) per record as "disk-B/record".
// diskUsage should bring the store to a steady state first (flush, compact).
func WithDiskUsage(diskUsage func(b *testing.B, s store.Store) int64) BenchOption {
	return func(c *benchConfig) { c.diskUsage = diskUsage }
}

// Bench runs the shared benchmarks on stores from open, which returns a new,
// empty store and registers its cleanup with b.Cleanup. Every benchmark
// but Footprint reports "records/s"; MB/s counts the article text and state.
func Bench(b *testing.B, open func(b *testing.B) store.Store, opts ...BenchOption) {
	var c benchConfig
	for _, o := range opts {
		o(&c)
	}
	size := int64(len(BenchRecord(0).Article.Text) + BenchStateSize)
	ctx := context.Background()
	// Records are built before the timer starts: a pool of distinct ones,
	// copied with a fresh ID for each Put.
	pool := make([]*store.Record, 256)
	for i := range pool {
		pool[i] = BenchRecord(i)
	}
	rec := func(i int) *store.Record {
		r := *pool[i%len(pool)]
		r.Article.ID = benchID(i)
		return &r
	}
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("Put/batch=%d", batch), func(b *testing.B) {
			s := open(b)
			recs := make([]*store.Record, batch)
			next := 0
			b.SetBytes(size * int64(batch))
			b.ReportAllocs()
			for b.Loop() {
				for j := range recs {
					recs[j] = rec(next)
					next++
				}
				if err := s.Put(ctx, recs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "records/s")
		})
	}
	// Many goroutines putting one record each: what a server handling
	// concurrent requests sees, and where a backend's group commit shows.
	const writers = 16
	b.Run(fmt.Sprintf("Put/concurrent=%d", writers), func(b *testing.B) {
		s := open(b)
		next := 0
		b.SetBytes(size * writers)
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				r := rec(next + w)
				wg.Go(func() {
					if err := s.Put(ctx, r); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			next += writers
		}
		b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "records/s")
	})
	const preload = 1000
	fill := func(b *testing.B) store.Store {
		s := open(b)
		for i := 0; i < preload; i += 100 {
			recs := make([]*store.Record, 100)
			for j := range recs {
				recs[j] = rec(i + j)
			}
			if err := s.Put(ctx, recs...); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	b.Run("Get", func(b *testing.B) {
		s := fill(b)
		ids := make([]string, preload)
		for i := range ids {
			ids[i] = benchID(i)
		}
		rng := rand.New(rand.NewPCG(1, 1))
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, ids[rng.IntN(preload)]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("Scan", func(b *testing.B) {
		s := fill(b)
		b.SetBytes(size * preload)
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			if err := s.Scan(ctx, func(*store.Record) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
			if n != preload {
				b.Fatalf("Scan: got %d records, want %d", n, preload)
			}
		}
		b.ReportMetric(float64(b.N*preload)/b.Elapsed().Seconds(), "records/s")
	})
	if c.diskUsage != nil {
		b.Run("Footprint", func(b *testing.B) {
			const n = 10_000
			var perRecord, encoded float64
			for b.Loop() {
				s := open(b)
				enc := 0
				for i := 0; i < n; i += 100 {
					recs := make([]*store.Record, 100)
					for j := range recs {
						recs[j] = BenchRecord(i + j)
						enc += len(store.EncodeRecord(recs[j]))
					}
					if err := s.Put(ctx, recs...); err != nil {
						b.Fatal(err)
					}
				}
				perRecord = float64(c.diskUsage(b, s)) / n
				encoded = float64(enc) / n
			}
			b.ReportMetric(perRecord, "disk-B/record")
			b.ReportMetric(encoded, "envelope-B/record")
		})
	}
}
