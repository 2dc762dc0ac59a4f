package textnorm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/textnorm"
)

// sentences returns the text of each sentence of text.
func sentences(text string) []string {
	d := textnorm.NewAnalyzer().Analyze(text, nil)
	out := make([]string, len(d.Sentences))
	for i, s := range d.Sentences {
		out[i] = d.Text[s.Start:s.End]
	}
	return out
}

// paragraphs returns the text of each paragraph of text.
func paragraphs(text string) []string {
	var out []string
	for _, p := range textnorm.Paragraphs(text) {
		out = append(out, text[p.Start:p.End])
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "Biden spoke. Putin listened.", []string{"Biden spoke.", "Putin listened."}},
		{"question and exclamation", "Will they talk? Yes! They will.", []string{"Will they talk?", "Yes!", "They will."}},
		{"title Mr.", "Mr. Putin met Mr. Biden. They talked.", []string{"Mr. Putin met Mr. Biden.", "They talked."}},
		{"title Dr.", "Dr. Jones and Gen. Smith arrived. Talks began.", []string{"Dr. Jones and Gen. Smith arrived.", "Talks began."}},
		{"U.S. before lower case", "Talks between the U.S. and Russia began. Nothing more.", []string{"Talks between the U.S. and Russia began.", "Nothing more."}},
		{"U.S. before The", "He lives in the U.S. The move surprised many.", []string{"He lives in the U.S.", "The move surprised many."}},
		{"U.S. before a name", "The U.S. Secretary of State spoke.", []string{"The U.S. Secretary of State spoke."}},
		{"month abbreviation", "The call is set for Jan. 5 in Geneva. It will be long.", []string{"The call is set for Jan. 5 in Geneva.", "It will be long."}},
		{"initial", "John F. Kennedy was president. He died in 1963.", []string{"John F. Kennedy was president.", "He died in 1963."}},
		{"decimal", "Growth was 3.5 percent. Prices rose.", []string{"Growth was 3.5 percent.", "Prices rose."}},
		{"U.S.-led", "The U.S.-led coalition struck. Many fled.", []string{"The U.S.-led coalition struck.", "Many fled."}},
		{"quotes", "“We know what President Putin has done in the past,” Psaki said. “We see that he is putting in place the capacity to act.”",
			[]string{"“We know what President Putin has done in the past,” Psaki said.", "“We see that he is putting in place the capacity to act.”"}},
		{"straight quotes", `"We know," Psaki said. "We see it."`, []string{`"We know," Psaki said.`, `"We see it."`}},
		{"stop inside closing quote", "He said “no.” Then he left.", []string{"He said “no.”", "Then he left."}},
		{"broken quote spacing", "difficult for Mr. Putin to move forward. and do what people fear he will do, ”Biden said on Friday.",
			[]string{"difficult for Mr. Putin to move forward. and do what people fear he will do, ”Biden said on Friday."}},
		{"ellipsis mid-sentence", "He waited … and then he left. Later he returned.", []string{"He waited … and then he left.", "Later he returned."}},
		{"ellipsis ends", "He waited... Then he left.", []string{"He waited...", "Then he left."}},
		{"unicode ellipsis ends", "He waited… Then he left.", []string{"He waited…", "Then he left."}},
		{"digit opens", "Troops massed. 70,000 of them.", []string{"Troops massed.", "70,000 of them."}},
		{"no at sentence end", "Asked whether he would resign, he said no. The talks went on.", []string{"Asked whether he would resign, he said no.", "The talks went on."}},
		{"No. before a number", "He lives at No. 10 Downing Street. It is old.", []string{"He lives at No. 10 Downing Street.", "It is old."}},
		{"lower case after stop", "The figure is approx. one third.", []string{"The figure is approx. one third."}},
		{"no final stop", "Biden-Zelenskyy call expected", []string{"Biden-Zelenskyy call expected"}},
		{"parenthesis", "Peskov spoke (to RIA). Biden did not.", []string{"Peskov spoke (to RIA).", "Biden did not."}},
		{"dotted company before The", "units in Permian Partners L.P. The Permian Partners L.P. was formed.", []string{"units in Permian Partners L.P.", "The Permian Partners L.P. was formed."}},
		{"empty", "", []string{}},
		{"only punctuation", " … — . ", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sentences(tc.text)
			if !equalStrings(got, tc.want) {
				t.Errorf("sentences:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestSentencesDirect calls Sentences on one paragraph span inside a larger
// text and checks spans and token ranges.
func TestSentencesDirect(t *testing.T) {
	text := "IGNORED. Putin spoke. Biden listened!  "
	p := textnorm.Span{Start: len("IGNORED. "), End: len(text)}
	toks := textnorm.NewAnalyzer().Tokens(nil, text, p.Start, p.End)
	spans, ranges := textnorm.Sentences(text, p, toks)
	want := []string{"Putin spoke.", "Biden listened!"}
	wantRanges := [][2]int{{0, 2}, {2, 4}}
	if len(spans) != len(want) || len(ranges) != len(want) {
		t.Fatalf("sentences: got %d spans and %d ranges, want %d", len(spans), len(ranges), len(want))
	}
	for i := range want {
		if got := text[spans[i].Start:spans[i].End]; got != want[i] {
			t.Errorf("sentence %d: got %q, want %q", i, got, want[i])
		}
		if ranges[i] != wantRanges[i] {
			t.Errorf("sentence %d tokens: got %v, want %v", i, ranges[i], wantRanges[i])
		}
	}
	if spans, ranges := textnorm.Sentences(text, p, nil); len(spans) != 0 || len(ranges) != 0 {
		t.Errorf("no tokens: got %d spans, want 0", len(spans))
	}
}

func TestParagraphs(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"blank lines", "First para.\n\nSecond para.\n\n\n\nThird.", []string{"First para.", "Second para.", "Third."}},
		{"blank lines with spaces and CRLF", "First.\r\n  \r\nSecond.\r\n", []string{"First.", "Second."}},
		{"one line per paragraph", "US president Joe Biden will call.\nMr Biden wants to discuss it.\nUS intelligence\nOfficials found plans.",
			[]string{"US president Joe Biden will call.", "Mr Biden wants to discuss it.", "US intelligence", "Officials found plans."}},
		{"two short lines stay apart", "Line one\nline two", []string{"Line one", "line two"}},
		{"trimmed", "   \n\n  indented text  \n\n\t", []string{"indented text"}},
		{"non-breaking space trimmed", "\u00a0Putin\u00a0\n\n\u00a0", []string{"Putin"}},
		{"empty", "", nil},
		{"hard-wrapped with indented starts",
			"Moody's Investors Service Inc said it\nlowered the debt and preferred stock ratings of USX Corp and\nits units. About seven billion dlrs of securities is affected.\n" +
				"    Moody's said Marathon Oil Co's recent establishment of up\nto one billion dlrs in production payment facilities on its\nprolific Yates Field has significant negative implications for\nUSX's unsecured creditors.\n" +
				"    The company appears to have positioned its steel segment\nfor a return to profit by late 1987, Moody's added.",
			[]string{
				"Moody's Investors Service Inc said it\nlowered the debt and preferred stock ratings of USX Corp and\nits units. About seven billion dlrs of securities is affected.",
				"Moody's said Marathon Oil Co's recent establishment of up\nto one billion dlrs in production payment facilities on its\nprolific Yates Field has significant negative implications for\nUSX's unsecured creditors.",
				"The company appears to have positioned its steel segment\nfor a return to profit by late 1987, Moody's added.",
			}},
		{"indented list without wrapping", "Friday, November 22, 2024\nAdvertisement\n  1. You Are At:\n  2. News",
			[]string{"Friday, November 22, 2024", "Advertisement", "1. You Are At:", "2. News"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := paragraphs(tc.text)
			if !equalStrings(got, tc.want) {
				t.Errorf("paragraphs:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestReutersLayout reads real Reuters-21578 stories (hard-wrapped at about
// 65 columns, paragraphs starting with four spaces) from testdata.
func TestReutersLayout(t *testing.T) {
	tests := []struct {
		file      string
		paras     int
		sentences int
		wantSent  []string // sentences that must come out whole (newlines as in the text)
	}{
		{"reuters-1.txt", 17, 20, []string{
			"Routine sales of butter were made.",
			"Destinations were the U.S., Covertible currency areas,\nUruguay and open ports.",
		}},
		// A short first line (the dateline was cut off) and short
		// paragraph ends: most lines are not 40-100 wide.
		{"reuters-3.txt", 2, 2, []string{
			"Texas Commerce Bancshares Inc's Texas\nCommerce Bank-Houston said it filed an application with the\nComptroller of the Currency in an effort to create the largest\nbanking network in Harris County.",
			"The bank said the network would link 31 banks having\n13.5 billion dlrs in assets and 7.5 billion dlrs in deposits.",
		}},
		{"reuters-8.txt", 4, 5, []string{
			"About seven billion dlrs of securities is affected.",
			"Ratings lowered include those on USX's senior debt to BA-1\nfrom BAA-3.",
		}},
		{"reuters-15.txt", 4, 4, []string{
			"The Permian Partners L.P. was recently formed by National\nIntergroup to continue to business of Permian Corp, acquired by\nthe company in 1985.",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "reuters", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			d := textnorm.NewAnalyzer().Analyze(text, nil)
			if len(d.Paras) != tc.paras {
				t.Errorf("paragraphs: got %d, want %d", len(d.Paras), tc.paras)
			}
			for i, p := range d.Paras {
				pt := text[p.Start:p.End]
				if strings.HasPrefix(pt, " ") || strings.Contains(pt, "\n    ") {
					t.Errorf("paragraph %d: got %q, want no indented line inside", i, pt)
				}
			}
			if len(d.Sentences) != tc.sentences {
				t.Errorf("sentences: got %d, want %d", len(d.Sentences), tc.sentences)
			}
			got := map[string]bool{}
			for _, s := range d.Sentences {
				got[text[s.Start:s.End]] = true
			}
			for _, w := range tc.wantSent {
				if !got[w] {
					t.Errorf("sentence %q: not found whole", w)
				}
			}
		})
	}
}

func TestAnalyzeSkip(t *testing.T) {
	text := "Advertisement\n\nPutin spoke. Biden listened.\n\nRead more here\n\nThe end."
	var seen []string
	skip := func(paras []string) []bool {
		seen = paras
		out := make([]bool, len(paras))
		for i, p := range paras {
			out[i] = p == "Advertisement" || strings.HasPrefix(p, "Read more")
		}
		return out
	}
	d := textnorm.NewAnalyzer().Analyze(text, skip)
	wantParas := []string{"Advertisement", "Putin spoke. Biden listened.", "Read more here", "The end."}
	if !equalStrings(seen, wantParas) {
		t.Fatalf("skip got paragraphs %q, want %q", seen, wantParas)
	}
	wantSkip := []bool{true, false, true, false}
	for i := range wantSkip {
		if d.Skip[i] != wantSkip[i] {
			t.Errorf("Skip[%d]: got %v, want %v", i, d.Skip[i], wantSkip[i])
		}
	}
	var got []string
	var paras []int
	for _, s := range d.Sentences {
		got = append(got, text[s.Start:s.End])
		paras = append(paras, s.Para)
	}
	if want := []string{"Putin spoke.", "Biden listened.", "The end."}; !equalStrings(got, want) {
		t.Errorf("sentences: got %q, want %q", got, want)
	}
	if want := []int{1, 1, 3}; len(paras) != 3 || paras[0] != want[0] || paras[1] != want[1] || paras[2] != want[2] {
		t.Errorf("sentence paragraphs: got %v, want %v", paras, want)
	}
	for _, tk := range d.Tokens {
		if w := text[tk.Start:tk.End]; w == "Advertisement" || w == "Read" {
			t.Errorf("token %q from a skipped paragraph, want none", w)
		}
	}
	if n := d.Sentences[2].Words(); n != 2 {
		t.Errorf("Words of %q: got %d, want 2", got[2], n)
	}

	// A skip function that answers with the wrong length is ignored.
	bad := func(paras []string) []bool { return []bool{true} }
	d = textnorm.NewAnalyzer().Analyze(text, bad)
	if len(d.Skip) != 4 || len(d.Sentences) != 5 {
		t.Errorf("bad skip: got %d skip flags and %d sentences, want 4 and 5", len(d.Skip), len(d.Sentences))
	}
	for i, s := range d.Skip {
		if s {
			t.Errorf("bad skip: Skip[%d] got true, want false", i)
		}
	}
}
