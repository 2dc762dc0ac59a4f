package engine

import (
	"context"
	"runtime"
	"sync"

	"github.com/wiretrace/wiretrace"
)

// Input is one article to prepare, or an error already met reading it.
type Input struct {
	Article wiretrace.Article
	Err     error
}

// Output is one prepared article, or the error that kept it out, in the
// order the inputs came.
type Output struct {
	Prepared *Prepared
	Article  wiretrace.Article // the input (for naming it in errors)
	Err      error
}

// PrepareOrdered prepares the articles sent on in with workers goroutines
// (0 means GOMAXPROCS) and calls fn with each result in input order, so that
// what follows stays deterministic whatever the core count. It returns when
// in is closed and drained, or early with fn's error or ctx's.
func PrepareOrdered(ctx context.Context, opts Options, workers int, in <-chan Input, fn func(Output) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		seq int
		in  Input
	}
	type done struct {
		seq int
		out Output
	}
	jobs := make(chan job, workers*4)
	results := make(chan done, workers*4)
	// window bounds how far preparation may run ahead of the slowest
	// article, so the reorder buffer stays small.
	window := make(chan struct{}, workers*32)
	go func() {
		defer close(jobs)
		seq := 0
		for {
			select {
			case <-ctx.Done():
				return
			case window <- struct{}{}:
			}
			select {
			case <-ctx.Done():
				return
			case x, ok := <-in:
				if !ok {
					return
				}
				select {
				case jobs <- job{seq, x}:
				case <-ctx.Done():
					return
				}
				seq++
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr := NewPreparer(opts)
			for j := range jobs {
				out := Output{Article: j.in.Article, Err: j.in.Err}
				if out.Err == nil {
					out.Prepared, out.Err = pr.Prepare(j.in.Article)
				}
				select {
				case results <- done{j.seq, out}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	pending := map[int]Output{}
	next := 0
	for d := range results {
		pending[d.seq] = d.out
		for {
			o, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			if err := fn(o); err != nil {
				cancel()
				for range results {
				}
				return err
			}
		}
	}
	return ctx.Err()
}
