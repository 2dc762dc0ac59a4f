// Package lsh finds candidate pairs among MinHash signatures by banding:
// a signature of b·r values is cut into b bands of r rows, and two items
// that agree on every row of at least one band become candidates. Items of
// Jaccard similarity s collide with probability 1 − (1 − s^r)^b.
//
// Cost: memory is one bucket entry per band per item, an 8-byte value slot
// in a slab (bucket capacities round up to powers of two), plus per
// distinct bucket a 16-byte map slot and the map's overhead: about 40 bytes
// per entry when most buckets hold one value or a few (BenchmarkInsertQuery;
// 76 with the former map of slices), none of it scanned by the garbage
// collector. A query touches b buckets. Buckets larger than MaxBucket are
// treated as uninformative and skipped by queries (they hold shingles every
// document shares), which bounds query time at the price of recall for the
// most common content.
package lsh

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	mix64 "github.com/wiretrace/wiretrace/internal/mix"
)

// Params returns the bands and rows (bands·rows ≤ k) that minimise the sum of
// the false-positive probability mass below threshold and the
// false-negative mass above it, each integrated over similarity, the way
// datasketch chooses them. It is deterministic.
func Params(threshold float64, k int) (bands, rows int) {
	best := math.Inf(1)
	for b := 1; b <= k; b++ {
		for r := 1; b*r <= k; r++ {
			fp := integrate(func(s float64) float64 { return 1 - math.Pow(1-math.Pow(s, float64(r)), float64(b)) }, 0, threshold)
			fn := integrate(func(s float64) float64 { return math.Pow(1-math.Pow(s, float64(r)), float64(b)) }, threshold, 1)
			if e := fp + fn; e < best-1e-12 {
				best, bands, rows = e, b, r
			}
		}
	}
	return bands, rows
}

func integrate(f func(float64) float64, a, b float64) float64 {
	const steps = 200
	h := (b - a) / steps
	sum := (f(a) + f(b)) / 2
	for i := 1; i < steps; i++ {
		sum += f(a + float64(i)*h)
	}
	return sum * h
}

// Probability returns the chance that two items of Jaccard similarity s
// collide in at least one of bands bands of rows rows.
func Probability(s float64, bands, rows int) float64 {
	return 1 - math.Pow(1-math.Pow(s, float64(rows)), float64(bands))
}

// DefaultMaxBucket is the default bucket size past which queries skip a
// bucket.
const DefaultMaxBucket = 4096

// chunkShift sets the size of the slab's chunks, 1<<chunkShift value slots
// (8 MiB); at most maxShift. A variable for tests, read by New.
var chunkShift uint = 20

const (
	// maxShift bounds chunkShift so that a bucket's length fits lenBits.
	maxShift = 26
	lenBits  = 27
	lenMask  = 1<<lenBits - 1
	// overClass is the class of a bucket kept in the overflow map.
	overClass = 31
)

// bucket locates a bucket's values: the region of 1<<class slots starting
// at slot start of the slab, of which the first len are used. A bucket of
// class overClass keeps its values in Index.over instead.
type bucket struct {
	start uint32
	meta  uint32 // class<<lenBits | len
}

func (b bucket) len() int    { return int(b.meta & lenMask) }
func (b bucket) class() uint { return uint(b.meta >> lenBits) }

func mkBucket(start uint32, class uint, n int) bucket {
	return bucket{start: start, meta: uint32(class)<<lenBits | uint32(n)}
}

// Index is a banded LSH index from signatures to uint64 values (callers pack
// their own ids). It is not safe for concurrent use; callers lock.
//
// Buckets hold no pointers: the map's values locate each bucket's values in
// a slab of fixed-size chunks, in a region of a power-of-two capacity that
// doubles (moving the values) when it is full. Freed regions go on a free
// list per capacity and are reused first. A bucket that outgrows a chunk
// moves, for good, to an ordinary map of slices (rare: such buckets are far
// past any useful MaxBucket).
type Index struct {
	bands, rows int
	// MaxBucket: buckets with more entries than this are skipped by Query.
	// Set it before the first Insert.
	MaxBucket int
	buckets   map[uint64]bucket
	over      map[uint64][]uint64 // buckets of class overClass
	chunks    [][]uint64          // the slab: chunks of 1<<shift slots
	shift     uint
	next      uint64     // the first slot never allocated
	free      [][]uint32 // by class: starts of free regions
	entries   int
	// crossings counts the times a bucket grew past MaxBucket or shrank
	// back to it (see Crossings).
	crossings uint64
	// unordered is set once a value was inserted below the last value of
	// its bucket: QueryFrom then scans whole buckets.
	unordered bool
}

// New returns an empty index of bands bands of rows rows each.
func New(bands, rows int) (*Index, error) {
	if bands < 1 || rows < 1 {
		return nil, fmt.Errorf("lsh: bands and rows must be positive, got %d×%d", bands, rows)
	}
	if chunkShift > maxShift {
		panic("lsh: chunkShift too large")
	}
	return &Index{
		bands: bands, rows: rows, MaxBucket: DefaultMaxBucket,
		buckets: make(map[uint64]bucket), over: make(map[uint64][]uint64),
		shift: chunkShift,
	}, nil
}

// Bands returns the index's band count.
func (ix *Index) Bands() int { return ix.bands }

// Rows returns the index's rows per band.
func (ix *Index) Rows() int { return ix.rows }

// Keys appends the band keys of sig (which must hold at least bands·rows
// values) to dst and returns it. Each key mixes the band number with the
// band's rows, so bands never collide with each other.
func Keys(dst []uint64, sig []uint64, bands, rows int) []uint64 {
	for b := range bands {
		h := uint64(b+1) * 0x9e3779b97f4a7c15
		for _, v := range sig[b*rows : (b+1)*rows] {
			h = mix(bits.RotateLeft64(h, 29) ^ v)
		}
		dst = append(dst, h)
	}
	return dst
}

// Keys appends sig's band keys for this index to dst.
func (ix *Index) Keys(dst []uint64, sig []uint64) []uint64 {
	return Keys(dst, sig, ix.bands, ix.rows)
}

func mix(x uint64) uint64 { return mix64.Fmix64(x) }

// region returns the slots of the region of 1<<class slots at start, with
// length n.
func (ix *Index) region(start uint32, class uint, n int) []uint64 {
	c := ix.chunks[start>>ix.shift]
	p := int(start & (1<<ix.shift - 1))
	return c[p : p+n : p+1<<class]
}

// values returns the values of bucket b of key k.
func (ix *Index) values(k uint64, b bucket) []uint64 {
	if c := b.class(); c != overClass {
		return ix.region(b.start, c, b.len())
	}
	return ix.over[k]
}

// alloc returns the start of a free region of 1<<class slots, class ≤
// ix.shift: a freed one, else the next in the slab.
func (ix *Index) alloc(class uint) uint32 {
	if class < uint(len(ix.free)) {
		if f := ix.free[class]; len(f) > 0 {
			ix.free[class] = f[:len(f)-1]
			return f[len(f)-1]
		}
	}
	size, chunk := uint64(1)<<class, uint64(1)<<ix.shift
	if p := ix.next & (chunk - 1); p != 0 && p+size > chunk {
		// The region does not fit in the rest of this chunk: free the
		// rest, in regions of decreasing powers of two, and start the
		// next chunk.
		for rest := chunk - p; rest > 0; {
			c := uint(bits.Len64(rest) - 1)
			ix.release(uint32(ix.next), c)
			ix.next += 1 << c
			rest -= 1 << c
		}
	}
	if ix.next>>ix.shift == uint64(len(ix.chunks)) {
		if ix.next+chunk > 1<<32 {
			panic("lsh: index of more than 2^32 value slots")
		}
		ix.chunks = append(ix.chunks, make([]uint64, chunk))
	}
	s := ix.next
	ix.next += size
	return uint32(s)
}

// release puts the region of 1<<class slots at start on its free list.
func (ix *Index) release(start uint32, class uint) {
	for uint(len(ix.free)) <= class {
		ix.free = append(ix.free, nil)
	}
	ix.free[class] = append(ix.free[class], start)
}

// Insert adds value v under each band key.
//
// Buckets keep values in insertion order; callers that insert increasing
// values (handles in the order they were given out) keep every bucket
// sorted, which lets QueryFrom skip straight to the values it wants.
func (ix *Index) Insert(keys []uint64, v uint64) {
	for _, k := range keys {
		b, ok := ix.buckets[k]
		if !ok {
			s := ix.alloc(0)
			ix.region(s, 0, 1)[0] = v
			ix.buckets[k] = mkBucket(s, 0, 1)
			continue
		}
		c := b.class()
		if c == overClass {
			vals := ix.over[k]
			ix.noteInsert(vals, v)
			ix.over[k] = append(vals, v)
			continue
		}
		n := b.len()
		vals := ix.region(b.start, c, n)
		ix.noteInsert(vals, v)
		switch {
		case n < cap(vals):
			vals[:n+1][n] = v
			ix.buckets[k] = mkBucket(b.start, c, n+1)
		case c+1 > ix.shift:
			// Past a chunk: to the overflow map, for good.
			over := make([]uint64, n+1, 2*n)
			copy(over, vals)
			over[n] = v
			ix.over[k] = over
			ix.release(b.start, c)
			ix.buckets[k] = bucket{meta: overClass << lenBits}
		default:
			s := ix.alloc(c + 1)
			moved := ix.region(s, c+1, n+1)
			copy(moved, vals)
			moved[n] = v
			ix.release(b.start, c)
			ix.buckets[k] = mkBucket(s, c+1, n+1)
		}
	}
	ix.entries += len(keys)
}

// noteInsert updates unordered and crossings for the insertion of v into
// a bucket holding vals.
func (ix *Index) noteInsert(vals []uint64, v uint64) {
	if n := len(vals); n > 0 && vals[n-1] > v {
		ix.unordered = true
	}
	if ix.MaxBucket > 0 && len(vals) == ix.MaxBucket {
		ix.crossings++
	}
}

// Remove deletes value v from the buckets of keys.
func (ix *Index) Remove(keys []uint64, v uint64) {
	for _, k := range keys {
		b, ok := ix.buckets[k]
		if !ok {
			continue
		}
		vals := ix.values(k, b)
		i := slices.Index(vals, v)
		if i < 0 {
			continue
		}
		if ix.MaxBucket > 0 && len(vals) == ix.MaxBucket+1 {
			ix.crossings++
		}
		ix.entries--
		if c := b.class(); c == overClass {
			vals = slices.Delete(vals, i, i+1)
			if len(vals) == 0 {
				delete(ix.over, k)
				delete(ix.buckets, k)
			} else {
				ix.over[k] = vals
			}
		} else if n := len(vals) - 1; n == 0 {
			ix.release(b.start, c)
			delete(ix.buckets, k)
		} else {
			copy(vals[i:], vals[i+1:])
			ix.buckets[k] = mkBucket(b.start, c, n)
		}
	}
}

// Query calls fn for every value sharing a bucket with keys (a value may be
// reported once per shared band), skipping buckets larger than MaxBucket.
// It stops early when fn returns false.
func (ix *Index) Query(keys []uint64, fn func(v uint64) bool) {
	ix.QueryFrom(keys, 0, fn)
}

// QueryFrom is Query restricted to the values ≥ from. When values were
// inserted in increasing order (see Insert) it costs time in the number of
// such values, not in the size of the buckets; the same buckets are skipped
// as by Query (by their whole size).
func (ix *Index) QueryFrom(keys []uint64, from uint64, fn func(v uint64) bool) {
	for _, k := range keys {
		b, ok := ix.buckets[k]
		if !ok {
			continue
		}
		vals := ix.values(k, b)
		if ix.MaxBucket > 0 && len(vals) > ix.MaxBucket {
			continue
		}
		i := 0
		if !ix.unordered {
			i, _ = slices.BinarySearch(vals, from)
		}
		for _, v := range vals[i:] {
			if v >= from && !fn(v) {
				return
			}
		}
	}
}

// Crossings counts the times a bucket grew past MaxBucket or shrank back
// to it, that is the times Query's choice of buckets to skip changed. A
// caller that queried, released its lock and finds Crossings unchanged
// knows that the same query now would skip the same buckets.
func (ix *Index) Crossings() uint64 { return ix.crossings }

// Len returns the number of bucket entries (items × bands).
func (ix *Index) Len() int { return ix.entries }
