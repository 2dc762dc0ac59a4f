package textnorm

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/wiretrace/wiretrace/internal/mix"
)

// WordHasher hashes the words of a text for document-level comparison,
// about ten times faster than Analyzer.Tokens: no offsets, numbers,
// stems, or sentence structure, only the sequence of words. ASCII words
// are hashed as they are scanned, without copying.
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

// Append appends the hashes of the words of text to dst in text order
// and returns it. Invalid UTF-8 bytes separate words. A word's hash
// depends only on its folded form (WordHash).
func (w *WordHasher) Append(dst []uint64, text string) []uint64 {
	const (
		offset = 0xcbf29ce484222325 // FNV-1a
		prime  = 0x100000001b3
	)
	h := uint64(offset)
	start := -1 // start of the current word, -1 between words
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if f := asciiWord[c]; f != 0 {
				if start < 0 {
					start, h = i, offset
				}
				h = (h ^ uint64(f)) * prime
			} else if start >= 0 {
				dst = append(dst, finishWord(h))
				start = -1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !inWord(r) {
			if start >= 0 {
				dst = append(dst, finishWord(h))
				start = -1
			}
			i += size
			continue
		}
		// A word with other than ASCII letters and digits: find its end,
		// then fold it whole.
		if start < 0 {
			start = i
		}
		end := i + size
		for end < len(text) {
			c := text[end]
			if c < utf8.RuneSelf {
				if asciiWord[c] == 0 {
					break
				}
				end++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[end:])
			if !inWord(r) {
				break
			}
			end += size
		}
		w.buf = w.fold.Bytes(norm.NFKC.AppendString(w.buf[:0], text[start:end]))
		dst = append(dst, hashBytes(w.buf))
		start, i = -1, end
	}
	if start >= 0 {
		dst = append(dst, finishWord(h))
	}
	return dst
}

// inWord reports whether r belongs to a word: a letter, digit or mark
// (utf8.RuneError, for an invalid byte, does not).
func inWord(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// WordHash is the hash WordHasher gives a word in its folded form
// (lower-case ASCII, or NFKC and Unicode case folding).
func WordHash(folded string) uint64 { return hashBytes([]byte(folded)) }

// hashBytes is FNV-1a over b, finished by finishWord.
func hashBytes(b []byte) uint64 {
	h := uint64(0xcbf29ce484222325)
	for _, c := range b {
		h = (h ^ uint64(c)) * 0x100000001b3
	}
	return finishWord(h)
}

// finishWord mixes an FNV-1a state into a well-distributed 64-bit hash
// (FNV alone leaves the high bits weak for short words).
func finishWord(h uint64) uint64 { return mix.Fmix64(h) }
