package engine_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
)

// TestQueryMatchesAdd checks that Query reports what Add would, for every
// seed queried against the other four, and leaves the index unchanged.
func TestQueryMatchesAdd(t *testing.T) {
	full, _ := run(t, engine.Options{}, 1, "../testdata/seeds")
	for _, id := range []string{s000, s001, s002, s003, s004} {
		t.Run(id, func(t *testing.T) {
			eng, _ := run(t, engine.Options{}, 1, "../testdata/seeds")
			p, _ := eng.Article(id)
			eng.Remove(id)
			before := eng.Report()
			got := eng.Query(p)
			if after := eng.Report(); !sameReport(before, after) || eng.Len() != 4 {
				t.Fatalf("Query changed the index")
			}
			want := eng.Add(p).Matches
			if len(got) != len(want) {
				t.Fatalf("got %d matches, want %d (Add's)", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("match %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
			// Against the full index the article finds itself too.
			self := full.Query(p)
			if !slices.ContainsFunc(self, func(m engine.Match) bool { return m.ID == id && m.Label == wiretrace.Duplicate }) {
				t.Errorf("querying an indexed article: got %+v, want a duplicate match with itself", self)
			}
		})
	}
}

// TestQueryConcurrent runs queries beside adds (for go test -race).
func TestQueryConcurrent(t *testing.T) {
	eng, _ := run(t, engine.Options{}, 1, "../testdata/seeds")
	p, _ := eng.Article(s002)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if i == 0 {
					eng.Add(p)
				} else if len(eng.Query(p)) == 0 {
					t.Error("query of 002 found nothing")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestEventSimilarity(t *testing.T) {
	eng, _ := run(t, engine.Options{}, 1, "../testdata/seeds", "testdata/mixed.jsonl")
	get := func(id string) *engine.Prepared {
		p, ok := eng.Article(id)
		if !ok {
			t.Fatalf("%s not indexed", id)
		}
		return p
	}
	threshold := eng.Options().Story.Threshold
	if threshold == 0 {
		threshold = 0.3 // story.Options default
	}
	same := eng.EventSimilarity(get(s000), get(s003))
	if same < threshold {
		t.Errorf("000–003 (one event): got %.3f, want ≥ the story threshold %.2f", same, threshold)
	}
	dated := *get(s002)
	dated.Article.Published = time.Date(2021, 12, 4, 0, 0, 0, 0, time.UTC)
	if self := eng.EventSimilarity(&dated, &dated); self < 0.99 || self > 1.0001 {
		t.Errorf("002 with itself, dated: got %.3f, want 1", self)
	}
	undatedP := *get(s002)
	undatedP.Article.Published = time.Time{}
	if undated := eng.EventSimilarity(&undatedP, &undatedP); undated >= 0.99 {
		t.Errorf("002 with itself, undated: got %.3f, want the unknown-date factor below 1", undated)
	}
	// A BASIL article about another event.
	other := get("2b95d2cf-e979-4f9c-ae27-9a5370934f23_1")
	if d := eng.EventSimilarity(get(s000), other); d >= threshold/2 {
		t.Errorf("000 against an unrelated article: got %.3f, want < %.2f", d, threshold/2)
	}
	// Symmetric, and lowered by distant dates.
	a, b := *get(s000), *get(s001)
	if x, y := eng.EventSimilarity(&a, &b), eng.EventSimilarity(&b, &a); x != y {
		t.Errorf("not symmetric: %v vs %v", x, y)
	}
	near := eng.EventSimilarity(&a, &b)
	a.Article.Published = time.Date(2021, 12, 4, 0, 0, 0, 0, time.UTC)
	b.Article.Published = a.Article.Published.AddDate(0, 2, 0)
	if far := eng.EventSimilarity(&a, &b); far >= near/2 {
		t.Errorf("two months apart: got %.3f, want well below %.3f", far, near)
	}
}
