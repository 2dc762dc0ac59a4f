package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/wiretrace/wiretrace/dedup"
	"github.com/wiretrace/wiretrace/engine"
)

const (
	mixedInput = "../../engine/testdata/mixed.jsonl"
	seedsInput = "../../testdata/seeds"
)

// dedupCLI runs `wiretrace dedup` with args and returns stdout, stderr and
// the error.
func dedupCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root, _ := newRoot(strings.NewReader(stdin), &out, &errb)
	root.SetArgs(append([]string{"dedup"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func clustersOf(t *testing.T, dir string) []dedup.Cluster {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, dedup.ClustersFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cs []dedup.Cluster
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c dedup.Cluster
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs
}

// TestDedupAgreesWithAnalyze: the dedup command and the analyze command
// agree on copy groups (ids, members, closest to source) and stories.
func TestDedupAgreesWithAnalyze(t *testing.T) {
	for _, level := range []string{"near-dup", "reuse", "stories"} {
		t.Run(level, func(t *testing.T) {
			lv, _ := engine.ParseLevel(level)
			var stderr bytes.Buffer
			res, err := analyze(context.Background(), &globals{stderr: &stderr, stdout: &bytes.Buffer{}}, []string{mixedInput, seedsInput}, engine.Options{Level: lv}, 0)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			if _, _, err := dedupCLI(t, "", "-q", "--level", level, "-o", out, mixedInput, seedsInput); err != nil {
				t.Fatal(err)
			}
			cs := clustersOf(t, out)
			rep := res.Report
			if len(cs) != len(rep.Articles) {
				t.Fatalf("dedup lists %d articles, analyze %d", len(cs), len(rep.Articles))
			}
			members := map[string][]string{}
			closest := map[string]string{}
			for i, c := range cs {
				a := rep.Articles[i]
				if c.ID != a.ID || c.Group != a.CopyGroup || c.Story != a.Story {
					t.Errorf("article %d: dedup says %s in group %q, story %s; analyze says %s in %q, %s", i, c.ID, c.Group, c.Story, a.ID, a.CopyGroup, a.Story)
				}
				if c.Group != "" {
					members[c.Group] = append(members[c.Group], c.ID)
					closest[c.Group] = c.Representative
				}
			}
			if len(members) != len(rep.CopyGroups) || len(members) == 0 {
				t.Errorf("dedup has %d copy groups, analyze %d", len(members), len(rep.CopyGroups))
			}
			for _, g := range rep.CopyGroups {
				if !slices.Equal(members[g.ID], g.Articles) || closest[g.ID] != g.ClosestToSource {
					t.Errorf("group %s: dedup %v (representative %s), analyze %v (closest %s)", g.ID, members[g.ID], closest[g.ID], g.Articles, g.ClosestToSource)
				}
			}
		})
	}
}

func TestDedupSkipsBadInput(t *testing.T) {
	dir := t.TempDir()
	mixed, err := os.ReadFile(mixedInput)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(mixed)
	zw.Close()
	truncated := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(truncated, gz.Bytes()[:gz.Len()/2], 0o644)
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\":\"ok\",\"text\":\"A fine article about the harbour. It has two sentences.\"}\nnot json\n{\"id\":\"big\",\"text\":\""+strings.Repeat("word ", 1<<20)+"\"}\n"), 0o644)
	out := filepath.Join(dir, "out")
	stdout, _, err := dedupCLI(t, "", "-q", "-o", out, truncated, bad)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 3 {
		t.Fatalf("got error %v, want exit status 3", err)
	}
	var sum dedup.Summary
	b, err := os.ReadFile(filepath.Join(out, dedup.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{dedup.ReasonDamaged, dedup.ReasonMalformed, dedup.ReasonTooLarge} {
		if sum.Skipped.ByReason[reason] == 0 {
			t.Errorf("no %s input counted: %+v", reason, sum.Skipped.ByReason)
		}
	}
	if sum.Articles < 2 {
		t.Errorf("%d articles read; want those before the damage and the good line", sum.Articles)
	}
	if !strings.Contains(stdout, "cut.jsonl.gz") || !strings.Contains(stdout, "bad.jsonl:2") {
		t.Errorf("summary does not name the damaged file and the malformed line:\n%s", stdout)
	}
}

func TestDedupStdinAndProgress(t *testing.T) {
	mixed, err := os.ReadFile(mixedInput)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, err := dedupCLI(t, string(mixed), "-o", out, "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "84 articles") {
		t.Errorf("summary:\n%s", stdout)
	}
	// Not a terminal: progress comes as log lines.
	if !strings.Contains(stderr, "dedup progress") {
		t.Errorf("no progress line on a non-terminal stderr:\n%s", stderr)
	}
	_, stderr, err = dedupCLI(t, string(mixed), "-q", "--fresh", "-o", out, "-")
	if err != nil || stderr != "" {
		t.Errorf("with -q: error %v, stderr %q; want neither", err, stderr)
	}
}

// TestDedupResumedSummary: a run that resumes from a kept work directory
// says so instead of giving a rate its time does not support.
func TestDedupResumedSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	stdout, _, err := dedupCLI(t, "", "-q", "--keep-work", "-o", out, mixedInput)
	if err != nil || !strings.Contains(stdout, "articles/s") || strings.Contains(stdout, "resumed") {
		t.Fatalf("first run: error %v, summary:\n%s", err, stdout)
	}
	stdout, _, err = dedupCLI(t, "", "-q", "-o", out, mixedInput)
	if err != nil || !strings.Contains(stdout, "resumed from a checkpoint") || strings.Contains(stdout, "articles/s") {
		t.Fatalf("resumed run: error %v, summary:\n%s", err, stdout)
	}
	if _, err := os.Stat(out + ".work"); !os.IsNotExist(err) {
		t.Errorf("work directory after the resumed run finished: %v, want it removed", err)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"2GB", 2 << 30, false},
		{"512MB", 512 << 20, false},
		{"1.5g", 3 << 29, false},
		{"64 MiB", 64 << 20, false},
		{"1048576", 1 << 20, false},
		{"", 0, true},
		{"-1GB", 0, true},
		{"lots", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSize(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}
