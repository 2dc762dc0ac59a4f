package engine

import (
	"cmp"
	"slices"
)

// queryHandle stands for the queried article in matchFor: no indexed
// article has it, so matchFor describes each edge from its later side.
const queryHandle = ^uint32(0)

// Query returns the matches Add would report for p against the articles
// indexed now, without adding p: candidate lookup and sentence alignment
// only, no story assignment and no change to the index. Matches are sorted
// by coverage (highest first), then id. An article with p's id already
// indexed is matched like any other. Query holds the read lock, so queries
// run in parallel with each other and with the matching phase of Add; its
// cost is that of Add's matching (at most Options.MaxCandidates
// alignments).
func (e *Engine) Query(p *Prepared) []Match {
	e.mu.RLock()
	defer e.mu.RUnlock()
	edges := e.matchLocked(p)
	ms := make([]Match, 0, len(edges))
	for _, ed := range edges {
		ms = append(ms, e.matchFor(queryHandle, ed))
	}
	slices.SortFunc(ms, func(x, y Match) int {
		return cmp.Or(cmp.Compare(y.Coverage, x.Coverage), cmp.Compare(x.ID, y.ID))
	})
	return ms
}
