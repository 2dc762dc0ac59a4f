package dates

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, hh, mm, ss, ns int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, ns, time.UTC)
	}
	tests := []struct {
		name string
		in   string
		want time.Time
	}{
		// The three forms the project's labelled JSONL carries.
		{"iso date (BASIL)", "2010-07-02", utc(2010, 7, 2, 0, 0, 0, 0)},
		{"rfc3339 zulu", "2021-12-04T10:15:30Z", utc(2021, 12, 4, 10, 15, 30, 0)},
		{"rfc3339 offset", "2021-12-04T13:15:30+03:00", utc(2021, 12, 4, 10, 15, 30, 0)},
		{"rfc3339 fraction", "2021-12-04T10:15:30.25Z", utc(2021, 12, 4, 10, 15, 30, 250000000)},
		{"reuters", "26-FEB-1987 15:01:01.79", utc(1987, 2, 26, 15, 1, 1, 790000000)},
		{"reuters one-digit day", "3-APR-1987 09:05:14.40", utc(1987, 4, 3, 9, 5, 14, 400000000)},
		// Priberam's dataset.test.json.
		{"iso space", "2014-01-07 12:05:00", utc(2014, 1, 7, 12, 5, 0, 0)},
		{"iso space minutes", "2014-01-07 12:05", utc(2014, 1, 7, 12, 5, 0, 0)},
		{"iso no zone", "2014-01-07T12:05:00", utc(2014, 1, 7, 12, 5, 0, 0)},
		{"iso offset no colon", "2014-01-07T12:05:00-0500", utc(2014, 1, 7, 17, 5, 0, 0)},
		{"iso space offset", "2014-01-07 12:05:00 +0100", utc(2014, 1, 7, 11, 5, 0, 0)},
		{"iso space abbreviation", "2014-01-07 12:05:00 UTC", utc(2014, 1, 7, 12, 5, 0, 0)},
		{"slashes", "2014/01/07", utc(2014, 1, 7, 0, 0, 0, 0)},
		{"compact", "20140107", utc(2014, 1, 7, 0, 0, 0, 0)},
		// Feeds and mail.
		{"rfc1123 gmt", "Sat, 04 Dec 2021 10:00:00 GMT", utc(2021, 12, 4, 10, 0, 0, 0)},
		{"rfc1123z", "Sat, 04 Dec 2021 10:00:00 -0500", utc(2021, 12, 4, 15, 0, 0, 0)},
		{"rfc1123 est", "Sat, 4 Dec 2021 10:00:00 EST", utc(2021, 12, 4, 15, 0, 0, 0)},
		{"unix date", "Sat Dec  4 10:00:00 UTC 2021", utc(2021, 12, 4, 10, 0, 0, 0)},
		// Written dates.
		{"day month year", "4 December 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"day mon year", "4 Dec 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"month day, year", "December 4, 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"AP style", "Dec. 4, 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"AP style Sept", "Sept. 14, 2021", utc(2021, 9, 14, 0, 0, 0, 0)},
		{"weekday long", "Saturday, December 4, 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"12-hour clock", "Dec 4, 2021 3:04 PM", utc(2021, 12, 4, 15, 4, 0, 0)},
		{"mon-day-year", "Dec-04-2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"dotted european", "04.12.2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"lower case month", "4 dec 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"reuters with SGML residue", "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", utc(1987, 3, 27, 0, 2, 59, 130000000)},
		{"control character residue", "27-MAR-1987 00:02:59.13\x05\x05F", utc(1987, 3, 27, 0, 2, 59, 130000000)},
		{"broken time: the date alone", "31-MAR-1987 605:12:19.12", utc(1987, 3, 31, 0, 0, 0, 0)},
		{"comment after the time", "9-APR-1987 00:00:00.00    # date added by S Finch as guesswork", utc(1987, 4, 9, 0, 0, 0, 0)},
		{"iso date and words", "2021-12-04 and then", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"surrounding and inner space", "  26-FEB-1987   15:01:01.79\n", utc(1987, 2, 26, 15, 1, 1, 790000000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDate(tt.in)
			if !ok {
				t.Fatalf("ParseDate(%q): got not ok, want %v", tt.in, tt.want)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"space", "   "},
		{"ambiguous slashes", "02/03/2021"},
		{"two-digit year", "Sat, 04 Dec 21 10:00:00 GMT"},
		{"month 13", "2021-13-01"},
		{"day 32", "2021-01-32"},
		{"february 30", "2021-02-30"},
		{"year zero", "0000-01-01"},
		{"unknown zone", "Sat, 04 Dec 2021 10:00:00 XYZ"},
		{"gmt+3 (time.Parse misreads it)", "Sat, 4 Dec 2021 10:00:00 GMT+3"},
		{"words", "yesterday"},
		{"garbage then a date", "then 2021-12-04"},
		{"bad first word", "2021-12-44 10:00"},
		{"punctuation", "--"},
		{"too long", "December 4, 2021" + strings.Repeat(" ", 10) + strings.Repeat("x", 100)},
		{"too long before the date", strings.Repeat(" ", 300) + "2021-12-04"},
		{"huge", strings.Repeat("9", 1<<12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := ParseDate(tt.in); ok {
				t.Errorf("ParseDate(%q): got %v, want not ok", tt.in, got)
			}
		})
	}
}

// The result must not depend on the machine's time zone.
func TestParseDateIgnoresLocal(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	time.Local = ny
	got, ok := ParseDate("Sat, 04 Dec 2021 10:00:00 EST")
	want := time.Date(2021, 12, 4, 15, 0, 0, 0, time.UTC)
	if !ok || !got.Equal(want) {
		t.Errorf("got %v %v, want %v", got, ok, want)
	}
	got, ok = ParseDate("2021-12-04")
	want = time.Date(2021, 12, 4, 0, 0, 0, 0, time.UTC)
	if !ok || !got.Equal(want) {
		t.Errorf("got %v %v, want %v", got, ok, want)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2010-07-02", "2021-12-04T10:15:30Z", "26-FEB-1987 15:01:01.79", "3-APR-1987 09:05:14.40",
		"Sat, 04 Dec 2021 10:00:00 GMT", "Dec. 4, 2021", "04.12.2021", "20140107", "", "Sept. 1, 2000",
		"2014-01-07 12:05:00 +0100", "Sat Dec  4 10:00:00 UTC 2021", "GMT+99",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseDate(s)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("ParseDate(%q): not ok but non-zero time %v", s, got)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseDate(%q): location %v, want UTC", s, got.Location())
		}
		if y := got.Year(); y < 1 || y > 9999 {
			t.Fatalf("ParseDate(%q): year %d out of range", s, y)
		}
		// What it returns must read back as the same instant.
		again, ok := ParseDate(got.Format(time.RFC3339Nano))
		if !ok || !again.Equal(got) {
			t.Fatalf("ParseDate(%q) = %v; reparsing its RFC 3339 form gave %v %v", s, got, again, ok)
		}
	})
}

func BenchmarkParseDate(b *testing.B) {
	for _, in := range []string{"2010-07-02", "2021-12-04T13:15:30+03:00", "26-FEB-1987 15:01:01.79", "Sat, 04 Dec 2021 10:00:00 GMT", "December 4, 2021", "not a date"} {
		b.Run(in, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				ParseDate(in)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "dates/s")
		})
	}
}
