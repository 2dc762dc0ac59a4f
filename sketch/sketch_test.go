package sketch_test

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wiretrace/wiretrace/sketch"
	"github.com/wiretrace/wiretrace/textnorm"
	"github.com/zeebo/xxh3"
)

// wordHashes hashes words the way textnorm does (xxh3 of the Norm).
func wordHashes(words ...string) []uint64 {
	out := make([]uint64, len(words))
	for i, w := range words {
		out[i] = xxh3.HashString(w)
	}
	return out
}

func TestShingles(t *testing.T) {
	toks := wordHashes("a", "b", "c", "d", "e", "f")
	tests := []struct {
		name string
		toks []uint64
		k    int
		want int
	}{
		{"k=5 of 6", toks, 5, 2},
		{"k=1", toks, 1, 6},
		{"k=len", toks, 6, 1},
		{"k > len gives one shingle of all", toks, 10, 1},
		{"k=0 means 1", toks, 0, 6},
		{"k<0 means 1", toks, -3, 6},
		{"empty", nil, 5, 0},
		{"one token", toks[:1], 5, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sketch.Shingles(nil, tc.toks, tc.k)
			if len(got) != tc.want {
				t.Errorf("len: got %d, want %d", len(got), tc.want)
			}
		})
	}

	t.Run("k > len equals k = len", func(t *testing.T) {
		a := sketch.Shingles(nil, toks[:3], 10)
		b := sketch.Shingles(nil, toks[:3], 3)
		if !slices.Equal(a, b) {
			t.Errorf("got %#x and %#x, want equal", a, b)
		}
	})
	t.Run("k<1 equals k=1", func(t *testing.T) {
		if a, b := sketch.Shingles(nil, toks, 0), sketch.Shingles(nil, toks, 1); !slices.Equal(a, b) {
			t.Errorf("got %#x and %#x, want equal", a, b)
		}
	})
	t.Run("appends to dst", func(t *testing.T) {
		dst := []uint64{7}
		got := sketch.Shingles(dst, toks, 5)
		if len(got) != 3 || got[0] != 7 {
			t.Errorf("got %#x, want 7 followed by 2 shingles", got)
		}
	})
	t.Run("order matters", func(t *testing.T) {
		a := sketch.Shingles(nil, wordHashes("x", "y"), 2)
		b := sketch.Shingles(nil, wordHashes("y", "x"), 2)
		if a[0] == b[0] {
			t.Errorf("shingles of (x y) and (y x): got equal %#x, want different", a[0])
		}
	})
	t.Run("shared window, same hash", func(t *testing.T) {
		a := sketch.Shingles(nil, wordHashes("p", "a", "b", "c"), 3)
		b := sketch.Shingles(nil, wordHashes("a", "b", "c", "q"), 3)
		if a[1] != b[0] {
			t.Errorf("shingle (a b c) in two streams: got %#x and %#x, want equal", a[1], b[0])
		}
	})
	t.Run("k is part of the hash", func(t *testing.T) {
		a := sketch.Shingles(nil, wordHashes("x", "y"), 2)
		b := sketch.Shingles(nil, wordHashes("x", "y", "z"), 3)
		c := sketch.Shingles(nil, wordHashes("x"), 1)
		d := sketch.Shingles(nil, wordHashes("x"), 2) // one token: one shingle with k = 1
		if a[0] == b[0] {
			t.Errorf("2- and 3-shingles: got equal hashes, want different")
		}
		if c[0] != d[0] {
			t.Errorf("single token with k=1 and k=2: got %#x and %#x, want equal", c[0], d[0])
		}
	})
}

// setPair returns two sets of n distinct element hashes each whose Jaccard
// similarity is as close to j as integers allow, and that similarity.
func setPair(n int, j float64, seed uint64) (a, b []uint64, exact float64) {
	c := int(math.Round(2 * float64(n) * j / (1 + j))) // shared elements
	next := seed * 0x9e3779b97f4a7c15
	gen := func() uint64 {
		next++
		return xxh3.Hash([]byte{byte(next), byte(next >> 8), byte(next >> 16), byte(next >> 24), byte(next >> 32), byte(next >> 40), byte(next >> 48), byte(next >> 56)})
	}
	for range c {
		e := gen()
		a = append(a, e)
		b = append(b, e)
	}
	for range n - c {
		a = append(a, gen())
		b = append(b, gen())
	}
	return a, b, float64(c) / float64(2*n-c)
}

func TestMinHashEstimate(t *testing.T) {
	for _, j := range []float64{0.1, 0.3, 0.5, 0.8, 0.95} {
		for seed := uint64(1); seed <= 5; seed++ {
			a, b, exact := setPair(1000, j, seed)
			sa := sketch.MinHash(nil, a, 128)
			sb := sketch.MinHash(nil, b, 128)
			if got := sketch.Similarity(sa, sb); math.Abs(got-exact) > 0.1 {
				t.Errorf("J=%.3f seed %d: got estimate %.3f, want within 0.1", exact, seed, got)
			}
		}
	}
}

func TestMinHashExtremes(t *testing.T) {
	a, _, _ := setPair(1000, 0.5, 7)
	shuffled := slices.Clone(a)
	slices.Reverse(shuffled)
	withDups := append(slices.Clone(a), a[:100]...)
	for _, K := range []int{2, 16, 128, 4096} {
		sa := sketch.MinHash(nil, a, K)
		if len(sa) != K {
			t.Fatalf("K=%d: got length %d, want %d", K, len(sa), K)
		}
		if got := sketch.Similarity(sa, sketch.MinHash(nil, shuffled, K)); got != 1 {
			t.Errorf("K=%d identical sets in another order: got %v, want 1", K, got)
		}
		if got := sketch.Similarity(sa, sketch.MinHash(nil, withDups, K)); got != 1 {
			t.Errorf("K=%d identical sets with repeated elements: got %v, want 1", K, got)
		}
	}
	for seed := uint64(1); seed <= 5; seed++ {
		x, y, _ := setPair(1000, 0, seed)
		if got := sketch.Similarity(sketch.MinHash(nil, x, 128), sketch.MinHash(nil, y, 128)); got > 0.02 {
			t.Errorf("disjoint sets seed %d: got %v, want ≈ 0", seed, got)
		}
	}
}

func TestMinHashEmptyAndReuse(t *testing.T) {
	sig := sketch.MinHash(nil, nil, 64)
	if len(sig) != 64 {
		t.Fatalf("empty: got length %d, want 64", len(sig))
	}
	for i, v := range sig {
		if v != sketch.Empty {
			t.Fatalf("empty bin %d: got %#x, want Empty", i, v)
		}
	}
	if got := sketch.Similarity(sig, sig); got != 0 {
		t.Errorf("two empty signatures: got similarity %v, want 0", got)
	}
	// dst is reused from its start, whatever it held.
	buf := make([]uint64, 3, 512)
	buf[0] = 99
	a := wordHashes("x", "y", "z")
	got := sketch.MinHash(buf, a, 32)
	want := sketch.MinHash(nil, a, 32)
	if !slices.Equal(got, want) {
		t.Errorf("reused dst: got %#x, want %#x", got[:4], want[:4])
	}
}

func TestMinHashBadK(t *testing.T) {
	for _, K := range []int{0, 1, 3, 100, 8192, -4} {
		t.Run("", func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("K=%d: got no panic, want the documented panic", K)
				}
			}()
			sketch.MinHash(nil, wordHashes("a"), K)
		})
	}
}

// TestDensification checks that tiny sets fill every bin, the same way
// every time, and that one shared element out of three is not mistaken for
// identity.
func TestDensification(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		elems := wordHashes("kremlin", "biden", "putin")[:n]
		for _, K := range []int{16, 128, 1024} {
			sig := sketch.MinHash(nil, elems, K)
			for i, v := range sig {
				if v == sketch.Empty {
					t.Fatalf("n=%d K=%d: bin %d got Empty, want filled", n, K, i)
				}
			}
			again := sketch.MinHash(nil, slices.Clone(elems), K)
			if !slices.Equal(sig, again) {
				t.Errorf("n=%d K=%d: got different signatures for the same set, want deterministic", n, K)
			}
		}
	}
	one := sketch.MinHash(nil, wordHashes("kremlin"), 128)
	other := sketch.MinHash(nil, wordHashes("biden"), 128)
	if got := sketch.Similarity(one, other); got > 0.05 {
		t.Errorf("{kremlin} vs {biden}: got %v, want ≈ 0", got)
	}
	// Many tiny pairs at J = 1/2 ({x, y} vs {x, z} is 1/3; {x, y, z} vs {x, y, w} is 1/2).
	var sum float64
	const pairs = 200
	for p := range pairs {
		base := uint64(p) * 4
		a := []uint64{mixTest(base), mixTest(base + 1), mixTest(base + 2)}
		b := []uint64{mixTest(base), mixTest(base + 1), mixTest(base + 3)}
		sum += sketch.Similarity(sketch.MinHash(nil, a, 128), sketch.MinHash(nil, b, 128))
	}
	if mean := sum / pairs; math.Abs(mean-0.5) > 0.1 {
		t.Errorf("3-element sets with J=0.5: got mean estimate %.3f, want 0.5 ± 0.1", mean)
	}
}

func mixTest(x uint64) uint64 {
	return xxh3.Hash([]byte{byte(x), byte(x >> 8), byte(x >> 16), byte(x >> 24), 0x5a})
}

func TestSimilarity(t *testing.T) {
	a := []uint64{1, 2, 3, 4}
	tests := []struct {
		name string
		x, y []uint64
		want float64
	}{
		{"equal", a, []uint64{1, 2, 3, 4}, 1},
		{"half", a, []uint64{1, 2, 9, 9}, 0.5},
		{"none", a, []uint64{5, 6, 7, 8}, 0},
		{"length mismatch", a, []uint64{1, 2, 3}, 0},
		{"empty", nil, nil, 0},
		{"Empty bins do not count", []uint64{sketch.Empty, 2}, []uint64{sketch.Empty, 2}, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sketch.Similarity(tc.x, tc.y); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSentence(t *testing.T) {
	empty := sketch.Sentence(nil)
	for i, v := range empty {
		if v != sketch.Empty {
			t.Fatalf("empty set, hash %d: got %#x, want Empty", i, v)
		}
	}
	a := wordHashes("kremlin", "spokesman", "peskov", "confirmed", "plans")
	if sa, sb := sketch.Sentence(a), sketch.Sentence([]uint64{a[4], a[3], a[2], a[1], a[0]}); sa != sb {
		t.Errorf("same set in another order: got different sketches, want equal")
	}
	// Agreement estimates Jaccard: averaged over many pairs of 10-element
	// sets it must be close to the true value.
	for _, j := range []float64{0.25, 0.5, 0.8} {
		var sum, exactSum float64
		const pairs = 300
		for p := range pairs {
			x, y, exact := setPair(10, j, uint64(1000+p))
			sx, sy := sketch.Sentence(x), sketch.Sentence(y)
			eq := 0
			for i := range sx {
				if sx[i] == sy[i] {
					eq++
				}
			}
			sum += float64(eq) / sketch.SentenceHashes
			exactSum += exact
		}
		mean, exact := sum/pairs, exactSum/pairs
		if math.Abs(mean-exact) > 0.04 {
			t.Errorf("J≈%.2f: got mean agreement %.3f, want %.3f ± 0.04", j, mean, exact)
		}
	}
}

// TestKnownAnswers pins the signature format: a fixed input and the first
// values of its shingles, document signature and sentence sketch. Stored
// signatures and LSH keys are only comparable while these hold. A change to
// any of them is a format change and requires bumping sketch.Version (and
// updating its changelog); do not just paste the new values here.
func TestKnownAnswers(t *testing.T) {
	if sketch.Version != 3 {
		t.Fatalf("Version: got %d, want 3 — update the known answers below together with the version", sketch.Version)
	}
	toks := wordHashes("the", "kremlin", "said", "the", "presidents", "will", "hold", "talks", "on", "tuesday")
	sh := sketch.Shingles(nil, toks, 5)
	wantSh := []uint64{0x8a7a54611ab6c8bd, 0xbf252ae29f56139f, 0xb90d2233db3d6018, 0x4eb3ff050742f04f, 0xea9163f5271a7479, 0xbec1d85bf3c72217}
	if !slices.Equal(sh, wantSh) {
		t.Errorf("Shingles: got %#x, want %#x", sh, wantSh)
	}
	sig := sketch.MinHash(nil, sh, 128)
	wantSig := []uint64{0xc8dba5bc73f857, 0x9decbf573e4b9a, 0x9ae9b7f30dbcaf, 0xfddba5bc73f857, 0x13f357717bbc725, 0x92f5284aa3939e, 0xbcecbf573e4b9a, 0xb4ecbf573e4b9a}
	if !slices.Equal(sig[:8], wantSig) {
		t.Errorf("MinHash: got %#x, want %#x", sig[:8], wantSig)
	}
	sent := sketch.Sentence(toks)
	wantSent := []uint64{0x5be0a3f6397e8673, 0x9c32f81b53455ba, 0xb5f598536afd907, 0x151e6594ca7b4544}
	if !slices.Equal(sent[:4], wantSent) {
		t.Errorf("Sentence: got %#x, want %#x", sent[:4], wantSent)
	}
	wantTail := []uint64{0x15e6af85438d64dc, 0x15e6a35ab9a68dfc, 0x2e0cf59fe4daa15c, 0x300ce4a749df94e9}
	if !slices.Equal(sent[sketch.SentenceHashes-4:], wantTail) {
		t.Errorf("Sentence tail: got %#x, want %#x", sent[sketch.SentenceHashes-4:], wantTail)
	}
}

// TestShinglesPolynomial checks the rolled shingle hashes against the
// polynomial computed afresh for every shingle.
func TestShinglesPolynomial(t *testing.T) {
	const p = 0x9e3779b97f4a7c15
	toks := wordHashes("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")
	for k := 1; k <= 7; k++ {
		got := sketch.Shingles(nil, toks, k)
		if len(got) != len(toks)-k+1 {
			t.Fatalf("k=%d: %d shingles, want %d", k, len(got), len(toks)-k+1)
		}
		for i := range got {
			var want uint64
			for _, tok := range toks[i : i+k] {
				want = want*p + tok
			}
			if got[i] != want {
				t.Errorf("k=%d shingle %d: got %#x, want %#x", k, i, got[i], want)
			}
		}
	}
}

// seedTokenHashes returns the token hashes of seed 002 (the most complete
// AP copy) and the size of its text.
func seedTokenHashes(tb testing.TB) ([]uint64, int) {
	tb.Helper()
	m, err := filepath.Glob(filepath.Join("..", "testdata", "seeds", "002_*.txt"))
	if err != nil || len(m) != 1 {
		tb.Fatalf("seed 002: got %v (err %v), want one file", m, err)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		tb.Fatal(err)
	}
	text := string(b)
	var hs []uint64
	for _, tk := range textnorm.NewAnalyzer().Tokens(nil, text, 0, len(text)) {
		hs = append(hs, tk.Hash)
	}
	return hs, len(text)
}

// BenchmarkDocument measures Shingles + MinHash (K=128, 5-word shingles) of
// a real article's token hashes; MB/s are of the article's text.
func BenchmarkDocument(b *testing.B) {
	hs, size := seedTokenHashes(b)
	var sh, sig []uint64
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		sh = sketch.Shingles(sh[:0], hs, 5)
		sig = sketch.MinHash(sig, sh, 128)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkSentence(b *testing.B) {
	elems := wordHashes("kremlin", "spokesman", "dmitry", "peskov", "confirmed", "plans", "russian", "state", "news", "agency", "ria", "novosti")
	b.ReportAllocs()
	for b.Loop() {
		sketch.Sentence(elems)
	}
}
