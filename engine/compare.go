package engine

import (
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/provenance"
)

// CompareVersion is the version of the Comparison JSON contract
// (docs/json.md). Changelog:
//
//	1: a, b, label, copy, coverage, links, sentences with kinds.
const CompareVersion = 1

// Comparison is the sentence alignment of two articles, ready to show.
type Comparison struct {
	Version int         `json:"version"`
	A       CompareSide `json:"a"`
	B       CompareSide `json:"b"`
	// Label is the derivation, "" when the two share no reused text.
	Label wiretrace.Label `json:"label"`
	// Copy is "a" or "b": the side judged to be the copy ("" without a
	// label); Direction says why.
	Copy       string        `json:"copy"`
	Direction  string        `json:"direction"`
	Similarity float64       `json:"similarity"`
	Links      []CompareLink `json:"links"`
}

// CompareSide is one article of a Comparison.
type CompareSide struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Source    string            `json:"source"`
	Published *time.Time        `json:"published"`
	Words     int               `json:"words"`
	Coverage  float64           `json:"coverage"` // share of this side's words aligned to the other
	Sentences []CompareSentence `json:"sentences"`
}

// CompareSentence is one sentence with what it aligns to.
type CompareSentence struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
	Start int    `json:"start"` // byte offsets in the article text
	End   int    `json:"end"`
	// Kind is verbatim, edited or reworded for an aligned sentence (the
	// closest of its links), "" for one the other side lacks: added on the
	// copy's side, dropped on the source's.
	Kind  wiretrace.AlignKind `json:"kind"`
	Links []int               `json:"links"` // sentence indexes on the other side
}

// CompareLink is one aligned sentence pair.
type CompareLink struct {
	A          int                 `json:"a"`
	B          int                 `json:"b"`
	Kind       wiretrace.AlignKind `json:"kind"`
	Similarity float64             `json:"similarity"`
}

// Compare aligns two prepared articles with the engine's options.
// Articles prepared for document-level comparison only (LevelNearDup) are
// first prepared again at LevelReuse from their text: a comparison is
// sentence by sentence at every level.
func Compare(a, b *Prepared, opts Options) *Comparison {
	o := opts.withDefaults()
	if a.DocumentOnly() || b.DocumentOnly() {
		full := o
		full.Level = LevelReuse
		pr := NewPreparer(full)
		a, b = withSentences(pr, a), withSentences(pr, b)
	}
	r := align.Pair(&a.Doc, &b.Doc, o.Align)
	c := &Comparison{Version: CompareVersion, Similarity: round(r.Sim), Links: []CompareLink{}}
	c.A = compareSide(a, r.CoverageA)
	c.B = compareSide(b, r.CoverageB)
	rank := map[wiretrace.AlignKind]int{wiretrace.Verbatim: 3, wiretrace.Edited: 2, wiretrace.Reworded: 1}
	for _, l := range r.Links {
		c.Links = append(c.Links, CompareLink{A: l.A, B: l.B, Kind: l.Kind, Similarity: round(l.Sim)})
		sa, sb := &c.A.Sentences[l.A], &c.B.Sentences[l.B]
		sa.Links = append(sa.Links, l.B)
		sb.Links = append(sb.Links, l.A)
		if rank[l.Kind] > rank[sa.Kind] {
			sa.Kind = l.Kind
		}
		if rank[l.Kind] > rank[sb.Kind] {
			sb.Kind = l.Kind
		}
	}
	c.Label = provenance.Label(&r, o.Provenance)
	if c.Label != "" {
		aCopy, reason := provenance.Direction(side(a, 0), side(b, 1), &r)
		c.Copy, c.Direction = "b", reason
		if aCopy {
			c.Copy = "a"
		}
	}
	return c
}

func compareSide(p *Prepared, cov float64) CompareSide {
	a := &p.Article
	s := CompareSide{ID: a.ID, Title: a.Title, Source: a.Source, Words: p.Doc.Words, Coverage: round(cov)}
	if !a.Published.IsZero() {
		t := a.Published
		s.Published = &t
	}
	s.Sentences = make([]CompareSentence, len(p.Sentences))
	for i, sp := range p.Sentences {
		s.Sentences[i] = CompareSentence{Index: i, Text: a.Text[sp.Start:sp.End], Start: sp.Start, End: sp.End, Links: []int{}}
	}
	return s
}

// withSentences returns p prepared with sentences by pr, or p itself when
// it has them or its text yields none.
func withSentences(pr *Preparer, p *Prepared) *Prepared {
	if !p.DocumentOnly() {
		return p
	}
	if full, err := pr.Prepare(p.Article); err == nil {
		return full
	}
	return p
}
