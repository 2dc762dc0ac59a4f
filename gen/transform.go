package gen

import (
	"math/rand/v2"
	"regexp"
	"strings"
)

// The sentence transforms. Each takes a sentence and returns it changed,
// or unchanged with false when nothing applied. They never move a
// sentence's content to another sentence, so a derived sentence keeps the
// origin of the one it came from.

// reword replaces about rate of the sentence's eligible words (lower-case
// content words, and a capitalised first word that is not a name) with a
// WordNet synonym in the same inflection. It returns the number replaced.
func reword(s string, th *Thesaurus, rng *rand.Rand, rate float64) (string, int) {
	fields := strings.Fields(s)
	changed := 0
	for i, f := range fields {
		pre, core, post := splitAffixes(f)
		if len(core) < 3 || !letters(core) || rng.Float64() >= rate {
			continue
		}
		c := caseOf(core)
		if c == upperCase || c == titleCase && i > 0 {
			continue // acronyms and names
		}
		low := strings.ToLower(core)
		if functionWord(low) {
			continue
		}
		syn, ok := th.Synonym(low, rng)
		if !ok {
			continue
		}
		fields[i] = pre + applyCase(syn, c) + post
		changed++
	}
	if changed == 0 {
		return s, 0
	}
	return strings.Join(fields, " "), changed
}

// phraseRule is a regular-expression rewrite of a sentence.
type phraseRule struct {
	re   *regexp.Regexp
	repl func(m []string, rng *rand.Rand) string
}

var weekdayRE = `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`

// roundTripRules imitate what machine translation into another language
// and back does to a news sentence: the reporting clause moves to the
// front, time adverbials move to the front, tenses and reporting verbs
// change, wire abbreviations are spelled out.
var roundTripRules = []phraseRule{
	// "X, the minister said." → "The minister said that x."
	{regexp.MustCompile(`^(.{20,}?), ((?:[A-Z][\w.'’-]*|the|a|an|its|his|her|their)(?: [\w.'’-]+){0,5}) (said|says|added|told [A-Z][\w.]*(?: [A-Z][\w.]*)?)\.$`),
		func(m []string, _ *rand.Rand) string {
			return capitalise(m[2]) + " " + m[3] + " that " + decapitalise(strings.TrimRight(m[1], ",")) + "."
		}},
	// "“X,” Y said." → "Y said: “X.”"
	{regexp.MustCompile(`^([“"])(.{10,}?),([”"]) ((?:[A-Z][\w.'’-]*|the|a|an)(?: [\w.'’-]+){0,5}) (said|says|added)\.$`),
		func(m []string, _ *rand.Rand) string {
			return capitalise(m[4]) + " " + m[5] + ": " + m[1] + m[2] + "." + m[3]
		}},
	// "… on Tuesday." → "On Tuesday, …"
	{regexp.MustCompile(`^(.{20,}?),? ((?:on|last|this|next|late on|early on) ` + weekdayRE + `)([.])$`),
		func(m []string, _ *rand.Rand) string {
			return capitalise(m[2]) + ", " + decapitalise(m[1]) + m[3]
		}},
}

// wordRules are word- and phrase-level changes of tense, voice and
// register that a translation round trip makes; each applies with its own
// probability to every occurrence.
var wordRules = []struct {
	re   *regexp.Regexp
	alts []string
}{
	{regexp.MustCompile(`\bsaid\b`), []string{"stated", "declared", "has said", "indicated"}},
	{regexp.MustCompile(`\bsays\b`), []string{"states", "declares", "indicates"}},
	{regexp.MustCompile(`\bhas been\b`), []string{"was"}},
	{regexp.MustCompile(`\bhave been\b`), []string{"were"}},
	{regexp.MustCompile(`\bwill\b`), []string{"would", "is to", "shall"}},
	{regexp.MustCompile(`\bannounced\b`), []string{"made known", "reported"}},
	{regexp.MustCompile(`\baccording to\b`), []string{"as reported by", "in the words of", "according with"}},
	{regexp.MustCompile(`\bis expected to\b`), []string{"should", "is likely to"}},
	{regexp.MustCompile(`\bpct\b`), []string{"percent", "per cent"}},
	{regexp.MustCompile(`\bmln\b`), []string{"million"}},
	{regexp.MustCompile(`\bbln\b`), []string{"billion"}},
	{regexp.MustCompile(`\bdlrs\b`), []string{"dollars", "U.S. dollars"}},
	{regexp.MustCompile(`\bcts\b`), []string{"cents"}},
	{regexp.MustCompile(`\bthe (United States|U\.S\.)\b`), []string{"the USA", "America", "the US"}},
	{regexp.MustCompile(`\bbecause\b`), []string{"since", "as"}},
	{regexp.MustCompile(`\bhowever\b`), []string{"nevertheless", "though"}},
	{regexp.MustCompile(`\balso\b`), []string{"likewise", "too"}},
}

// theRE finds a definite article before a lower-case word, which a round
// trip through a language without articles may drop.
var theRE = regexp.MustCompile(`\b[Tt]he ([a-z])`)

// roundTrip applies the translation-like changes: each clause rule with
// probability pClause, each word rule occurrence with probability pWord,
// and drops a definite article with probability pWord/2. It returns the
// number of changes, a clause move counting two.
func roundTrip(s string, rng *rand.Rand, pClause, pWord float64) (string, int) {
	out := s
	changes := 0
	for _, r := range roundTripRules {
		if m := r.re.FindStringSubmatch(out); m != nil && rng.Float64() < pClause {
			out = r.repl(m, rng)
			changes += 2
		}
	}
	for _, r := range wordRules {
		if !r.re.MatchString(out) {
			continue
		}
		out = r.re.ReplaceAllStringFunc(out, func(m string) string {
			if rng.Float64() >= pWord {
				return m
			}
			changes++
			alt := r.alts[rng.IntN(len(r.alts))]
			if caseOf(m) == titleCase {
				alt = capitalise(alt)
			}
			return alt
		})
	}
	out = theRE.ReplaceAllStringFunc(out, func(m string) string {
		if rng.Float64() >= pWord/2 {
			return m
		}
		changes++
		if m[0] == 'T' {
			return strings.ToUpper(m[4:])
		}
		return m[4:]
	})
	if out == s {
		return s, 0
	}
	return out, changes
}

// splitRE finds a clause boundary where a long sentence can be cut in two.
var splitRE = regexp.MustCompile(`^(.{40,}?)(?:, and |; |, but |, while )(.{30,})$`)

// splitSentence cuts a long sentence in two at a clause boundary, as
// translations often do; both halves keep the sentence's origin.
func splitSentence(s string) ([]string, bool) {
	m := splitRE.FindStringSubmatch(s)
	if m == nil {
		return []string{s}, false
	}
	return []string{m[1] + ".", capitalise(m[2])}, true
}

// lightRules are the house-style edits of a republishing desk.
var lightRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\bU\.S\.`), "US"},
	{regexp.MustCompile(`\bU\.N\.`), "UN"},
	{regexp.MustCompile(`\bU\.K\.`), "UK"},
	{regexp.MustCompile(`\bpercent\b`), "per cent"},
	{regexp.MustCompile(`\bper cent\b`), "%"},
	{regexp.MustCompile(`\bpct\b`), "percent"},
	{regexp.MustCompile(`\bmln\b`), "million"},
	{regexp.MustCompile(`\bdlrs\b`), "dollars"},
	{regexp.MustCompile(`\b(Mr|Mrs|Ms|Dr)\. `), ""},
	{regexp.MustCompile(` on (` + weekdayRE + `)\b`), " $1"},
	{regexp.MustCompile(`\bsaid\b`), "says"},
	{regexp.MustCompile(`\bhas said\b`), "said"},
	{regexp.MustCompile(`, who [^,]{5,60},`), ""},
	{regexp.MustCompile(` \([^)]{2,40}\)`), ""},
}

// lightEdit makes one house-style edit (the first rule, in a random
// rotation, that applies), or with probability pSyn replaces one word by
// a synonym.
func lightEdit(s string, th *Thesaurus, rng *rand.Rand, pSyn float64) (string, bool) {
	if th != nil && rng.Float64() < pSyn {
		if out, n := reword(s, th, rng, 0.15); n > 0 {
			return out, true
		}
	}
	k := rng.IntN(len(lightRules))
	for i := range lightRules {
		r := lightRules[(k+i)%len(lightRules)]
		if loc := r.re.FindStringIndex(s); loc != nil {
			out := s[:loc[0]] + r.re.ReplaceAllString(s[loc[0]:loc[1]], r.repl) + s[loc[1]:]
			if out != s && countWords(out) > 2 {
				return out, true
			}
		}
	}
	return s, false
}

// ocrSwaps are the character confusions of optical character recognition
// on newsprint.
var ocrSwaps = [][2]string{
	{"rn", "m"}, {"m", "rn"}, {"cl", "d"}, {"d", "cl"}, {"l", "1"}, {"I", "l"}, {"i", "l"},
	{"O", "0"}, {"o", "0"}, {"e", "c"}, {"c", "e"}, {"h", "b"}, {"u", "n"}, {"n", "u"}, {"li", "h"},
	{"S", "5"}, {"B", "8"}, {"f", "t"}, {"t", "f"}, {",", "."}, {".", ","},
}

// ocrNoise damages about rate of the words as OCR of a scanned page does:
// confused characters, a word split by a stray space or a line-end hyphen,
// two words run together.
func ocrNoise(s string, rng *rand.Rand, rate float64) (string, bool) {
	fields := strings.Fields(s)
	var out []string
	changed := false
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if rng.Float64() >= rate {
			out = append(out, f)
			continue
		}
		changed = true
		switch x := rng.IntN(10); {
		case x < 6: // confused characters
			for _, k := range rng.Perm(len(ocrSwaps)) {
				sw := ocrSwaps[k]
				if j := strings.Index(f, sw[0]); j >= 0 {
					f = f[:j] + sw[1] + f[j+len(sw[0]):]
					break
				}
			}
			out = append(out, f)
		case x < 8 && len(f) >= 6: // split word
			j := 2 + rng.IntN(len(f)-3)
			if strings.ContainsAny(f[j-1:j+1], "\"“”'’") {
				out = append(out, f)
				continue
			}
			sep := " "
			if rng.IntN(2) == 0 {
				sep = "- "
			}
			out = append(out, f[:j]+sep+f[j:])
		case i+1 < len(fields): // run into the next word
			out = append(out, f+fields[i+1])
			i++
		default:
			out = append(out, f)
		}
	}
	if !changed {
		return s, false
	}
	r := strings.Join(out, " ")
	return r, r != s
}
