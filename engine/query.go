package engine

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/provenance"
)

// This file answers the questions a live index is asked about one article or
// one story, without building the whole Report: each costs time in the size
// of that story (or copy group), not of the index.

// StoryArticle is one member of a StoryDetail.
type StoryArticle struct {
	ArticleInfo
	// Outlet names who published it: Source, else the host of its URL, else
	// "" (unknown).
	Outlet string `json:"outlet"`
}

// StoryDetail is one story with what it takes to show it: its members, the
// copy groups among them and every derivation between two members.
type StoryDetail struct {
	ID    string `json:"id"`
	Title string `json:"title"` // the first member's title that is not empty
	// Articles are the members in the order they were added.
	Articles []StoryArticle `json:"articles"`
	// Outlets counts distinct outlets; each member whose outlet is unknown
	// counts as one.
	Outlets int `json:"outlets"`
	// First and Last are the earliest and latest publication times among
	// members, null when no member has one.
	First      *time.Time      `json:"first_published"`
	Last       *time.Time      `json:"last_published"`
	CopyGroups []CopyGroupInfo `json:"copy_groups"`
	// Reuse lists the derivations between two members, strongest label
	// first, then by coverage.
	Reuse []ReuseInfo `json:"reuse"`
}

// Outlet names who published a: its Source, else the host of its URL
// (without "www."), else "".
func Outlet(a *wiretrace.Article) string {
	if s := strings.TrimSpace(a.Source); s != "" {
		return s
	}
	if a.URL != "" {
		if u, err := url.Parse(a.URL); err == nil && u.Hostname() != "" {
			return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
	}
	return ""
}

// StoryOf returns the id of the story an indexed article is in.
func (e *Engine) StoryOf(id string) (string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.storyOfLocked(id)
}

func (e *Engine) storyOfLocked(id string) (string, bool) {
	h, ok := e.byID[id]
	if !ok {
		return "", false
	}
	return e.storyID(e.stories.Story(h)), true
}

// Info describes an indexed article: metadata, story and copy group.
func (e *Engine) Info(id string) (ArticleInfo, bool) {
	info, _, ok := e.Describe(id)
	return info, ok
}

// Describe returns what Info and Lookup return, under one read lock.
func (e *Engine) Describe(id string) (ArticleInfo, *Result, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	h, ok := e.byID[id]
	if !ok {
		return ArticleInfo{}, nil, false
	}
	r := e.resultLocked(h)
	info := e.infoLocked(h)
	info.CopyGroup = r.CopyGroup
	return info, r, true
}

// infoLocked describes h without its copy group.
func (e *Engine) infoLocked(h uint32) ArticleInfo {
	en := e.docs[h]
	a := &en.p.Article
	info := ArticleInfo{ID: a.ID, Title: a.Title, Source: a.Source, Credits: a.Credits, Words: en.p.Doc.Words, Story: e.storyID(e.stories.Story(h))}
	if !a.Published.IsZero() {
		t := a.Published
		info.Published = &t
	}
	return info
}

// StorySummary is what a listing shows of a story: its size and span, and
// its first members. It costs time in the size of the story, like
// StoryDetail, but allocates only for the sample.
type StorySummary struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Articles   int        `json:"articles"`
	Outlets    int        `json:"outlets"` // as in StoryDetail
	CopyGroups int        `json:"copy_groups"`
	First      *time.Time `json:"first_published"`
	Last       *time.Time `json:"last_published"`
	// Sample are the first members (at most the sample size asked for),
	// in the order they were added.
	Sample []StoryArticle `json:"-"`
}

// StorySummaries summarises several stories under one read lock, each
// with a sample of up to sample members; nil where a story is unknown.
// A story merged into another is summarised as that other story.
func (e *Engine) StorySummaries(ids []string, sample int) []*StorySummary {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*StorySummary, len(ids))
	for i, id := range ids {
		out[i] = e.summaryLocked(id, sample)
	}
	return out
}

func (e *Engine) summaryLocked(id string, sample int) *StorySummary {
	st, ok := parseStoryID(id)
	if !ok {
		return nil
	}
	members := e.stories.Members(st)
	if len(members) == 0 {
		return nil
	}
	slices.Sort(members)
	sm := &StorySummary{ID: e.storyID(e.stories.Story(members[0])), Articles: len(members)}
	// Copy groups: components of same-text edges, rooted at their earliest
	// member (the group's name).
	parent := make(map[uint32]uint32, len(members))
	var find func(uint32) uint32
	find = func(x uint32) uint32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, h := range members {
		parent[h] = h
	}
	outlets := map[string]bool{}
	var first, last time.Time
	for _, h := range members {
		a := &e.docs[h].p.Article
		if sm.Title == "" {
			sm.Title = a.Title
		}
		if o := Outlet(a); o == "" {
			sm.Outlets++
		} else if !outlets[o] {
			outlets[o] = true
			sm.Outlets++
		}
		if t := a.Published; !t.IsZero() {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
		for _, ed := range e.docs[h].edges {
			if ed.b != h || !ed.label.SameText() {
				continue
			}
			if _, in := parent[ed.a]; !in {
				continue
			}
			ra, rb := find(ed.a), find(ed.b)
			if ra != rb {
				parent[max(ra, rb)] = min(ra, rb)
			}
		}
	}
	size := map[uint32]int{}
	for _, h := range members {
		size[find(h)]++
	}
	for _, n := range size {
		if n > 1 {
			sm.CopyGroups++
		}
	}
	sm.First, sm.Last = timePtr(first), timePtr(last)
	for _, h := range members[:min(sample, len(members))] {
		sa := StoryArticle{ArticleInfo: e.infoLocked(h), Outlet: Outlet(&e.docs[h].p.Article)}
		if root := find(h); size[root] > 1 {
			sa.CopyGroup = "g:" + e.docs[root].p.Article.ID
		}
		sm.Sample = append(sm.Sample, sa)
	}
	return sm
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Briefs describes several indexed articles at once, under one read lock:
// metadata, outlet, story and copy group; nil where an id is not indexed.
func (e *Engine) Briefs(ids []string) []*StoryArticle {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*StoryArticle, len(ids))
	for i, id := range ids {
		h, ok := e.byID[id]
		if !ok {
			continue
		}
		sa := &StoryArticle{ArticleInfo: e.infoLocked(h), Outlet: Outlet(&e.docs[h].p.Article)}
		if g := e.groupLocked(h); len(g) > 0 {
			sa.CopyGroup = groupID(e, g)
		}
		out[i] = sa
	}
	return out
}

// parseStoryID reads a story id made by storyID ("s1", "s2", …).
func parseStoryID(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "s"))
	if err != nil || n < 1 || "s"+strconv.Itoa(n) != id {
		return 0, false
	}
	return n - 1, true
}

// Story returns a story by id. A story that was merged into another answers
// with the story it is now part of (the detail's ID says which); a story
// whose members were all removed, or an unknown id, returns false.
func (e *Engine) Story(id string) (*StoryDetail, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	d := e.storyLocked(id)
	return d, d != nil
}

// Stories returns several stories at once (nil where Story would return
// false), under one read lock: a listing page waits for writers once.
func (e *Engine) Stories(ids []string) []*StoryDetail {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*StoryDetail, len(ids))
	for i, id := range ids {
		out[i] = e.storyLocked(id)
	}
	return out
}

func (e *Engine) storyLocked(id string) *StoryDetail {
	st, ok := parseStoryID(id)
	if !ok {
		return nil
	}
	members := e.stories.Members(st)
	if len(members) == 0 {
		return nil
	}
	slices.Sort(members) // handles are the insertion order
	d := &StoryDetail{
		ID:         e.storyID(e.stories.Story(members[0])),
		Articles:   make([]StoryArticle, len(members)),
		CopyGroups: []CopyGroupInfo{},
		Reuse:      []ReuseInfo{},
	}
	pos := make(map[uint32]int, len(members))
	outlets := map[string]bool{}
	for i, h := range members {
		pos[h] = i
		a := &e.docs[h].p.Article
		sa := StoryArticle{ArticleInfo: e.infoLocked(h), Outlet: Outlet(a)}
		d.Articles[i] = sa
		if d.Title == "" {
			d.Title = a.Title
		}
		if sa.Outlet == "" {
			d.Outlets++
		} else if !outlets[sa.Outlet] {
			outlets[sa.Outlet] = true
			d.Outlets++
		}
		if p := sa.Published; p != nil {
			if d.First == nil || p.Before(*d.First) {
				d.First = p
			}
			if d.Last == nil || p.After(*d.Last) {
				d.Last = p
			}
		}
	}

	// Edges between members, each once (from its later side), by position.
	var edges []provenance.Edge
	for _, h := range members {
		for _, ed := range e.docs[h].edges {
			if ed.b != h {
				continue
			}
			pa, ok := pos[ed.a]
			if !ok {
				continue // partial reuse from another story
			}
			edges = append(edges, provenance.Edge{
				A: pa, B: pos[ed.b], Label: ed.label,
				Coverage: [2]float64{ed.result.CoverageA, ed.result.CoverageB}, Sim: ed.result.Sim,
			})
			d.Reuse = append(d.Reuse, e.reuseInfo(ed))
		}
	}
	sortReuse(d.Reuse)
	date := func(i int) time.Time { return e.docs[members[i]].p.Article.Published }
	groups := provenance.Groups(len(members), edges)
	groupEdges := provenance.GroupEdges(groups, edges)
	for gi, g := range groups {
		hs := make([]uint32, len(g))
		ids := make([]string, len(g))
		for i, x := range g {
			hs[i] = members[x]
			ids[i] = d.Articles[x].ID
		}
		gid := groupID(e, hs)
		closest := provenance.Closest(g, groupEdges[gi], date)
		d.CopyGroups = append(d.CopyGroups, CopyGroupInfo{ID: gid, Articles: ids, ClosestToSource: d.Articles[closest].ID})
		for _, x := range g {
			d.Articles[x].CopyGroup = gid
		}
	}
	return d
}

// sortReuse orders reuse by label rank, then by decreasing coverage, and
// keeps the given order between equals (a stable sort, by index: stories
// of thousands of edges are read while the feed is written).
func sortReuse(rs []ReuseInfo) {
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		x, y := &rs[i], &rs[j]
		if c := cmp.Compare(x.Label.Rank(), y.Label.Rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Coverage, x.Coverage); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]ReuseInfo, len(rs))
	for k, i := range idx {
		sorted[k] = rs[i]
	}
	copy(rs, sorted)
}

// reuseInfo describes edge ed from the copy's side.
func (e *Engine) reuseInfo(ed *pairEdge) ReuseInfo {
	a, b := e.docs[ed.a].p.Article.ID, e.docs[ed.b].p.Article.ID
	ri := ReuseInfo{Label: ed.label, AlignedSentences: len(ed.result.Links), Similarity: round(ed.result.Sim), Direction: ed.reason}
	if ed.bCopy {
		ri.Copy, ri.Source = b, a
		ri.Coverage, ri.SourceCoverage = round(ed.result.CoverageB), round(ed.result.CoverageA)
	} else {
		ri.Copy, ri.Source = a, b
		ri.Coverage, ri.SourceCoverage = round(ed.result.CoverageA), round(ed.result.CoverageB)
	}
	return ri
}
