package lsh_test

import (
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/wiretrace/wiretrace/lsh"
)

const benchItems = 100_000

// benchKeys are the band keys (Params(0.5, 128)) of 100,000 synthetic
// documents in clusters of five: each member shares 70 of its 100 elements
// with the cluster's core, so members are at J ≈ 0.54 of each other and
// queries find real candidates, as in a corpus with syndicated copies.
var benchKeys = sync.OnceValues(func() ([][]uint64, int) {
	b, r := lsh.Params(0.5, 128)
	keys := make([][]uint64, benchItems)
	var next uint64 = 1 << 40
	var core []uint64
	for i := range keys {
		if i%5 == 0 {
			core = core[:0]
			for range 70 {
				next++
				core = append(core, next)
			}
		}
		ids := slices.Clone(core)
		for range 30 {
			next++
			ids = append(ids, next)
		}
		keys[i] = lsh.Keys(nil, docSig(ids), b, r)
	}
	return keys, b
})

// BenchmarkInsert builds an index of 100,000 documents per op.
func BenchmarkInsert(b *testing.B) {
	keys, bands := benchKeys()
	_, rows := lsh.Params(0.5, 128)
	b.ReportAllocs()
	for b.Loop() {
		ix, _ := lsh.New(bands, rows)
		for i, k := range keys {
			ix.Insert(k, uint64(i))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchItems), "ns/insert")
}

// BenchmarkQuery queries an index of 100,000 documents with the keys of its
// members and reports the distinct candidates per query (the document
// itself and its four cluster mates when recall is perfect).
func BenchmarkQuery(b *testing.B) {
	keys, bands := benchKeys()
	_, rows := lsh.Params(0.5, 128)
	ix, _ := lsh.New(bands, rows)
	for i, k := range keys {
		ix.Insert(k, uint64(i))
	}
	seen := map[uint64]struct{}{}
	total, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		clear(seen)
		ix.Query(keys[i%benchItems], func(v uint64) bool {
			seen[v] = struct{}{}
			return true
		})
		total += len(seen)
		i += 7919 // a prime stride over the items
	}
	b.ReportMetric(float64(total)/float64(b.N), "candidates/op")
}

// BenchmarkInsertQuery builds an index of 100,000 documents per op and
// queries it with every document's keys for the values after the
// document's own (as the engine does), and reports the live heap the index
// takes per bucket entry, measured after a collection.
func BenchmarkInsertQuery(b *testing.B) {
	keys, bands := benchKeys()
	_, rows := lsh.Params(0.5, 128)
	build := func() *lsh.Index {
		ix, _ := lsh.New(bands, rows)
		for i, k := range keys {
			ix.Insert(k, uint64(i))
		}
		return ix
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	bytesPerEntry := float64(ms.HeapAlloc-before) / float64(kept.Len())
	runtime.KeepAlive(kept)

	found := 0
	b.ReportAllocs()
	for b.Loop() {
		ix := build()
		for i, k := range keys {
			ix.QueryFrom(k, uint64(i)+1, func(uint64) bool {
				found++
				return true
			})
		}
	}
	b.ReportMetric(bytesPerEntry, "heapB/entry")
	b.ReportMetric(float64(found)/float64(b.N*benchItems), "found/query")
}
