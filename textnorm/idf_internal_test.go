package textnorm

import (
	"math/rand/v2"
	"testing"
)

// TestTermTableLikeMaps checks BackgroundDF and TermWeight, read from the
// term table, against the maps it is built from, for every term in them
// and for terms in none.
func TestTermTableLikeMaps(t *testing.T) {
	b, w := background(), termWeights()
	check := func(term uint32) {
		t.Helper()
		want := w.rare
		if x, ok := w.known[term]; ok {
			want = x
		}
		if got := TermWeight(term); got != want {
			t.Fatalf("TermWeight(%#x) = %v, want %v", term, got, want)
		}
		if got, want := BackgroundDF(term), int(b.df[term]); got != want {
			t.Fatalf("BackgroundDF(%#x) = %d, want %d", term, got, want)
		}
	}
	for term := range w.known {
		check(term)
	}
	for term := range b.df {
		check(term)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		check(rng.Uint32())
	}
	check(0)
	if len(b.df) < 20000 {
		t.Fatalf("%d background terms, want the embedded table's", len(b.df))
	}
}
