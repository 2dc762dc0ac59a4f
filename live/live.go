// Package live keeps a persistent, incremental index: one engine.Engine
// whose articles live in a store.Store, so that an article acknowledged by
// Ingest survives a crash, and a restart rebuilds the same index from the
// store. `wiretrace serve` runs on it.
//
// Order and durability: every write (an ingested batch, a deletion) is put
// in the store first, in one durable store call per group of writes, and
// then committed to the engine in store Seq order, runs of ready articles
// under one hold of its lock (matched in parallel beforehand:
// engine.CommitAll gives what sequential Adds in that order give). Ingest
// returns after both, so what it acknowledges is on disk, and replaying the
// store in Seq order on open adds the same articles in the same order: the
// engine is deterministic, so the restarted index answers the same matches
// and stories (deletions aside: an article that was deleted no longer
// influences, on replay, the stories of articles added while it was live).
//
// Costs: preparing an article (tokenising, sketching) runs on the caller's
// goroutine, in parallel across callers; matching (engine.Match) runs on
// Workers goroutines and only the commits into the engine are serial, in
// store order; store writes are grouped (one fsync per
// group), overlapping with matching.
// The stored State of an article (its prepared form, StateFormat) lets a
// restart skip preparation: opening costs a store scan, a decode and an
// engine.Match and Commit per article (matching in parallel there too). By default the engine keeps no article text
// (Options.KeepText): texts are read from the store for the views that
// show them, which about halves the memory of a large index.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/store"
)

// IndexFormat is the version of what an Index keeps in a store besides
// record states: the meta key "live/format". Open refuses stores written in
// another format.
//
// Changelog:
//
//	1: records hold articles with their text (HTML dropped) and a State in
//	   StateFormat; meta "live/format" = "1".
const IndexFormat = 1

const metaFormat = "live/format"

// Expected rejections and states.
var (
	// ErrLoading: the index is still being rebuilt from the store.
	ErrLoading = errors.New("index is loading")
	// ErrClosed: the index was closed.
	ErrClosed = errors.New("index closed")
	// ErrNotFound: no indexed article or story with that id.
	ErrNotFound = errors.New("not found")
	// ErrChanged: the article was replaced while a view was being built.
	ErrChanged = errors.New("article changed during the request")
	// ErrUnsupported: the store was written by an unknown format.
	ErrUnsupported = errors.New("unsupported index format")
)

// Options configure an Index. The zero value means the defaults.
type Options struct {
	// Engine are the engine's options.
	Engine engine.Options
	// KeepText keeps every article's text in memory too. Default false:
	// texts are read from the store when a view needs them.
	KeepText bool
	// Workers prepare batches, decode states on open and match articles
	// against the index. Default GOMAXPROCS.
	Workers int
	// MaxGroup caps the records one store write carries. Default 1024.
	MaxGroup int
	// Logger receives progress and problems; nil discards.
	Logger *slog.Logger
	// Hooks observe the pipeline, e.g. for metrics.
	Hooks Hooks
}

// Hooks are called from the pipeline's goroutines; nil fields are skipped.
// They must be fast and safe for concurrent use.
type Hooks struct {
	// Stored is called after each durable store write of n records.
	Stored func(n int, took time.Duration)
	// Indexed is called after each article is indexed, with the time spent
	// matching and committing it (engine.Match and engine.Commit, not the
	// time it waited for its turn).
	Indexed func(took time.Duration)
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxGroup <= 0 {
		o.MaxGroup = 1024
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Index is a persistent live index. It is safe for concurrent use.
type Index struct {
	st      store.Store
	eng     *engine.Engine
	codec   *engine.Codec
	canary  uint64
	opts    Options
	log     *slog.Logger
	stories *storyList
	prep    sync.Pool // *engine.Preparer

	// The write pipeline: ops → writer (store) → applier (engine).
	ops      chan *op
	applyCh  chan []*op
	closeMu  sync.RWMutex // held for reading while sending on ops
	closed   bool
	pipeline sync.WaitGroup

	ready      chan struct{} // closed when loading ends
	loadErr    error         // set before ready is closed
	loaded     atomic.Int64
	toLoad     atomic.Int64
	reprepared atomic.Int64
	cancel     context.CancelFunc
}

// Open returns an Index over st and starts rebuilding it from st's records
// in the background; until that ends, writes and queries return ErrLoading
// (Progress tells how far it is; Wait waits). The caller keeps ownership of
// st and closes it after Close.
func Open(ctx context.Context, st store.Store, opts Options) (*Index, error) {
	o := opts.withDefaults()
	eng, err := engine.New(o.Engine)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	if err := checkFormat(ctx, st); err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	codec := engine.NewCodec(eng.Options())
	canary, err := preparationCanary(eng.Options(), codec)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	n, err := st.Len(ctx)
	if err != nil {
		return nil, fmt.Errorf("open index: count records: %w", err)
	}
	ix := &Index{
		st: st, eng: eng, codec: codec, canary: canary, opts: o, log: o.Logger,
		stories: newStoryList(),
		ops:     make(chan *op, 256),
		applyCh: make(chan []*op, 4),
		ready:   make(chan struct{}),
	}
	ix.prep.New = func() any { return eng.NewPreparer() }
	ix.toLoad.Store(int64(n))
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ix.cancel = cancel
	go func() {
		err := ix.load(lctx)
		switch {
		case err != nil && lctx.Err() != nil:
			ix.loadErr = fmt.Errorf("%w: closed while loading", ErrClosed)
			ix.log.Info("index loading interrupted", "loaded", ix.loaded.Load())
		case err != nil:
			ix.loadErr = err
			ix.log.Error("index load failed", "err", err)
		default:
			ix.pipeline.Add(2)
			go ix.writer()
			go ix.applier()
		}
		close(ix.ready)
	}()
	return ix, nil
}

// checkFormat refuses stores of another IndexFormat and marks new ones.
func checkFormat(ctx context.Context, st store.Store) error {
	want := strconv.Itoa(IndexFormat)
	v, err := st.GetMeta(ctx, metaFormat)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return st.SetMeta(ctx, metaFormat, []byte(want))
	case err != nil:
		return fmt.Errorf("read index format: %w", err)
	case string(v) != want:
		return fmt.Errorf("store holds index format %q, this program reads %s: %w", v, want, ErrUnsupported)
	}
	return nil
}

// Progress is how far loading has come.
type Progress struct {
	Loaded, Total int
	// Reprepared counts articles whose stored state was not trusted and
	// which were prepared again from text.
	Reprepared int
	Ready      bool
	Err        error // why loading failed, when it did
}

// Progress reports the loading progress.
func (ix *Index) Progress() Progress {
	p := Progress{Loaded: int(ix.loaded.Load()), Total: int(ix.toLoad.Load()), Reprepared: int(ix.reprepared.Load())}
	select {
	case <-ix.ready:
		p.Ready, p.Err = ix.loadErr == nil, ix.loadErr
	default:
	}
	return p
}

// Wait waits until loading ends and returns its error.
func (ix *Index) Wait(ctx context.Context) error {
	select {
	case <-ix.ready:
		return ix.loadErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// usable returns ErrLoading (or the load error) until the index is ready.
func (ix *Index) usable() error {
	select {
	case <-ix.ready:
		switch {
		case errors.Is(ix.loadErr, ErrClosed):
			return ix.loadErr
		case ix.loadErr != nil:
			return fmt.Errorf("%w: %w", ErrLoading, ix.loadErr)
		}
		return nil
	default:
		return ErrLoading
	}
}

// Close stops the pipeline after the writes already accepted, and
// interrupts loading. It does not close the store.
func (ix *Index) Close() error {
	ix.closeMu.Lock()
	if ix.closed {
		ix.closeMu.Unlock()
		return nil
	}
	ix.closed = true
	ix.cancel()
	close(ix.ops)
	ix.closeMu.Unlock()
	<-ix.ready
	if ix.loadErr != nil {
		return nil
	}
	ix.pipeline.Wait()
	return nil
}

// load replays the store in Seq order into the engine.
func (ix *Index) load(ctx context.Context) error {
	start := time.Now()
	type item struct {
		rec  *store.Record
		m    *engine.Pending
		took time.Duration
		err  error
	}
	in := make(chan *store.Record, 256)
	scanErr := make(chan error, 1)
	go func() {
		defer close(in)
		scanErr <- ix.st.Scan(ctx, func(r *store.Record) error {
			select {
			case in <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	skipped := 0
	lastLog := time.Now()
	err := ordered(ctx, ix.opts.Workers, in, func(r *store.Record) item {
		p, err := ix.restore(r)
		if err != nil {
			return item{rec: r, err: err}
		}
		m, took := ix.match(p)
		return item{rec: r, m: m, took: took}
	}, func(run []item) error {
		var ms []*engine.Pending
		var seqs []uint64
		var tooks []time.Duration
		for _, it := range run {
			if it.err != nil {
				skipped++
				ix.log.Warn("article not indexed on load", "id", it.rec.Article.ID, "seq", it.rec.Seq, "err", it.err)
				continue
			}
			ms, seqs, tooks = append(ms, it.m), append(seqs, it.rec.Seq), append(tooks, it.took)
		}
		ix.commit(ms, seqs, tooks)
		n := ix.loaded.Add(int64(len(run)))
		if now := time.Now(); now.Sub(lastLog) >= 2*time.Second {
			lastLog = now
			total := ix.toLoad.Load()
			rate := float64(n) / now.Sub(start).Seconds()
			eta := time.Duration(float64(max(total-n, 0)) / rate * float64(time.Second))
			ix.log.Info("loading index", "loaded", n, "total", total, "per_second", int(rate), "eta", eta.Round(time.Second))
		}
		return nil
	})
	if serr := <-scanErr; err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	ix.log.Info("index loaded", "articles", ix.eng.Len(), "stories", ix.stories.len(), "reprepared", ix.reprepared.Load(),
		"skipped", skipped, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// restore rebuilds the prepared article of a stored record: from its state
// when it is trusted, else from its text.
func (ix *Index) restore(r *store.Record) (*engine.Prepared, error) {
	p, err := ix.decodeState(r.State, r.Article)
	if err == nil {
		return p, nil
	}
	ix.reprepared.Add(1)
	pr := ix.prep.Get().(*engine.Preparer)
	defer ix.prep.Put(pr)
	p, perr := pr.Prepare(r.Article)
	if perr != nil {
		return nil, fmt.Errorf("state: %v; prepare: %w", err, perr)
	}
	return p, nil
}

// match matches p against the index (the first half of engine.Add; safe to
// run on many goroutines), dropping its text unless texts are kept, and
// says how long it took.
func (ix *Index) match(p *engine.Prepared) (*engine.Pending, time.Duration) {
	if !ix.opts.KeepText {
		p.Article.Text = ""
	}
	t := time.Now()
	m := ix.eng.Match(p)
	return m, time.Since(t)
}

// commit adds matched articles to the engine, in store order and under
// one hold of its lock, then to the story list; runs of commits follow
// one another. tooks are their matching times.
func (ix *Index) commit(ms []*engine.Pending, seqs []uint64, tooks []time.Duration) []*engine.Result {
	if len(ms) == 0 {
		return nil
	}
	t := time.Now()
	// The story list asks where an article's matches are as of its
	// commit, not as of the run's last one: note it for each.
	storyAt := make([]map[string]string, len(ms))
	rs := ix.eng.CommitAll(ms, func(i int, r *engine.Result, storyOf func(string) (string, bool)) {
		at := make(map[string]string, len(r.Matches))
		for _, m := range r.Matches {
			if st, ok := storyOf(m.ID); ok {
				at[m.ID] = st
			}
		}
		storyAt[i] = at
	})
	if h := ix.opts.Hooks.Indexed; h != nil {
		share := time.Since(t) / time.Duration(len(ms)) // of the run's commit
		for _, took := range tooks {
			h(took + share)
		}
	}
	for i, m := range ms {
		ix.stories.added(m.Prepared(), rs[i], seqs[i], func(id string) (string, bool) {
			st, ok := storyAt[i][id]
			return st, ok
		})
	}
	return rs
}

// ordered runs work on every value from in with n goroutines and calls out
// with the results in input order: with each run of consecutive results
// that are ready (at most maxRun, at least one), so that out can take a
// lock once for all of them. It returns out's first error or ctx's.
func ordered[T, U any](ctx context.Context, n int, in <-chan T, work func(T) U, out func([]U) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type slot struct{ done chan U }
	slots := make(chan slot, n*8)
	jobs := make(chan func(), n*8)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j()
			}
		}()
	}
	go func() {
		defer close(slots)
		defer close(jobs)
		for v := range in {
			s := slot{done: make(chan U, 1)}
			select {
			case slots <- s:
			case <-ctx.Done():
				return
			}
			jobs <- func() { s.done <- work(v) }
		}
	}()
	var err error
	var run []U
	var next *slot // taken from slots, its result not ready yet
	for {
		s := next
		next = nil
		if s == nil {
			x, ok := <-slots
			if !ok {
				break
			}
			s = &x
		}
		run = append(run[:0], <-s.done)
	more:
		for len(run) < maxRun {
			select {
			case x, ok := <-slots:
				if !ok {
					break more
				}
				select {
				case u := <-x.done:
					run = append(run, u)
				default:
					next = &x
					break more
				}
			default:
				break more
			}
		}
		if err == nil {
			err = out(run)
			if err != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// maxRun bounds the results ordered hands out at once.
const maxRun = 64

// Len returns the number of indexed articles.
func (ix *Index) Len() int { return ix.eng.Len() }

// Stories returns the number of live stories.
func (ix *Index) Stories() int { return ix.stories.len() }

// Options returns the index's engine options, defaults filled in.
func (ix *Index) Options() engine.Options { return ix.eng.Options() }

// Matches returns an indexed article's current matches, copy group and
// story.
func (ix *Index) Matches(id string) (*engine.Result, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	r, ok := ix.eng.Lookup(id)
	if !ok {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	return r, nil
}

// Briefs describes indexed articles from memory (without reading the
// store): nil where an id is not indexed.
func (ix *Index) Briefs(ids ...string) ([]*engine.StoryArticle, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	return ix.eng.Briefs(ids), nil
}

// ArticleView is an indexed article as stored, with what the index says of
// it.
type ArticleView struct {
	Article wiretrace.Article  // as stored: text included, HTML dropped
	Seq     uint64             // the store's sequence number
	Info    engine.ArticleInfo // words, story, copy group
	Result  *engine.Result     // matches
}

// Article returns an indexed article with its text (read from the store)
// and matches.
func (ix *Index) Article(ctx context.Context, id string) (*ArticleView, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	info, r, ok := ix.eng.Describe(id)
	if !ok {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	rec, err := ix.st.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read article %q: %w", id, err)
	}
	return &ArticleView{Article: rec.Article, Seq: rec.Seq, Info: info, Result: r}, nil
}

// Story returns a story by id (a merged story answers as the story it is
// now part of).
func (ix *Index) Story(id string) (*engine.StoryDetail, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	d, ok := ix.eng.Story(id)
	if !ok {
		return nil, fmt.Errorf("story %q: %w", id, ErrNotFound)
	}
	return d, nil
}

// StoryList is one page of a story listing.
type StoryList struct {
	Stories []*engine.StorySummary // newest first
	More    bool                   // more stories match after this page
}

// SampleSize is the number of first members each listed story carries.
const SampleSize = 8

// ListStories returns the stories q selects, newest first (by latest
// publication, then latest addition). A zero Limit means DefaultLimit.
func (ix *Index) ListStories(q StoryQuery) (*StoryList, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	ids, more := ix.stories.list(q)
	out := &StoryList{Stories: make([]*engine.StorySummary, 0, len(ids)), More: more}
	for i, s := range ix.eng.StorySummaries(ids, SampleSize) {
		// A story removed or merged since the listing is skipped.
		if s != nil && s.ID == ids[i] {
			out.Stories = append(out.Stories, s)
		}
	}
	return out, nil
}

// Compare aligns two indexed articles sentence by sentence.
func (ix *Index) Compare(ctx context.Context, a, b string) (*engine.Comparison, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	pa, err := ix.withText(ctx, a)
	if err != nil {
		return nil, err
	}
	pb, err := ix.withText(ctx, b)
	if err != nil {
		return nil, err
	}
	return engine.Compare(pa, pb, ix.eng.Options()), nil
}

// withText returns an indexed article's prepared form with its text.
func (ix *Index) withText(ctx context.Context, id string) (*engine.Prepared, error) {
	p, ok := ix.eng.Article(id)
	if !ok {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	if ix.opts.KeepText {
		return p, nil
	}
	rec, err := ix.st.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read article %q: %w", id, err)
	}
	if len(rec.Article.Text) != p.Bytes {
		return nil, fmt.Errorf("article %q: %w", id, ErrChanged)
	}
	q := *p
	q.Article.Text = rec.Article.Text
	return &q, nil
}
