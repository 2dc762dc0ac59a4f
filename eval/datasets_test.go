package eval

import (
	"bytes"
	"compress/gzip"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
)

// wantProblem is a skipped record: where it was, and the sentinel reason.
type wantProblem struct {
	where string
	err   error
}

func checkProblems(t *testing.T, got []Problem, want []wantProblem) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("problems: got %d %v, want %d", len(got), got, len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i].Where != want[i].where || !errors.Is(got[i], want[i].err) {
			t.Errorf("problem %d: got %q (%v), want %q (%v)", i, got[i].Where, got[i].Err, want[i].where, want[i].err)
		}
	}
}

func checkStats(t *testing.T, got Stats, records, articles, skipped, badDates int) {
	t.Helper()
	if got.Records != records || got.Articles != articles || got.Skipped != skipped || got.BadDates != badDates {
		t.Errorf("stats: got records %d articles %d skipped %d bad dates %d, want %d %d %d %d",
			got.Records, got.Articles, got.Skipped, got.BadDates, records, articles, skipped, badDates)
	}
}

func ids(as []wiretrace.Article) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func checkMap(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if (got == nil) != (want == nil) || !maps.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestReadLabelled(t *testing.T) {
	d, err := LoadLabelled("testdata/labelled/articles.jsonl", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkStats(t, d.Stats, 6, 6, 0, 0)
	checkProblems(t, d.Stats.Problems, nil)
	if got, want := ids(d.Articles), []string{"ap-1", "in-2", "mt-3", "rt-4", "5", "no-story-6"}; !slices.Equal(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
	first := d.Articles[0]
	want := wiretrace.Article{
		ID: "ap-1", Title: "Biden, Putin to hold video call amid Ukraine tensions",
		URL: "https://apnews.com/article/biden-putin-call", Source: "AP",
		Published: time.Date(2021, 12, 4, 15, 10, 0, 0, time.UTC), Lang: "en",
		Text:   "MOSCOW (AP) — Russian President Vladimir Putin and U.S. President Joe Biden will hold a video call on Tuesday, the Kremlin said.\n\nThe call comes amid a Russian troop buildup near Ukraine.",
		Origin: "testdata/labelled/articles.jsonl:1",
	}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first article:\ngot  %+v\nwant %+v", first, want)
	}
	dates := []time.Time{
		time.Date(2021, 12, 4, 15, 10, 0, 0, time.UTC),
		time.Date(2021, 12, 4, 0, 0, 0, 0, time.UTC),
		time.Date(2021, 12, 5, 6, 0, 0, 0, time.UTC),          // 09:00+03:00
		time.Date(1987, 2, 26, 15, 1, 1, 790000000, time.UTC), // Reuters form
		time.Date(1987, 4, 3, 9, 5, 14, 400000000, time.UTC),  // one-digit day
		{},
	}
	langs := []string{"en", "en-IN", "", "", "en", ""} // "eng" → "en"
	for i, a := range d.Articles {
		if !a.Published.Equal(dates[i]) || a.Lang != langs[i] {
			t.Errorf("%s: got published %v lang %q, want %v %q", a.ID, a.Published, a.Lang, dates[i], langs[i])
		}
	}
	checkMap(t, "stories", d.Stories, map[string]string{
		"ap-1": "biden-putin-call", "in-2": "biden-putin-call", "mt-3": "biden-putin-call", "rt-4": "biden-putin-call",
		"5": "bahia-cocoa",
	})
	checkMap(t, "copy groups", d.CopyGroups, map[string]string{
		"ap-1": "ap-biden-putin", "in-2": "ap-biden-putin", "mt-3": "ap-biden-putin", "rt-4": "", "5": "", "no-story-6": "",
	})
	wantEdges := []Edge{
		{Copy: "in-2", Source: "ap-1", Kind: wiretrace.Duplicate, Coverage: 0.97},
		{Copy: "mt-3", Source: "ap-1", Kind: wiretrace.Rewrite, Coverage: 0.6},
		{Copy: "rt-4", Source: "ap-1", Kind: wiretrace.Partial, Coverage: 0.2},
		{Copy: "rt-4", Source: "ap-1", Kind: wiretrace.Copy, Coverage: -1},
	}
	if !slices.Equal(d.Derivations, wantEdges) {
		t.Errorf("derivations:\ngot  %+v\nwant %+v", d.Derivations, wantEdges)
	}
	if d.Unlabelled != 1 || d.UnknownIDs != 0 || d.Name != FormatLabelled {
		t.Errorf("got unlabelled %d unknown ids %d name %q, want 1 0 %q", d.Unlabelled, d.UnknownIDs, d.Name, FormatLabelled)
	}
}

func TestReadLabelledMessy(t *testing.T) {
	const path = "testdata/labelled-messy/articles.jsonl"
	d, err := LoadLabelled(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 10 non-blank lines; 4 articles; 6 lines and 4 derived_from entries
	// skipped; "not a date" is a bad date.
	checkStats(t, d.Stats, 10, 4, 10, 1)
	checkProblems(t, d.Stats.Problems, []wantProblem{
		{path + ":4", ErrMalformed},                // unterminated string
		{path + ":5", ErrNoID},                     // no id
		{path + ":6", ErrNoText},                   // title only
		{path + ":7", ErrDuplicateID},              // crlf-2 again
		{path + ":8", ErrMalformed},                // text is an array
		{path + ":9", ErrMalformed},                // not an object
		{path + ":10 derived_from[0]", ErrBadEdge}, // kind "verbatim"
		{path + ":10 derived_from[1]", ErrBadEdge}, // coverage 1.5
		{path + ":10 derived_from[2]", ErrBadEdge}, // derived from itself
		{path + ":10 derived_from[3]", ErrBadEdge}, // no id
	})
	if got, want := ids(d.Articles), []string{"bom-1", "crlf-2", "edges-7", "last"}; !slices.Equal(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
	if got := d.Articles[1]; got.Text != "Windows line endings." || got.Origin != path+":3" {
		t.Errorf("CRLF line: got text %q origin %q", got.Text, got.Origin)
	}
	checkMap(t, "stories", d.Stories, map[string]string{"bom-1": "s1", "crlf-2": "s1", "edges-7": "s2", "last": "s2"})
	checkMap(t, "copy groups", d.CopyGroups, nil) // no record has copy_group
	wantEdges := []Edge{
		{Copy: "edges-7", Source: "crlf-2", Kind: wiretrace.Copy, Coverage: 0.5}, // coverage given as a string
		{Copy: "edges-7", Source: "elsewhere-9", Kind: wiretrace.Partial, Coverage: -1},
	}
	if !slices.Equal(d.Derivations, wantEdges) {
		t.Errorf("derivations:\ngot  %+v\nwant %+v", d.Derivations, wantEdges)
	}
	if d.UnknownIDs != 1 {
		t.Errorf("unknown ids: got %d, want 1 (elsewhere-9)", d.UnknownIDs)
	}

	capped, err := LoadLabelled(path, ReadOptions{MaxProblems: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(capped.Stats.Problems) != 2 || capped.Stats.Skipped != 10 {
		t.Errorf("MaxProblems 2: got %d problems, %d skipped, want 2 and 10", len(capped.Stats.Problems), capped.Stats.Skipped)
	}
}

func TestScanLabelledLongLine(t *testing.T) {
	in := `{"id": "a", "text": "` + strings.Repeat("x", 5000) + `"}` + "\n" + `{"id": "b", "text": "short"}` + "\n"
	var got []string
	st, err := ScanLabelled(strings.NewReader(in), "in", ReadOptions{MaxLineBytes: 100}, func(l Labelled) error {
		got = append(got, l.Article.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"b"}) || st.Skipped != 1 || !errors.Is(st.Problems[0], ErrMalformed) || st.Problems[0].Where != "in:1" {
		t.Errorf("got %v, %+v, want [b] with line 1 skipped", got, st)
	}
}

func TestScanStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	fn := func() error {
		calls++
		return stop
	}
	tests := []struct {
		name string
		scan func() error
	}{
		{"labelled", func() error {
			_, err := ScanLabelled(strings.NewReader("{\"id\":\"a\",\"text\":\"t\"}\n{\"id\":\"b\",\"text\":\"t\"}\n"), "in", ReadOptions{},
				func(Labelled) error { return fn() })
			return err
		}},
		{"news-copy", func() error {
			_, err := ScanNewsCopy(strings.NewReader(`{"a":{"article":"t"},"b":{"article":"t"}}`), "in", ReadOptions{},
				func(wiretrace.Article) error { return fn() })
			return err
		}},
		{"priberam", func() error {
			_, err := ScanPriberam(strings.NewReader(`[{"id":"a","text":"t"},{"id":"b","text":"t"}]`), "in", ReadOptions{},
				func(wiretrace.Article, string) error { return fn() })
			return err
		}},
		{"semeval", func() error {
			_, err := ScanSemEval(strings.NewReader("pair_id,Overall,text1,text2\n1_2,1,a,b\n3_4,1,c,d\n"), "in", ReadOptions{},
				func(GoldPair, wiretrace.Article, wiretrace.Article) error { return fn() })
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls = 0
			if err := tt.scan(); !errors.Is(err, stop) || calls != 1 {
				t.Errorf("got err %v after %d calls, want stop after 1", err, calls)
			}
		})
	}
}

func TestReadNewsCopy(t *testing.T) {
	d, err := LoadNewsCopy("testdata/newscopy/test_inf_data.json", "testdata/newscopy/full_test_gt.json", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 6 articles + 4 pairs read; "Sunday" is not a date.
	checkStats(t, d.Stats, 10, 6, 0, 1)
	checkProblems(t, d.Stats.Problems, nil)
	const (
		star   = "12_evening-star-1955-08-07-p-11"
		tele   = "3_harrisburg-telegraph-1955-08-07-p-2"
		news   = "7_daily-news-1955-08-07-p-1"
		fair1  = "4_daily-news-1955-08-07-p-5"
		fair2  = "9_evening-star-1955-08-07-p-3"
		fair3  = "5_harrisburg-telegraph-1955-08-07-p-6"
		origin = "testdata/newscopy/test_inf_data.json#"
	)
	if got, want := ids(d.Articles), []string{star, tele, news, fair1, fair2, fair3}; !slices.Equal(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
	want := wiretrace.Article{
		ID: star, Title: "SENATE PASSES ROAD BILL", Source: "Evening Star", Byline: "By the Associated Press",
		Published: time.Date(1955, 8, 7, 0, 0, 0, 0, time.UTC), // "Aug-07-1955"
		Text:      "WASHINGTON (AP) - The Senate today passed the highway bill by a vote of 89 to 1, sending it to the House.\nThe measure calls for a 25 billion dollar program.",
		Origin:    origin + star,
	}
	if !reflect.DeepEqual(d.Articles[0], want) {
		t.Errorf("first article:\ngot  %+v\nwant %+v", d.Articles[0], want)
	}
	if a := d.Articles[4]; a.Text != "FAIR OPENS SATURDAY" || a.Title != a.Text || !a.Published.IsZero() {
		t.Errorf("headline-only article: got %+v, want the headline as text", a)
	}
	// Components {star tele news} and {fair1 fair3}, each named by its
	// smallest id ("12_…" < "3_…" < "7_…"; "4_…" < "5_…"); fair2 is alone.
	checkMap(t, "copy groups", d.CopyGroups, map[string]string{
		star: star, tele: star, news: star, fair1: fair1, fair3: fair1, fair2: "",
	})
	checkMap(t, "stories", d.Stories, nil)
	if len(d.Derivations) != 4 || d.Derivations[0] != (Edge{Copy: star, Source: tele, Coverage: -1}) {
		t.Errorf("derivations: got %+v", d.Derivations)
	}
}

func TestReadNewsCopyMessy(t *testing.T) {
	const dir = "testdata/newscopy-messy/"
	d, err := LoadNewsCopy(dir+"test_inf_data.json", dir+"full_test_gt.json", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Articles: 8 members, a1 a5 a6 kept, 5 skipped, plus data after the
	// object. Pairs: 10 elements, 5 skipped. The date 19300114, a JSON
	// number, reads as 1930-01-14.
	checkStats(t, d.Stats, 18, 3, 11, 0)
	art, gt := dir+"test_inf_data.json", dir+"full_test_gt.json"
	checkProblems(t, d.Stats.Problems, []wantProblem{
		{art + ": record 2 (byte 82)", ErrMalformed},    // a string, not an object
		{art + ": record 3 (byte 106)", ErrMalformed},   // headline is an array
		{art + ": record 4 (byte 170)", ErrNoID},        // ""
		{art + ": record 5 (byte 206)", ErrNoText},      // {}
		{art + ": record 6 (byte 217)", ErrDuplicateID}, // a1 again
		{art + ": byte 355", ErrMalformed},              // trailing data
		{gt + ": record 3 (byte 29)", ErrMalformed},     // one id
		{gt + ": record 4 (byte 37)", ErrBadEdge},       // a1 with itself
		{gt + ": record 5 (byte 51)", ErrMalformed},     // a string
		{gt + ": record 9 (byte 102)", ErrBadEdge},      // null id
		{gt + ": record 10 (byte 116)", ErrMalformed},   // an object
	})
	if got, want := ids(d.Articles), []string{"a1", "a5", "a6"}; !slices.Equal(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
	if got := d.Articles[1].Published; !got.Equal(time.Date(1930, 1, 14, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("numeric date: got %v, want 1930-01-14", got)
	}
	// a5–ghost and ghost–a6 join a6 to a1 and a5 through an id no article
	// has; 1–2 name no article either.
	checkMap(t, "copy groups", d.CopyGroups, map[string]string{"a1": "a1", "a5": "a1", "a6": "a1"})
	if d.UnknownIDs != 3 {
		t.Errorf("unknown ids: got %d, want 3 (1, 2, ghost)", d.UnknownIDs)
	}
}

func TestReadPriberam(t *testing.T) {
	const path = "testdata/priberam/dataset.test.json"
	d, err := LoadPriberam(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkStats(t, d.Stats, 11, 6, 5, 0)
	checkProblems(t, d.Stats.Problems, []wantProblem{
		{path + ": record 5 (byte 729)", ErrNoText},       // neither text nor title
		{path + ": record 7 (byte 938)", ErrMalformed},    // title is an object
		{path + ": record 8 (byte 1064)", ErrMalformed},   // a string
		{path + ": record 9 (byte 1083)", ErrDuplicateID}, // 74c3a4e0-1 again
		{path + ": record 10 (byte 1162)", ErrNoID},
	})
	if got, want := ids(d.Articles), []string{"74c3a4e0-1", "74c3a4e0-2", "5d1e-3", "4", "no-cluster-6", "odd-lang-8"}; !slices.Equal(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
	want := wiretrace.Article{
		ID: "74c3a4e0-1", Title: "Fed names new vice chair", Lang: "en",
		Published: time.Date(2014, 1, 7, 12, 5, 0, 0, time.UTC),
		Text:      "The Federal Reserve named a new vice chair on Tuesday.",
		Origin:    path + "#74c3a4e0-1",
	}
	if !reflect.DeepEqual(d.Articles[0], want) {
		t.Errorf("first article:\ngot  %+v\nwant %+v", d.Articles[0], want)
	}
	for i, w := range []struct{ text, lang string }{
		{"The Federal Reserve named a new vice chair on Tuesday.", "en"},
		{"New Fed vice chair named", "en"}, // empty text: the title
		{"Die US-Notenbank hat einen neuen Vizechef ernannt.", "de"},
		{"La Fed nombra vicepresidente", "es"}, // no text field: the title
		{"Rain is expected.", "en"},
		{"Lang that is not a tag.", ""}, // "klingon!"
	} {
		if a := d.Articles[i]; a.Text != w.text || a.Lang != w.lang {
			t.Errorf("%s: got text %q lang %q, want %q %q", a.ID, a.Text, a.Lang, w.text, w.lang)
		}
	}
	checkMap(t, "stories", d.Stories, map[string]string{
		"74c3a4e0-1": "1021", "74c3a4e0-2": "1021", "5d1e-3": "2040", "4": "2040", "odd-lang-8": "3030",
	})
	if d.Unlabelled != 1 {
		t.Errorf("unlabelled: got %d, want 1 (no-cluster-6)", d.Unlabelled)
	}
}

func TestJSONReadersStopOnBrokenStream(t *testing.T) {
	var got []string
	st, err := ScanPriberam(mustOpen(t, "testdata/priberam-truncated/dataset.test.json"), "trunc", ReadOptions{},
		func(a wiretrace.Article, _ string) error {
			got = append(got, a.ID)
			return nil
		})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "byte") {
		t.Errorf("truncated file: got err %v, want ErrMalformed with a byte offset", err)
	}
	if !slices.Equal(got, []string{"t1"}) || st.Articles != 1 {
		t.Errorf("truncated file: got %v (%+v), want t1 delivered before the error", got, st)
	}

	tests := []struct {
		name string
		read func() error
		want error
	}{
		{"news-copy given an array", func() error {
			_, err := ScanNewsCopy(strings.NewReader(`[{"article": "x"}]`), "in", ReadOptions{}, func(wiretrace.Article) error { return nil })
			return err
		}, ErrFormat},
		{"priberam given an object", func() error {
			_, err := ScanPriberam(strings.NewReader(`{"id": "x"}`), "in", ReadOptions{}, func(wiretrace.Article, string) error { return nil })
			return err
		}, ErrFormat},
		{"pairs empty", func() error {
			_, _, err := ReadNewsCopyPairs(strings.NewReader(""), "in", ReadOptions{})
			return err
		}, ErrFormat},
		{"pairs unclosed", func() error {
			_, _, err := ReadNewsCopyPairs(strings.NewReader(`[["a", "b"], ["c"`), "in", ReadOptions{})
			return err
		}, ErrMalformed},
		{"object key without value", func() error {
			_, err := ScanNewsCopy(strings.NewReader(`{"a": {"article": "x"}, "b"`), "in", ReadOptions{}, func(wiretrace.Article) error { return nil })
			return err
		}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.read(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestReadSemEval(t *testing.T) {
	const path = "testdata/semeval/pairs.csv"
	d, err := LoadSemEval(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkStats(t, d.Stats, 11, 9, 6, 0)
	checkProblems(t, d.Stats.Problems, []wantProblem{
		{path + ":8", ErrNoText},     // second side has neither text nor title
		{path + ":9", ErrMalformed},  // Overall "n/a"
		{path + ":10", ErrMalformed}, // Overall 7
		{path + ":11", ErrNoID},      // empty pair_id
		{path + ":13", ErrMalformed}, // a quote inside a quoted field
		{path + ":14", ErrMalformed}, // 5 fields
	})
	wantPairs := []GoldPair{
		{PairID: "1484084337_1484110209", ID1: "1484084337", ID2: "1484110209", Overall: 1},
		{PairID: "1484110209_1483936000", ID1: "1484110209", ID2: "1483936000", Overall: 3.8},
		{PairID: "1490000001_1490000002", ID1: "1490000001", ID2: "1490000002", Overall: 2.3333333333},
		{PairID: "odd-pair-id", ID1: "odd-pair-id#1", ID2: "odd-pair-id#2", Overall: 3},
		{PairID: "1490000013_1490000014", ID1: "1490000013", ID2: "1490000014", Overall: 3.5},
	}
	if !slices.Equal(d.Pairs, wantPairs) {
		t.Errorf("pairs:\ngot  %+v\nwant %+v", d.Pairs, wantPairs)
	}
	if got, want := ids(d.Articles), []string{"1484084337", "1484110209", "1483936000", "1490000001", "1490000002",
		"odd-pair-id#1", "odd-pair-id#2", "1490000013", "1490000014"}; !slices.Equal(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
	want := wiretrace.Article{
		ID: "1484084337", Title: "Biden and Putin to talk", URL: "https://a.example/1", Lang: "en",
		Text:   "MOSCOW (AP) — The Kremlin said on Saturday\nthat the two presidents will talk on Tuesday.\n\nA second paragraph, with \"quotes\".",
		Origin: path + ":2",
	}
	if !reflect.DeepEqual(d.Articles[0], want) {
		t.Errorf("first article (multiline field):\ngot  %+v\nwant %+v", d.Articles[0], want)
	}
	if a := d.Articles[3]; a.Text != "Titre seul" || a.Lang != "fr" {
		t.Errorf("title-only side: got %+v", a)
	}
	if a := d.Articles[2]; a.Lang != "de" || a.Text != "Die Kanzlerin traf den Präsidenten in Paris." {
		t.Errorf("second pair's new article: got %+v", a)
	}
}

func TestReadSemEvalTaskColumns(t *testing.T) {
	d, err := LoadSemEval("testdata/semeval/pairs-task-columns.csv", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The task's own names (link1, url1_lang) in its own order, texts
	// appended in another order and case.
	want := []wiretrace.Article{
		{ID: "1500000001", URL: "https://x.example/a", Lang: "en", Text: "Text one.", Origin: "testdata/semeval/pairs-task-columns.csv:2"},
		{ID: "1500000002", Title: "Tytuł", URL: "https://y.example/b", Lang: "pl", Text: "Tekst drugi.", Origin: "testdata/semeval/pairs-task-columns.csv:2"},
	}
	if !reflect.DeepEqual(d.Articles, want) || len(d.Pairs) != 1 || d.Pairs[0].Overall != 1 {
		t.Errorf("got %+v %+v, want %+v", d.Articles, d.Pairs, want)
	}
}

func TestReadSemEvalBadInput(t *testing.T) {
	if _, err := LoadSemEval("testdata/semeval-messy/pairs.csv", ReadOptions{}); !errors.Is(err, ErrMissingColumn) {
		t.Errorf("no Overall column: got %v, want ErrMissingColumn", err)
	}
	if _, err := ReadSemEval(strings.NewReader(""), "empty", ReadOptions{}); !errors.Is(err, ErrFormat) {
		t.Errorf("empty: got %v, want ErrFormat", err)
	}
	// An unclosed quote swallows the rest of the file: one bad record.
	d, err := LoadSemEval("testdata/semeval-messy/unclosed.csv", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkStats(t, d.Stats, 1, 0, 1, 0)
	if len(d.Pairs) != 0 {
		t.Errorf("pairs: got %v, want none", d.Pairs)
	}
}

func TestLoadGzip(t *testing.T) {
	d, err := LoadLabelled("testdata/labelled/articles.jsonl", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dz, err := LoadLabelled(writeGzip(t, "testdata/labelled/articles.jsonl"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dz.Articles) != len(d.Articles) || dz.Articles[5].Text != d.Articles[5].Text {
		t.Errorf("gzipped: got %d articles, want %d", len(dz.Articles), len(d.Articles))
	}
	if _, err := LoadLabelled("testdata/no-such-file.jsonl", ReadOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
}

// sharedData finds the project's shared corpora, which the tests must not
// need: $WIRETRACE_SHARED, else ../shared beside the checkout.
func sharedData(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("WIRETRACE_SHARED"), "../../shared", "../../../shared"}
	for _, dir := range candidates {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
			return filepath.Join(dir, "data")
		}
	}
	t.Skip("shared data not found (set WIRETRACE_SHARED); skipping the corpus test")
	return ""
}

// The shared corpora are in the labelled JSONL format: every line must
// read, and every date (BASIL's 2010-07-02, Reuters' 26-FEB-1987
// 15:01:01.79) must parse.
func TestSharedCorpora(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus test skipped in -short mode")
	}
	dir := sharedData(t)
	for _, c := range []struct {
		file    string
		stories bool
	}{{"basil.jsonl", true}, {"reuters21578.jsonl", false}, {"bbc.jsonl", false}} {
		t.Run(c.file, func(t *testing.T) {
			d, err := LoadLabelled(filepath.Join(dir, c.file), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if st := d.Stats; st.Skipped != 0 || st.BadDates != 0 || st.Articles == 0 || st.Articles != st.Records {
				t.Errorf("got %+v (first problems %v), want every record read and every date parsed", st, st.Problems)
			}
			if (d.Stories != nil) != c.stories {
				t.Errorf("stories: got %d labelled, want present=%v", len(d.Stories), c.stories)
			}
			if c.stories {
				self := CompareClusterings(d.Stories, d.Stories)
				if self.ARI != 1 || self.BCubed.F1 != 1 {
					t.Errorf("truth against itself: got %+v", self)
				}
			}
		})
	}
}

func checkArticle(t *testing.T, a wiretrace.Article, seen map[string]bool) {
	t.Helper()
	if a.ID == "" || strings.TrimSpace(a.Text) == "" {
		t.Fatalf("accepted article without id or text: %+v", a)
	}
	if seen[a.ID] {
		t.Fatalf("id %q delivered twice", a.ID)
	}
	seen[a.ID] = true
	if !a.Published.IsZero() && a.Published.Location() != time.UTC {
		t.Fatalf("published not in UTC: %v", a.Published)
	}
}

func checkFuzzStats(t *testing.T, st Stats, delivered int) {
	t.Helper()
	if st.Articles != delivered || st.Skipped < len(st.Problems) || st.Records < 0 {
		t.Fatalf("stats %+v inconsistent with %d articles delivered", st, delivered)
	}
	for _, p := range st.Problems {
		if p.Err == nil || p.Where == "" {
			t.Fatalf("problem without reason or place: %+v", p)
		}
	}
}

func seedFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzScanLabelled(f *testing.F) {
	seedFiles(f, "testdata/labelled/articles.jsonl", "testdata/labelled-messy/articles.jsonl")
	f.Add([]byte(`{"id":1,"text":"x","derived_from":[{"id":2,"coverage":"NaN","kind":"copy"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[string]bool{}
		n := 0
		st, err := ScanLabelled(bytes.NewReader(data), "fuzz", ReadOptions{MaxLineBytes: 4096}, func(l Labelled) error {
			checkArticle(t, l.Article, seen)
			n++
			for _, e := range l.DerivedFrom {
				if e.Copy != l.Article.ID || e.Source == "" || e.Source == e.Copy || (e.Kind != "" && e.Kind.Rank() > 3) ||
					!(e.Coverage == -1 || e.Coverage >= 0 && e.Coverage <= 1) {
					t.Fatalf("bad edge accepted: %+v", e)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("JSONL never fails on content: %v", err)
		}
		checkFuzzStats(t, st, n)
	})
}

func FuzzScanNewsCopy(f *testing.F) {
	seedFiles(f, "testdata/newscopy/test_inf_data.json", "testdata/newscopy-messy/test_inf_data.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[string]bool{}
		n := 0
		st, _ := ScanNewsCopy(bytes.NewReader(data), "fuzz", ReadOptions{}, func(a wiretrace.Article) error {
			checkArticle(t, a, seen)
			n++
			return nil
		})
		checkFuzzStats(t, st, n)
	})
}

func FuzzReadNewsCopyPairs(f *testing.F) {
	seedFiles(f, "testdata/newscopy/full_test_gt.json", "testdata/newscopy-messy/full_test_gt.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		pairs, st, _ := ReadNewsCopyPairs(bytes.NewReader(data), "fuzz", ReadOptions{})
		for _, p := range pairs {
			if p[0] == "" || p[1] == "" || p[0] == p[1] {
				t.Fatalf("bad pair accepted: %q", p)
			}
		}
		if st.Records < len(pairs)+st.Skipped-1 { // at most one skip (trailing data) is not a record
			t.Fatalf("stats %+v for %d pairs", st, len(pairs))
		}
	})
}

func FuzzScanPriberam(f *testing.F) {
	seedFiles(f, "testdata/priberam/dataset.test.json", "testdata/priberam-truncated/dataset.test.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[string]bool{}
		n := 0
		st, _ := ScanPriberam(bytes.NewReader(data), "fuzz", ReadOptions{}, func(a wiretrace.Article, _ string) error {
			checkArticle(t, a, seen)
			n++
			return nil
		})
		checkFuzzStats(t, st, n)
	})
}

func FuzzScanSemEval(f *testing.F) {
	seedFiles(f, "testdata/semeval/pairs.csv", "testdata/semeval/pairs-task-columns.csv", "testdata/semeval-messy/unclosed.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[string]bool{}
		st, _ := ScanSemEval(bytes.NewReader(data), "fuzz", ReadOptions{}, func(p GoldPair, a1, a2 wiretrace.Article) error {
			if p.PairID == "" || !(p.Overall >= 1 && p.Overall <= 4) || a1.ID != p.ID1 || a2.ID != p.ID2 {
				t.Fatalf("bad pair accepted: %+v", p)
			}
			for _, a := range []wiretrace.Article{a1, a2} {
				if a.ID == "" || strings.TrimSpace(a.Text) == "" {
					t.Fatalf("accepted article without id or text: %+v", a)
				}
				seen[a.ID] = true
			}
			return nil
		})
		checkFuzzStats(t, st, len(seen))
	})
}

func writeGzip(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path)+".gz")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
