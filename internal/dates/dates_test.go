package dates_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/internal/dates"
)

func TestParse(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, time.UTC)
	}
	plus3 := time.FixedZone("", 3*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2010-07-02", utc(2010, 7, 2, 0, 0, 0, 0)},
		{"2021-12-04T10:30:00Z", utc(2021, 12, 4, 10, 30, 0, 0)},
		{"2021-12-04T10:30:00.123456789Z", utc(2021, 12, 4, 10, 30, 0, 123456789)},
		{"2021-12-04T13:30:00+03:00", time.Date(2021, 12, 4, 13, 30, 0, 0, plus3)},
		{"2021-12-04T10:30:00", utc(2021, 12, 4, 10, 30, 0, 0)},
		{"2021-12-04 10:30:00", utc(2021, 12, 4, 10, 30, 0, 0)},
		{"2021-12-04 10:30", utc(2021, 12, 4, 10, 30, 0, 0)},
		{"26-FEB-1987 15:01:01.79", utc(1987, 2, 26, 15, 1, 1, 790000000)},
		{"26-Feb-1987 15:01:01", utc(1987, 2, 26, 15, 1, 1, 0)},
		{"26-FEB-1987", utc(1987, 2, 26, 0, 0, 0, 0)},
		{"Sat, 04 Dec 2021 13:30:00 +0300", time.Date(2021, 12, 4, 13, 30, 0, 0, plus3)},
		{"Sat, 04 Dec 2021 10:30:00 UTC", utc(2021, 12, 4, 10, 30, 0, 0)},
		{"Sat, 4 Dec 2021 13:30:00 +0300", time.Date(2021, 12, 4, 13, 30, 0, 0, plus3)},
		{"December 4, 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"DECEMBER 4, 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"Dec 4, 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"4 December 2021", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"2021/12/04", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"20211204", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"  2021-12-04\n", utc(2021, 12, 4, 0, 0, 0, 0)},
		{"1800-01-01", utc(1800, 1, 1, 0, 0, 0, 0)},
		{"2200-12-31", utc(2200, 12, 31, 0, 0, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := dates.Parse(tc.in)
			if !ok {
				t.Fatalf("got ok=false, want %v", tc.want)
			}
			if !got.Equal(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if _, off := got.Zone(); func() int { _, o := tc.want.Zone(); return o }() != off {
				t.Errorf("offset: got %d, want that of %v", off, tc.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"garbage",
		"yesterday",
		"2021-13-01",
		"2021-02-30",
		"2021-12-04 garbage",
		"12/04/2021", // month/day order is ambiguous: not a supported layout
		"1799-12-31",
		"2201-01-01",
		"0001-01-01T00:00:00Z",
		"12345678", // year 1234
		"2021-12-04" + strings.Repeat(" ", 60) + "x",
		strings.Repeat("2021-12-04", 10),
		"26-XYZ-1987",
		"\xff\xfe2021-12-04",
	} {
		t.Run(in, func(t *testing.T) {
			if got, ok := dates.Parse(in); ok {
				t.Errorf("got %v, true; want rejection", got)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2010-07-02", "2021-12-04T10:30:00Z", "26-FEB-1987 15:01:01.79", "Sat, 04 Dec 2021 10:30:00 +0000",
		"December 4, 2021", "DEC 4, 2021", "20211204", "garbage", "", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := dates.Parse(s)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("Parse(%q): got %v with ok=false, want the zero time", s, got)
			}
			return
		}
		if y := got.Year(); y < 1800 || y > 2200 {
			t.Fatalf("Parse(%q): got year %d, want 1800..2200", s, y)
		}
		// What Parse accepts, it reads again from its RFC 3339 form.
		again, ok := dates.Parse(got.Format(time.RFC3339Nano))
		if !ok || !again.Equal(got) {
			t.Fatalf("Parse(%q) = %v: round trip got %v, %v", s, got, again, ok)
		}
	})
}
