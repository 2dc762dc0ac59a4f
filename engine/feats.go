package engine

import (
	"math"
	"unsafe"

	"github.com/wiretrace/wiretrace/align"
)

// feats holds, for every indexed sentence of every article added, what the
// collision check of sentenceHits reads: the article's handle, the
// sentence's weight, its terms and their weights, in one record of
// consecutive words. Checking a collision then touches one or two cache
// lines instead of following an article's pointers to its sentences, terms
// and weights (five dependent loads, the bulk of matching's time on large
// indexes). The sentence index stores record offsets.
//
// Records are appended in chunks (a record never spans two), in the order
// articles are added, so offsets grow with handles and the sentence
// index's buckets stay sorted (lsh.QueryFrom). The records of a removed
// article stay (its handle is dead; they are never read again).
type feats struct {
	chunks [][]uint32
}

// featChunk is the size of a chunk in words (4 MiB), a power of two (1 <<
// featShift); a variable for tests, which set both.
var (
	featShift uint   = 20
	featChunk uint64 = 1 << featShift
)

// recordSize is the size in words of a sentence's record.
func recordSize(nTerms int) int { return 3 + 2*nTerms }

// place returns where a record of size words goes when the next free
// offset is off: off itself, or the start of the next chunk when it would
// not fit in this one.
func place(off uint64, size int) uint64 {
	if off&(featChunk-1)+uint64(size) > featChunk {
		return (off>>featShift + 1) << featShift
	}
	return off
}

// next returns the offset of the next free word.
func (f *feats) next() uint64 {
	if len(f.chunks) == 0 {
		return 0
	}
	return uint64(len(f.chunks)-1)<<featShift + uint64(len(f.chunks[len(f.chunks)-1]))
}

// add appends the record of sentence i of d, of article h, and returns its
// offset.
func (f *feats) add(h uint32, d *align.Doc, i int) uint64 {
	s := &d.Sentences[i]
	n := int(s.NTerms)
	size := recordSize(n)
	if uint64(size) > featChunk {
		panic("engine: sentence too long for a feature record")
	}
	off := place(f.next(), size)
	if off>>featShift == uint64(len(f.chunks)) {
		f.chunks = append(f.chunks, make([]uint32, 0, featChunk))
	}
	c := &f.chunks[len(f.chunks)-1]
	*c = append(*c, h, math.Float32bits(s.Weight), uint32(n))
	*c = append(*c, d.Terms[s.Off:s.Off+uint32(n)]...)
	for _, w := range d.Weights[s.Off : s.Off+uint32(n)] {
		*c = append(*c, math.Float32bits(w))
	}
	return off
}

// record returns the record at off: handle, weight bits, term count, terms,
// weight bits.
func (f *feats) record(off uint64) []uint32 {
	c := f.chunks[off>>featShift]
	pos := off & (featChunk - 1)
	n := uint64(c[pos+2])
	return c[pos : pos+3+2*n]
}

// recordAtLeast reports whether align.SentenceSim(a, i, b, j) ≥ min, where
// r is the record of sentence j of b (align.DiceAtLeast on the record's
// terms, and on its weight bits read in place as float32s: same bits).
func recordAtLeast(a *align.Doc, i int, r []uint32, min float64) bool {
	n := int(r[2])
	yw := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(r[3+n:]))), n)
	return align.DiceAtLeast(a.SentenceTerms(i), a.SentenceWeights(i), a.Sentences[i].Weight, r[3:3+n], yw, math.Float32frombits(r[1]), min)
}
