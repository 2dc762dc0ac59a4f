package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// Paragraphs splits text into paragraphs: blocks separated by blank lines.
// Inside a block, a line break also starts a new paragraph unless the block
// looks hard-wrapped (many lines of similar width, as in wire copy), where
// lines are joined; an indented line in wrapped text starts a paragraph, as
// in Reuters' layout. Leading and trailing space is trimmed from each span.
func Paragraphs(text string) []Span {
	var out []Span
	for _, block := range blocks(text) {
		lines := splitLines(text, block)
		if len(lines) == 0 {
			continue
		}
		if !hardWrapped(text, lines) {
			for _, l := range lines {
				out = appendTrimmed(out, text, l)
			}
			continue
		}
		cur := lines[0]
		for _, l := range lines[1:] {
			if l.Start > 0 && indented(text, l) {
				out = appendTrimmed(out, text, cur)
				cur = l
				continue
			}
			cur.End = l.End
		}
		out = appendTrimmed(out, text, cur)
	}
	return out
}

// blocks splits text at blank lines.
func blocks(text string) []Span {
	var out []Span
	start := 0
	lineStart := 0
	blankRun := false
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != '\n' {
			continue
		}
		line := text[lineStart:i]
		if strings.TrimSpace(line) == "" {
			if !blankRun && lineStart > start {
				out = append(out, Span{start, lineStart})
			}
			blankRun = true
			start = i + 1
		} else {
			blankRun = false
		}
		lineStart = i + 1
	}
	if start < len(text) {
		out = append(out, Span{start, len(text)})
	}
	return out
}

func splitLines(text string, b Span) []Span {
	var out []Span
	s := b.Start
	for i := b.Start; i <= b.End; i++ {
		if i == b.End || text[i] == '\n' {
			if strings.TrimSpace(text[s:i]) != "" {
				out = append(out, Span{s, i})
			}
			s = i + 1
		}
	}
	return out
}

// hardWrapped reports whether a block's lines look wrapped at a fixed width:
// at least three lines, at least half of them ending without sentence
// punctuation, and most of those 40–100 characters long.
func hardWrapped(text string, lines []Span) bool {
	if len(lines) < 3 {
		return false
	}
	width, open := 0, 0
	for _, l := range lines[:len(lines)-1] {
		s := strings.TrimSpace(text[l.Start:l.End])
		if r, _ := utf8.DecodeLastRuneInString(s); strings.ContainsRune(".!?:\"”'’", r) {
			continue // a paragraph's last line is short in wrapped text too
		}
		open++
		if n := utf8.RuneCountInString(s); n >= 40 && n <= 100 {
			width++
		}
	}
	body := len(lines) - 1
	return width*4 >= open*3 && open*2 >= body
}

func indented(text string, l Span) bool {
	return strings.HasPrefix(text[l.Start:l.End], "  ") || strings.HasPrefix(text[l.Start:l.End], "\t")
}

func appendTrimmed(out []Span, text string, s Span) []Span {
	for s.Start < s.End {
		r, n := utf8.DecodeRuneInString(text[s.Start:s.End])
		if !unicode.IsSpace(r) {
			break
		}
		s.Start += n
	}
	for s.End > s.Start {
		r, n := utf8.DecodeLastRuneInString(text[s.Start:s.End])
		if !unicode.IsSpace(r) {
			break
		}
		s.End -= n
	}
	if s.End > s.Start {
		out = append(out, s)
	}
	return out
}

// Sentences splits the paragraph text[p.Start:p.End] into sentences, given
// the paragraph's tokens (from Analyzer.Tokens over the same range). It
// returns, for each sentence, its byte span and the index range [i, j) of its
// tokens in toks.
//
// A sentence ends at ".", "!", "?" or "…" (after any closing quotes or
// brackets) when the next word starts a sentence: an upper-case letter, a
// digit or an opening quote, and the word before the stop is not a title or
// an abbreviation (Mr., Jan., U.S. before a lower-case word, an initial).
// Broken quote spacing ("forward. and do …, ”Biden said") does not split.
func Sentences(text string, p Span, toks []Token) (spans []Span, ranges [][2]int) {
	start := p.Start
	ti := 0 // first token of the current sentence
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		end := t.End
		// Look at the gap after this token for a sentence stop.
		gapEnd := p.End
		if k+1 < len(toks) {
			gapEnd = toks[k+1].Start
		}
		stopAt, ok := sentenceStop(text[end:gapEnd])
		if !ok {
			continue
		}
		if k+1 < len(toks) {
			if !startsSentence(text, end+stopAt, toks[k+1]) || isAbbreviation(text, t, toks[k+1]) {
				continue
			}
		}
		spans = append(spans, trimSpan(text, Span{start, end + stopAt}))
		ranges = append(ranges, [2]int{ti, k + 1})
		start = end + stopAt
		ti = k + 1
	}
	if ti < len(toks) {
		spans = append(spans, trimSpan(text, Span{start, p.End}))
		ranges = append(ranges, [2]int{ti, len(toks)})
	}
	return spans, ranges
}

// sentenceStop looks at the text between two tokens and, if it holds a
// sentence-ending mark, returns the offset just past the mark and any closing
// quotes or brackets that follow it.
func sentenceStop(gap string) (int, bool) {
	i := 0
	found := false
	for i < len(gap) {
		r, n := utf8.DecodeRuneInString(gap[i:])
		switch {
		case r == '.' || r == '!' || r == '?' || r == '…':
			found = true
		case found && isClosing(r):
		case unicode.IsSpace(r):
			if found {
				return i, true
			}
		default:
			if found {
				// "forward. ”Biden": a quote after the space belongs to
				// the next sentence; anything else glued to the stop
				// (e.g. "3.5", "U.S.-led") is no stop.
				return 0, false
			}
		}
		i += n
	}
	return i, found
}

func isClosing(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»', '›':
		return true
	}
	return false
}

// startsSentence reports whether the next token, at text[from:next.Start]
// after the stop, can open a sentence.
func startsSentence(text string, from int, next Token) bool {
	between := text[from:next.Start]
	if strings.TrimSpace(between) == "" || strings.ContainsAny(between, "\"“‘'«(—–-") {
		r, _ := utf8.DecodeRuneInString(text[next.Start:])
		return unicode.IsUpper(r) || unicode.IsDigit(r) || !unicode.IsLower(r)
	}
	return false
}

// isAbbreviation reports whether the stop after tok is an abbreviation's
// point rather than a sentence end.
func isAbbreviation(text string, tok, next Token) bool {
	word := text[tok.Start:tok.End]
	if _, ok := titles[strings.ToLower(word)]; ok {
		return true
	}
	r, n := utf8.DecodeRuneInString(word)
	if n == len(word) && unicode.IsUpper(r) {
		return true // an initial: "John F. Kennedy"
	}
	lw := strings.ToLower(word)
	if _, ok := months[lw]; ok && next.Kind == Number {
		return true // "Jan. 5"
	}
	if (lw == "no" || lw == "nos") && next.Kind == Number {
		return true // "No. 10", but "he said no. Then …" ends a sentence
	}
	if strings.Contains(word, ".") {
		// Dotted acronyms (U.S., a.m.) end a sentence only before a word
		// that commonly opens one.
		_, opener := sentenceOpeners[next.Norm]
		return !opener
	}
	return false
}

var titles = setOf("mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt",
	"sgt", "capt", "cmdr", "adm", "maj", "st", "jr", "sr", "rev", "hon", "pres", "supt",
	"vs", "v", "inc", "corp", "co", "ltd", "dept", "approx", "est", "fig", "ft",
	"mt", "ave", "blvd", "messrs", "mme", "mlle")

var months = setOf("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")

var sentenceOpeners = setOf("the", "a", "an", "he", "she", "it", "they", "we", "i", "but", "and",
	"in", "on", "at", "this", "that", "these", "those", "his", "her", "their", "its", "there",
	"as", "after", "before", "when", "while", "if", "for", "some", "many", "officials", "meanwhile")

func setOf(ws ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(ws))
	for _, w := range ws {
		m[w] = struct{}{}
	}
	return m
}

func trimSpan(text string, s Span) Span {
	out := appendTrimmed(nil, text, s)
	if len(out) == 0 {
		return Span{s.Start, s.Start}
	}
	return out[0]
}
