// Package lsh finds candidate pairs among MinHash signatures by banding:
// a signature of b·r values is cut into b bands of r rows, and two items
// that agree on every row of at least one band become candidates. Items of
// Jaccard similarity s collide with probability 1 − (1 − s^r)^b.
//
// Cost: memory is one bucket entry (8 bytes plus map overhead) per band per
// item; a query touches b buckets. Buckets larger than MaxBucket are treated
// as uninformative and skipped by queries (they hold shingles every document
// shares), which bounds query time at the price of recall for the most
// common content.
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

// Index is a banded LSH index from signatures to uint64 values (callers pack
// their own ids). It is not safe for concurrent use; callers lock.
type Index struct {
	bands, rows int
	// MaxBucket: buckets with more entries than this are skipped by Query.
	// Set it before the first Insert.
	MaxBucket int
	buckets   map[uint64][]uint64
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
	return &Index{bands: bands, rows: rows, MaxBucket: DefaultMaxBucket, buckets: make(map[uint64][]uint64)}, nil
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

// Insert adds value v under each band key.
//
// Buckets keep values in insertion order; callers that insert increasing
// values (handles in the order they were given out) keep every bucket
// sorted, which lets QueryFrom skip straight to the values it wants.
func (ix *Index) Insert(keys []uint64, v uint64) {
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

// Remove deletes value v from the buckets of keys.
func (ix *Index) Remove(keys []uint64, v uint64) {
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

// Query calls fn for every value sharing a bucket with keys (a value may be
// reported once per shared band), skipping buckets larger than MaxBucket.
// It stops early when fn returns false.
func (ix *Index) Query(keys []uint64, fn func(v uint64) bool) {
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

// QueryFrom is Query restricted to the values ≥ from. When values were
// inserted in increasing order (see Insert) it costs time in the number of
// such values, not in the size of the buckets; the same buckets are skipped
// as by Query (by their whole size).
func (ix *Index) QueryFrom(keys []uint64, from uint64, fn func(v uint64) bool) {
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

// Crossings counts the times a bucket grew past MaxBucket or shrank back
// to it, that is the times Query's choice of buckets to skip changed. A
// caller that queried, released its lock and finds Crossings unchanged
// knows that the same query now would skip the same buckets.
func (ix *Index) Crossings() uint64 { return ix.crossings }

// Len returns the number of bucket entries (items × bands).
func (ix *Index) Len() int { return ix.entries }
