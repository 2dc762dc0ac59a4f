package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

// step is one write to an engine: add an article or remove an id.
type step struct {
	p      *engine.Prepared
	remove string
}

// concurrentSteps prepares the seeds and the mixed fixture, then adds some
// of them again (replacements) and removes a few, interleaved.
func concurrentSteps(t *testing.T, opts engine.Options) []step {
	t.Helper()
	pr := engine.NewPreparer(opts)
	var preps []*engine.Prepared
	err := ingest.Read(context.Background(), []string{"../testdata/seeds", "testdata/mixed.jsonl"}, ingest.Options{}, func(it ingest.Item) error {
		if it.Err != nil {
			return nil
		}
		if p, err := pr.Prepare(it.Article); err == nil {
			preps = append(preps, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(preps) < 50 {
		t.Fatalf("prepared %d articles, want ≥ 50", len(preps))
	}
	var steps []step
	for i, p := range preps {
		steps = append(steps, step{p: p})
		if i%9 == 8 {
			steps = append(steps, step{p: preps[i-5]}) // replace an earlier one
		}
		if i%13 == 12 {
			steps = append(steps, step{remove: preps[i-3].Article.ID})
		}
	}
	return steps
}

// sequentialRun applies steps with Add and Remove, one at a time.
func sequentialRun(t *testing.T, opts engine.Options, steps []step) ([]string, *engine.Engine) {
	eng, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		if s.remove != "" {
			out[i] = fmt.Sprint(eng.Remove(s.remove))
			continue
		}
		b, _ := json.Marshal(eng.Add(s.p))
		out[i] = string(b)
	}
	return out, eng
}

// concurrentRun matches up to window steps ahead of the last commit, on
// many goroutines, and commits (or removes) in step order: one by one, or
// with run > 1 in runs of up to run articles (CommitAll).
func concurrentRun(t *testing.T, opts engine.Options, steps []step, window, run int) ([]string, *engine.Engine) {
	eng, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	pending := make([]chan *engine.Pending, len(steps))
	for i := range pending {
		pending[i] = make(chan *engine.Pending, 1)
	}
	slots := make(chan struct{}, window)
	go func() {
		for i, s := range steps {
			slots <- struct{}{}
			go func() {
				if s.remove != "" {
					pending[i] <- nil
					return
				}
				if i%2 == 0 {
					runtime.Gosched()
				}
				pending[i] <- eng.Match(s.p)
			}()
		}
	}()
	out := make([]string, len(steps))
	for i := 0; i < len(steps); {
		if s := steps[i]; s.remove != "" || run <= 1 {
			m := <-pending[i]
			if s.remove != "" {
				out[i] = fmt.Sprint(eng.Remove(s.remove))
			} else {
				b, _ := json.Marshal(eng.Commit(m))
				out[i] = string(b)
			}
			<-slots
			i++
			continue
		}
		var ms []*engine.Pending
		for k := i; k < len(steps) && steps[k].remove == "" && len(ms) < min(run, window); k++ { // matched ahead: at most window
			ms = append(ms, <-pending[k])
		}
		var stories []string
		for k, r := range eng.CommitAll(ms, func(_ int, r *engine.Result, storyOf func(string) (string, bool)) {
			st, _ := storyOf(r.ID)
			stories = append(stories, st)
		}) {
			if stories[k] != r.Story {
				t.Errorf("step %d: storyOf after its commit says %q, the result %q", i+k, stories[k], r.Story)
			}
			b, _ := json.Marshal(r)
			out[i+k] = string(b)
			<-slots
		}
		i += len(ms)
	}
	return out, eng
}

// TestConcurrentMatchCommitsLikeSequential: articles matched in parallel
// (against an index that moves under them: additions, replacements,
// removals) and committed in order, one by one or in runs (CommitAll),
// give exactly what sequential Adds give, whatever the window, including with a candidate cap that the
// articles added meanwhile compete for and with buckets crossing
// MaxBucket between Match and Commit.
func TestConcurrentMatchCommitsLikeSequential(t *testing.T) {
	for _, opts := range []engine.Options{
		{},
		{MaxCandidates: 2, MaxBucket: 1, MaxSentenceBucket: 1},
		{MaxCandidates: 1, MaxBucket: 12, MaxSentenceBucket: 12, Level: engine.LevelReuse},
	} {
		steps := concurrentSteps(t, opts)
		want, seq := sequentialRun(t, opts, steps)
		for _, window := range []int{1, 4, 16, len(steps)} {
			t.Run(fmt.Sprintf("cands%d-bucket%d-window%d", opts.MaxCandidates, opts.MaxBucket, window), func(t *testing.T) {
				var wg sync.WaitGroup
				for _, run := range []int{1, 5} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						got, eng := concurrentRun(t, opts, steps, window, run)
						for i := range want {
							if got[i] != want[i] {
								t.Errorf("step %d: concurrent result\n%s\nwant (sequential)\n%s", i, got[i], want[i])
								return
							}
						}
						if !sameReport(eng.Report(), seq.Report()) {
							t.Errorf("reports differ")
						}
						if g, w := eng.Stats(), seq.Stats(); g != w {
							t.Errorf("stats: got %+v, want %+v", g, w)
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}
