// Package story groups articles about the same event into stories, whether
// or not they reuse each other's text.
//
// Each article is a sparse TF-IDF vector of its content stems (named
// entities and numbers weighted up, headline words counted twice, at most
// MaxTerms terms, L2-normalised). Event similarity is the cosine of two
// vectors times a date factor: 1 within DateWindow, decaying with a time
// constant of DateDecay beyond it, and UnknownDate when either date is
// unknown. An arriving article joins the story whose members it resembles
// most (mean of its best min(3, size) similarities to that story's
// members) if that linkage reaches Threshold, and always the story of an
// article it copies; otherwise it starts a story. Reuse links that join two
// stories merge them. Assignment is incremental: adding an article never
// re-clusters the others, and the same sequence of additions always gives
// the same stories.
//
// Cost: candidates come from an inverted index over each article's top
// terms; a posting list longer than MaxPosting is skipped (a term that
// common says nothing about the event), so one assignment touches a
// bounded number of postings. Memory: about 12 bytes per posting.
package story

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Vector is a sparse L2-normalised term vector, sorted by term.
type Vector struct {
	Terms   []uint32
	Weights []float32
}

// Cosine returns the dot product of two normalised vectors.
func Cosine(a, b Vector) float64 {
	var s float64
	i, j := 0, 0
	for i < len(a.Terms) && j < len(b.Terms) {
		switch {
		case a.Terms[i] < b.Terms[j]:
			i++
		case a.Terms[i] > b.Terms[j]:
			j++
		default:
			s += float64(a.Weights[i]) * float64(b.Weights[j])
			i++
			j++
		}
	}
	return s
}

// Weighted is one term with its raw weight, the input of NewVector.
type Weighted struct {
	Term   uint32
	Weight float32
}

// NewVector keeps the max heaviest terms (ties by term), normalises them and
// sorts them by term.
func NewVector(ws []Weighted, max int) Vector {
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(x, y Weighted) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return cmp.Compare(x.Term, y.Term)
	})
	if len(ws) > max {
		ws = ws[:max]
	}
	slices.SortFunc(ws, func(x, y Weighted) int { return cmp.Compare(x.Term, y.Term) })
	var norm float64
	for _, w := range ws {
		norm += float64(w.Weight) * float64(w.Weight)
	}
	v := Vector{Terms: make([]uint32, len(ws)), Weights: make([]float32, len(ws))}
	if norm == 0 {
		return Vector{}
	}
	inv := 1 / math.Sqrt(norm)
	for i, w := range ws {
		v.Terms[i] = w.Term
		v.Weights[i] = float32(float64(w.Weight) * inv)
	}
	return v
}

// Options tune story clustering. The zero value means the defaults.
type Options struct {
	// Threshold is the least linkage for joining a story. Default 0.3.
	Threshold float64
	// DateWindow is the time difference within which dates do not lower
	// similarity. Default 3 days.
	DateWindow time.Duration
	// DateDecay is the time constant of the decay beyond DateWindow.
	// Default 4 days.
	DateDecay time.Duration
	// UnknownDate is the date factor when a date is missing. Default 0.85.
	UnknownDate float64
	// MaxPosting: posting lists longer than this are skipped. Default 1500.
	MaxPosting int
	// QueryTerms is how many of an article's heaviest terms are looked up
	// to find similar articles. Default 16.
	QueryTerms int
	// Candidates is how many most similar articles are considered.
	// Default 30.
	Candidates int
}

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = 0.3
	}
	if o.DateWindow == 0 {
		o.DateWindow = 72 * time.Hour
	}
	if o.DateDecay == 0 {
		o.DateDecay = 96 * time.Hour
	}
	if o.UnknownDate == 0 {
		o.UnknownDate = 0.85
	}
	if o.MaxPosting == 0 {
		o.MaxPosting = 1500
	}
	if o.QueryTerms == 0 {
		o.QueryTerms = 16
	}
	if o.Candidates == 0 {
		o.Candidates = 30
	}
	return o
}

// DateFactor scales event similarity by the distance of two publication
// dates (zero means unknown).
func (o Options) DateFactor(a, b time.Time) float64 {
	if o.DateWindow == 0 || o.DateDecay == 0 || o.UnknownDate == 0 {
		o = o.withDefaults()
	}
	if a.IsZero() || b.IsZero() {
		return o.UnknownDate
	}
	d := a.Sub(b)
	if d < 0 {
		d = -d
	}
	if d <= o.DateWindow {
		return 1
	}
	if d > o.DateWindow+20*o.DateDecay {
		return 0 // e^-20: nothing left to compare
	}
	return math.Exp(-float64(d-o.DateWindow) / float64(o.DateDecay))
}

type posting struct {
	doc    uint32
	weight float32
}

type member struct {
	vec   Vector
	date  time.Time
	unix  int64 // date as Unix seconds; 0 when unknown
	story int   // index into stories; -1 when removed
}

// Clusterer assigns articles to stories incrementally. Articles are
// identified by dense uint32 handles chosen by the caller. Not safe for
// concurrent use.
type Clusterer struct {
	opts     Options
	members  []*member // by handle; nil when absent
	postings map[uint32][]posting
	stories  []*storyState
	acc      []float32 // scratch accumulators of Similar, by handle
	touched  []uint32
	decay    []float32 // date factor per hour beyond DateWindow
}

type storyState struct {
	id    int      // stable: the creation index
	docs  []uint32 // members in order of arrival
	alias int      // -1, or the story this one was merged into
}

// New returns an empty Clusterer.
func New(opts Options) *Clusterer {
	return &Clusterer{opts: opts.withDefaults(), postings: map[uint32][]posting{}}
}

// Similar returns up to Options.Candidates articles most similar to v (with
// the date factor applied), most similar first, ties by handle. Only v's
// QueryTerms heaviest terms are looked up, and posting lists longer than
// MaxPosting are skipped.
func (c *Clusterer) Similar(v Vector, date time.Time) []Scored {
	q := queryTerms(v, c.opts.QueryTerms)
	at := unixOf(date)
	c.touched = c.touched[:0]
	for _, i := range q {
		p := c.postings[v.Terms[i]]
		if len(p) > c.opts.MaxPosting {
			continue
		}
		w := v.Weights[i]
		for _, e := range p {
			if int(e.doc) >= len(c.acc) {
				c.acc = slices.Grow(c.acc, int(e.doc)+1-len(c.acc))[:int(e.doc)+1]
			}
			if c.acc[e.doc] == 0 {
				c.touched = append(c.touched, e.doc)
			}
			c.acc[e.doc] += w * e.weight
		}
	}
	out := make([]Scored, 0, len(c.touched))
	for _, d := range c.touched {
		s := float64(c.acc[d])
		c.acc[d] = 0
		m := c.member(d)
		if m == nil {
			continue
		}
		out = append(out, Scored{Doc: d, Sim: s * c.dateFactor(at, m.unix)})
	}
	less := func(x, y Scored) int {
		if c := cmp.Compare(y.Sim, x.Sim); c != 0 {
			return c
		}
		return cmp.Compare(x.Doc, y.Doc)
	}
	// The partial scores (query terms only) pick a shortlist; the exact
	// cosine over whole vectors ranks it.
	if short := 2 * c.opts.Candidates; len(out) > short {
		out = selectTop(out, short, less)
	}
	for i := range out {
		m := c.member(out[i].Doc)
		out[i].Sim = Cosine(v, m.vec) * c.dateFactor(at, m.unix)
	}
	if len(out) > c.opts.Candidates {
		out = selectTop(out, c.opts.Candidates, less)
	}
	slices.SortFunc(out, less)
	return out
}

// queryTerms returns the indexes of v's k heaviest terms.
func queryTerms(v Vector, k int) []int {
	idx := make([]int, len(v.Terms))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) <= k {
		return idx
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(v.Weights[b], v.Weights[a]); c != 0 {
			return c
		}
		return cmp.Compare(v.Terms[a], v.Terms[b])
	})
	return idx[:k]
}

// selectTop moves the k best items (by less) to the front and returns them,
// in no particular order, in expected linear time (quickselect with a
// deterministic pivot).
func selectTop(xs []Scored, k int, less func(x, y Scored) int) []Scored {
	lo, hi := 0, len(xs)
	for hi-lo > 1 {
		p := xs[lo+(hi-lo)/2]
		// Three-way partition around p.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch c := less(xs[i], p); {
			case c < 0:
				xs[lt], xs[i] = xs[i], xs[lt]
				lt++
				i++
			case c > 0:
				gt--
				xs[i], xs[gt] = xs[gt], xs[i]
			default:
				i++
			}
		}
		switch {
		case k <= lt:
			hi = lt
		case k <= gt:
			return xs[:k]
		default:
			lo = gt
		}
	}
	return xs[:k]
}

func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if u := t.Unix(); u != 0 {
		return u
	}
	return 1 // 1970-01-01T00:00:00Z itself, kept apart from "unknown"
}

// dateFactor is Options.DateFactor on Unix seconds (0 = unknown), with the
// decay tabulated per hour: it runs once per candidate article.
func (c *Clusterer) dateFactor(a, b int64) float64 {
	if a == 0 || b == 0 {
		return c.opts.UnknownDate
	}
	d := a - b
	if d < 0 {
		d = -d
	}
	over := d - int64(c.opts.DateWindow/time.Second)
	if over <= 0 {
		return 1
	}
	if c.decay == nil {
		n := int(20 * c.opts.DateDecay / time.Hour)
		c.decay = make([]float32, n+1)
		for h := range c.decay {
			c.decay[h] = float32(math.Exp(-float64(time.Duration(h)*time.Hour) / float64(c.opts.DateDecay)))
		}
	}
	h := over / 3600
	if h >= int64(len(c.decay)) {
		return 0
	}
	return float64(c.decay[h])
}

// Scored is an article handle with a similarity.
type Scored struct {
	Doc uint32
	Sim float64
}

// Add assigns article doc (vector v, publication date or zero) to a story
// and returns the story's id. linked are articles doc is known to reuse text
// from (its copies or sources); their stories are joined and merged.
func (c *Clusterer) Add(doc uint32, v Vector, date time.Time, linked []uint32) int {
	if c.member(doc) != nil {
		c.Remove(doc)
	}
	// Stories reached by reuse links.
	var forced []int
	for _, l := range linked {
		if m := c.member(l); m != nil && m.story >= 0 {
			forced = append(forced, c.resolve(m.story))
		}
	}
	slices.Sort(forced)
	forced = slices.Compact(forced)
	target := -1
	if len(forced) > 0 {
		target = forced[0]
		for _, s := range forced[1:] {
			c.merge(target, s)
		}
	} else {
		target = c.best(v, date)
	}
	if target < 0 {
		target = len(c.stories)
		c.stories = append(c.stories, &storyState{id: target, alias: -1})
	}
	st := c.stories[target]
	st.docs = append(st.docs, doc)
	if int(doc) >= len(c.members) {
		c.members = slices.Grow(c.members, int(doc)+1-len(c.members))[:int(doc)+1]
	}
	c.members[doc] = &member{vec: v, date: date, unix: unixOf(date), story: target}
	for i, t := range v.Terms {
		c.postings[t] = append(c.postings[t], posting{doc: doc, weight: v.Weights[i]})
	}
	return target
}

// best returns the story with the highest linkage ≥ Threshold, or -1.
func (c *Clusterer) best(v Vector, date time.Time) int {
	sims := c.Similar(v, date)
	byStory := map[int][]float64{}
	var order []int
	for _, s := range sims {
		st := c.resolve(c.member(s.Doc).story)
		if _, ok := byStory[st]; !ok {
			order = append(order, st)
		}
		byStory[st] = append(byStory[st], s.Sim) // already in descending order
	}
	best, bestLink := -1, 0.0
	for _, st := range order {
		ss := byStory[st]
		k := min(3, c.size(st))
		var sum float64
		for i := 0; i < k && i < len(ss); i++ {
			sum += ss[i]
		}
		link := sum / float64(k)
		if link >= c.opts.Threshold && (link > bestLink || (link == bestLink && st < best)) {
			best, bestLink = st, link
		}
	}
	return best
}

func (c *Clusterer) size(st int) int {
	return len(c.stories[st].docs)
}

// resolve follows merges to the live story.
func (c *Clusterer) resolve(st int) int {
	for c.stories[st].alias >= 0 {
		st = c.stories[st].alias
	}
	return st
}

// merge moves story src into dst.
func (c *Clusterer) merge(dst, src int) {
	if dst == src {
		return
	}
	s, d := c.stories[src], c.stories[dst]
	for _, doc := range s.docs {
		if m := c.member(doc); m != nil && m.story == src {
			m.story = dst
			d.docs = append(d.docs, doc)
		}
	}
	s.docs = nil
	s.alias = dst
}

func (c *Clusterer) member(doc uint32) *member {
	if int(doc) < len(c.members) {
		return c.members[doc]
	}
	return nil
}

// Remove takes an article out of its story; the story stays even if empty.
func (c *Clusterer) Remove(doc uint32) {
	m := c.member(doc)
	if m == nil {
		return
	}
	st := c.stories[c.resolve(m.story)]
	if i := slices.Index(st.docs, doc); i >= 0 {
		st.docs = slices.Delete(st.docs, i, i+1)
	}
	for _, t := range m.vec.Terms {
		p := c.postings[t]
		if i := slices.IndexFunc(p, func(e posting) bool { return e.doc == doc }); i >= 0 {
			p = slices.Delete(p, i, i+1)
		}
		if len(p) == 0 {
			delete(c.postings, t)
		} else {
			c.postings[t] = p
		}
	}
	c.members[doc] = nil
}

// Story returns the id of doc's story, or -1 when doc is unknown.
func (c *Clusterer) Story(doc uint32) int {
	m := c.member(doc)
	if m == nil {
		return -1
	}
	return c.resolve(m.story)
}

// Members returns the live members of story st in order of arrival.
func (c *Clusterer) Members(st int) []uint32 {
	if st < 0 || st >= len(c.stories) {
		return nil
	}
	st = c.resolve(st)
	return slices.Clone(c.stories[st].docs)
}
