package extract

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return tm
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string // RFC 3339, "" for no date
		hasTime bool
	}{
		{"2021-12-04", "2021-12-04T00:00:00Z", false},
		{"2021-12-04T23:45:17+05:30", "2021-12-04T23:45:17+05:30", true},
		{"2021-12-04 10:00Z", "2021-12-04T10:00:00Z", true},
		{"December 04, 2021 23:45 IST", "2021-12-04T23:45:00+05:30", true},
		{"Friday, November 22, 2024", "2024-11-22T00:00:00Z", false},
		{"Dec. 4, 2021 10:31 a.m. ET", "2021-12-04T10:31:00-05:00", true},
		{"June 4, 2021 10:31 PM ET", "2021-06-04T22:31:00-04:00", true},
		{"5 December 2021 11:31 GMT", "2021-12-05T11:31:00Z", true},
		{"Sat 4 Dec 2021 18.20 GMT", "2021-12-04T18:20:00Z", true},
		{"4. Dezember 2021, 15:30 Uhr", "2021-12-04T15:30:00Z", true},
		{"04.12.2021 15:30", "2021-12-04T15:30:00Z", true},
		{"4 декабря 2021 года, 12:05 MSK", "2021-12-04T12:05:00+03:00", true},
		{"4 de diciembre de 2021", "2021-12-04T00:00:00Z", false},
		{"4 décembre 2021 à 14h05", "2021-12-04T14:05:00Z", true},
		{"2021年12月4日 15時30分", "2021-12-04T15:30:00Z", true},
		{"2021/12/04 15:30", "2021-12-04T15:30:00Z", true},
		{"December 4, 2021 (UTC+3)", "2021-12-04T00:00:00Z", false},
		{"31 November 2021", "", false},
		{"5 hours ago", "", false},
		{"Tuesday", "", false},
		{"14,000 people", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, ok := parseDate(tt.in)
			if tt.want == "" {
				if ok {
					t.Fatalf("got %v, want no date", d.t)
				}
				return
			}
			if !ok {
				t.Fatalf("got no date, want %s", tt.want)
			}
			if want := mustTime(t, tt.want); !d.t.Equal(want) {
				t.Errorf("got %v, want %v", d.t.Format(time.RFC3339), tt.want)
			}
			if d.hasTime != tt.hasTime {
				t.Errorf("hasTime: got %v, want %v", d.hasTime, tt.hasTime)
			}
		})
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		text           string
		published, upd string
	}{
		{"labelled beats bare crawl date", "Friday, November 22, 2024\nAdvertisement\nTitle of the story here\n\nEdited by: AP Washington Updated on: December 04, 2021 23:45 IST\n", "", "2021-12-04T23:45:00+05:30"},
		{"bare line when no labels", "Friday, November 22, 2024\n\nSome story text follows here and goes on.", "2024-11-22T00:00:00Z", ""},
		{"date label then refining bare date", " date 2021-12-05 5 December 2021 11:31 GMT Updated 5 hours ago\n\nText.", "2021-12-05T11:31:00Z", ""},
		{"date label at start of long line", " date 2021-12-04 The Kremlin has said the presidents will hold talks after Russia masses tens of thousands of troops on the Ukrainian border.", "2021-12-04T00:00:00Z", ""},
		{"published and updated", "Published: 4 December 2021 10:00 GMT | Last updated: 4 December 2021 18:30 GMT", "2021-12-04T10:00:00Z", "2021-12-04T18:30:00Z"},
		{"update before publication dropped", "Published: 5 December 2021\nUpdated: 4 December 2021", "2021-12-05T00:00:00Z", ""},
		{"future date ignored", "Published: 4 December 2031", "", ""},
		{"running text is not a label", "The list of sanctioned companies, which the ministry said it had updated on December 1, 2021 after a long review of the evidence, includes three banks and a shipping firm.", "", ""},
		{"dates deep in text are not bare dates", "Story text.\n\n" + repeatLines("More text of the story goes on here.", 20) + "December 4, 2021\n", "", ""},
		{"german labels", "Veröffentlicht am 04.12.2021, 15:30 Uhr\nAktualisiert am 04.12.2021, 18:10 Uhr", "2021-12-04T15:30:00Z", "2021-12-04T18:10:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, upd := datesAt(tt.text, now)
			if want := mustTime(t, tt.published); !pub.Equal(want) {
				t.Errorf("published: got %v, want %v", pub, want)
			}
			if want := mustTime(t, tt.upd); !upd.Equal(want) {
				t.Errorf("updated: got %v, want %v", upd, want)
			}
		})
	}
}

func repeatLines(s string, n int) string {
	var out string
	for range n {
		out += s + "\n"
	}
	return out
}

func TestDatesSeeds(t *testing.T) {
	tests := []struct {
		file           string
		published, upd string
	}{
		{"000_593ee4de91dc436a.txt", "2021-12-04T00:00:00Z", ""},
		{"001_81501ed7d460c921.txt", "", ""},
		{"002_6d69baa46a2ff832.txt", "", "2021-12-04T23:45:00+05:30"},
		{"003_a886183e1788cefc.txt", "2021-12-05T11:31:00Z", ""},
		{"004_203724dd82367cc3.txt", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "testdata", "seeds", tt.file))
			if err != nil {
				t.Fatalf("read seed: %v", err)
			}
			pub, upd := Dates(string(b))
			if want := mustTime(t, tt.published); !pub.Equal(want) {
				t.Errorf("published: got %v, want %v", pub, want)
			}
			if want := mustTime(t, tt.upd); !upd.Equal(want) {
				t.Errorf("updated: got %v, want %v", upd, want)
			}
		})
	}
}

func TestLastFourDigits(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", -1}, {"abc 123 x", -1}, {"2021", 0}, {"on 12345", 4}, {"1999 and 2021-12-04", 9},
		{"٢٠٢١ (Arabic-Indic digits are not \\d)", -1}, {"12.34.56", -1},
	} {
		if got := lastFourDigits(tc.s); got != tc.want {
			t.Errorf("lastFourDigits(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}
