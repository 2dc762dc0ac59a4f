package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// months maps month names and abbreviations (English, French, German,
// Spanish, Italian, Portuguese, Russian genitive) to month numbers.
var months = func() map[string]time.Month {
	m := map[string]time.Month{}
	add := func(mon time.Month, names ...string) {
		for _, n := range names {
			m[n] = mon
		}
	}
	add(time.January, "jan", "january", "janv", "janvier", "jän", "januar", "ene", "enero", "gen", "gennaio", "janeiro", "янв", "января", "январь")
	add(time.February, "feb", "february", "févr", "fév", "février", "februar", "febrero", "febbraio", "fevereiro", "фев", "февраля", "февраль")
	add(time.March, "mar", "march", "mars", "märz", "marzo", "março", "мар", "марта", "март")
	add(time.April, "apr", "april", "avr", "avril", "abr", "abril", "aprile", "апр", "апреля", "апрель")
	add(time.May, "may", "mai", "mayo", "mag", "maggio", "maio", "мая", "май")
	add(time.June, "jun", "june", "juin", "juni", "junio", "giu", "giugno", "junho", "июн", "июня", "июнь")
	add(time.July, "jul", "july", "juil", "juillet", "juli", "julio", "lug", "luglio", "julho", "июл", "июля", "июль")
	add(time.August, "aug", "august", "août", "ago", "agosto", "авг", "августа", "август")
	add(time.September, "sep", "sept", "september", "septembre", "septiembre", "set", "settembre", "setembro", "сен", "сент", "сентября", "сентябрь")
	add(time.October, "oct", "october", "octobre", "okt", "oktober", "octubre", "ott", "ottobre", "out", "outubro", "окт", "октября", "октябрь")
	add(time.November, "nov", "november", "novembre", "noviembre", "novembro", "ноя", "нояб", "ноября", "ноябрь")
	add(time.December, "dec", "december", "déc", "décembre", "dez", "dezember", "dic", "diciembre", "dicembre", "dezembro", "дек", "декабря", "декабрь")
	return m
}()

// zones maps time-zone abbreviations seen on news pages to UTC offsets in
// minutes. "ET", "CT", "MT" and "PT" are resolved to standard or daylight
// time by the US rules for the date.
var zones = map[string]int{
	"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "IST": 330, "CET": 60, "CEST": 120, "MEZ": 60, "MESZ": 120,
	"EET": 120, "EEST": 180, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "PKT": 300,
	"EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
	"AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "WIB": 420,
}

var usZones = map[string]int{"ET": -300, "CT": -360, "MT": -420, "PT": -480}

// Date expressions. Each finds a date at the start of its input, after an
// optional weekday.
const (
	reWeekday = `(?:(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?i:day|sday|nesday|rsday|urday)?\.?,?\s+|(?i:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo),?\s+)?`
	reMonth   = `([\p{L}]{3,10})\.?`
	reTime    = `(?:(?:,|\s|\bat\b|\bum\b|à|\ba las\b|\balle\b|в|-|\|)*\s*(\d{1,2})[:.h](\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([aApP]\.?[mM]\.?)?\s*(?:Uhr|h)?\s*\(?((?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}|Z\b|[A-Z]{2,5}\b)?\)?)?`
)

var (
	dateISO   = regexp.MustCompile(`^` + reWeekday + `(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5}\b)?)?`)
	dateYMD   = regexp.MustCompile(`^(\d{4})[/.年]\s*(\d{1,2})[/.月]\s*(\d{1,2})日?` + `(?:\s*(?:\(\p{L}\)|（\p{L}）)?\s*(\d{1,2})[:時](\d{2})分?)?`)
	dateDMYn  = regexp.MustCompile(`^` + reWeekday + `(\d{1,2})\.(\d{1,2})\.(\d{4})` + reTime)
	dateMDY   = regexp.MustCompile(`^` + reWeekday + reMonth + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})` + reTime)
	dateDMY   = regexp.MustCompile(`^` + reWeekday + `(\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?` + reMonth + `,?\s+(?:de\s+)?(\d{4})(?:\s*г(?:ода|\.)?)?` + reTime)
	dateStart = regexp.MustCompile(`\d|\p{L}`)
)

// parsedDate is one date read from text.
type parsedDate struct {
	t       time.Time
	hasTime bool
	end     int  // bytes of input consumed
	whole   bool // the date fills its line
}

// parseDate reads a date at the start of s: ISO ("2021-12-04T23:45Z"),
// month names ("December 04, 2021 23:45 IST", "5 December 2021 11:31
// GMT", "4. Dezember 2021", "4 декабря 2021"), numeric day-first
// ("04.12.2021 15:30") and Japanese ("2021年12月4日"). A date without a
// zone is taken as UTC.
func parseDate(s string) (parsedDate, bool) {
	var y, mo, d, hh, mm, ss int
	var ampm, zone string
	var m []string
	var loc []int
	hasTime := false
	switch {
	case dateISO.MatchString(s):
		loc = dateISO.FindStringSubmatchIndex(s)
		m = sub(s, loc)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
		if m[4] != "" {
			hasTime, hh, mm, ss, zone = true, atoi(m[4]), atoi(m[5]), atoi(m[6]), m[7]
		}
	case dateYMD.MatchString(s):
		loc = dateYMD.FindStringSubmatchIndex(s)
		m = sub(s, loc)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
		if m[4] != "" {
			hasTime, hh, mm = true, atoi(m[4]), atoi(m[5])
		}
	case dateDMYn.MatchString(s):
		loc = dateDMYn.FindStringSubmatchIndex(s)
		m = sub(s, loc)
		d, mo, y = atoi(m[1]), atoi(m[2]), atoi(m[3])
		hasTime, hh, mm, ss, ampm, zone = timeParts(m[4:])
	case dateMDY.MatchString(s):
		loc = dateMDY.FindStringSubmatchIndex(s)
		m = sub(s, loc)
		mon, ok := months[strings.ToLower(m[1])]
		if !ok {
			return parsedDate{}, false
		}
		mo, d, y = int(mon), atoi(m[2]), atoi(m[3])
		hasTime, hh, mm, ss, ampm, zone = timeParts(m[4:])
	case dateDMY.MatchString(s):
		loc = dateDMY.FindStringSubmatchIndex(s)
		m = sub(s, loc)
		mon, ok := months[strings.ToLower(m[2])]
		if !ok {
			return parsedDate{}, false
		}
		d, mo, y = atoi(m[1]), int(mon), atoi(m[3])
		hasTime, hh, mm, ss, ampm, zone = timeParts(m[4:])
	default:
		return parsedDate{}, false
	}
	if hasTime {
		switch strings.ToLower(strings.ReplaceAll(ampm, ".", "")) {
		case "pm":
			if hh < 12 {
				hh += 12
			}
		case "am":
			if hh == 12 {
				hh = 0
			}
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1990 || y > 2100 || hh > 23 || mm > 59 || ss > 60 {
		return parsedDate{}, false
	}
	t := time.Date(y, time.Month(mo), d, hh, mm, ss, 0, time.UTC)
	if t.Day() != d { // 31 November and the like
		return parsedDate{}, false
	}
	end := loc[1]
	if hasTime {
		off, ok, known := zoneOffset(zone, t)
		if zone != "" && !known {
			// A word that is no zone ("IN", "AT") after the time: do
			// not consume it.
			end = loc[1] - len(zone)
		}
		if ok {
			t = time.Date(y, time.Month(mo), d, hh, mm, ss, 0, time.FixedZone(zoneName(zone, off), off*60))
		}
	}
	return parsedDate{t: t, hasTime: hasTime, end: end}, true
}

func sub(s string, loc []int) []string {
	m := make([]string, len(loc)/2)
	for i := range m {
		if loc[2*i] >= 0 {
			m[i] = s[loc[2*i]:loc[2*i+1]]
		}
	}
	return m
}

func timeParts(m []string) (has bool, hh, mm, ss int, ampm, zone string) {
	if len(m) < 5 || m[0] == "" {
		return false, 0, 0, 0, "", ""
	}
	return true, atoi(m[0]), atoi(m[1]), atoi(m[2]), m[3], m[4]
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// zoneOffset returns the offset in minutes east of UTC for a zone as
// printed. ok is false for no zone or an unknown one; known is false for
// text that is not a zone at all.
func zoneOffset(zone string, t time.Time) (off int, ok, known bool) {
	z := strings.ToUpper(strings.TrimSpace(zone))
	if z == "" {
		return 0, false, true
	}
	if o, found := zones[z]; found {
		return o, true, true
	}
	if o, found := usZones[z]; found {
		if usDST(t) {
			o += 60
		}
		return o, true, true
	}
	z = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(z, "UTC"), "GMT"))
	if z != "" && (z[0] == '+' || z[0] == '-') {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(strings.TrimSpace(z[1:]), ":", "")
		var h, mi int
		switch len(digits) {
		case 1, 2:
			h = atoi(digits)
		case 3, 4:
			h, mi = atoi(digits[:len(digits)-2]), atoi(digits[len(digits)-2:])
		default:
			return 0, false, true
		}
		if h > 14 || mi > 59 {
			return 0, false, true
		}
		return sign * (h*60 + mi), true, true
	}
	return 0, false, false
}

func zoneName(zone string, off int) string {
	z := strings.ToUpper(strings.TrimSpace(zone))
	if _, ok := zones[z]; ok && z != "Z" {
		return z
	}
	return ""
}

// usDST reports whether US daylight time applies on t's date: from the
// second Sunday in March to the first Sunday in November.
func usDST(t time.Time) bool {
	y := t.Year()
	start := nthSunday(y, time.March, 2)
	end := nthSunday(y, time.November, 1)
	d := time.Date(y, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(start) && d.Before(end)
}

func nthSunday(y int, m time.Month, n int) time.Time {
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}

// Labels before visible dates.
var (
	labelPublished = regexp.MustCompile(`(?i)(?:^|[\s|·•,;(])(?:first\s+published|published|posted|publication\s+date|pub\s*date|dated?|released|erschienen|veröffentlicht|publié|publicado|pubblicato|опубликовано|дата\s+публикации|配信|公開|掲載|発行)(?:\s+(?:on|at|am|le|el|il|den))?\s*[:：\-–]?\s*`)
	labelUpdated   = regexp.MustCompile(`(?i)(?:^|[\s|·•,;(])(?:last\s+updated|updated|last\s+modified|modified|revised|aktualisiert|mis\s+à\s+jour|actualizado|aggiornato|atualizado|обновлено|更新|最終更新)(?:\s+(?:on|at|am|le|el|il|den))?\s*[:：\-–]?\s*`)
)

// publishedKeys and updatedKeys are literal fragments of the labels, to
// skip the regular expressions on lines that cannot match them.
var (
	publishedKeys = []string{"publi", "post", "date", "releas", "erschien", "veröff", "опубл", "дата", "配信", "公開", "掲載", "発行"}
	updatedKeys   = []string{"updat", "modif", "revis", "aktuali", "mis à jour", "actuali", "aggiorn", "atualiz", "обновл", "更新"}

	publishedKeySet = newLiterals(publishedKeys...)
	updatedKeySet   = newLiterals(updatedKeys...)
)

// Dates finds the publication and update dates printed in a plain text:
// labelled dates ("Published: …", "Updated on: December 04, 2021 23:45
// IST", "date 2021-12-04"), and when there are none, a line near the top
// that is nothing but a date ("Friday, November 22, 2024"). Labelled dates
// beat bare ones, so a page's crawl or today's-date line does not pass for
// its publication date; a bare date on the same day as a labelled one
// without a time lends it its time. Relative dates ("5 hours ago") are
// ignored, as are dates before 1990 or more than two days ahead of now.
// Either result is zero when not found; an update date not after the
// publication date is dropped. Cost: linear in the text.
func Dates(text string) (published, updated time.Time) {
	return datesAt(text, time.Now())
}

func datesAt(text string, now time.Time) (published, updated time.Time) {
	var pub, upd parsedDate
	var bare []parsedDate
	limit := now.Add(48 * time.Hour)
	valid := func(d parsedDate) bool { return !d.t.After(limit) }
	n := 0
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n++
		words := countFields(line, 21) // only "<= 20" and "<= 12" matter
		short := words <= 20 || utf8.RuneCountInString(line) <= 80
		scan := line
		if !short {
			scan = prefix(line, 64) // labels count only at the start
		}
		lower := "" // of scan, when needed
		for _, lab := range []struct {
			re   *regexp.Regexp
			keys *literals
			dst  *parsedDate
		}{{labelPublished, publishedKeySet, &pub}, {labelUpdated, updatedKeySet, &upd}} {
			if !lab.dst.t.IsZero() {
				continue
			}
			if lower == "" {
				lower = strings.ToLower(scan)
			}
			if !lab.keys.in(lower) {
				continue
			}
			for _, loc := range lab.re.FindAllStringIndex(scan, 4) {
				// Mid-line labels count in short lines only ("Edited by:
				// AP Updated on: …"); a long paragraph saying "updated on
				// Monday" is text.
				if loc[0] > 1 && !short {
					break
				}
				if d, ok := parseDate(line[loc[1]:]); ok && valid(d) {
					*lab.dst = d
					break
				}
			}
		}
		if n <= 15 && words <= 12 {
			// "Source: Xinhua | 2023-11-14 16:22:05 | Editor: …": each
			// segment is a line of its own.
			for seg := range strings.FieldsFuncSeq(line, func(r rune) bool { return r == '|' || r == '·' || r == '•' }) {
				for _, d := range datesIn(strings.TrimSpace(seg)) {
					if valid(d) {
						bare = append(bare, d)
					}
				}
			}
		}
	}
	if pub.t.IsZero() && upd.t.IsZero() {
		// No labels: the first line that is only a date.
		for _, d := range bare {
			if d.whole {
				pub = d
				break
			}
		}
	}
	// A bare date with a time on the labelled date's day refines it.
	for _, lab := range []*parsedDate{&pub, &upd} {
		if lab.t.IsZero() || lab.hasTime {
			continue
		}
		for _, d := range bare {
			if d.hasTime && sameDay(d.t, lab.t) {
				*lab = d
				break
			}
		}
	}
	if !upd.t.IsZero() && !pub.t.IsZero() && !upd.t.After(pub.t) {
		upd = parsedDate{}
	}
	return pub.t, upd.t
}

// prefix returns at most the first n bytes of s, ending on a rune
// boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// datesIn returns the dates that start at word boundaries in a short line.
// whole marks a date that fills the line but for a weekday, punctuation and
// a "date" label; other dates serve only to refine a labelled date.
func datesIn(line string) []parsedDate {
	// Every date expression holds a year, four ASCII digits (\d): a date
	// can start only at or before the last such run.
	last := lastFourDigits(line)
	var out []parsedDate
	for i := 0; i <= last; {
		loc := dateStart.FindStringIndex(line[i:])
		if loc == nil {
			break
		}
		j := i + loc[0]
		if j > last {
			break
		}
		_, size := utf8.DecodeRuneInString(line[j:])
		if j > 0 {
			if r, _ := utf8.DecodeLastRuneInString(line[:j]); isWordRune(r) {
				i = j + size
				continue
			}
		}
		d, ok := parseDate(line[j:])
		if !ok {
			i = j + size
			continue
		}
		rest := strings.Trim(line[j+d.end:], " \t.,|·•-–—()[]")
		head := strings.Trim(line[:j], " \t.,|·•-–—()[]:")
		d.whole = rest == "" && (head == "" || strings.EqualFold(head, "date"))
		out = append(out, d)
		i = j + d.end
	}
	return out
}

// lastFourDigits returns where the last run of four ASCII digits in s
// starts (the latest start when a run is longer), or -1 when there is none.
func lastFourDigits(s string) int {
	last, run := -1, 0
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			run++
			if run >= 4 {
				last = i - 3
			}
		} else {
			run = 0
		}
	}
	return last
}

func isWordRune(r rune) bool {
	return r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || r > 0x7f && r != '\u00a0'
}
