package textnorm

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// tokenCache remembers the analysis of words of at most 16 bytes (nearly
// every word of news text), so that the steady state of tokenising is one
// cache line read per word.
//
// It is a two-way set-associative table of 64-byte slots: a slot holds the
// word's bytes (the key, compared as two words, with no pointer to follow),
// its hashes and flags, and where its normalised form and stem lie in an
// arena of bytes. A Go map of strings, which this replaces, reads a control
// word, a slot and the key's bytes from three places: on a corpus of a
// million articles, whose vocabulary outgrows every cache, those misses
// were over a third of the time spent preparing an article.
//
// Words are added to the first way of their set, the previous occupant
// moving to the second (the older of the two is forgotten). Arenas are
// filled in turn; when the current one is full the other is emptied and
// refilled, and slots whose strings lay in it (two generations back) count
// as empty. Nothing is ever cleared at once, and the strings handed out in
// Tokens stay valid (an arena is replaced, never overwritten).
//
// The table starts small (an Analyzer that reads one article should not
// pay for a corpus's vocabulary) and doubles whenever it has taken as many
// new words as it has slots, up to 1<<tokenCacheBits slots.
type tokenCache struct {
	slots  []tokenSlot
	shift  uint // 64 - log2(len(slots))
	puts   int  // words added since the table last grew
	arenas [2][]byte
	gen    uint32 // the current generation: strings go to arenas[gen&1]
}

// tokenSlot is one cached word. klen 0 marks an empty slot.
type tokenSlot struct {
	k0, k1           uint64 // the word's bytes, little-endian, zero-padded
	hash, stemHash   uint64
	norm, stem       uint32 // offsets in the arena of generation gen
	normLen, stemLen uint8
	klen             uint8
	flags            uint8
	gen              uint32
	weight           float32
	df               uint32
	_                [8]byte // one slot per cache line
}

const (
	flagNumber = 1 << iota
	flagContent
	flagCap
	flagDrop
)

// Sizes of the cache: at first 1<<firstCacheBits slots, at most
// 1<<tokenCacheBits (8 MiB), and two arenas of 2 MiB (an arena's turn
// empties the slots of the generation before; with 1 MiB arenas that cost
// a tenth more misses on a large vocabulary: 16.1% of lookups instead of
// 14.6% over 50k synthetic articles). Variables for tests.
var (
	firstCacheBits = 12
	tokenCacheBits = 17
	arenaSize      = 1 << 21
)

// maxCachedWord is the longest word (in bytes, as written) the cache holds;
// longer ones go to Analyzer.long.
const maxCachedWord = 16

func newTokenCache() *tokenCache {
	b := min(firstCacheBits, tokenCacheBits)
	c := &tokenCache{
		slots: make([]tokenSlot, 1<<b),
		shift: uint(64 - b),
		gen:   1,
	}
	c.arenas[1] = make([]byte, 0, arenaSize)
	return c
}

// grow doubles the table, keeping the words it holds.
func (c *tokenCache) grow() {
	old := c.slots
	c.slots = make([]tokenSlot, 2*len(old))
	c.shift--
	c.puts = 0
	for k := range old {
		if s := &old[k]; c.live(s) {
			*c.place(s.k0, s.k1, int(s.klen)) = *s
		}
	}
}

// place returns the slot a new word of key k0, k1 and length n goes to:
// the first of its set, whose word moves to the second, unless one of them
// is free.
func (c *tokenCache) place(k0, k1 uint64, n int) *tokenSlot {
	i := c.set(k0, k1, n)
	first, second := &c.slots[i], &c.slots[i+1]
	switch {
	case !c.live(first):
		return first
	case !c.live(second):
		return second
	}
	*second = *first
	return first
}

// key packs a word of at most 16 bytes into two words.
func key(v string) (k0, k1 uint64) {
	var b [16]byte
	copy(b[:], v)
	return binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])
}

// set returns the index of the first slot of the set of a key.
func (c *tokenCache) set(k0, k1 uint64, n int) uint64 {
	h := (k0 ^ bits.RotateLeft64(k1, 29) ^ uint64(n)) * 0x9e3779b97f4a7c15
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	return (h >> c.shift) &^ 1
}

// live reports whether s holds a word whose strings are still in an arena.
func (c *tokenCache) live(s *tokenSlot) bool {
	return s.klen != 0 && c.gen-s.gen <= 1
}

// get returns the cached entry of v (len(v) ≤ maxCachedWord).
func (c *tokenCache) get(v string) (tokenEntry, bool) {
	k0, k1 := key(v)
	i := c.set(k0, k1, len(v))
	for j := i; j < i+2; j++ {
		s := &c.slots[j]
		if s.k0 == k0 && s.k1 == k1 && int(s.klen) == len(v) && c.live(s) {
			return c.entry(s), true
		}
	}
	return tokenEntry{}, false
}

// entry rebuilds a tokenEntry from a slot; its strings point into the arena
// the slot's generation wrote.
func (c *tokenCache) entry(s *tokenSlot) tokenEntry {
	a := c.arenas[s.gen&1]
	e := tokenEntry{
		hash: s.hash, stemHash: s.stemHash, weight: s.weight, df: s.df,
		content: s.flags&flagContent != 0, cap: s.flags&flagCap != 0, drop: s.flags&flagDrop != 0,
	}
	if s.flags&flagNumber != 0 {
		e.kind = Number
	}
	if s.normLen > 0 {
		e.norm = unsafe.String(&a[s.norm], int(s.normLen))
	}
	if s.stemLen > 0 {
		e.stem = unsafe.String(&a[s.stem], int(s.stemLen))
	}
	return e
}

// put caches e for v (len(v) ≤ maxCachedWord) and returns e with its
// strings in the arena. Entries whose strings are over 255 bytes are not
// cached (put returns e as it is).
func (c *tokenCache) put(v string, e tokenEntry) tokenEntry {
	if len(e.norm) > 255 || len(e.stem) > 255 {
		return e
	}
	// A stem that begins its normalised form ("talk" of "talks") is
	// stored as that prefix.
	shared := isPrefix(e.stem, e.norm)
	need := len(e.norm)
	if !shared {
		need += len(e.stem)
	}
	a := &c.arenas[c.gen&1]
	if len(*a)+need > cap(*a) {
		// Start the next generation in the other arena: slots of the
		// generation before the current one become empty.
		c.gen++
		a = &c.arenas[c.gen&1]
		*a = make([]byte, 0, arenaSize)
	}
	if c.puts++; c.puts > len(c.slots) && len(c.slots) < 1<<tokenCacheBits {
		c.grow()
	}
	k0, k1 := key(v)
	s := c.place(k0, k1, len(v))
	norm := uint32(len(*a))
	*a = append(*a, e.norm...)
	stem := norm
	if !shared {
		stem = uint32(len(*a))
		*a = append(*a, e.stem...)
	}
	var flags uint8
	if e.kind == Number {
		flags |= flagNumber
	}
	if e.content {
		flags |= flagContent
	}
	if e.cap {
		flags |= flagCap
	}
	if e.drop {
		flags |= flagDrop
	}
	*s = tokenSlot{
		k0: k0, k1: k1, hash: e.hash, stemHash: e.stemHash, weight: e.weight, df: e.df,
		norm: norm, stem: stem, normLen: uint8(len(e.norm)), stemLen: uint8(len(e.stem)),
		klen: uint8(len(v)), flags: flags, gen: c.gen,
	}
	return c.entry(s)
}

func isPrefix(p, s string) bool { return len(p) <= len(s) && s[:len(p)] == p }
