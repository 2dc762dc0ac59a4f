package engine_test

import (
	"context"
	"testing"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

// benchCorpus is the seeds plus the mixed fixture (89 real articles,
// BASIL and BBC), read once.
func benchCorpus(b *testing.B) (arts []wiretrace.Article, bytes int64) {
	b.Helper()
	err := ingest.Read(context.Background(), []string{"../testdata/seeds", "testdata/mixed.jsonl"}, ingest.Options{}, func(it ingest.Item) error {
		if it.Err == nil {
			arts = append(arts, it.Article)
			bytes += int64(len(it.Article.Text))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return arts, bytes
}

func prepareAll(b *testing.B, arts []wiretrace.Article) []*engine.Prepared {
	b.Helper()
	pr := engine.NewPreparer(engine.Options{})
	ps := make([]*engine.Prepared, 0, len(arts))
	for _, a := range arts {
		p, err := pr.Prepare(a)
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// BenchmarkPrepare measures normalisation and sketching (one goroutine):
// one op prepares the whole corpus.
func BenchmarkPrepare(b *testing.B) {
	arts, size := benchCorpus(b)
	pr := engine.NewPreparer(engine.Options{})
	b.SetBytes(size)
	b.ReportAllocs()
	ops := 0
	for b.Loop() {
		for _, a := range arts {
			if _, err := pr.Prepare(a); err != nil {
				b.Fatal(err)
			}
		}
		ops++
	}
	b.ReportMetric(float64(ops*len(arts))/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkAdd measures indexing, candidate lookup, alignment and story
// assignment: one op adds the prepared corpus to an empty engine.
func BenchmarkAdd(b *testing.B) {
	arts, size := benchCorpus(b)
	ps := prepareAll(b, arts)
	b.SetBytes(size)
	b.ReportAllocs()
	ops := 0
	for b.Loop() {
		eng, err := engine.New(engine.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			eng.Add(p)
		}
		ops++
	}
	b.ReportMetric(float64(ops*len(ps))/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkQuery measures one read-only query (candidates and alignment)
// against an index of the corpus; the queried article is a seed, so it
// has candidates to align.
func BenchmarkQuery(b *testing.B) {
	arts, _ := benchCorpus(b)
	ps := prepareAll(b, arts)
	eng, err := engine.New(engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		eng.Add(p)
	}
	q := ps[1]
	b.SetBytes(int64(q.Bytes))
	b.ReportAllocs()
	matches := 0
	for b.Loop() {
		matches = len(eng.Query(q))
	}
	b.ReportMetric(float64(matches), "matches/op")
}
