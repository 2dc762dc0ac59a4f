package engine

import "github.com/wiretrace/wiretrace/story"

// EventSimilarity returns the event similarity of two prepared articles as
// story clustering weighs it: the cosine of their event vectors (term
// weights times IDF over the background corpus and the articles indexed so
// far) times the date factor of their publication dates (Options.Story).
// It is the linkage an arriving article would have to a one-article story
// holding the other; Options.Story.Threshold is the bar for joining.
// Neither article needs to be indexed. Safe for concurrent use; it takes
// the read lock for the document frequencies.
func (e *Engine) EventSimilarity(a, b *Prepared) float64 {
	e.mu.RLock()
	va, vb := e.vector(a), e.vector(b)
	e.mu.RUnlock()
	return story.Cosine(va, vb) * e.opts.Story.DateFactor(a.Article.Published, b.Article.Published)
}
