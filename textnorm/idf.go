package textnorm

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"

	"github.com/zeebo/xxh3"
)

// idfTable is the background document-frequency table: content stems of
// 21,268 BBC (2004–05) and Reuters (1987) news articles with their document
// frequency, built by tools/mkidf. It gives every term a corpus-independent
// rarity, so a pair's alignment or a small input's story vectors never
// depend on what else happens to be in the input.
//
//go:embed idf.tsv.gz
var idfTable []byte

var background = sync.OnceValue(func() *idfStats {
	s := &idfStats{df: make(map[uint32]uint32, 1<<15), docs: 1}
	zr, err := gzip.NewReader(bytes.NewReader(idfTable))
	if err != nil {
		return s // an embedded asset that does not decode: treat every term as rare
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		if k == "#docs" {
			s.docs = n
			continue
		}
		s.df[uint32(xxh3.HashString(k))] = uint32(n)
	}
	return s
})

type idfStats struct {
	df   map[uint32]uint32 // as read from the table; terms holds it in the form lookups use
	docs int
}

// BackgroundDocs is the number of documents behind the background table.
func BackgroundDocs() int { return background().docs }

// BackgroundDF returns the background document frequency of a content term
// (uint32 of its StemHash); 0 when the term is rare or unknown.
func BackgroundDF(term uint32) int { return int(terms().get(term).df) }

// IDF returns a term's inverse document frequency, ln((N+1)/(df+1)) + 1,
// over the background corpus plus extra documents in which the term occurs
// extraDF times (pass 0, 0 for the background alone).
func IDF(term uint32, extraDocs, extraDF int) float32 {
	return idf(background().docs+extraDocs, int(terms().get(term).df)+extraDF)
}

// idf is IDF's formula for a term in df of n documents.
func idf(n, df int) float32 {
	return float32(math.Log((float64(n)+1)/(float64(df)+1)) + 1)
}

// TermWeight is the fixed weight of a content term in sentence alignment:
// its background IDF, with years (1900–2099) capped low, since every news
// text carries one.
func TermWeight(term uint32) float32 { return terms().get(term).weight }

var yearTerms = func() map[uint32]struct{} {
	m := make(map[uint32]struct{}, 200)
	for y := 1900; y < 2100; y++ {
		m[uint32(xxh3.HashString(strconv.Itoa(y)))] = struct{}{}
	}
	return m
}()

// termSlot is a term's entry in termTable.
type termSlot struct {
	term   uint32
	df     uint32
	weight float32
	full   uint32 // 1 for a slot in use
}

// termTable is the background table and TermWeight in one open-addressing
// table keyed by term (terms are hashes already: the slot is the term's
// top bits after a multiplication). Preparing an article looks up every
// content term twice (is it distinctive, what does it weigh); two Go maps
// cost a hash, a probe and a compare each, this one probe of a 16-byte
// slot in a 1 MiB table.
type termTable struct {
	slots []termSlot
	shift uint
	rare  termSlot // what get returns for a term in no slot
}

// terms is the table of every term of the background table and of the
// years; every other term has the rare slot (df 0, the IDF of a term in no
// background document).
var terms = sync.OnceValue(func() *termTable {
	b := background()
	n := 1
	for n < 2*(len(b.df)+len(yearTerms)) {
		n *= 2
	}
	t := &termTable{slots: make([]termSlot, n), shift: uint(32 - bits.TrailingZeros(uint(n))), rare: termSlot{weight: idf(b.docs, 0)}}
	put := func(term, df uint32) {
		w := idf(b.docs, int(df))
		if _, year := yearTerms[term]; year {
			w = 2
		}
		i := t.index(term)
		for t.slots[i].full != 0 && t.slots[i].term != term {
			i = (i + 1) & (len(t.slots) - 1)
		}
		t.slots[i] = termSlot{term: term, df: df, weight: w, full: 1}
	}
	for term, df := range b.df {
		put(term, df)
	}
	for term := range yearTerms {
		put(term, b.df[term])
	}
	return t
})

func (t *termTable) index(term uint32) int {
	return int((term * 0x9e3779b1) >> t.shift)
}

// get returns the slot of term, or t.rare.
func (t *termTable) get(term uint32) termSlot {
	for i := t.index(term); ; i = (i + 1) & (len(t.slots) - 1) {
		s := t.slots[i]
		if s.full == 0 {
			return t.rare
		}
		if s.term == term {
			return s
		}
	}
}
