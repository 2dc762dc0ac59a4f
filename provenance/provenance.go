// Package provenance turns sentence alignments into derivations: a label
// (duplicate, copy, rewrite, partial), a direction (which article is the
// source and which the copy), copy groups of articles that carry one source
// text, and the member of each group closest to that source.
package provenance

import (
	"cmp"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
)

// Options are the label thresholds. The zero value means the defaults.
type Options struct {
	// MinCoverage is the least coverage (of the more covered side) for any
	// reuse at all. Default 0.1.
	MinCoverage float64
	// PartialMinSentences is the least number of aligned sentences for a
	// partial reuse whose coverage is below PartialSure. Default 2.
	PartialMinSentences int
	// PartialSure is the coverage from which one aligned sentence is
	// enough. Default 0.3.
	PartialSure float64
	// Rewrite is the least coverage (more covered side) for a rewrite.
	// Default 0.5.
	Rewrite float64
	// Copy is the least coverage (more covered side) for a copy. Default 0.8.
	Copy float64
	// CopyLiteral is the least share of aligned words in verbatim or
	// edited links for a copy or duplicate. Default 0.6.
	CopyLiteral float64
	// Duplicate is the least coverage of both sides for a duplicate.
	// Default 0.9.
	Duplicate float64
	// DuplicateVerbatim is the least share of aligned words in verbatim
	// links for a duplicate. Default 0.8.
	DuplicateVerbatim float64
	// DocumentCopy is the least estimated share of one side's word
	// shingles found in the other for a copy when two articles are
	// compared as whole documents (DocumentLabel). A changed word breaks
	// every shingle over it, so shingle coverage runs well below sentence
	// coverage for the same edits. Default 0.6.
	DocumentCopy float64
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.MinCoverage, 0.1)
	def(&o.PartialSure, 0.3)
	def(&o.Rewrite, 0.5)
	def(&o.Copy, 0.8)
	def(&o.CopyLiteral, 0.6)
	def(&o.Duplicate, 0.9)
	def(&o.DuplicateVerbatim, 0.8)
	def(&o.DocumentCopy, 0.6)
	if o.PartialMinSentences == 0 {
		o.PartialMinSentences = 2
	}
	return o
}

// Label classifies an alignment, or returns "" when it shows no reuse.
func Label(r *align.Result, opts Options) wiretrace.Label {
	o := opts.withDefaults()
	hi := max(r.CoverageA, r.CoverageB)
	lo := min(r.CoverageA, r.CoverageB)
	aligned := min(r.AlignedA, r.AlignedB)
	literal := r.Verbatim + r.Edited
	switch {
	case hi < o.MinCoverage || aligned == 0:
		return ""
	case lo >= o.Duplicate && r.Verbatim >= o.DuplicateVerbatim:
		return wiretrace.Duplicate
	case hi >= o.Copy && literal >= o.CopyLiteral:
		return wiretrace.Copy
	case hi >= o.Rewrite && aligned >= 2:
		return wiretrace.Rewrite
	case aligned >= o.PartialMinSentences || hi >= o.PartialSure:
		return wiretrace.Partial
	}
	return ""
}

// DocumentLabel classifies a pair compared as whole documents (no
// sentence alignment: the near-duplicate level) from the estimated share of
// each side's word shingles found in the other: duplicate when both sides
// are covered to Duplicate, copy when one side is covered to DocumentCopy,
// otherwise no reuse ("").
func DocumentLabel(coverageA, coverageB float64, opts Options) wiretrace.Label {
	o := opts.withDefaults()
	switch {
	case min(coverageA, coverageB) >= o.Duplicate:
		return wiretrace.Duplicate
	case max(coverageA, coverageB) >= o.DocumentCopy:
		return wiretrace.Copy
	}
	return ""
}

// Side is what direction needs to know of one article.
type Side struct {
	Published time.Time // zero when unknown
	Words     int
	Order     int // position in the input, the last tie-breaker
}

// Direction decides which of two aligned articles is the source. It
// returns true when A is the copy (B the source) and a short reason.
//
// Publication dates decide when both are known and at least MinGap apart
// (whole days apart when either has no time of day);
// otherwise the more covered side is the copy (a trimmed copy lies inside
// its source); when coverage is within 0.05, the longer article is taken as
// the more complete source, and finally the earlier one in the input.
func Direction(a, b Side, r *align.Result) (aIsCopy bool, reason string) {
	if !a.Published.IsZero() && !b.Published.IsZero() {
		pa, pb, gap := a.Published, b.Published, MinGap
		if dayOnly(pa) || dayOnly(pb) {
			// A date without a time means "some time that day": only
			// different days decide.
			pa, pb, gap = day(pa), day(pb), 24*time.Hour
		}
		d := pa.Sub(pb)
		if d >= gap {
			return true, "published later"
		}
		if -d >= gap {
			return false, "published later"
		}
	}
	if diff := r.CoverageA - r.CoverageB; diff > 0.05 || diff < -0.05 {
		return diff > 0, "contained in the other"
	}
	if a.Words != b.Words {
		return a.Words < b.Words, "less complete"
	}
	return a.Order > b.Order, "later in input"
}

// dayOnly reports whether t carries a date but no time of day (midnight
// UTC, as date-only inputs parse).
func dayOnly(t time.Time) bool {
	_, off := t.Zone()
	return off == 0 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// day truncates t to its UTC calendar day.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MinGap is the least publication-time difference that decides direction;
// below it dates are treated as equal (many feeds carry only the day).
const MinGap = 6 * time.Hour

// Edge is a derivation between two articles, by their positions 0..n-1.
type Edge struct {
	A, B     int
	Label    wiretrace.Label
	Coverage [2]float64 // share of A's and B's words aligned
	Sim      float64    // mean link similarity
}

// Groups returns the copy groups: connected components of edges whose label
// means one source text (duplicate, copy, rewrite), over n articles. Each
// group lists member positions in ascending order; groups are ordered by
// their first member; articles in no such edge form no group.
func Groups(n int, edges []Edge) [][]int {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	inGroup := make([]bool, n)
	for _, e := range edges {
		if !e.Label.SameText() {
			continue
		}
		inGroup[e.A], inGroup[e.B] = true, true
		ra, rb := find(e.A), find(e.B)
		if ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	byRoot := map[int][]int{}
	var roots []int
	for i := range n {
		if !inGroup[i] {
			continue
		}
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], i)
	}
	out := make([][]int, 0, len(roots))
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

// Closest returns the member of a copy group closest to the source text:
// the most complete one, the member that carries the most of every other
// member's text (sum over the other members o of the share of o's words
// aligned to it). Copies are trimmed, cut after a quote, spun or
// translated: each loses some of the original and keeps what it kept, so
// the original (or its most faithful republication) is the member inside
// which every other one is found. Ties go to the higher total link
// similarity, then the earlier publication, then the earlier position.
// dates may be nil.
func Closest(members []int, edges []Edge, dates func(int) time.Time) int {
	in := make(map[int]bool, len(members))
	for _, m := range members {
		in[m] = true
	}
	contains := make(map[int]float64, len(members))
	sim := make(map[int]float64, len(members))
	for _, e := range edges {
		if !in[e.A] || !in[e.B] {
			continue
		}
		// Coverage[0] is the share of A inside B: credit to B, and back.
		contains[e.B] += e.Coverage[0]
		contains[e.A] += e.Coverage[1]
		sim[e.A] += e.Sim
		sim[e.B] += e.Sim
	}
	// The first member in this order (a total one: positions differ).
	before := func(x, y int) bool {
		if c := cmp.Compare(contains[y], contains[x]); c != 0 {
			return c < 0
		}
		if c := cmp.Compare(sim[y], sim[x]); c != 0 {
			return c < 0
		}
		if dates != nil {
			dx, dy := dates(x), dates(y)
			if !dx.IsZero() && !dy.IsZero() && !dx.Equal(dy) {
				return dx.Before(dy)
			}
		}
		return x < y
	}
	best := members[0]
	for _, m := range members[1:] {
		if before(m, best) {
			best = m
		}
	}
	return best
}

// GroupEdges returns, for each group (of Groups), the edges between two
// of its members, in their order in edges: what Closest needs to be
// called per group at the cost of the group's own edges.
func GroupEdges(groups [][]int, edges []Edge) [][]Edge {
	groupOf := make(map[int]int, len(groups))
	for gi, g := range groups {
		for _, x := range g {
			groupOf[x] = gi
		}
	}
	out := make([][]Edge, len(groups))
	for _, e := range edges {
		ga, okA := groupOf[e.A]
		gb, okB := groupOf[e.B]
		if okA && okB && ga == gb {
			out[ga] = append(out[ga], e)
		}
	}
	return out
}
