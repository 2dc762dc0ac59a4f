package dedup

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/internal/synth"
)

// benchCorpus writes n synthetic articles made from the mixed fixture (or
// from $WIRETRACE_SHARED's corpora when present) and returns the path and
// its size.
func benchCorpus(b *testing.B, n int) (string, int64) {
	b.Helper()
	src := []string{mixedFixture}
	for _, dir := range []string{os.Getenv("WIRETRACE_SHARED"), "../../shared", "../../../shared"} {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, "data", "bbc.jsonl"); fileExists(p) {
			src = []string{p}
			break
		}
	}
	var srcs []synth.Source
	for _, p := range src {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		s, err := synth.ReadSources(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, s...)
	}
	g, err := synth.New(srcs, 1, synth.Options{})
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "corpus.jsonl")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for range n {
		a := g.Next()
		enc.Encode(&a)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(p)
	return p, st.Size()
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

const benchArticles = 3000

// BenchmarkRun is the whole pipeline, per level.
func BenchmarkRun(b *testing.B) {
	corpus, size := benchCorpus(b, benchArticles)
	for _, lv := range []engine.Level{engine.LevelNearDup, engine.LevelReuse} {
		b.Run(lv.String(), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			dir := b.TempDir()
			for b.Loop() {
				o := Options{Engine: engine.Options{Level: lv}, WorkDir: filepath.Join(dir, "w"), OutDir: filepath.Join(dir, "o"), Fresh: true}
				if _, err := Run(context.Background(), []string{corpus}, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchArticles*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// passRunner runs the passes before pass on a fresh work directory and
// returns the runner, ready to run pass again and again.
func passRunner(b *testing.B, corpus string, lv engine.Level, upTo Pass) *runner {
	b.Helper()
	dir := b.TempDir()
	o := Options{Engine: engine.Options{Level: lv}, WorkDir: filepath.Join(dir, "w"), OutDir: filepath.Join(dir, "o")}.withDefaults()
	os.MkdirAll(o.WorkDir, 0o755)
	os.MkdirAll(o.OutDir, 0o755)
	r := &runner{opts: o, inputs: []string{corpus}, work: o.WorkDir, log: o.Logger, budget: o.budget(o.Workers)}
	r.man = &manifest{Version: FormatVersion, WorkHash: o.workHash()}
	ctx := context.Background()
	steps := []struct {
		pass Pass
		fn   func() error
	}{
		{PassRead, func() error { return r.readPass(ctx) }},
		{PassIDs, func() error {
			c, err := r.openCorpus()
			if err != nil {
				return err
			}
			r.c = c
			b.Cleanup(c.close)
			return r.idsPass(ctx)
		}},
		{PassPairs, func() error { r.planPartitions(); return r.pairsPass(ctx) }},
		{PassCandidates, func() error { return r.candidatesPass(ctx) }},
		{PassAlign, func() error { return r.alignPass(ctx) }},
	}
	for _, s := range steps {
		if s.pass == upTo {
			break
		}
		if err := s.fn(); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// BenchmarkPasses times each pass on its own (reuse level).
func BenchmarkPasses(b *testing.B) {
	corpus, size := benchCorpus(b, benchArticles)
	ctx := context.Background()
	report := func(b *testing.B) {
		b.ReportMetric(float64(benchArticles*b.N)/b.Elapsed().Seconds(), "docs/s")
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			r := passRunner(b, corpus, engine.LevelReuse, PassRead)
			b.StartTimer()
			if err := r.readPass(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("pairs", func(b *testing.B) {
		r := passRunner(b, corpus, engine.LevelReuse, PassPairs)
		r.planPartitions()
		b.ReportAllocs()
		for b.Loop() {
			if err := r.pairsPass(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("candidates", func(b *testing.B) {
		r := passRunner(b, corpus, engine.LevelReuse, PassCandidates)
		b.ReportAllocs()
		for b.Loop() {
			r.man.CandDone = nil
			if err := r.candidatesPass(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("align", func(b *testing.B) {
		r := passRunner(b, corpus, engine.LevelReuse, PassAlign)
		b.ReportAllocs()
		for b.Loop() {
			r.man.EdgeDone = nil
			if err := r.alignPass(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("groups+output", func(b *testing.B) {
		r := passRunner(b, corpus, engine.LevelReuse, "")
		b.ReportAllocs()
		for b.Loop() {
			oc, err := r.groupsPass(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.writeOutputs(ctx, oc); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

func BenchmarkSortTuples(b *testing.B) {
	const n = 1 << 20
	src := make([]tuple, n)
	x := uint64(1)
	for i := range src {
		x = x*6364136223846793005 + 1442695040888963407
		src[i] = tuple{key: x, h: uint32(i / 8), ord: uint32(i % 8)}
	}
	ts := make([]tuple, n)
	var scratch []tuple
	b.SetBytes(n * tupleSize)
	b.ReportAllocs()
	for b.Loop() {
		copy(ts, src)
		scratch = sortTuples(ts, scratch)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tuples/s")
}

// countSink counts what a bucket processor writes.
type countSink struct{ triples, refs, listed int }

func (c *countSink) triple(d, e, s uint32)                 { c.triples++ }
func (c *countSink) list(entries []uint32) uint64          { c.listed += len(entries); return 0 }
func (c *countSink) ref(d, s uint32, pos uint64, j uint32) { c.refs++ }

// BenchmarkBucketProc replays document buckets of 1 to 4096 entries.
func BenchmarkBucketProc(b *testing.B) {
	sink := &countSink{}
	bp := &bucketProc{maxBucket: engine.Options{}.Resolved().MaxBucket, dead: &deadSet{}, doc: true, out: sink}
	var entries int
	for b.Loop() {
		for size := 1; size <= 4096; size *= 4 {
			bp.reset()
			for i := range size {
				bp.add(tuple{key: 1, h: uint32(i * 3)}, nil)
			}
			bp.end()
			entries += size
		}
	}
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(sink.triples)/float64(b.N), "triples/op")
	b.ReportMetric(float64(sink.refs)/float64(b.N), "refs/op")
}

func BenchmarkDecodeFeatures(b *testing.B) {
	ps := preparedFixtures(b, engine.Options{})
	var recs [][]byte
	var size int64
	for _, p := range ps {
		r := appendFeatures(nil, &p.Doc, nil, false)
		recs = append(recs, r)
		size += int64(len(r))
	}
	var d engine.Prepared
	b.SetBytes(size / int64(len(recs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := decodeFeatures(recs[i%len(recs)], &d.Doc); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
