package textnorm_test

import (
	"testing"

	"github.com/wiretrace/wiretrace/textnorm"
	"github.com/zeebo/xxh3"
)

// tokens runs the tokenizer over all of text.
func tokens(text string) []textnorm.Token {
	return textnorm.NewAnalyzer().Tokens(nil, text, 0, len(text))
}

// surfaces returns the original text of each token.
func surfaces(text string, toks []textnorm.Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = text[t.Start:t.End]
	}
	return out
}

// one returns the single token of text, failing the test when there is not
// exactly one.
func one(t *testing.T, text string) textnorm.Token {
	t.Helper()
	toks := tokens(text)
	if len(toks) != 1 {
		t.Fatalf("tokens(%q): got %d tokens %q, want 1", text, len(toks), surfaces(text, toks))
	}
	return toks[0]
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTokenOffsets(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // text[Start:End] of each token, in order
	}{
		{"ascii", "Biden, Putin set video call.", []string{"Biden", "Putin", "set", "video", "call"}},
		{"curly quotes and apostrophe", "“We know,” Ukraine’s envoy said.", []string{"We", "know", "Ukraine’s", "envoy", "said"}},
		{"hyphen splits", "a large-scale escalation", []string{"a", "large", "scale", "escalation"}},
		{"ligature", "the ﬁnal ﬁgure", []string{"the", "ﬁnal", "ﬁgure"}},
		{"full-width digits", "about ７０,０００ troops", []string{"about", "７０,０００", "troops"}},
		{"accents and cyrillic", "café in Москва — Zelenskyy", []string{"café", "in", "Москва", "Zelenskyy"}},
		{"numbers with separators", "70,000 and 1,234.5 or 3,5.", []string{"70,000", "and", "1,234.5", "or", "3,5"}},
		{"dotted acronym", "the U.S. and U.N. said", []string{"the", "U.S", "and", "U.N", "said"}},
		{"no words", " — … “” ... ", nil},
		{"emoji between words", "peace 🕊 talks", []string{"peace", "talks"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks := tokens(tc.text)
			got := surfaces(tc.text, toks)
			if !equalStrings(got, tc.want) {
				t.Fatalf("surfaces: got %q, want %q", got, tc.want)
			}
			for i, tk := range toks {
				if tk.Start < 0 || tk.End > len(tc.text) || tk.Start >= tk.End {
					t.Errorf("token %d: got span [%d,%d), want a non-empty span within [0,%d)", i, tk.Start, tk.End, len(tc.text))
				}
				if i > 0 && tk.Start < toks[i-1].End {
					t.Errorf("token %d: got start %d, want ≥ previous end %d", i, tk.Start, toks[i-1].End)
				}
			}
		})
	}
}

// TestTokensSubrange checks that offsets are relative to the whole text when
// only a range of it is tokenised.
func TestTokensSubrange(t *testing.T) {
	text := "Header line\n\nKremlin’s spokesman ﬁrst said"
	start := len("Header line\n\n")
	toks := textnorm.NewAnalyzer().Tokens(nil, text, start, len(text))
	got := surfaces(text, toks)
	want := []string{"Kremlin’s", "spokesman", "ﬁrst", "said"}
	if !equalStrings(got, want) {
		t.Fatalf("surfaces: got %q, want %q", got, want)
	}
	if toks[0].Start != start {
		t.Errorf("first token start: got %d, want %d", toks[0].Start, start)
	}
	// dst is appended to, not overwritten.
	prev := []textnorm.Token{{Norm: "keep"}}
	toks = textnorm.NewAnalyzer().Tokens(prev, text, start, len(text))
	if len(toks) != 5 || toks[0].Norm != "keep" {
		t.Errorf("append: got %d tokens, first %q; want 5, first \"keep\"", len(toks), toks[0].Norm)
	}
}

func TestTokenNorm(t *testing.T) {
	tests := []struct {
		text    string
		norm    string
		kind    textnorm.Kind
		content bool
	}{
		// case folding
		{"Kremlin", "kremlin", textnorm.Word, true},
		{"KREMLIN", "kremlin", textnorm.Word, true},
		{"Straße", "strasse", textnorm.Word, true},
		{"ÉLYSÉE", "élysée", textnorm.Word, true},
		// NFKC
		{"ﬁnance", "finance", textnorm.Word, true},
		{"ｆｏｏ", "foo", textnorm.Word, true},
		{"７０００", "7000", textnorm.Number, true},
		{"７０,０００", "70000", textnorm.Number, true},
		// numbers
		{"70,000", "70000", textnorm.Number, true},
		{"70000", "70000", textnorm.Number, true},
		{"1,234.5", "1234.5", textnorm.Number, true},
		{"1,234,567", "1234567", textnorm.Number, true},
		{"3,5", "3.5", textnorm.Number, true},
		{"3.5", "3.5", textnorm.Number, true},
		{"2021", "2021", textnorm.Number, true},
		// number words
		{"seven", "7", textnorm.Number, true},
		{"Seven", "7", textnorm.Number, true},
		{"twenty", "20", textnorm.Number, true},
		{"hundred", "100", textnorm.Number, true},
		// acronyms: the country is kept apart from the pronoun
		{"U.S.", "us_", textnorm.Word, true},
		{"US", "us_", textnorm.Word, true},
		{"Ｕ.Ｓ.", "us_", textnorm.Word, true},
		{"us", "us", textnorm.Word, false},
		{"Us", "us", textnorm.Word, false},
		{"NATO", "nato", textnorm.Word, true},
		// all-caps function words (headlines, Reuters titles) stay
		// function words
		{"THE", "the", textnorm.Word, false},
		{"OF", "of", textnorm.Word, false},
		{"TO", "to", textnorm.Word, false},
		{"IN", "in", textnorm.Word, false},
		// possessives
		{"Russia's", "russia", textnorm.Word, true},
		{"Ukraine’s", "ukraine", textnorm.Word, true},
		{"Ukraine‘s", "ukraine", textnorm.Word, true},
		{"NATO’s", "nato", textnorm.Word, true},
		{"don't", "don't", textnorm.Word, false},
		{"don’t", "don't", textnorm.Word, false},
		// function words
		{"the", "the", textnorm.Word, false},
		{"said", "said", textnorm.Word, false},
		{"Mr", "mr", textnorm.Word, false},
		{"troops", "troops", textnorm.Word, true},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			tk := one(t, tc.text)
			if tk.Norm != tc.norm {
				t.Errorf("Norm: got %q, want %q", tk.Norm, tc.norm)
			}
			if tk.Kind != tc.kind {
				t.Errorf("Kind: got %d, want %d", tk.Kind, tc.kind)
			}
			if tk.Content != tc.content {
				t.Errorf("Content: got %v, want %v", tk.Content, tc.content)
			}
			if tk.Hash != xxh3.HashString(tk.Norm) {
				t.Errorf("Hash: got %#x, want xxh3(%q) = %#x", tk.Hash, tk.Norm, xxh3.HashString(tk.Norm))
			}
			if tk.StemHash != xxh3.HashString(tk.Stem) {
				t.Errorf("StemHash: got %#x, want xxh3(%q) = %#x", tk.StemHash, tk.Stem, xxh3.HashString(tk.Stem))
			}
			if !tk.Content && tk.Stem != tk.Norm {
				t.Errorf("Stem of a function word: got %q, want the Norm %q", tk.Stem, tk.Norm)
			}
		})
	}
}

// TestEquivalentForms checks that different spellings of one word or
// number give one Norm, so hashes match across outlets' styles.
func TestEquivalentForms(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"thousands separator", "70,000", "70000"},
		{"full-width number", "７０,０００", "70,000"},
		{"spelled number", "seven", "7"},
		{"dotted acronym", "U.S.", "US"},
		{"dotted UN", "U.N.", "UN"},
		{"possessive", "Russia's", "Russia"},
		{"curly possessive", "Ukraine’s", "Ukraine"},
		{"ligature", "ﬁnance", "finance"},
		{"upper case", "KREMLIN", "Kremlin"},
		{"upper-case function word", "THE", "the"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := one(t, tc.a), one(t, tc.b)
			if a.Norm != b.Norm || a.Hash != b.Hash {
				t.Errorf("Norm of %q vs %q: got %q and %q, want equal", tc.a, tc.b, a.Norm, b.Norm)
			}
			if a.StemHash != b.StemHash {
				t.Errorf("StemHash of %q vs %q: got %#x and %#x, want equal", tc.a, tc.b, a.StemHash, b.StemHash)
			}
		})
	}
}

// TestNumberWordsInCompounds checks that "seven-year" and "7-year" carry the
// same number token, as in seeds 000 and 001.
func TestNumberWordsInCompounds(t *testing.T) {
	a := tokens("a seven-year conflict")
	b := tokens("a 7-year conflict")
	if len(a) != len(b) {
		t.Fatalf("token count: got %d and %d, want equal", len(a), len(b))
	}
	for i := range a {
		if a[i].Norm != b[i].Norm {
			t.Errorf("token %d: got %q and %q, want equal", i, a[i].Norm, b[i].Norm)
		}
	}
	if a[1].Kind != textnorm.Number || a[1].Norm != "7" {
		t.Errorf("seven: got Norm %q kind %d, want \"7\" Number", a[1].Norm, a[1].Kind)
	}
}

func TestStems(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"massed", "massing", true},
		{"massed", "masses", true},
		{"troops", "troop", true},
		{"escalate", "escalating", true},
		{"invasion", "invaded", false}, // Snowball keeps these apart
		{"Russians", "Russian", true},
		{"Russia", "Russian", false},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			a, b := one(t, tc.a), one(t, tc.b)
			if got := a.Stem == b.Stem; got != tc.same {
				t.Errorf("stems %q and %q: got same=%v, want %v", a.Stem, b.Stem, got, tc.same)
			}
			if got := a.StemHash == b.StemHash; got != tc.same {
				t.Errorf("stem hashes: got same=%v, want %v", got, tc.same)
			}
		})
	}
	if m := one(t, "massed"); m.Norm == m.Stem {
		t.Errorf("massed: got Stem %q equal to Norm, want a stem", m.Stem)
	}
}

func TestCap(t *testing.T) {
	tests := []struct {
		text string
		cap  bool
	}{
		{"Putin", true}, {"putin", false}, {"Élysée", true}, {"élysée", false}, {"70,000", false}, {"NATO", true},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := one(t, tc.text).Cap; got != tc.cap {
				t.Errorf("Cap: got %v, want %v", got, tc.cap)
			}
		})
	}
}

func TestIsFunctionWord(t *testing.T) {
	tests := []struct {
		w    string
		want bool
	}{
		{"the", true}, {"said", true}, {"us", true}, {"would", true}, {"let's", true},
		{"us_", false}, {"kremlin", false}, {"troops", false}, {"", false}, {"The", false},
	}
	for _, tc := range tests {
		if got := textnorm.IsFunctionWord(tc.w); got != tc.want {
			t.Errorf("IsFunctionWord(%q): got %v, want %v", tc.w, got, tc.want)
		}
	}
}

// TestStemCacheStable checks that one Analyzer gives the same stems when it
// meets the same words again (the cache must not alter results).
func TestStemCacheStable(t *testing.T) {
	an := textnorm.NewAnalyzer()
	text := "Russia massed troops; troops massing near borders, Russia said."
	first := an.Tokens(nil, text, 0, len(text))
	second := an.Tokens(nil, text, 0, len(text))
	fresh := textnorm.NewAnalyzer().Tokens(nil, text, 0, len(text))
	if len(first) != len(second) || len(first) != len(fresh) {
		t.Fatalf("token counts: got %d, %d, %d; want equal", len(first), len(second), len(fresh))
	}
	for i := range first {
		if first[i] != second[i] || first[i] != fresh[i] {
			t.Errorf("token %d: got %+v / %+v / %+v, want equal", i, first[i], second[i], fresh[i])
		}
	}
}

func TestIDF(t *testing.T) {
	if n := textnorm.BackgroundDocs(); n < 1000 {
		t.Fatalf("BackgroundDocs: got %d, want the embedded table's thousands of documents", n)
	}
	common := uint32(one(t, "government").StemHash)
	rare := uint32(one(t, "zxqvwlmrpt").StemHash)
	if df := textnorm.BackgroundDF(common); df == 0 {
		t.Errorf("BackgroundDF(government): got 0, want > 0")
	}
	if df := textnorm.BackgroundDF(rare); df != 0 {
		t.Errorf("BackgroundDF(nonsense word): got %d, want 0", df)
	}
	ic, ir := textnorm.IDF(common, 0, 0), textnorm.IDF(rare, 0, 0)
	if !(ic < ir) {
		t.Errorf("IDF: got common %v, rare %v; want common < rare", ic, ir)
	}
	if extra := textnorm.IDF(rare, 10, 10); !(extra < ir) {
		t.Errorf("IDF with extra documents containing the term: got %v, want < %v", extra, ir)
	}
	year := uint32(one(t, "2021").StemHash)
	if w := textnorm.TermWeight(year); w != 2 {
		t.Errorf("TermWeight(2021): got %v, want 2", w)
	}
	if w := textnorm.TermWeight(rare); w != ir {
		t.Errorf("TermWeight(rare): got %v, want its IDF %v", w, ir)
	}
}

// TestTermWeightTable checks the precomputed TermWeight against its
// definition, and the statistics tokens carry against the lookups.
func TestTermWeightTable(t *testing.T) {
	an := textnorm.NewAnalyzer()
	text := "In 2021 the government of Zxqvwlmrpt said 1999 troops, 70,000 people and the city's mayor were stable. The Government's troops"
	// Twice: the second time every word comes from the analyzer's cache.
	for _, tok := range append(an.Tokens(nil, text, 0, len(text)), an.Tokens(nil, text, 0, len(text))...) {
		term := uint32(tok.StemHash)
		want := textnorm.IDF(term, 0, 0)
		if n := tok.Norm; len(n) == 4 && (n[:2] == "19" || n[:2] == "20") {
			want = 2
		}
		if got := textnorm.TermWeight(term); got != want {
			t.Errorf("TermWeight(%q): got %v, want %v", tok.Norm, got, want)
		}
		// A content token carries its term's weight and document
		// frequency; other tokens carry zeros.
		wantW, wantDF := want, uint32(textnorm.BackgroundDF(term))
		if !tok.Content {
			wantW, wantDF = 0, 0
		}
		if tok.Weight != wantW || tok.DF != wantDF {
			t.Errorf("token %q: Weight %v, DF %d; want %v, %d", tok.Norm, tok.Weight, tok.DF, wantW, wantDF)
		}
	}
	if got, want := textnorm.TermWeight(0), textnorm.IDF(0, 0, 0); got != want {
		t.Errorf("TermWeight(0): got %v, want %v", got, want)
	}
}
