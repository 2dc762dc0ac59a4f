package textnorm

import (
	"unicode"
	"unicode/utf8"

	"github.com/zeebo/xxh3"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// WordHasher hashes the words of a text for document-level comparison,
// about ten times faster than Analyzer.Tokens: no offsets, numbers,
// stems, or sentence structure, only the sequence of words.
//
// A word is a maximal run of letters, digits and combining marks; anything
// else separates words, so "don't" is "don" and "t", and "70,000" is "70"
// and "000" (both texts of a pair are split the same way, which is all a
// document sketch needs). Words are case-folded: ASCII letters directly,
// words with other characters through NFKC and Unicode case folding, as
// Analyzer folds them.
//
// A WordHasher holds buffers: not safe for concurrent use.
type WordHasher struct {
	fold cases.Caser
	buf  []byte
}

// NewWordHasher returns a WordHasher.
func NewWordHasher() *WordHasher { return &WordHasher{fold: cases.Fold()} }

// asciiWord maps an ASCII byte to its folded form when it belongs to a
// word (letters and digits), and to 0 when it separates words.
var asciiWord = func() (t [utf8.RuneSelf]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

// Append appends the xxh3 hashes of the words of text to dst in text order
// and returns it. Invalid UTF-8 bytes separate words.
func (w *WordHasher) Append(dst []uint64, text string) []uint64 {
	buf := w.buf[:0]
	folded := false // buf holds non-ASCII characters
	flush := func() {
		if len(buf) == 0 {
			return
		}
		if folded {
			buf = w.fold.Bytes(norm.NFKC.Bytes(buf))
		}
		dst = append(dst, xxh3.Hash(buf))
		buf, folded = buf[:0], false
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if f := asciiWord[c]; f != 0 {
				buf = append(buf, f)
			} else {
				flush()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
			buf = append(buf, text[i:i+size]...)
			folded = true
		} else {
			flush()
		}
		i += size
	}
	flush()
	w.buf = buf[:0]
	return dst
}
