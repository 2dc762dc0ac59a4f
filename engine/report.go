package engine

import (
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/provenance"
)

// ReportVersion is the version of the Report JSON contract (docs/json.md).
// Changelog:
//
//	1: articles, stories, copy_groups, reuse.
const ReportVersion = 1

// Report is the whole analysis of the indexed articles: the `--json` output
// of `wiretrace analyze`. Every article is in exactly one story.
type Report struct {
	Version    int             `json:"version"`
	Articles   []ArticleInfo   `json:"articles"`
	Stories    []StoryInfo     `json:"stories"`
	CopyGroups []CopyGroupInfo `json:"copy_groups"`
	Reuse      []ReuseInfo     `json:"reuse"`
}

// ArticleInfo describes one article in a Report.
type ArticleInfo struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Published *time.Time `json:"published"` // null when unknown
	Credits   []string   `json:"credits,omitempty"`
	Words     int        `json:"words"`
	Story     string     `json:"story"`
	CopyGroup string     `json:"copy_group"` // "" when the article is in no copy group
}

// StoryInfo is one story: articles about one event.
type StoryInfo struct {
	ID       string   `json:"id"`
	Articles []string `json:"articles"` // in input order
	Title    string   `json:"title"`
}

// CopyGroupInfo is a set of articles carrying one source text.
type CopyGroupInfo struct {
	ID              string   `json:"id"`
	Articles        []string `json:"articles"`
	ClosestToSource string   `json:"closest_to_source"`
}

// ReuseInfo is one derivation between two articles.
type ReuseInfo struct {
	Copy             string          `json:"copy"`
	Source           string          `json:"source"`
	Coverage         float64         `json:"coverage"`        // share of the copy's words aligned to the source
	SourceCoverage   float64         `json:"source_coverage"` // share of the source's words aligned to the copy
	Label            wiretrace.Label `json:"label"`
	AlignedSentences int             `json:"aligned_sentences"`
	Similarity       float64         `json:"similarity"`
	Direction        string          `json:"direction"` // why this side is the copy
}

// Report returns the analysis of everything indexed, in insertion order.
func (e *Engine) Report() *Report {
	e.mu.RLock()
	defer e.mu.RUnlock()
	r := &Report{Version: ReportVersion, Articles: []ArticleInfo{}, Stories: []StoryInfo{}, CopyGroups: []CopyGroupInfo{}, Reuse: []ReuseInfo{}}

	// Copy groups over live handles.
	var pedges []provenance.Edge
	var all []*pairEdge
	for h, en := range e.docs {
		if en == nil {
			continue
		}
		for _, ed := range en.edges {
			if ed.b == uint32(h) { // each edge once, from its later side
				all = append(all, ed)
				pedges = append(pedges, provenance.Edge{
					A: int(ed.a), B: int(ed.b), Label: ed.label,
					Coverage: [2]float64{ed.result.CoverageA, ed.result.CoverageB}, Sim: ed.result.Sim,
				})
			}
		}
	}
	groupOf := map[uint32]string{}
	groups := provenance.Groups(len(e.docs), pedges)
	// Each group's own edges, so choosing its closest member costs its
	// edges alone, not every edge of the index.
	groupEdges := provenance.GroupEdges(groups, pedges)
	for gi, g := range groups {
		ids := make([]string, len(g))
		hs := make([]uint32, len(g))
		for i, x := range g {
			ids[i] = e.docs[x].p.Article.ID
			hs[i] = uint32(x)
		}
		gid := groupID(e, hs)
		closest := provenance.Closest(g, groupEdges[gi], func(x int) time.Time { return e.docs[x].p.Article.Published })
		r.CopyGroups = append(r.CopyGroups, CopyGroupInfo{ID: gid, Articles: ids, ClosestToSource: e.docs[closest].p.Article.ID})
		for _, x := range hs {
			groupOf[x] = gid
		}
	}

	storyIdx := map[int]int{}
	for h, en := range e.docs {
		if en == nil {
			continue
		}
		a := &en.p.Article
		st := e.stories.Story(uint32(h))
		sid := e.storyID(st)
		info := ArticleInfo{ID: a.ID, Title: a.Title, Source: a.Source, Credits: a.Credits, Words: en.p.Doc.Words, Story: sid, CopyGroup: groupOf[uint32(h)]}
		if !a.Published.IsZero() {
			t := a.Published
			info.Published = &t
		}
		r.Articles = append(r.Articles, info)
		i, ok := storyIdx[st]
		if !ok {
			i = len(r.Stories)
			storyIdx[st] = i
			r.Stories = append(r.Stories, StoryInfo{ID: sid})
		}
		s := &r.Stories[i]
		s.Articles = append(s.Articles, a.ID)
		if s.Title == "" {
			s.Title = a.Title
		}
	}

	for _, ed := range all {
		r.Reuse = append(r.Reuse, e.reuseInfo(ed))
	}
	sortReuse(r.Reuse)
	return r
}
