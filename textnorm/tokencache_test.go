package textnorm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// smallCache shrinks the token cache and its arenas for the test, so that
// sets fill up, slots are evicted and arenas change generation often.
func smallCache(t testing.TB, first, bits, arena int) {
	oldFirst, oldBits, oldArena := firstCacheBits, tokenCacheBits, arenaSize
	firstCacheBits, tokenCacheBits, arenaSize = first, bits, arena
	t.Cleanup(func() { firstCacheBits, tokenCacheBits, arenaSize = oldFirst, oldBits, oldArena })
}

// testWords returns the words of the seed texts and random words in
// several scripts and shapes, with repeats, in a fixed order.
func testWords(t testing.TB) []string {
	files, _ := filepath.Glob("../testdata/seeds/*.txt")
	var ws []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, strings.Fields(string(b))...)
	}
	if len(ws) < 1000 {
		t.Fatalf("only %d words from the seeds", len(ws))
	}
	rng := rand.New(rand.NewPCG(7, 9))
	pieces := []string{"a", "B", "é", "Ü", "7", "0", ",", ".", "'", "’", "s", "ﬁ", "Ｕ", "x", "US", "-", "ing", "ed", "МО"}
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		ws = append(ws, b.String())
	}
	rng.Shuffle(len(ws), func(i, j int) { ws[i], ws[j] = ws[j], ws[i] })
	return ws
}

// TestTokenCacheLikeUncached checks that every word analysed through the
// caches (with evictions and arena generations) equals its fresh analysis,
// and that tokens handed out earlier keep their strings.
func TestTokenCacheLikeUncached(t *testing.T) {
	for _, size := range []struct{ first, bits, arena int }{{12, 17, 1 << 20}, {1, 17, 1 << 20}, {4, 4, 64}, {2, 6, 300}} {
		t.Run(fmt.Sprintf("bits%d-%d-arena%d", size.first, size.bits, size.arena), func(t *testing.T) {
			smallCache(t, size.first, size.bits, size.arena)
			cached, fresh := NewAnalyzer(), NewAnalyzer()
			type kept struct {
				v string
				e tokenEntry
			}
			var early []kept
			words := testWords(t)
			for round := range 3 {
				for i, v := range words {
					if !isWordish(v) {
						continue
					}
					got, want := cached.lookup(v), fresh.analyzeToken(strings.Clone(v))
					if got != want {
						t.Fatalf("round %d word %q: cached %+v, fresh %+v", round, v, got, want)
					}
					if round == 0 && i%97 == 0 {
						early = append(early, kept{v, got})
					}
				}
			}
			if cached.tokens.gen < 3 && size.arena < 1000 {
				t.Errorf("only %d arena generations: the test does not rotate arenas", cached.tokens.gen)
			}
			// Tens of thousands of distinct words: the table grows past
			// its first size, never past its largest.
			n := len(cached.tokens.slots)
			if n > 1<<size.bits || size.bits > size.first && n == 1<<size.first {
				t.Errorf("%d slots after %d words, want more than %d and at most %d", n, 3*len(words), 1<<size.first, 1<<size.bits)
			}
			for _, k := range early {
				if want := fresh.analyzeToken(k.v); k.e != want {
					t.Fatalf("word %q analysed early: now %+v, want %+v", k.v, k.e, want)
				}
			}
		})
	}
}

func TestTokenSlotSize(t *testing.T) {
	if n := unsafe.Sizeof(tokenSlot{}); n != 64 {
		t.Fatalf("tokenSlot is %d bytes, want 64 (one cache line)", n)
	}
}

func BenchmarkTokenLookup(b *testing.B) {
	an := NewAnalyzer()
	words := testWords(b)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		an.lookup(words[i%len(words)])
		i++
	}
}
