package provenance_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/provenance"
)

func TestLabel(t *testing.T) {
	// res builds a Result: coverages, aligned sentences (both sides) and
	// the verbatim / edited shares (the rest reworded).
	res := func(covA, covB float64, aligned int, verbatim, edited float64) align.Result {
		return align.Result{CoverageA: covA, CoverageB: covB, AlignedA: aligned, AlignedB: aligned,
			Verbatim: verbatim, Edited: edited, Reworded: 1 - verbatim - edited}
	}
	tests := []struct {
		name string
		r    align.Result
		opts provenance.Options
		want wiretrace.Label
	}{
		// No reuse.
		{"nothing", res(0, 0, 0, 0, 0), provenance.Options{}, ""},
		{"below MinCoverage", res(0.099, 0.05, 3, 1, 0), provenance.Options{}, ""},
		{"no aligned sentences", res(0.5, 0.5, 0, 1, 0), provenance.Options{}, ""},
		{"one sentence on one side only", align.Result{CoverageA: 0.5, CoverageB: 0.2, AlignedA: 2, AlignedB: 0}, provenance.Options{}, ""},
		// Partial.
		{"MinCoverage with two sentences", res(0.1, 0.02, 2, 0, 0), provenance.Options{}, wiretrace.Partial},
		{"MinCoverage with one sentence", res(0.1, 0.02, 1, 0, 0), provenance.Options{}, ""},
		{"PartialSure with one sentence", res(0.3, 0.02, 1, 0, 0), provenance.Options{}, wiretrace.Partial},
		{"just below PartialSure with one sentence", res(0.29, 0.02, 1, 0, 0), provenance.Options{}, ""},
		{"PartialMinSentences raised", res(0.2, 0.1, 2, 0, 0), provenance.Options{PartialMinSentences: 3}, ""},
		// Rewrite.
		{"Rewrite at 0.5", res(0.5, 0.4, 2, 0, 0), provenance.Options{}, wiretrace.Rewrite},
		{"Rewrite by the other side", res(0.2, 0.5, 2, 0, 0), provenance.Options{}, wiretrace.Rewrite},
		{"just below Rewrite", res(0.49, 0.4, 5, 0, 0), provenance.Options{}, wiretrace.Partial},
		{"Rewrite needs two sentences", res(0.6, 0.1, 1, 0, 0), provenance.Options{}, wiretrace.Partial},
		{"high coverage but reworded", res(0.95, 0.95, 20, 0.3, 0.29), provenance.Options{}, wiretrace.Rewrite},
		// Copy.
		{"Copy at 0.8 and literal 0.6", res(0.8, 0.3, 10, 0.6, 0), provenance.Options{}, wiretrace.Copy},
		{"Copy literal from edited links", res(0.8, 0.3, 10, 0, 0.6), provenance.Options{}, wiretrace.Copy},
		{"just below Copy", res(0.79, 0.3, 10, 1, 0), provenance.Options{}, wiretrace.Rewrite},
		{"Copy threshold lowered", res(0.79, 0.3, 10, 1, 0), provenance.Options{Copy: 0.7}, wiretrace.Copy},
		{"CopyLiteral raised", res(0.9, 0.3, 10, 0.6, 0.1), provenance.Options{CopyLiteral: 0.8}, wiretrace.Rewrite},
		// Duplicate.
		{"Duplicate at 0.9 both and verbatim 0.8", res(0.9, 0.9, 10, 0.8, 0.2), provenance.Options{}, wiretrace.Duplicate},
		{"one side below Duplicate", res(1, 0.89, 10, 1, 0), provenance.Options{}, wiretrace.Copy},
		{"verbatim below DuplicateVerbatim", res(1, 1, 10, 0.79, 0.21), provenance.Options{}, wiretrace.Copy},
		{"Duplicate lowered", res(0.85, 0.85, 10, 1, 0), provenance.Options{Duplicate: 0.8}, wiretrace.Duplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := provenance.Label(&tc.r, tc.opts); got != tc.want {
				t.Errorf("Label(cov %.2f/%.2f, aligned %d/%d, verbatim %.2f, edited %.2f): got %q, want %q",
					tc.r.CoverageA, tc.r.CoverageB, tc.r.AlignedA, tc.r.AlignedB, tc.r.Verbatim, tc.r.Edited, got, tc.want)
			}
		})
	}
}

func TestDirection(t *testing.T) {
	day := time.Date(2021, 12, 4, 12, 0, 0, 0, time.UTC)
	var zero time.Time
	tests := []struct {
		name       string
		a, b       provenance.Side
		covA, covB float64
		wantCopy   bool
		wantReason string
	}{
		{"a published later", provenance.Side{Published: day.Add(7 * time.Hour)}, provenance.Side{Published: day}, 0.2, 0.9, true, "published later"},
		{"b published later", provenance.Side{Published: day}, provenance.Side{Published: day.Add(48 * time.Hour)}, 0.9, 0.2, false, "published later"},
		{"gap exactly MinGap decides", provenance.Side{Published: day.Add(provenance.MinGap)}, provenance.Side{Published: day}, 0.5, 0.5, true, "published later"},
		{"gap below MinGap: coverage decides", provenance.Side{Published: day.Add(5 * time.Hour)}, provenance.Side{Published: day}, 0.3, 0.9, false, "contained in the other"},
		{"one date unknown: coverage decides", provenance.Side{Published: zero}, provenance.Side{Published: day}, 0.9, 0.3, true, "contained in the other"},
		{"more covered side is the copy", provenance.Side{}, provenance.Side{}, 0.95, 0.6, true, "contained in the other"},
		{"less covered side is the source", provenance.Side{}, provenance.Side{}, 0.5, 0.56, false, "contained in the other"},
		{"coverage tie: fewer words is the copy", provenance.Side{Words: 300}, provenance.Side{Words: 500}, 0.8, 0.76, true, "less complete"},
		{"coverage tie: more words is the source", provenance.Side{Words: 500}, provenance.Side{Words: 300}, 0.8, 0.8, false, "less complete"},
		{"full tie: later in input is the copy", provenance.Side{Words: 400, Order: 3}, provenance.Side{Words: 400, Order: 1}, 0.8, 0.8, true, "later in input"},
		{"full tie: earlier in input is the source", provenance.Side{Words: 400, Order: 0}, provenance.Side{Words: 400, Order: 1}, 0.8, 0.8, false, "later in input"},
		{"same day dates: words decide", provenance.Side{Published: day, Words: 300}, provenance.Side{Published: day, Words: 600}, 0.7, 0.7, true, "less complete"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := align.Result{CoverageA: tc.covA, CoverageB: tc.covB}
			gotCopy, gotReason := provenance.Direction(tc.a, tc.b, &r)
			if gotCopy != tc.wantCopy || gotReason != tc.wantReason {
				t.Errorf("got (%v, %q), want (%v, %q)", gotCopy, gotReason, tc.wantCopy, tc.wantReason)
			}
			// Swapping the sides swaps the answer, for the same reason.
			rs := align.Result{CoverageA: tc.covB, CoverageB: tc.covA}
			swCopy, swReason := provenance.Direction(tc.b, tc.a, &rs)
			if swCopy == gotCopy || swReason != gotReason {
				t.Errorf("swapped: got (%v, %q), want (%v, %q)", swCopy, swReason, !gotCopy, gotReason)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	e := func(a, b int, l wiretrace.Label) provenance.Edge { return provenance.Edge{A: a, B: b, Label: l} }
	tests := []struct {
		name  string
		n     int
		edges []provenance.Edge
		want  [][]int
	}{
		{"none", 3, nil, [][]int{}},
		{"empty corpus", 0, nil, [][]int{}},
		{"one copy pair", 3, []provenance.Edge{e(2, 0, wiretrace.Copy)}, [][]int{{0, 2}}},
		{"components", 6, []provenance.Edge{
			e(0, 1, wiretrace.Copy), e(1, 2, wiretrace.Rewrite), e(3, 4, wiretrace.Duplicate), e(2, 5, wiretrace.Partial),
		}, [][]int{{0, 1, 2}, {3, 4}}},
		{"partial edges do not join", 4, []provenance.Edge{
			e(0, 1, wiretrace.Partial), e(2, 3, wiretrace.Partial),
		}, [][]int{}},
		{"partial edge does not bridge two groups", 4, []provenance.Edge{
			e(0, 1, wiretrace.Copy), e(1, 2, wiretrace.Partial), e(2, 3, wiretrace.Copy),
		}, [][]int{{0, 1}, {2, 3}}},
		{"unlabelled edges do not join", 2, []provenance.Edge{e(0, 1, "")}, [][]int{}},
		{"ordered by first member, members ascending", 7, []provenance.Edge{
			e(6, 4, wiretrace.Copy), e(5, 3, wiretrace.Rewrite), e(3, 1, wiretrace.Copy), e(4, 2, wiretrace.Duplicate),
		}, [][]int{{1, 3, 5}, {2, 4, 6}}},
		{"chain joins transitively", 5, []provenance.Edge{
			e(4, 3, wiretrace.Copy), e(3, 2, wiretrace.Copy), e(2, 1, wiretrace.Copy), e(1, 0, wiretrace.Copy),
		}, [][]int{{0, 1, 2, 3, 4}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := provenance.Groups(tc.n, tc.edges)
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	day := time.Date(2021, 12, 4, 0, 0, 0, 0, time.UTC)
	// Edge coverage: Coverage[0] is the share of A inside B.
	edge := func(a, b int, covA, covB, sim float64) provenance.Edge {
		return provenance.Edge{A: a, B: b, Label: wiretrace.Copy, Coverage: [2]float64{covA, covB}, Sim: sim}
	}
	tests := []struct {
		name    string
		members []int
		edges   []provenance.Edge
		dates   func(int) time.Time
		want    int
	}{
		{"contains the others best", []int{0, 1, 2}, []provenance.Edge{
			edge(0, 2, 0.9, 0.6, 1), // 2 gets 0.9, 0 gets 0.6
			edge(1, 2, 0.95, 0.7, 1),
			edge(0, 1, 0.8, 0.8, 1),
		}, nil, 2},
		{"completeness beats similarity", []int{0, 1, 2}, []provenance.Edge{
			edge(0, 1, 0.9, 0.9, 0.9), // 0 and 1 resemble each other
			edge(0, 2, 1.0, 0.9, 0.5), // 2 contains all of 0 and of 1, loosely worded
			edge(1, 2, 1.0, 0.9, 0.5),
		}, nil, 2},
		{"similarity breaks a completeness tie", []int{0, 1, 2}, []provenance.Edge{
			edge(0, 1, 0.9, 0.9, 0.9),
			edge(0, 2, 0.9, 0.9, 0.5),
			edge(1, 2, 0.9, 0.9, 0.5),
		}, nil, 0},
		{"edges outside the group are ignored", []int{1, 2}, []provenance.Edge{
			edge(1, 2, 0.5, 0.9, 1), // 1 gets 0.9
			edge(1, 0, 1, 1, 1),     // 0 is not a member
			edge(2, 9, 1, 1, 1),
		}, nil, 1},
		{"tie goes to the earlier date", []int{0, 1}, []provenance.Edge{edge(0, 1, 0.8, 0.8, 1)},
			func(i int) time.Time { return day.Add(time.Duration(1-i) * time.Hour) }, 1},
		{"tie with equal dates goes to the earlier position", []int{3, 1}, []provenance.Edge{edge(3, 1, 0.8, 0.8, 1)},
			func(int) time.Time { return day }, 1},
		{"tie with an unknown date goes to the earlier position", []int{0, 1}, []provenance.Edge{edge(0, 1, 0.8, 0.8, 1)},
			func(i int) time.Time {
				if i == 0 {
					return time.Time{}
				}
				return day
			}, 0},
		{"no edges, no dates", []int{5, 2, 7}, nil, nil, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			members := slices.Clone(tc.members)
			if got := provenance.Closest(tc.members, tc.edges, tc.dates); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
			if !slices.Equal(members, tc.members) {
				t.Errorf("members: got %v after the call, want unchanged %v", tc.members, members)
			}
		})
	}
}

func TestDocumentLabel(t *testing.T) {
	for _, tc := range []struct {
		a, b float64
		want wiretrace.Label
	}{
		{1, 1, wiretrace.Duplicate},
		{0.9, 0.95, wiretrace.Duplicate},
		{0.89, 0.95, wiretrace.Copy}, // one side not covered to 0.9
		{1, 0.3, wiretrace.Copy},     // a trimmed copy inside its source
		{0.6, 0.55, wiretrace.Copy},  // edited throughout
		{0.59, 0.59, ""},             // below DocumentCopy
		{0, 0, ""},
	} {
		if got := provenance.DocumentLabel(tc.a, tc.b, provenance.Options{}); got != tc.want {
			t.Errorf("provenance.DocumentLabel(%v, %v) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
		if got := provenance.DocumentLabel(tc.b, tc.a, provenance.Options{}); got != tc.want {
			t.Errorf("provenance.DocumentLabel(%v, %v) = %q, want %q (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
	if got := provenance.DocumentLabel(0.7, 0.2, provenance.Options{DocumentCopy: 0.75}); got != "" {
		t.Errorf("DocumentCopy 0.75: got %q for coverage 0.7", got)
	}
}

// TestGroupEdges: each group gets exactly its internal edges, in order, so
// that Closest over them is Closest over every edge.
func TestGroupEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 2 + r.IntN(30)
		var edges []provenance.Edge
		for range r.IntN(3 * n) {
			a, b := r.IntN(n), r.IntN(n)
			if a == b {
				continue
			}
			label := wiretrace.Copy
			if r.IntN(3) == 0 {
				label = wiretrace.Partial
			}
			edges = append(edges, provenance.Edge{A: min(a, b), B: max(a, b), Label: label,
				Coverage: [2]float64{r.Float64(), r.Float64()}, Sim: float64(r.IntN(4)) / 4})
		}
		groups := provenance.Groups(n, edges)
		ge := provenance.GroupEdges(groups, edges)
		if len(ge) != len(groups) {
			t.Fatalf("round %d: %d edge lists for %d groups", round, len(ge), len(groups))
		}
		for gi, g := range groups {
			for _, e := range ge[gi] {
				if !slices.Contains(g, e.A) || !slices.Contains(g, e.B) {
					t.Fatalf("round %d: edge %d-%d listed for group %v", round, e.A, e.B, g)
				}
			}
			if got, want := provenance.Closest(g, ge[gi], nil), provenance.Closest(g, edges, nil); got != want {
				t.Fatalf("round %d: group %v: closest %d over its edges, %d over all", round, g, got, want)
			}
		}
	}
}
