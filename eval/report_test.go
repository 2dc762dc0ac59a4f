package eval

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleReport scores small hand-made predictions against the labelled
// fixture, so the golden table shows every section.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	d, err := LoadLabelled("testdata/labelled/articles.jsonl", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReport("testdata/labelled/articles.jsonl", d)
	r.ElapsedSeconds = 0.5
	stories := CompareClusterings(d.Stories, map[string]string{"ap-1": "x", "in-2": "x", "mt-3": "x", "rt-4": "y", "5": "y"})
	groups := CompareClusterings(d.CopyGroups, map[string]string{"ap-1": "g", "in-2": "g", "mt-3": ""})
	edges := CompareEdges(d.Derivations, []Edge{
		{Copy: "in-2", Source: "ap-1", Kind: wiretrace.Duplicate, Coverage: 1},
		{Copy: "ap-1", Source: "mt-3", Kind: wiretrace.Copy, Coverage: 0.5},
	})
	sim := CompareSimilarity([]SimilarityJudgement{
		{PairID: "a", Overall: 1, Similarity: 0.9, Same: true},
		{PairID: "b", Overall: 4, Similarity: 0.2},
		{PairID: "c", Overall: 2.5, Similarity: 0.4},
	})
	r.Stories, r.CopyGroups, r.Derivations, r.Similarity = &stories, &groups, &edges, &sim
	return r
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport(t).WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/report/table.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("table differs from %s (run with -update after checking):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	// Columns line up: in each table the "precision" header and the values
	// under it start at the same byte.
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		if col := strings.Index(l, "precision"); col > 0 && strings.HasPrefix(l, "  score") {
			if next := lines[i+1]; len(next) <= col || next[col-1] != ' ' || next[col] == ' ' {
				t.Errorf("line %d: value not aligned under header at column %d:\n%s\n%s", i+2, col, l, next)
			}
		}
	}
}

func TestWriteTableEmpty(t *testing.T) {
	var buf bytes.Buffer
	r := &Report{Dataset: "nothing"}
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "no scores") || strings.Contains(buf.String(), "Stories") {
		t.Errorf("got %q, want a report that says it has no scores", buf.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteTableError(t *testing.T) {
	if err := sampleReport(t).WriteTable(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the writer's error", err)
	}
}

func TestReportJSON(t *testing.T) {
	r := sampleReport(t)
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"version\": 1,") {
		t.Errorf("JSON does not start with the version: %.40q", buf.String())
	}
	back, err := ReadReport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", back, r)
	}
	for _, in := range []string{`{"version": 2, "dataset": "x"}`, `{"dataset": "x"}`} {
		if _, err := ReadReport(strings.NewReader(in)); !errors.Is(err, ErrReportVersion) {
			t.Errorf("ReadReport(%s): got %v, want ErrReportVersion", in, err)
		}
	}
	if _, err := ReadReport(strings.NewReader("not json")); err == nil || errors.Is(err, ErrReportVersion) {
		t.Errorf("ReadReport(not json): got %v, want a decoding error", err)
	}
}
