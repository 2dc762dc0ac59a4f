package lsh_test

import (
	"math"
	"slices"
	"testing"

	"github.com/wiretrace/wiretrace/lsh"
	"github.com/wiretrace/wiretrace/sketch"
	"github.com/zeebo/xxh3"
)

func TestParams(t *testing.T) {
	for _, k := range []int{64, 128, 256} {
		prevMid := 0.0
		for _, th := range []float64{0.2, 0.3, 0.5, 0.7, 0.9} {
			b, r := lsh.Params(th, k)
			if b < 1 || r < 1 || b*r > k {
				t.Fatalf("Params(%v, %d): got %d×%d, want positive with b·r ≤ %d", th, k, b, r, k)
			}
			// The S-curve's steepest point is near (1/b)^(1/r).
			mid := math.Pow(1/float64(b), 1/float64(r))
			if math.Abs(mid-th) > 0.1 {
				t.Errorf("Params(%v, %d) = %d×%d: got midpoint %.3f, want %v ± 0.1", th, k, b, r, mid, th)
			}
			if mid <= prevMid {
				t.Errorf("Params(%v, %d): got midpoint %.3f, want above %.3f of the lower threshold", th, k, mid, prevMid)
			}
			prevMid = mid
			// Clearly similar pairs are found, clearly different ones not.
			if p := lsh.Probability(math.Min(th+0.25, 1), b, r); p < 0.9 {
				t.Errorf("Params(%v, %d) = %d×%d: got P(collide | s=%.2f) = %.3f, want ≥ 0.9", th, k, b, r, th+0.25, p)
			}
			if p := lsh.Probability(math.Max(th-0.25, 0), b, r); p > 0.15 {
				t.Errorf("Params(%v, %d) = %d×%d: got P(collide | s=%.2f) = %.3f, want ≤ 0.15", th, k, b, r, th-0.25, p)
			}
			if b2, r2 := lsh.Params(th, k); b2 != b || r2 != r {
				t.Errorf("Params(%v, %d): got %d×%d then %d×%d, want deterministic", th, k, b, r, b2, r2)
			}
		}
	}
	// The engine's default.
	if b, r := lsh.Params(0.5, 128); b*r > 128 || math.Abs(lsh.Probability(0.5, b, r)-0.5) > 0.15 {
		t.Errorf("Params(0.5, 128) = %d×%d: got P(0.5) = %.3f, want 0.5 ± 0.15", b, r, lsh.Probability(0.5, b, r))
	}
}

func TestProbability(t *testing.T) {
	for _, br := range [][2]int{{1, 1}, {25, 5}, {8, 2}, {5, 25}} {
		b, r := br[0], br[1]
		if p := lsh.Probability(0, b, r); p != 0 {
			t.Errorf("P(0; %d×%d): got %v, want 0", b, r, p)
		}
		if p := lsh.Probability(1, b, r); p != 1 {
			t.Errorf("P(1; %d×%d): got %v, want 1", b, r, p)
		}
		prev := -1.0
		for i := 0; i <= 100; i++ {
			s := float64(i) / 100
			p := lsh.Probability(s, b, r)
			if p < prev || p < 0 || p > 1 {
				t.Fatalf("P(%.2f; %d×%d): got %v after %v, want non-decreasing in [0,1]", s, b, r, p, prev)
			}
			prev = p
		}
	}
	// More bands, more collisions; more rows, fewer.
	if a, b := lsh.Probability(0.5, 10, 4), lsh.Probability(0.5, 20, 4); !(b > a) {
		t.Errorf("P(0.5) with 10 vs 20 bands: got %v and %v, want increasing", a, b)
	}
	if a, b := lsh.Probability(0.5, 10, 4), lsh.Probability(0.5, 10, 8); !(b < a) {
		t.Errorf("P(0.5) with 4 vs 8 rows: got %v and %v, want decreasing", a, b)
	}
	if got, want := lsh.Probability(0.5, 1, 1), 0.5; got != want {
		t.Errorf("P(0.5; 1×1): got %v, want %v", got, want)
	}
}

func TestNew(t *testing.T) {
	for _, br := range [][2]int{{0, 1}, {1, 0}, {-1, 5}} {
		if ix, err := lsh.New(br[0], br[1]); err == nil || ix != nil {
			t.Errorf("New(%d, %d): got (%v, %v), want an error", br[0], br[1], ix, err)
		}
	}
	ix, err := lsh.New(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Bands() != 4 || ix.Rows() != 2 || ix.Len() != 0 || ix.MaxBucket != lsh.DefaultMaxBucket {
		t.Errorf("New(4, 2): got %d×%d, len %d, MaxBucket %d; want 4×2, 0, %d", ix.Bands(), ix.Rows(), ix.Len(), ix.MaxBucket, lsh.DefaultMaxBucket)
	}
}

func TestKeys(t *testing.T) {
	zeros := make([]uint64, 8)
	keys := lsh.Keys(nil, zeros, 4, 2)
	if len(keys) != 4 {
		t.Fatalf("Keys: got %d keys, want 4", len(keys))
	}
	// Identical rows in every band still give a different key per band.
	seen := map[uint64]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("Keys of an all-zero signature: got a repeated key %#x, want one per band", k)
		}
		seen[k] = true
	}
	// A change in one row changes that band's key only.
	sig := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	base := lsh.Keys(nil, sig, 4, 2)
	sig[5] = 99
	changed := lsh.Keys(nil, sig, 4, 2)
	for b := range base {
		if same := base[b] == changed[b]; same != (b != 2) {
			t.Errorf("band %d after changing row 5: got same=%v, want %v", b, same, b != 2)
		}
	}
	// Rows beyond bands·rows are ignored; dst is appended to.
	long := append(slices.Clone(sig), 1000, 2000)
	if got := lsh.Keys([]uint64{42}, long, 4, 2); len(got) != 5 || got[0] != 42 || !slices.Equal(got[1:], changed) {
		t.Errorf("Keys with extra rows and dst: got %#x, want 42 followed by %#x", got, changed)
	}
	// Row order inside a band matters.
	if a, b := lsh.Keys(nil, []uint64{1, 2}, 1, 2), lsh.Keys(nil, []uint64{2, 1}, 1, 2); a[0] == b[0] {
		t.Errorf("Keys of (1 2) and (2 1): got equal, want different")
	}
	ix, _ := lsh.New(4, 2)
	if got := ix.Keys(nil, sig); !slices.Equal(got, changed) {
		t.Errorf("Index.Keys: got %#x, want %#x", got, changed)
	}
}

// collect returns the values Query reports, sorted and deduplicated.
func collect(ix *lsh.Index, keys []uint64) []uint64 {
	var out []uint64
	ix.Query(keys, func(v uint64) bool {
		out = append(out, v)
		return true
	})
	slices.Sort(out)
	return slices.Compact(out)
}

func TestInsertQueryRemove(t *testing.T) {
	ix, _ := lsh.New(4, 2)
	sigA := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	sigB := []uint64{1, 2, 30, 40, 50, 60, 70, 80} // shares band 0 with A
	sigC := []uint64{9, 9, 9, 9, 9, 9, 9, 9}       // shares nothing
	kA, kB, kC := ix.Keys(nil, sigA), ix.Keys(nil, sigB), ix.Keys(nil, sigC)
	ix.Insert(kA, 1)
	ix.Insert(kB, 2)
	ix.Insert(kC, 3)
	if got, want := ix.Len(), 12; got != want {
		t.Errorf("Len: got %d, want %d", got, want)
	}
	tests := []struct {
		name string
		keys []uint64
		want []uint64
	}{
		{"A finds itself and B", kA, []uint64{1, 2}},
		{"B finds A", kB, []uint64{1, 2}},
		{"C alone", kC, []uint64{3}},
		{"unknown", ix.Keys(nil, []uint64{7, 7, 7, 7, 7, 7, 7, 7}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := collect(ix, tc.keys); !slices.Equal(got, tc.want) {
				t.Errorf("Query: got %v, want %v", got, tc.want)
			}
		})
	}
	// A value is reported once per shared band.
	n := 0
	ix.Query(kA, func(v uint64) bool {
		if v == 1 {
			n++
		}
		return true
	})
	if n != 4 {
		t.Errorf("A in its own 4 bands: got %d reports, want 4", n)
	}
	// Early stop.
	calls := 0
	ix.Query(kA, func(uint64) bool { calls++; return false })
	if calls != 1 {
		t.Errorf("Query stopping at once: got %d calls, want 1", calls)
	}

	ix.Remove(kA, 1)
	if got := collect(ix, kB); !slices.Equal(got, []uint64{2}) {
		t.Errorf("after Remove(A): B's query got %v, want [2]", got)
	}
	if got, want := ix.Len(), 8; got != want {
		t.Errorf("Len after Remove: got %d, want %d", got, want)
	}
	ix.Remove(kA, 1) // absent: no change
	ix.Remove(kC, 77)
	if got, want := ix.Len(), 8; got != want {
		t.Errorf("Len after removing absent values: got %d, want %d", got, want)
	}
	ix.Remove(kB, 2)
	ix.Remove(kC, 3)
	if got := ix.Len(); got != 0 {
		t.Errorf("Len after removing all: got %d, want 0", got)
	}
	if got := collect(ix, kB); len(got) != 0 {
		t.Errorf("query on empty index: got %v, want none", got)
	}
}

func TestMaxBucket(t *testing.T) {
	ix, _ := lsh.New(2, 1)
	common := ix.Keys(nil, []uint64{5, 5})  // both bands shared by all
	halfA := ix.Keys(nil, []uint64{5, 100}) // band 0 shared, band 1 rare
	ix.MaxBucket = 3
	for v := range uint64(4) {
		ix.Insert(common, v)
	}
	ix.Insert(halfA, 100)
	// Band 0's bucket now holds 5 values (> 3): skipped. Band 1 of
	// common holds 4 (> 3): skipped too.
	if got := collect(ix, common); len(got) != 0 {
		t.Errorf("query on over-full buckets: got %v, want none", got)
	}
	if got := collect(ix, halfA); !slices.Equal(got, []uint64{100}) {
		t.Errorf("query on one over-full and one small bucket: got %v, want [100]", got)
	}
	ix.MaxBucket = 0 // no limit
	if got := collect(ix, common); len(got) != 5 {
		t.Errorf("MaxBucket=0: got %v, want all 5 values", got)
	}
	ix.MaxBucket = 5 // exactly full is still read
	if got := collect(ix, halfA); len(got) != 5 {
		t.Errorf("MaxBucket equal to bucket size: got %v, want all 5 values", got)
	}
}

// docSig makes a MinHash signature of a synthetic document: n element
// hashes drawn from ids.
func docSig(ids []uint64) []uint64 {
	elems := make([]uint64, len(ids))
	for i, id := range ids {
		elems[i] = xxh3.Hash([]byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24), byte(id >> 32)})
	}
	return sketch.MinHash(nil, elems, 128)
}

// TestRecall checks the index end to end on MinHash signatures: with the
// engine's parameters (threshold 0.5, K=128), pairs at J≈0.8 are found and
// pairs at J≈0.2 are not, as often as Probability says.
func TestRecall(t *testing.T) {
	b, r := lsh.Params(0.5, 128)
	const pairs = 200
	for _, tc := range []struct {
		shared   int // of 100 elements each
		min, max float64
	}{
		{89, 0.95, 1.0}, // J = 89/111 ≈ 0.80
		{33, 0.0, 0.1},  // J = 33/167 ≈ 0.20
	} {
		ix, _ := lsh.New(b, r)
		var next uint64
		fresh := func(n int) []uint64 {
			out := make([]uint64, n)
			for i := range out {
				next++
				out[i] = next
			}
			return out
		}
		var queries [][]uint64
		for p := range uint64(pairs) {
			shared := fresh(tc.shared)
			a := append(slices.Clone(shared), fresh(100-tc.shared)...)
			c := append(slices.Clone(shared), fresh(100-tc.shared)...)
			ix.Insert(ix.Keys(nil, docSig(a)), p)
			queries = append(queries, ix.Keys(nil, docSig(c)))
		}
		found := 0
		for p, q := range queries {
			for _, v := range collect(ix, q) {
				if v == uint64(p) {
					found++
				}
			}
		}
		rate := float64(found) / pairs
		j := float64(tc.shared) / float64(200-tc.shared)
		if rate < tc.min || rate > tc.max {
			t.Errorf("J=%.2f: got candidate rate %.3f, want %.2f..%.2f (Probability says %.3f)", j, rate, tc.min, tc.max, lsh.Probability(j, b, r))
		}
	}
}

// queryFrom collects QueryFrom's values in the order reported.
func queryFrom(ix *lsh.Index, keys []uint64, from uint64) []uint64 {
	var out []uint64
	ix.QueryFrom(keys, from, func(v uint64) bool {
		out = append(out, v)
		return true
	})
	return out
}

func TestQueryFrom(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		ix, _ := lsh.New(2, 1)
		keys := ix.Keys(nil, []uint64{1, 2})
		vals := []uint64{3, 5, 8, 13, 21}
		if !ordered {
			vals = []uint64{13, 3, 21, 5, 8}
		}
		for _, v := range vals {
			ix.Insert(keys, v)
		}
		for _, from := range []uint64{0, 3, 4, 13, 21, 22} {
			// What Query reports, filtered, in the same order.
			var want []uint64
			ix.Query(keys, func(v uint64) bool {
				if v >= from {
					want = append(want, v)
				}
				return true
			})
			if got := queryFrom(ix, keys, from); !slices.Equal(got, want) {
				t.Errorf("ordered=%v: QueryFrom(%d) got %v, want %v", ordered, from, got, want)
			}
		}
		ix.Remove(keys, 13)
		if got, want := queryFrom(ix, keys, 10), []uint64{21, 21}; !slices.Equal(got, want) {
			t.Errorf("ordered=%v: QueryFrom after Remove got %v, want %v", ordered, got, want)
		}
		ix.MaxBucket = 3
		if got := queryFrom(ix, keys, 0); len(got) != 0 {
			t.Errorf("ordered=%v: QueryFrom on over-full buckets got %v, want none (skipped by their whole size)", ordered, got)
		}
	}
}

func TestCrossings(t *testing.T) {
	ix, _ := lsh.New(2, 1)
	ix.MaxBucket = 2
	shared := ix.Keys(nil, []uint64{1, 2})
	for v := range uint64(2) {
		ix.Insert(shared, v)
	}
	if got := ix.Crossings(); got != 0 {
		t.Fatalf("buckets at MaxBucket: got %d crossings, want 0", got)
	}
	ix.Insert(shared, 2) // both buckets grow past 2
	if got := ix.Crossings(); got != 2 {
		t.Fatalf("two buckets past MaxBucket: got %d crossings, want 2", got)
	}
	ix.Insert(shared, 3) // already past: no change of what Query skips
	if got := ix.Crossings(); got != 2 {
		t.Fatalf("growing an over-full bucket: got %d crossings, want 2", got)
	}
	ix.Remove(shared, 3)
	ix.Remove(shared, 2) // back to 2: read again
	if got := ix.Crossings(); got != 4 {
		t.Fatalf("two buckets back to MaxBucket: got %d crossings, want 4", got)
	}
	if got := collect(ix, shared); !slices.Equal(got, []uint64{0, 1}) {
		t.Errorf("after shrinking: got %v, want [0 1]", got)
	}
	ix0, _ := lsh.New(1, 1)
	ix0.MaxBucket = 0
	ix0.Insert(ix0.Keys(nil, []uint64{1}), 1)
	if got := ix0.Crossings(); got != 0 {
		t.Errorf("MaxBucket 0 (no limit): got %d crossings, want 0", got)
	}
}
