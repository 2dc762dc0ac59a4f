package gen

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/wiretrace/wiretrace"
)

// Version is the version of the generator: the same version, options,
// corpus and WordNet database give the same output, byte for byte.
// Changelog:
//
//	1: first version.
const Version = 1

// Options configure a Generator.
type Options struct {
	// N is the number of articles to write.
	N int
	// Seed fixes every random choice.
	Seed uint64
	// Logger gets progress at debug level; nil discards.
	Logger *slog.Logger
}

// Recipes: how an article was made (Record.Recipe).
const (
	RecipeOriginal    = "original"    // a real article, as read
	RecipeDistractor  = "distractor"  // a real article on the topic of the one before it, about another event
	RecipeDuplicate   = "duplicate"   // republished whole, verbatim, inside page chrome
	RecipeCopy        = "copy"        // trimmed from the bottom, house-style edits, a local sentence added
	RecipeCopyOCR     = "copy-ocr"    // a copy printed and scanned: OCR noise
	RecipeSpin        = "spin"        // reworded: synonyms, some clause changes, paragraphs swapped
	RecipeTranslation = "translation" // a machine-translation round trip: clauses, tenses, articles, synonyms, split sentences, shortened
	RecipePartial     = "partial"     // a few of the source's sentences inside an article about something else (no story label)
	RecipeComposite   = "composite"   // two outlets' reports of one event merged
)

// recipeWeights are the shares of the derived articles. Syndication is
// mostly verbatim or trimmed reprinting (NEWS-COPY's reproduced articles
// are overwhelmingly wire copy reprinted with cuts and OCR noise); reworded
// and translated copies and partial reuse are the minority that
// document-level hashing misses.
var recipeWeights = []struct {
	recipe string
	weight float64
}{
	{RecipeDuplicate, 0.17},
	{RecipeCopy, 0.28},
	{RecipeCopyOCR, 0.10},
	{RecipeSpin, 0.12},
	{RecipeTranslation, 0.13},
	{RecipePartial, 0.20},
}

// Generation parameters.
const (
	muDefault      = 1.5  // mean derived articles per original for small sets
	muMax          = 8    // beyond this fan-out, further articles come from cipher epochs
	pNoCopies      = 0.45 // share of originals nobody reprints
	maxCopies      = 24
	storyGroupBias = 30   // weight of a multi-outlet story (BASIL) against a single article when drawing units
	fillerShare    = 0.2  // share of single articles held back as new text for partial reuse and local additions
	pDistractor    = 0.12 // chance that a unit is followed by a same-topic article about another event
	pChain         = 0.25 // chance that a reprint copies an earlier reprint instead of the original
	meanDelay      = 2.0  // mean delay of a derived article after its parent, in units
	delayUnit      = 3 * time.Hour
	epochShift     = 400 * 24 * time.Hour // cipher epochs move dates by this much
	cipherBand     = 50                   // words are permuted within bands of this many frequency ranks
	minTrueShare   = 0.1                  // pairs sharing less (on both sides) are no derivation (testdata/SEEDS.md: "under 10%")
	distractorGap  = 10 * 24 * time.Hour
)

// Record is one generated article with its truth: a line of the labelled
// JSONL that eval.ReadLabelled reads.
type Record struct {
	ID        string `json:"id"`
	Title     string `json:"title,omitempty"`
	Source    string `json:"source,omitempty"`
	Published string `json:"published,omitempty"` // RFC 3339; absent when the original had no date
	Text      string `json:"text"`
	// Story is the event ("" for partial reuse inside an article about
	// something else, whose event is not defined); CopyGroup the set of
	// articles carrying one source text ("" for none).
	Story     string `json:"story,omitempty"`
	CopyGroup string `json:"copy_group"`
	// DerivedFrom lists every earlier article this one shares text with.
	DerivedFrom []Derivation `json:"derived_from,omitempty"`
	// RealID names the corpus article an original is ("id@epoch" in cipher
	// epochs); Recipe says how the article was made.
	RealID string `json:"real_id,omitempty"`
	Recipe string `json:"recipe"`
}

// Derivation is one edge of the truth: the record shares text with the
// earlier article ID.
type Derivation struct {
	ID string `json:"id"`
	// Coverage is the share of the record's words (page chrome excluded)
	// in sentences that come from ID's text, directly or through a common
	// source.
	Coverage float64         `json:"coverage"`
	Kind     wiretrace.Label `json:"kind"`
	// Direct marks the article this one was made from; other edges are
	// shared text through a common source (two reprints of one wire story).
	Direct bool `json:"direct,omitempty"`
}

// Stats describe a generated set.
type Stats struct {
	Articles   int            `json:"articles"`
	Units      int            `json:"units"`  // originals or multi-outlet stories drawn
	Epochs     int            `json:"epochs"` // passes over the corpus; epochs after the first are ciphered
	Mu         float64        `json:"mean_copies_per_original"`
	Recipes    map[string]int `json:"recipes"`
	Pairs      map[string]int `json:"pairs_by_kind"`        // truth pairs (every pair sharing ≥ 10% on one side)
	Direct     map[string]int `json:"direct_pairs_by_kind"` // of which an article and the one it was made from
	CopyGroups int            `json:"copy_groups"`
	// Jaccard holds the word 5-gram Jaccard of each derived article with
	// the article it was made from, by recipe.
	Jaccard map[string][]float64 `json:"-"`
	// FillerEpochs counts passes over the held-back articles for new text
	// (after the first, that text is ciphered).
	FillerEpochs int `json:"filler_epochs"`
}

// Generator writes a labelled set derived from a Corpus. Not safe for
// concurrent use.
type Generator struct {
	c    *Corpus
	th   *Thesaurus
	o    Options
	rng  *rand.Rand
	log  *slog.Logger
	mu   float64
	seq  int
	made int
	now  float64 // virtual time: the index of the unit being made

	singles, groups [][]int // units: corpus indices
	fillers         []int
	isFiller        []bool
	used            []bool // corpus articles used in the current epoch
	fill            struct{ art, para, sent, epoch int }

	vocabRank []string
	ciphers   map[int]map[string]string

	queue recordQueue
	stats Stats
}

// New returns a Generator. th may not be nil: reworded copies need it.
func New(c *Corpus, th *Thesaurus, o Options) (*Generator, error) {
	if o.N <= 0 {
		return nil, fmt.Errorf("generate: N must be positive, got %d", o.N)
	}
	if th == nil {
		return nil, fmt.Errorf("generate: %w", ErrNoWordNet)
	}
	g := &Generator{c: c, th: th, o: o, log: o.Logger, ciphers: map[int]map[string]string{}}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	g.rng = rand.New(rand.NewPCG(o.Seed, 0x77697265747261))
	g.stats = Stats{Recipes: map[string]int{}, Pairs: map[string]int{}, Direct: map[string]int{}, Jaccard: map[string][]float64{}}
	byStory := map[string][]int{}
	var storyOrder []string
	for i, a := range c.arts {
		if a.story == "" {
			g.singles = append(g.singles, []int{i})
			continue
		}
		if _, ok := byStory[a.story]; !ok {
			storyOrder = append(storyOrder, a.story)
		}
		byStory[a.story] = append(byStory[a.story], i)
	}
	for _, s := range storyOrder {
		if len(byStory[s]) > 1 {
			g.groups = append(g.groups, byStory[s])
		} else {
			g.singles = append(g.singles, byStory[s])
		}
	}
	// Hold back a share of the single articles as new text.
	g.isFiller = make([]bool, len(c.arts))
	perm := g.rng.Perm(len(g.singles))
	nFill := int(fillerShare * float64(len(g.singles)))
	keep := make([][]int, 0, len(g.singles)-nFill)
	for k, i := range perm {
		if k < nFill {
			g.fillers = append(g.fillers, g.singles[i][0])
			g.isFiller[g.singles[i][0]] = true
		} else {
			keep = append(keep, g.singles[i])
		}
	}
	slices.SortFunc(keep, func(x, y []int) int { return x[0] - y[0] })
	g.singles = keep
	originals := 0
	for _, u := range g.singles {
		originals += len(u)
	}
	for _, u := range g.groups {
		originals += len(u)
	}
	if originals == 0 || len(g.fillers) == 0 {
		return nil, fmt.Errorf("generate: corpus too small (%d articles)", len(c.arts))
	}
	g.mu = min(max(float64(o.N)/float64(originals)-1-pDistractor, muDefault), muMax)
	g.stats.Mu = g.mu
	for w := range c.vocab {
		g.vocabRank = append(g.vocabRank, w)
	}
	slices.SortFunc(g.vocabRank, func(x, y string) int {
		return cmp.Or(c.vocab[y]-c.vocab[x], strings.Compare(x, y))
	})
	return g, nil
}

// Run generates Options.N articles and calls emit with each, in file
// order (the order of their virtual publication times). The stream is
// deterministic. An error from emit stops the run.
func (g *Generator) Run(ctx context.Context, emit func(*Record) error) (Stats, error) {
	for epoch := 0; g.made < g.o.N; epoch++ {
		g.stats.Epochs = epoch + 1
		g.used = make([]bool, len(g.c.arts))
		for _, u := range g.drawUnits(epoch) {
			if g.made >= g.o.N {
				break
			}
			if err := ctx.Err(); err != nil {
				return g.stats, err
			}
			if slices.ContainsFunc(u, func(m int) bool { return g.used[m] }) || g.o.N-g.made < len(u) {
				continue
			}
			if err := g.flush(g.now, emit); err != nil {
				return g.stats, err
			}
			g.unit(u, epoch, RecipeOriginal)
			g.now++
			if g.made < g.o.N && g.rng.Float64() < pDistractor {
				if d, ok := g.sameTopic(u); ok {
					if err := g.flush(g.now, emit); err != nil {
						return g.stats, err
					}
					g.unit([]int{d}, epoch, RecipeDistractor)
					g.now++
				}
			}
		}
		g.log.Debug("epoch done", "epoch", epoch, "articles", g.made)
	}
	err := g.flush(math.Inf(1), emit)
	return g.stats, err
}

// drawUnits orders the units of one epoch: a weighted shuffle in which a
// multi-outlet story counts storyGroupBias times a single article.
func (g *Generator) drawUnits(epoch int) [][]int {
	rng := rand.New(rand.NewPCG(g.o.Seed, uint64(epoch)+1))
	type keyed struct {
		u   []int
		key float64
	}
	var ks []keyed
	for _, u := range g.singles {
		ks = append(ks, keyed{u, rng.ExpFloat64()})
	}
	for _, u := range g.groups {
		ks = append(ks, keyed{u, rng.ExpFloat64() / storyGroupBias})
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	out := make([][]int, len(ks))
	for i, k := range ks {
		out[i] = k.u
	}
	return out
}

// sameTopic finds an unused article that shares rare title and lead terms
// with the unit's first article but reports another event: published at
// least distractorGap apart when both are dated, and with only moderate
// overlap when either is not.
func (g *Generator) sameTopic(u []int) (int, bool) {
	a := g.c.arts[u[0]]
	score := map[int32]int{}
	for _, w := range a.topic {
		for _, j := range g.c.topic[w] {
			score[j]++
		}
	}
	best, bestScore := -1, 0
	for j32, s := range score {
		j := int(j32)
		b := g.c.arts[j]
		if s < 2 || g.used[j] || g.isFiller[j] || slices.Contains(u, j) || (a.story != "" && b.story == a.story) {
			continue
		}
		if !a.published.IsZero() && !b.published.IsZero() {
			d := a.published.Sub(b.published)
			if d < distractorGap && d > -distractorGap {
				continue
			}
		} else if s > 3 {
			continue
		}
		if s > bestScore || s == bestScore && j < best {
			best, bestScore = j, s
		}
	}
	return best, best >= 0
}

// Sentence levels: how a sentence differs from the text it came from.
const (
	levelVerbatim uint8 = iota
	levelEdited
	levelReworded
)

// sent is one sentence of a generated article.
type sent struct {
	text   string
	origin int32 // the unit's origin sentence it comes from
	level  uint8 // relative to the origin
}

// art is an article being generated.
type art struct {
	idx       int // in the unit
	id        string
	title     string
	source    string
	published time.Time
	vtime     float64
	paras     [][]sent
	raw       string // the text as read, for originals of the first epoch
	chrome    pageChrome
	inlineAt  []int // paragraph after which each inline chrome line goes
	story     string
	recipe    string
	realID    string
	root      int   // the unit's original this article descends from
	parents   []int // the articles it was made from
}

func (a *art) clone() [][]sent {
	out := make([][]sent, len(a.paras))
	for i, p := range a.paras {
		out[i] = slices.Clone(p)
	}
	return out
}

func (a *art) sentences() []sent {
	var out []sent
	for _, p := range a.paras {
		out = append(out, p...)
	}
	return out
}

// text is the page: chrome around and inside the body.
func (a *art) text() string {
	if a.raw != "" {
		return a.raw
	}
	var parts []string
	parts = append(parts, a.chrome.top...)
	k := 0
	for i, p := range a.paras {
		ss := make([]string, len(p))
		for j, s := range p {
			ss[j] = s.text
		}
		parts = append(parts, strings.Join(ss, " "))
		for k < len(a.inlineAt) && a.inlineAt[k] == i {
			parts = append(parts, a.chrome.inline[k])
			k++
		}
	}
	parts = append(parts, a.chrome.bottom...)
	return strings.Join(parts, "\n\n")
}

// unitState is one original (or one multi-outlet story) and everything
// derived from it: a closed family, since nothing outside it shares its
// text.
type unitState struct {
	arts   []*art
	roots  []int
	epoch  int
	nextID int32 // next origin sentence id
}

// fresh registers a sentence of new text (held back from the corpus) as
// an origin of its own: reprints of the article that first carries it
// share it.
func (u *unitState) fresh(s string) sent {
	u.nextID++
	return sent{text: s, origin: u.nextID - 1}
}

// unit makes the articles of one unit and queues their records.
func (g *Generator) unit(members []int, epoch int, recipe string) {
	g.stats.Units++
	u := &unitState{epoch: epoch}
	for i, m := range members {
		r := g.root(u, m, epoch, recipe)
		r.vtime = g.now + float64(i)*0.01
		u.roots = append(u.roots, r.idx)
	}
	u.linkQuotes()
	if recipe == RecipeOriginal {
		budget := g.o.N - g.made
		for _, ri := range u.roots {
			k := min(g.copies(), budget)
			budget -= k
			for range k {
				g.derive(u, ri)
			}
		}
	}
	g.truth(u)
}

// quoteGram is the word n-gram length by which sentences of two outlets'
// reports of one event are found to be the same text (a quote both carry,
// a sentence of a common wire source).
const quoteGram = 6

// linkQuotes gives a sentence of a later original the origin of a sentence
// of an earlier one when the two share a word 6-gram: independent reports
// of one event share quotes and wire sentences, and that is shared text
// the truth must list.
func (u *unitState) linkQuotes() {
	if len(u.roots) < 2 {
		return
	}
	type known struct {
		origin int32
		words  string
	}
	grams := map[string]known{}
	for _, ri := range u.roots {
		a := u.arts[ri]
		var mine []known
		var mineGrams []string
		for pi, p := range a.paras {
			for si := range p {
				s := &a.paras[pi][si]
				ws := normWords(s.text)
				norm := strings.Join(ws, " ")
				var gs []string
				matched := false
				for k := 0; k+quoteGram <= len(ws); k++ {
					g := strings.Join(ws[k:k+quoteGram], " ")
					gs = append(gs, g)
					if kn, ok := grams[g]; ok && !matched {
						matched = true
						s.origin = kn.origin
						if kn.words != norm {
							s.level = levelEdited
						}
					}
				}
				for _, g := range gs {
					mine = append(mine, known{s.origin, norm})
					mineGrams = append(mineGrams, g)
				}
			}
		}
		for i, g := range mineGrams { // visible to later originals only
			if _, ok := grams[g]; !ok {
				grams[g] = mine[i]
			}
		}
	}
}

// copies draws how many derived articles an original gets: none with
// probability pNoCopies, else 1 + a geometric count, with mean g.mu.
func (g *Generator) copies() int {
	if g.rng.Float64() < pNoCopies {
		return 0
	}
	mean := g.mu/(1-pNoCopies) - 1 // mean of the geometric part
	p := 1 / (1 + mean)
	k := 1
	for k < maxCopies && g.rng.Float64() >= p {
		k++
	}
	return k
}

func (g *Generator) newID() string {
	g.seq++
	return fmt.Sprintf("w%07d", g.seq)
}

// root adds a corpus article to the unit as an original.
func (g *Generator) root(u *unitState, m, epoch int, recipe string) *art {
	g.used[m] = true
	ra := g.c.arts[m]
	a := &art{idx: len(u.arts), id: g.newID(), title: ra.title, source: ra.source, published: ra.published,
		story: ra.story, recipe: recipe, realID: ra.id, raw: ra.raw}
	a.root = a.idx
	var cipher map[string]string
	if epoch > 0 {
		cipher = g.cipher(epoch)
		a.raw = ""
		a.title = applyCipher(a.title, cipher)
		a.realID = fmt.Sprintf("%s@%d", ra.id, epoch)
		if !a.published.IsZero() {
			a.published = a.published.Add(time.Duration(epoch) * epochShift)
		}
	}
	if a.story == "" {
		a.story = "st-" + a.id
	} else if epoch > 0 {
		a.story = fmt.Sprintf("%s@%d", a.story, epoch)
	}
	for _, p := range ra.paras {
		ps := make([]sent, len(p))
		for j, s := range p {
			if cipher != nil {
				s = applyCipher(s, cipher)
			}
			ps[j] = sent{text: s, origin: u.nextID}
			u.nextID++
		}
		a.paras = append(a.paras, ps)
	}
	u.arts = append(u.arts, a)
	g.made++
	g.stats.Recipes[recipe]++
	return a
}

// pickRecipe draws a recipe; composites need a second outlet's report.
func (g *Generator) pickRecipe(u *unitState) string {
	x := g.rng.Float64()
	for _, rw := range recipeWeights {
		if x < rw.weight {
			if rw.recipe == RecipePartial && len(u.roots) > 1 && g.rng.IntN(2) == 0 {
				return RecipeComposite
			}
			return rw.recipe
		}
		x -= rw.weight
	}
	return RecipeCopy
}

// derive makes one derived article from original ri of the unit (or from
// an earlier reprint of it).
func (g *Generator) derive(u *unitState, ri int) {
	recipe := g.pickRecipe(u)
	parent := u.arts[ri]
	if recipe != RecipePartial && recipe != RecipeComposite && g.rng.Float64() < pChain {
		var earlier []*art
		for _, a := range u.arts[len(u.roots):] {
			if a.root == ri && a.recipe != RecipePartial && a.recipe != RecipeComposite {
				earlier = append(earlier, a)
			}
		}
		if len(earlier) > 0 {
			parent = earlier[g.rng.IntN(len(earlier))]
		}
	}
	c := &art{idx: len(u.arts), id: g.newID(), title: parent.title, story: parent.story,
		recipe: recipe, root: ri, parents: []int{parent.idx}, source: outletName(g.rng)}
	delay := g.rng.ExpFloat64()*meanDelay + 0.001
	c.vtime = parent.vtime + delay
	if !parent.published.IsZero() {
		c.published = parent.published.Add(time.Duration(delay * float64(delayUnit))).Truncate(time.Minute)
	}
	c.paras = parent.clone()
	web := true
	switch recipe {
	case RecipeDuplicate:
		if g.rng.IntN(3) == 0 {
			c.title = parent.title + " | " + c.source
		}
	case RecipeCopy, RecipeCopyOCR:
		g.trim(c, 0.55, 0.4, 0.9)
		g.dropParagraph(c, 0.2)
		g.eachSentence(c, 0.12, func(s string) (string, int) {
			out, ok := lightEdit(s, g.th, g.rng, 0.3)
			return out, b2i(ok)
		})
		if g.rng.Float64() < 0.25 {
			g.addLocal(u, c)
		}
		if recipe == RecipeCopyOCR {
			web = false
			rate := 0.01 + 0.03*g.rng.Float64()
			g.eachSentence(c, 1, func(s string) (string, int) {
				out, ok := ocrNoise(s, g.rng, rate)
				return out, b2i(ok)
			})
			c.title, _ = ocrNoise(c.title, g.rng, rate)
			c.chrome = makeScanChrome(g.rng, c.source, c.published)
			c.inlineAt = g.inlinePositions(len(c.paras), len(c.chrome.inline))
		}
	case RecipeSpin:
		g.trim(c, 0.2, 0.6, 0.95)
		rate := 0.5 + 0.4*g.rng.Float64()
		g.eachSentence(c, 1, func(s string) (string, int) {
			out, n := reword(s, g.th, g.rng, rate)
			if g.rng.Float64() < 0.5 {
				var m int
				out, m = roundTrip(out, g.rng, 0.5, 0.4)
				n += m
			}
			return out, n
		})
		if len(c.paras) > 3 && g.rng.Float64() < 0.3 {
			i := 1 + g.rng.IntN(len(c.paras)-2)
			c.paras[i], c.paras[i+1] = c.paras[i+1], c.paras[i]
		}
		c.title, _ = reword(c.title, g.th, g.rng, 0.5)
	case RecipeTranslation:
		g.trim(c, 0.5, 0.5, 0.9)
		g.dropParagraph(c, 0.3)
		rate := 0.4 + 0.3*g.rng.Float64()
		g.eachSentence(c, 1, func(s string) (string, int) {
			out, n := roundTrip(s, g.rng, 0.9, 0.8)
			out2, m := reword(out, g.th, g.rng, rate)
			return out2, n + m
		})
		g.splitSentences(c, 0.3)
		c.title, _ = reword(c.title, g.th, g.rng, 0.3)
	case RecipePartial:
		g.partial(u, c, parent)
	case RecipeComposite:
		g.composite(c, u)
	}
	if web && g.rng.Float64() < chromeShare[recipe] {
		related := g.relatedTitles(3)
		c.chrome = makeChrome(g.rng, c.source, c.title, c.published, related)
		c.inlineAt = g.inlinePositions(len(c.paras), len(c.chrome.inline))
	}
	u.arts = append(u.arts, c)
	g.made++
	g.stats.Recipes[recipe]++
}

// chromeShare is the chance that a derived article of each recipe is a web
// page with chrome (duplicates always are: a verbatim reprint found on the
// web is a page).
var chromeShare = map[string]float64{
	RecipeDuplicate: 1, RecipeCopy: 0.5, RecipeSpin: 0.5, RecipeTranslation: 0.4,
	RecipePartial: 0.5, RecipeComposite: 0.5,
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// levelFor turns a count of changes into a sentence level.
func levelFor(changes int) uint8 {
	switch {
	case changes <= 0:
		return levelVerbatim
	case changes == 1:
		return levelEdited
	}
	return levelReworded
}

// eachSentence applies f to each sentence with probability p; f returns
// the new text and its number of changes.
func (g *Generator) eachSentence(c *art, p float64, f func(string) (string, int)) {
	for _, para := range c.paras {
		for j := range para {
			if p < 1 && g.rng.Float64() >= p {
				continue
			}
			out, n := f(para[j].text)
			if n > 0 && out != para[j].text && countWords(out) > 0 {
				para[j].text = out
				para[j].level = max(para[j].level, levelFor(n))
			}
		}
	}
}

// trim keeps the first paragraphs (newspapers cut from the bottom), with
// probability p: a share of them drawn from [lo, hi].
func (g *Generator) trim(c *art, p, lo, hi float64) {
	n := len(c.paras)
	if n < 3 || g.rng.Float64() >= p {
		return
	}
	keep := int(math.Ceil(float64(n) * (lo + (hi-lo)*g.rng.Float64())))
	c.paras = c.paras[:min(max(keep, 1), n-1)]
}

// dropParagraph removes one middle paragraph with probability p.
func (g *Generator) dropParagraph(c *art, p float64) {
	if len(c.paras) < 4 || g.rng.Float64() >= p {
		return
	}
	i := 1 + g.rng.IntN(len(c.paras)-2)
	c.paras = slices.Delete(c.paras, i, i+1)
}

// splitSentences cuts long sentences at clause boundaries, each with
// probability p.
func (g *Generator) splitSentences(c *art, p float64) {
	for i, para := range c.paras {
		var out []sent
		for _, s := range para {
			if parts, ok := splitSentence(s.text); ok && g.rng.Float64() < p {
				for _, x := range parts {
					out = append(out, sent{text: x, origin: s.origin, level: max(s.level, levelReworded)})
				}
				continue
			}
			out = append(out, s)
		}
		c.paras[i] = out
	}
}

// addLocal adds one or two sentences of new text as a paragraph, as a
// local paper adds its own angle.
func (g *Generator) addLocal(u *unitState, c *art) {
	ss, _ := g.newText(10+g.rng.IntN(30), u.epoch)
	if len(ss) == 0 {
		return
	}
	para := make([]sent, len(ss))
	for i, s := range ss {
		para[i] = u.fresh(s)
	}
	at := 1 + g.rng.IntN(len(c.paras))
	c.paras = slices.Insert(c.paras, min(at, len(c.paras)), para)
}

// partial builds an article about something else (held-back text) that
// reuses a few sentences of the source: 2–8 sentences, 10–35% of its
// sentences, in one or two runs, some edited.
func (g *Generator) partial(u *unitState, c, src *art) {
	all := src.sentences()
	m := min(max(int(math.Round(float64(len(all))*(0.1+0.25*g.rng.Float64()))), 2), 8, len(all))
	start := g.rng.IntN(len(all) - m + 1)
	taken := slices.Clone(all[start : start+m])
	if m >= 4 && g.rng.IntN(2) == 0 { // a second run elsewhere
		k := m / 2
		taken = slices.Clone(all[start : start+k])
		s2 := g.rng.IntN(len(all) - (m - k) + 1)
		for _, s := range all[s2 : s2+m-k] {
			if !slices.ContainsFunc(taken, func(x sent) bool { return x.origin == s.origin }) {
				taken = append(taken, s)
			}
		}
	}
	words := 0
	for i := range taken {
		if g.rng.Float64() < 0.3 {
			if out, ok := lightEdit(taken[i].text, g.th, g.rng, 0.3); ok {
				taken[i].text, taken[i].level = out, max(taken[i].level, levelEdited)
			}
		} else if g.rng.Float64() < 0.15 {
			if out, n := reword(taken[i].text, g.th, g.rng, 0.3); n > 0 {
				taken[i].text, taken[i].level = out, max(taken[i].level, levelFor(n))
			}
		}
		words += countWords(taken[i].text)
	}
	fresh, title := g.newText(int(float64(words)*(1.5+2.5*g.rng.Float64())), u.epoch)
	var paras [][]sent
	var cur []sent
	for i, s := range fresh {
		cur = append(cur, u.fresh(s))
		if len(cur) >= 2+g.rng.IntN(3) || i == len(fresh)-1 {
			paras = append(paras, cur)
			cur = nil
		}
	}
	at := min(1+g.rng.IntN(len(paras)+1), len(paras))
	c.paras = slices.Insert(paras, at, taken)
	// Its event is undefined: mostly another article's, with background
	// from the source's. The truth leaves its story out (eval scores
	// stories over labelled articles only).
	c.story = ""
	if title != "" {
		c.title = title
	}
}

// composite merges two outlets' reports of one event: most of one (from
// the top) with a few sentences of another inserted.
func (g *Generator) composite(c *art, u *unitState) {
	main := u.arts[c.root]
	var others []int
	for _, r := range u.roots {
		if r != c.root {
			others = append(others, r)
		}
	}
	other := u.arts[others[g.rng.IntN(len(others))]]
	c.parents = append(c.parents, other.idx)
	g.trim(c, 1, 0.5, 0.85)
	osents := other.sentences()
	m := min(2+g.rng.IntN(4), len(osents))
	start := g.rng.IntN(len(osents) - m + 1)
	ins := slices.Clone(osents[start : start+m])
	at := 1 + g.rng.IntN(len(c.paras))
	c.paras = slices.Insert(c.paras, min(at, len(c.paras)), ins)
	g.eachSentence(c, 0.15, func(s string) (string, int) {
		out, ok := lightEdit(s, g.th, g.rng, 0.3)
		return out, b2i(ok)
	})
	if g.rng.IntN(2) == 0 {
		c.title = other.title
	} else {
		c.title = main.title
	}
}

// newText returns about words words of held-back text (whole sentences,
// at least one) and the title of the article it came from. Each held-back
// sentence is used once per filler epoch; later epochs cipher it.
func (g *Generator) newText(words, epoch int) ([]string, string) {
	var out []string
	title := ""
	n := 0
	for n < words || len(out) == 0 {
		f := &g.fill
		if f.art >= len(g.fillers) {
			f.art, f.para, f.sent = 0, 0, 0
			f.epoch++
			g.stats.FillerEpochs = f.epoch + 1
		}
		a := g.c.arts[g.fillers[f.art]]
		if f.para >= len(a.paras) {
			f.art++
			f.para, f.sent = 0, 0
			if len(out) > 0 {
				break // do not mix two articles' text
			}
			continue
		}
		p := a.paras[f.para]
		if f.sent >= len(p) {
			f.para++
			f.sent = 0
			continue
		}
		s := p[f.sent]
		f.sent++
		if title == "" {
			title = a.title
			if f.epoch > 0 {
				title = applyCipher(title, g.cipher(1000+f.epoch))
			}
		}
		if f.epoch > 0 {
			s = applyCipher(s, g.cipher(1000+f.epoch))
		}
		out = append(out, s)
		n += countWords(s)
	}
	return out, title
}

// relatedTitles picks titles of random corpus articles for chrome lists.
func (g *Generator) relatedTitles(k int) []string {
	var out []string
	for range k {
		if t := g.c.arts[g.rng.IntN(len(g.c.arts))].title; t != "" {
			out = append(out, t)
		}
	}
	return out
}

// inlinePositions spreads k inline chrome lines over the paragraph gaps.
func (g *Generator) inlinePositions(paras, k int) []int {
	if paras < 2 {
		return make([]int, k) // after the only paragraph
	}
	pos := make([]int, k)
	for i := range pos {
		pos[i] = g.rng.IntN(paras - 1)
	}
	slices.Sort(pos)
	return pos
}

// truth computes every pair of the unit that shares text, the copy groups
// and the records, and queues the records.
func (g *Generator) truth(u *unitState) {
	type share struct {
		words map[int32]int
		level map[int32]uint8
		text  map[int32]string // the words of the sentences with this origin
		total int
	}
	sh := make([]share, len(u.arts))
	for i, a := range u.arts {
		s := share{words: map[int32]int{}, level: map[int32]uint8{}, text: map[int32]string{}}
		for _, st := range a.sentences() {
			w := countWords(st.text)
			s.total += w
			s.words[st.origin] += w
			s.level[st.origin] = max(s.level[st.origin], st.level)
			s.text[st.origin] += strings.Join(normWords(st.text), " ") + " "
		}
		sh[i] = s
	}
	order := make([]int, len(u.arts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(u.arts[x].vtime, u.arts[y].vtime) })
	recs := make([]*Record, len(u.arts))
	parent := make([]int, len(u.arts)) // union-find over same-text pairs
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for k, j := range order { // j is the later article of each pair
		b := u.arts[j]
		rec := &Record{ID: b.id, Title: b.title, Source: b.source, Text: b.text(), Story: b.story, Recipe: b.recipe}
		if b.recipe == RecipeOriginal || b.recipe == RecipeDistractor {
			rec.RealID = b.realID
		}
		if !b.published.IsZero() {
			rec.Published = b.published.UTC().Format(time.RFC3339)
		}
		for _, i := range order[:k] {
			a := u.arts[i]
			var inA, inB, verb, rew int
			for o, w := range sh[j].words {
				if _, ok := sh[i].words[o]; !ok {
					continue
				}
				inB += w
				// Relative to each other, two sentences are verbatim when
				// their words are; else they differ as much as either
				// differs from the origin.
				lv := max(sh[j].level[o], sh[i].level[o], levelEdited)
				if sh[j].text[o] == sh[i].text[o] {
					lv = levelVerbatim
				}
				switch lv {
				case levelVerbatim:
					verb += w
				case levelReworded:
					rew += w
				}
			}
			if inB == 0 {
				continue
			}
			for o, w := range sh[i].words {
				if _, ok := sh[j].words[o]; ok {
					inA += w
				}
			}
			covB := float64(inB) / float64(max(sh[j].total, 1))
			covA := float64(inA) / float64(max(sh[i].total, 1))
			kind := pairKind(covB, covA, float64(verb)/float64(inB), float64(rew)/float64(inB))
			if kind == "" {
				continue
			}
			direct := slices.Contains(b.parents, i)
			rec.DerivedFrom = append(rec.DerivedFrom, Derivation{ID: a.id, Coverage: math.Round(covB*1000) / 1000, Kind: kind, Direct: direct})
			g.stats.Pairs[string(kind)]++
			if direct {
				g.stats.Direct[string(kind)]++
				g.stats.Jaccard[b.recipe] = append(g.stats.Jaccard[b.recipe], ShingleJaccard(rec.Text, a.text(), 5))
			}
			if kind.SameText() {
				parent[find(j)] = find(i)
			}
		}
		recs[j] = rec
	}
	size := map[int]int{}
	for i := range u.arts {
		size[find(i)]++
	}
	label := map[int]string{} // a group is named after its earliest member
	for _, j := range order {
		r := find(j)
		if size[r] < 2 {
			continue
		}
		if _, ok := label[r]; !ok {
			label[r] = "cg-" + u.arts[j].id
			g.stats.CopyGroups++
		}
		recs[j].CopyGroup = label[r]
	}
	for _, j := range order {
		heap.Push(&g.queue, queued{u.arts[j].vtime, u.arts[j].id, recs[j]})
	}
}

// pairKind labels a pair from the truth, by the definitions of
// wiretrace.Label: covCopy and covSource are the shares of each side's
// words in shared sentences, verbatim and reworded the shares of the
// copy's shared words in sentences left verbatim or reworded. Below
// minTrueShare on both sides there is no derivation.
func pairKind(covCopy, covSource, verbatim, reworded float64) wiretrace.Label {
	hi, lo := max(covCopy, covSource), min(covCopy, covSource)
	switch {
	case hi < minTrueShare:
		return ""
	case hi < 0.5:
		return wiretrace.Partial // a minority of either text
	case lo >= 0.9 && verbatim >= 0.9:
		return wiretrace.Duplicate // near-verbatim both ways
	case reworded >= 0.5:
		return wiretrace.Rewrite // most of it, mostly reworded
	}
	return wiretrace.Copy // most of one in the other, trimmed or lightly edited
}

// queued is a record waiting for its virtual time.
type queued struct {
	t   float64
	id  string
	rec *Record
}

type recordQueue []queued

func (q recordQueue) Len() int { return len(q) }
func (q recordQueue) Less(i, j int) bool {
	return q[i].t < q[j].t || q[i].t == q[j].t && q[i].id < q[j].id
}
func (q recordQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *recordQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *recordQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// flush emits the queued records with a virtual time before t.
func (g *Generator) flush(t float64, emit func(*Record) error) error {
	for g.queue.Len() > 0 && g.queue[0].t < t {
		q := heap.Pop(&g.queue).(queued)
		g.stats.Articles++
		if err := emit(q.rec); err != nil {
			return err
		}
	}
	return nil
}

// cipher returns the word permutation of a cipher epoch: every word
// outside the most frequent ones swapped with another of about the same
// corpus frequency, so that ciphered text has the statistics of the
// corpus but shares no content words with the text it came from.
func (g *Generator) cipher(epoch int) map[string]string {
	if m, ok := g.ciphers[epoch]; ok {
		return m
	}
	rng := rand.New(rand.NewPCG(g.o.Seed^0x636970686572, uint64(epoch)))
	m := map[string]string{}
	var band []string
	flush := func() {
		perm := rng.Perm(len(band))
		for i, w := range band {
			if t := band[perm[i]]; t != w {
				m[w] = t
			}
		}
		band = band[:0]
	}
	for _, w := range g.vocabRank {
		if len(w) < 3 || functionWord(w) {
			continue
		}
		band = append(band, w)
		if len(band) == cipherBand {
			flush()
		}
	}
	flush()
	// Digits are permuted too (0 stays 0, so no number gains a leading
	// zero): a ciphered table of figures is not the table it came from.
	digits := rng.Perm(9)
	for d := range 9 {
		m[string(rune('1'+d))] = string(rune('1' + digits[d]))
	}
	g.ciphers[epoch] = m
	return m
}

// applyCipher replaces every word of s found in the cipher, keeping its
// capitalisation and punctuation, and every digit by the cipher's digit
// permutation ("1" … "9").
func applyCipher(s string, m map[string]string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		pre, core, post := splitAffixes(f)
		if letters(core) {
			if t, ok := m[strings.ToLower(core)]; ok {
				fields[i] = pre + applyCase(t, caseOf(core)) + post
			}
			continue
		}
		if strings.ContainsAny(f, "123456789") {
			b := []byte(f)
			for k, c := range b {
				if c >= '1' && c <= '9' {
					if t, ok := m[string(c)]; ok {
						b[k] = t[0]
					}
				}
			}
			fields[i] = string(b)
		}
	}
	return strings.Join(fields, " ")
}
