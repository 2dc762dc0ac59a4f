// Package bench measures the engine's speed and memory on a labelled set,
// and its quality on the same run, so that one is never bought with the
// other unseen. "wiretrace bench" generates the sets (package gen) and runs
// Run once per size and core count, each in a fresh process so that peak
// memory and GOMAXPROCS belong to that run alone.
//
// One Run reads a labelled JSONL file of N + Queries records and measures:
//
//   - end to end: read → prepare (GOMAXPROCS workers) → add, pipelined
//     exactly as "wiretrace analyze" runs (engine.PrepareOrdered), wall time;
//   - read/parse and index add: the busy time of the reading goroutine and
//     of the (serial) Add calls inside that same pass;
//   - prepare (normalise, sentence split, sketch): a separate pass over a
//     sample of the articles with GOMAXPROCS workers;
//   - align: engine.Judge re-run on a sample of the reuse pairs found,
//     evenly spread over all labels;
//   - query latency: the Queries records after the first N, unseen by the
//     index, each prepared and matched (engine.Query) against the N indexed
//     ones; and as many indexed articles, evenly spread, queried again
//     (each finds itself and its copies: the lookup of a known story);
//   - peak RSS (VmHWM) and heap in use after GC per indexed article;
//   - quality: stories, copy groups and reuse pairs against the truth of
//     the indexed records (package eval).
//
// Cost: the index itself (about 30 KB per article with the defaults, the
// article text included) plus the sample; the truth is read after memory is
// measured.
package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/eval"
	"github.com/wiretrace/wiretrace/ingest"
)

// ResultVersion is the version of the Result JSON. Changelog:
//
//	1: stages, queries, memory, quality.
const ResultVersion = 1

// Config is one measured run.
type Config struct {
	// Path is a labelled JSONL file (uncompressed) of at least N records.
	Path string
	// N is the number of articles to index: the first N records.
	N int
	// Queries is the number of single-article queries: the records after
	// the first N (fewer if the file ends).
	Queries int
	// Sample bounds the prepare and align passes. Default 20,000.
	Sample int
	// MaxRSS stops adding once the resident set exceeds it (bytes); the
	// run is then measured on what was indexed. 0: no limit.
	MaxRSS int64
	// MaxTime stops adding once the end-to-end pass has run this long.
	// 0: no limit.
	MaxTime time.Duration
	// CheckEvery is how many articles are added between checks of the
	// limits. Default 2,000.
	CheckEvery int
	// Options are the engine's (zero: the defaults).
	Options engine.Options
	// Progress, when set, gets the result so far after each phase (end to
	// end, queries, memory, prepare, report and align), so that a run
	// killed later still leaves its figures. Result.Phase names the last
	// phase done.
	Progress func(*Result)
	// Logger gets progress at debug level; nil discards.
	Logger *slog.Logger
}

// Stage is the throughput of one stage.
type Stage struct {
	Items       int     `json:"items"`
	Bytes       int64   `json:"bytes"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"per_second"` // items per second
	MBPerSecond float64 `json:"mb_per_second"`
}

func stage(items int, bytes int64, d time.Duration) Stage {
	s := Stage{Items: items, Bytes: bytes, Seconds: d.Seconds()}
	if s.Seconds > 0 {
		s.PerSecond = float64(items) / s.Seconds
		s.MBPerSecond = float64(bytes) / 1e6 / s.Seconds
	}
	return s
}

// Latency summarises query latencies, in milliseconds.
type Latency struct {
	Queries     int     `json:"queries"`
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	Max         float64 `json:"max_ms"`
	MeanMatches float64 `json:"mean_matches"`
}

// Quality is the run's scores against the truth of the indexed records.
type Quality struct {
	StoryPairF1   float64 `json:"story_pairwise_f1"`
	StoryBCubedF1 float64 `json:"story_bcubed_f1"`
	StoryARI      float64 `json:"story_ari"`
	CopyPairF1    float64 `json:"copy_group_pairwise_f1"`
	CopyBCubedF1  float64 `json:"copy_group_bcubed_f1"`
	ReuseF1       float64 `json:"reuse_pair_f1"`
	ReuseLabelF1  float64 `json:"reuse_label_f1"`
	CoverageMAE   float64 `json:"coverage_mae"`
}

// Result is what one Run measured.
type Result struct {
	Version    int    `json:"version"`
	Phase      string `json:"phase"`   // the last phase measured: "quality" when the run is complete
	N          int    `json:"n"`       // asked for
	Indexed    int    `json:"indexed"` // indexed (less than N when a limit stopped the run)
	Skipped    int    `json:"skipped"` // records the engine refused
	Stopped    string `json:"stopped,omitempty"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUs       int    `json:"cpus"`

	EndToEnd Stage `json:"end_to_end"`
	Read     Stage `json:"read"`    // busy time of the reader inside the end-to-end pass
	Add      Stage `json:"add"`     // busy time of Add inside the end-to-end pass
	Prepare  Stage `json:"prepare"` // separate pass over a sample
	Align    Stage `json:"align"`   // items are pairs
	Report   Stage `json:"report"`  // building the analysis of everything indexed

	Query      Latency `json:"query"`       // articles the index has not seen
	QueryKnown Latency `json:"query_known"` // indexed articles, queried again

	PeakRSSBytes         int64   `json:"peak_rss_bytes"`
	HeapBytes            int64   `json:"heap_bytes"` // heap in use after GC, index loaded
	IndexBytesPerArticle float64 `json:"index_bytes_per_article"`

	Quality Quality `json:"quality"`
}

// errStop ends the end-to-end pass early.
var errStop = errors.New("stop")

// Run measures one configuration; see the package comment.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Sample <= 0 {
		cfg.Sample = 20000
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = 2000
	}
	eng, err := engine.New(cfg.Options)
	if err != nil {
		return nil, err
	}
	opts := eng.Options()
	// Warm up: the background term table loads on first use; a one-off
	// cost that is not throughput.
	if _, err := eng.NewPreparer().Prepare(wiretrace.Article{ID: "warm-up", Text: "The background term table loads once."}); err != nil {
		return nil, fmt.Errorf("bench: warm up: %w", err)
	}
	res := &Result{Version: ResultVersion, N: cfg.N, GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: runtime.NumCPU()}

	// End to end, with the reader's and Add's busy time.
	var (
		readBusy, addBusy time.Duration
		readBytes         int64
		addBytes          int64
		records           int
	)
	start := time.Now()
	in := make(chan engine.Input, 64)
	readErr := make(chan error, 1)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(in)
		last := time.Now()
		readErr <- ingest.Read(cctx, []string{cfg.Path}, ingest.Options{}, func(it ingest.Item) error {
			readBusy += time.Since(last)
			if records >= cfg.N {
				return errStop
			}
			records++
			readBytes += int64(len(it.Article.Text))
			select {
			case in <- engine.Input{Article: it.Article, Err: it.Err}:
			case <-cctx.Done():
				return cctx.Err()
			}
			last = time.Now()
			return nil
		})
	}()
	err = engine.PrepareOrdered(cctx, opts, 0, in, func(o engine.Output) error {
		if o.Err != nil {
			res.Skipped++
			return nil
		}
		t := time.Now()
		eng.Add(o.Prepared)
		addBusy += time.Since(t)
		addBytes += int64(o.Prepared.Bytes)
		res.Indexed++
		if res.Indexed%cfg.CheckEvery == 0 {
			log.Debug("indexed", "articles", res.Indexed, "elapsed", time.Since(start))
			if cfg.MaxRSS > 0 {
				if rss := procStatus("VmRSS"); rss > cfg.MaxRSS {
					res.Stopped = fmt.Sprintf("resident set %d MB over the limit of %d MB after %d articles", rss>>20, cfg.MaxRSS>>20, res.Indexed)
					return errStop
				}
			}
			if cfg.MaxTime > 0 && time.Since(start) > cfg.MaxTime {
				res.Stopped = fmt.Sprintf("time limit %s reached after %d articles", cfg.MaxTime, res.Indexed)
				return errStop
			}
		}
		return nil
	})
	cancel()
	rerr := <-readErr
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if rerr != nil && !errors.Is(rerr, errStop) && !errors.Is(rerr, context.Canceled) {
		return nil, fmt.Errorf("bench: read %s: %w", cfg.Path, rerr)
	}
	e2e := time.Since(start)
	res.EndToEnd = stage(res.Indexed, addBytes, e2e)
	res.Read = stage(records, readBytes, readBusy)
	res.Add = stage(res.Indexed, addBytes, addBusy)
	log.Debug("end to end done", "indexed", res.Indexed, "elapsed", e2e)
	progress := func(phase string) {
		res.Phase = phase
		if cfg.Progress != nil {
			cfg.Progress(res)
		}
	}
	progress("end to end")

	// Queries: the records after the first N.
	queries, err := readRange(ctx, cfg.Path, cfg.N, cfg.Queries)
	if err != nil {
		return nil, err
	}
	res.Query = measureQueries(eng, queries)
	known, err := readSpread(ctx, cfg.Path, res.Indexed+res.Skipped, cfg.Queries)
	if err != nil {
		return nil, err
	}
	res.QueryKnown = measureQueries(eng, known)
	queries, known = nil, nil
	progress("queries")

	// Memory, with the index and nothing else of size alive.
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapBytes = int64(ms.HeapInuse)
	if res.Indexed > 0 {
		res.IndexBytesPerArticle = float64(ms.HeapInuse) / float64(res.Indexed)
	}
	res.PeakRSSBytes = procStatus("VmHWM")
	progress("memory")

	// Prepare: a separate pass over a sample.
	sample, err := readRange(ctx, cfg.Path, 0, min(cfg.Sample, res.Indexed))
	if err != nil {
		return nil, err
	}
	res.Prepare, err = measurePrepare(ctx, opts, sample)
	if err != nil {
		return nil, err
	}
	sample = nil
	progress("prepare")

	t := time.Now()
	rep := eng.Report()
	res.Report = stage(len(rep.Articles), 0, time.Since(t))
	progress("report")
	res.Align = measureAlign(eng, &opts, rep, cfg.Sample)
	res.PeakRSSBytes = procStatus("VmHWM")
	progress("align")

	// Quality, after memory is measured.
	res.Quality, err = score(cfg.Path, res.Indexed+res.Skipped, rep)
	if err != nil {
		return nil, err
	}
	progress("quality")
	return res, nil
}

// readRange reads records [from, from+n) of a JSONL file as articles.
func readRange(ctx context.Context, path string, from, n int) ([]wiretrace.Article, error) {
	var out []wiretrace.Article
	if n <= 0 {
		return nil, nil
	}
	i := 0
	err := ingest.Read(ctx, []string{path}, ingest.Options{}, func(it ingest.Item) error {
		if i >= from+n {
			return errStop
		}
		if i >= from && it.Err == nil {
			out = append(out, it.Article)
		}
		i++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("bench: read %s: %w", path, err)
	}
	return out, nil
}

// readSpread reads k records evenly spread over the first n of a JSONL
// file.
func readSpread(ctx context.Context, path string, n, k int) ([]wiretrace.Article, error) {
	if n <= 0 || k <= 0 {
		return nil, nil
	}
	step := max(n/k, 1)
	var out []wiretrace.Article
	i := 0
	err := ingest.Read(ctx, []string{path}, ingest.Options{}, func(it ingest.Item) error {
		if i >= n || len(out) >= k {
			return errStop
		}
		if i%step == step/2 && it.Err == nil {
			out = append(out, it.Article)
		}
		i++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("bench: read %s: %w", path, err)
	}
	return out, nil
}

// measureQueries prepares and matches each article against the index, one
// at a time.
func measureQueries(eng *engine.Engine, arts []wiretrace.Article) Latency {
	pr := eng.NewPreparer()
	var lat []float64
	matches := 0
	for _, a := range arts {
		t := time.Now()
		p, err := pr.Prepare(a)
		if err != nil {
			continue
		}
		matches += len(eng.Query(p))
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
	}
	l := Latency{Queries: len(lat)}
	if len(lat) == 0 {
		return l
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return lat[min(int(math.Ceil(p*float64(len(lat))))-1, len(lat)-1)] }
	l.P50, l.P90, l.P99, l.Max = q(0.5), q(0.9), q(0.99), lat[len(lat)-1]
	l.MeanMatches = float64(matches) / float64(len(lat))
	return l
}

// measurePrepare prepares the articles with GOMAXPROCS workers, in order,
// discarding the results.
func measurePrepare(ctx context.Context, opts engine.Options, arts []wiretrace.Article) (Stage, error) {
	var bytes int64
	n := 0
	in := make(chan engine.Input, 64)
	go func() {
		defer close(in)
		for _, a := range arts {
			select {
			case in <- engine.Input{Article: a}:
			case <-ctx.Done():
				return
			}
		}
	}()
	t := time.Now()
	err := engine.PrepareOrdered(ctx, opts, 0, in, func(o engine.Output) error {
		if o.Err == nil {
			n++
			bytes += int64(o.Prepared.Bytes)
		}
		return nil
	})
	if err != nil {
		return Stage{}, fmt.Errorf("bench: prepare: %w", err)
	}
	return stage(n, bytes, time.Since(t)), nil
}

// measureAlign re-judges up to limit of the reuse pairs found, evenly
// spread over the report's list (which is sorted by label, duplicates
// first, so its head alone would be the cheapest pairs).
func measureAlign(eng *engine.Engine, opts *engine.Options, rep *engine.Report, limit int) Stage {
	var bytes int64
	n := 0
	step := max(len(rep.Reuse)/max(limit, 1), 1)
	t := time.Now()
	for i := 0; i < len(rep.Reuse) && n < limit; i += step {
		u := rep.Reuse[i]
		a, okA := eng.Article(u.Source)
		b, okB := eng.Article(u.Copy)
		if !okA || !okB {
			continue
		}
		engine.Judge(opts, a, 0, b, 1)
		bytes += int64(a.Bytes + b.Bytes)
		n++
	}
	return stage(n, bytes, time.Since(t))
}

// score compares the report with the truth of the first n records.
func score(path string, n int, rep *engine.Report) (Quality, error) {
	f, err := os.Open(path)
	if err != nil {
		return Quality{}, fmt.Errorf("bench: truth: %w", err)
	}
	defer f.Close()
	stories, groups := map[string]string{}, map[string]string{}
	var edges []eval.Edge
	i := 0
	_, err = eval.ScanLabelled(f, path, eval.ReadOptions{}, func(l eval.Labelled) error {
		if i >= n {
			return errStop
		}
		i++
		if l.Story != "" {
			stories[l.Article.ID] = l.Story
		}
		groups[l.Article.ID] = l.CopyGroup
		edges = append(edges, l.DerivedFrom...)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return Quality{}, fmt.Errorf("bench: truth: %w", err)
	}
	ps, pg := map[string]string{}, map[string]string{}
	for _, a := range rep.Articles {
		ps[a.ID], pg[a.ID] = a.Story, a.CopyGroup
	}
	pe := make([]eval.Edge, len(rep.Reuse))
	for k, u := range rep.Reuse {
		pe[k] = eval.Edge{Copy: u.Copy, Source: u.Source, Kind: u.Label, Coverage: u.Coverage}
	}
	s := eval.CompareClusterings(stories, ps)
	c := eval.CompareClusterings(groups, pg)
	e := eval.CompareEdges(edges, pe)
	return Quality{
		StoryPairF1: s.Pairwise.F1, StoryBCubedF1: s.BCubed.F1, StoryARI: s.ARI,
		CopyPairF1: c.Pairwise.F1, CopyBCubedF1: c.BCubed.F1,
		ReuseF1: e.PairFound.F1, ReuseLabelF1: e.LabelExact.F1, CoverageMAE: e.CoverageMAE,
	}, nil
}
