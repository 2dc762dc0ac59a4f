package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs wiretrace with args and returns stdout, stderr and the error.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root, _ := newRoot(strings.NewReader(stdin), &out, &errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// TestAnalyzeSeedsGolden pins the --json contract (docs/json.md) on the
// seeds. Regenerate with: go test ./cmd/wiretrace -run Golden -update
func TestAnalyzeSeedsGolden(t *testing.T) {
	out, _, err := runCLI(t, "", "analyze", "--json", "../../testdata/seeds")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "seeds.golden.json")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("analyze --json output differs from %s; if the change is intended, run with -update and bump engine.ReportVersion when the contract changes", golden)
	}
	var r engine.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	checkContract(t, &r)
}

// checkContract checks the invariants docs/json.md promises.
func checkContract(t *testing.T, r *engine.Report) {
	t.Helper()
	if r.Version != engine.ReportVersion {
		t.Errorf("version %d, want %d", r.Version, engine.ReportVersion)
	}
	inStory := map[string]int{}
	for _, s := range r.Stories {
		for _, id := range s.Articles {
			inStory[id]++
		}
	}
	for _, a := range r.Articles {
		if inStory[a.ID] != 1 {
			t.Errorf("article %s in %d stories, want exactly 1", a.ID, inStory[a.ID])
		}
	}
	for _, u := range r.Reuse {
		if u.Coverage < 0.1 && u.SourceCoverage < 0.1 {
			t.Errorf("reuse %s→%s below 0.1 coverage on both sides", u.Copy, u.Source)
		}
	}
}

func TestAnalyzeText(t *testing.T) {
	out, _, err := runCLI(t, "", "analyze", "../../testdata/seeds")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 articles, 1 stories", "closest to source: 002_6d69baa46a2ff832", "partial"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAnalyzeBadInputContinues(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "bin.dat"), []byte{0, 1, 2, 3, 0, 0}, 0o644)
	os.WriteFile(filepath.Join(dir, "big.txt"), bytes.Repeat([]byte("words and more words. "), 500000), 0o644) // 11 MB
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte("{\"id\":\"ok\",\"text\":\"An article that is fine.\"}\n{broken\n"), 0o644)
	out, stderr, err := runCLI(t, "", "analyze", dir, "../../testdata/seeds", filepath.Join(dir, "nope"))
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 3 {
		t.Fatalf("got error %v, want exit code 3", err)
	}
	for _, want := range []string{"empty.txt", "bin.dat", "big.txt", "bad.jsonl:2", "nope"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not name %s:\n%s", want, stderr)
		}
	}
	if !strings.Contains(out, "6 articles") {
		t.Errorf("want the 5 seeds and the good JSONL line analysed:\n%s", out)
	}
}

func TestAnalyzeStdin(t *testing.T) {
	in := `{"id":"a","text":"The council approved the new budget on Monday after a long debate."}` + "\n"
	out, _, err := runCLI(t, in, "analyze", "--json", "-")
	if err != nil {
		t.Fatal(err)
	}
	var r engine.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Articles) != 1 {
		t.Fatalf("got %v, %d articles", err, len(r.Articles))
	}
}

func TestCompare(t *testing.T) {
	out, _, err := runCLI(t, "", "compare", "--width", "120", "../../testdata/seeds/002_6d69baa46a2ff832.txt", "../../testdata/seeds/000_593ee4de91dc436a.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"copy", "= verbatim", "Kremlin spokesman"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q", want)
		}
	}
	out, _, err = runCLI(t, "", "compare", "--json", "--from", "../../testdata/seeds", "003_a886183e1788cefc", "004_203724dd82367cc3")
	if err != nil {
		t.Fatal(err)
	}
	var c engine.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Version != engine.CompareVersion {
		t.Fatalf("compare --json: %v, version %d", err, c.Version)
	}
	if _, _, err := runCLI(t, "", "compare", "--from", "../../testdata/seeds", "nope", "003_a886183e1788cefc"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing id: got %v, want an error naming it", err)
	}
}
