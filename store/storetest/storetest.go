// Package storetest is the conformance suite every store.Store backend must
// pass, and a shared set of benchmarks. A backend's test calls
//
//	storetest.Run(t, open, storetest.WithReopen(reopen))
//
// where open returns a new, empty store and registers its own cleanup with
// t.Cleanup. The suite closes some stores itself, so closing a store twice
// must return nil. Run takes a fraction of a second on the in-memory store
// and a few seconds on Pebble or a local PostgreSQL, most of it fsyncs or
// commits (one per Put; about 500 Puts in all) and a 5 MB round trip.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Moscow and friends on machines without zoneinfo

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/store"
)

// Option configures Run.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, closed store.Store) store.Store
}

// WithReopen enables the persistence tests. The suite closes a store and
// passes it to reopen, which must return a new handle on the same data (same
// directory, same database); the suite closes that one too.
func WithReopen(reopen func(t *testing.T, closed store.Store) store.Store) Option {
	return func(c *config) { c.reopen = reopen }
}

// Run runs the conformance suite against the backend that open creates.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"TimeZones", testTimeZones},
		{"Large", testLarge},
		{"Replace", testReplace},
		{"DuplicateInOneCall", testDuplicateInOneCall},
		{"SeqMonotonic", testSeqMonotonic},
		{"Delete", testDelete},
		{"NotFound", testNotFound},
		{"Invalid", testInvalid},
		{"ScanOrder", testScanOrder},
		{"ScanEarlyStop", testScanEarlyStop},
		{"ScanReentrant", testScanReentrant},
		{"Len", testLen},
		{"Meta", testMeta},
		{"Isolation", testIsolation},
		{"Concurrent", testConcurrent},
		{"ConcurrentSeqOrder", testConcurrentSeqOrder},
		{"ContextCanceled", testContextCanceled},
		{"ScanCanceled", testScanCanceled},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
	t.Run("Reopen", func(t *testing.T) {
		if c.reopen == nil {
			t.Skip("backend does not persist (no WithReopen)")
		}
		testReopen(t, open, c.reopen)
	})
}

// Article returns a deterministic article with every field set, for tests.
func Article(id string, i int) wiretrace.Article {
	return wiretrace.Article{
		ID:        id,
		Title:     fmt.Sprintf("Title %d: Biden and Putin to hold video call", i),
		URL:       fmt.Sprintf("https://example.com/news/%d?utm=x&a=b", i),
		Source:    "Example News",
		Published: time.Date(2021, 12, 4, 10, 0, i%60, 123456789, time.FixedZone("", 3*3600)),
		Updated:   time.Date(2021, 12, 5, 8, 30, 0, 0, time.UTC),
		Lang:      "en",
		Byline:    "Vladimir Isachenkov",
		Dateline:  "MOSCOW",
		Credits:   []string{"AP", "Reuters"},
		Text:      fmt.Sprintf("MOSCOW (AP) — Paragraph one of article %d.\n\nParagraph two.", i),
		HTML:      fmt.Sprintf("<p>Paragraph one of article %d.</p>", i),
		Origin:    fmt.Sprintf("testdata/in.jsonl:%d", i+1),
	}
}

// Rec returns a record for Article(id, i) with a small State.
func Rec(id string, i int) *store.Record {
	return &store.Record{Article: Article(id, i), State: []byte(fmt.Sprintf("state-%d\x00\xff", i))}
}

// CheckRecord fails t unless got holds the same article and state as want.
// Times must be the same instant with the same UTC offset and zone
// abbreviation; nil and empty Credits or State are equal. Seq is not compared.
func CheckRecord(t testing.TB, got, want *store.Record) {
	t.Helper()
	if got == nil {
		t.Fatalf("got nil record, want %q", want.Article.ID)
	}
	if diff := DiffRecord(got, want); diff != "" {
		t.Errorf("record %q: %s", want.Article.ID, diff)
	}
}

// DiffRecord describes the first differences between got and want as
// CheckRecord judges them, or returns "" when they match.
func DiffRecord(got, want *store.Record) string {
	var d []string
	str := func(name, g, w string) {
		if g != w {
			d = append(d, fmt.Sprintf("%s: got %q, want %q", name, short(g), short(w)))
		}
	}
	g, w := got.Article, want.Article
	str("ID", g.ID, w.ID)
	str("Title", g.Title, w.Title)
	str("URL", g.URL, w.URL)
	str("Source", g.Source, w.Source)
	str("Lang", g.Lang, w.Lang)
	str("Byline", g.Byline, w.Byline)
	str("Dateline", g.Dateline, w.Dateline)
	str("Text", g.Text, w.Text)
	str("HTML", g.HTML, w.HTML)
	str("Origin", g.Origin, w.Origin)
	if msg := diffTime(g.Published, w.Published); msg != "" {
		d = append(d, "Published: "+msg)
	}
	if msg := diffTime(g.Updated, w.Updated); msg != "" {
		d = append(d, "Updated: "+msg)
	}
	if !slices.Equal(g.Credits, w.Credits) {
		d = append(d, fmt.Sprintf("Credits: got %q, want %q", g.Credits, w.Credits))
	}
	if !bytes.Equal(got.State, want.State) {
		d = append(d, fmt.Sprintf("State: got %d bytes %q, want %d bytes %q",
			len(got.State), short(string(got.State)), len(want.State), short(string(want.State))))
	}
	return strings.Join(d, "; ")
}

func diffTime(got, want time.Time) string {
	if got.IsZero() != want.IsZero() || !got.Equal(want) {
		return fmt.Sprintf("got %v, want %v", got, want)
	}
	gn, go_ := got.Zone()
	wn, wo := want.Zone()
	if gn != wn || go_ != wo {
		return fmt.Sprintf("zone got %q%+d, want %q%+d", gn, go_, wn, wo)
	}
	return ""
}

func short(s string) string {
	if len(s) <= 80 {
		return s
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:60], len(s))
}

func mustPut(t testing.TB, s store.Store, recs ...*store.Record) {
	t.Helper()
	if err := s.Put(context.Background(), recs...); err != nil {
		t.Fatalf("Put: %v", err)
	}
}

func mustGet(t testing.TB, s store.Store, id string) *store.Record {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	if r.Article.ID != id {
		t.Fatalf("Get(%q): got ID %q", id, r.Article.ID)
	}
	return r
}

func mustLen(t testing.TB, s store.Store, want int) {
	t.Helper()
	n, err := s.Len(context.Background())
	if err != nil {
		t.Fatalf("Len: %v", err)
	}
	if n != want {
		t.Errorf("Len: got %d, want %d", n, want)
	}
}

func wantNotFound(t testing.TB, s store.Store, id string) {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(%q): got %v, %v, want ErrNotFound", id, r, err)
	}
}

// scanAll returns every record Scan yields, in order.
func scanAll(t testing.TB, s store.Store) []*store.Record {
	t.Helper()
	var all []*store.Record
	if err := s.Scan(context.Background(), func(r *store.Record) error {
		all = append(all, r)
		return nil
	}); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("Scan: record %d %q Seq %d after %q Seq %d, want increasing",
				i, all[i].Article.ID, all[i].Seq, all[i-1].Article.ID, all[i-1].Seq)
		}
	}
	return all
}

func ids(recs []*store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Article.ID
	}
	return out
}

func testRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	full := Rec("full", 7)
	unicode := &store.Record{
		Article: wiretrace.Article{
			ID:       "статья/42 🗞 ünï\u0301cödé",
			Title:    "拜登与普京将举行视频通话",
			Source:   "Би-би-си",
			Lang:     "ar",
			Byline:   "مراسل الشؤون الخارجية",
			Dateline: "MOSCÚ",
			Credits:  []string{"АП", "Рейтер", ""},
			Text:     "Президент 🇺🇸 и 🇷🇺.\n\nالنص العربي مع أرقام ١٢٣.\n\ne\u0301 ≠ é; tab\there; NUL\x00inside",
			Origin:   "файл.jsonl:1",
		},
		State: []byte{0, 1, 2, 0xff, 0},
	}
	minimal := &store.Record{Article: wiretrace.Article{ID: "m"}}
	emptyState := &store.Record{Article: Article("empty-state", 1), State: []byte{}}
	noCredits := &store.Record{Article: Article("no-credits", 2), State: []byte("x")}
	noCredits.Article.Credits = []string{}
	maxID := &store.Record{Article: Article(strings.Repeat("é", store.MaxIDLen/2), 3)}
	tests := []struct {
		name string
		rec  *store.Record
	}{
		{"all fields", full},
		{"unicode", unicode},
		{"only id", minimal},
		{"empty state", emptyState},
		{"empty credits", noCredits},
		{"longest id", maxID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.rec.Clone()
			mustPut(t, s, tc.rec)
			if tc.rec.Seq == 0 {
				t.Errorf("Put left Seq 0")
			}
			got := mustGet(t, s, tc.rec.Article.ID)
			CheckRecord(t, got, want)
			if got.Seq != tc.rec.Seq {
				t.Errorf("Seq: got %d, want %d (assigned by Put)", got.Seq, tc.rec.Seq)
			}
		})
	}
	// And through Scan.
	all := scanAll(t, s)
	if len(all) != len(tests) {
		t.Fatalf("Scan: got %d records, want %d", len(all), len(tests))
	}
	for i, tc := range tests {
		CheckRecord(t, all[i], tc.rec)
	}
}

func testTimeZones(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	rfc, err := time.Parse(time.RFC3339Nano, "2021-12-04T10:00:00.5-05:00")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		t    time.Time
	}{
		{"zero", time.Time{}},
		{"utc", time.Date(2021, 12, 4, 10, 0, 0, 0, time.UTC)},
		{"named fixed", time.Date(2021, 12, 4, 15, 30, 0, 0, time.FixedZone("IST", 5*3600+1800))},
		{"unnamed fixed negative", time.Date(2021, 12, 4, 2, 0, 0, 1, time.FixedZone("", -8*3600))},
		{"parsed rfc3339", rfc},
		{"location", time.Date(2021, 12, 4, 13, 0, 0, 0, moscow)},
		{"location dst era", time.Date(2010, 7, 1, 13, 0, 0, 0, moscow)},
		{"before 1970", time.Date(1912, 4, 15, 2, 20, 0, 999999999, time.UTC)},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("", 14*3600))},
		{"local", time.Date(2021, 12, 4, 10, 0, 0, 0, time.Local)},
		{"monotonic stripped", time.Now()},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &store.Record{Article: wiretrace.Article{ID: fmt.Sprintf("tz-%d", i), Published: tc.t, Updated: tc.t.Add(time.Hour)}}
			if tc.t.IsZero() {
				r.Article.Updated = time.Time{}
			}
			want := r.Clone()
			mustPut(t, s, r)
			got := mustGet(t, s, r.Article.ID)
			CheckRecord(t, got, want)
		})
	}
}

func testLarge(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var sb strings.Builder
	words := []string{"Kremlin", "troops", "border", "Ukraine", "Biden", "Putin", "call", "Tuesday", "said", "the", "a", "of"}
	for sb.Len() < 5<<20 {
		sb.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(12) == 0 {
			sb.WriteString(".\n\n")
		} else {
			sb.WriteByte(' ')
		}
	}
	state := make([]byte, 256<<10)
	for i := range state {
		state[i] = byte(rng.Uint32())
	}
	r := &store.Record{Article: Article("large", 1), State: state}
	r.Article.Text = sb.String()
	r.Article.HTML = "<html>" + strings.Repeat("<p>x</p>", 100_000) + "</html>"
	small := Rec("small", 2)
	want := r.Clone()
	mustPut(t, s, r, small)
	CheckRecord(t, mustGet(t, s, "large"), want)
	CheckRecord(t, mustGet(t, s, "small"), Rec("small", 2))
	all := scanAll(t, s)
	if got := ids(all); !slices.Equal(got, []string{"large", "small"}) {
		t.Fatalf("Scan: got %q, want [large small]", got)
	}
	CheckRecord(t, all[0], want)
}

func testReplace(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	a1, b := Rec("a", 1), Rec("b", 2)
	mustPut(t, s, a1)
	mustPut(t, s, b)
	a2 := Rec("a", 3)
	a2.State = nil
	mustPut(t, s, a2)
	if a2.Seq <= b.Seq || a2.Seq <= a1.Seq {
		t.Errorf("replacement Seq %d, want above %d and %d", a2.Seq, a1.Seq, b.Seq)
	}
	got := mustGet(t, s, "a")
	want := Rec("a", 3)
	want.State = nil
	CheckRecord(t, got, want)
	if got.Seq != a2.Seq {
		t.Errorf("Seq: got %d, want %d", got.Seq, a2.Seq)
	}
	mustLen(t, s, 2)
	if got := ids(scanAll(t, s)); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("Scan: got %q, want [b a]", got)
	}
}

func testDuplicateInOneCall(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	mustPut(t, s, Rec("a", 0))
	a1, b, a2 := Rec("a", 1), Rec("b", 2), Rec("a", 3)
	mustPut(t, s, a1, b, a2)
	if !(a1.Seq < b.Seq && b.Seq < a2.Seq) {
		t.Errorf("Seqs: got a1=%d b=%d a2=%d, want increasing in argument order", a1.Seq, b.Seq, a2.Seq)
	}
	CheckRecord(t, mustGet(t, s, "a"), Rec("a", 3))
	mustLen(t, s, 2)
	all := scanAll(t, s)
	if got := ids(all); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("Scan: got %q, want [b a]", got)
	}
	if all[1].Seq != a2.Seq {
		t.Errorf("Seq of a: got %d, want %d (last in the call)", all[1].Seq, a2.Seq)
	}
}

func testSeqMonotonic(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var last uint64
	seen := map[uint64]bool{}
	check := func(recs ...*store.Record) {
		t.Helper()
		for _, r := range recs {
			if r.Seq <= last {
				t.Fatalf("%q: Seq %d, want above %d", r.Article.ID, r.Seq, last)
			}
			if seen[r.Seq] {
				t.Fatalf("%q: Seq %d reused", r.Article.ID, r.Seq)
			}
			seen[r.Seq] = true
			last = r.Seq
		}
	}
	for i := range 5 {
		r := Rec(fmt.Sprintf("s%d", i), i)
		mustPut(t, s, r)
		check(r)
	}
	batch := []*store.Record{Rec("b1", 1), Rec("b2", 2), Rec("s1", 3)}
	mustPut(t, s, batch...)
	check(batch...)
	// Deleting the newest record must not let its Seq be handed out again.
	if err := s.Delete(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	r := Rec("after-delete", 9)
	mustPut(t, s, r)
	check(r)
	// An empty Put is a no-op.
	if err := s.Put(context.Background()); err != nil {
		t.Errorf("Put(): got %v, want nil", err)
	}
	r = Rec("after-empty", 10)
	mustPut(t, s, r)
	check(r)
}

func testDelete(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	mustPut(t, s, Rec("a", 1), Rec("b", 2), Rec("c", 3))
	if err := s.Delete(ctx, "b"); err != nil {
		t.Fatalf("Delete(b): %v", err)
	}
	wantNotFound(t, s, "b")
	mustLen(t, s, 2)
	if got := ids(scanAll(t, s)); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("Scan: got %q, want [a c]", got)
	}
	if err := s.Delete(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Delete(b): got %v, want ErrNotFound", err)
	}
	// Put after delete brings it back, at the end.
	b := Rec("b", 4)
	mustPut(t, s, b)
	CheckRecord(t, mustGet(t, s, "b"), Rec("b", 4))
	if got := ids(scanAll(t, s)); !slices.Equal(got, []string{"a", "c", "b"}) {
		t.Errorf("Scan: got %q, want [a c b]", got)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := s.Delete(ctx, id); err != nil {
			t.Fatalf("Delete(%s): %v", id, err)
		}
	}
	mustLen(t, s, 0)
	if got := scanAll(t, s); len(got) != 0 {
		t.Errorf("Scan after deleting all: got %q", ids(got))
	}
}

func testNotFound(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	mustPut(t, s, Rec("present", 1))
	if err := s.SetMeta(ctx, "present-key", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"absent", "presen", "present ", "PRESENT", "present-key"} {
		if r, err := s.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q): got %v, %v, want ErrNotFound", id, r, err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Delete(%q): got %v, want ErrNotFound", id, err)
		}
	}
	for _, key := range []string{"absent", "present", "present-ke", "Present-key"} {
		if v, err := s.GetMeta(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMeta(%q): got %q, %v, want ErrNotFound", key, v, err)
		}
	}
	// IDs that no record can have are simply absent.
	for _, id := range []string{"", "\x00", "a\x00b", "\xff\xfe", strings.Repeat("x", store.MaxIDLen+1)} {
		if _, err := s.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q): got %v, want ErrNotFound", short(id), err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Delete(%q): got %v, want ErrNotFound", short(id), err)
		}
		if _, err := s.GetMeta(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMeta(%q): got %v, want ErrNotFound", short(id), err)
		}
	}
	mustLen(t, s, 1)
}

func testInvalid(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	huge := Rec("huge", 1)
	huge.Article.Text = strings.Repeat("x", store.MaxRecordSize)
	tests := []struct {
		name string
		bad  *store.Record
	}{
		{"nil", nil},
		{"empty id", Rec("", 1)},
		{"nul in id", Rec("a\x00b", 1)},
		{"invalid utf8 id", Rec("a\xffb", 1)},
		{"long id", Rec(strings.Repeat("é", store.MaxIDLen/2)+"x", 1)},
		{"over MaxRecordSize", huge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			good := Rec("good-"+tc.name, 1)
			err := s.Put(ctx, good, tc.bad)
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Put: got %v, want ErrInvalid", err)
			}
			if good.Seq != 0 {
				t.Errorf("failed Put assigned Seq %d, want 0", good.Seq)
			}
			wantNotFound(t, s, good.Article.ID)
		})
	}
	mustLen(t, s, 0)
	for _, key := range []string{"", "a\x00", "\xff", strings.Repeat("k", store.MaxMetaKeyLen+1)} {
		if err := s.SetMeta(ctx, key, []byte("v")); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SetMeta(%q): got %v, want ErrInvalid", short(key), err)
		}
	}
	if err := s.SetMeta(ctx, strings.Repeat("k", store.MaxMetaKeyLen), []byte("v")); err != nil {
		t.Errorf("SetMeta(longest key): %v", err)
	}
}

func testScanOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	if got := scanAll(t, s); len(got) != 0 {
		t.Fatalf("Scan of empty store: got %q", ids(got))
	}
	// IDs in an order unrelated to insertion, so an ID-ordered Scan fails.
	var want []string
	for i := range 40 {
		id := fmt.Sprintf("%02d-%c", (i*17)%40, 'z'-i%26)
		want = append(want, id)
	}
	for i := 0; i < len(want); i += 7 {
		var batch []*store.Record
		for j := i; j < min(i+7, len(want)); j++ {
			batch = append(batch, Rec(want[j], j))
		}
		mustPut(t, s, batch...)
	}
	// Move two to the end by replacing them, drop one.
	mustPut(t, s, Rec(want[3], 3))
	mustPut(t, s, Rec(want[0], 0))
	if err := s.Delete(ctx, want[10]); err != nil {
		t.Fatal(err)
	}
	order := slices.Concat(want[1:3], want[4:10], want[11:], []string{want[3], want[0]})
	all := scanAll(t, s)
	if got := ids(all); !slices.Equal(got, order) {
		t.Fatalf("Scan order:\ngot  %q\nwant %q", got, order)
	}
	for _, r := range all {
		if g := mustGet(t, s, r.Article.ID); g.Seq != r.Seq {
			t.Errorf("%q: Scan Seq %d, Get Seq %d", r.Article.ID, r.Seq, g.Seq)
		}
	}
}

func testScanEarlyStop(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var recs []*store.Record
	for i := range 20 {
		recs = append(recs, Rec(fmt.Sprintf("r%02d", i), i))
	}
	mustPut(t, s, recs...)
	errStop := errors.New("stop here")
	calls := 0
	err := s.Scan(context.Background(), func(r *store.Record) error {
		calls++
		if calls == 5 {
			return fmt.Errorf("at %s: %w", r.Article.ID, errStop)
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Errorf("Scan: got %v, want the callback's error", err)
	}
	if calls != 5 {
		t.Errorf("callback calls: got %d, want 5", calls)
	}
	// The store still works after an aborted scan.
	if got := len(scanAll(t, s)); got != 20 {
		t.Errorf("full Scan after stop: got %d records, want 20", got)
	}
}

// testScanReentrant calls the store from inside Scan's callback, which the
// Store contract allows (all but Close); a backend holding a lock across fn
// deadlocks here.
func testScanReentrant(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	mustPut(t, s, Rec("a", 1), Rec("b", 2), Rec("c", 3))
	done := make(chan error, 1)
	go func() {
		i := 0
		done <- s.Scan(ctx, func(r *store.Record) error {
			i++
			// c is deleted while the scan runs; a snapshot scan still yields it.
			if _, err := s.Get(ctx, r.Article.ID); err != nil && !(r.Article.ID == "c" && errors.Is(err, store.ErrNotFound)) {
				return fmt.Errorf("Get inside Scan: %w", err)
			}
			if err := s.Put(ctx, Rec(fmt.Sprintf("new-%d", i), i)); err != nil {
				return fmt.Errorf("Put inside Scan: %w", err)
			}
			if err := s.SetMeta(ctx, "k", []byte(r.Article.ID)); err != nil {
				return fmt.Errorf("SetMeta inside Scan: %w", err)
			}
			if _, err := s.Len(ctx); err != nil {
				return fmt.Errorf("Len inside Scan: %w", err)
			}
			if r.Article.ID == "b" {
				if err := s.Delete(ctx, "c"); err != nil {
					return fmt.Errorf("Delete inside Scan: %w", err)
				}
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Scan with a callback that calls the store did not return in 20 s (deadlock?)")
	}
	// a, b and the records put during the scan remain; c was deleted.
	all := ids(scanAll(t, s))
	if !slices.Contains(all, "a") || !slices.Contains(all, "b") || slices.Contains(all, "c") || !slices.Contains(all, "new-1") {
		t.Errorf("after Scan: got %q, want a, b, new-1… and no c", all)
	}
}

func testLen(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	mustLen(t, s, 0)
	mustPut(t, s, Rec("a", 1))
	mustLen(t, s, 1)
	mustPut(t, s, Rec("b", 2), Rec("c", 3), Rec("a", 4))
	mustLen(t, s, 3)
	if err := s.SetMeta(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	mustLen(t, s, 3)
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	mustLen(t, s, 2)
}

func testMeta(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	binary := make([]byte, 1024)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	tests := []struct {
		key   string
		value []byte
	}{
		{"format", []byte("3")},
		{"options-hash", binary},
		{"empty", nil},
		{"ключ 🔑", []byte("значение")},
		{"a", []byte("same as a record ID")},
	}
	for _, tc := range tests {
		if _, err := s.GetMeta(ctx, tc.key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMeta(%q) before set: got %v, want ErrNotFound", tc.key, err)
		}
		if err := s.SetMeta(ctx, tc.key, tc.value); err != nil {
			t.Fatalf("SetMeta(%q): %v", tc.key, err)
		}
	}
	mustPut(t, s, Rec("a", 1))
	for _, tc := range tests {
		got, err := s.GetMeta(ctx, tc.key)
		if err != nil {
			t.Errorf("GetMeta(%q): %v", tc.key, err)
			continue
		}
		if !bytes.Equal(got, tc.value) {
			t.Errorf("GetMeta(%q): got %q, want %q", tc.key, short(string(got)), short(string(tc.value)))
		}
	}
	if err := s.SetMeta(ctx, "format", []byte("4")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetMeta(ctx, "format"); err != nil || string(got) != "4" {
		t.Errorf("GetMeta(format) after overwrite: got %q, %v, want 4", got, err)
	}
	// Records and meta live apart.
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetMeta(ctx, "a"); err != nil || string(got) != "same as a record ID" {
		t.Errorf("GetMeta(a) after Delete(a): got %q, %v", got, err)
	}
	mustLen(t, s, 0)
	if got := scanAll(t, s); len(got) != 0 {
		t.Errorf("Scan yields meta: %q", ids(got))
	}
}

func testIsolation(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	r := Rec("a", 1)
	mustPut(t, s, r)
	r.State[0] = 'X'
	r.Article.Credits[0] = "changed"
	got := mustGet(t, s, "a")
	CheckRecord(t, got, Rec("a", 1))
	got.State[0] = 'Y'
	got.Article.Credits[1] = "changed"
	CheckRecord(t, mustGet(t, s, "a"), Rec("a", 1))
	if err := s.Scan(ctx, func(r *store.Record) error {
		r.State[0] = 'Z'
		r.Article.Credits = append(r.Article.Credits[:0], "changed")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	CheckRecord(t, mustGet(t, s, "a"), Rec("a", 1))
	v := []byte("value")
	if err := s.SetMeta(ctx, "k", v); err != nil {
		t.Fatal(err)
	}
	v[0] = 'X'
	m, err := s.GetMeta(ctx, "k")
	if err != nil || string(m) != "value" {
		t.Fatalf("GetMeta after changing the caller's slice: got %q, %v, want value", m, err)
	}
	m[0] = 'Y'
	if m, _ := s.GetMeta(ctx, "k"); string(m) != "value" {
		t.Errorf("GetMeta after changing a returned slice: got %q, want value", m)
	}
}

// testConcurrent runs writers, readers and scanners at once; under -race it
// also checks the backend for data races.
func testConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	const writers, puts, shared = 8, 25, 5
	var (
		mu      sync.Mutex
		seqs    = map[uint64]string{}
		errs    []error
		writing sync.WaitGroup
		reading sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}
	record := func(recs []*store.Record) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range recs {
			if prev, ok := seqs[r.Seq]; ok || r.Seq == 0 {
				errs = append(errs, fmt.Errorf("%q got Seq %d, already given to %q", r.Article.ID, r.Seq, prev))
			}
			seqs[r.Seq] = r.Article.ID
		}
	}
	for w := range writers {
		writing.Go(func() {
			for i := range puts {
				recs := []*store.Record{Rec(fmt.Sprintf("w%d-%d", w, i), w*1000+i)}
				if i%5 == 0 { // some batches, and some replacements of shared IDs
					recs = append(recs, Rec(fmt.Sprintf("w%d-%d-b", w, i), i), Rec(fmt.Sprintf("shared-%d", (i/5)%shared), w))
				}
				if err := s.Put(ctx, recs...); err != nil {
					fail(fmt.Errorf("writer %d: %w", w, err))
					return
				}
				for j := 1; j < len(recs); j++ {
					if recs[j].Seq <= recs[j-1].Seq {
						fail(fmt.Errorf("writer %d: Seqs in one call not increasing: %d then %d", w, recs[j-1].Seq, recs[j].Seq))
					}
				}
				record(recs)
			}
		})
	}
	done := make(chan struct{})
	for range 2 {
		reading.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				var prev uint64
				if err := s.Scan(ctx, func(r *store.Record) error {
					if r.Seq <= prev {
						return fmt.Errorf("concurrent Scan: Seq %d after %d", r.Seq, prev)
					}
					prev = r.Seq
					return nil
				}); err != nil {
					fail(err)
					return
				}
				if r, err := s.Get(ctx, "shared-0"); err == nil && !strings.HasPrefix(r.Article.Title, "Title ") {
					fail(fmt.Errorf("concurrent Get: torn record %+v", r.Article))
				} else if err != nil && !errors.Is(err, store.ErrNotFound) {
					fail(fmt.Errorf("concurrent Get: %w", err))
				}
				if _, err := s.Len(ctx); err != nil {
					fail(fmt.Errorf("concurrent Len: %w", err))
				}
			}
		})
	}
	writing.Wait()
	close(done)
	reading.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	unique := writers * (puts + (puts+4)/5)
	mustLen(t, s, unique+shared)
	for w := range writers {
		for i := range puts {
			id := fmt.Sprintf("w%d-%d", w, i)
			CheckRecord(t, mustGet(t, s, id), Rec(id, w*1000+i))
		}
	}
	all := scanAll(t, s)
	if len(all) != unique+shared {
		t.Errorf("Scan: got %d records, want %d", len(all), unique+shared)
	}
	for _, r := range all {
		if id, ok := seqs[r.Seq]; !ok || id != r.Article.ID {
			t.Errorf("Scan: %q has Seq %d, which Put gave to %q", r.Article.ID, r.Seq, id)
		}
	}
}
