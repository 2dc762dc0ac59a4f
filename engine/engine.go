// Package engine is wiretrace's one engine: Add an article and it finds the
// articles it reuses text from or shares it with (document-level MinHash for
// near-duplicates, a sentence index for reworded and partial reuse), aligns
// each candidate pair sentence by sentence, labels the derivation, and
// assigns the article to a story. analyze, serve and dedup all drive this
// package.
//
// Results are deterministic: the same articles added in the same order give
// the same matches, copy groups and stories. Adding never re-clusters what
// was added before.
//
// An Engine is safe for concurrent use; Add serialises index updates.
package engine

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/lsh"
	"github.com/wiretrace/wiretrace/provenance"
	"github.com/wiretrace/wiretrace/story"
	"github.com/wiretrace/wiretrace/textnorm"
)

// Engine holds the live index of articles.
type Engine struct {
	opts Options

	mu      sync.RWMutex
	docs    []*entry // by handle; nil once removed
	byID    map[string]uint32
	docLSH  *lsh.Index
	sentLSH *lsh.Index // values: offsets of records in feats
	feats   feats
	stories *story.Clusterer
	df      map[uint32]uint32 // live document frequency of content terms
	live    int

	aligned atomic.Int64 // candidate pairs aligned
	edges   atomic.Int64 // pairs that showed reuse
}

// Stats are running counters of an Engine's work.
type Stats struct {
	Articles int   `json:"articles"` // indexed now
	Aligned  int64 `json:"aligned"`  // candidate pairs aligned so far
	Reuse    int64 `json:"reuse"`    // of which showed reuse
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	return Stats{Articles: e.Len(), Aligned: e.aligned.Load(), Reuse: e.edges.Load()}
}

// entry is one indexed article.
type entry struct {
	p       *Prepared
	order   int    // handle, also the insertion order
	feat    uint64 // offset of its first sentence record in feats
	story   int
	edges   []*pairEdge
	same    []uint32 // the other ends of its same-text edges (copy group links), as handles
	removed bool
}

// pairEdge is a derivation between two entries, shared by both.
type pairEdge struct {
	a, b   uint32 // a was indexed before b
	result align.Result
	label  wiretrace.Label
	bCopy  bool   // b is the copy, a the source
	reason string // why that direction
}

func (e *pairEdge) other(h uint32) uint32 {
	if e.a == h {
		return e.b
	}
	return e.a
}

// New returns an empty Engine.
func New(opts Options) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	docLSH, err := lsh.New(o.docBands, o.docRows)
	if err != nil {
		return nil, err
	}
	sentLSH, err := lsh.New(o.SentenceBands, o.SentenceRows)
	if err != nil {
		return nil, err
	}
	docLSH.MaxBucket, sentLSH.MaxBucket = o.MaxBucket, o.MaxSentenceBucket
	return &Engine{
		opts:    o,
		byID:    map[string]uint32{},
		docLSH:  docLSH,
		sentLSH: sentLSH,
		stories: story.New(o.Story),
		df:      map[uint32]uint32{},
	}, nil
}

// Options returns the engine's options with defaults filled in.
func (e *Engine) Options() Options { return e.opts }

// NewPreparer returns a Preparer with this engine's options.
func (e *Engine) NewPreparer() *Preparer { return NewPreparer(e.opts) }

// Match is one derivation seen from one article.
type Match struct {
	ID    string          `json:"id"`    // the other article
	Label wiretrace.Label `json:"label"` // duplicate, copy, rewrite, partial
	// Role is the other article's role: "source" when this article copies
	// it, "copy" when it copies this article.
	Role string `json:"role"`
	// Coverage is the share of this article's words aligned to the other;
	// OtherCoverage the share of the other's.
	Coverage      float64 `json:"coverage"`
	OtherCoverage float64 `json:"other_coverage"`
	Aligned       int     `json:"aligned_sentences"`
	Similarity    float64 `json:"similarity"`
	Reason        string  `json:"direction_reason"`
}

// Result is what Add answers for one article.
type Result struct {
	ID        string  `json:"id"`
	Story     string  `json:"story"`
	CopyGroup string  `json:"copy_group,omitempty"`
	Matches   []Match `json:"matches"`
	Replaced  bool    `json:"replaced,omitempty"` // an article with this id was indexed before
}

// Add indexes a prepared article and returns its matches, copy group and
// story. An article whose id is already indexed replaces the old one.
//
// Add is Commit(Match(p)): matching (candidate lookup and alignment, the
// expensive part) runs under a read lock, so concurrent Adds overlap; the
// commit takes the write lock. Sequential callers get exactly the same
// result as if Add were one critical section; concurrent callers get the
// result of a sequential Add in the order their commits took the lock.
func (e *Engine) Add(p *Prepared) *Result {
	return e.Commit(e.Match(p))
}

// Pending is an article matched against the index but not added yet: the
// first half of Add, made by Match and finished by Commit.
type Pending struct {
	p     *Prepared
	seen  uint32 // the articles matched: handles below seen
	feat  uint64 // and their sentence records: offsets below feat
	cross uint64 // the LSH indexes' Crossings when matched
	// cands are p's candidates among handles < seen that pass the hit bar,
	// best first; judged holds the verdicts reached so far (nil: no reuse).
	cands  []cand
	judged map[uint32]*pairEdge
}

// cand is a candidate article and its hit count (sentence hits, plus 1<<20
// for a document-level collision).
type cand struct {
	h    uint32
	hits int
}

// Match finds p's candidates among the articles indexed now, under the
// read lock, and aligns them after releasing it: any number of Matches
// run in parallel with each other, with queries and with the matching of
// Add. Commit adds the article. Match does not change the index.
func (e *Engine) Match(p *Prepared) *Pending {
	e.mu.RLock()
	m := &Pending{p: p, seen: uint32(len(e.docs)), feat: e.feats.next(), cross: e.crossings()}
	m.cands = e.candidatesLocked(p, 0, 0)
	sortCands(m.cands)
	top := m.cands[:min(len(m.cands), e.opts.MaxCandidates)]
	// An entry's article and order never change once it is added (a
	// removal only clears its slot in e.docs): Judge reads them without
	// the lock.
	ens := make([]*entry, len(top))
	for i, c := range top {
		ens[i] = e.docs[c.h]
	}
	e.mu.RUnlock()
	m.judged = make(map[uint32]*pairEdge, len(top))
	for i, c := range top {
		if ens[i].p.Article.ID != p.Article.ID { // replaced on commit, not aligned
			m.judged[c.h] = e.judge(p, c.h, ens[i], int(m.seen))
		}
	}
	return m
}

// Commit adds a matched article to the index and returns its result. The
// result is the one a sequential Add would give at this point: the
// articles added since Match are matched now (in the cost of their own
// entries: index buckets are read from the first of them on), the ones
// removed meanwhile dropped, and the cap on candidates (MaxCandidates) is
// applied once to all of them together. Articles are indexed in the order
// of their Commits; a Pending is committed once.
func (e *Engine) Commit(m *Pending) *Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.commitPendingLocked(m)
}

// CommitAll commits ms in order, under one hold of the write lock: the
// results of as many Commits, for the cost of taking the lock once (each
// take waits for the Matches and queries in flight to finish, and stops
// new ones meanwhile). after, when not nil, is called after each commit,
// still under the lock, with a StoryOf that answers as of that commit
// (the Engine's own methods cannot be called there).
func (e *Engine) CommitAll(ms []*Pending, after func(i int, r *Result, storyOf func(id string) (string, bool))) []*Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	rs := make([]*Result, len(ms))
	for i, m := range ms {
		rs[i] = e.commitPendingLocked(m)
		if after != nil {
			after(i, rs[i], e.storyOfLocked)
		}
	}
	return rs
}

func (e *Engine) commitPendingLocked(m *Pending) *Result {
	p := m.p
	cands := m.cands
	if e.crossings() != m.cross {
		// A bucket crossed MaxBucket since Match: a query now may skip
		// other buckets, so the earlier hit counts may be stale. Rare;
		// count again.
		cands = e.candidatesLocked(p, 0, 0)
	} else if uint32(len(e.docs)) > m.seen {
		cands = append(slices.Clip(cands), e.candidatesLocked(p, m.seen, m.feat)...)
	}
	// Articles removed meanwhile are no candidates.
	cands = slices.DeleteFunc(cands, func(c cand) bool { return e.docs[c.h] == nil })
	sortCands(cands)
	cands = cands[:min(len(cands), e.opts.MaxCandidates)]
	// The article p replaces (same id) is matched like the others — its
	// entries count in the buckets' sizes, it keeps its place among the
	// candidates — and then dropped without alignment (dedup replays this
	// rule).
	old, replaced := e.byID[p.Article.ID]
	var edges []*pairEdge
	aligned := 0
	for _, c := range cands {
		if replaced && c.h == old {
			continue
		}
		aligned++
		ed, ok := m.judged[c.h]
		if !ok {
			ed = e.judgeLocked(p, c.h)
		}
		if ed != nil {
			edges = append(edges, ed)
		}
	}
	if replaced {
		e.removeLocked(old)
	}
	e.aligned.Add(int64(aligned))
	e.edges.Add(int64(len(edges)))
	h := e.commitLocked(p, edges)
	r := e.resultLocked(h)
	r.Replaced = replaced
	return r
}

// Prepared returns the article being added.
func (m *Pending) Prepared() *Prepared { return m.p }

// crossings sums the LSH indexes' Crossings.
func (e *Engine) crossings() uint64 {
	return e.docLSH.Crossings() + e.sentLSH.Crossings()
}

// sortCands orders candidates best first: most hits, then earliest added.
func sortCands(cs []cand) {
	slices.SortFunc(cs, func(x, y cand) int {
		if c := cmp.Compare(y.hits, x.hits); c != 0 {
			return c
		}
		return cmp.Compare(x.h, y.h)
	})
}

// matchLocked finds and aligns the candidates of p among all indexed
// articles (at most MaxCandidates), without counting them in the Stats.
// The caller holds e.mu (read or write).
func (e *Engine) matchLocked(p *Prepared) []*pairEdge {
	cands := e.candidatesLocked(p, 0, 0)
	sortCands(cands)
	var edges []*pairEdge
	for _, c := range cands[:min(len(cands), e.opts.MaxCandidates)] {
		if ed := e.judgeLocked(p, c.h); ed != nil {
			edges = append(edges, ed)
		}
	}
	return edges
}

// judgeLocked aligns p (to be added next) with indexed article h: the
// derivation, or nil when the pair shows no reuse. Judge reads only the
// order of the two insertion positions, so the verdict holds wherever p
// ends up after h.
func (e *Engine) judgeLocked(p *Prepared, h uint32) *pairEdge {
	return e.judge(p, h, e.docs[h], len(e.docs))
}

// judge aligns p (to be added at position next) with d, the entry of
// handle h.
func (e *Engine) judge(p *Prepared, h uint32, d *entry, next int) *pairEdge {
	j, ok := Judge(&e.opts, d.p, d.order, p, next)
	if !ok {
		return nil
	}
	return &pairEdge{a: h, result: j.Result, label: j.Label, bCopy: j.BIsCopy, reason: j.Reason}
}

// candidatesLocked returns, unordered, the articles with handles ≥ from
// that pass p's hit bar, with their hit counts; feat is the offset of the
// first sentence record of handle from (feats.next() when from was the
// next handle). The caller holds e.mu.
func (e *Engine) candidatesLocked(p *Prepared, from uint32, feat uint64) []cand {
	o := &e.opts
	hits := make(map[uint32]int, 64)
	if o.Level >= LevelReuse {
		e.sentenceHits(p, feat, hits)
	}
	// Document-level near-duplicate candidates always pass the hit bar.
	e.docLSH.QueryFrom(p.DocKeys, uint64(from), func(v uint64) bool {
		h := uint32(v)
		if hits[h] < 1<<20 {
			hits[h] += 1 << 20
		}
		return true
	})
	var cands []cand
	myIndexed := p.indexed
	for h, n := range hits {
		d := e.docs[h]
		if d == nil {
			continue
		}
		if n >= o.NeedHits(myIndexed, d.p.indexed, SharedCredit(p, d.p)) {
			cands = append(cands, cand{h, n})
		}
	}
	return cands
}

// Judgement is the verdict on one candidate pair.
type Judgement struct {
	Result  align.Result    // the sentence alignment (A = the earlier article)
	Label   wiretrace.Label // duplicate, copy, rewrite or partial
	BIsCopy bool            // the later article copies the earlier one
	Reason  string          // why that direction
}

// Judge aligns a candidate pair (a added before b; aOrder and bOrder are
// their insertion positions) and labels it. It reports false when the pair
// shows no reuse at the options' level. Every front door (analyze, serve,
// dedup) judges pairs with this one function.
func Judge(o *Options, a *Prepared, aOrder int, b *Prepared, bOrder int) (Judgement, bool) {
	var r align.Result
	var label wiretrace.Label
	if a.DocumentOnly() || b.DocumentOnly() {
		r = compareDocuments(a, b)
		label = provenance.DocumentLabel(r.CoverageA, r.CoverageB, o.Provenance)
	} else {
		r = align.Pair(&a.Doc, &b.Doc, o.Align)
		label = provenance.Label(&r, o.Provenance)
	}
	if label == "" {
		return Judgement{}, false
	}
	if o.Level == LevelNearDup && label != wiretrace.Duplicate && label != wiretrace.Copy {
		return Judgement{}, false
	}
	aCopy, reason := provenance.Direction(side(a, aOrder), side(b, bOrder), &r)
	return Judgement{Result: r, Label: label, BIsCopy: !aCopy, Reason: reason}, true
}

// compareDocuments estimates how much of each of two documents lies in
// the other from their MinHash signatures: the share of equal bins
// estimates the Jaccard similarity J of their shingle sets, and the
// intersection is J·(|A|+|B|)/(1+J). Identical word sequences cover each
// other fully. Only Sim and the coverages are set: there are no sentence
// links. Both must carry signatures (DocumentOnly); a pair where one does
// not shows nothing.
func compareDocuments(a, b *Prepared) align.Result {
	if len(a.Sig) == 0 || len(a.Sig) != len(b.Sig) || a.Shingles == 0 || b.Shingles == 0 {
		return align.Result{}
	}
	if a.Exact == b.Exact && a.Doc.Words == b.Doc.Words {
		return align.Result{CoverageA: 1, CoverageB: 1, Sim: 1}
	}
	same := 0
	for i, v := range a.Sig {
		if b.Sig[i] == v {
			same++
		}
	}
	j := float64(same) / float64(len(a.Sig))
	inter := j * float64(a.Shingles+b.Shingles) / (1 + j)
	return align.Result{
		CoverageA: min(1, inter/float64(a.Shingles)),
		CoverageB: min(1, inter/float64(b.Shingles)),
		Sim:       j,
	}
}

// NeedHits is the number of sentence hits a candidate needs before it is
// aligned, given how many indexed sentences each article has and whether
// both credit the same wire agency (an article credited to AP is a
// candidate copy of AP text: one similar sentence is enough to look).
func (o *Options) NeedHits(aIndexed, bIndexed int, sharedCredit bool) int {
	if aIndexed <= 2 || bIndexed <= 2 || sharedCredit {
		return 1
	}
	return o.MinSentenceHits
}

// SharedCredit reports whether two articles credit a common wire agency.
func SharedCredit(a, b *Prepared) bool {
	for _, x := range a.Article.Credits {
		for _, y := range b.Article.Credits {
			if x == y {
				return true
			}
		}
	}
	return false
}

// Indexed returns the number of the article's sentences in the sentence
// index.
func (p *Prepared) Indexed() int { return p.indexed }

// sentenceHits counts, per indexed article, how many of p's sentences share
// a sentence-index bucket with one of its sentences that is also similar
// enough to be worth aligning (weighted Dice ≥ Options.VerifySim). The
// check is one short merge per collision and removes most chance
// collisions before the full alignment runs.
//
// Only sentence records at offsets ≥ from are counted. The check reads the
// colliding sentence's record (feats), not its article.
func (e *Engine) sentenceHits(p *Prepared, from uint64, hits map[uint32]int) {
	verify := e.opts.VerifySim
	seen := map[uint32]bool{}
	p.sentenceKeys(e.opts.SentenceBands, func(i int, keys []uint64) {
		clear(seen)
		e.sentLSH.QueryFrom(keys, from, func(v uint64) bool {
			r := e.feats.record(v)
			h := r[0]
			if seen[h] || e.docs[h] == nil {
				return true
			}
			if recordAtLeast(&p.Doc, i, r, verify) {
				seen[h] = true
				hits[h]++
			}
			return true
		})
	})
}

// sentenceRefs calls fn with each indexed sentence of the article at
// handle h, its band keys and the offset of its record in feats, given the
// offset of its first record.
func (e *Engine) sentenceRefs(p *Prepared, off uint64, fn func(i int, keys []uint64, ref uint64)) {
	p.sentenceKeys(e.opts.SentenceBands, func(i int, keys []uint64) {
		size := recordSize(int(p.Doc.Sentences[i].NTerms))
		off = place(off, size)
		fn(i, keys, off)
		off += uint64(size)
	})
}

func side(p *Prepared, order int) provenance.Side {
	return provenance.Side{Published: p.Article.Published, Words: p.Doc.Words, Order: order}
}

// commitLocked inserts p into the indexes with its edges and story.
func (e *Engine) commitLocked(p *Prepared, edges []*pairEdge) uint32 {
	h := uint32(len(e.docs))
	en := &entry{p: p, order: int(h), feat: e.feats.next()}
	e.docs = append(e.docs, en)
	e.byID[p.Article.ID] = h
	e.live++
	e.docLSH.Insert(p.DocKeys, uint64(h))
	if e.opts.Level >= LevelReuse {
		p.sentenceKeys(e.opts.SentenceBands, func(i int, keys []uint64) {
			e.sentLSH.Insert(keys, e.feats.add(h, &p.Doc, i))
		})
	}
	var linked []uint32
	for _, ed := range edges {
		ed.b = h
		en.edges = append(en.edges, ed)
		e.docs[ed.a].edges = append(e.docs[ed.a].edges, ed)
		if ed.label.SameText() {
			linked = append(linked, ed.a)
			en.same = append(en.same, ed.a)
			e.docs[ed.a].same = append(e.docs[ed.a].same, h)
		}
	}
	for _, t := range p.Terms {
		e.df[t.Term]++
	}
	if e.opts.Level >= LevelStories {
		en.story = e.stories.Add(h, e.vector(p), p.Article.Published, linked)
	} else {
		en.story = e.stories.Add(h, story.Vector{}, time.Time{}, linked)
	}
	return h
}

// vector builds p's event vector with IDF over the background corpus plus
// the articles indexed so far.
func (e *Engine) vector(p *Prepared) story.Vector {
	ws := make([]story.Weighted, len(p.Terms))
	for i, t := range p.Terms {
		idf := textnorm.IDF(t.Term, e.live, int(e.df[t.Term]))
		ws[i] = story.Weighted{Term: t.Term, Weight: t.Weight * idf}
	}
	return story.NewVector(ws, e.opts.StoryTerms)
}

// Remove deletes an article from the index. It reports whether it was
// there. Its edges go with it; the stories of other articles stay.
func (e *Engine) Remove(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	h, ok := e.byID[id]
	if !ok {
		return false
	}
	e.removeLocked(h)
	return true
}

func (e *Engine) removeLocked(h uint32) {
	en := e.docs[h]
	p := en.p
	e.docLSH.Remove(p.DocKeys, uint64(h))
	if e.opts.Level >= LevelReuse {
		e.sentenceRefs(p, en.feat, func(_ int, keys []uint64, ref uint64) {
			e.sentLSH.Remove(keys, ref)
		})
	}
	for _, ed := range en.edges {
		o := e.docs[ed.other(h)]
		if o != nil {
			o.edges = slices.DeleteFunc(o.edges, func(x *pairEdge) bool { return x == ed })
		}
	}
	for _, x := range en.same {
		if o := e.docs[x]; o != nil {
			o.same = slices.DeleteFunc(o.same, func(y uint32) bool { return y == h })
		}
	}
	for _, t := range p.Terms {
		if e.df[t.Term] <= 1 {
			delete(e.df, t.Term)
		} else {
			e.df[t.Term]--
		}
	}
	e.stories.Remove(h)
	delete(e.byID, p.Article.ID)
	e.docs[h] = nil
	e.live--
}

// Len returns the number of indexed articles.
func (e *Engine) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.live
}

// Lookup returns the result for an indexed article (its current matches,
// copy group and story), or false.
func (e *Engine) Lookup(id string) (*Result, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	h, ok := e.byID[id]
	if !ok {
		return nil, false
	}
	return e.resultLocked(h), true
}

// Article returns an indexed article, or false.
func (e *Engine) Article(id string) (*Prepared, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	h, ok := e.byID[id]
	if !ok {
		return nil, false
	}
	return e.docs[h].p, true
}

func (e *Engine) resultLocked(h uint32) *Result {
	en := e.docs[h]
	r := &Result{ID: en.p.Article.ID, Story: e.storyID(e.stories.Story(h)), Matches: []Match{}}
	for _, ed := range en.edges {
		r.Matches = append(r.Matches, e.matchFor(h, ed))
	}
	slices.SortFunc(r.Matches, func(x, y Match) int {
		if c := cmp.Compare(y.Coverage, x.Coverage); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	if g := e.groupLocked(h); len(g) > 0 {
		r.CopyGroup = groupID(e, g)
	}
	return r
}

// matchFor describes edge ed as seen from article h.
func (e *Engine) matchFor(h uint32, ed *pairEdge) Match {
	o := ed.other(h)
	m := Match{ID: e.docs[o].p.Article.ID, Label: ed.label, Similarity: round(ed.result.Sim), Reason: ed.reason}
	// result: A = ed.a's doc, B = ed.b's doc.
	covA, covB := ed.result.CoverageA, ed.result.CoverageB
	if h == ed.a {
		m.Coverage, m.OtherCoverage, m.Aligned = round(covA), round(covB), ed.result.AlignedA
		m.Role = roleOf(!ed.bCopy)
	} else {
		m.Coverage, m.OtherCoverage, m.Aligned = round(covB), round(covA), ed.result.AlignedB
		m.Role = roleOf(ed.bCopy)
	}
	return m
}

// roleOf names the other article's role given whether this one is the copy.
func roleOf(thisIsCopy bool) string {
	if thisIsCopy {
		return "source"
	}
	return "copy"
}

// groupLocked returns the copy group of h (handles in insertion order), or
// nil when h carries no shared source text.
func (e *Engine) groupLocked(h uint32) []uint32 {
	seen := map[uint32]bool{h: true}
	queue := []uint32{h}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, y := range e.docs[x].same {
			if !seen[y] {
				seen[y] = true
				queue = append(queue, y)
			}
		}
	}
	if len(seen) == 1 {
		return nil
	}
	g := make([]uint32, 0, len(seen))
	for x := range seen {
		g = append(g, x)
	}
	slices.Sort(g)
	return g
}

// groupID names a copy group after its earliest-added member.
func groupID(e *Engine, g []uint32) string { return "g:" + e.docs[g[0]].p.Article.ID }

// storyID names a story by its creation number ("s1", "s2", …); a story
// keeps its name when others merge into it.
func (e *Engine) storyID(st int) string {
	if st < 0 {
		return ""
	}
	return "s" + strconv.Itoa(st+1)
}

func round(x float64) float64 {
	return float64(int64(x*1000+0.5)) / 1000
}
