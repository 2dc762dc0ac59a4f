package dedup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

const (
	mixedFixture = "../engine/testdata/mixed.jsonl"
	seedsFixture = "../testdata/seeds"
)

// analyzeReport runs the engine over inputs exactly as `wiretrace analyze`
// does: read in order, prepare in parallel, Add in input order, Report.
func analyzeReport(t testing.TB, opts engine.Options, inputs ...string) *engine.Report {
	t.Helper()
	eng, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	in := make(chan engine.Input, 16)
	go func() {
		defer close(in)
		_ = ingest.Read(context.Background(), inputs, ingest.Options{}, func(it ingest.Item) error {
			in <- engine.Input{Article: it.Article, Err: it.Err}
			return nil
		})
	}()
	err = engine.PrepareOrdered(context.Background(), opts, 2, in, func(o engine.Output) error {
		if o.Err == nil {
			eng.Add(o.Prepared)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return eng.Report()
}

// dedupRun runs dedup into fresh directories and returns the output
// directory.
func dedupRun(t testing.TB, o Options, inputs ...string) (string, *Summary) {
	t.Helper()
	dir := t.TempDir()
	o.WorkDir, o.OutDir = filepath.Join(dir, "work"), filepath.Join(dir, "out")
	o.Reuse = true
	sum, err := Run(context.Background(), inputs, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return o.OutDir, sum
}

func readClusters(t testing.TB, out string) []Cluster {
	t.Helper()
	f, err := os.Open(filepath.Join(out, ClustersFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cs []Cluster
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c Cluster
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("clusters.jsonl: %v", err)
		}
		cs = append(cs, c)
	}
	return cs
}

func readReuse(t testing.TB, out string) []engine.ReuseInfo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, ReuseFile))
	if err != nil {
		t.Fatal(err)
	}
	var rs []engine.ReuseInfo
	for line := range bytes.Lines(b) {
		var ri engine.ReuseInfo
		if err := json.Unmarshal(line, &ri); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, ri)
	}
	return rs
}

// compareWithAnalyze checks that dedup's output says what analyze's report
// says: the same articles in the same order, the same copy groups (id,
// members, closest to source = the representative under the default
// policy), the same stories and the same reuse.
func compareWithAnalyze(t *testing.T, rep *engine.Report, out string) {
	t.Helper()
	cs := readClusters(t, out)
	if len(cs) != len(rep.Articles) {
		t.Fatalf("got %d articles, analyze has %d", len(cs), len(rep.Articles))
	}
	groups := map[string][]string{}
	reps := map[string]string{}
	var order []string
	for i, c := range cs {
		a := rep.Articles[i]
		if c.ID != a.ID {
			t.Fatalf("article %d is %s, analyze has %s", i, c.ID, a.ID)
		}
		if c.Group != a.CopyGroup {
			t.Errorf("article %s: group %q, analyze says %q", c.ID, c.Group, a.CopyGroup)
		}
		if c.Story != a.Story {
			t.Errorf("article %s: story %q, analyze says %q", c.ID, c.Story, a.Story)
		}
		if c.Group != "" {
			if _, ok := groups[c.Group]; !ok {
				order = append(order, c.Group)
			}
			groups[c.Group] = append(groups[c.Group], c.ID)
			reps[c.Group] = c.Representative
		}
	}
	if len(order) != len(rep.CopyGroups) {
		t.Errorf("got %d copy groups, analyze has %d", len(order), len(rep.CopyGroups))
	}
	for i, g := range rep.CopyGroups {
		if i < len(order) && order[i] != g.ID {
			t.Errorf("copy group %d is %s, analyze has %s", i, order[i], g.ID)
		}
		if !slices.Equal(groups[g.ID], g.Articles) {
			t.Errorf("copy group %s: members %v, analyze has %v", g.ID, groups[g.ID], g.Articles)
		}
		if reps[g.ID] != g.ClosestToSource {
			t.Errorf("copy group %s: representative %s, analyze's closest to source is %s", g.ID, reps[g.ID], g.ClosestToSource)
		}
	}
	key := func(r engine.ReuseInfo) string { b, _ := json.Marshal(r); return string(b) }
	var got, want []string
	for _, r := range readReuse(t, out) {
		got = append(got, key(r))
	}
	for _, r := range rep.Reuse {
		want = append(want, key(r))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("reuse differs from analyze: %d vs %d derivations\nonly dedup: %v\nonly analyze: %v", len(got), len(want), minus(got, want), minus(want, got))
	}
}

func minus(a, b []string) []string {
	in := map[string]int{}
	for _, x := range b {
		in[x]++
	}
	var out []string
	for _, x := range a {
		if in[x] > 0 {
			in[x]--
			continue
		}
		out = append(out, x)
		if len(out) == 5 {
			break
		}
	}
	return out
}

// dupIDFixture writes mixed.jsonl followed by articles that repeat ids
// of earlier ones (some with another article's text, one repeated twice),
// plus a malformed line, so replacement is exercised.
func dupIDFixture(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(mixedFixture)
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	for line := range bytes.Lines(b) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, m := range lines {
		enc.Encode(m)
	}
	out.WriteString("{\"id\": \"broken\n")
	for i, src := range []int{3, 10, 10, 40, 41, 60} {
		m := map[string]any{}
		for k, v := range lines[src] {
			m[k] = v
		}
		if i%2 == 1 {
			m["text"] = lines[(src+7)%len(lines)]["text"]
		}
		enc.Encode(m)
	}
	p := filepath.Join(t.TempDir(), "dupids.jsonl")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAgreesWithAnalyze(t *testing.T) {
	dup := dupIDFixture(t)
	tests := []struct {
		name   string
		opts   engine.Options
		inputs []string
		o      Options
		lists  bool // every bucket through a bucket list, none as triples
	}{
		{"reuse", engine.Options{Level: engine.LevelReuse}, []string{mixedFixture, seedsFixture}, Options{}, false},
		{"near-dup", engine.Options{Level: engine.LevelNearDup}, []string{mixedFixture, seedsFixture}, Options{}, false},
		{"stories", engine.Options{Level: engine.LevelStories}, []string{seedsFixture, mixedFixture}, Options{}, false},
		{"small buckets and few candidates", engine.Options{Level: engine.LevelReuse, MaxBucket: 3, MaxSentenceBucket: 3, MaxCandidates: 2}, []string{mixedFixture, seedsFixture}, Options{}, false},
		{"one hit suffices", engine.Options{Level: engine.LevelReuse, MinSentenceHits: 1, MaxBucket: 6, MaxSentenceBucket: 6}, []string{mixedFixture}, Options{}, false},
		{"repeated ids", engine.Options{Level: engine.LevelReuse}, []string{dup}, Options{}, false},
		{"repeated ids, small buckets", engine.Options{Level: engine.LevelReuse, MaxBucket: 2, MaxSentenceBucket: 2, MaxCandidates: 3}, []string{dup}, Options{}, false},
		{"repeated ids, stories", engine.Options{Level: engine.LevelStories}, []string{dup, seedsFixture}, Options{}, false},
		{"tiny segments and partitions", engine.Options{Level: engine.LevelReuse}, []string{mixedFixture, seedsFixture, dup},
			Options{SegmentArticles: 7, Partitions: 13, Workers: 3}, false},
		{"strict verification, credits decide", engine.Options{Level: engine.LevelReuse, VerifySim: 0.6, MinSentenceHits: 3}, []string{seedsFixture, mixedFixture}, Options{}, false},
		{"sentence buckets smaller than document buckets", engine.Options{Level: engine.LevelReuse, MaxBucket: 6, MaxSentenceBucket: 2, MaxCandidates: 4}, []string{mixedFixture, seedsFixture}, Options{}, false},
		{"loose verification", engine.Options{Level: engine.LevelReuse, VerifySim: 0.01, MaxBucket: 5, MaxSentenceBucket: 5}, []string{mixedFixture, seedsFixture}, Options{}, false},
		{"web archive", engine.Options{Level: engine.LevelReuse}, []string{"../ingest/warc/testdata/fixture.warc.gz", seedsFixture}, Options{}, false},
		{"bucket lists", engine.Options{Level: engine.LevelReuse}, []string{mixedFixture, seedsFixture}, Options{}, true},
		{"bucket lists, small buckets", engine.Options{Level: engine.LevelReuse, MaxBucket: 3, MaxSentenceBucket: 3, MaxCandidates: 2}, []string{mixedFixture, seedsFixture}, Options{}, true},
		{"bucket lists, repeated ids", engine.Options{Level: engine.LevelReuse, MaxBucket: 2, MaxSentenceBucket: 2}, []string{dup, dup}, Options{Workers: 3}, true},
		{"bucket lists, near-dup, tiny budget", engine.Options{Level: engine.LevelNearDup}, []string{dup}, Options{MemBytes: minMem}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.lists {
				defer func(v uint32) { smallBucket = v }(smallBucket)
				smallBucket = 0
			}
			rep := analyzeReport(t, tc.opts, tc.inputs...)
			o := tc.o
			o.Engine = tc.opts
			out, sum := dedupRun(t, o, tc.inputs...)
			compareWithAnalyze(t, rep, out)
			t.Logf("%d articles, %d copy groups, %d reuse, %d stories", len(rep.Articles), len(rep.CopyGroups), len(rep.Reuse), len(rep.Stories))
			if sum.Articles != len(rep.Articles) {
				t.Errorf("summary counts %d articles, want %d", sum.Articles, len(rep.Articles))
			}
		})
	}
}

// TestResultsIndependentOfCuts checks that segment size, partitions and
// worker count change nothing in the outputs, byte for byte.
func TestResultsIndependentOfCuts(t *testing.T) {
	dup := dupIDFixture(t)
	inputs := []string{mixedFixture, seedsFixture, dup}
	var ref map[string][]byte
	for i, o := range []Options{{}, {SegmentArticles: 5, Partitions: 31, Workers: 1}, {SegmentArticles: 50, Partitions: 2, Workers: 4, MemBytes: 64 << 20}} {
		out, _ := dedupRun(t, o, inputs...)
		got := readOutputs(t, out)
		if i == 0 {
			ref = got
			continue
		}
		for name, b := range ref {
			if !bytes.Equal(got[name], b) {
				t.Errorf("options %+v: %s differs", o, name)
			}
		}
	}
}

func readOutputs(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{ClustersFile, DedupFile, SummaryFile, SkippedFile, ReuseFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

func TestOutputs(t *testing.T) {
	dup := dupIDFixture(t)
	out, sum := dedupRun(t, Options{}, seedsFixture, dup)
	cs := readClusters(t, out)
	byID := map[string]Cluster{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	// The seed cluster (testdata/SEEDS.md): 000, 001, 002 are one copy
	// group; 004 partially reuses it; 003 is independent.
	g := byID["000_593ee4de91dc436a"].Group
	for _, id := range []string{"001_81501ed7d460c921", "002_6d69baa46a2ff832"} {
		if byID[id].Group != g || g == "" {
			t.Errorf("%s: group %q, want %q", id, byID[id].Group, g)
		}
	}
	if c := byID["003_a886183e1788cefc"]; c.Group != "" || c.Label != LabelUnique {
		t.Errorf("003: got %+v, want no group, unique", c)
	}
	if c := byID["004_203724dd82367cc3"]; c.Group != "" || c.Label != "partial" || c.PartialOf == "" {
		t.Errorf("004: got %+v, want partial reuse of a seed", c)
	}
	// Filtered output: one line per kept article, each an article.
	b, err := os.ReadFile(filepath.Join(out, DedupFile))
	if err != nil {
		t.Fatal(err)
	}
	var keptIDs []string
	for line := range bytes.Lines(b) {
		var a struct{ ID, Text string }
		if err := json.Unmarshal(line, &a); err != nil || a.Text == "" {
			t.Fatalf("dedup.jsonl line %q: %v", line, err)
		}
		keptIDs = append(keptIDs, a.ID)
	}
	var want []string
	reps := 0
	for _, c := range cs {
		if c.Kept {
			want = append(want, c.ID)
		}
		if c.Label == LabelRepresentative {
			reps++
			if !c.Kept {
				t.Errorf("representative %s not kept", c.ID)
			}
		}
		if c.Group != "" && c.Label != LabelRepresentative && c.Kept {
			t.Errorf("group member %s kept", c.ID)
		}
	}
	if !slices.Equal(keptIDs, want) {
		t.Errorf("dedup.jsonl has %v, clusters.jsonl says %v", keptIDs, want)
	}
	if reps != sum.CopyGroups.Count || sum.Kept != len(want) || sum.Kept+sum.Removed != sum.Articles {
		t.Errorf("summary %+v disagrees with clusters.jsonl (%d representatives, %d kept)", sum, reps, len(want))
	}
	if sum.Skipped.ByReason[ReasonDuplicateID] != 6 || sum.Skipped.ByReason[ReasonMalformed] != 1 {
		t.Errorf("skipped %+v, want 6 duplicate ids (one id three times) and 1 malformed line", sum.Skipped)
	}
	sk, err := os.ReadFile(filepath.Join(out, SkippedFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(sk, []byte("\n")); n != sum.Skipped.Total || !strings.Contains(string(sk), dup+":85") {
		t.Errorf("skipped.jsonl has %d lines (want %d) naming %s:85:\n%s", n, sum.Skipped.Total, dup, sk)
	}
}

func TestPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy Policy
		check  func(t *testing.T, members []Cluster, rep Cluster, c *corpusView)
	}{
		{Longest, func(t *testing.T, ms []Cluster, rep Cluster, c *corpusView) {
			for _, m := range ms {
				if c.words[m.ID] > c.words[rep.ID] {
					t.Errorf("group %s: %s has %d words, more than the representative %s (%d)", rep.Group, m.ID, c.words[m.ID], rep.ID, c.words[rep.ID])
				}
			}
		}},
		{Earliest, func(t *testing.T, ms []Cluster, rep Cluster, c *corpusView) {
			for _, m := range ms {
				if d := c.published[m.ID]; d != "" && (c.published[rep.ID] == "" || d < c.published[rep.ID]) {
					t.Errorf("group %s: %s published %s, before the representative %s (%s)", rep.Group, m.ID, d, rep.ID, c.published[rep.ID])
				}
			}
		}},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			out, _ := dedupRun(t, Options{Policy: tc.policy}, mixedFixture, seedsFixture)
			view := loadView(t, mixedFixture, seedsFixture)
			byGroup := map[string][]Cluster{}
			for _, c := range readClusters(t, out) {
				if c.Group != "" {
					byGroup[c.Group] = append(byGroup[c.Group], c)
				}
			}
			if len(byGroup) == 0 {
				t.Fatal("no copy groups")
			}
			for _, ms := range byGroup {
				var rep Cluster
				n := 0
				for _, m := range ms {
					if m.Label == LabelRepresentative {
						rep = m
						n++
					}
				}
				if n != 1 || rep.ID != ms[0].Representative {
					t.Fatalf("group %s has %d representatives", ms[0].Group, n)
				}
				tc.check(t, ms, rep, view)
			}
		})
	}
}

// corpusView holds per-article facts for checking policies.
type corpusView struct {
	words     map[string]int
	published map[string]string // RFC 3339, "" when unknown
}

func loadView(t testing.TB, inputs ...string) *corpusView {
	v := &corpusView{words: map[string]int{}, published: map[string]string{}}
	pr := engine.NewPreparer(engine.Options{})
	ingest.Read(context.Background(), inputs, ingest.Options{}, func(it ingest.Item) error {
		if it.Err != nil {
			return nil
		}
		p, err := pr.Prepare(it.Article)
		if err != nil {
			return nil
		}
		v.words[p.Article.ID] = p.Words()
		if !p.Article.Published.IsZero() {
			v.published[p.Article.ID] = p.Article.Published.UTC().Format("2006-01-02T15:04:05.000000000Z")
		}
		return nil
	})
	return v
}

func TestWorkMismatch(t *testing.T) {
	dir := t.TempDir()
	o := Options{WorkDir: filepath.Join(dir, "w"), OutDir: filepath.Join(dir, "o"), KeepWork: true}
	if _, err := Run(context.Background(), []string{seedsFixture}, o); err != nil {
		t.Fatal(err)
	}
	o2 := o
	o2.Engine.Level = engine.LevelNearDup
	if _, err := Run(context.Background(), []string{seedsFixture}, o2); err == nil || !strings.Contains(err.Error(), "other options") {
		t.Errorf("other options: got %v, want ErrWorkMismatch", err)
	}
	if _, err := Run(context.Background(), []string{mixedFixture}, o); err == nil || !strings.Contains(err.Error(), "inputs differ") {
		t.Errorf("other inputs: got %v, want ErrWorkMismatch", err)
	}
	o2.Fresh = true
	if _, err := Run(context.Background(), []string{seedsFixture}, o2); err != nil {
		t.Errorf("fresh: %v", err)
	}
}

// TestWorkRemoved: a finished run removes its work directory, unless
// KeepWork; files of others in it are left, and with them the directory.
func TestWorkRemoved(t *testing.T) {
	dir := t.TempDir()
	run := func(o Options) {
		t.Helper()
		if _, err := Run(context.Background(), []string{seedsFixture}, o); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(o.OutDir, ClustersFile)); err != nil {
			t.Fatalf("outputs: %v", err)
		}
	}
	o := Options{WorkDir: filepath.Join(dir, "w"), OutDir: filepath.Join(dir, "o")}
	run(o)
	if _, err := os.Stat(o.WorkDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("work directory after a finished run: %v, want it removed", err)
	}
	o.KeepWork = true
	run(o)
	if _, err := loadManifest(o.WorkDir); err != nil {
		t.Errorf("KeepWork: manifest: %v, want it kept", err)
	}
	// Run again without KeepWork: it resumes from the finished run's
	// checkpoint, then removes the run's files but not a file of the
	// user's.
	mine := filepath.Join(o.WorkDir, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	o.KeepWork = false
	run(o)
	ents, err := os.ReadDir(o.WorkDir)
	if err != nil || len(ents) != 1 || ents[0].Name() != "notes.txt" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("work directory holding a file of the user's: %v (err %v), want only notes.txt", names, err)
	}
}

// sharedData finds the project's shared corpora, which the tests must not
// need: $WIRETRACE_SHARED, else ../shared beside the checkout (or beside
// a worktree's parent).
func sharedData(t testing.TB) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("WIRETRACE_SHARED"), "../../shared", "../../../shared"} {
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

// TestAgreesWithAnalyzeCorpus is the acceptance test: on the first 20,000
// articles of Reuters-21578 followed by BBC News, dedup and analyze agree
// exactly on copy groups (and on stories and every derivation).
func TestAgreesWithAnalyzeCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: takes about 15 seconds")
	}
	data := sharedData(t)
	var files []string
	for _, name := range []string{"reuters21578.jsonl", "bbc.jsonl"} {
		p := filepath.Join(data, name)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("real data not present (%s): %v", p, err)
		}
		files = append(files, p)
	}
	subset := filepath.Join(t.TempDir(), "subset.jsonl")
	if err := headLines(subset, 20000, files...); err != nil {
		t.Fatal(err)
	}
	for _, lv := range []engine.Level{engine.LevelReuse, engine.LevelNearDup} {
		t.Run(lv.String(), func(t *testing.T) {
			opts := engine.Options{Level: lv}
			rep := analyzeReport(t, opts, subset)
			out, _ := dedupRun(t, Options{Engine: opts, SegmentArticles: 3000}, subset)
			compareWithAnalyze(t, rep, out)
			t.Logf("%d articles, %d copy groups, %d reuse", len(rep.Articles), len(rep.CopyGroups), len(rep.Reuse))
			if len(rep.CopyGroups) < 100 {
				t.Errorf("only %d copy groups: the subset does not exercise grouping", len(rep.CopyGroups))
			}
		})
	}
}

// headLines writes the first n lines of the concatenation of files to dst.
func headLines(dst string, n int, files ...string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for n > 0 && sc.Scan() {
			w.Write(sc.Bytes())
			w.WriteByte('\n')
			n--
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Close()
}
