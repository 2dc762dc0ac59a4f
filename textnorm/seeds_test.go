package textnorm_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace/ingest"
	"github.com/wiretrace/wiretrace/textnorm"
)

// seedDir holds the five seed articles (see ../testdata/SEEDS.md).
const seedDir = "../testdata/seeds"

// readSeed returns a seed's text as the text reader delivers it (the
// " date YYYY-MM-DD" header of 000 and 003 removed).
func readSeed(t testing.TB, prefix string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(seedDir, prefix+"_*.txt"))
	if err != nil || len(m) != 1 {
		t.Fatalf("seed %s: got %v (err %v), want one file", prefix, m, err)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return ingest.TextArticle(prefix, string(b)).Text
}

// TestSeeds analyses the five seed articles: sentence counts must be close
// to a human count, and sentences with abbreviations, quotes and broken
// quote spacing must come out whole.
func TestSeeds(t *testing.T) {
	tests := []struct {
		seed     string
		min, max int      // plausible sentence count (chrome included: no skip)
		whole    []string // sentences that must come out exactly
	}{
		{"000", 22, 26, []string{
			"“We know what President Putin has done in the past,” Psaki said.",
			"“We see that he is putting in place the capacity to act as quickly as possible.”",
			"“What I’m doing is putting in place what I think I am, will be, the most comprehensive and meaningful set of initiatives to make it very, very difficult for Mr. Putin to move forward. and do what people fear he will do, ”Biden said on Friday.",
			"U.S. intelligence officials, meanwhile, determined that Russia had assembled around 70,000 troops near its border with Ukraine and had started planning for a possible invasion as early as early next year, according to an official with the Biden administration, which was not authorized to discuss this finding. publicly and spoke on condition of anonymity.",
			"Russia also supported separatists in eastern Ukraine in a seven-year conflict that claimed the lives of more than 14,000 people.",
			"“I don’t accept anyone’s red line,” Biden said.",
		}},
		{"001", 26, 30, []string{
			"MOSCOW (AP) – President Joe Biden and Russian President Vladimir Putin will speak on a video call on Tuesday as tensions between the United States and Russia escalate during a Accumulation of Russian troops on the Ukrainian border considered to be a sign of a potential invasion.",
			"Russia is more adamant than ever that US guarantees Ukraine will not be admitted into NATO military alliance.",
			"When Putin and Biden met in Geneva in June, Biden warned that if Russia crossed certain red lines – including attacking major US infrastructure – his administration would respond and “the consequences would be devastating.”",
			"Madhani and Long reported from Washington.",
		}},
		{"002", 50, 60, []string{
			"Biden said the U.S. would take any necessary steps to protect critical infrastructure from any such attacks.",
			"Numerous former U.S. and NATO diplomats say any such Russian demand to Biden would be a nonstarter.",
			"U.S.-Russia relations have been rocky since Biden took office.",
			"“What I am doing is putting together what I believe to be, will be, the most comprehensive and meaningful set of initiatives to make it very, very difficult for Mr. Putin to go ahead and do what people are worried he may do,” Biden said Friday.",
		}},
		{"003", 40, 48, []string{
			"The last time the two leaders had an official conversation was on July 9th.",
			"“We do not know if President Putin made the decision to invade.",
			"According to the agency, up to 175,000 servicemen will be involved in this, with almost half of them already deployed in various positions along the border.",
			"It is the largest concentration of Russian troops on the border since the annexation of Crimea in 2014.",
			"An offensive at the end of January?",
		}},
		{"004", 19, 23, []string{
			"Mr Biden will reaffirm the US's support for the sovereignty and territorial integrity of Ukraine, the US source said.",
			"“I don’t accept anybody’s red lines,” he said, referencing the Russian leader’s warning that deployment of western weapons or troops represented a “red line”.",
			"“The conversation will indeed take place on Tuesday,” Kremlin spokesman Dmitry Peskov told Reuters.",
			"The White House declined to comment.",
		}},
	}
	an := textnorm.NewAnalyzer()
	for _, tc := range tests {
		t.Run(tc.seed, func(t *testing.T) {
			text := readSeed(t, tc.seed)
			d := an.Analyze(text, nil)
			if n := len(d.Sentences); n < tc.min || n > tc.max {
				t.Errorf("sentences: got %d, want %d..%d", n, tc.min, tc.max)
			}
			got := map[string]bool{}
			for i, s := range d.Sentences {
				st := text[s.Start:s.End]
				got[st] = true
				if r, _ := utf8.DecodeRuneInString(st); unicode.IsLower(r) {
					t.Errorf("sentence %d: got %q, want no sentence opening in lower case", i, st)
				}
			}
			for _, w := range tc.whole {
				if !got[w] {
					t.Errorf("sentence not found whole: %q", w)
				}
			}
			checkDoc(t, d)
		})
	}
}

// TestSeedTokens checks normalisation on real seed text: the same facts in
// different outlets' spellings hash alike.
func TestSeedTokens(t *testing.T) {
	norms := func(seed string) map[string]int {
		text := readSeed(t, seed)
		d := textnorm.NewAnalyzer().Analyze(text, nil)
		m := map[string]int{}
		for _, tk := range d.Tokens {
			m[tk.Norm]++
		}
		return m
	}
	n000, n001, n002, n004 := norms("000"), norms("001"), norms("002"), norms("004")
	tests := []struct {
		name string
		in   map[string]int
		norm string
		min  int
	}{
		{"000 seven-year", n000, "7", 1},
		{"001 7-year", n001, "7", 1},
		{"002 U.S. and US", n002, "us_", 10},
		{"001 US", n001, "us_", 5},
		{"004 US's", n004, "us_", 5},
		{"002 Russia's", n002, "russia", 15},
		{"002 70,000", n002, "70000", 2},
		{"000 94,300", n000, "94300", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in[tc.norm]; got < tc.min {
				t.Errorf("count of %q: got %d, want ≥ %d", tc.norm, got, tc.min)
			}
		})
	}
	for _, m := range []map[string]int{n000, n001, n002, n004} {
		for _, bad := range []string{"us's", "russia's", "ukraine’s", "ukraine's", "70,000", "u.s", "the_"} {
			if m[bad] > 0 {
				t.Errorf("norm %q: got %d occurrences, want 0", bad, m[bad])
			}
		}
	}
}

// checkDoc verifies the structural invariants of an analysed document. For
// valid UTF-8 it also checks that every token lies inside its sentence's
// span; on invalid UTF-8 the word segmenter can glue a space and a truncated
// multi-byte sequence to the next word (" \xe2y" is one segment), so a
// token may start on the whitespace that the sentence span trims away.
func checkDoc(t testing.TB, d *textnorm.Doc) {
	t.Helper()
	valid := utf8.ValidString(d.Text)
	n := len(d.Text)
	if len(d.Skip) != len(d.Paras) {
		t.Fatalf("Skip: got %d flags, want one per paragraph (%d)", len(d.Skip), len(d.Paras))
	}
	for i, p := range d.Paras {
		if p.Start < 0 || p.End > n || p.Start >= p.End {
			t.Fatalf("paragraph %d: got span [%d,%d), want non-empty within [0,%d]", i, p.Start, p.End, n)
		}
		if i > 0 && p.Start < d.Paras[i-1].End {
			t.Fatalf("paragraph %d: got start %d, want ≥ previous end %d", i, p.Start, d.Paras[i-1].End)
		}
	}
	for i, tk := range d.Tokens {
		if tk.Start < 0 || tk.End > n || tk.Start >= tk.End {
			t.Fatalf("token %d: got span [%d,%d), want non-empty within [0,%d]", i, tk.Start, tk.End, n)
		}
		if i > 0 && tk.Start < d.Tokens[i-1].End {
			t.Fatalf("token %d: got start %d, want ≥ previous end %d", i, tk.Start, d.Tokens[i-1].End)
		}
		if tk.Norm == "" {
			t.Fatalf("token %d (%q): got empty Norm", i, d.Text[tk.Start:tk.End])
		}
	}
	prevTok := 0
	for i, s := range d.Sentences {
		if s.Start < 0 || s.End > n || s.Start > s.End {
			t.Fatalf("sentence %d: got span [%d,%d), want within [0,%d]", i, s.Start, s.End, n)
		}
		if i > 0 && s.Start < d.Sentences[i-1].End {
			t.Fatalf("sentence %d: got start %d, want ≥ previous end %d", i, s.Start, d.Sentences[i-1].End)
		}
		if s.Tok[0] < prevTok || s.Tok[0] >= s.Tok[1] || s.Tok[1] > len(d.Tokens) {
			t.Fatalf("sentence %d: got token range %v, want non-empty, from %d, within %d tokens", i, s.Tok, prevTok, len(d.Tokens))
		}
		prevTok = s.Tok[1]
		if s.Para < 0 || s.Para >= len(d.Paras) || d.Skip[s.Para] {
			t.Fatalf("sentence %d: got paragraph %d, want a kept paragraph of %d", i, s.Para, len(d.Paras))
		}
		p := d.Paras[s.Para]
		if s.Start < p.Start || s.End > p.End {
			t.Fatalf("sentence %d: got span [%d,%d), want inside its paragraph [%d,%d)", i, s.Start, s.End, p.Start, p.End)
		}
		for k := s.Tok[0]; valid && k < s.Tok[1]; k++ {
			if tk := d.Tokens[k]; tk.Start < s.Start || tk.End > s.End {
				t.Fatalf("sentence %d [%d,%d): token %d at [%d,%d) lies outside", i, s.Start, s.End, k, tk.Start, tk.End)
			}
		}
	}
	// Every token of a kept paragraph belongs to exactly one sentence.
	if len(d.Sentences) > 0 && (d.Sentences[0].Tok[0] != 0 || prevTok != len(d.Tokens)) {
		t.Fatalf("sentences cover tokens [%d,%d), want [0,%d)", d.Sentences[0].Tok[0], prevTok, len(d.Tokens))
	}
	for i := 1; i < len(d.Sentences); i++ {
		if d.Sentences[i].Tok[0] != d.Sentences[i-1].Tok[1] {
			t.Fatalf("sentence %d: got first token %d, want %d (no gaps)", i, d.Sentences[i].Tok[0], d.Sentences[i-1].Tok[1])
		}
	}
}
