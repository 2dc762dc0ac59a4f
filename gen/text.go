package gen

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// paragraphs splits an article text into paragraphs, joining the lines of
// hard-wrapped wire copy, also where a paragraph was wrapped into too few
// lines to look wrapped: a line that ends without closing punctuation
// continues on a next line that starts in lower case.
func paragraphs(text string) []string {
	var out []string
	for _, sp := range paragraphSpans(text) {
		p := strings.Join(strings.Fields(text[sp.start:sp.end]), " ")
		if p == "" {
			continue
		}
		if n := len(out); n > 0 {
			last, _ := utf8.DecodeLastRuneInString(out[n-1])
			first, _ := utf8.DecodeRuneInString(p)
			if !strings.ContainsRune(".!?:;\"”'’)", last) && unicode.IsLower(first) {
				out[n-1] += " " + p
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = setOf(
	"mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm",
	"prof", "rev", "hon", "jr", "sr", "inc", "corp", "co", "ltd", "llc", "plc", "bros", "no", "nos", "vs",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la",
	"md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "tex",
	"va", "vt", "wash", "wis", "wyo", "mt", "ft", "approx", "dept", "est", "fig", "etc", "al",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// sentences splits a paragraph into sentences: after ".", "!" or "?" (and
// any closing quotes or brackets) followed by a space and a word that
// starts with a capital, a digit or an opening quote, unless the word
// before the period is a known abbreviation or a single letter (an
// initial, or part of "U.S.").
func sentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(p) {
			r, n := utf8.DecodeRuneInString(p[j:])
			if !strings.ContainsRune("\"'”’)]", r) {
				break
			}
			j += n
		}
		if j >= len(p) || p[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(p[j+1:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("\"“‘'(", next)) {
			continue
		}
		if c == '.' && j == i+1 {
			w := lastWord(p[start:i])
			if abbreviations[strings.ToLower(w)] || utf8.RuneCountInString(w) == 1 || strings.Contains(w, ".") {
				continue
			}
		}
		if s := strings.TrimSpace(p[start:j]); s != "" {
			out = append(out, s)
		}
		start = j + 1
		i = j
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// lastWord returns the run of letters and periods at the end of s.
func lastWord(s string) string {
	i := len(s)
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		i -= n
	}
	return s[i:]
}

// isWord reports whether a whitespace-separated field holds a letter or a
// digit.
func isWord(f string) bool {
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// countWords counts the words of s: whitespace-separated fields with a
// letter or digit. This is the unit of the truth's coverage.
func countWords(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if isWord(f) {
			n++
		}
	}
	return n
}

// normWords returns the lower-case words of s with punctuation stripped
// from their ends, for shingling.
func normWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		f = strings.TrimFunc(strings.ToLower(f), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ShingleJaccard is the Jaccard similarity of the word k-gram sets of two
// texts (lower-cased, punctuation stripped): the measure behind the seeds'
// "word 5-gram Jaccard 0.18–0.44".
func ShingleJaccard(a, b string, k int) float64 {
	sa, sb := shingles(a, k), shingles(b, k)
	if len(sa) == 0 && len(sb) == 0 {
		return 1
	}
	inter := 0
	for s := range sa {
		if sb[s] {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

func shingles(s string, k int) map[string]bool {
	ws := normWords(s)
	out := map[string]bool{}
	for i := 0; i+k <= len(ws); i++ {
		out[strings.Join(ws[i:i+k], " ")] = true
	}
	return out
}

// casePattern says how a word is capitalised.
type casePattern uint8

const (
	lowerCase casePattern = iota
	titleCase
	upperCase
)

func caseOf(w string) casePattern {
	upper, letters := 0, 0
	first := true
	firstUpper := false
	for _, r := range w {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if unicode.IsUpper(r) {
			upper++
			if first {
				firstUpper = true
			}
		}
		first = false
	}
	switch {
	case letters > 1 && upper == letters:
		return upperCase
	case firstUpper:
		return titleCase
	}
	return lowerCase
}

func applyCase(w string, c casePattern) string {
	switch c {
	case upperCase:
		return strings.ToUpper(w)
	case titleCase:
		r, n := utf8.DecodeRuneInString(w)
		return string(unicode.ToUpper(r)) + w[n:]
	}
	return w
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	for i, r := range s {
		if unicode.IsLetter(r) {
			return s[:i] + string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
		}
		if unicode.IsDigit(r) {
			return s
		}
	}
	return s
}

// decapitalise lower-cases the first letter of s unless its first word
// looks like a name (capitalised and not a function word) or an acronym.
func decapitalise(s string) string {
	first := s
	if i := strings.IndexByte(s, ' '); i > 0 {
		first = s[:i]
	}
	if caseOf(first) != titleCase || !functionWord(strings.ToLower(strings.Trim(first, ",.;:\"“"))) {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// splitAffixes splits a field into leading punctuation, the word and
// trailing punctuation.
func splitAffixes(f string) (pre, core, post string) {
	i := 0
	for i < len(f) {
		r, n := utf8.DecodeRuneInString(f[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		i += n
	}
	j := len(f)
	for j > i {
		r, n := utf8.DecodeLastRuneInString(f[:j])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		j -= n
	}
	return f[:i], f[i:j], f[j:]
}

// letters reports whether s is made of ASCII or Unicode letters only.
func letters(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
