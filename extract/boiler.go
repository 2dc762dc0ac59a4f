// Package extract finds an article's own text and metadata in what crawlers
// and feeds deliver: HTML pages, and plain text that still carries page
// chrome (ad slots, breadcrumbs, photo credits, promos).
package extract

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Chrome marks the paragraphs of one document that are page chrome rather
// than article text. paras are the document's paragraphs (or lines) in
// reading order; the result has one entry per paragraph, true for chrome.
//
// The rules are general, not a list of known lines:
//   - no letters or digits ("___", "•");
//   - credit-like: photo and image credits and captions, copyright lines;
//   - navigation- and promo-like: short lines with "read more", "subscribe",
//     "advertisement", breadcrumbs and short enumerated menu items;
//   - metadata lines: bylines, "Edited by:", "Updated on:", bare dates;
//   - repeated: the same short line more than once in the document;
//   - redundant: a paragraph whose content words are almost all inside
//     another, longer paragraph of the same document (teasers, highlight
//     bullets, repeated headlines, pull quotes);
//   - short headline-like lines (no closing punctuation) next to chrome,
//     such as an image label or a caption under a credit.
//
// HTML extraction applies the same function to the paragraphs it finds, so
// plain text and pages share one notion of "not article text".
func Chrome(paras []string) []bool {
	n := len(paras)
	chrome := make([]bool, n)
	// sticky marks chrome that labels the lines around it (credits and
	// metadata), so headline-like neighbours (captions, image labels) go too;
	// navigation and promos do not spread, or a headline under a
	// breadcrumb would be lost.
	sticky := make([]bool, n)
	info := make([]paraInfo, n)
	// Repeats count only among short open lines (see below). Paragraphs
	// with the same key have the same words and terminal, which follow
	// from the key alone, so the count of a key over those lines is its
	// count over the whole document.
	count := make(map[string]int)
	size := 0
	for _, p := range paras {
		size += len(p)
	}
	content := make([]string, 0, size/16) // backing store for the info[i].content: some of the words
	lower := lowerAll(paras, size)
	for i, p := range paras {
		info[i], content = describe(p, lower[i], content)
		if in := &info[i]; in.words <= 6 && !in.terminal {
			in.key = strings.Join(strings.Fields(in.lower), " ")
			count[in.key]++
		}
	}
	for i := range paras {
		in := &info[i]
		switch {
		case in.words == 0:
			chrome[i] = true
		case creditLike(in):
			chrome[i], sticky[i] = true, true
		case promoLike(in):
			chrome[i] = true
		case metaLike(in):
			chrome[i], sticky[i] = true, true
		case navLike(in):
			chrome[i] = true
		case in.words <= 6 && !in.terminal && count[in.key] > 1:
			chrome[i] = true
		}
	}
	markRedundant(info, chrome)
	// Short headline-like lines right next to a credit or metadata line
	// are chrome too (image labels, captions under a credit); one step
	// only, so a run of short lines (a results table) is not eaten.
	spread := slices.Clone(chrome)
	for i := range paras {
		if chrome[i] || info[i].words > 12 || info[i].terminal {
			continue
		}
		if (i > 0 && sticky[i-1]) || (i+1 < n && sticky[i+1]) {
			spread[i] = true
			continue
		}
		// A one- or two-word box title ("Highlights", "Related") next to
		// any chrome.
		if info[i].words <= 2 && ((i > 0 && chrome[i-1]) || (i+1 < n && chrome[i+1])) {
			spread[i] = true
		}
	}
	chrome = spread
	return chrome
}

type paraInfo struct {
	text     string // trimmed
	lower    string
	key      string // lower case, space-collapsed, for repeat detection; set only for lines of at most 6 words without closing punctuation
	words    int
	terminal bool // ends like a sentence
	content  []string
}

// lowerAll returns strings.ToLower(strings.TrimSpace(p)) of each paragraph,
// those of ASCII paragraphs as parts of one string (one allocation for the
// document instead of one per paragraph); size is the paragraphs' total
// length.
func lowerAll(paras []string, size int) []string {
	lower := make([]string, len(paras))
	buf := make([]byte, 0, size)
	ends := make([]int, len(paras)) // end in buf of paragraph i's lower case, -1 if elsewhere
	for i, p := range paras {
		t := strings.TrimSpace(p)
		start := len(buf)
		buf = append(buf, t...)
		ascii := true
		for k := start; k < len(buf); k++ {
			c := buf[k]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if c-'A' < 26 {
				buf[k] = c + ('a' - 'A')
			}
		}
		if !ascii {
			buf = buf[:start]
			lower[i], ends[i] = strings.ToLower(t), -1
			continue
		}
		ends[i] = len(buf)
	}
	all, start := string(buf), 0
	for i, e := range ends {
		if e >= 0 {
			lower[i], start = all[start:e], e
		}
	}
	return lower
}

// describe returns the paraInfo of p, whose trimmed lower case is lower,
// and appends its content words to buf, returning the extended buffer.
func describe(p, lower string, buf []string) (paraInfo, []string) {
	t := strings.TrimSpace(p)
	in := paraInfo{text: t, lower: lower}
	// The words are what strings.FieldsFunc would return for runes that
	// are not letters, digits or apostrophes as separators.
	start := len(buf)
	l := in.lower
	for i := 0; i < len(l); {
		j := i
		for j < len(l) {
			if c := l[j]; c < utf8.RuneSelf {
				if !asciiWord[c] {
					break
				}
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(l[j:])
			if !isWordRuneForChrome(r) {
				break
			}
			j += size
		}
		if j > i {
			in.words++
			if f := l[i:j]; len(f) > 2 && (len(f) > maxGlueLen || !stopword(f)) {
				buf = append(buf, f)
			}
			i = j
			continue
		}
		_, size := utf8.DecodeRuneInString(l[i:])
		i += size
	}
	in.content = buf[start:len(buf):len(buf)]
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(t, " \u00a0")); strings.ContainsRune(".!?\"”’'…)", r) {
		in.terminal = true
	}
	return in, buf
}

// isWordRuneForChrome reports whether r belongs to a word for the chrome
// rules: a letter, a digit or an apostrophe.
func isWordRuneForChrome(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '’'
}

var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\''
	}
	return t
}()

var (
	creditRe = regexp.MustCompile(`(?i)^(\(?(image|photo|picture|video|graphic|illustration|file photo|media)s?\s*(source|credit|author|caption|copyright|:|/|,))|` +
		`(image|photo|media) (caption|credit|source|copyright)|\b(getty images|ap photo|afp photo|reuters/|epa-efe|shutterstock|\(file\))|^(©|\(c\)|copyright\b)|all rights reserved|riproduzione riservata|derechos reservados|droits réservés|rechte vorbehalten|has not been edited by|from a syndicated feed`)
	// promoRe: calls to action, chrome wherever they stand in a short line.
	promoRe = regexp.MustCompile(`(?i)\b(read more|read all|also read|read also|related:|related stories|related articles|more stories|click here|sign up (for|to)|subscribe (to|now|for)|follow us|follow @|download the app|get the app|the story continues|story continues|continue reading|share this|share on|advertisement|sponsored content|you are at:|skip to|get latest|trending now|most read|watch:|listen:|log in to|register now)`)
	// weakPromoRe: words of site furniture that are only chrome in short
	// lines that are no sentence ("Newsletter", "Manage cookies").
	weakPromoRe = regexp.MustCompile(`(?i)\b(newsletters?|subscribe|subscription|cookies?|log ?in|sign ?in|register|recommended|sponsored|privacy policy|terms of (use|service))\b`)
	navRe       = regexp.MustCompile(`^(\d+\.|[•·▪►»>|-])\s*\S`)
	metaRe      = regexp.MustCompile(`(?i)^\(?(edited by|updated on|updated:|published on|published:|first published|last updated|written by|reporting by|editing by|additional reporting|compiled by)|(contributed to this report|(?-i:reported from [A-Z][a-z]+))\.?\)?$`)
	// bylineRe is case-sensitive: "By John Smith", not "By Tuesday, …"
	// (metaLike also wants no closing punctuation).
	bylineRe = regexp.MustCompile(`^By [A-Z]`)
)

func creditLike(in *paraInfo) bool {
	return in.words <= 60 && mayBeCredit(in) && creditHintSet.in(in.lower) && creditRe.MatchString(in.text)
}

// mayBeCredit is a test every match of creditRe passes, and most text
// fails: creditRe is a case-insensitive choice of phrases, and every phrase
// but the ones anchored at the start of the text holds one of creditWords.
//
// Literal tests on the lower-cased text stand in for case-insensitive
// matching only for the letters these phrases use (ASCII and "é"): "(?i)"
// also matches runes that fold to them, all of which strings.ToLower maps
// to the same lower-case letter except "ſ" (U+017F), which matches "s".
// Text with an "ſ" goes to the expression (TestFoldLetters checks the
// claim).
func mayBeCredit(in *paraInfo) bool {
	l := in.lower
	if head := strings.TrimPrefix(l, "("); hasAnyPrefix(head, creditLeads) {
		return true
	}
	return hasAnyPrefix(l, creditOpenings) || creditWordSet.in(l) || strings.Contains(in.text, "ſ")
}

// mayBeMeta is the same for metaRe: its phrases either open the text, after
// an optional "(", or close it.
func mayBeMeta(in *paraInfo) bool {
	if head := strings.TrimPrefix(in.lower, "("); hasAnyPrefix(head, metaLeads) {
		return true
	}
	return strings.Contains(in.lower, "contributed to this report") || strings.Contains(in.lower, "reported from ") || strings.Contains(in.text, "ſ")
}

var metaLeads = []string{"edited by", "updated on", "updated:", "published on", "published:", "first published", "last updated", "written by", "reporting by", "editing by", "additional reporting", "compiled by"}

// The parts of creditRe: phrases that must open the text (after an
// optional "(" for creditLeads), and phrases it finds anywhere.
var (
	creditLeads    = []string{"image", "photo", "picture", "video", "graphic", "illustration", "file photo", "media"}
	creditOpenings = []string{"©", "(c)", "copyright"}
	creditWords    = []string{"image caption", "image credit", "image source", "image copyright", "photo caption", "photo credit", "photo source", "photo copyright",
		"media caption", "media credit", "media source", "media copyright", "getty images", "ap photo", "afp photo", "reuters/", "epa-efe", "shutterstock", "(file)",
		"all rights reserved", "riproduzione riservata", "derechos reservados", "droits réservés", "rechte vorbehalten", "has not been edited by", "from a syndicated feed"}
	creditWordSet = newLiterals(creditWords...)
)

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Cheap substring tests that must pass before a rule's regular expression
// runs; most paragraphs fail them, which keeps the filter fast.
var (
	creditHints = []string{"image", "photo", "picture", "video", "graphic", "illustration", "media", "getty", "reuters/", "epa", "shutterstock", "(file)", "©", "(c)", "copyright", "rights reserved", "riservat", "reservad", "réservés", "vorbehalten", "edited by", "syndicated"}
	// promoRe's phrases, and weakPromoRe's (or a part of them), in lower
	// case: a match of the expression holds one.
	promoPhrases = []string{"read more", "read all", "also read", "read also", "related:", "related stories", "related articles", "more stories", "click here",
		"sign up for", "sign up to", "subscribe to", "subscribe now", "subscribe for", "follow us", "follow @", "download the app", "get the app",
		"story continues", "continue reading", "share this", "share on", "advertisement", "sponsored content", "you are at:", "skip to", "get latest",
		"trending now", "most read", "watch:", "listen:", "log in to", "register now"}
	weakPromoPhrases = []string{"newsletter", "subscri", "cookie", "log in", "login", "sign in", "signin", "register", "recommended", "sponsored",
		"privacy policy", "terms of use", "terms of service"}

	creditHintSet      = newLiterals(creditHints...)
	promoPhraseSet     = newLiterals(promoPhrases...)
	weakPromoPhraseSet = newLiterals(weakPromoPhrases...)
)

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func promoLike(in *paraInfo) bool {
	if in.words > 30 {
		return false
	}
	// Each expression runs only on text holding one of its phrases (see
	// mayBeCredit for why lower case stands in for "(?i)", "ſ" aside).
	fold := strings.Contains(in.text, "ſ")
	// A call to action inside a real sentence ("millions who subscribe to
	// streaming services") is news: sentences must be short to count.
	if (!in.terminal || in.words <= 15) && (fold || promoPhraseSet.in(in.lower)) && promoRe.MatchString(in.text) {
		return true
	}
	return in.words <= 12 && !in.terminal && (fold || weakPromoPhraseSet.in(in.lower)) && weakPromoRe.MatchString(in.text)
}

// endRe matches wire end markers: "(END)", "-30-", "###", "(MORE)".
var endRe = regexp.MustCompile(`(?i)^(\(?(end|ends|more)\)?|-+ ?(end|30) ?-+|#{3,}|\*{3,})$`)

// timeRe finds a clock time ("15:02", "9.30am").
var timeRe = regexp.MustCompile(`\b\d{1,2}[:.]\d{2}\b`)

func metaLike(in *paraInfo) bool {
	if in.words <= 2 && endRe.MatchString(in.text) {
		return true
	}
	// A short label line with a date and a clock time ("All News 15:02
	// November 14, 2023").
	if in.words <= 10 && !in.terminal && timeRe.MatchString(in.text) && containsAny(in.lower, monthList) {
		return true
	}
	if in.words <= 14 && mayBeMeta(in) && metaRe.MatchString(in.text) {
		return true
	}
	if in.words <= 14 && !in.terminal && bylineRe.MatchString(in.text) {
		return true
	}
	return in.words <= 14 && dateLine(in.lower)
}

func navLike(in *paraInfo) bool {
	if in.terminal {
		return false
	}
	if in.words <= 4 && navRe.MatchString(in.text) {
		return true
	}
	return in.words <= 12 && (strings.Contains(in.text, " » ") || strings.Contains(in.text, " > ") || strings.Count(in.text, " | ") >= 2)
}

// dateLine reports whether every word of a short line is part of a date or
// time ("Friday, November 22, 2024", "5 December 2021 11:31 GMT Updated 5
// hours ago").
func dateLine(lower string) bool {
	ws := strings.FieldsFunc(lower, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '|' || r == '-' || r == '/' })
	if len(ws) < 2 {
		return false
	}
	hasDate := false
	for _, w := range ws {
		w = strings.Trim(w, ".:()")
		if w == "" {
			continue
		}
		if _, ok := dateWords[w]; ok {
			if _, m := monthNames[w]; m {
				hasDate = true
			}
			continue
		}
		if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) && r != ':' && r != '.' }) >= 0 {
			// Only "9th", "21st", "11am" and the like pass.
			if w[0] < '0' || w[0] > '9' || !(strings.HasSuffix(w, "am") || strings.HasSuffix(w, "pm") || strings.HasSuffix(w, "st") || strings.HasSuffix(w, "nd") || strings.HasSuffix(w, "rd") || strings.HasSuffix(w, "th")) {
				return false
			}
		}
	}
	return hasDate
}

var monthNames = setOf("january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
	"aug", "sep", "sept", "oct", "nov", "dec")

var monthList = func() []string {
	out := make([]string, 0, len(monthNames))
	for m := range monthNames {
		if len(m) > 3 {
			out = append(out, m)
		}
	}
	return out
}()

var dateWords = func() map[string]struct{} {
	m := setOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"mon", "tue", "wed", "thu", "fri", "sat", "sun", "gmt", "utc", "bst", "cet", "cest", "est", "edt",
		"pst", "pdt", "ist", "msk", "am", "pm", "updated", "published", "posted", "ago", "hour", "hours",
		"minute", "minutes", "min", "mins", "day", "days", "at", "on", "last", "date", "time")
	for k := range monthNames {
		m[k] = struct{}{}
	}
	return m
}()

func setOf(ws ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(ws))
	for _, w := range ws {
		m[w] = struct{}{}
	}
	return m
}

// stopword is a small English function-word test for chrome detection; the
// full list lives in textnorm, but chrome rules only need to skip the
// commonest glue words. It runs for every word of every paragraph: a word
// is packed into an integer and looked up in a small table.
func stopword(w string) bool {
	if len(w) > maxGlueLen || len(w) == 0 {
		return false
	}
	k := glueKey(w)
	for i := glueSlot(k); ; i = (i + 1) % uint64(len(glueTable)) {
		switch glueTable[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

var glueWords = []string{"the", "and", "for", "that", "with", "was", "were", "has", "have", "had", "are",
	"this", "from", "but", "not", "his", "her", "its", "their", "they", "will", "would", "said",
	"says", "been", "who", "which", "into", "than", "then", "also", "she", "him", "our", "you"}

// glueTable holds glueKey of each glue word, by open addressing from
// glueSlot (0 is an empty slot: no key is 0).
var glueTable = func() (t [64]uint64) {
	for _, w := range glueWords {
		k := glueKey(w)
		i := glueSlot(k)
		for t[i] != 0 {
			i = (i + 1) % uint64(len(t))
		}
		t[i] = k
	}
	return t
}()

// glueKey packs a word of 1 to maxGlueLen bytes and its length.
func glueKey(w string) uint64 {
	var k uint64
	for i := 0; i < len(w); i++ {
		k = k<<8 | uint64(w[i])
	}
	return k<<3 | uint64(len(w))
}

func glueSlot(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> 58 }

// maxGlueLen is the length of the longest glue word.
const maxGlueLen = 5

// maxRedundancyParas bounds the quadratic-looking redundancy rule; the
// inverted index keeps it near-linear, and documents with more paragraphs
// than this skip it.
const maxRedundancyParas = 5000

// markRedundant marks paragraphs whose content words lie (≥ 85%) inside a
// longer paragraph of the same document; of identical paragraphs only the
// last is kept.
func markRedundant(info []paraInfo, chrome []bool) {
	if len(info) > maxRedundancyParas {
		return
	}
	r := redundancyPool.Get().(*redundancy)
	defer r.release()
	// Words are numbered in order of appearance; sets[i] holds the
	// distinct words of paragraph i, posting[w] the paragraphs with word w.
	r.sets = slices.Grow(r.sets[:0], len(info))[:len(info)]
	r.all = r.all[:0]
	for i := range info {
		r.sets[i] = nil
		if chrome[i] || len(info[i].content) == 0 {
			continue
		}
		start := len(r.all)
		for _, w := range info[i].content {
			id, ok := r.ids[w]
			if !ok {
				id = r.newWord()
				r.ids[w] = id
			}
			if r.seen[id] != int32(i)+1 {
				r.seen[id] = int32(i) + 1
				r.all = append(r.all, id)
				r.posting[id] = append(r.posting[id], int32(i))
			}
		}
		r.sets[i] = r.all[start:len(r.all):len(r.all)]
	}
	r.overlap = slices.Grow(r.overlap[:0], len(info))[:len(info)] // per paragraph: words shared with paragraph i
	clear(r.overlap)
	touched := r.touched[:0] // paragraphs with overlap > 0
	sets, overlap := r.sets, r.overlap
	for i := range info {
		if len(sets[i]) < minRedundantWords {
			continue
		}
		for _, w := range sets[i] {
			for _, j := range r.posting[w] {
				if int(j) != i {
					if overlap[j] == 0 {
						touched = append(touched, j)
					}
					overlap[j]++
				}
			}
		}
		// Whether some paragraph contains this one does not depend on the
		// order they are looked at in.
		for _, j := range touched {
			if chrome[j] {
				continue
			}
			bigger := len(sets[j]) > len(sets[i]) || (len(sets[j]) == len(sets[i]) && int(j) > i)
			if bigger && float64(overlap[j]) >= 0.85*float64(len(sets[i])) {
				chrome[i] = true
				break
			}
		}
		for _, j := range touched {
			overlap[j] = 0
		}
		touched = touched[:0]
	}
	r.touched = touched
}

// redundancy is the scratch space of markRedundant, kept in a pool so
// that its maps and slices are allocated once rather than per document.
type redundancy struct {
	ids     map[string]int32 // word → number
	posting [][]int32        // per word: paragraphs, in order
	seen    []int32          // per word: 1 + the last paragraph it was added for
	all     []int32          // backing store for sets
	sets    [][]int32        // per paragraph: its distinct words
	overlap []int32
	touched []int32
}

var redundancyPool = sync.Pool{New: func() any { return &redundancy{ids: map[string]int32{}} }}

// newWord numbers a new word, reusing the posting list of a word of an
// earlier document.
func (r *redundancy) newWord() int32 {
	id := int32(len(r.posting))
	if len(r.posting) < cap(r.posting) {
		r.posting = r.posting[:id+1]
		r.posting[id] = r.posting[id][:0]
	} else {
		r.posting = append(r.posting, nil)
	}
	r.seen = append(r.seen[:id], 0)
	return id
}

// release returns r to the pool, holding no text; a very large
// document's scratch space is left to the collector instead.
func (r *redundancy) release() {
	if len(r.ids) > 1<<14 {
		return
	}
	clear(r.ids)
	r.posting = r.posting[:0]
	clear(r.sets)
	redundancyPool.Put(r)
}

// minRedundantWords is the fewest distinct content words a paragraph needs
// before the redundancy rule may drop it; shorter ones (subheads) are too
// small to tell a teaser from a coincidence.
const minRedundantWords = 5
