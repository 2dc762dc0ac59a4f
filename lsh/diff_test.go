package lsh_test

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wiretrace/wiretrace/lsh"
)

// refIndex is the index's bucket storage as it was before the slab: a map
// of slices. The differential tests hold Index to its behaviour.
type refIndex struct {
	MaxBucket int
	buckets   map[uint64][]uint64
	entries   int
	crossings uint64
	unordered bool
}

func (ix *refIndex) Insert(keys []uint64, v uint64) {
	for _, k := range keys {
		b := ix.buckets[k]
		if n := len(b); n > 0 && b[n-1] > v {
			ix.unordered = true
		}
		if ix.MaxBucket > 0 && len(b) == ix.MaxBucket {
			ix.crossings++
		}
		ix.buckets[k] = append(b, v)
	}
	ix.entries += len(keys)
}

func (ix *refIndex) Remove(keys []uint64, v uint64) {
	for _, k := range keys {
		b := ix.buckets[k]
		if i := slices.Index(b, v); i >= 0 {
			if ix.MaxBucket > 0 && len(b) == ix.MaxBucket+1 {
				ix.crossings++
			}
			b = slices.Delete(b, i, i+1)
			ix.entries--
			if len(b) == 0 {
				delete(ix.buckets, k)
			} else {
				ix.buckets[k] = b
			}
		}
	}
}

func (ix *refIndex) Query(keys []uint64, fn func(v uint64) bool) {
	for _, k := range keys {
		b := ix.buckets[k]
		if ix.MaxBucket > 0 && len(b) > ix.MaxBucket {
			continue
		}
		for _, v := range b {
			if !fn(v) {
				return
			}
		}
	}
}

func (ix *refIndex) QueryFrom(keys []uint64, from uint64, fn func(v uint64) bool) {
	for _, k := range keys {
		b := ix.buckets[k]
		if ix.MaxBucket > 0 && len(b) > ix.MaxBucket {
			continue
		}
		i := 0
		if !ix.unordered {
			i, _ = slices.BinarySearch(b, from)
		}
		for _, v := range b[i:] {
			if v >= from && !fn(v) {
				return
			}
		}
	}
}

// source gives the differential driver its choices: intn returns a value
// in [0, n), ok reports whether the source still has choices to give.
type source interface {
	intn(n int) int
	ok() bool
}

type randSource struct {
	r    *rand.Rand
	left int
}

func (s *randSource) intn(n int) int { s.left--; return s.r.IntN(n) }
func (s *randSource) ok() bool       { return s.left > 0 }

type byteSource struct{ b []byte }

func (s *byteSource) intn(n int) int {
	if len(s.b) == 0 {
		return 0
	}
	var x uint16
	if len(s.b) >= 2 {
		x = binary.LittleEndian.Uint16(s.b)
		s.b = s.b[2:]
	} else {
		x = uint16(s.b[0])
		s.b = s.b[1:]
	}
	return int(x) % n
}
func (s *byteSource) ok() bool { return len(s.b) > 0 }

// differential applies the same operations, chosen by src, to an Index
// and a refIndex and fails at the first difference in what a query
// reports (in order, early stops included), in Len or in Crossings.
// checkEvery > 0 also checks the slab's bookkeeping every so many ops.
func differential(t testing.TB, src source, checkEvery int) (ops int) {
	ix, err := lsh.New(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := &refIndex{MaxBucket: lsh.DefaultMaxBucket, buckets: map[uint64][]uint64{}}
	setMax := func(m int) { ix.MaxBucket, ref.MaxBucket = m, m }
	setMax([]int{0, 1, 3, 8, 50, lsh.DefaultMaxBucket}[src.intn(6)])

	// A small key space, some keys hot, so that buckets grow past
	// MaxBucket and past the chunk size.
	hot := 1 + src.intn(4)
	cold := 1 + src.intn(200)
	randKeys := func() []uint64 {
		keys := make([]uint64, 1+src.intn(4))
		for i := range keys {
			if src.intn(3) == 0 {
				keys[i] = uint64(1000 + src.intn(cold))
			} else {
				keys[i] = uint64(src.intn(hot))
			}
		}
		return keys
	}
	type item struct {
		keys []uint64
		v    uint64
	}
	var live []item
	var next uint64 = 10
	shuffle := src.intn(4) == 0 // values out of order from the start

	var got, want []uint64
	for src.ok() {
		ops++
		switch op := src.intn(16); {
		case op < 7: // insert
			v := next
			next += uint64(1 + src.intn(3))
			if shuffle || src.intn(50) == 0 {
				v = uint64(src.intn(int(next) + 1))
			}
			keys := randKeys()
			if len(live) > 0 && src.intn(8) == 0 {
				keys = live[src.intn(len(live))].keys // same buckets as another
			}
			ix.Insert(keys, v)
			ref.Insert(keys, v)
			live = append(live, item{keys, v})
		case op < 11: // remove a live item, or something absent
			if len(live) == 0 {
				continue
			}
			i := src.intn(len(live))
			it := live[i]
			switch src.intn(8) {
			case 0:
				it.v += 1 // most likely absent
			case 1:
				it.keys = randKeys() // perhaps other buckets
			default:
				live = slices.Delete(live, i, i+1)
			}
			ix.Remove(it.keys, it.v)
			ref.Remove(it.keys, it.v)
		case op < 15: // query or queryFrom, perhaps stopping early
			keys := randKeys()
			if len(live) > 0 && src.intn(2) == 0 {
				keys = live[src.intn(len(live))].keys
			}
			limit := -1
			if src.intn(4) == 0 {
				limit = src.intn(20)
			}
			from := uint64(src.intn(int(next) + 2))
			useFrom := src.intn(2) == 0
			run := func(q func([]uint64, uint64, func(uint64) bool)) []uint64 {
				var out []uint64
				q(keys, from, func(v uint64) bool {
					out = append(out, v)
					return limit < 0 || len(out) < limit
				})
				return out
			}
			if useFrom {
				got, want = run(ix.QueryFrom), run(ref.QueryFrom)
			} else {
				got = run(func(k []uint64, _ uint64, fn func(uint64) bool) { ix.Query(k, fn) })
				want = run(func(k []uint64, _ uint64, fn func(uint64) bool) { ref.Query(k, fn) })
			}
			if !slices.Equal(got, want) {
				t.Fatalf("op %d: query (from %d, useFrom %v, limit %d) of %v: got %v, want %v", ops, from, useFrom, limit, keys, got, want)
			}
		default: // change MaxBucket
			setMax([]int{0, 1, 3, 8, 50, lsh.DefaultMaxBucket}[src.intn(6)])
		}
		if ix.Len() != ref.entries || ix.Crossings() != ref.crossings {
			t.Fatalf("op %d: got Len %d, Crossings %d; want %d, %d", ops, ix.Len(), ix.Crossings(), ref.entries, ref.crossings)
		}
		if checkEvery > 0 && ops%checkEvery == 0 {
			if err := ix.Check(); err != nil {
				t.Fatalf("op %d: %v", ops, err)
			}
		}
	}
	// Every bucket, whole and in order.
	for k := range ref.buckets {
		got, want = got[:0], want[:0]
		ix.Query([]uint64{k}, func(v uint64) bool { got = append(got, v); return true })
		for _, v := range ref.buckets[k] {
			want = append(want, v)
		}
		if ix.MaxBucket > 0 && len(want) > ix.MaxBucket {
			continue
		}
		if !slices.Equal(got, want) {
			t.Fatalf("end: bucket %d: got %v, want %v", k, got, want)
		}
	}
	if err := ix.Check(); err != nil {
		t.Fatalf("end: %v", err)
	}
	return ops
}

func TestDifferential(t *testing.T) {
	for _, shift := range []uint{0, 2, 6, 20} {
		restore := lsh.SetChunkShift(shift)
		for seed := range uint64(12) {
			src := &randSource{r: rand.New(rand.NewPCG(seed, uint64(shift))), left: 60_000}
			differential(t, src, 97)
		}
		restore()
	}
}

func FuzzIndex(f *testing.F) {
	f.Add([]byte{6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(make([]byte, 64))
	r := rand.New(rand.NewPCG(1, 2))
	for range 4 {
		b := make([]byte, 400)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		defer lsh.SetChunkShift(uint(data[0] % 8))()
		differential(t, &byteSource{data[1:]}, 1)
	})
}
