package extract

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

// canonical lists the agency names Credits may return.
var canonical = func() []string {
	var out []string
	for _, a := range agencies {
		out = append(out, a.name)
	}
	return out
}()

// FuzzHTML feeds arbitrary bytes to the extractor's entry point: it must
// not panic, must fail only with its own errors or decoding errors, and
// must return valid UTF-8 text of at least the minimum length.
func FuzzHTML(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3]) // truncated page
	}
	f.Add([]byte(page("", storyHTML())))
	f.Add([]byte(`<html><body><div><div><div><p>` + string(bytes.Repeat([]byte("deep "), 50)) + `</p></div></div></div></body></html>`))
	f.Add([]byte("<meta charset=shift_jis><p>\x82\xa0\x82\xa2</p>"))
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","datePublished":"x"}]}</script><p>t</p>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := HTML(bytes.NewReader(data), "https://example.org/a", Options{MaxBytes: 1 << 20})
		if err != nil {
			if errors.Is(err, ErrNotHTML) || errors.Is(err, ErrNoText) || errors.Is(err, ErrTooLarge) {
				return
			}
			return // decode and parse errors are reported, not panics
		}
		if !utf8.ValidString(a.Text) || utf8.RuneCountInString(a.Text) < DefaultMinRunes {
			t.Fatalf("bad text %q", a.Text)
		}
		for _, c := range a.Credits {
			if !slices.Contains(canonical, c) {
				t.Fatalf("non-canonical credit %q", c)
			}
		}
	})
}

// FuzzCredits checks that Credits never panics and returns only canonical
// names, each once.
func FuzzCredits(f *testing.F) {
	for _, s := range []string{
		"MOSCOW (AP) – President Joe Biden and Russian President Vladimir Putin will speak.",
		"Edited by: AP Washington Updated on: December 04, 2021 23:45 IST",
		"they say. – Associated Press/Reuters",
		"МОСКВА, 4 декабря. /ТАСС/. Президент России проведет переговоры.",
		"【ワシントン共同】バイデン米大統領は",
		"(ANSA) - ROMA, 4 DIC - Il governo",
		"((((((((((((", "(AP)(AP)(AP)", "– / / /", "By By By",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		credits, _ := Credits(s)
		seen := map[string]bool{}
		for _, c := range credits {
			if !slices.Contains(canonical, c) || seen[c] {
				t.Fatalf("credits %q: bad or repeated %q", credits, c)
			}
			seen[c] = true
		}
	})
}

// FuzzDates checks that Dates never panics and returns dates in range.
func FuzzDates(f *testing.F) {
	for _, s := range []string{
		"Friday, November 22, 2024\nUpdated on: December 04, 2021 23:45 IST",
		" date 2021-12-05 5 December 2021 11:31 GMT Updated 5 hours ago",
		"Published: 4. Dezember 2021, 15:30 Uhr", "2021年12月4日 15時30分", "Dec. 4, 2021 10:31 a.m. ET",
		"99:99 2021-13-45", "Updated: 31 February 2021",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, upd := Dates(s)
		limit := time.Now().Add(49 * time.Hour)
		for _, d := range []time.Time{pub, upd} {
			if !d.IsZero() && (d.Year() < 1990 || d.After(limit)) {
				t.Fatalf("date out of range: %v", d)
			}
		}
		if !pub.IsZero() && !upd.IsZero() && !upd.After(pub) {
			t.Fatalf("update %v not after publication %v", upd, pub)
		}
	})
}
