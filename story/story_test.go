package story_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/story"
)

// vec builds a normalised vector from term/weight pairs.
func vec(pairs ...float64) story.Vector {
	var ws []story.Weighted
	for i := 0; i+1 < len(pairs); i += 2 {
		ws = append(ws, story.Weighted{Term: uint32(pairs[i]), Weight: float32(pairs[i+1])})
	}
	return story.NewVector(ws, 1000)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestCosine(t *testing.T) {
	tests := []struct {
		name string
		a, b story.Vector
		want float64
	}{
		{"identical", vec(1, 3, 2, 4), vec(1, 3, 2, 4), 1},
		{"scaled", vec(1, 3, 2, 4), vec(1, 6, 2, 8), 1},
		{"disjoint", vec(1, 1, 2, 1), vec(3, 1, 4, 1), 0},
		{"one shared of two", vec(1, 1, 2, 1), vec(2, 1, 3, 1), 0.5},
		{"known angle", vec(1, 3, 2, 4), vec(1, 1), 0.6},
		{"empty", story.Vector{}, vec(1, 1), 0},
		{"interleaved terms", vec(1, 1, 3, 1, 5, 1, 7, 1), vec(2, 1, 3, 1, 6, 1, 7, 1), 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := story.Cosine(tc.a, tc.b); !near(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if got := story.Cosine(tc.b, tc.a); !near(got, tc.want) {
				t.Errorf("swapped: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewVector(t *testing.T) {
	ws := []story.Weighted{{Term: 50, Weight: 1}, {Term: 10, Weight: 4}, {Term: 30, Weight: 2}, {Term: 20, Weight: 2}, {Term: 40, Weight: 3}}
	orig := slices.Clone(ws)
	tests := []struct {
		name      string
		max       int
		wantTerms []uint32
	}{
		{"all", 10, []uint32{10, 20, 30, 40, 50}},
		{"top 3", 3, []uint32{10, 20, 40}}, // 4, 3, then 2 of term 20 before term 30 (ties by term)
		{"top 1", 1, []uint32{10}},
		{"none", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := story.NewVector(ws, tc.max)
			if !slices.Equal(v.Terms, tc.wantTerms) {
				t.Errorf("terms: got %v, want %v", v.Terms, tc.wantTerms)
			}
			if len(v.Weights) != len(v.Terms) {
				t.Fatalf("weights: got %d, want one per term (%d)", len(v.Weights), len(v.Terms))
			}
			var sq float64
			for _, w := range v.Weights {
				sq += float64(w) * float64(w)
			}
			if len(v.Terms) > 0 && !near(sq, 1) {
				t.Errorf("norm²: got %v, want 1", sq)
			}
		})
	}
	if !slices.Equal(ws, orig) {
		t.Errorf("input: got %v after the call, want unchanged %v", ws, orig)
	}
	// Relative weights are kept: 4 and 3 of top 2 → 0.8 and 0.6.
	v := story.NewVector(ws, 2)
	if !near(float64(v.Weights[0]), 0.8) || !near(float64(v.Weights[1]), 0.6) {
		t.Errorf("top 2 weights: got %v, want [0.8 0.6]", v.Weights)
	}
	if v := story.NewVector(nil, 5); len(v.Terms) != 0 {
		t.Errorf("empty input: got %v, want empty", v)
	}
	if v := story.NewVector([]story.Weighted{{Term: 1, Weight: 0}}, 5); len(v.Terms) != 0 {
		t.Errorf("zero weights: got %v, want empty", v)
	}
}

func TestDateFactor(t *testing.T) {
	day := time.Date(2021, 12, 4, 12, 0, 0, 0, time.UTC)
	var o story.Options
	tests := []struct {
		name string
		opts story.Options
		a, b time.Time
		want float64
	}{
		{"unknown a", o, time.Time{}, day, 0.85},
		{"unknown both", o, time.Time{}, time.Time{}, 0.85},
		{"same time", o, day, day, 1},
		{"within window", o, day, day.Add(71 * time.Hour), 1},
		{"window edge", o, day.Add(72 * time.Hour), day, 1},
		{"one decay past the window", o, day, day.Add(72*time.Hour + 96*time.Hour), math.Exp(-1)},
		{"two decays past, reversed", o, day.Add(72*time.Hour + 192*time.Hour), day, math.Exp(-2)},
		{"custom unknown", story.Options{UnknownDate: 0.5}, day, time.Time{}, 0.5},
		{"custom window", story.Options{DateWindow: time.Hour, DateDecay: time.Hour}, day, day.Add(2 * time.Hour), math.Exp(-1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.opts.DateFactor(tc.a, tc.b); !near(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

var day = time.Date(2021, 12, 4, 12, 0, 0, 0, time.UTC)

func TestClustererJoinsAndSplits(t *testing.T) {
	c := story.New(story.Options{})
	// 0 and 1 are about one event (cosine 0.8); 2 about another.
	s0 := c.Add(0, vec(1, 4, 2, 3), day, nil)
	s1 := c.Add(1, vec(1, 4, 2, 3, 9, 0.0001), day.Add(time.Hour), nil)
	s2 := c.Add(2, vec(5, 1, 6, 1), day, nil)
	if s0 != 0 || s1 != s0 {
		t.Errorf("similar articles: got stories %d and %d, want 0 and 0", s0, s1)
	}
	if s2 == s0 {
		t.Errorf("unrelated article: got story %d, want a new one", s2)
	}
	if got := c.Members(s0); !slices.Equal(got, []uint32{0, 1}) {
		t.Errorf("Members(%d): got %v, want [0 1]", s0, got)
	}
	if got := c.Story(2); got != s2 {
		t.Errorf("Story(2): got %d, want %d", got, s2)
	}
	if got := c.Story(99); got != -1 {
		t.Errorf("Story(unknown): got %d, want -1", got)
	}
	for _, st := range []int{-1, 100} {
		if got := c.Members(st); got != nil {
			t.Errorf("Members(%d): got %v, want nil", st, got)
		}
	}
}

func TestClustererThreshold(t *testing.T) {
	// A new article at cosine c from a one-member story, dates equal (date
	// factor 1): it joins when c ≥ Threshold.
	at := func(cos float64) story.Vector { return vec(1, cos, 2, math.Sqrt(1-cos*cos)) }
	tests := []struct {
		name      string
		cos       float64
		threshold float64
		date      time.Time
		join      bool
	}{
		{"above default", 0.35, 0, day, true},
		{"below default", 0.25, 0, day, false},
		{"custom threshold met", 0.55, 0.5, day, true},
		{"custom threshold missed", 0.45, 0.5, day, false},
		{"unknown date lowers similarity", 0.33, 0, time.Time{}, false}, // 0.33 × 0.85 < 0.3
		{"far date lowers similarity", 0.5, 0, day.Add(30 * 24 * time.Hour), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := story.New(story.Options{Threshold: tc.threshold})
			first := c.Add(10, vec(1, 1), day, nil)
			got := c.Add(11, at(tc.cos), tc.date, nil)
			if (got == first) != tc.join {
				t.Errorf("cos %.2f: got story %d (first %d), want join=%v", tc.cos, got, first, tc.join)
			}
		})
	}
}

// TestClustererLinkage checks that joining a story needs resemblance to
// several of its members (mean of the best min(3, size) similarities), not
// to one.
func TestClustererLinkage(t *testing.T) {
	c := story.New(story.Options{})
	core := vec(1, 1, 2, 1, 3, 1)
	for h := range uint32(3) {
		c.Add(h, core, day, nil)
	}
	// A fourth member: cosine 0.5 with each of the first three.
	c.Add(3, vec(1, 1, 2, 1, 3, 1, 7, 3), day, nil)
	if got := c.Story(3); got != 0 {
		t.Fatalf("fourth member: got story %d, want 0", got)
	}
	// Cosine 0.87 with member 3 but 0 with members 0, 1 and 2: the mean
	// of the best three is 0.29, below the threshold 0.3.
	got := c.Add(4, vec(7, 1), day, nil)
	if got == 0 {
		t.Errorf("article resembling one member of four: got story 0, want a new story")
	}
}

func TestClustererForcedLinks(t *testing.T) {
	c := story.New(story.Options{})
	a := c.Add(0, vec(1, 1), day, nil)
	b := c.Add(1, vec(2, 1), day, nil)
	if a == b {
		t.Fatalf("unrelated articles: got one story %d, want two", a)
	}
	// 2 copies 1 but shares no terms with it: it still joins 1's story.
	if got := c.Add(2, vec(3, 1), day, []uint32{1}); got != b {
		t.Errorf("linked article: got story %d, want %d", got, b)
	}
	// 3 reuses text of 0 and 2: their stories merge into the lower id.
	got := c.Add(3, vec(4, 1), day, []uint32{2, 0, 99})
	if got != a {
		t.Errorf("bridging article: got story %d, want %d", got, a)
	}
	for h := range uint32(4) {
		if s := c.Story(h); s != a {
			t.Errorf("Story(%d) after merge: got %d, want %d", h, s, a)
		}
	}
	if m := c.Members(a); !slices.Equal(m, []uint32{0, 1, 2, 3}) {
		t.Errorf("Members after merge: got %v, want [0 1 2 3]", m)
	}
	// The merged story's id resolves to the survivor.
	if m := c.Members(b); !slices.Equal(m, []uint32{0, 1, 2, 3}) {
		t.Errorf("Members(merged id %d): got %v, want [0 1 2 3]", b, m)
	}
}

func TestClustererRemove(t *testing.T) {
	c := story.New(story.Options{})
	c.Add(0, vec(1, 1, 2, 1), day, nil)
	c.Add(1, vec(1, 1, 2, 1), day, nil)
	c.Add(2, vec(1, 1, 2, 1), day, nil)
	c.Remove(0)
	c.Remove(42) // unknown: no effect
	if got := c.Story(0); got != -1 {
		t.Errorf("Story(removed): got %d, want -1", got)
	}
	if got := c.Members(0); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("Members after Remove: got %v, want [1 2]", got)
	}
	for _, s := range c.Similar(vec(1, 1, 2, 1), day) {
		if s.Doc == 0 {
			t.Errorf("Similar: got removed article 0, want it gone")
		}
	}
	// Adding a handle again replaces it: no duplicate membership or
	// postings.
	if got := c.Add(1, vec(1, 1, 2, 1), day, nil); got != 0 {
		t.Errorf("re-adding 1: got story %d, want 0", got)
	}
	if got := c.Members(0); !slices.Equal(got, []uint32{2, 1}) {
		t.Errorf("Members after re-adding 1: got %v, want [2 1]", got)
	}
	if n := len(c.Similar(vec(1, 1), day)); n != 2 {
		t.Errorf("Similar after re-adding: got %d results, want 2", n)
	}
	// A story emptied by Remove stays (empty), and an article like its
	// former members starts a new one.
	c.Remove(1)
	c.Remove(2)
	if got := c.Members(0); len(got) != 0 {
		t.Errorf("Members of emptied story: got %v, want none", got)
	}
	if got := c.Add(3, vec(1, 1, 2, 1), day, nil); got == 0 {
		t.Errorf("article like the removed ones: got the empty story 0, want a new one")
	}
}

func TestSimilar(t *testing.T) {
	c := story.New(story.Options{Candidates: 3})
	// Handles 5, 3, 4 are equally similar to the query; 1 less; 2 not at all.
	c.Add(5, vec(1, 1), day, nil)
	c.Add(3, vec(1, 1), day, nil)
	c.Add(4, vec(1, 1), day.Add(-24*time.Hour), nil)
	c.Add(1, vec(1, 1, 2, 1), day, nil)
	c.Add(2, vec(9, 1), day, nil)
	got := c.Similar(vec(1, 1), day)
	var docs []uint32
	for _, s := range got {
		docs = append(docs, s.Doc)
	}
	if want := []uint32{3, 4, 5}; !slices.Equal(docs, want) {
		t.Errorf("Similar: got %v, want %v (ties by handle, capped at Candidates)", docs, want)
	}
	for _, s := range got {
		if !near(s.Sim, 1) {
			t.Errorf("Similar(%d): got %v, want 1", s.Doc, s.Sim)
		}
	}
	// Date factor applies.
	far := c.Similar(vec(1, 1), day.Add(30*24*time.Hour))
	if len(far) == 0 || far[0].Sim >= 0.5 {
		t.Errorf("Similar a month later: got %v, want similarities lowered below 0.5", far)
	}
	// Determinism: the same query twice gives the same answer.
	if again := c.Similar(vec(1, 1), day); !slices.Equal(again, got) {
		t.Errorf("Similar twice: got %v then %v, want equal", got, again)
	}
}

func TestSimilarMaxPosting(t *testing.T) {
	c := story.New(story.Options{MaxPosting: 2})
	for h := range uint32(3) {
		c.Add(h, vec(1, 1, float64(100+h), 1), day, nil)
	}
	// Term 1's posting list has 3 entries (> 2): it is skipped, so only
	// the article sharing the rare term is found.
	got := c.Similar(vec(1, 1, 101, 1), day)
	if len(got) != 1 || got[0].Doc != 1 {
		t.Errorf("Similar with an over-long posting list: got %v, want only article 1", got)
	}
}

// TestClustererDeterministic replays one sequence of additions twice.
func TestClustererDeterministic(t *testing.T) {
	run := func() []int {
		c := story.New(story.Options{})
		var out []int
		for h := range uint32(60) {
			// Three events; articles mix terms of their event with noise.
			ev := float64(h % 3)
			v := vec(ev*10+1, 2, ev*10+2, 1.5, ev*10+3, 1, float64(1000+h), 1)
			var linked []uint32
			if h%17 == 16 {
				linked = []uint32{h - 1}
			}
			out = append(out, c.Add(h, v, day.Add(time.Duration(h)*time.Hour), linked))
		}
		for h := range uint32(60) {
			out = append(out, c.Story(h))
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Errorf("two runs: got %v and %v, want equal", a, b)
	}
	// Events 0, 1, 2 are told apart until the forced links merge them.
	if a[0] == a[1] || a[1] == a[2] || a[0] == a[2] {
		t.Errorf("first three articles (three events): got stories %v, want three", a[:3])
	}
	if a[3] != a[0] || a[4] != a[1] {
		t.Errorf("articles 3 and 4: got stories %d and %d, want %d and %d", a[3], a[4], a[0], a[1])
	}
}
