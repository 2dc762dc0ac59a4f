package extract

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLiterals checks literals.in against a scan per string.
func TestLiterals(t *testing.T) {
	list := []string{"read", "re", "©", "(c)", "réservés", "ab"}
	ls := newLiterals(list...)
	for _, s := range []string{"", "r", "re", "xre", "rea", "already", "x ©", "\xc2", "(c", "(c)", "droits réservés", "a", "b a", "cab", "Ré"} {
		want := false
		for _, x := range list {
			want = want || strings.Contains(s, x)
		}
		if got := ls.in(s); got != want {
			t.Errorf("in(%q): got %v, want %v", s, got, want)
		}
	}
}

func TestMaxGlueLen(t *testing.T) {
	for _, w := range glueWords {
		if len(w) > maxGlueLen {
			t.Errorf("glue word %q is longer than maxGlueLen %d", w, maxGlueLen)
		}
	}
}

// TestStopword checks the packed table against the list: every glue word
// is found, and words near them are not.
func TestStopword(t *testing.T) {
	for _, w := range glueWords {
		if !stopword(w) {
			t.Errorf("stopword(%q): got false, want true", w)
		}
		for _, near := range []string{w[1:], w[:len(w)-1], w + "s", "x" + w, strings.ToUpper(w)} {
			if got, want := stopword(near), slices.Contains(glueWords, near); got != want {
				t.Errorf("stopword(%q): got %v, want %v", near, got, want)
			}
		}
	}
	for _, w := range []string{"", "a", "\x00", "\x00the", "which\x00", "whic", "thes", "théy"} {
		if stopword(w) {
			t.Errorf("stopword(%q): got true, want false", w)
		}
	}
}

// TestPrefiltersPass checks that the literal tests in front of the chrome
// expressions never turn away text an expression matches: on lines made of
// the expressions' words and other words, in mixed case and with the
// punctuation they use, every match of promoRe, weakPromoRe, creditRe and
// metaRe passes its prefilter.
func TestPrefiltersPass(t *testing.T) {
	// The words come from the expressions' own source, not from the
	// prefilters' lists under test.
	var words []string
	unmeta := strings.NewReplacer(`(?i)`, " ", `(?-i:`, " ", `\b`, " ", `\s`, " ", `\(`, " ( ", `\)`, " ) ", `\.`, " . ", "|", " ", "(", " ", ")", " ", "?", " ", "*", " ", "+", " ", "^", " ", "$", " ", "[A-Z]", " ", "[a-z]", " ", "-+", " ")
	for _, re := range []*regexp.Regexp{promoRe, weakPromoRe, creditRe, metaRe} {
		words = append(words, strings.Fields(unmeta.Replace(re.String()))...)
	}
	words = append(words, "the", "news", "up", "for", "to", "now", "on", "us", "in", "of", "use", "service", "policy", "by", "ſubscribe",
		"images", "photos", "caption", "credit", "source", "copyright", ":", "/", ",", "(", ")", "@", "-", "said", "contributed to this report", "reported from Paris")
	rng := rand.New(rand.NewPCG(7, 8))
	matched := map[string]int{}
	for range 200000 {
		var b strings.Builder
		for k := range 1 + rng.IntN(6) {
			if k > 0 && rng.IntN(5) > 0 {
				b.WriteByte(' ')
			}
			w := words[rng.IntN(len(words))]
			switch rng.IntN(4) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
		}
		text := b.String()
		in := paraInfo{text: text, lower: strings.ToLower(text)}
		fold := strings.Contains(text, "ſ")
		check := func(name string, re *regexp.Regexp, pass bool) {
			if re.MatchString(text) {
				matched[name]++
				if !pass {
					t.Fatalf("%s matches %q, but its prefilter turns it away", name, text)
				}
			}
		}
		check("promoRe", promoRe, fold || promoPhraseSet.in(in.lower))
		check("weakPromoRe", weakPromoRe, fold || weakPromoPhraseSet.in(in.lower))
		check("creditRe", creditRe, mayBeCredit(&in) && creditHintSet.in(in.lower))
		check("metaRe", metaRe, mayBeMeta(&in))
	}
	for _, name := range []string{"promoRe", "weakPromoRe", "creditRe", "metaRe"} {
		if matched[name] < 100 {
			t.Errorf("%s matched %d lines: the test proves little", name, matched[name])
		}
	}
}
