package textnorm

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/zeebo/xxh3"
)

// TestTermTable checks BackgroundDF and TermWeight, read from the term
// table, against the background map and TermWeight's rule (the IDF of the
// term's background document frequency; 2 for the years 1900–2099), for
// every background term, every year and terms in neither.
func TestTermTable(t *testing.T) {
	b := background()
	if len(b.df) < 20000 {
		t.Fatalf("%d background terms, want the embedded table's", len(b.df))
	}
	years := map[uint32]bool{}
	for y := 1900; y < 2100; y++ {
		years[uint32(xxh3.HashString(strconv.Itoa(y)))] = true
	}
	check := func(term uint32) {
		t.Helper()
		df := int(b.df[term])
		want := idf(b.docs, df)
		if years[term] {
			want = 2
		}
		if got := TermWeight(term); got != want {
			t.Fatalf("TermWeight(%#x) = %v, want %v", term, got, want)
		}
		if got := BackgroundDF(term); got != df {
			t.Fatalf("BackgroundDF(%#x) = %d, want %d", term, got, df)
		}
	}
	for term := range b.df {
		check(term)
	}
	for term := range years {
		check(term)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		check(rng.Uint32())
	}
	check(0)
}
