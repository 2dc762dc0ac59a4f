package textnorm_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace/textnorm"
)

func hashes(words ...string) []uint64 {
	var out []uint64
	for _, w := range words {
		out = append(out, textnorm.WordHash(w))
	}
	return out
}

func TestWordHasher(t *testing.T) {
	wh := textnorm.NewWordHasher()
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{" \n—…! ", nil},
		{"Hello, WORLD!", []string{"hello", "world"}},
		{"Don't pay 70,000 dlrs.", []string{"don", "t", "pay", "70", "000", "dlrs"}},
		{"Straße ÄRGER café", []string{"strasse", "ärger", "café"}},
		{"ﬁnal ７０ Ｕ.Ｓ.", []string{"final", "70", "u", "s"}}, // NFKC
		{"cafe\u0301 Москва", []string{"café", "москва"}},   // combining mark kept in the word
		{"a\xffb \xc3\x28c", []string{"a", "b", "c"}},       // invalid bytes separate
		{"x1y2 Z9", []string{"x1y2", "z9"}},
	} {
		got := wh.Append(nil, tc.text)
		if !slices.Equal(got, hashes(tc.want...)) {
			t.Errorf("%q: got %d hashes, want the hashes of %q", tc.text, len(got), tc.want)
		}
	}
	// Appends, and buffers do not leak between calls.
	dst := wh.Append(nil, "ÉCOLE one")
	dst = wh.Append(dst, "two")
	if !slices.Equal(dst, hashes("école", "one", "two")) {
		t.Errorf("append: got %x", dst)
	}
}

// TestWordHasherCase: case and Unicode normalisation variants of a text
// hash alike.
func TestWordHasherCase(t *testing.T) {
	wh := textnorm.NewWordHasher()
	text := "The Kremlin said on Tuesday that Ｐｕｔｉｎ will meet Erdoğan in Ankara."
	a := wh.Append(nil, text)
	b := wh.Append(nil, strings.ToUpper(text))
	c := wh.Append(nil, strings.ToLower(text))
	if !slices.Equal(a, b) || !slices.Equal(a, c) {
		t.Errorf("case variants hash differently:\n%x\n%x\n%x", a, b, c)
	}
}

func FuzzWordHasher(f *testing.F) {
	for _, s := range []string{"", "Hello, WORLD!", "ﬁnal ７０,０００ Ｕ.Ｓ. café Москва", "\xff\xfe invalid \xc3\x28 utf8"} {
		f.Add(s)
	}
	wh := textnorm.NewWordHasher()
	f.Fuzz(func(t *testing.T, text string) {
		got := wh.Append(nil, text)
		// At most one word per character; the same text hashes the same.
		if len(got) > utf8.RuneCountInString(text) {
			t.Fatalf("%d words in %d characters", len(got), utf8.RuneCountInString(text))
		}
		if again := wh.Append(nil, text); !slices.Equal(got, again) {
			t.Fatal("not deterministic")
		}
		// Words are separated by what is not a letter or digit: joining
		// them with other separators changes nothing.
		if alt := wh.Append(nil, strings.ReplaceAll(text, " ", "\n")); !slices.Equal(got, alt) {
			t.Fatal("separators matter")
		}
	})
}
