// Package dates parses the publication dates news data comes with.
package dates

import (
	"strings"
	"time"
)

// layouts are tried in order; all are read as UTC unless they carry a zone.
var layouts = []string{
	time.RFC3339Nano,
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"02-Jan-2006 15:04:05.00", // Reuters-21578: 26-FEB-1987 15:01:01.79
	"02-Jan-2006 15:04:05",
	"02-Jan-2006",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2006/01/02",
	"20060102",
}

// Parse reads a date in any of the common layouts news data uses and
// reports whether it succeeded.
func Parse(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	// Month names in upper case (Reuters) parse with a title-cased copy.
	cands := []string{s}
	if up := strings.ToUpper(s); up == s {
		cands = append(cands, titleMonths(s))
	}
	for _, c := range cands {
		for _, l := range layouts {
			if t, err := time.Parse(l, c); err == nil {
				if t.Year() < 1800 || t.Year() > 2200 {
					return time.Time{}, false
				}
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func titleMonths(s string) string {
	b := []byte(strings.ToLower(s))
	for i := range b {
		if b[i] >= 'a' && b[i] <= 'z' && (i == 0 || !(b[i-1] >= 'a' && b[i-1] <= 'z')) {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}
