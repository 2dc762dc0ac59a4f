package main

import (
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/eval"
)

// evalJSON runs `wiretrace eval --json args...` and decodes the report.
func evalJSON(t *testing.T, args ...string) *eval.Report {
	t.Helper()
	out, stderr, err := runCLI(t, "", append([]string{"eval", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("eval %v: %v\n%s", args, err, stderr)
	}
	r, err := eval.ReadReport(strings.NewReader(out))
	if err != nil {
		t.Fatalf("eval %v: %v\n%s", args, err, out)
	}
	return r
}

// TestEvalSeeds scores the seeds (testdata/SEEDS.md truth) and two BASIL
// events: the engine gets every story and the AP copy group right and
// finds every true reuse pair.
func TestEvalSeeds(t *testing.T) {
	r := evalJSON(t, "testdata/eval/seeds.jsonl")
	if r.Format != eval.FormatLabelled || r.Articles != 11 || r.ElapsedSeconds <= 0 {
		t.Fatalf("got format %q, %d articles, %.3f s; want labelled, 11, > 0", r.Format, r.Articles, r.ElapsedSeconds)
	}
	if r.Stories == nil || r.CopyGroups == nil || r.Derivations == nil || r.Similarity != nil {
		t.Fatalf("got sections stories %v, copy groups %v, derivations %v, similarity %v; want the first three",
			r.Stories != nil, r.CopyGroups != nil, r.Derivations != nil, r.Similarity != nil)
	}
	for name, s := range map[string]*eval.ClusterScores{"stories": r.Stories, "copy groups": r.CopyGroups} {
		if s.Pairwise.F1 != 1 || s.BCubed.F1 != 1 || s.ARI != 1 {
			t.Errorf("%s: got pairwise F1 %.3f, B-cubed F1 %.3f, ARI %.3f; want 1", name, s.Pairwise.F1, s.BCubed.F1, s.ARI)
		}
	}
	if got := r.Stories.Pairs.True; got != 10+3+3 {
		t.Errorf("story pairs: got %d true, want 16 (5 seeds, two BASIL triples)", got)
	}
	d := r.Derivations
	if d.True != 6 || d.PairFound.Recall != 1 {
		t.Errorf("derivations: got %d true pairs, recall %.3f; want 6, 1", d.True, d.PairFound.Recall)
	}
	if d.CoveragePairs == 0 || d.CoverageMAE > 0.2 {
		t.Errorf("coverage: got MAE %.3f over %d pairs, want ≤ 0.2 over some", d.CoverageMAE, d.CoveragePairs)
	}
}

// TestEvalTable checks that the readable table carries the scores and the
// speed.
func TestEvalTable(t *testing.T) {
	out, _, err := runCLI(t, "", "eval", "testdata/eval/seeds.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Stories:", "pairwise", "B-cubed", "ARI", "NMI", "Copy groups:", "Derivations:", "coverage", "Speed:", "articles/s", "MB/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// TestEvalFormats runs every reader's fixture through the engine.
func TestEvalFormats(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		format   string
		articles int
		check    func(t *testing.T, r *eval.Report)
	}{
		{"news-copy", []string{"../../eval/testdata/newscopy/test_inf_data.json", "../../eval/testdata/newscopy/full_test_gt.json"}, eval.FormatNewsCopy, 0,
			func(t *testing.T, r *eval.Report) {
				if r.CopyGroups == nil || r.Derivations == nil || r.Derivations.True != 4 {
					t.Fatalf("got copy groups %v, derivations %+v; want both, 4 true pairs", r.CopyGroups != nil, r.Derivations)
				}
			}},
		{"priberam", []string{"../../eval/testdata/priberam/dataset.test.json"}, eval.FormatPriberam, 0,
			func(t *testing.T, r *eval.Report) {
				if r.Stories == nil || r.CopyGroups != nil {
					t.Fatalf("got stories %v, copy groups %v; want stories only", r.Stories != nil, r.CopyGroups != nil)
				}
			}},
		{"semeval", []string{"../../eval/testdata/semeval/pairs.csv"}, eval.FormatSemEval, 0,
			func(t *testing.T, r *eval.Report) {
				s := r.Similarity
				if s == nil || s.Pairs == 0 || s.Positives == 0 {
					t.Fatalf("got similarity %+v, want pairs with positives", s)
				}
				if s.PearsonPairs != s.Pairs {
					t.Errorf("got %d pairs with a similarity, want all %d", s.PearsonPairs, s.Pairs)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := evalJSON(t, c.args...)
			if r.Format != c.format {
				t.Errorf("format: got %q, want %q", r.Format, c.format)
			}
			c.check(t, r)
		})
	}
}

func TestGuessFormat(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"a.jsonl"}, eval.FormatLabelled},
		{[]string{"dir/dev-1k.jsonl.gz"}, eval.FormatLabelled},
		{[]string{"x/dataset.test.json"}, eval.FormatPriberam},
		{[]string{"pairs.CSV"}, eval.FormatSemEval},
		{[]string{"pairs.csv.gz"}, eval.FormatSemEval},
		{[]string{"test_inf_data.json", "full_test_gt.json"}, eval.FormatNewsCopy},
	}
	for _, c := range cases {
		if got := guessFormat(c.args); got != c.want {
			t.Errorf("guessFormat(%v): got %q, want %q", c.args, got, c.want)
		}
	}
}

func TestEvalBadArgs(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"eval", "--format", "xml", "a.jsonl"}, "unknown format"},
		{"news-copy needs two", []string{"eval", "--format", "newscopy", "a.json"}, "two files"},
		{"missing file", []string{"eval", "testdata/eval/nope.jsonl"}, "no such file"},
		{"not a CSV", []string{"eval", "--format", "semeval", "testdata/eval/seeds.jsonl"}, "not in the expected format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestEvalSkippedRecordsReported checks that records the reader skips are
// named on stderr and the rest is scored.
func TestEvalSkippedRecordsReported(t *testing.T) {
	_, stderr, err := runCLI(t, "", "eval", "--json", "../../eval/testdata/labelled-messy/articles.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "skip:") {
		t.Errorf("stderr lacks skipped records: %q", stderr)
	}
}
