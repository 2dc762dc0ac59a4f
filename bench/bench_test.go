package bench

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestRun measures the seeds and two BASIL events (11 records): 8 indexed,
// 3 queried.
func TestRun(t *testing.T) {
	var phases []string
	res, err := Run(context.Background(), Config{Path: "testdata/small/labelled.jsonl", N: 8, Queries: 3,
		Progress: func(r *Result) { phases = append(phases, r.Phase) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(phases, ","); got != "end to end,queries,memory,prepare,report,align,quality" || res.Phase != "quality" {
		t.Errorf("phases: got %s (last %q)", got, res.Phase)
	}
	if res.Indexed != 8 || res.Stopped != "" {
		t.Fatalf("got %d indexed (stopped %q), want 8", res.Indexed, res.Stopped)
	}
	for name, s := range map[string]Stage{"end to end": res.EndToEnd, "read": res.Read, "add": res.Add, "prepare": res.Prepare} {
		if s.Items != 8 || s.Seconds <= 0 || s.PerSecond <= 0 || s.MBPerSecond <= 0 {
			t.Errorf("%s: got %+v, want 8 items and positive rates", name, s)
		}
	}
	if res.Align.Items == 0 {
		t.Errorf("align: got no pairs, want the seeds' reuse pairs")
	}
	if res.Query.Queries != 3 || !(res.Query.P50 > 0 && res.Query.P50 <= res.Query.P90 && res.Query.P90 <= res.Query.P99 && res.Query.P99 <= res.Query.Max) {
		t.Errorf("query latency: got %+v", res.Query)
	}
	if k := res.QueryKnown; k.Queries != 3 || k.MeanMatches < 1 {
		t.Errorf("known queries: got %+v, want 3 that each find at least themselves", k)
	}
	if res.HeapBytes <= 0 || res.IndexBytesPerArticle <= 0 {
		t.Errorf("memory: got heap %d, %.0f bytes per article", res.HeapBytes, res.IndexBytesPerArticle)
	}
	// The five seeds are indexed: one story, one copy group of three.
	if res.Quality.StoryPairF1 != 1 || res.Quality.CopyPairF1 != 1 {
		t.Errorf("quality: got %+v, want story and copy-group F1 1", res.Quality)
	}
	b, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(b), `"version":1`) {
		t.Errorf("json: %v %s", err, b)
	}
}

// TestRunStopsAtLimit checks that a limit ends the run and says why.
func TestRunStopsAtLimit(t *testing.T) {
	res, err := Run(context.Background(), Config{Path: "testdata/small/labelled.jsonl", N: 11, MaxTime: time.Nanosecond, CheckEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Indexed != 3 || !strings.Contains(res.Stopped, "time limit") {
		t.Fatalf("got %d indexed, stopped %q; want 3 and the time limit", res.Indexed, res.Stopped)
	}
	if res.Quality.StoryPairF1 <= 0 {
		t.Errorf("quality of the 3 indexed: got %+v", res.Quality)
	}
}

func TestRunMissingFile(t *testing.T) {
	if _, err := Run(context.Background(), Config{Path: "testdata/nope.jsonl", N: 5}); err == nil {
		t.Fatal("got no error for a missing file")
	}
}

func TestProcValue(t *testing.T) {
	if v := procStatus("VmRSS"); v < 0 {
		t.Fatalf("VmRSS %d", v)
	}
	if v := procValue("testdata/nope", "VmRSS"); v != 0 {
		t.Fatalf("got %d for a missing file, want 0", v)
	}
}
