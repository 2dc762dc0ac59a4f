package extract

import (
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
	for w := range glue {
		if len(w) > maxGlueLen {
			t.Errorf("glue word %q is longer than maxGlueLen %d", w, maxGlueLen)
		}
	}
}
