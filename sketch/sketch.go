// Package sketch computes compact signatures of token streams: word
// shingles, one-permutation MinHash over them for document-level Jaccard
// estimates, and small per-sentence MinHash sketches of content words for
// finding reworded sentences.
//
// Cost: a document sketch is one 64-bit mix per shingle plus a pass over K
// bins for densification (K = 128 by default: 1 KiB per document); a
// sentence sketch is SentenceHashes mixes per distinct content word.
// Signatures are deterministic: same tokens, same signature, on any machine.
package sketch

import "math/bits"

// Version is the signature format version. Changelog:
//
//	1: one-permutation MinHash with optimal densification over word
//	   k-shingles (xxh3 token hashes combined by mix64); sentence sketches of
//	   16 independent mixes of content-word stem hashes.
//	2: shingle hashes are a rolling polynomial of the token hashes
//	   (Shingles), one pass instead of k mixes per shingle.
//	3: sentence sketches of 24 mixes (the first 16 as before), for the
//	   engine's 8 bands of 3 rows.
const Version = 3

// Empty marks a bin of a signature that no shingle reached (only in a
// signature of an empty document).
const Empty = ^uint64(0)

// mix64 is a strong 64-bit finalizer (splitmix64/murmur3 style).
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Shingles appends to dst the hashes of all k-word shingles of the token
// hashes toks (fewer than k tokens give one shingle of them all; none give
// nothing) and returns it.
//
// A shingle's hash is the polynomial Σ toks[i+j]·P^(k-1-j) mod 2^64 over
// its k token hashes, rolled from one shingle to the next in two
// multiplications; token hashes are already uniform (xxh3), and MinHash
// mixes each shingle hash again before use.
func Shingles(dst []uint64, toks []uint64, k int) []uint64 {
	if len(toks) == 0 {
		return dst
	}
	if k < 1 {
		k = 1
	}
	if len(toks) < k {
		k = len(toks)
	}
	var h uint64
	pk := uint64(1) // P^k
	for _, t := range toks[:k] {
		h = h*shingleP + t
		pk *= shingleP
	}
	dst = append(dst, h)
	for i := k; i < len(toks); i++ {
		h = h*shingleP + toks[i] - toks[i-k]*pk
		dst = append(dst, h)
	}
	return dst
}

// shingleP is the odd multiplier of the shingle polynomial.
const shingleP = 0x9e3779b97f4a7c15

// MinHash computes a one-permutation MinHash signature of K bins (K a power
// of two, 2 ≤ K ≤ 4096) over a set of 64-bit element hashes, with Shrivastava's
// optimal densification so every bin holds a value whenever the set is
// non-empty. The fraction of equal bins of two signatures estimates the
// Jaccard similarity of the two sets. The result has length K; an empty
// input gives all Empty.
func MinHash(dst []uint64, elems []uint64, K int) []uint64 {
	if K < 2 || K&(K-1) != 0 || K > 4096 {
		panic("sketch: K must be a power of two in [2, 4096]")
	}
	shift := 64 - uint(bits.TrailingZeros(uint(K)))
	sig := dst[:0]
	for range K {
		sig = append(sig, Empty)
	}
	if len(elems) == 0 {
		return sig
	}
	for _, e := range elems {
		h := mix64(e ^ 0x9e3779b97f4a7c15)
		bin := h >> shift
		v := h << (64 - shift) >> (64 - shift) // low bits: value within bin
		if v < sig[bin] {
			sig[bin] = v
		}
	}
	densify(sig)
	return sig
}

// densify fills empty bins by optimal densification: empty bin i borrows
// the value of the first non-empty bin hit by a per-bin hash sequence.
func densify(sig []uint64) {
	K := uint64(len(sig))
	empty := false
	for _, v := range sig {
		if v == Empty {
			empty = true
			break
		}
	}
	if !empty {
		return
	}
	filled := make([]bool, K)
	for i, v := range sig {
		filled[i] = v != Empty
	}
	for i := range sig {
		if filled[i] {
			continue
		}
		for attempt := uint64(1); ; attempt++ {
			j := mix64(uint64(i)<<32|attempt) % K
			if filled[j] {
				// Offset by the bin's index so borrowed values stay
				// distinguishable from the donor's own.
				sig[i] = sig[j] + attempt<<48
				break
			}
		}
	}
}

// Similarity returns the fraction of equal bins of two signatures of the same
// length: an estimate of the Jaccard similarity of the underlying sets.
func Similarity(a, b []uint64) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	eq := 0
	for i := range a {
		if a[i] == b[i] && a[i] != Empty {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}

// SentenceHashes is the number of independent MinHash values in a sentence
// sketch.
const SentenceHashes = 24

// sentenceSeeds are fixed odd constants, one per sentence hash function.
var sentenceSeeds = func() [SentenceHashes]uint64 {
	var s [SentenceHashes]uint64
	x := uint64(0x2545f4914f6cdd1d)
	for i := range s {
		x = mix64(x + 0x9e3779b97f4a7c15)
		s[i] = x | 1
	}
	return s
}()

// Sentence computes a MinHash sketch of a small set (a sentence's distinct
// content-word hashes) with SentenceHashes independent hash functions. Two
// sketches agree at position i with probability equal to the sets' Jaccard
// similarity. An empty set gives all Empty.
func Sentence(elems []uint64) [SentenceHashes]uint64 {
	var sig [SentenceHashes]uint64
	for i := range sig {
		sig[i] = Empty
	}
	for _, e := range elems {
		for i, s := range sentenceSeeds {
			v := mix64(e ^ s)
			if v < sig[i] {
				sig[i] = v
			}
		}
	}
	return sig
}
