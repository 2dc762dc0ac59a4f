package eval

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/text/language"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/internal/dates"
)

// Data set format names, as Dataset.Name reports them.
const (
	FormatLabelled = "labelled"  // the project's labelled JSONL
	FormatNewsCopy = "news-copy" // NEWS-COPY, Silcock et al. 2022
	FormatPriberam = "priberam"  // Priberam news clustering, Miranda et al. 2018
	FormatSemEval  = "semeval"   // SemEval-2022 task 8 pairs with texts
)

// Errors a reader reports. The record-level ones (ErrMalformed, ErrNoID,
// ErrNoText, ErrDuplicateID, ErrBadEdge) are wrapped in a Problem and the
// record is skipped; ErrFormat and ErrMissingColumn stop the read.
var (
	ErrMalformed     = errors.New("malformed record")
	ErrNoID          = errors.New("record without id")
	ErrNoText        = errors.New("record without text or title")
	ErrDuplicateID   = errors.New("duplicate id")
	ErrBadEdge       = errors.New("bad derivation edge")
	ErrFormat        = errors.New("input is not in the expected format")
	ErrMissingColumn = errors.New("missing column")
)

// ReadOptions tunes the readers. The zero value is ready to use.
type ReadOptions struct {
	// Logger gets one debug line per skipped record; nil discards.
	Logger *slog.Logger
	// MaxProblems caps Stats.Problems (not Stats.Skipped); 0 means 1000.
	MaxProblems int
	// MaxLineBytes bounds one JSONL line; a longer line is skipped without
	// being held in memory. 0 means 64 MiB.
	MaxLineBytes int
}

const (
	defaultMaxProblems  = 1000
	defaultMaxLineBytes = 64 << 20
)

// Problem is a record or an entry a reader skipped, and why. Err wraps one
// of the package's sentinel errors.
type Problem struct {
	// Where is "origin:line" for JSONL and CSV (the line a CSV record
	// starts on), "origin:line derived_from[i]" for one edge, and
	// "origin: record n (byte b)" for JSON files: the record's ordinal from
	// 1 and the offset from 0 at which its value starts.
	Where string
	Err   error
}

func (p Problem) Error() string { return p.Where + ": " + p.Err.Error() }

// Unwrap returns the reason, for errors.Is.
func (p Problem) Unwrap() error { return p.Err }

// Stats counts what a reader saw.
type Stats struct {
	Records  int `json:"records"`   // records read: lines, object members, array elements, rows
	Articles int `json:"articles"`  // distinct articles accepted
	Skipped  int `json:"skipped"`   // records and entries skipped
	BadDates int `json:"bad_dates"` // dates that did not parse; the article keeps a zero Published
	// Problems lists the first ReadOptions.MaxProblems skips, in input
	// order.
	Problems []Problem `json:"-"`
}

// Dataset is a data set read whole: its articles and the truth it carries.
type Dataset struct {
	Name     string // one of the Format constants
	Articles []wiretrace.Article
	// Stories maps article id → story label, for the articles that have one;
	// nil when the format carries no story truth.
	Stories map[string]string
	// CopyGroups maps article id → copy group for every article, "" for an
	// article in no group (a singleton); nil when the format carries none.
	CopyGroups map[string]string
	// Derivations are the true derivation edges; Pairs the SemEval gold
	// pairs.
	Derivations []Edge
	Pairs       []GoldPair
	// Unlabelled counts articles without a story label in a format that
	// has stories (they are not scored). UnknownIDs counts ids that the
	// truth names and no article has.
	Unlabelled int
	UnknownIDs int
	// Stats are the reader's counts; for NEWS-COPY, both files'.
	Stats Stats
}

// tally keeps a reader's counts and problems.
type tally struct {
	Stats
	max   int
	log   *slog.Logger
	seen  map[string]bool
	langs map[string]string
}

func newTally(opts ReadOptions) *tally {
	t := &tally{max: opts.MaxProblems, log: opts.Logger, seen: map[string]bool{}, langs: map[string]string{}}
	if t.max <= 0 {
		t.max = defaultMaxProblems
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	return t
}

func (t *tally) skip(where string, err error) {
	t.Skipped++
	if len(t.Problems) < t.max {
		t.Problems = append(t.Problems, Problem{Where: where, Err: err})
	}
	t.log.Debug("eval: skipped record", "where", where, "err", err)
}

// accept checks the id and the text of a, falling back to the title when
// fallback is set, and records the id. It reports the problem, if any.
func (t *tally) accept(a *wiretrace.Article, fallback bool) error {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch {
	case a.ID == "":
		return ErrNoID
	case blank(a.Text) && fallback && !blank(a.Title):
		a.Text = a.Title
	case blank(a.Text):
		return ErrNoText
	}
	if t.seen[a.ID] {
		return fmt.Errorf("%w %q", ErrDuplicateID, a.ID)
	}
	t.seen[a.ID] = true
	t.Articles++
	return nil
}

// published parses a publication date, counting the ones that do not parse.
func (t *tally) published(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	tm, ok := dates.ParseDate(s)
	if !ok {
		t.BadDates++
	}
	return tm
}

// lang turns a language code ("en", "eng", "en_US") into a BCP 47 tag, ""
// when it is not one.
func (t *tally) lang(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if l, ok := t.langs[s]; ok {
		return l
	}
	l := ""
	if tag, err := language.Parse(s); err == nil && tag != language.Und {
		l = tag.String()
	}
	if len(t.langs) < 1000 {
		t.langs[s] = l
	}
	return l
}

// flexString is a JSON string that also takes a number (kept as written,
// since data sets disagree on whether ids are numbers) and null (empty).
type flexString string

// fieldTypeError is a JSON value of a type a field cannot take.
type fieldTypeError struct{ want, got string }

func (e *fieldTypeError) Error() string { return "want " + e.want + ", got " + e.got }

func jsonKind(b []byte) string {
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	}
	return "number"
}

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == 'n': // null
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		*f = flexString(b)
	default:
		return &fieldTypeError{"string or number", jsonKind(b)}
	}
	return nil
}

// flexFloat is a JSON number that also takes a numeric string; null and
// absence leave it unset.
type flexFloat struct {
	v   float64
	set bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	var s string
	switch {
	case b[0] == 'n':
		*f = flexFloat{}
		return nil
	case b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		s = string(b)
	default:
		return &fieldTypeError{"number", jsonKind(b)}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return &fieldTypeError{"number", strconv.Quote(s)}
	}
	*f = flexFloat{v: v, set: true}
	return nil
}

// unmarshalMember decodes one member of a JSON stream into v, reporting a
// value of the wrong type as a skipped record.
func (t *tally) unmarshalMember(raw []byte, v any, where string) bool {
	if err := json.Unmarshal(raw, v); err != nil {
		t.skip(where, fmt.Errorf("%w: %v", ErrMalformed, err))
		return false
	}
	return true
}

// Labelled is one record of the project's labelled JSONL: an article and
// its truth.
type Labelled struct {
	Article   wiretrace.Article
	Story     string // "" when the article is not labelled
	CopyGroup string // "" when the article is in no copy group
	// HasCopyGroup reports whether the record has a copy_group field at
	// all (a data set either labels copy groups or does not).
	HasCopyGroup bool
	// DerivedFrom are the edges from the record's derived_from list; each
	// has Copy = Article.ID and Coverage −1 when the record gives none.
	DerivedFrom []Edge
}

type labelledRecord struct {
	ID          flexString      `json:"id"`
	Text        flexString      `json:"text"`
	Title       flexString      `json:"title"`
	URL         flexString      `json:"url"`
	Source      flexString      `json:"source"`
	Published   flexString      `json:"published"`
	Lang        flexString      `json:"lang"`
	Story       flexString      `json:"story"`
	CopyGroup   *flexString     `json:"copy_group"`
	DerivedFrom []derivedRecord `json:"derived_from"`
}

type derivedRecord struct {
	ID       flexString `json:"id"`
	Coverage flexFloat  `json:"coverage"`
	Kind     flexString `json:"kind"`
}

// ScanLabelled reads the project's labelled JSONL from r, one article per
// line, and calls fn for each accepted record in input order. A line holds
// a JSON object with "id" and "text" (required), "title", "url", "source",
// "published" (2010-07-02, RFC 3339, Reuters' 26-FEB-1987 15:01:01.79 and
// the other forms dates.ParseDate takes), "lang", "story" (the story
// truth), "copy_group" and "derived_from": [{"id", "coverage", "kind"}]
// (kind one of duplicate, copy, rewrite, partial, or absent; coverage in
// [0, 1] or absent). Ids may be strings or numbers. Blank lines are
// ignored; malformed lines, lines without id or text and repeated ids are
// skipped and reported; a bad derived_from entry is skipped alone. origin
// names the input in Article.Origin ("origin:line") and in problems.
// Memory is one line at a time plus the set of ids seen. An error from fn
// stops the scan and is returned.
func ScanLabelled(r io.Reader, origin string, opts ReadOptions, fn func(Labelled) error) (Stats, error) {
	t := newTally(opts)
	maxLine := opts.MaxLineBytes
	if maxLine <= 0 {
		maxLine = defaultMaxLineBytes
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for lineNo := 1; ; lineNo++ {
		var tooLong bool
		var err error
		line, tooLong, err = readLine(br, line[:0], maxLine)
		if err != nil && err != io.EOF {
			return t.Stats, fmt.Errorf("read %s:%d: %w", origin, lineNo, err)
		}
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		where := origin + ":" + strconv.Itoa(lineNo)
		if tooLong {
			t.Records++
			t.skip(where, fmt.Errorf("%w: line longer than %d bytes", ErrMalformed, maxLine))
		} else if len(bytes.TrimSpace(line)) > 0 {
			t.Records++
			if rec, ok := t.labelled(line, where); ok {
				if ferr := fn(rec); ferr != nil {
					return t.Stats, ferr
				}
			}
		}
		if err == io.EOF {
			return t.Stats, nil
		}
	}
}

// readLine appends the next line of br to buf, without its line ending. A
// line longer than max is consumed but not kept (tooLong). err is io.EOF
// after the last line.
func readLine(br *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+2 { // room for "\r\n"
				tooLong = true
				buf = buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			return bytes.TrimRight(buf, "\r\n"), tooLong, nil
		default:
			if err == io.EOF && len(buf) == 0 && !tooLong {
				return buf, false, io.EOF
			}
			return bytes.TrimRight(buf, "\r\n"), tooLong, err
		}
	}
}

// labelled decodes one JSONL line, reporting why it is skipped.
func (t *tally) labelled(line []byte, where string) (Labelled, bool) {
	var rec labelledRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		t.skip(where, fmt.Errorf("%w: %v", ErrMalformed, err))
		return Labelled{}, false
	}
	a := wiretrace.Article{
		ID:     strings.TrimSpace(string(rec.ID)),
		Title:  string(rec.Title),
		URL:    string(rec.URL),
		Source: string(rec.Source),
		Lang:   t.lang(string(rec.Lang)),
		Text:   string(rec.Text),
		Origin: where,
	}
	if err := t.accept(&a, false); err != nil {
		t.skip(where, err)
		return Labelled{}, false
	}
	a.Published = t.published(string(rec.Published))
	l := Labelled{Article: a, Story: strings.TrimSpace(string(rec.Story))}
	if rec.CopyGroup != nil {
		l.HasCopyGroup = true
		l.CopyGroup = strings.TrimSpace(string(*rec.CopyGroup))
	}
	for i, d := range rec.DerivedFrom {
		e := Edge{Copy: a.ID, Source: strings.TrimSpace(string(d.ID)), Kind: wiretrace.Label(strings.TrimSpace(string(d.Kind))), Coverage: -1}
		if d.Coverage.set {
			e.Coverage = d.Coverage.v
		}
		if err := checkEdge(e, d.Coverage.set); err != nil {
			t.skip(fmt.Sprintf("%s derived_from[%d]", where, i), err)
			continue
		}
		l.DerivedFrom = append(l.DerivedFrom, e)
	}
	return l, true
}

func checkEdge(e Edge, hasCoverage bool) error {
	switch {
	case e.Source == "":
		return fmt.Errorf("%w: no source id", ErrBadEdge)
	case e.Source == e.Copy:
		return fmt.Errorf("%w: derived from itself", ErrBadEdge)
	case e.Kind != "" && e.Kind.Rank() > 3:
		return fmt.Errorf("%w: unknown kind %q", ErrBadEdge, e.Kind)
	case hasCoverage && !(e.Coverage >= 0 && e.Coverage <= 1): // also NaN
		return fmt.Errorf("%w: coverage %v outside [0, 1]", ErrBadEdge, e.Coverage)
	}
	return nil
}

// ReadLabelled reads a whole labelled JSONL (see ScanLabelled) into a
// Dataset: Stories holds the articles with a story label, CopyGroups is
// set when any record has a copy_group field (the others are singletons),
// Derivations holds every derived_from edge.
func ReadLabelled(r io.Reader, origin string, opts ReadOptions) (*Dataset, error) {
	d := &Dataset{Name: FormatLabelled, Stories: map[string]string{}, CopyGroups: map[string]string{}}
	hasGroups := false
	st, err := ScanLabelled(r, origin, opts, func(l Labelled) error {
		d.Articles = append(d.Articles, l.Article)
		if l.Story != "" {
			d.Stories[l.Article.ID] = l.Story
		} else {
			d.Unlabelled++
		}
		hasGroups = hasGroups || l.HasCopyGroup
		d.CopyGroups[l.Article.ID] = l.CopyGroup
		d.Derivations = append(d.Derivations, l.DerivedFrom...)
		return nil
	})
	d.Stats = st
	if err != nil {
		return d, err
	}
	if len(d.Stories) == 0 {
		d.Stories, d.Unlabelled = nil, 0
	}
	if !hasGroups {
		d.CopyGroups = nil
	}
	known := make(map[string]bool, len(d.Articles))
	for _, a := range d.Articles {
		known[a.ID] = true
	}
	for _, e := range d.Derivations {
		if !known[e.Source] {
			d.UnknownIDs++
		}
	}
	return d, nil
}

// newsCopyRecord is one article of NEWS-COPY's test_inf_data.json.
type newsCopyRecord struct {
	Article   flexString `json:"article"`
	Headline  flexString `json:"headline"`
	Date      flexString `json:"date"`
	Newspaper flexString `json:"newspaper_name"`
	Byline    flexString `json:"byline"`
	URL       flexString `json:"url"`
}

// ScanNewsCopy reads NEWS-COPY's article file (test_inf_data.json: one JSON
// object mapping article id → article) and calls fn for each accepted
// article in input order. Fields map as article → Text, headline → Title
// (and Text when article is empty), date → Published, newspaper_name →
// Source, byline → Byline, url → URL; every field may be missing, other
// fields are ignored, and Lang is left unknown. Members that are not
// objects, lack both article and headline, or repeat an id are skipped and
// reported. It streams: memory is one article plus the ids seen. Broken
// JSON syntax stops the read with an error wrapping ErrMalformed that
// gives the byte offset; the articles before it have been delivered.
func ScanNewsCopy(r io.Reader, origin string, opts ReadOptions, fn func(wiretrace.Article) error) (Stats, error) {
	t := newTally(opts)
	err := scanJSON(r, origin, '{', t, func(key string, raw json.RawMessage, where string) error {
		var rec newsCopyRecord
		if !t.unmarshalMember(raw, &rec, where) {
			return nil
		}
		a := wiretrace.Article{
			ID:     strings.TrimSpace(key),
			Title:  string(rec.Headline),
			URL:    string(rec.URL),
			Source: string(rec.Newspaper),
			Byline: string(rec.Byline),
			Text:   string(rec.Article),
			Origin: origin + "#" + key,
		}
		if err := t.accept(&a, true); err != nil {
			t.skip(where, err)
			return nil
		}
		a.Published = t.published(string(rec.Date))
		return fn(a)
	})
	return t.Stats, err
}

// scanJSON walks a top-level JSON object (open '{') or array (open '['),
// counting each member as a record and calling each with the member's raw
// value; for objects key is the member name, for arrays "". where names the
// record for problems by its ordinal and the byte offset (from 0) where its
// value starts. Broken syntax stops the walk with ErrMalformed and the
// offset of the error; an error from each is returned as it is.
func scanJSON(r io.Reader, origin string, open json.Delim, t *tally, each func(key string, raw json.RawMessage, where string) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	broken := func(err error) error {
		offset := dec.InputOffset()
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			offset = se.Offset
		} else if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("read %s: %w", origin, err) // the reader's own error
		}
		return fmt.Errorf("read %s: %w at byte %d: %v", origin, ErrMalformed, offset, err)
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return fmt.Errorf("read %s: %w: empty input", origin, ErrFormat)
		}
		return fmt.Errorf("read %s: %w: %v", origin, ErrFormat, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != open {
		want := "object"
		if open == '[' {
			want = "array"
		}
		return fmt.Errorf("read %s: %w: want a JSON %s, got %v", origin, ErrFormat, want, tok)
	}
	for dec.More() {
		t.Records++
		key := ""
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return broken(err)
			}
			key, _ = tok.(string) // object keys are always strings
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return broken(err)
		}
		start := dec.InputOffset() - int64(len(raw))
		where := fmt.Sprintf("%s: record %d (byte %d)", origin, t.Records, start)
		if err := each(key, raw, where); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return broken(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.skip(fmt.Sprintf("%s: byte %d", origin, dec.InputOffset()), fmt.Errorf("%w: data after the top-level value", ErrMalformed))
	}
	return nil
}

// ReadNewsCopyPairs reads NEWS-COPY's ground truth (full_test_gt.json: a
// JSON array of [id1, id2] duplicate pairs; ids may be strings or
// numbers). Elements that are not two distinct non-empty ids are skipped
// and reported. It streams the array; the pairs themselves are kept.
func ReadNewsCopyPairs(r io.Reader, origin string, opts ReadOptions) ([][2]string, Stats, error) {
	t := newTally(opts)
	var pairs [][2]string
	err := scanJSON(r, origin, '[', t, func(_ string, raw json.RawMessage, where string) error {
		var ids []flexString
		if !t.unmarshalMember(raw, &ids, where) {
			return nil
		}
		if len(ids) != 2 {
			t.skip(where, fmt.Errorf("%w: want 2 ids, got %d", ErrMalformed, len(ids)))
			return nil
		}
		a, b := strings.TrimSpace(string(ids[0])), strings.TrimSpace(string(ids[1]))
		if a == "" || b == "" || a == b {
			t.skip(where, fmt.Errorf("%w: pair %q, %q", ErrBadEdge, a, b))
			return nil
		}
		pairs = append(pairs, [2]string{a, b})
		return nil
	})
	return pairs, t.Stats, err
}

// ReadNewsCopy reads NEWS-COPY's articles and ground-truth pairs (see
// ScanNewsCopy, ReadNewsCopyPairs). The truth clusters are the connected
// components of the pairs (union-find, near-linear): CopyGroups maps every
// article to its component, labelled by the component's smallest id, or
// "" when no pair names it. Derivations holds the pairs as edges without
// kind or coverage. Stats merge both files.
func ReadNewsCopy(articles io.Reader, articlesOrigin string, pairs io.Reader, pairsOrigin string, opts ReadOptions) (*Dataset, error) {
	d := &Dataset{Name: FormatNewsCopy}
	st, err := ScanNewsCopy(articles, articlesOrigin, opts, func(a wiretrace.Article) error {
		d.Articles = append(d.Articles, a)
		return nil
	})
	d.Stats = st
	if err != nil {
		return d, err
	}
	ps, pst, err := ReadNewsCopyPairs(pairs, pairsOrigin, opts)
	d.Stats.Records += pst.Records
	d.Stats.Skipped += pst.Skipped
	d.Stats.Problems = append(d.Stats.Problems, pst.Problems...)
	if limit := cmp.Or(max(opts.MaxProblems, 0), defaultMaxProblems); len(d.Stats.Problems) > limit {
		d.Stats.Problems = d.Stats.Problems[:limit]
	}
	if err != nil {
		return d, err
	}
	uf := newUnionFind()
	for _, p := range ps {
		uf.union(p[0], p[1])
		d.Derivations = append(d.Derivations, Edge{Copy: p[0], Source: p[1], Coverage: -1})
	}
	known := make(map[string]bool, len(d.Articles))
	d.CopyGroups = make(map[string]string, len(d.Articles))
	for _, a := range d.Articles {
		known[a.ID] = true
		d.CopyGroups[a.ID] = uf.label(a.ID)
	}
	for id := range uf.index {
		if !known[id] {
			d.UnknownIDs++
		}
	}
	return d, nil
}

// unionFind groups string ids; label names a group by its smallest id.
type unionFind struct {
	index  map[string]int
	parent []int
	least  []string // per root: the smallest id in the group
}

func newUnionFind() *unionFind { return &unionFind{index: map[string]int{}} }

func (u *unionFind) id(s string) int {
	if i, ok := u.index[s]; ok {
		return i
	}
	i := len(u.parent)
	u.index[s] = i
	u.parent = append(u.parent, i)
	u.least = append(u.least, s)
	return i
}

func (u *unionFind) find(i int) int {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]] // path halving
		i = u.parent[i]
	}
	return i
}

func (u *unionFind) union(a, b string) {
	ra, rb := u.find(u.id(a)), u.find(u.id(b))
	if ra == rb {
		return
	}
	if rb < ra { // keep the older root: deterministic, and shallow enough with halving
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.least[ra] = min(u.least[ra], u.least[rb])
}

// label is the group label of s, "" when s is in no pair.
func (u *unionFind) label(s string) string {
	i, ok := u.index[s]
	if !ok {
		return ""
	}
	return u.least[u.find(i)]
}

// priberamRecord is one article of Priberam's dataset.test.json.
type priberamRecord struct {
	ID      flexString `json:"id"`
	Lang    flexString `json:"lang"`
	Date    flexString `json:"date"`
	Cluster flexString `json:"cluster"`
	Title   flexString `json:"title"`
	Text    flexString `json:"text"`
	Source  flexString `json:"source"`
	URL     flexString `json:"url"`
}

// ScanPriberam reads the Priberam news clustering set (dataset.test.json:
// a JSON array of {"id", "lang", "date", "cluster", "title", "text", …})
// and calls fn with each accepted article and its cluster ("" when the
// record has none) in input order. A record without text uses its title
// as text; records with neither, without id, with a repeated id or with
// fields of the wrong type are skipped and reported, never failing the
// file. lang ("eng", "deu", "spa") becomes a BCP 47 tag ("en", "de",
// "es"); date is "2006-01-02 15:04:05" in UTC. Other fields (features) are
// ignored. It streams: memory is one record plus the ids seen.
func ScanPriberam(r io.Reader, origin string, opts ReadOptions, fn func(a wiretrace.Article, cluster string) error) (Stats, error) {
	t := newTally(opts)
	err := scanJSON(r, origin, '[', t, func(_ string, raw json.RawMessage, where string) error {
		var rec priberamRecord
		if !t.unmarshalMember(raw, &rec, where) {
			return nil
		}
		a := wiretrace.Article{
			ID:     strings.TrimSpace(string(rec.ID)),
			Title:  string(rec.Title),
			URL:    string(rec.URL),
			Source: string(rec.Source),
			Lang:   t.lang(string(rec.Lang)),
			Text:   string(rec.Text),
		}
		a.Origin = origin + "#" + a.ID
		if err := t.accept(&a, true); err != nil {
			t.skip(where, err)
			return nil
		}
		a.Published = t.published(string(rec.Date))
		return fn(a, strings.TrimSpace(string(rec.Cluster)))
	})
	return t.Stats, err
}

// ReadPriberam reads a whole Priberam file (see ScanPriberam); Stories
// holds the articles that have a cluster.
func ReadPriberam(r io.Reader, origin string, opts ReadOptions) (*Dataset, error) {
	d := &Dataset{Name: FormatPriberam, Stories: map[string]string{}}
	st, err := ScanPriberam(r, origin, opts, func(a wiretrace.Article, cluster string) error {
		d.Articles = append(d.Articles, a)
		if cluster == "" {
			d.Unlabelled++
		} else {
			d.Stories[a.ID] = cluster
		}
		return nil
	})
	d.Stats = st
	return d, err
}

// GoldPair is one SemEval-2022 task 8 pair: two articles and the
// annotators' Overall score, 1 (same story) to 4 (unrelated).
type GoldPair struct {
	PairID  string  `json:"pair_id"`
	ID1     string  `json:"id1"`
	ID2     string  `json:"id2"`
	Overall float64 `json:"overall"`
}

// semEvalColumns are the header names ScanSemEval understands, lower case,
// with the aliases found in the task's files.
var semEvalColumns = map[string][]string{
	"pair_id": {"pair_id"},
	"overall": {"overall"},
	"text1":   {"text1"},
	"text2":   {"text2"},
	"title1":  {"title1"},
	"title2":  {"title2"},
	"url1":    {"url1", "link1"},
	"url2":    {"url2", "link2"},
	"lang1":   {"lang1", "url1_lang"},
	"lang2":   {"lang2", "url2_lang"},
}

// ScanSemEval reads a SemEval-2022 task 8 pair CSV that carries the
// article texts, and calls fn for each accepted pair with its two
// articles, in input order. The header must name pair_id, Overall, and a
// text1 or title1 and a text2 or title2 column; title1/2, url1/2 (or
// link1/2) and lang1/2 (or url1_lang/url2_lang) are used when present; any
// column order, names matched without regard to case, other columns
// ignored. Quoted fields may span lines. The articles' ids are the two
// halves of a pair_id of the form "1484084337_1484110209", as in the task
// data, and otherwise pair_id + "#1" and "#2". Rows that do not parse, with
// an Overall that is not a number in [1, 4], without pair_id, or with a
// side that has neither text nor title, are skipped and reported. Stats
// count rows as records and distinct article ids as articles. A header
// without the required columns is ErrMissingColumn.
func ScanSemEval(r io.Reader, origin string, opts ReadOptions, fn func(p GoldPair, a1, a2 wiretrace.Article) error) (Stats, error) {
	t := newTally(opts)
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return t.Stats, fmt.Errorf("read %s: %w: empty input", origin, ErrFormat)
	}
	if err != nil {
		return t.Stats, fmt.Errorf("read %s header: %w: %v", origin, ErrFormat, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for name, aliases := range semEvalColumns {
			if _, dup := col[name]; !dup && slices.Contains(aliases, h) {
				col[name] = i
			}
		}
	}
	for _, need := range [][]string{{"pair_id"}, {"overall"}, {"text1", "title1"}, {"text2", "title2"}} {
		if !slices.ContainsFunc(need, func(n string) bool { _, ok := col[n]; return ok }) {
			return t.Stats, fmt.Errorf("read %s header: %w %s", origin, ErrMissingColumn, strings.Join(need, " or "))
		}
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t.Stats, nil
		}
		pe, parseErr := errors.AsType[*csv.ParseError](err)
		if err != nil && !parseErr {
			return t.Stats, fmt.Errorf("read %s: %w", origin, err)
		}
		t.Records++
		if err != nil {
			t.skip(fmt.Sprintf("%s:%d", origin, pe.StartLine), fmt.Errorf("%w: %v", ErrMalformed, pe.Err))
			continue
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s:%d", origin, line)
		if len(rec) < len(header) {
			t.skip(where, fmt.Errorf("%w: %d fields, header has %d", ErrMalformed, len(rec), len(header)))
			continue
		}
		p := GoldPair{PairID: strings.TrimSpace(field(rec, "pair_id"))}
		if p.PairID == "" {
			t.skip(where, ErrNoID)
			continue
		}
		overall := strings.TrimSpace(field(rec, "overall"))
		p.Overall, err = strconv.ParseFloat(overall, 64)
		if err != nil || !(p.Overall >= 1 && p.Overall <= 4) {
			t.skip(where, fmt.Errorf("%w: Overall %q is not a number in [1, 4]", ErrMalformed, overall))
			continue
		}
		p.ID1, p.ID2 = p.PairID+"#1", p.PairID+"#2"
		if a, b, ok := strings.Cut(p.PairID, "_"); ok && a != "" && b != "" && !strings.Contains(b, "_") {
			p.ID1, p.ID2 = a, b
		}
		var arts [2]wiretrace.Article
		ok := true
		for i, id := range []string{p.ID1, p.ID2} {
			n := strconv.Itoa(i + 1)
			arts[i] = wiretrace.Article{
				ID:     id,
				Title:  field(rec, "title"+n),
				URL:    strings.TrimSpace(field(rec, "url"+n)),
				Lang:   t.lang(field(rec, "lang"+n)),
				Text:   field(rec, "text"+n),
				Origin: where,
			}
			if strings.TrimSpace(arts[i].Text) == "" {
				arts[i].Text = arts[i].Title
			}
			if strings.TrimSpace(arts[i].Text) == "" {
				t.skip(where, fmt.Errorf("%w: article %d (%s)", ErrNoText, i+1, id))
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, a := range arts {
			if !t.seen[a.ID] {
				t.seen[a.ID] = true
				t.Articles++
			}
		}
		if err := fn(p, arts[0], arts[1]); err != nil {
			return t.Stats, err
		}
	}
}

// ReadSemEval reads a whole SemEval pair CSV (see ScanSemEval): Pairs in
// input order, and each article once (the first row that names its id
// gives its text).
func ReadSemEval(r io.Reader, origin string, opts ReadOptions) (*Dataset, error) {
	d := &Dataset{Name: FormatSemEval}
	seen := map[string]bool{}
	st, err := ScanSemEval(r, origin, opts, func(p GoldPair, a1, a2 wiretrace.Article) error {
		d.Pairs = append(d.Pairs, p)
		for _, a := range []wiretrace.Article{a1, a2} {
			if !seen[a.ID] {
				seen[a.ID] = true
				d.Articles = append(d.Articles, a)
			}
		}
		return nil
	})
	d.Stats = st
	return d, err
}

// open opens path for reading, decompressing it when the name ends in
// ".gz".
func open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("gunzip %s: %w", path, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func load(path string, read func(io.Reader) (*Dataset, error)) (*Dataset, error) {
	f, err := open(path)
	if err != nil {
		return nil, fmt.Errorf("load data set: %w", err)
	}
	defer f.Close()
	return read(f)
}

// LoadLabelled reads the labelled JSONL file at path (gzipped when it ends
// in ".gz"); see ReadLabelled.
func LoadLabelled(path string, opts ReadOptions) (*Dataset, error) {
	return load(path, func(r io.Reader) (*Dataset, error) { return ReadLabelled(r, path, opts) })
}

// LoadPriberam reads the Priberam file at path; see ReadPriberam.
func LoadPriberam(path string, opts ReadOptions) (*Dataset, error) {
	return load(path, func(r io.Reader) (*Dataset, error) { return ReadPriberam(r, path, opts) })
}

// LoadSemEval reads the SemEval pair CSV at path; see ReadSemEval.
func LoadSemEval(path string, opts ReadOptions) (*Dataset, error) {
	return load(path, func(r io.Reader) (*Dataset, error) { return ReadSemEval(r, path, opts) })
}

// LoadNewsCopy reads NEWS-COPY's article file and ground-truth file; see
// ReadNewsCopy.
func LoadNewsCopy(articlesPath, pairsPath string, opts ReadOptions) (*Dataset, error) {
	pf, err := open(pairsPath)
	if err != nil {
		return nil, fmt.Errorf("load data set: %w", err)
	}
	defer pf.Close()
	return load(articlesPath, func(r io.Reader) (*Dataset, error) {
		return ReadNewsCopy(r, articlesPath, pf, pairsPath, opts)
	})
}
