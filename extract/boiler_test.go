package extract_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/wiretrace/wiretrace/extract"
	"github.com/wiretrace/wiretrace/ingest"
	"github.com/wiretrace/wiretrace/textnorm"
)

// line is one paragraph of a synthetic document and whether it is chrome.
type line struct {
	text   string
	chrome bool
}

// Article paragraphs used around the chrome under test.
const (
	art1 = "Kremlin spokesman Dmitry Peskov confirmed the plans to Russian state news agency RIA Novosti on Saturday and said the call would take place in the evening."
	art2 = "U.S. intelligence officials, meanwhile, have determined that Russia has massed about 70,000 troops near its border with Ukraine and has begun planning for a possible invasion."
	art3 = "The risks for Putin of going through with such an invasion would be enormous, officials and former diplomats say, and sanctions would do serious damage to the economy."
)

func checkChrome(t *testing.T, doc []line) {
	t.Helper()
	paras := make([]string, len(doc))
	for i, l := range doc {
		paras[i] = l.text
	}
	got := extract.Chrome(paras)
	if len(got) != len(paras) {
		t.Fatalf("Chrome: got %d flags, want %d", len(got), len(paras))
	}
	for i, l := range doc {
		if got[i] != l.chrome {
			t.Errorf("paragraph %d %q: got chrome=%v, want %v", i, l.text, got[i], l.chrome)
		}
	}
}

// TestChromeRules has one synthetic document per rule: the chrome lines
// must be marked and the article paragraphs around them must not.
func TestChromeRules(t *testing.T) {
	tests := []struct {
		name string
		doc  []line
	}{
		{"no letters", []line{{art1, false}, {"___", true}, {"• • •", true}, {"* * *", true}, {art2, false}}},
		{"credits", []line{
			{"Photo: Reuters", true},
			{art1, false},
			{"Image Source : AP (FILE)", true},
			{art2, false},
			{"(AP Photo/Evan Vucci)", true},
			{art3, false},
			{"© 2021 The Associated Press. All rights reserved.", true},
			{"Getty Images", true},
		}},
		{"promos", []line{
			{art1, false},
			{"Read more: Biden warns Putin over Ukraine", true},
			{art2, false},
			{"Subscribe to our newsletter", true},
			{"Click here to download the app", true},
			{art3, false},
			{"Advertisement", true},
			{"The story continues", true},
			{"Follow us on Twitter and Facebook", true},
			{"Recommended for you", true},
			{"Sponsored content", true},
			{"Read all the Breaking News Live on indiatvnews.com and Get Latest English News & Updates from World", true},
		}},
		{"metadata and bylines", []line{
			{"By John Smith, Associated Press", true},
			{"Edited by: AP Washington Updated on: December 04, 2021 23:45 IST", true},
			{art1, false},
			{"Updated: 5 December 2021", true},
			{art2, false},
			{art3, false},
			{"Associated Press writer Jane Doe in Kyiv contributed to this report.", true},
			{"(Reporting by Tom Balmforth; Editing by Frances Kerry)", true},
			{"Madhani and Long reported from Washington.", true},
		}},
		{"date lines", []line{
			{"Friday, November 22, 2024", true},
			{"5 December 2021 11:31 GMT Updated 5 hours ago", true},
			{"Dec 4, 2021 10:30 am", true},
			{art1, false},
			{art2, false},
		}},
		{"navigation", []line{
			{"Home » World » Europe", true},
			{"News > World > Europe > Russia", true},
			{"Home | World | Business | Sport", true},
			{"1. News", true},
			{"2. World", true},
			{art1, false},
			{"► Ukraine", true},
			{art2, false},
		}},
		{"repeated short line", []line{
			{"LIVE UPDATES", true},
			{art1, false},
			{art2, false},
			{"LIVE UPDATES", true},
			{art3, false},
		}},
		{"redundant teaser", []line{
			{"Russia has massed about 70,000 troops near its border with Ukraine, U.S. intelligence says", true},
			{art1, false},
			{art2, false},
			{art3, false},
		}},
		{"identical paragraphs keep the last", []line{
			{art1, true},
			{art2, false},
			{art1, false},
		}},
		{"caption next to credit", []line{
			{art1, false},
			{"Image source, Reuters", true},
			{"Russian tanks on a train near Voronezh", true},
			{art2, false},
			{"Ukrainian soldiers near Donetsk", true},
			{"Photo: EPA", true},
			{art3, false},
		}},
		{"box title next to chrome", []line{
			{art1, false},
			{"Highlights", true},
			// Highlight bullets repeat the body (redundancy rule);
			// the box title goes with them.
			{"• Peskov confirmed the plans to RIA Novosti on Saturday", true},
			{"• Russia has massed about 70,000 troops near its border with Ukraine", true},
			{art2, false},
			{art3, false},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkChrome(t, tc.doc) })
	}
}

// TestChromeKeepsArticleText lists article text that looks a little like
// chrome and must stay.
func TestChromeKeepsArticleText(t *testing.T) {
	tests := []struct {
		name string
		doc  []line
	}{
		{"long sentence mentioning subscribe", []line{
			{art1, false},
			{"Analysts say the sanctions would hit the millions of Russians who subscribe to Western streaming services and shop at Western chains, as well as the banks that serve them.", false},
			{art2, false},
		}},
		{"subhead between paragraphs", []line{
			{art1, false},
			{"Biden-Zelenskyy call expected", false},
			{art2, false},
			{"What the Russian authorities say", false},
			{art3, false},
		}},
		{"short quote", []line{
			{art1, false},
			{"“I don’t accept anyone’s red line,” Biden said.", false},
			{art2, false},
			{"“We know what President Putin has done in the past,” Psaki said.", false},
			{art3, false},
		}},
		{"short sentences", []line{
			{art1, false},
			{"The White House did not immediately comment on the announcement.", false},
			{"Ukrainian officials have said Russia could invade next month.", false},
			{art2, false},
		}},
		{"sentence opening with By", []line{
			{art1, false},
			{"By Tuesday, Russian troops had massed near the border.", false},
			{art2, false},
		}},
		{"sentence about a state-sponsored attack", []line{
			{art1, false},
			{"Officials blamed Kremlin-sponsored hackers for the attack.", false},
			{art2, false},
		}},
		{"short sentence ending in reported from", []line{
			{art1, false},
			{"Heavy shelling was reported from villages.", false},
			{art2, false},
		}},
		{"sentence with recommended", []line{
			{art1, false},
			{"The committee recommended new sanctions against Moscow.", false},
			{art2, false},
		}},
		{"question subhead", []line{
			{art1, false},
			{"An offensive at the end of January?", false},
			{art2, false},
		}},
		{"sentence with a date", []line{
			{art1, false},
			{"The two leaders last spoke on July 9, 2021, in a call that lasted an hour.", false},
			{art2, false},
		}},
		{"sentence with an arrow-like sign", []line{
			{art1, false},
			{"Prices rose > 5% in a week, and the rouble fell against the dollar and the euro in Moscow trading.", false},
			{art2, false},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkChrome(t, tc.doc) })
	}
}

func TestChromeEdgeCases(t *testing.T) {
	if got := extract.Chrome(nil); len(got) != 0 {
		t.Errorf("Chrome(nil): got %v, want empty", got)
	}
	got := extract.Chrome([]string{"", "   ", "\u00a0"})
	for i, c := range got {
		if !c {
			t.Errorf("blank paragraph %d: got chrome=false, want true", i)
		}
	}
	// One lone article paragraph stays.
	if got := extract.Chrome([]string{art1}); len(got) != 1 || got[0] {
		t.Errorf("single paragraph: got %v, want [false]", got)
	}
}

// seedParas reads a seed the way the engine does: text reader, then
// textnorm's paragraphs.
func seedParas(t *testing.T, prefix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("..", "testdata", "seeds", prefix+"_*.txt"))
	if err != nil || len(m) != 1 {
		t.Fatalf("seed %s: got %v (err %v), want one file", prefix, m, err)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	text := ingest.TextArticle(prefix, string(b)).Text
	var out []string
	for _, p := range textnorm.Paragraphs(text) {
		out = append(out, text[p.Start:p.End])
	}
	return out
}

// TestChromeSeeds checks the page chrome of the seed articles paragraph by
// paragraph: every paragraph whose text starts with a prefix in chrome must
// be marked, every other paragraph must not (with the exceptions listed).
func TestChromeSeeds(t *testing.T) {
	tests := []struct {
		seed   string
		chrome []string // prefixes of the paragraphs that are chrome
		// chromeAt are further chrome paragraphs by index, where a prefix
		// would also match article text (a repeated teaser, a caption
		// that is the start of the lead).
		chromeAt []int
		// paras is the expected paragraph count, so a change in
		// paragraph splitting shows here rather than as odd chrome.
		paras int
	}{
		{"000", nil, nil, 19},
		{"001", []string{"The story continues", "___", "Madhani and Long reported from Washington."}, nil, 21},
		{"002", []string{
			"Friday, November 22, 2024",
			"Advertisement",
			"1. You Are At:", "2. News", "3. World", "4. Biden, Putin set video call",
			"Edited by: AP Washington",
			"PUTIN, BIDEN",
			"Image Source : AP (FILE)",
			"Highlights",
			"• ",
			"Read all the Breaking News",
		}, []int{
			7,  // the teaser copy of the Peskov paragraph
			11, // the image caption "US President Joe Biden and Russian President Vladimir Putin"
		}, 42},
		{"003", []string{
			"5 December 2021 11:31 GMT",
			"Photo author, ",
			// A subhead directly above a photo credit goes with it.
			"What the Russian authorities say",
		}, nil, 37},
		{"004", nil, nil, 15},
	}
	for _, tc := range tests {
		t.Run(tc.seed, func(t *testing.T) {
			paras := seedParas(t, tc.seed)
			if len(paras) != tc.paras {
				t.Fatalf("paragraphs: got %d, want %d", len(paras), tc.paras)
			}
			got := extract.Chrome(paras)
			for i, p := range paras {
				want := slices.Contains(tc.chromeAt, i)
				for _, c := range tc.chrome {
					if strings.HasPrefix(p, c) {
						want = true
					}
				}
				if got[i] != want {
					t.Errorf("paragraph %d %q: got chrome=%v, want %v", i, short(p), got[i], want)
				}
			}
		})
	}
}

// TestChromeSeed002Teaser checks that the teaser paragraph 002 repeats above
// its byline is chrome while the same paragraph in the body is kept.
func TestChromeSeed002Teaser(t *testing.T) {
	paras := seedParas(t, "002")
	got := extract.Chrome(paras)
	const teaser = "Kremlin spokesman Dmitry Peskov confirmed plans on Saturday"
	var flags []bool
	for i, p := range paras {
		if strings.HasPrefix(p, teaser) {
			flags = append(flags, got[i])
		}
	}
	if len(flags) != 2 || !flags[0] || flags[1] {
		t.Errorf("teaser and body copy: got chrome %v, want [true false]", flags)
	}
	// Every body paragraph of the article stays: count them.
	kept := 0
	for i := range paras {
		if !got[i] {
			kept++
		}
	}
	// Headline + 20 body paragraphs (lead to "When Putin and Biden met").
	if kept != 21 {
		t.Errorf("kept paragraphs: got %d, want 21", kept)
	}
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func FuzzChrome(f *testing.F) {
	f.Add("Advertisement\nPutin spoke.\nPhoto: Reuters\nCaption here")
	f.Add("Home » World\n\n1. News\n2. World\n___\n" + art1 + "\n" + art2)
	f.Add("Friday, November 22, 2024\nBy John Smith\nLIVE\nLIVE\n\xff\xfe\n")
	f.Add(strings.Repeat("same short line\n", 20))
	f.Fuzz(func(t *testing.T, s string) {
		paras := strings.Split(s, "\n")
		got := extract.Chrome(paras)
		if len(got) != len(paras) {
			t.Fatalf("Chrome: got %d flags, want %d", len(got), len(paras))
		}
		again := extract.Chrome(paras)
		for i := range got {
			if got[i] != again[i] {
				t.Fatalf("paragraph %d: got %v then %v, want deterministic", i, got[i], again[i])
			}
			if strings.TrimSpace(paras[i]) == "" && !got[i] {
				t.Fatalf("blank paragraph %d: got chrome=false, want true", i)
			}
		}
	})
}

// TestChromeLongRun feeds a run of 30,000 short headline-like lines ending
// in a photo credit: only the credit's neighbour is a caption.
func TestChromeLongRun(t *testing.T) {
	const n = 30_000
	lines := make([]string, 0, n+1)
	for i := range n {
		lines = append(lines, fmt.Sprintf("Item number %d here", i))
	}
	got := extract.Chrome(append(lines, "Photo: Reuters"))
	// Spreading is one step: the line next to the credit is a caption,
	// the lines before it are not (a run of short lines is a table).
	if !got[n] || !got[n-1] {
		t.Fatalf("credit and its neighbour: got chrome=%v,%v, want true,true", got[n], got[n-1])
	}
	if got[n-2] || got[0] {
		t.Fatalf("lines two and more away from the credit: got chrome=%v,%v, want false", got[n-2], got[0])
	}
}

// TestFoldLetters checks the premise of the literal prefilters in front of
// case-insensitive expressions (mayBeCredit): every rune that "(?i)" takes
// for one of the letters they use is mapped to that letter by
// strings.ToLower, except "ſ", which the prefilters look for.
func TestFoldLetters(t *testing.T) {
	letters := "abcdefghijklmnopqrstuvwxyzé"
	for r := rune(0); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if !strings.ContainsRune(letters, unicode.ToLower(f)) {
				continue
			}
			if unicode.ToLower(r) != unicode.ToLower(f) && r != 'ſ' {
				t.Errorf("%U folds to %q but lowers to %q", r, f, unicode.ToLower(r))
			}
		}
	}
}
