package dedup

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/provenance"
	"github.com/wiretrace/wiretrace/story"
	"github.com/wiretrace/wiretrace/textnorm"
)

// Pass 4 turns the edges into what the engine's Report and Result say:
// copy groups are the connected components of the edges whose label means
// one source text (provenance.Groups), between articles that were not
// replaced, named "g:" + the id of their first member; the member closest to
// the source is provenance.Closest over the group's edges in the order the
// engine records them; stories replay story.Clusterer's additions in handle
// order, with the reuse links each article had when it was added. Then each
// group gets its representative by policy and each member a label relative
// to it.

// Article labels in clusters.jsonl.
const (
	LabelUnique         = "unique"         // in no copy group, reuses nothing
	LabelRepresentative = "representative" // kept for its copy group
	LabelIndirect       = "indirect"       // in the group through other members; no reuse with the representative
)

// outcome is the result of pass 4, per article and per group.
type outcome struct {
	groupOf   []int32 // group index, -1 when in none
	label     []uint8 // labelCode
	story     []int32 // resolved story index
	partialOf []int32 // the article this one partially reuses most, -1
	groups    []group
	reuse     map[wiretrace.Label]int
}

type group struct {
	first   uint32 // the first member (names the group)
	rep     uint32
	closest uint32
	size    int
}

// Label codes of outcome.label.
const (
	codeUnique uint8 = iota
	codeRepresentative
	codeDuplicate
	codeCopy
	codeRewrite
	codePartial
	codeIndirect
)

var codeNames = [...]string{LabelUnique, LabelRepresentative, string(wiretrace.Duplicate), string(wiretrace.Copy), string(wiretrace.Rewrite), string(wiretrace.Partial), LabelIndirect}

func codeOf(l wiretrace.Label) uint8 {
	switch l {
	case wiretrace.Duplicate:
		return codeDuplicate
	case wiretrace.Copy:
		return codeCopy
	case wiretrace.Rewrite:
		return codeRewrite
	case wiretrace.Partial:
		return codePartial
	}
	return codeIndirect
}

func (r *runner) groupsPass(ctx context.Context) (*outcome, error) {
	c := r.c
	n := c.n
	out := &outcome{
		groupOf: make([]int32, n), label: make([]uint8, n), story: make([]int32, n),
		partialOf: make([]int32, n), reuse: map[wiretrace.Label]int{},
	}
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
		out.partialOf[i] = -1
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	inGroup := make([]bool, n)
	partialCov := make([]float64, n)
	st, err := r.newStories()
	if err != nil {
		return nil, err
	}
	defer st.close()

	// Scan 1: components, partial reuse, stories.
	er := r.edges()
	defer er.close()
	var e edge
	have := er.next(&e)
	var linked []uint32
	for d := range uint32(n) {
		linked = linked[:0]
		for ; have && e.b == d; have = er.next(&e) {
			if e.label.SameText() {
				linked = append(linked, e.a)
			}
			if !c.alive(e.a) || !c.alive(e.b) {
				continue
			}
			out.reuse[e.label]++
			if e.label.SameText() {
				inGroup[e.a], inGroup[e.b] = true, true
				ra, rb := find(int32(e.a)), find(int32(e.b))
				if ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			} else if e.label == wiretrace.Partial {
				cp, src, cov := e.a, e.b, e.covA
				if e.bCopy {
					cp, src, cov = e.b, e.a, e.covB
				}
				if out.partialOf[cp] < 0 || cov > partialCov[cp] || (cov == partialCov[cp] && int32(src) < out.partialOf[cp]) {
					out.partialOf[cp], partialCov[cp] = int32(src), cov
				}
			}
		}
		if have && e.b < d {
			return nil, fmt.Errorf("%w: edges out of order at article %d", ErrCorrupt, e.b)
		}
		if err := st.add(d, linked); err != nil {
			return nil, err
		}
		if d&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if er.err != nil {
		return nil, er.err
	}
	st.resolve(out.story)

	// Groups, ordered by first member.
	for h := range n {
		out.groupOf[h] = -1
		if !inGroup[h] {
			continue
		}
		root := find(int32(h))
		if root == int32(h) {
			out.groupOf[h] = int32(len(out.groups))
			out.groups = append(out.groups, group{first: uint32(h)})
		} else {
			out.groupOf[h] = out.groupOf[root]
		}
		out.groups[out.groupOf[h]].size++
	}
	parent = nil

	// Scan 2: the edges inside each group, in engine order.
	type gEdge struct {
		g int32
		e provenance.Edge
	}
	var ges []gEdge
	er2 := r.edges()
	defer er2.close()
	for er2.next(&e) {
		ga := out.groupOf[e.a]
		if ga < 0 || ga != out.groupOf[e.b] || !c.alive(e.a) || !c.alive(e.b) {
			continue
		}
		ges = append(ges, gEdge{ga, provenance.Edge{A: int(e.a), B: int(e.b), Label: e.label, Coverage: [2]float64{e.covA, e.covB}, Sim: e.sim}})
	}
	if er2.err != nil {
		return nil, er2.err
	}
	slices.SortStableFunc(ges, func(x, y gEdge) int { return cmp.Compare(x.g, y.g) })

	// Members per group, ascending.
	start := make([]int, len(out.groups)+1)
	for _, g := range out.groupOf {
		if g >= 0 {
			start[g+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	members := make([]int, start[len(out.groups)])
	pos := slices.Clone(start)
	for h, g := range out.groupOf {
		if g >= 0 {
			members[pos[g]] = h
			pos[g]++
		}
	}

	dates := func(x int) time.Time { return c.published(uint32(x)) }
	var relabel [][2]uint32 // member, representative
	k := 0
	for gi := range out.groups {
		g := &out.groups[gi]
		ms := members[start[gi]:start[gi+1]]
		k0 := k
		for k < len(ges) && ges[k].g == int32(gi) {
			k++
		}
		es := make([]provenance.Edge, k-k0)
		for i := range es {
			es[i] = ges[k0+i].e
		}
		g.closest = uint32(provenance.Closest(ms, es, dates))
		g.rep = r.representative(g, ms)
		out.label[g.rep] = codeRepresentative
		direct := map[int]wiretrace.Label{}
		for _, ed := range es {
			switch int(g.rep) {
			case ed.A:
				direct[ed.B] = ed.Label
			case ed.B:
				direct[ed.A] = ed.Label
			}
		}
		for _, m := range ms {
			if m == int(g.rep) {
				continue
			}
			if l, ok := direct[m]; ok {
				out.label[m] = codeOf(l)
			} else {
				relabel = append(relabel, [2]uint32{uint32(m), g.rep})
			}
		}
	}
	ges = nil
	for h := range n {
		if out.groupOf[h] < 0 && out.partialOf[h] >= 0 {
			out.label[h] = codePartial
		}
	}
	if err := r.relabel(ctx, relabel, out.label); err != nil {
		return nil, err
	}
	r.progress(Progress{Pass: PassGroups, Done: 1, Total: 1, Unit: "steps"})
	return out, nil
}

// representative picks a group's kept member by policy.
func (r *runner) representative(g *group, ms []int) uint32 {
	c := r.c
	switch r.opts.Policy {
	case Earliest:
		best := ms[0]
		for _, m := range ms[1:] {
			bd, md := c.published(uint32(best)), c.published(uint32(m))
			if !md.IsZero() && (bd.IsZero() || md.Before(bd)) {
				best = m
			}
		}
		return uint32(best)
	case Longest:
		best := ms[0]
		for _, m := range ms[1:] {
			if c.words[m] > c.words[best] {
				best = m
			}
		}
		return uint32(best)
	}
	return g.closest
}

// relabel aligns members that have no edge with their representative,
// with engine.Judge, on the workers.
func (r *runner) relabel(ctx context.Context, pairs [][2]uint32, label []uint8) error {
	if len(pairs) == 0 {
		return nil
	}
	o := &r.opts.Engine
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	ch := make(chan int)
	for range r.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := range ch {
				m, rep := pairs[i][0], pairs[i][1]
				a, b := min(m, rep), max(m, rep)
				pa, nb, err := r.c.prepared(a, buf)
				buf = nb
				var pb *engine.Prepared
				if err == nil {
					pb, buf, err = r.c.prepared(b, buf)
				}
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					continue
				}
				code := codeIndirect
				if j, ok := engine.Judge(o, pa, int(a), pb, int(b)); ok {
					code = codeOf(j.Label)
				}
				label[m] = code // distinct m per pair: no race
			}
		}()
	}
	for i := range pairs {
		if ctx.Err() != nil {
			break
		}
		ch <- i
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// storyBytesPerArticle estimates what story.Clusterer holds per article
// (vector, postings, member record) at the default 48 story terms.
const storyBytesPerArticle = 1100

// stories replays the engine's story assignment in handle order.
type stories struct {
	r     *runner
	level engine.Level
	// Below LevelStories the engine adds empty vectors: an article joins
	// (and merges) the stories of the articles it shares a text with, or
	// starts one. A union-find over story numbers (merges go to the
	// lowest, as story.Clusterer merges them) reproduces that in 8 bytes
	// per article.
	storyOf []int32
	alias   []int32
	// At LevelStories, the engine's own clusterer over event vectors.
	cl    *story.Clusterer
	df    map[uint32]uint32
	live  int
	feats *featScanner
	terms []story.Weighted
	buf   []byte
}

func (r *runner) newStories() (*stories, error) {
	s := &stories{r: r, level: r.opts.Engine.Level}
	if s.level < engine.LevelStories {
		s.storyOf = make([]int32, r.c.n)
		return s, nil
	}
	if need := int64(r.c.n) * storyBytesPerArticle; need > r.opts.MemBytes/2 {
		r.log.Warn("the stories level keeps the story clusterer in memory, about 1 KB per article: this run may exceed its memory budget",
			"articles", r.c.n, "estimate_bytes", need, "mem", r.opts.MemBytes)
	}
	s.cl = story.New(r.opts.Engine.Story)
	s.df = map[uint32]uint32{}
	s.feats = r.newFeatScanner()
	return s, nil
}

func (s *stories) close() {
	if s.feats != nil {
		s.feats.close()
	}
}

func (s *stories) find(x int32) int32 {
	for s.alias[x] != x {
		s.alias[x] = s.alias[s.alias[x]]
		x = s.alias[x]
	}
	return x
}

// add assigns article d, linked to the earlier articles it shares a text
// with (as the engine saw them when d was added).
func (s *stories) add(d uint32, linked []uint32) error {
	if s.cl != nil {
		return s.addVector(d, linked)
	}
	var target int32 = -1
	for _, a := range linked {
		st := s.find(s.storyOf[a])
		if target < 0 || st < target {
			target = st
		}
	}
	if target < 0 {
		target = int32(len(s.alias))
		s.alias = append(s.alias, target)
	}
	for _, a := range linked {
		if st := s.find(s.storyOf[a]); st != target {
			s.alias[st] = target
		}
	}
	s.storyOf[d] = target
	return nil
}

func (s *stories) addVector(d uint32, linked []uint32) error {
	c := s.r.c
	// The article d replaces (same id) leaves first, as in engine.Add.
	for _, x := range s.r.replacedBy(d) {
		b, err := c.features(x, s.buf)
		if err != nil {
			return err
		}
		s.buf = b
		ts, err := decodeTerms(b, nil)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if s.df[t.Term] <= 1 {
				delete(s.df, t.Term)
			} else {
				s.df[t.Term]--
			}
		}
		s.cl.Remove(x)
		s.live--
	}
	b, err := s.feats.next(d)
	if err != nil {
		return err
	}
	s.terms, err = decodeTerms(b, s.terms)
	if err != nil {
		return err
	}
	s.live++
	for _, t := range s.terms {
		s.df[t.Term]++
	}
	ws := make([]story.Weighted, len(s.terms))
	for i, t := range s.terms {
		idf := textnorm.IDF(t.Term, s.live, int(s.df[t.Term]))
		ws[i] = story.Weighted{Term: t.Term, Weight: t.Weight * idf}
	}
	s.cl.Add(d, story.NewVector(ws, s.r.opts.Engine.StoryTerms), c.published(d), linked)
	return nil
}

// resolve writes every article's final story number.
func (s *stories) resolve(out []int32) {
	if s.cl != nil {
		for h := range out {
			out[h] = int32(s.cl.Story(uint32(h)))
		}
		return
	}
	for h := range out {
		out[h] = s.find(s.storyOf[h])
	}
}

// replacedBy returns the articles that article d replaces (at most one).
func (r *runner) replacedBy(d uint32) []uint32 {
	if len(r.c.death) == 0 {
		return nil
	}
	if r.replaced == nil {
		r.replaced = make(map[uint32]uint32, len(r.c.death))
		for h, k := range r.c.death {
			r.replaced[k] = h
		}
	}
	if h, ok := r.replaced[d]; ok {
		return []uint32{h}
	}
	return nil
}

// featScanner reads features records in handle order, segment by segment.
type featScanner struct {
	r   *runner
	seg int
	f   *os.File
	br  *bufio.Reader
	off int64
	buf []byte
}

func (r *runner) newFeatScanner() *featScanner { return &featScanner{r: r, seg: -1} }

func (fs *featScanner) next(h uint32) ([]byte, error) {
	c := fs.r.c
	seg := c.seg(h)
	if seg != fs.seg {
		fs.close()
		fs.seg = seg
		fs.f = c.featFiles[seg]
		fs.br = bufio.NewReaderSize(io.NewSectionReader(fs.f, 0, 1<<62), 1<<20)
		fs.off = 0
	}
	want := int64(c.featOff[h])
	if want < fs.off {
		return nil, fmt.Errorf("%w: features out of order at article %d", ErrCorrupt, h)
	}
	if _, err := fs.br.Discard(int(want - fs.off)); err != nil {
		return nil, fmt.Errorf("read %s: %w", fs.f.Name(), err)
	}
	n := int(c.featLen[h])
	if cap(fs.buf) < n {
		fs.buf = make([]byte, n)
	}
	fs.buf = fs.buf[:n]
	if _, err := io.ReadFull(fs.br, fs.buf); err != nil {
		return nil, fmt.Errorf("read %s: %w", fs.f.Name(), err)
	}
	fs.off = want + int64(n)
	return fs.buf, nil
}

// close forgets the current segment (its file belongs to the corpus).
func (fs *featScanner) close() { fs.f, fs.br = nil, nil }
