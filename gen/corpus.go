package gen

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/wiretrace/wiretrace/eval"
)

// Corpus is the real articles a Generator derives from, parsed into
// paragraphs and sentences, with the articles that already share text
// with another one removed.
type Corpus struct {
	arts []*realArticle
	// vocab counts lower-case words over the corpus; the thesaurus offers
	// only synonyms seen at least minSynonymCount times, and the cipher
	// permutes words within bands of similar frequency.
	vocab map[string]int
	// topic indexes articles by their rare title and lead terms, for
	// same-topic distractors.
	topic map[string][]int32
	// Stats of the load.
	Read, TooShort, Entangled int
}

type realArticle struct {
	id, title, source, story string
	published                time.Time
	raw                      string
	paras                    [][]string // sentences per paragraph
	words                    int
	topic                    []string
}

// Corpus parameters.
const (
	minArticleWords    = 40 // shorter articles (tables, one-line items) are left out
	minArticleSents    = 2
	maxArticleWords    = 3000
	minSynonymCount    = 3   // a synonym must occur this often in the corpus
	entangleGram       = 8   // word n-gram length of the shared-text check
	entangleSample     = 4   // one n-gram in this many is kept
	entangleBoilerDF   = 50  // an n-gram in more documents is boilerplate
	entangleMinShared  = 2   // shared n-grams that make two articles entangled
	entangleTemplate   = 0.3 // or this share of an article's n-grams, boilerplate included: a template filled in
	entangleMaxOwners  = 200 // articles remembered per n-gram
	topicTerms         = 10  // rare terms per article in the topic index
	topicMaxDF         = 200
	topicMinDF         = 3
	topicLeadSentences = 3
)

// LoadCorpus reads real articles from labelled JSONL files (id, text,
// title, source, published, story; see eval.ScanLabelled), in the order
// given. Articles shorter than 40 words or 2 sentences are left out, and so
// is every article that shares text with an article read before it in
// another story: two or more sampled word 8-grams (digits ignored) that are
// not boilerplate (in at most 50 articles), or 30% of its sampled 8-grams,
// boilerplate included. Real corpora hold their own duplicates and
// fill-in-the-numbers templates (Reuters' daily money-market and earnings
// reports), which the generated truth would otherwise miss. Memory: the texts plus about 100 bytes per sampled
// n-gram.
func LoadCorpus(ctx context.Context, paths []string, log *slog.Logger) (*Corpus, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Corpus{vocab: map[string]int{}, topic: map[string][]int32{}}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("load corpus: %w", err)
		}
		st, err := eval.ScanLabelled(f, path, eval.ReadOptions{Logger: log}, func(l eval.Labelled) error {
			c.Read++
			a := &realArticle{
				id: l.Article.ID, title: l.Article.Title, source: l.Article.Source, story: l.Story,
				published: l.Article.Published, raw: l.Article.Text,
			}
			for _, p := range paragraphs(a.raw) {
				ss := sentences(p)
				a.paras = append(a.paras, ss)
				for _, s := range ss {
					a.words += countWords(s)
				}
			}
			n := 0
			for _, p := range a.paras {
				n += len(p)
			}
			if a.words < minArticleWords || a.words > maxArticleWords || n < minArticleSents {
				c.TooShort++
				return nil
			}
			c.arts = append(c.arts, a)
			return nil
		})
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("load corpus %s: %w", path, err)
		}
		log.Debug("corpus file read", "path", path, "records", st.Records, "skipped", st.Skipped)
	}
	if len(c.arts) == 0 {
		return nil, fmt.Errorf("load corpus: no usable articles in %s", strings.Join(paths, ", "))
	}
	c.untangle()
	for _, a := range c.arts {
		for _, p := range a.paras {
			for _, s := range p {
				for _, w := range normWords(s) {
					if letters(w) {
						c.vocab[w]++
					}
				}
			}
		}
	}
	c.indexTopics()
	return c, nil
}

// Articles returns the number of usable articles.
func (c *Corpus) Articles() int { return len(c.arts) }

// WordOK reports whether w is common enough in the corpus to be offered as
// a synonym.
func (c *Corpus) WordOK(w string) bool { return c.vocab[w] >= minSynonymCount }

// untangle drops articles that share text with an earlier article of
// another story.
func (c *Corpus) untangle() {
	grams := make([][]uint64, len(c.arts))
	df := map[uint64]int32{}
	for i, a := range c.arts {
		var ws []string
		for _, p := range a.paras {
			for _, s := range p {
				ws = append(ws, normWords(s)...)
			}
		}
		for k, w := range ws { // templates with other numbers are shared text too
			ws[k] = digitsToZero(w)
		}
		seen := map[uint64]bool{}
		for j := 0; j+entangleGram <= len(ws); j++ {
			h := xxh3.HashString(strings.Join(ws[j:j+entangleGram], " "))
			if h%entangleSample != 0 || seen[h] {
				continue
			}
			seen[h] = true
			grams[i] = append(grams[i], h)
			df[h]++
		}
	}
	owner := map[uint64][]int32{}
	kept := c.arts[:0]
	for i, a := range c.arts {
		rare, all := map[int32]int{}, map[int32]int{}
		for _, h := range grams[i] {
			for _, o := range owner[h] {
				all[o]++
				if df[h] <= entangleBoilerDF {
					rare[o]++
				}
			}
		}
		entangled := false
		for o, n := range all {
			if (rare[o] >= entangleMinShared || n >= entangleMinShared && float64(n) >= entangleTemplate*float64(len(grams[i]))) &&
				(a.story == "" || kept[o].story != a.story) {
				entangled = true
				break
			}
		}
		if entangled {
			c.Entangled++
			continue
		}
		idx := int32(len(kept))
		kept = append(kept, a)
		for _, h := range grams[i] {
			if len(owner[h]) < entangleMaxOwners {
				owner[h] = append(owner[h], idx)
			}
		}
	}
	c.arts = kept
}

// indexTopics lists each article's rarest title and lead terms (content
// words in 3–200 documents) in the topic index.
func (c *Corpus) indexTopics() {
	df := map[string]int{}
	lead := make([][]string, len(c.arts))
	for i, a := range c.arts {
		seen := map[string]bool{}
		text := a.title
		k := 0
		for _, p := range a.paras {
			for _, s := range p {
				if k < topicLeadSentences {
					text += " " + s
				}
				k++
			}
		}
		for _, w := range normWords(text) {
			if len(w) < 4 || !letters(w) || functionWord(w) || seen[w] {
				continue
			}
			seen[w] = true
			lead[i] = append(lead[i], w)
		}
	}
	for _, ws := range lead {
		for _, w := range ws {
			df[w]++
		}
	}
	for i, ws := range lead {
		ws = slices.DeleteFunc(ws, func(w string) bool { return df[w] < topicMinDF || df[w] > topicMaxDF })
		slices.SortFunc(ws, func(x, y string) int {
			if df[x] != df[y] {
				return df[x] - df[y]
			}
			return strings.Compare(x, y)
		})
		if len(ws) > topicTerms {
			ws = ws[:topicTerms]
		}
		c.arts[i].topic = ws
		for _, w := range ws {
			c.topic[w] = append(c.topic[w], int32(i))
		}
	}
}

// digitsToZero replaces every digit of w with 0.
func digitsToZero(w string) string {
	if !strings.ContainsAny(w, "123456789") {
		return w
	}
	b := []byte(w)
	for i, c := range b {
		if c >= '1' && c <= '9' {
			b[i] = '0'
		}
	}
	return string(b)
}
