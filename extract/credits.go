package extract

import (
	"github.com/wiretrace/wiretrace/textnorm"

	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// agencies maps each wire agency's canonical name to the spellings that
// credit it. Acronyms are matched with their case as written here (so
// "AP" but not "ap"); names of more than four letters are matched without
// regard to case.
var agencies = []struct {
	name    string
	aliases []string
}{
	{"AP", []string{"AP", "Associated Press", "The Associated Press", "Ассошиэйтед Пресс", "AP通信"}},
	{"Reuters", []string{"Reuters", "Thomson Reuters", "REUTERS", "Рейтер", "Рейтерс", "ロイター"}},
	{"AFP", []string{"AFP", "Agence France-Presse", "Agence France Presse", "France-Presse", "Франс Пресс"}},
	{"dpa", []string{"dpa", "DPA", "Deutsche Presse-Agentur"}},
	{"Xinhua", []string{"Xinhua", "Xinhua News Agency", "XINHUA", "新华社", "新華社", "Синьхуа"}},
	{"PTI", []string{"PTI", "Press Trust of India"}},
	{"ANI", []string{"ANI", "Asian News International"}},
	{"IANS", []string{"IANS", "Indo-Asian News Service"}},
	{"UNI", []string{"UNI", "United News of India"}},
	{"UPI", []string{"UPI", "United Press International"}},
	{"EFE", []string{"EFE", "Efe", "Agencia EFE"}},
	{"ANSA", []string{"ANSA", "Ansa"}},
	{"Kyodo", []string{"Kyodo", "Kyodo News", "KYODO", "共同", "共同通信"}},
	{"Jiji", []string{"Jiji", "Jiji Press", "時事", "時事通信"}},
	{"Yonhap", []string{"Yonhap", "Yonhap News Agency", "YONHAP", "연합뉴스"}},
	{"TASS", []string{"TASS", "Tass", "ITAR-TASS", "ТАСС", "ИТАР-ТАСС"}},
	{"RIA Novosti", []string{"RIA Novosti", "РИА Новости"}},
	{"Interfax", []string{"Interfax", "Интерфакс"}},
	{"Bloomberg", []string{"Bloomberg", "Bloomberg News"}},
	{"Anadolu", []string{"Anadolu", "Anadolu Agency", "Anadolu Ajansı"}},
	{"AAP", []string{"AAP", "Australian Associated Press"}},
	{"CP", []string{"CP", "The Canadian Press", "Canadian Press"}},
	{"PA", []string{"PA", "PA Media", "Press Association"}},
	{"APA", []string{"APA"}},
	{"ANP", []string{"ANP"}},
	{"Belga", []string{"Belga"}},
	{"NTB", []string{"NTB"}},
	{"TT", []string{"TT"}},
	{"SDA", []string{"SDA", "Keystone-SDA"}},
	{"KNA", []string{"KNA"}},
	{"epd", []string{"epd"}},
	{"Europa Press", []string{"Europa Press"}},
	{"Lusa", []string{"Lusa"}},
	{"Bernama", []string{"Bernama"}},
	{"Antara", []string{"Antara"}},
	{"Ukrinform", []string{"Ukrinform", "Укрінформ", "Укринформ"}},
}

// alias is one spelling of an agency, ready for matching.
type alias struct {
	text  string // as written in the table
	fold  bool   // compare without regard to case
	agent string // canonical name
}

// aliasList holds every alias, longest first, so that "Associated Press"
// is tried before "AP" and "Kyodo News" before "Kyodo".
var aliasList = func() []alias {
	var out []alias
	for _, a := range agencies {
		for _, s := range a.aliases {
			out = append(out, alias{text: s, fold: utf8.RuneCountInString(s) > 4 && !isUpper(s), agent: a.name})
		}
	}
	slices.SortStableFunc(out, func(a, b alias) int { return len(b.text) - len(a.text) })
	return out
}()

func isUpper(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// aliasesByFirst indexes aliasList by the first rune of the text an alias
// can match: its own first rune, and for aliases compared without regard to
// case every rune of that rune's case-folding orbit (strings.EqualFold
// compares rune by rune under simple folding, so "kyodo" and "\u212Ayodo"
// both start "Kyodo"). Each list keeps aliasList's longest-first order, so
// scanning it finds the same alias as scanning aliasList.
var aliasesByFirst = func() map[rune][]alias {
	m := map[rune][]alias{}
	for _, a := range aliasList {
		r, _ := utf8.DecodeRuneInString(a.text)
		m[r] = append(m[r], a)
		if a.fold {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				m[f] = append(m[f], a)
			}
		}
	}
	return m
}()

// aliasHead reports whether a, compared as agencyPrefix compares it,
// matches the first len(a.text) bytes of s.
func aliasHead(s string, a alias) bool {
	if len(s) < len(a.text) {
		return false
	}
	head := s[:len(a.text)]
	return head == a.text || a.fold && strings.EqualFold(head, a.text)
}

// agencyPrefix reports the agency whose alias starts s, ending at a word
// boundary, and the length of the alias in bytes.
func agencyPrefix(s string) (string, int) {
	first, _ := utf8.DecodeRuneInString(s)
	for _, a := range aliasesByFirst[first] {
		if !aliasHead(s, a) {
			continue
		}
		if rest := s[len(a.text):]; rest != "" {
			r, _ := utf8.DecodeRuneInString(rest)
			// CJK aliases are followed directly by other CJK text.
			if (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r) {
				continue
			}
		}
		return a.agent, len(a.text)
	}
	return "", 0
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// listSep splits a list of agencies: "AP/Reuters", "Reuters, AFP", "AFP and dpa".
var listSep = regexp.MustCompile(`\s*(?:[/,;&+|]|\band\b|\bund\b|\bet\b|\by\b|\bи\b)\s*`)

// agencyList parses s as nothing but a list of agencies ("Associated
// Press/Reuters", "AFP, dpa"); ok is false when any item is not an agency.
func agencyList(s string) (names []string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || !mayListAgencies(s) {
		return nil, false
	}
	for _, item := range listSep.Split(s, -1) {
		item = strings.TrimSpace(strings.Trim(item, ".:"))
		if item == "" {
			continue
		}
		name, n := agencyPrefix(item)
		if name == "" {
			return nil, false
		}
		// Allow only a trailing "staff"/"news"/"wire" word after the alias.
		rest := strings.ToLower(strings.TrimSpace(item[n:]))
		if rest != "" && rest != "staff" && rest != "wire" && rest != "news" && rest != "reporters" {
			return nil, false
		}
		names = append(names, name)
	}
	return names, len(names) > 0
}

// mayListAgencies is a cheap test that must pass for agencyList(s) to
// succeed; it spares most lines the split on listSep. Past the leading
// runes that the trimming of items removes (".", ":" and white space), s
// either starts its first item, which must then start with an alias, or
// starts a separator, whose first rune is one of listSepStart (the "\s*"
// before it is white space, skipped too). So if neither holds, the first
// non-empty item cannot start with an alias, or there is none, and
// agencyList fails.
func mayListAgencies(s string) bool {
	s = strings.TrimLeftFunc(s, func(r rune) bool { return r == '.' || r == ':' || unicode.IsSpace(r) })
	first, _ := utf8.DecodeRuneInString(s)
	if strings.ContainsRune(listSepStart, first) {
		return true
	}
	for _, a := range aliasesByFirst[first] {
		if aliasHead(s, a) {
			return true
		}
	}
	return false
}

// listSepStart holds the runes that can start a match of listSep after its
// leading white space.
const listSepStart = "/,;&+|aueyи"

// agenciesIn returns the agencies that start items of the list s, where
// items may carry more words after the agency ("AP Washington", "Jane Roe,
// Reuters"). It is used only on text already known to be a credit line.
func agenciesIn(s string) []string {
	var names []string
	for _, item := range listSep.Split(s, -1) {
		item = strings.TrimSpace(strings.Trim(item, ".:()[]"))
		item = strings.TrimPrefix(strings.TrimPrefix(item, "the "), "The ")
		if name, _ := agencyPrefix(item); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// photoWords mark photo, video and graphics credits, which never credit the
// text: "Image Source : AP (FILE)", "Photo author, Sergei Malgavko / TASS".
var photoWords = regexp.MustCompile(`(?i)\b(?:photo\w*|image\w*|pictures?|pics?|foto\w*|video\w*|getty|caption|illustration|graphic\w*|file\s+photo|infographic|camera|screenshot|afp\s+via)\b|фото|видео|写真|사진|\(file\)`)

// photoKeys are literal fragments of photoWords, to skip the regular
// expression on lines that cannot match it.
var photoKeys = []string{"photo", "image", "pictur", "pic", "foto", "video", "getty", "caption", "illustration", "graphic", "camera", "screenshot", "afp via", "фото", "видео", "写真", "사진", "(file)"}

func isPhotoCredit(line string) bool {
	l := strings.ToLower(line)
	for _, k := range photoKeys {
		if strings.Contains(l, k) {
			return photoWords.MatchString(line)
		}
	}
	return false
}

// tail returns at most the last n bytes of s, starting on a rune boundary.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// creditLabel opens a credit line: "Edited by: AP Washington", "With inputs
// from PTI", "Source: Reuters", "Copyright 2021 The Associated Press".
var creditLabel = regexp.MustCompile(`(?i)^[\s(\[]*(?:(?:additional\s+)?(?:reporting|writing|written|edited|compiled|reported|produced|curated|text|story|written\s+and\s+edited)\s+by|by|sources?|agenc(?:y|ies)|courtesy(?:\s+of)?|credits?|(?:with\s+)?(?:additional\s+)?(?:agency\s+)?inputs?\s+from|with\s+(?:agency|wire)\s+(?:reports|inputs)(?:\s+from)?|wires?|copyright|©|\(c\)|quelle|fuente|fonte|source\s*:|источник|по\s+материалам|mit\s+material\s+von)(?:\s*[:：\-–—]\s*|\s+|$|©)`)

// copyrightYear strips "2021", "2020-2021" and a second "©" after a label.
var copyrightYear = regexp.MustCompile(`^(?:©\s*)?(?:copyright\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?`)

// trailerRE finds a credit after the last sentence of a paragraph:
// "… they say. – Associated Press/Reuters", "… next week. (AFP)".
var trailerRE = regexp.MustCompile(`[.!?"”’»)\]]\s*(?:[-–—―]{1,2}\s*([^()\-–—―]{2,60}?)|\(([^()]{2,80})\))\s*\.?\s*$`)

// Datelines: "MOSCOW (AP) –", "LONDON, Dec 4 (Reuters) -", "New Delhi
// [India], December 4 (ANI):", "МОСКВА, 4 декабря. /ТАСС/.", "(Reuters) -",
// "(ANSA) - ROMA, 4 DIC -", "МОСКВА, 4 дек — РИА Новости.", "【ワシントン共同】".
var (
	dlParen   = regexp.MustCompile(`^([^()\n]{1,80}?)\s*\(([^()\n]{1,60})\)\s*([-–—―:.]{1,3}\s*|\s+)\S`)
	dlSlash   = regexp.MustCompile(`^([^/\n]{1,80}?)[.\s]*/([^/\n]{1,30})/\.?\s*\S`)
	dlLeading = regexp.MustCompile(`^\(([^()\n]{1,60})\)\s*(?:[-–—―:]{1,3}|\s)\s*(?:([^,\n]{2,30}),\s*([^-–—\n]{1,20}?)\s*[-–—]\s*)?\S`)
	dlDash    = regexp.MustCompile(`^([^–—\n]{1,60}?)\s+[-–—]\s+([^.\n]{2,40})\.\s+\S`)
	dlJapan   = regexp.MustCompile(`^[【\[]([^】\]]{0,20}?)(共同|時事)[】\]]`)
	dlBare    = regexp.MustCompile(`^(\p{Lu}[\p{Lu}\p{M}.'’ -]{0,30}\p{Lu})(?:,\s*(\p{Lu}[\p{L}.]*(?:\s\p{Lu}[\p{L}.]*){0,2}))?\s*[-–—]{1,2}\s+\p{Lu}`)
)

// monthish matches month names and abbreviations in the languages whose
// datelines the package reads; datelines put them after the place.
var monthish = regexp.MustCompile(`(?i)^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december|janv|févr|fév|mars|avr|mai|juin|juil|août|déc|janvier|février|avril|juillet|septembre|octobre|novembre|décembre|jän|januar|februar|märz|juni|juli|okt|dez|dezember|ene|abr|ago|dic|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gen|mag|giu|lug|ott|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|янв\p{L}*|фев\p{L}*|мар\p{L}*|апр\p{L}*|ма[яй]|июн\p{L}*|июл\p{L}*|авг\p{L}*|сен\p{L}*|окт\p{L}*|ноя\p{L}*|дек\p{L}*)\.?$`)

// Credits finds the wire agencies credited in a plain text and the place in
// its dateline. Credits come from datelines at the start of one of the
// first paragraphs ("MOSCOW (AP) –", "LONDON, Dec 4 (Reuters) -"), from
// credit lines ("Edited by: AP Washington", "With inputs from PTI",
// "Copyright 2021 The Associated Press"), from lines that are only agency
// names ("Reuters", "(AFP)") and from a credit after a paragraph's last
// sentence ("… – Associated Press/Reuters"). Agencies named in running text
// ("the Associated Press reported") and in photo credits ("Image Source :
// AP") are not credits. Names are canonical ("AP", "Reuters", "AFP", "dpa",
// …), in order of first appearance. Cost: linear in the text.
func Credits(text string) (credits []string, dateline string) {
	return CreditsIn(text, textnorm.Paragraphs(text))
}

// CreditsIn is Credits for a caller that has the text's paragraphs
// (textnorm.Paragraphs(text)) at hand.
func CreditsIn(text string, paras []textnorm.Span) (credits []string, dateline string) {
	add := func(names ...string) {
		for _, n := range names {
			if !slices.Contains(credits, n) {
				credits = append(credits, n)
			}
		}
	}
	long := 0 // paragraphs of at least 8 words seen so far
	// Paragraphs, not lines: hard-wrapped wire copy joins into a few long
	// paragraphs, so the credit rules run a few times per article rather
	// than once per 65-column line.
	for _, sp := range paras {
		line := strings.TrimSpace(text[sp.Start:sp.End])
		if strings.ContainsRune(line, '\n') {
			line = joinFields(line)
		}
		if line == "" {
			continue
		}
		words := countFields(line, 21) // only "< 8" and "<= 20" matter
		if long < 3 && (words >= 8 || mayBeJapanese(line) && dlJapan.MatchString(line)) {
			long++
			place, names := parseDateline(line)
			add(names...)
			if dateline == "" && place != "" {
				dateline = place
			}
		}
		// Photo credits credit nothing. The test is costly and matters
		// only for lines that name agencies, so it comes last.
		var names []string
		if words <= 20 {
			names = creditLine(line)
		}
		names = append(names, trailer(line)...)
		if len(names) > 0 && !isPhotoCredit(line) {
			add(names...)
		}
	}
	return credits, dateline
}

// joinFields returns strings.Join(strings.Fields(s), " ") without building
// the slice.
func joinFields(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := decodeRune(s, i)
		if !unicode.IsSpace(r) {
			j := i + size
			for j < len(s) {
				r, size := decodeRune(s, j)
				if unicode.IsSpace(r) {
					break
				}
				j += size
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		i += size
	}
	return b.String()
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) with a shortcut for ASCII.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// countFields returns min(len(strings.Fields(s)), limit) without building
// the slice.
func countFields(s string, limit int) int {
	n := 0
	inField := false
	for i := 0; i < len(s) && n < limit; {
		c := s[i]
		space := false
		if c < utf8.RuneSelf {
			space = c == ' ' || '\t' <= c && c <= '\r'
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if !space && !inField {
			n++
		}
		inField = !space
	}
	return n
}

// mayBeJapanese reports whether p starts as dlJapan needs: with "【" or "[".
func mayBeJapanese(p string) bool {
	return strings.HasPrefix(p, "[") || strings.HasPrefix(p, "【")
}

// creditLine reads a short line that is a credit: labelled, a wire
// reporter's tag line, or nothing but agency names.
func creditLine(line string) []string {
	line = strings.ReplaceAll(line, "©", "© ")
	if loc := creditLabel.FindStringIndex(line); loc != nil {
		label := strings.ToLower(strings.Trim(line[:loc[1]], " \t([:：-–—"))
		rest := line[loc[1]:]
		rest = strings.TrimSpace(copyrightYear.ReplaceAllString(strings.TrimSpace(rest), ""))
		// A bare "By" also opens sentences ("By the end of the year,
		// Reuters …"); only a list of names is a byline.
		if label == "by" && !namesOnly(rest) {
			return nil
		}
		return agenciesIn(rest)
	}
	if strings.Contains(line, "contribut") || strings.Contains(line, "reported") {
		if m := tagLine.FindStringSubmatch(line); m != nil {
			if name, _ := agencyPrefix(strings.TrimPrefix(m[1], "The ")); name != "" {
				return []string{name}
			}
		}
	}
	bare := strings.TrimSpace(strings.Trim(line, " -–—―()[]（）.:"))
	bare = strings.TrimPrefix(bare, "The ")
	if names, ok := agencyList(bare); ok {
		return names
	}
	return nil
}

// trailer reads a credit after the last sentence of a paragraph.
func trailer(line string) []string {
	// The credit and the punctuation before it fit in the last 200 bytes;
	// matching the end-anchored expressions on the whole line would cost
	// a scan from every position.
	line = tail(line, 200)
	if strings.Contains(line, "（") || strings.Contains(line, "）") {
		line = fullWidthParens.Replace(line)
	}
	// Both expressions can only match near the end, at one place each
	// that is found without them; they run only if the rune of
	// punctuation they need is there, and then on the suffix from there.
	// Neither looks at the text before its match, so on a suffix that
	// starts on a rune boundary at or before the start of every match
	// they find the same leftmost match.
	start := -1
	// trailerRE's dash form: the dash (or pair of dashes) before the
	// credit is the last dash of the line, as nothing after it may be a
	// dash or a parenthesis; before the dashes are white space and one
	// rune of punctuation.
	if d := lastDash(line); d >= 0 {
		if e := lastDash(line[:d]); e >= 0 && e+len(dashAt(line, e)) == d {
			d = e
		}
		start = punctBefore(line, d, trailerPunct)
	}
	// The parenthesised form, and jpTrailer: the "(" is the last one of
	// the line (nothing but "[^()]", ")" and white space may follow it),
	// with white space and one rune of punctuation before it.
	paren, jp := -1, -1
	if o := strings.LastIndexByte(line, '('); o >= 0 {
		paren = punctBefore(line, o, trailerPunct)
		jp = punctBefore(line, o, "。」")
	}
	if paren >= 0 && (start < 0 || paren < start) {
		start = paren
	}
	if m := submatchIf(start >= 0, trailerRE, line[max(start, 0):]); m != nil {
		if m[1] != "" {
			if names, ok := agencyList(strings.TrimPrefix(m[1], "The ")); ok {
				return names
			}
			return nil
		}
		inner := strings.TrimSpace(m[2])
		if names, ok := agencyList(strings.TrimPrefix(inner, "The ")); ok {
			return names
		}
		if creditLabel.MatchString(inner) {
			return creditLine(inner)
		}
		return nil
	}
	// Japanese papers end wire copy with "（共同）" straight after the "。".
	if m := submatchIf(jp >= 0, jpTrailer, line[max(jp, 0):]); m != nil {
		if names, ok := agencyList(m[1]); ok {
			return names
		}
	}
	return nil
}

// lastDash returns the index of the last dash ("-", "–", "—" or "―") in
// s, or -1: strings.LastIndexAny(s, "-–—―"), spelled out for speed.
func lastDash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if dashAt(s, i) != "" {
			return i
		}
	}
	return -1
}

// dashAt returns the dash that starts at s[i], or "".
func dashAt(s string, i int) string {
	switch {
	case s[i] == '-':
		return "-"
	case s[i] != 0xe2:
		return ""
	}
	for _, d := range []string{"–", "—", "―"} {
		if strings.HasPrefix(s[i:], d) {
			return d
		}
	}
	return ""
}

// spaceBefore returns the start of the run of white space (as "\s" in a
// regular expression: ASCII only) that ends at s[i].
func spaceBefore(s string, i int) int {
	for i > 0 && isRegexpSpace(s[i-1]) {
		i--
	}
	return i
}

// trailerPunct is the punctuation that trailerRE wants before a credit.
const trailerPunct = `.!?"”’»)]`

// punctBefore returns the start of the rune before the white space (if
// any) before s[i] when that rune is one of set, and -1 otherwise.
func punctBefore(s string, i int, set string) int {
	end := spaceBefore(s, i)
	k := runeBefore(s, end)
	if k < 0 {
		return -1
	}
	if r, size := utf8.DecodeRuneInString(s[k:]); k+size != end || !strings.ContainsRune(set, r) {
		return -1
	}
	return k
}

// runeBefore returns the start of the rune before s[i], or of the nearest
// rune start before it if s is not valid UTF-8 there: in either case a
// place where decoding s and decoding s from there agree. It returns -1
// when i is 0.
func runeBefore(s string, i int) int {
	if i == 0 {
		return -1
	}
	i--
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// tagLine is a wire reporter's tag line: "Associated Press writer Jane Doe
// in Kyiv contributed to this report."
var tagLine = regexp.MustCompile(`^(?:The\s+)?(\S.{0,30}?)\s+(?:[Ww]riters?|[Rr]eporters?|[Cc]orrespondents?|[Jj]ournalists?|[Ss]taff(?:\s+[Ww]riters?)?)\b.*\b(?:contributed|reported|contributing)\b`)

// namesOnly reports whether s is a list of names: "Jane Roe, Reuters",
// "Jane Roe and John Doe | The Daily", "The Associated Press".
func namesOnly(s string) bool {
	items := listSep.Split(strings.TrimSpace(s), -1)
	for _, item := range items {
		f := strings.Fields(item)
		if len(f) > 5 {
			return false
		}
		for _, w := range f {
			r, _ := utf8.DecodeRuneInString(w)
			if !unicode.IsUpper(r) && !nameConnector[strings.ToLower(w)] {
				return false
			}
		}
	}
	return true
}

var nameConnector = map[string]bool{"in": true, "de": true, "da": true, "van": true, "von": true, "der": true, "al": true, "bin": true, "staff": true}

var fullWidthParens = strings.NewReplacer("（", " (", "）", ")")

var jpTrailer = regexp.MustCompile(`[。」]\s*\(([^()]{1,12})\)\s*$`)

// parseDateline reads the dateline at the start of a paragraph, if any.
func parseDateline(p string) (place string, names []string) {
	if m := submatchIf(mayBeJapanese(p), dlJapan, p); m != nil {
		names, _ = agencyList(m[2])
		return strings.TrimSpace(m[1]), names
	}
	if m := submatchIf(strings.HasPrefix(p, "("), dlLeading, p); m != nil {
		if names, ok := agencyList(m[1]); ok {
			if m[2] != "" && isPlace(m[2], true) {
				place = strings.TrimSpace(m[2])
			}
			return place, names
		}
	}
	// "Berlin (dpa) - …" needs the dash: "President Joe Biden (AP) spoke"
	// is no dateline.
	if m := submatchIf(mayParen(p), dlParen, p); m != nil {
		if names, ok := agencyList(m[2]); ok {
			if place, ok := datelinePlace(m[1], strings.TrimSpace(m[3]) != ""); ok {
				return place, names
			}
		}
	}
	if m := submatchIf(maySlash(p), dlSlash, p); m != nil {
		if names, ok := agencyList(m[2]); ok {
			if place, ok := datelinePlace(m[1], true); ok {
				return place, names
			}
		}
	}
	if m := submatchIf(mayDash(p), dlDash, p); m != nil {
		if names, ok := agencyList(m[2]); ok {
			if place, ok := datelinePlace(m[1], false); ok && strings.Contains(m[1], ",") {
				return place, names
			}
		}
	}
	if m := dlBare.FindStringSubmatch(p); m != nil {
		if _, n := agencyPrefix(m[1]); n == 0 && utf8.RuneCountInString(m[1]) >= 3 && isPlace(m[1], true) {
			return strings.TrimSpace(m[1]), nil
		}
	}
	return "", nil
}

// submatchIf returns re.FindStringSubmatch(p) if may, a cheap test that
// every match of re passes, is true, and nil otherwise.
func submatchIf(may bool, re *regexp.Regexp, p string) []string {
	if !may {
		return nil
	}
	return re.FindStringSubmatch(p)
}

// mayParen reports whether p passes a test every match of dlParen passes:
// the first parenthesis opens the credit, after at least one byte of place,
// and the next one closes it, as neither the place nor the credit may hold
// one.
func mayParen(p string) bool {
	i := strings.IndexAny(p, "()")
	if i <= 0 || p[i] != '(' {
		return false
	}
	j := strings.IndexAny(p[i+1:], "()")
	return j >= 0 && p[i+1+j] == ')'
}

// maySlash is the same for dlSlash: a "/" after at least one byte of place,
// and a second "/" after it.
func maySlash(p string) bool {
	i := strings.IndexByte(p, '/')
	return i > 0 && strings.IndexByte(p[i+1:], '/') >= 0
}

// mayDash is the same for dlDash: a dash ("-", "–" or "—") with white space
// ("\s": ASCII) right before and after it, after at least one byte of place.
func mayDash(p string) bool {
	for i := 1; i+1 < len(p); i++ {
		if !isRegexpSpace(p[i-1]) {
			continue
		}
		if d := dashAt(p, i); d != "" && d != "―" && i+len(d) < len(p) && isRegexpSpace(p[i+len(d)]) {
			return true
		}
	}
	return false
}

// isRegexpSpace reports whether c is white space as "\s" means it in a
// regular expression.
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// datelinePlace checks the text before a dateline's agency credit: a
// place, then optionally a region or a bracketed country and a date, and
// returns the place. A place in title case ("Berlin") needs a date or a
// bracket after it unless agencyNext says the credit follows at once.
func datelinePlace(pre string, agencyNext bool) (string, bool) {
	pre = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(pre), ".,"))
	if pre == "" {
		return "", false
	}
	cut := strings.IndexAny(pre, ",[")
	place, rest := pre, ""
	if cut >= 0 {
		place, rest = strings.TrimSpace(pre[:cut]), pre[cut:]
	}
	if !isPlace(place, false) {
		return "", false
	}
	caps := isUpper(place)
	dated := false
	if rest != "" {
		// "[India], December 4", ", Ukraine", ", Dec 4", ", 4 декабря"
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "[") {
			end := strings.Index(rest, "]")
			if end < 0 {
				return "", false
			}
			rest = strings.TrimSpace(rest[end+1:])
			dated = true // the bracket is itself the mark of a dateline
		}
		for part := range strings.SplitSeq(strings.TrimPrefix(rest, ","), ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			switch {
			case isDatePart(part):
				dated = true
			case isPlace(part, false) && len(strings.Fields(part)) <= 3:
			default:
				return "", false
			}
		}
	}
	if !caps && !dated && (!agencyNext || len(strings.Fields(place)) > 3) {
		return "", false
	}
	return place, true
}

// isPlace reports whether s reads as a place name: one to four words, each
// capitalised (connectors like "de" and "of" aside), no digits.
func isPlace(s string, allCaps bool) bool {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 4 {
		return false
	}
	for i, w := range f {
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r):
		case i > 0 && connector[strings.ToLower(w)]:
		default:
			return false
		}
		for _, c := range w {
			if unicode.IsDigit(c) || !(unicode.IsLetter(c) || unicode.IsMark(c) || strings.ContainsRune(".'’-", c)) {
				return false
			}
		}
	}
	return !allCaps || isUpper(s)
}

var connector = map[string]bool{"de": true, "del": true, "da": true, "do": true, "dos": true, "of": true, "la": true, "le": true, "du": true, "am": true, "an": true, "der": true, "sur": true, "upon": true, "on": true, "y": true, "el": true}

// isDatePart reports whether a dateline segment is a date: "Dec 4",
// "December 4", "4 декабря", "4 dic", "2021".
func isDatePart(s string) bool {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 4 {
		return false
	}
	digit, month := false, false
	for _, w := range f {
		w = strings.Trim(w, ".")
		allDigits := w != ""
		for _, c := range w {
			if !unicode.IsDigit(c) {
				allDigits = false
			}
		}
		switch {
		case allDigits:
			digit = true
		case monthish.MatchString(w):
			month = true
		case strings.EqualFold(w, "de"):
		default:
			return false
		}
	}
	return digit || month
}
