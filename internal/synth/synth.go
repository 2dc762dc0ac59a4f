// Package synth synthesises large, deterministic news corpora for
// benchmarking deduplication from a small set of real articles.
//
// Most synthetic articles are "fresh": paragraphs of one to three real
// articles with most words replaced by words drawn from the sources'
// vocabulary, so that they are unrelated to each other while keeping the
// shape of news text (sentence and paragraph lengths, punctuation,
// capitalisation, numbers). The rest derive from a recent synthetic
// article, the way copies arise in news corpora: exact duplicates, light
// edits (dropped and changed words), trimmed copies, reworded copies
// (sentences shuffled and some replaced) and partial reuse (a few sentences
// taken into a fresh article). Copies of copies make chains and groups.
//
// The same sources, Options and seed give the same corpus, byte for byte.
// Cost: the sources and a window of Options.Window recent articles stay in
// memory.
package synth

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Source is one real article to synthesise from.
type Source struct {
	Title  string `json:"title"`
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Article is one synthetic article, in wiretrace's JSONL input format.
type Article struct {
	ID        string `json:"id"`
	Source    string `json:"source"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Text      string `json:"text"`
	// Derived says how the article was made: "fresh", "duplicate",
	// "edited", "trimmed", "reworded" or "partial" (and of which article,
	// in Of). Readers ignore these fields; they document the ground truth.
	Derived string `json:"derived"`
	Of      string `json:"of,omitempty"`
}

// Options shape a corpus. The zero value means the defaults.
type Options struct {
	// CopyShare is the share of articles derived from an earlier one.
	// Default 0.3.
	CopyShare float64
	// MeanBytes is the mean text size a fresh article aims at (short
	// sources can leave it shorter). Default 3600.
	MeanBytes int
	// Replace is the share of words replaced in a fresh article. Default
	// 0.85.
	Replace float64
	// Window is how many recent articles copies are drawn from. Default
	// 20000.
	Window int
	// Start is the publication time of the first article; articles follow
	// at about two per minute. Default 2020-01-01.
	Start time.Time
}

func (o Options) withDefaults() Options {
	if o.CopyShare == 0 {
		o.CopyShare = 0.3
	}
	if o.MeanBytes == 0 {
		o.MeanBytes = 3600
	}
	if o.Replace == 0 {
		o.Replace = 0.85
	}
	if o.Window == 0 {
		o.Window = 20000
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return o
}

// ReadSources reads JSONL articles with a "text" field; lines without text
// are skipped.
func ReadSources(r io.Reader) ([]Source, error) {
	var out []Source
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var s Source
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil || strings.TrimSpace(s.Text) == "" {
			continue
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// Generator produces synthetic articles one by one.
type Generator struct {
	opts   Options
	rng    *rand.Rand
	srcs   []Source
	paras  [][]string // per source, its paragraphs
	vocab  []string   // words of the sources, with repetitions (so by frequency)
	types  []string   // distinct words of the sources
	recent []Article  // ring of the last Window articles
	n      int
}

// ErrNoSources: a generator needs at least one source with words.
var ErrNoSources = errors.New("synth: no source text")

// New returns a generator over srcs.
func New(srcs []Source, seed uint64, opts Options) (*Generator, error) {
	g := &Generator{opts: opts.withDefaults(), rng: rand.New(rand.NewPCG(seed, 0x5eed)), srcs: srcs}
	for _, s := range srcs {
		g.paras = append(g.paras, paragraphs(s.Text))
		for w := range strings.FieldsSeq(s.Text) {
			if w = strings.TrimFunc(w, notWordRune); len(w) > 1 && len(g.vocab) < 4<<20 {
				g.vocab = append(g.vocab, strings.ToLower(w))
			}
		}
	}
	if len(g.vocab) == 0 {
		return nil, ErrNoSources
	}
	seen := map[string]bool{}
	for _, w := range g.vocab {
		if !seen[w] {
			seen[w] = true
			g.types = append(g.types, w)
		}
	}
	return g, nil
}

// paragraphs splits text at blank lines and at indented lines (hard-wrapped
// wire copy like Reuters-21578), joining the lines of a paragraph.
func paragraphs(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = cur[:0]
		}
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			flush()
			continue
		}
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			flush()
		}
		cur = append(cur, t)
	}
	flush()
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// Next returns the next article.
func (g *Generator) Next() Article {
	o := &g.opts
	id := fmt.Sprintf("syn-%08d", g.n)
	pub := o.Start.Add(time.Duration(g.n)*30*time.Second + time.Duration(g.rng.Int64N(int64(6*time.Hour))))
	var a Article
	if len(g.recent) > 0 && g.rng.Float64() < o.CopyShare {
		a = g.derive(g.recent[g.rng.IntN(len(g.recent))])
	} else {
		a = g.fresh()
	}
	a.ID = id
	a.Published = pub.Format(time.RFC3339)
	if len(g.recent) < o.Window {
		g.recent = append(g.recent, a)
	} else {
		g.recent[g.n%o.Window] = a
	}
	g.n++
	return a
}

// fresh builds an unrelated article from the paragraphs of random sources.
func (g *Generator) fresh() Article {
	o := &g.opts
	target := o.MeanBytes/2 + g.rng.IntN(o.MeanBytes+1)
	var b strings.Builder
	first := g.rng.IntN(len(g.srcs))
	src := g.srcs[first]
	for k := 0; b.Len() < target && k < 3; k++ {
		ps := g.paras[first]
		if k > 0 {
			ps = g.paras[g.rng.IntN(len(g.paras))]
		}
		for _, p := range ps {
			if b.Len() >= target {
				break
			}
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(g.replaceWords(p, o.Replace))
		}
	}
	return Article{Source: src.Source, Title: g.replaceWords(src.Title, o.Replace), Text: b.String(), Derived: "fresh"}
}

// replaceWords replaces each word with a vocabulary word with probability
// p, keeping punctuation and the capitalisation of the first letter.
func (g *Generator) replaceWords(s string, p float64) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if notWordRune(r) {
				break
			}
			j += n
		}
		if j == i { // a separator
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		w := s[i:j]
		if g.rng.Float64() < p {
			nw := g.word()
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
				nw = capitalise(nw)
			}
			w = nw
		}
		b.WriteString(w)
		i = j
	}
	return b.String()
}

// word draws a replacement word: half the time by frequency in the
// sources (common words stay common), half the time uniformly over the
// distinct words (so that, as in real news, each article brings names and
// terms of its own instead of sharing a few middling ones with every
// other).
func (g *Generator) word() string {
	if g.rng.IntN(2) == 0 {
		return g.vocab[g.rng.IntN(len(g.vocab))]
	}
	return g.types[g.rng.IntN(len(g.types))]
}

func capitalise(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

// derive makes a copy of a.
func (g *Generator) derive(a Article) Article {
	out := Article{Source: fmt.Sprintf("outlet-%d", g.rng.IntN(500)), Title: a.Title, Of: a.ID}
	paras := strings.Split(a.Text, "\n\n")
	switch x := g.rng.Float64(); {
	case x < 0.15:
		out.Derived, out.Text = "duplicate", a.Text
	case x < 0.45:
		out.Derived = "edited"
		for i, p := range paras {
			paras[i] = g.editWords(p, 0.04)
		}
		out.Text = strings.Join(paras, "\n\n")
	case x < 0.65:
		out.Derived = "trimmed"
		keep := max(1, len(paras)*(60+g.rng.IntN(35))/100)
		out.Text = strings.Join(paras[:keep], "\n\n")
	case x < 0.85:
		out.Derived = "reworded"
		sents := sentences(a.Text)
		for i := range sents {
			switch y := g.rng.Float64(); {
			case y < 0.2:
				sents[i] = g.replaceWords(sents[i], 0.9) // a sentence of someone else's
			case y < 0.6:
				sents[i] = g.editWords(sents[i], 0.15)
			}
		}
		// Swap a few neighbouring sentences.
		for range len(sents) / 6 {
			if len(sents) > 1 {
				i := g.rng.IntN(len(sents) - 1)
				sents[i], sents[i+1] = sents[i+1], sents[i]
			}
		}
		out.Text = joinParas(sents, 3)
	default:
		out.Derived = "partial"
		f := g.fresh()
		sents := sentences(f.Text)
		taken := sentences(a.Text)
		for range 2 + g.rng.IntN(3) {
			if len(taken) == 0 {
				break
			}
			s := taken[g.rng.IntN(len(taken))]
			at := g.rng.IntN(len(sents) + 1)
			sents = append(sents[:at], append([]string{s}, sents[at:]...)...)
		}
		out.Title = f.Title
		out.Text = joinParas(sents, 3)
	}
	return out
}

// editWords drops or replaces words with probability p each.
func (g *Generator) editWords(s string, p float64) string {
	ws := strings.Fields(s)
	out := ws[:0]
	for _, w := range ws {
		switch x := g.rng.Float64(); {
		case x < p/2:
			continue
		case x < p:
			w = g.word()
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// sentences splits text at sentence ends (". ", "? ", "! " and paragraph
// breaks), crudely: the engine's own segmentation decides what it sees.
func sentences(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		start := 0
		for i := 0; i+1 < len(p); i++ {
			if (p[i] == '.' || p[i] == '?' || p[i] == '!') && p[i+1] == ' ' {
				out = append(out, strings.TrimSpace(p[start:i+1]))
				start = i + 2
			}
		}
		if s := strings.TrimSpace(p[start:]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinParas(sents []string, per int) string {
	var b strings.Builder
	for i, s := range sents {
		switch {
		case i == 0:
		case i%per == 0:
			b.WriteString("\n\n")
		default:
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}
