package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/store"
)

// ErrInvalid: an article the store cannot keep (an id too long, with NUL
// bytes or not UTF-8; a record over store.MaxRecordSize).
var ErrInvalid = errors.New("article cannot be stored")

// Outcome is what Ingest answers for one article.
type Outcome struct {
	// Result is the article's matches, copy group and story when it was
	// indexed; nil when it was rejected.
	Result *engine.Result
	// Seq is the store's sequence number for the article.
	Seq uint64
	// Err says why the article was rejected; it wraps engine.ErrNoID,
	// engine.ErrTooLarge, engine.ErrEmpty or ErrInvalid.
	Err error
}

// op is one write for the pipeline: a group of records to put, or one id
// to delete.
type op struct {
	recs  []*store.Record
	preps []*engine.Prepared
	res   []*engine.Result
	del   string
	err   error
	done  chan struct{}
}

// Ingest prepares, stores and indexes articles, in order, and answers for
// each. When it returns without error every indexed article is durable in
// the store. An article whose id is indexed replaces the old one. Rejected
// articles (see Outcome.Err) do not stop the others; the error is for the
// whole call: ErrLoading, ErrClosed, a store failure (nothing of the call
// was indexed) or ctx ending while waiting (the articles may still be
// indexed).
func (ix *Index) Ingest(ctx context.Context, arts []wiretrace.Article) ([]Outcome, error) {
	if err := ix.usable(); err != nil {
		return nil, err
	}
	out := make([]Outcome, len(arts))
	preps := make([]*engine.Prepared, len(arts))
	ix.prepareAll(arts, preps, out)
	o := &op{done: make(chan struct{})}
	var at []int
	for i, p := range preps {
		if p == nil {
			continue
		}
		rec := &store.Record{Article: p.Article, State: ix.encodeState(p)}
		if err := store.CheckRecords([]*store.Record{rec}); err != nil {
			out[i].Err = fmt.Errorf("%w: %w", ErrInvalid, err)
			continue
		}
		o.recs = append(o.recs, rec)
		o.preps = append(o.preps, p)
		at = append(at, i)
	}
	if len(o.recs) == 0 {
		return out, nil
	}
	if err := ix.submit(ctx, o); err != nil {
		return nil, err
	}
	if err := ix.wait(ctx, o); err != nil {
		return nil, err
	}
	for k, i := range at {
		out[i].Result = o.res[k]
		out[i].Seq = o.recs[k].Seq
	}
	return out, nil
}

// prepareAll prepares arts into preps (nil where rejected, with the reason
// in out), in parallel for batches.
func (ix *Index) prepareAll(arts []wiretrace.Article, preps []*engine.Prepared, out []Outcome) {
	one := func(i int) {
		pr := ix.prep.Get().(*engine.Preparer)
		defer ix.prep.Put(pr)
		preps[i], out[i].Err = pr.Prepare(arts[i])
	}
	workers := min(ix.opts.Workers, len(arts))
	if workers <= 1 {
		for i := range arts {
			one(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(arts); i += workers {
				one(i)
			}
		}()
	}
	wg.Wait()
}

// Delete removes an article from the store and the index; ErrNotFound when
// it is not stored.
func (ix *Index) Delete(ctx context.Context, id string) error {
	if err := ix.usable(); err != nil {
		return err
	}
	o := &op{del: id, done: make(chan struct{})}
	if err := ix.submit(ctx, o); err != nil {
		return err
	}
	return ix.wait(ctx, o)
}

func (ix *Index) submit(ctx context.Context, o *op) error {
	ix.closeMu.RLock()
	defer ix.closeMu.RUnlock()
	if ix.closed {
		return ErrClosed
	}
	select {
	case ix.ops <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (ix *Index) wait(ctx context.Context, o *op) error {
	select {
	case <-o.done:
		return o.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer puts groups of ops in the store, one durable write per group, and
// hands them to the applier in the same order. A deletion is a group of its
// own.
func (ix *Index) writer() {
	defer ix.pipeline.Done()
	defer close(ix.applyCh)
	ctx := context.Background()
	var next *op
	for {
		o := next
		next = nil
		if o == nil {
			var ok bool
			if o, ok = <-ix.ops; !ok {
				return
			}
		}
		if o.del != "" {
			if err := ix.st.Delete(ctx, o.del); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					err = fmt.Errorf("article %q: %w", o.del, ErrNotFound)
				} else {
					ix.log.Error("store delete failed", "id", o.del, "err", err)
				}
				o.err = err
				close(o.done)
				continue
			}
			ix.applyCh <- []*op{o}
			continue
		}
		group, n := []*op{o}, len(o.recs)
	collect:
		for n < ix.opts.MaxGroup {
			select {
			case x, ok := <-ix.ops:
				if !ok {
					break collect
				}
				if x.del != "" {
					next = x
					break collect
				}
				group = append(group, x)
				n += len(x.recs)
			default:
				break collect
			}
		}
		recs := make([]*store.Record, 0, n)
		for _, x := range group {
			recs = append(recs, x.recs...)
		}
		t := time.Now()
		err := ix.st.Put(ctx, recs...)
		if h := ix.opts.Hooks.Stored; h != nil && err == nil {
			h(len(recs), time.Since(t))
		}
		if err != nil {
			ix.log.Error("store write failed", "records", len(recs), "err", err)
			for _, x := range group {
				x.err = fmt.Errorf("store %d articles: %w", len(x.recs), err)
				close(x.done)
			}
			continue
		}
		ix.applyCh <- group
	}
}

// applier indexes what the writer stored, in store order: articles are
// matched against the index on Workers goroutines (engine.Match, under the
// engine's read lock) and committed in store order, each run of ready
// ones under one hold of the write lock (engine.CommitAll), so the index
// is built in the order a restart replays and gives the results of a
// sequential build. A write is acknowledged
// (its op done) once its last article is committed.
func (ix *Index) applier() {
	defer ix.pipeline.Done()
	type item struct {
		o *op
		i int // the article in o.preps; -1 for a deletion
	}
	in := make(chan item, 64)
	go func() {
		defer close(in)
		for group := range ix.applyCh {
			for _, o := range group {
				if o.del != "" {
					in <- item{o, -1}
					continue
				}
				o.res = make([]*engine.Result, len(o.preps))
				if len(o.preps) == 0 {
					close(o.done)
				}
				for i := range o.preps {
					in <- item{o, i}
				}
			}
		}
	}()
	type matched struct {
		item
		m    *engine.Pending
		took time.Duration
	}
	_ = ordered(context.Background(), ix.opts.Workers, in, func(it item) matched {
		if it.i < 0 {
			return matched{item: it}
		}
		m, took := ix.match(it.o.preps[it.i])
		return matched{it, m, took}
	}, func(run []matched) error {
		// Commit the articles between two deletions together.
		for len(run) > 0 {
			if x := run[0]; x.i < 0 {
				ix.eng.Remove(x.o.del)
				ix.stories.removed(x.o.del)
				close(x.o.done)
				run = run[1:]
				continue
			}
			k := 0
			for k < len(run) && run[k].i >= 0 {
				k++
			}
			ms := make([]*engine.Pending, k)
			seqs := make([]uint64, k)
			tooks := make([]time.Duration, k)
			for j, x := range run[:k] {
				ms[j], seqs[j], tooks[j] = x.m, x.o.recs[x.i].Seq, x.took
			}
			rs := ix.commit(ms, seqs, tooks)
			for j, x := range run[:k] {
				x.o.res[x.i] = rs[j]
				if x.i == len(x.o.preps)-1 {
					close(x.o.done)
				}
			}
			run = run[k:]
		}
		return nil
	})
}
