// Package align aligns the sentences of two articles: which sentence of one
// carries the content of which sentence of the other, how closely, and how
// much of each article's text lies in aligned sentences (its coverage).
//
// Sentences are compared on their content-word stems, weighted by how rare a
// word is (a fixed background weight, so the result of a pair never depends
// on what else is in the corpus). Matching is greedy one-to-one on weighted
// Dice similarity, then many-to-one by containment, which catches split and
// merged sentences. Word order is ignored, so tense changes, reordered
// clauses and substituted words (spinners, translation round trips) still
// align while the kind of each link tells verbatim from edited from reworded.
//
// Cost: O(|A|·|B|) merges of short sorted term lists per pair; about 10–30 µs
// for two 30-sentence articles. Pairs with more than MaxSentences sentences
// on a side are aligned on their first MaxSentences sentences.
package align

import (
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/wiretrace/wiretrace"
)

// ShapeSize is the number of MinHash values in a sentence's Shape.
const ShapeSize = 8

// Sentence is what alignment needs of one sentence, compactly (about 36
// bytes plus 4 per content term), since a live index keeps one per
// sentence of every article.
type Sentence struct {
	Off    uint32  // first of this sentence's terms in Doc.Terms
	NTerms uint16  // number of distinct content terms
	Words  uint16  // word and number tokens (the unit of coverage), capped at 65535
	Weight float32 // sum of the weights of the terms
	Exact  uint32  // hash of the whole normalised word sequence
	// Shape is a MinHash of the sentence's word bigrams (function words
	// too): equal positions estimate how much wording two sentences share.
	Shape [ShapeSize]uint16
}

// Doc is an article as alignment sees it.
type Doc struct {
	Sentences []Sentence
	Terms     []uint32  // per sentence, sorted distinct content-stem hashes, concatenated
	Weights   []float32 // weight of each entry of Terms (see SetWeights)
	Words     int       // total of Sentences[i].Words
}

// SetWeights fills d.Weights and each sentence's Weight from base term
// weights (e.g. background IDF), scaled by how rare each term is among the
// document's own sentences: a name that runs through the whole text (the
// story's protagonist) says little about whether two particular sentences
// match, a term found in one sentence says much. The factor is
// ln(1 + S/s_t) / ln(1 + S) for a term in s_t of the S sentences. It
// depends on the document alone, so a pair's alignment never depends on
// anything but the pair.
func (d *Doc) SetWeights(base Weights) {
	d.setWeights(func(k int) float32 { return base(d.Terms[k]) })
}

// SetWeightsOf is SetWeights with the base weight of each entry of Terms
// given: base[k] is that of Terms[k] (equal terms must have equal base
// weights), for a caller that has them at hand.
func (d *Doc) SetWeightsOf(base []float32) {
	d.setWeights(func(k int) float32 { return base[k] })
}

// setWeights is SetWeights with baseOf(k) the base weight of Terms[k].
func (d *Doc) setWeights(baseOf func(k int) float32) {
	// A weight depends on the term and the number of sentences it is in
	// only, so each distinct term is counted and weighed once, in a small
	// open-addressing table of the document's terms (a term appears at
	// most once per sentence: Terms holds distinct terms per sentence).
	n := len(d.Terms)
	d.Weights = make([]float32, n)
	if n > 0 {
		shift := 32 - bits.Len32(uint32(2*n-1)) // table of 1<<(32-shift) ≥ 2n slots
		size := 1 << (32 - shift)
		// Scratch from a pool: per slot its term, count and weight (first
		// the entry of Terms that brought the term); per entry of Terms
		// its slot. Only counts needs clearing (a slot is in use when its
		// count is not 0).
		sp := weightScratch.Get().(*[]uint32)
		defer weightScratch.Put(sp)
		buf := slices.Grow((*sp)[:0], 3*size+n)[:3*size+n]
		*sp = buf
		keys, counts, ws, slot := buf[:size], buf[size:2*size], buf[2*size:3*size], buf[3*size:]
		clear(counts)
		mask := uint32(size - 1)
		for k, t := range d.Terms {
			i := (t * 0x9e3779b1) >> shift
			for counts[i] != 0 && keys[i] != t {
				i = (i + 1) & mask
			}
			if counts[i] == 0 {
				keys[i], ws[i] = t, uint32(k)
			}
			counts[i]++
			slot[k] = i
		}
		S := float64(len(d.Sentences))
		norm := math.Log(1 + S)
		// The factor depends on the count only, and most terms are in one
		// or two sentences: factors of small counts are computed once.
		var small [32]float32 // factor of count c at c, 0 if not computed yet
		factor := func(c uint32) float32 {
			if c < uint32(len(small)) && small[c] != 0 {
				return small[c]
			}
			f := 1.0
			if norm > 0 {
				f = math.Log(1+S/float64(c)) / norm
			}
			if c < uint32(len(small)) {
				small[c] = float32(f)
			}
			return float32(f)
		}
		for i, c := range counts {
			if c != 0 {
				ws[i] = math.Float32bits(baseOf(int(ws[i])) * factor(c))
			}
		}
		for k, i := range slot {
			d.Weights[k] = math.Float32frombits(ws[i])
		}
	}
	for i := range d.Sentences {
		s := &d.Sentences[i]
		var w float32
		for _, x := range d.Weights[s.Off : s.Off+uint32(s.NTerms)] {
			w += x
		}
		s.Weight = w
	}
}

// weightScratch holds SetWeights' scratch tables.
var weightScratch = sync.Pool{New: func() any { return new([]uint32) }}

// SentenceWeights returns the term weights of sentence i.
func (d *Doc) SentenceWeights(i int) []float32 {
	s := &d.Sentences[i]
	return d.Weights[s.Off : s.Off+uint32(s.NTerms)]
}

// SentenceTerms returns the sorted content terms of sentence i.
func (d *Doc) SentenceTerms(i int) []uint32 {
	s := &d.Sentences[i]
	return d.Terms[s.Off : s.Off+uint32(s.NTerms)]
}

// Weights gives each content term's base weight (e.g. its inverse document
// frequency). It must be safe for concurrent use.
type Weights func(term uint32) float32

// Options tune alignment. The zero value means the defaults.
type Options struct {
	// MinSim is the least weighted Dice similarity for a one-to-one link.
	// Default 0.55.
	MinSim float64
	// MinContain is the least share of a sentence's weight found in one
	// sentence of the other side for a many-to-one link. Default 0.7.
	MinContain float64
	// MinShared is the least number of shared content terms for any link.
	// Default 3.
	MinShared int
	// MaxSentences caps the sentences considered per side. Default 2000.
	MaxSentences int
}

func (o Options) withDefaults() Options {
	if o.MinSim == 0 {
		o.MinSim = 0.55
	}
	if o.MinContain == 0 {
		o.MinContain = 0.7
	}
	if o.MinShared == 0 {
		o.MinShared = 3
	}
	if o.MaxSentences == 0 {
		o.MaxSentences = 2000
	}
	return o
}

// Link is one aligned sentence pair.
type Link struct {
	A, B int                 // sentence indexes in the two docs
	Sim  float64             // weighted Dice of content terms (containment for many-to-one links)
	Kind wiretrace.AlignKind // verbatim, edited or reworded
}

// Result is the alignment of two docs.
type Result struct {
	Links     []Link  // ordered by A, then B
	CoverageA float64 // share of A's words in sentences aligned to B
	CoverageB float64 // share of B's words in sentences aligned to A
	AlignedA  int     // sentences of A in at least one link
	AlignedB  int
	// Sim is the word-weighted mean similarity of the links (0 when none).
	Sim float64
	// Verbatim, Edited and Reworded are the shares of aligned words (of
	// both sides) in links of each kind; they sum to 1 when any link exists.
	Verbatim, Edited, Reworded float64
}

type cand struct {
	a, b int
	sim  float64
}

// Pair aligns a and b.
//
// Both docs must have had SetWeights called.
func Pair(a, b *Doc, opts Options) Result {
	o := opts.withDefaults()
	sa, sb := a.Sentences, b.Sentences
	if len(sa) > o.MaxSentences {
		sa = sa[:o.MaxSentences]
	}
	if len(sb) > o.MaxSentences {
		sb = sb[:o.MaxSentences]
	}
	var cands []cand
	// containA[i] / containB[j]: best containment of the sentence in one
	// sentence of the other side, for the many-to-one pass.
	type best struct {
		other int
		c     float64
	}
	containA := make([]best, len(sa))
	containB := make([]best, len(sb))
	for i := range containA {
		containA[i].other = -1
	}
	for j := range containB {
		containB[j].other = -1
	}
	// Only pairs of sentences sharing terms can link (MinShared ≥ 1): an
	// index of b's terms gives, per sentence of a, the sentences of b it
	// shares terms with and how many, so the quadratic part is counting,
	// and only pairs with enough shared terms are merged. Pairs are taken
	// in the order of a loop over all of them.
	ix := termIndexes.Get().(*termIndex)
	defer termIndexes.Put(ix)
	ix.build(b, len(sb))
	all := o.MinShared < 1 || !indexPairs
	for i := range sa {
		xt := a.SentenceTerms(i)
		if len(xt) == 0 {
			continue
		}
		xws := a.SentenceWeights(i)
		for _, j := range ix.overlapping(xt, all) {
			yt := b.SentenceTerms(j)
			if len(yt) == 0 {
				continue
			}
			if n := int(ix.counts[j]); !all && n < o.MinShared && !(n == len(xt) && n == len(yt)) {
				continue // what the merge would find, known from the index
			}
			n, shared := intersect(xt, yt, xws, b.SentenceWeights(j))
			if n < o.MinShared && !(n == len(xt) && n == len(yt) && n > 0) {
				continue
			}
			xw, yw := sa[i].Weight, sb[j].Weight
			if xw <= 0 || yw <= 0 {
				continue
			}
			sim := 2 * float64(shared) / float64(xw+yw)
			if sim >= o.MinSim {
				cands = append(cands, cand{i, j, sim})
			}
			if c := float64(shared) / float64(xw); c > containA[i].c {
				containA[i] = best{j, c}
			}
			if c := float64(shared) / float64(yw); c > containB[j].c {
				containB[j] = best{i, c}
			}
		}
	}
	slices.SortFunc(cands, func(p, q cand) int {
		switch {
		case p.sim > q.sim:
			return -1
		case p.sim < q.sim:
			return 1
		case p.a != q.a:
			return p.a - q.a
		}
		return p.b - q.b
	})
	usedA := make([]bool, len(sa))
	usedB := make([]bool, len(sb))
	var links []Link
	for _, c := range cands {
		if usedA[c.a] || usedB[c.b] {
			continue
		}
		usedA[c.a], usedB[c.b] = true, true
		links = append(links, Link{A: c.a, B: c.b, Sim: c.sim})
	}
	// Many-to-one: a sentence left over on one side whose content lies
	// inside one sentence of the other side (a split or merged sentence).
	for i, bst := range containA {
		if !usedA[i] && bst.other >= 0 && bst.c >= o.MinContain && int(sa[i].NTerms) >= o.MinShared {
			usedA[i] = true
			usedB[bst.other] = true
			links = append(links, Link{A: i, B: bst.other, Sim: bst.c})
		}
	}
	for j, bst := range containB {
		if !usedB[j] && bst.other >= 0 && bst.c >= o.MinContain && int(sb[j].NTerms) >= o.MinShared {
			usedB[j] = true
			usedA[bst.other] = true
			links = append(links, Link{A: bst.other, B: j, Sim: bst.c})
		}
	}
	slices.SortFunc(links, func(p, q Link) int {
		if p.A != q.A {
			return p.A - q.A
		}
		return p.B - q.B
	})
	r := Result{Links: links}
	var kindWords [3]float64
	var simW, totW float64
	for k := range links {
		l := &links[k]
		l.Kind = kind(&sa[l.A], &sb[l.B])
		words := float64(int(sa[l.A].Words) + int(sb[l.B].Words))
		simW += l.Sim * words
		totW += words
		switch l.Kind {
		case wiretrace.Verbatim:
			kindWords[0] += words
		case wiretrace.Edited:
			kindWords[1] += words
		default:
			kindWords[2] += words
		}
	}
	var aw, bw int
	for i, u := range usedA {
		if u {
			r.AlignedA++
			aw += int(sa[i].Words)
		}
	}
	for j, u := range usedB {
		if u {
			r.AlignedB++
			bw += int(sb[j].Words)
		}
	}
	if a.Words > 0 {
		r.CoverageA = float64(aw) / float64(a.Words)
	}
	if b.Words > 0 {
		r.CoverageB = float64(bw) / float64(b.Words)
	}
	if totW > 0 {
		r.Sim = simW / totW
		r.Verbatim, r.Edited, r.Reworded = kindWords[0]/totW, kindWords[1]/totW, kindWords[2]/totW
	}
	return r
}

// SentenceSim returns the weighted Dice similarity of sentence i of a and
// sentence j of b, the measure one-to-one links are made on. Both docs must
// have had SetWeights called.
func SentenceSim(a *Doc, i int, b *Doc, j int) float64 {
	return WeightedDice(a.SentenceTerms(i), a.SentenceWeights(i), a.Sentences[i].Weight,
		b.SentenceTerms(j), b.SentenceWeights(j), b.Sentences[j].Weight)
}

// WeightedDice is the weighted Dice similarity of two sentences given as
// sorted distinct terms with their weights and total weights: twice the
// weight of the shared terms (each the mean of its two weights) over the
// sum of the totals. SentenceSim is this on two docs' sentences. Callers
// that only need "at least min", in their own layout (the engine's flat
// records, dedup's spilled payloads), call DiceAtLeast, which answers as
// this does.
func WeightedDice(xt []uint32, xw []float32, xWeight float32, yt []uint32, yw []float32, yWeight float32) float64 {
	if xWeight+yWeight <= 0 {
		return 0
	}
	_, shared := intersect(xt, yt, xw, yw)
	return 2 * float64(shared) / float64(xWeight+yWeight)
}

// DiceAtLeast reports whether WeightedDice of the two sentences is at least
// min, with the same answer for every input, and sooner: the merge stops
// once the shared weight already reaches min (it only grows), or once the
// terms found unshared weigh too much for the rest to reach it. Stopping
// early leaves a slack (diceSlack, relative) that float32 rounding cannot
// cross, and a pair within that slack of min is merged to the end.
func DiceAtLeast(xt []uint32, xw []float32, xWeight float32, yt []uint32, yw []float32, yWeight float32, min float64) bool {
	total := float64(xWeight + yWeight)
	if total <= 0 {
		return 0 >= min
	}
	// Shared weight s (as WeightedDice sums it) gives 2s/total; the
	// terms found unshared (lost) bound it by (total - lost)/2.
	slack := diceSlack + float64(len(xt)+len(yt))*0x1p-20
	accept := min * total / 2 * (1 + slack)
	reject := total * (1 - min + slack)
	var s float32
	lost := 0.0
	i, j := 0, 0
	for i < len(xt) && j < len(yt) {
		switch {
		case xt[i] < yt[j]:
			if lost += float64(xw[i]); lost > reject {
				return false
			}
			i++
		case xt[i] > yt[j]:
			if lost += float64(yw[j]); lost > reject {
				return false
			}
			j++
		default:
			if s += (xw[i] + yw[j]) / 2; float64(s) >= accept {
				return true
			}
			i++
			j++
		}
	}
	return 2*float64(s)/total >= min
}

// diceSlack is DiceAtLeast's margin for stopping early, plus 2⁻²⁰ per term
// of the two sentences: far above the relative rounding error of summing
// float32 weights (at most about n·2⁻²⁴ for n terms), far below any
// difference in similarity that matters.
const diceSlack = 1e-4

// termIndex maps the content terms of a document's first sentences to the
// sentences holding them: an open-addressing table of terms, each with a
// chain of postings.
type termIndex struct {
	keys    []uint32
	heads   []int32 // per slot: first posting, -1 for an empty slot
	sent    []int32 // per posting: its sentence
	next    []int32 // per posting: the next one of its term, -1 at the end
	shift   uint32
	counts  []int32 // per indexed sentence: terms shared with the sentence being looked up
	touched []int
}

var termIndexes = sync.Pool{New: func() any { return new(termIndex) }}

// indexPairs: Pair merges only the pairs the index finds (tests turn it off
// to compare with merging every pair).
var indexPairs = true

// build indexes the terms of d's first n sentences.
func (ix *termIndex) build(d *Doc, n int) {
	total := 0
	for j := range n {
		total += int(d.Sentences[j].NTerms)
	}
	bitsN := bits.Len(uint(2*total) | 1)
	size := 1 << bitsN
	ix.shift = uint32(32 - bitsN)
	ix.keys = slices.Grow(ix.keys[:0], size)[:size]
	ix.heads = slices.Grow(ix.heads[:0], size)[:size]
	for k := range ix.heads {
		ix.heads[k] = -1
	}
	ix.sent, ix.next, ix.touched = ix.sent[:0], ix.next[:0], ix.touched[:0]
	ix.counts = slices.Grow(ix.counts[:0], n)[:n]
	clear(ix.counts)
	mask := uint32(size - 1)
	for j := range n {
		for _, t := range d.SentenceTerms(j) {
			k := (t * 0x9e3779b1) >> ix.shift
			for ix.heads[k] >= 0 && ix.keys[k] != t {
				k = (k + 1) & mask
			}
			ix.keys[k] = t
			ix.sent = append(ix.sent, int32(j))
			ix.next = append(ix.next, ix.heads[k])
			ix.heads[k] = int32(len(ix.sent) - 1)
		}
	}
}

// overlapping returns, in ascending order, the indexed sentences sharing a
// term with the sorted distinct terms xt, and leaves in counts how many
// they share; with all set, every indexed sentence (with its count, maybe
// 0). The next call clears the counts.
func (ix *termIndex) overlapping(xt []uint32, all bool) []int {
	for _, j := range ix.touched {
		ix.counts[j] = 0
	}
	touched := ix.touched[:0]
	mask := uint32(len(ix.heads) - 1)
	for _, t := range xt {
		k := (t * 0x9e3779b1) >> ix.shift
		for ix.heads[k] >= 0 && ix.keys[k] != t {
			k = (k + 1) & mask
		}
		for e := ix.heads[k]; e >= 0; e = ix.next[e] {
			j := ix.sent[e]
			if ix.counts[j] == 0 {
				touched = append(touched, int(j))
			}
			ix.counts[j]++
		}
	}
	if all {
		touched = touched[:0]
		for j := range ix.counts {
			touched = append(touched, j)
		}
	} else {
		slices.Sort(touched)
	}
	ix.touched = touched
	return touched
}

// intersect returns the number of terms two sorted lists share and their
// weight: the mean of the weights each side gives them.
func intersect(x, y []uint32, xw, yw []float32) (int, float32) {
	n := 0
	var s float32
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			n++
			s += (xw[i] + yw[j]) / 2
			i++
			j++
		}
	}
	return n, s
}

// kind classifies a link by how much wording the two sentences share:
// identical word sequences are verbatim; otherwise the Shapes (MinHash of
// word bigrams, function words included, so reordering and rewording
// show) estimate the bigram Jaccard similarity J: J ≥ 1/2 is edited (for a
// 20-word sentence, up to about three words changed), below is reworded.
func kind(x, y *Sentence) wiretrace.AlignKind {
	if x.Exact == y.Exact {
		return wiretrace.Verbatim
	}
	eq := 0
	for k := range x.Shape {
		if x.Shape[k] == y.Shape[k] {
			eq++
		}
	}
	if eq*2 >= ShapeSize {
		return wiretrace.Edited
	}
	return wiretrace.Reworded
}
