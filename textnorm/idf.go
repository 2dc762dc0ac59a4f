package textnorm

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"math"
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
	df   map[uint32]uint32
	docs int
}

// BackgroundDocs is the number of documents behind the background table.
func BackgroundDocs() int { return background().docs }

// BackgroundDF returns the background document frequency of a content term
// (uint32 of its StemHash); 0 when the term is rare or unknown.
func BackgroundDF(term uint32) int { return int(background().df[term]) }

// IDF returns a term's inverse document frequency, ln((N+1)/(df+1)) + 1,
// over the background corpus plus extra documents in which the term occurs
// extraDF times (pass 0, 0 for the background alone).
func IDF(term uint32, extraDocs, extraDF int) float32 {
	b := background()
	n := float64(b.docs + extraDocs)
	df := float64(int(b.df[term]) + extraDF)
	return float32(math.Log((n+1)/(df+1)) + 1)
}

// TermWeight is the fixed weight of a content term in sentence alignment:
// its background IDF, with years (1900–2099) capped low, since every news
// text carries one.
func TermWeight(term uint32) float32 {
	w := termWeights()
	if x, ok := w.known[term]; ok {
		return x
	}
	return w.rare
}

// termWeights holds TermWeight precomputed: for the years and the terms of
// the background table, and for every other term (all of which have the
// same IDF, that of a term in no background document).
var termWeights = sync.OnceValue(func() (w struct {
	known map[uint32]float32
	rare  float32
}) {
	b := background()
	w.known = make(map[uint32]float32, len(b.df)+len(yearTerms))
	for term := range b.df {
		w.known[term] = IDF(term, 0, 0)
	}
	for term := range yearTerms {
		w.known[term] = 2
	}
	n, df := float64(b.docs), 0.0 // IDF's formula for a term with df 0
	w.rare = float32(math.Log((n+1)/(df+1)) + 1)
	return w
})

var yearTerms = func() map[uint32]struct{} {
	m := make(map[uint32]struct{}, 200)
	for y := 1900; y < 2100; y++ {
		m[uint32(xxh3.HashString(strconv.Itoa(y)))] = struct{}{}
	}
	return m
}()
