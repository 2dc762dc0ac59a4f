package engine

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/extract"
	"github.com/wiretrace/wiretrace/internal/mix"
	"github.com/wiretrace/wiretrace/lsh"
	"github.com/wiretrace/wiretrace/sketch"
	"github.com/wiretrace/wiretrace/story"
	"github.com/wiretrace/wiretrace/textnorm"
)

// Expected rejections of Prepare; callers count them.
var (
	// ErrEmpty: the article has no text left after page chrome is removed.
	ErrEmpty = errors.New("no article text")
	// ErrTooLarge: the article's text is over Options.MaxBytes.
	ErrTooLarge = errors.New("article too large")
	// ErrNoID: the article has no id.
	ErrNoID = errors.New("article has no id")
)

// Prepared is an article with everything the engine derives from it alone:
// it depends on nothing else in the index, so articles are prepared in
// parallel and added in order.
type Prepared struct {
	Article wiretrace.Article // Text kept; HTML dropped
	Doc     align.Doc         // sentence features for alignment
	// Sentences are the byte spans of the sentences in Article.Text, in
	// the order of Doc.Sentences.
	Sentences []textnorm.Span
	// DocKeys are the document-level LSH band keys.
	DocKeys []uint64
	// SentKeys are the sentence-level LSH band keys, SentenceBands per
	// sentence in sentence order; sentences too short to index have none
	// and are listed in SentIndexed as false.
	SentKeys    []uint64
	SentIndexed []bool
	indexed     int // number of true entries in SentIndexed
	// Terms are the article's content terms with their raw event weight
	// (term frequency with entity, number and headline boosts, before IDF),
	// for story clustering: prepared at LevelStories only.
	Terms []story.Weighted
	Bytes int // size of the text in bytes

	// Document-only preparation (LevelNearDup): no sentences, terms or
	// sentence keys; Judge compares these instead.
	//
	// Sig is the document MinHash signature (the low 32 bits of each
	// bin), Shingles the number of word shingles it was computed over,
	// and Exact a hash of the whole word sequence.
	Sig      []uint32
	Shingles int
	Exact    uint64
}

// DocumentOnly reports whether p was prepared at LevelNearDup: it carries
// a document signature but no sentences.
func (p *Prepared) DocumentOnly() bool { return p.Sig != nil }

// sentenceKeys calls fn with each indexed sentence and its band keys.
func (p *Prepared) sentenceKeys(bands int, fn func(sentence int, keys []uint64)) {
	k := 0
	for i, ok := range p.SentIndexed {
		if ok {
			fn(i, p.SentKeys[k*bands:(k+1)*bands])
			k++
		}
	}
}

// Words returns the article's word count (chrome excluded, except at
// LevelNearDup, which takes the text as it stands).
func (p *Prepared) Words() int { return p.Doc.Words }

// Preparer turns articles into Prepared ones. It holds per-goroutine
// buffers: not safe for concurrent use; use one per worker.
type Preparer struct {
	opts  Options
	an    *textnorm.Analyzer
	wh    *textnorm.WordHasher
	doc   textnorm.Doc // the article being prepared
	hbuf  []uint64
	sbuf  []uint64
	sig   []uint64
	stats []termStat       // buildTerms: per term, in order of first sight
	index map[uint32]int32 // buildTerms: term → its entry in stats
	order []uint64         // buildTerms: term<<32 | entry, for sorting
	toks  []textnorm.Token // buildTerms: title tokens
	// buildAlignDoc, per entry of the Doc's Terms: its base weight, and
	// whether the term is too common for sentence sketches (read by
	// buildSentKeys); ents is scratch, term<<32 | token.
	base   []float32
	common []bool
	ents   []uint64
}

// termStat gathers a term's occurrences for buildTerms.
type termStat struct {
	term     uint32
	tf       float64
	caps, in int
	number   bool
}

// NewPreparer returns a Preparer for opts (which must be valid).
func NewPreparer(opts Options) *Preparer {
	return &Preparer{opts: opts.withDefaults(), an: textnorm.NewAnalyzer(), wh: textnorm.NewWordHasher(), index: map[uint32]int32{}}
}

// Prepare analyses one article. Errors wrap ErrNoID, ErrTooLarge or
// ErrEmpty and name the article.
func (pr *Preparer) Prepare(a wiretrace.Article) (*Prepared, error) {
	o := &pr.opts
	if strings.TrimSpace(a.ID) == "" {
		return nil, fmt.Errorf("prepare %s: %w", a.Origin, ErrNoID)
	}
	if strings.TrimSpace(a.Text) == "" && a.HTML != "" {
		var err error
		if a, err = fromHTML(a, o); err != nil {
			return nil, err
		}
	}
	if len(a.Text) > o.MaxBytes {
		return nil, fmt.Errorf("prepare %s: %w (%d bytes, limit %d)", name(&a), ErrTooLarge, len(a.Text), o.MaxBytes)
	}
	if !utf8.ValidString(a.Text) {
		a.Text = strings.ToValidUTF8(a.Text, "\uFFFD")
	}
	a.HTML, a.Charset = "", ""
	if o.Level == LevelNearDup {
		return pr.prepareDocument(a)
	}
	// The paragraphs serve the credits and the analysis.
	paras := textnorm.Paragraphs(a.Text)
	enrich(&a, paras)
	// td is reused by the next call: nothing of it may end up in p.
	td := &pr.doc
	pr.an.AnalyzeParasTo(td, a.Text, paras, extract.Chrome)
	if len(td.Sentences) == 0 {
		return nil, fmt.Errorf("prepare %s: %w", name(&a), ErrEmpty)
	}
	if a.Title == "" {
		a.Title = inferTitle(td)
	}
	p := &Prepared{Article: a, Bytes: len(a.Text)}
	p.Sentences = make([]textnorm.Span, len(td.Sentences))
	for i, s := range td.Sentences {
		p.Sentences[i] = s.Span
	}
	pr.buildAlignDoc(p, td)
	pr.buildDocKeys(p, td)
	pr.buildSentKeys(p)
	if o.Level >= LevelStories {
		pr.buildTerms(p, td)
	}
	return p, nil
}

// prepareDocument prepares a only for document-level comparison
// (LevelNearDup): its words are hashed and sketched as they stand. Page
// chrome is not filtered, and no credits or printed dates are read from
// the text (metadata from the input or from a page's markup is kept):
// the cost is a few microseconds per kilobyte.
func (pr *Preparer) prepareDocument(a wiretrace.Article) (*Prepared, error) {
	o := &pr.opts
	pr.hbuf = pr.wh.Append(pr.hbuf[:0], a.Text)
	if len(pr.hbuf) == 0 {
		return nil, fmt.Errorf("prepare %s: %w", name(&a), ErrEmpty)
	}
	p := &Prepared{Article: a, Bytes: len(a.Text)}
	p.Doc.Words = len(pr.hbuf)
	var exact uint64 // a polynomial hash of the word sequence
	for _, h := range pr.hbuf {
		exact = exact*0x9e3779b97f4a7c15 + h
	}
	p.Exact = mixSeed(exact, uint64(len(pr.hbuf)))
	pr.sbuf = sketch.Shingles(pr.sbuf[:0], pr.hbuf, o.ShingleSize)
	p.Shingles = len(pr.sbuf)
	pr.sig = sketch.MinHash(pr.sig, pr.sbuf, o.SignatureSize)
	p.Sig = make([]uint32, len(pr.sig))
	for i, v := range pr.sig {
		p.Sig[i] = uint32(v)
	}
	p.DocKeys = lsh.Keys(nil, pr.sig, o.docBands, o.docRows)
	return p, nil
}

// fromHTML extracts the main text and metadata of a page. Fields the input
// already set (id, title, URL, source, dates, language) win over what the
// page says.
func fromHTML(a wiretrace.Article, o *Options) (wiretrace.Article, error) {
	x, err := extract.HTML(strings.NewReader(a.HTML), a.URL, extract.Options{MaxBytes: int64(o.MaxBytes) * 4, Charset: a.Charset})
	if err != nil {
		return a, fmt.Errorf("extract %s: %w", name(&a), err)
	}
	a.Text = x.Text
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&a.Title, x.Title)
	set(&a.URL, x.URL)
	set(&a.Source, x.Source)
	set(&a.Lang, x.Lang)
	set(&a.Byline, x.Byline)
	set(&a.Dateline, x.Dateline)
	if a.Published.IsZero() {
		a.Published = x.Published
	}
	if a.Updated.IsZero() {
		a.Updated = x.Updated
	}
	if len(a.Credits) == 0 {
		a.Credits = x.Credits
	}
	return a, nil
}

// enrich reads wire credits, the dateline and printed dates from plain
// text when the input did not give them. A page that prints only an update
// time is taken to have been published then. paras are the text's
// paragraphs.
func enrich(a *wiretrace.Article, paras []textnorm.Span) {
	if len(a.Credits) == 0 {
		credits, dateline := extract.CreditsIn(a.Text, paras)
		a.Credits = credits
		if a.Dateline == "" {
			a.Dateline = dateline
		}
	}
	if a.Published.IsZero() {
		pub, upd := extract.Dates(a.Text)
		a.Published = pub
		if a.Updated.IsZero() {
			a.Updated = upd
		}
		if a.Published.IsZero() {
			a.Published = a.Updated
		}
	}
}

// name identifies an article in messages: its id, and where it was read.
func name(a *wiretrace.Article) string {
	if a.Origin == "" || a.Origin == a.ID {
		return a.ID
	}
	return a.ID + " (" + a.Origin + ")"
}

// inferTitle takes a first paragraph that reads like a headline: short and
// without closing punctuation.
func inferTitle(td *textnorm.Doc) string {
	for i, sp := range td.Paras {
		if td.Skip[i] {
			continue
		}
		t := strings.TrimSpace(td.Text[sp.Start:sp.End])
		n := len(strings.Fields(t))
		last, _ := utf8.DecodeLastRuneInString(t)
		if n >= 3 && n <= 20 && !strings.ContainsRune(".!?\"”", last) {
			return t
		}
		return ""
	}
	return ""
}

func (pr *Preparer) buildAlignDoc(p *Prepared, td *textnorm.Doc) {
	d := &p.Doc
	d.Sentences = make([]align.Sentence, len(td.Sentences))
	pr.base, pr.common = pr.base[:0], pr.common[:0]
	limit := uint32(commonDF * float64(textnorm.BackgroundDocs()))
	for si, s := range td.Sentences {
		toks := td.Tokens[s.Tok[0]:s.Tok[1]]
		off := len(d.Terms)
		exact := uint64(len(toks))
		// The sentence's distinct content terms, sorted, each with the
		// background statistics its (first) token carries: they are the
		// term's, whichever token brought it.
		ents := pr.ents[:0]
		for k, t := range toks {
			exact = mixSeed(exact^t.Hash, 17)
			if t.Content {
				ents = append(ents, uint64(uint32(t.StemHash))<<32|uint64(k))
			}
		}
		slices.Sort(ents)
		last := -1
		for _, e := range ents {
			term := uint32(e >> 32)
			if last >= 0 && term == d.Terms[last] {
				continue
			}
			t := &toks[uint32(e)]
			d.Terms = append(d.Terms, term)
			pr.base = append(pr.base, t.Weight)
			pr.common = append(pr.common, t.DF > limit)
			last = len(d.Terms) - 1
		}
		pr.ents = ents
		n := len(d.Terms) - off
		as := align.Sentence{
			Off:    uint32(off),
			NTerms: uint16(min(n, 65535)),
			Words:  uint16(min(len(toks), 65535)),
			Exact:  uint32(exact),
			Shape:  shape(toks),
		}
		d.Sentences[si] = as
		d.Words += len(toks)
	}
	d.SetWeightsOf(pr.base)
}

// shape is a MinHash of a sentence's word bigrams, 16 bits per value.
func shape(toks []textnorm.Token) [align.ShapeSize]uint16 {
	var out [align.ShapeSize]uint16
	var mins [align.ShapeSize]uint64
	for k := range mins {
		mins[k] = ^uint64(0)
	}
	for i := 0; i+1 < len(toks); i++ {
		b := toks[i].Hash*31 ^ toks[i+1].Hash
		for k := range mins {
			v := mixSeed(b, uint64(k))
			if v < mins[k] {
				mins[k] = v
			}
		}
	}
	if len(toks) == 1 {
		for k := range mins {
			mins[k] = mixSeed(toks[0].Hash, uint64(k))
		}
	}
	for k, m := range mins {
		out[k] = uint16(m >> 48)
	}
	return out
}

// mixSeed is the finaliser of x keyed by k.
func mixSeed(x, k uint64) uint64 { return mix.Fmix64(x ^ (k+1)*0x9e3779b97f4a7c15) }

func (pr *Preparer) buildDocKeys(p *Prepared, td *textnorm.Doc) {
	o := &pr.opts
	pr.hbuf = pr.hbuf[:0]
	for _, t := range td.Tokens {
		pr.hbuf = append(pr.hbuf, t.Hash)
	}
	pr.sbuf = sketch.Shingles(pr.sbuf[:0], pr.hbuf, o.ShingleSize)
	pr.sig = sketch.MinHash(pr.sig, pr.sbuf, o.SignatureSize)
	p.DocKeys = lsh.Keys(nil, pr.sig, o.docBands, o.docRows)
}

// buildSentKeys sketches the sentences with enough distinctive terms; it
// reads pr.common, which buildAlignDoc filled for p.
func (pr *Preparer) buildSentKeys(p *Prepared) {
	o := &pr.opts
	p.SentIndexed = make([]bool, len(p.Doc.Sentences))
	var elems []uint64
	for i, s := range p.Doc.Sentences {
		elems = distinctive(elems[:0], p.Doc.SentenceTerms(i), pr.common[s.Off:])
		if len(elems) < o.MinSentenceTerms {
			continue
		}
		p.SentIndexed[i] = true
		p.indexed++
		sig := sketch.Sentence(elems)
		p.SentKeys = lsh.Keys(p.SentKeys, sig[:], o.SentenceBands, o.SentenceRows)
	}
}

// commonDF is the background document share above which a term is too
// common to identify a sentence ("year", "company", "said", "mln"): such
// terms are left out of sentence sketches, so two sentences collide on what
// is particular to them rather than on the vocabulary of a whole beat.
const commonDF = 0.05

// distinctive appends the terms that are not too common to dst; common[k]
// says whether terms[k] is.
func distinctive(dst []uint64, terms []uint32, common []bool) []uint64 {
	for k, t := range terms {
		if !common[k] {
			dst = append(dst, uint64(t))
		}
	}
	return dst
}

// Boosts applied to a term's event weight.
const (
	entityBoost   = 1.6 // mostly capitalised inside sentences: a name
	numberBoost   = 1.3 // a number other than a year
	headlineBoost = 2.0 // extra count for each headline occurrence
	leadBoost     = 0.5 // extra count for each occurrence in the first two sentences
)

func (pr *Preparer) buildTerms(p *Prepared, td *textnorm.Doc) {
	clear(pr.index)
	pr.stats = pr.stats[:0]
	// A term's number flag comes from its first token (two stems may
	// share a term id).
	get := func(t *textnorm.Token) *termStat {
		k := uint32(t.StemHash)
		i, ok := pr.index[k]
		if !ok {
			i = int32(len(pr.stats))
			pr.index[k] = i
			pr.stats = append(pr.stats, termStat{term: k, number: t.Kind == textnorm.Number && !isYear(t.Norm)})
		}
		return &pr.stats[i]
	}
	for si, s := range td.Sentences {
		for ti := s.Tok[0]; ti < s.Tok[1]; ti++ {
			t := &td.Tokens[ti]
			if !t.Content {
				continue
			}
			st := get(t)
			st.tf++
			if si < 2 {
				st.tf += leadBoost
			}
			if ti > s.Tok[0] { // sentence-initial capitals say nothing
				st.in++
				if t.Cap {
					st.caps++
				}
			}
		}
	}
	if p.Article.Title != "" {
		title := p.Article.Title
		pr.toks = pr.an.Tokens(pr.toks[:0], title, 0, len(title))
		for i := range pr.toks {
			if t := &pr.toks[i]; t.Content {
				get(t).tf += headlineBoost
			}
		}
	}
	// Terms in increasing order; each term is in stats once.
	pr.order = pr.order[:0]
	for i, s := range pr.stats {
		pr.order = append(pr.order, uint64(s.term)<<32|uint64(i))
	}
	slices.Sort(pr.order)
	p.Terms = make([]story.Weighted, 0, len(pr.stats))
	for _, o := range pr.order {
		s := &pr.stats[uint32(o)]
		w := 1 + logf(s.tf)
		if s.in > 0 && s.caps*2 > s.in {
			w *= entityBoost
		}
		if s.number {
			w *= numberBoost
		}
		p.Terms = append(p.Terms, story.Weighted{Term: s.term, Weight: float32(w)})
	}
}

func logf(x float64) float64 { return math.Log(x) }

func isYear(n string) bool {
	return len(n) == 4 && (strings.HasPrefix(n, "19") || strings.HasPrefix(n, "20"))
}
