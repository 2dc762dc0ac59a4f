package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/wiretrace/wiretrace"
)

// fixture is one page of testdata/pages: NAME.html, its gold main text
// NAME.gold.txt and its expectations NAME.expect.json.
type fixture struct {
	name string
	html []byte
	gold string
	exp  expectation
}

// expectation is the content of NAME.expect.json. Empty strings mean
// "must be empty" for dates, credits and dateline, and "not checked" for
// byline.
type expectation struct {
	URL            string   `json:"url"`          // page URL passed to HTML
	HTTPCharset    string   `json:"http_charset"` // transport charset passed to HTML
	Title          string   `json:"title"`
	Source         string   `json:"source"`
	Canonical      string   `json:"canonical"`
	Published      string   `json:"published"` // RFC 3339
	Updated        string   `json:"updated"`   // RFC 3339
	Lang           string   `json:"lang"`
	Byline         string   `json:"byline"`
	Dateline       string   `json:"dateline"`
	Credits        []string `json:"credits"`
	MustContain    []string `json:"must_contain"`
	MustNotContain []string `json:"must_not_contain"`
}

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []fixture
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".html")
		f := fixture{name: name}
		if f.html, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
		gold, err := os.ReadFile(strings.TrimSuffix(p, ".html") + ".gold.txt")
		if err != nil {
			t.Fatal(err)
		}
		f.gold = string(gold)
		b, err := os.ReadFile(strings.TrimSuffix(p, ".html") + ".expect.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &f.exp); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, f)
	}
	return out
}

// tokens splits text into lower-case word tokens; each Han, kana or
// Hangul character is a token of its own, since those scripts do not
// separate words with spaces.
func tokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case isCJK(r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// overlap counts the tokens two bags share (multiset intersection).
func overlap(a, b []string) int {
	bag := map[string]int{}
	for _, w := range a {
		bag[w]++
	}
	n := 0
	for _, w := range b {
		if bag[w] > 0 {
			bag[w]--
			n++
		}
	}
	return n
}

// TestFixtures extracts every page in testdata/pages and checks the text
// against its gold (token precision and recall over all pages must both
// reach 0.95; every page must reach 0.80), the must-contain and
// must-not-contain snippets, and the metadata.
func TestFixtures(t *testing.T) {
	fixtures := loadFixtures(t)
	if len(fixtures) < 20 {
		t.Errorf("got %d fixtures, want at least 20", len(fixtures))
	}
	var sumOverlap, sumGot, sumGold int
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			a, err := HTML(strings.NewReader(string(f.html)), f.exp.URL, Options{Charset: f.exp.HTTPCharset})
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			got, gold := tokens(a.Text), tokens(f.gold)
			ov := overlap(got, gold)
			sumOverlap += ov
			sumGot += len(got)
			sumGold += len(gold)
			p, r := ratio(ov, len(got)), ratio(ov, len(gold))
			t.Logf("precision %.3f recall %.3f (tokens: got %d, gold %d)", p, r, len(got), len(gold))
			if p < 0.80 || r < 0.80 {
				t.Errorf("precision %.3f, recall %.3f: want both ≥ 0.80 on every page", p, r)
			}
			for _, s := range f.exp.MustContain {
				if !strings.Contains(a.Text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range f.exp.MustNotContain {
				if strings.Contains(a.Text, s) {
					t.Errorf("text contains chrome %q", s)
				}
			}
			checkMeta(t, a, f.exp)
			if t.Failed() {
				t.Logf("extracted text:\n%s", a.Text)
			}
		})
	}
	p, r := ratio(sumOverlap, sumGot), ratio(sumOverlap, sumGold)
	t.Logf("overall over %d pages: precision %.4f recall %.4f", len(fixtures), p, r)
	if p < 0.95 || r < 0.95 {
		t.Errorf("overall precision %.4f, recall %.4f: want both ≥ 0.95", p, r)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func checkMeta(t *testing.T, a *wiretrace.Article, e expectation) {
	t.Helper()
	check := func(field, got, want string) {
		if got != want {
			t.Errorf("%s: got %q, want %q", field, got, want)
		}
	}
	check("title", a.Title, e.Title)
	check("source", a.Source, e.Source)
	check("url", a.URL, e.Canonical)
	check("lang", a.Lang, e.Lang)
	check("dateline", a.Dateline, e.Dateline)
	if e.Byline != "" {
		check("byline", a.Byline, e.Byline)
	}
	checkTime := func(field string, got time.Time, want string) {
		if want == "" {
			if !got.IsZero() {
				t.Errorf("%s: got %v, want none", field, got)
			}
			return
		}
		w, err := time.Parse(time.RFC3339, want)
		if err != nil {
			t.Fatalf("bad %s in expectation: %v", field, err)
		}
		if !got.Equal(w) {
			t.Errorf("%s: got %v, want %v", field, got, w)
		}
	}
	checkTime("published", a.Published, e.Published)
	checkTime("updated", a.Updated, e.Updated)
	if !slices.Equal(a.Credits, e.Credits) && (len(a.Credits) > 0 || len(e.Credits) > 0) {
		t.Errorf("credits: got %q, want %q", a.Credits, e.Credits)
	}
}
