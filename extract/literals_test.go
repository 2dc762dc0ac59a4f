package extract

import (
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
