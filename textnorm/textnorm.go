// Package textnorm turns article text into normalised tokens and sentences.
//
// Every token and sentence keeps its byte offsets into the original text, so
// alignments can point back at what the reader sees. Normalisation is Unicode
// NFKC plus case folding per token, numbers in one canonical form ("70,000"
// and "70000" are the same token; "seven" is "7"), possessives stripped, and
// an English Snowball stem for content words. Function words are marked so
// later stages can ignore them.
//
// Cost: one pass over the text; word analysis is cached per Analyzer, so
// the steady state is one cache line read per word. An Analyzer is not safe
// for concurrent use; give each goroutine its own. Its caches grow with the
// vocabulary it reads, to about 15 MiB (a word cache of up to 8 MiB, 2 MiB
// of normalised strings, a stem cache).
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/words"
	"github.com/kljensen/snowball/english"
	"github.com/zeebo/xxh3"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Kind classifies a token.
type Kind uint8

// Token kinds.
const (
	Word   Kind = iota // letters, possibly with digits
	Number             // digits, possibly with separators
)

// Token is one word or number of a text.
type Token struct {
	Start, End int    // byte offsets of the token in the original text
	Norm       string // NFKC, case-folded, canonical number form, possessive stripped
	Stem       string // Snowball stem of Norm for content words; Norm otherwise
	Hash       uint64 // xxh3 of Norm
	StemHash   uint64 // xxh3 of Stem
	Kind       Kind
	Content    bool // not a function word
	Cap        bool // first letter upper case in the original (a named-entity hint)
	// Background statistics of a content token's term (uint32 of
	// StemHash), 0 for other tokens: TermWeight and BackgroundDF, looked
	// up once per distinct word rather than once per use.
	Weight float32
	DF     uint32
}

// Analyzer normalises and tokenises text. The zero value is not usable; call
// NewAnalyzer. Not safe for concurrent use.
type Analyzer struct {
	fold   cases.Caser
	stems  map[uint64]stemEntry  // by xxh3 of the normalised form
	tokens *tokenCache           // words of up to 16 bytes, as written; made on first use
	long   map[string]tokenEntry // longer words, as written
}

// tokenEntry is everything appendToken derives from a word as written (all
// of a Token but its offsets), or drop for a word that normalises to
// nothing.
type tokenEntry struct {
	norm, stem     string
	hash, stemHash uint64
	weight         float32
	df             uint32
	kind           Kind
	content, cap   bool
	drop           bool
}

type stemEntry struct {
	stem string
	hash uint64
}

// maxStemCache bounds the stem cache and maxLongCache the cache of words
// longer than the token cache takes; each is reset when full.
const (
	maxStemCache = 1 << 17
	maxLongCache = 1 << 12
)

// NewAnalyzer returns an Analyzer with empty caches.
func NewAnalyzer() *Analyzer {
	return &Analyzer{fold: cases.Fold(), stems: make(map[uint64]stemEntry, 4096), long: make(map[string]tokenEntry)}
}

// Tokens appends the word and number tokens of text[start:end] to dst and
// returns it. Offsets are relative to text, not to start.
func (a *Analyzer) Tokens(dst []Token, text string, start, end int) []Token {
	it := words.FromString(text[start:end])
	for it.Next() {
		v := it.Value()
		if !isWordish(v) {
			continue
		}
		s, e := start+it.Start(), start+it.End()
		dst = a.appendToken(dst, v, s, e)
	}
	return dst
}

// isWordish reports whether a segment holds a letter or digit.
func isWordish(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				return true
			}
			continue
		}
		for _, r := range v[i:] {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return true
			}
		}
		return false
	}
	return false
}

func (a *Analyzer) appendToken(dst []Token, v string, s, e int) []Token {
	te := a.lookup(v)
	if te.drop {
		return dst
	}
	return append(dst, Token{
		Start: s, End: e,
		Norm: te.norm, Stem: te.stem,
		Hash: te.hash, StemHash: te.stemHash,
		Kind: te.kind, Content: te.content, Cap: te.cap,
		Weight: te.weight, DF: te.df,
	})
}

// lookup returns the analysis of the word v, from the caches or afresh. A
// token depends on nothing but v, so it is cached; the caches hold copies of
// what they keep, never the text v came from.
func (a *Analyzer) lookup(v string) tokenEntry {
	if len(v) <= maxCachedWord {
		if a.tokens == nil {
			a.tokens = newTokenCache()
		}
		if te, ok := a.tokens.get(v); ok {
			return te
		}
		return a.tokens.put(v, a.analyzeToken(v))
	}
	te, ok := a.long[v]
	if !ok {
		v = strings.Clone(v)
		te = a.analyzeToken(v)
		if len(a.long) >= maxLongCache {
			clear(a.long)
		}
		a.long[v] = te
	}
	return te
}

// analyzeToken normalises, classifies and stems the word v.
func (a *Analyzer) analyzeToken(v string) tokenEntry {
	first, _ := utf8.DecodeRuneInString(v)
	t := Token{Cap: unicode.IsUpper(first)}
	n := a.normalize(v)
	if n == "" {
		return tokenEntry{drop: true}
	}
	if isNumber(n) {
		t.Kind = Number
		n = canonicalNumber(n)
	} else if d, ok := numberWords[n]; ok {
		t.Kind = Number
		n = d
	}
	if t.Kind == Word && t.Cap {
		n = acronym(v, n)
	}
	t.Norm = n
	t.Hash = xxh3.HashString(n)
	t.Content = t.Kind == Number || !IsFunctionWord(n)
	if t.Content && t.Kind == Word {
		se := a.stem(n, t.Hash)
		t.Stem, t.StemHash = se.stem, se.hash
	} else {
		t.Stem, t.StemHash = n, t.Hash
	}
	te := tokenEntry{
		norm: t.Norm, stem: t.Stem,
		hash: t.Hash, stemHash: t.StemHash,
		kind: t.Kind, content: t.Content, cap: t.Cap,
	}
	if t.Content {
		ts := terms().get(uint32(t.StemHash))
		te.weight, te.df = ts.weight, ts.df
	}
	return te
}

// normalize applies NFKC and case folding, and strips possessive endings.
func (a *Analyzer) normalize(v string) string {
	ascii := true
	upper := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			upper = true
		}
	}
	var n string
	switch {
	case ascii && !upper:
		n = v
	case ascii:
		n = strings.ToLower(v)
	default:
		n = a.fold.String(norm.NFKC.String(v))
		n = strings.ReplaceAll(n, "’", "'")
		n = strings.ReplaceAll(n, "‘", "'")
	}
	// Possessives and contractions: "russia's" → "russia", "don't" stays.
	if strings.HasSuffix(n, "'s") {
		n = n[:len(n)-2]
	} else if strings.HasSuffix(n, "s'") {
		n = n[:len(n)-1]
	}
	return strings.Trim(n, "'")
}

// stem returns the stem of the normalised form n, whose xxh3 is h. The
// cache is keyed by h alone: a map of strings reads the key's bytes from
// elsewhere on every hit, and two forms of one 64-bit hash are not to be
// met in a vocabulary.
func (a *Analyzer) stem(n string, h uint64) stemEntry {
	if se, ok := a.stems[h]; ok {
		return se
	}
	st := n
	if len(n) > 2 && isLetters(n) {
		st = english.Stem(n, true)
	}
	if st == n {
		st = strings.Clone(n) // n may lie in the text being read
	}
	se := stemEntry{stem: st, hash: xxh3.HashString(st)}
	if len(a.stems) >= maxStemCache {
		clear(a.stems)
	}
	a.stems[h] = se
	return se
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// acronym canonicalises upper-case acronyms: "U.S" and "US" are both "us_"
// (the underscore keeps the country apart from the pronoun "us"), "U.N" and
// "UN" are both "un". Only dotted forms and "US" get the underscore: other
// all-caps function words ("THE", "OF" in a headline) stay function words.
// Other words are returned unchanged.
func acronym(orig, n string) string {
	letters := 0
	dotted := false
	for _, r := range orig {
		switch {
		case r == '.':
			dotted = true
		case unicode.IsUpper(r):
			letters++
		default:
			return n
		}
	}
	if letters < 2 {
		return n
	}
	n = strings.ReplaceAll(n, ".", "")
	if IsFunctionWord(n) && (dotted || n == "us") {
		return n + "_"
	}
	return n
}

// isNumber reports whether n is digits with optional , . separators.
func isNumber(n string) bool {
	if n == "" || n[0] < '0' || n[0] > '9' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= '0' && c <= '9' || c == ',' || c == '.') {
			return false
		}
	}
	return true
}

// canonicalNumber drops thousands separators: "70,000" → "70000",
// "1,234.5" → "1234.5". A lone comma that is not a thousands separator
// (European decimals, "3,5") becomes a point.
func canonicalNumber(n string) string {
	if !strings.Contains(n, ",") {
		return n
	}
	parts := strings.Split(n, ",")
	thousands := true
	for _, p := range parts[1:] {
		q, _, _ := strings.Cut(p, ".")
		if len(q) != 3 {
			thousands = false
			break
		}
	}
	if thousands {
		return strings.Join(parts, "")
	}
	if len(parts) == 2 && !strings.Contains(n, ".") {
		return parts[0] + "." + parts[1]
	}
	return strings.ReplaceAll(n, ",", "")
}

// numberWords maps spelled-out numbers to digits so "seven-year" matches
// "7-year".
var numberWords = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
	"eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
	"fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
	"nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
	"fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
	"hundred": "100",
}
