package extract

import "strings"

// literals is a set of strings, each of at least two bytes, to look for in
// a text in one pass rather than one scan per string: a bitset of their
// first two bytes picks the places worth a closer look.
type literals struct {
	pairs  [1 << 16 / 64]uint64
	byPair map[uint16][]string
}

func newLiterals(list ...string) *literals {
	ls := &literals{byPair: map[uint16][]string{}}
	for _, s := range list {
		if len(s) < 2 {
			panic("extract: literal shorter than two bytes: " + s)
		}
		p := uint16(s[0])<<8 | uint16(s[1])
		ls.pairs[p/64] |= 1 << (p % 64)
		ls.byPair[p] = append(ls.byPair[p], s)
	}
	return ls
}

// in reports whether s contains any of the strings of ls.
func (ls *literals) in(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		p := uint16(s[i])<<8 | uint16(s[i+1])
		if ls.pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, x := range ls.byPair[p] {
			if strings.HasPrefix(s[i:], x) {
				return true
			}
		}
	}
	return false
}
