package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/eval"
)

// floorFileVersion is the version of docs/quality-floor.json. Changelog:
//
//	1: tolerance and floors (name, dataset, metric, floor).
const floorFileVersion = 1

// floorFile is docs/quality-floor.json: the scores CI holds the engine to
// (docs/quality.md says how they were measured).
type floorFile struct {
	Version   int     `json:"version"`
	Tolerance float64 `json:"tolerance"`
	Floors    []floor `json:"floors"`
}

type floor struct {
	Name string `json:"name"`
	// Dataset is a labelled JSONL file, relative to the repository root,
	// or "shared:" and a path relative to the shared corpora
	// ($WIRETRACE_SHARED, else ../shared beside the checkout).
	Dataset string  `json:"dataset"`
	Metric  string  `json:"metric"`
	Floor   float64 `json:"floor"`
}

func readFloors(path string) (*floorFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f floorFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if f.Version != floorFileVersion {
		return nil, fmt.Errorf("read %s: version %d, this test reads %d", path, f.Version, floorFileVersion)
	}
	return &f, nil
}

// metricValue picks a score out of an eval report by name:
// {stories,copy_groups}.{pairwise,bcubed}.{precision,recall,f1},
// {stories,copy_groups}.{ari,nmi}, derivations.{pair_found,label_exact}.f1.
func metricValue(r *eval.Report, name string) (float64, error) {
	parts := strings.Split(name, ".")
	var cs *eval.ClusterScores
	switch parts[0] {
	case "stories":
		cs = r.Stories
	case "copy_groups":
		cs = r.CopyGroups
	case "derivations":
		if r.Derivations == nil || len(parts) != 3 || parts[2] != "f1" {
			break
		}
		switch parts[1] {
		case "pair_found":
			return r.Derivations.PairFound.F1, nil
		case "label_exact":
			return r.Derivations.LabelExact.F1, nil
		}
	}
	if cs != nil {
		switch {
		case len(parts) == 2 && parts[1] == "ari":
			return cs.ARI, nil
		case len(parts) == 2 && parts[1] == "nmi":
			return cs.NMI, nil
		case len(parts) == 3:
			var prf eval.PRF
			switch parts[1] {
			case "pairwise":
				prf = cs.Pairwise
			case "bcubed":
				prf = cs.BCubed
			default:
				return 0, fmt.Errorf("unknown metric %q", name)
			}
			switch parts[2] {
			case "precision":
				return prf.Precision, nil
			case "recall":
				return prf.Recall, nil
			case "f1":
				return prf.F1, nil
			}
		}
	}
	return 0, fmt.Errorf("unknown metric %q, or the data set has no truth for it", name)
}

// sharedDir finds the shared corpora: $WIRETRACE_SHARED, else ../shared
// beside the checkout.
func sharedDir() (string, bool) {
	for _, d := range []string{os.Getenv("WIRETRACE_SHARED"), filepath.Join("..", "..", "..", "shared")} {
		if d == "" {
			continue
		}
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
	}
	return "", false
}

// TestQualityFloor runs the engine with its defaults on each data set of
// docs/quality-floor.json and fails when a score falls more than the
// tolerance below its floor. A data set in ../shared is skipped, visibly,
// when ../shared is absent.
func TestQualityFloor(t *testing.T) {
	ff, err := readFloors("../../docs/quality-floor.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ff.Floors {
		t.Run(f.Name, func(t *testing.T) {
			path := filepath.Join("..", "..", f.Dataset)
			if rel, ok := strings.CutPrefix(f.Dataset, "shared:"); ok {
				dir, found := sharedDir()
				if !found {
					t.Skipf("QUALITY FLOOR NOT CHECKED: %s needs the shared corpora (set WIRETRACE_SHARED or put ../shared beside the checkout)", f.Dataset)
				}
				path = filepath.Join(dir, rel)
			}
			d, err := eval.LoadLabelled(path, eval.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			g := &globals{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
			rep, _, err := evaluate(context.Background(), g, f.Dataset, d, engine.Options{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := metricValue(rep, f.Metric)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s = %.4f (floor %.4f, tolerance %.2f)", f.Dataset, f.Metric, got, f.Floor, ff.Tolerance)
			if got < f.Floor-ff.Tolerance {
				t.Errorf("%s on %s: got %.4f, more than %.2f below the floor %.4f (docs/quality.md)", f.Metric, f.Dataset, got, ff.Tolerance, f.Floor)
			}
		})
	}
}

func TestMetricValue(t *testing.T) {
	r := &eval.Report{
		Stories:     &eval.ClusterScores{Pairwise: eval.PRF{Precision: 0.5, Recall: 0.25, F1: 0.3}, BCubed: eval.PRF{F1: 0.7}, ARI: 0.1, NMI: 0.2},
		Derivations: &eval.EdgeScores{PairFound: eval.PRF{F1: 0.9}},
	}
	cases := []struct {
		name string
		want float64
		err  bool
	}{
		{"stories.pairwise.f1", 0.3, false},
		{"stories.pairwise.recall", 0.25, false},
		{"stories.bcubed.f1", 0.7, false},
		{"stories.ari", 0.1, false},
		{"stories.nmi", 0.2, false},
		{"derivations.pair_found.f1", 0.9, false},
		{"copy_groups.pairwise.f1", 0, true}, // no copy-group truth
		{"stories.pairwise.accuracy", 0, true},
		{"speed", 0, true},
	}
	for _, c := range cases {
		got, err := metricValue(r, c.name)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s: got %v, %v; want %v, error %v", c.name, got, err, c.want, c.err)
		}
	}
}

func TestReadFloorsRefusesUnknownVersion(t *testing.T) {
	p := filepath.Join(t.TempDir(), "floor.json")
	if err := os.WriteFile(p, []byte(`{"version": 2, "floors": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readFloors(p); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("got %v, want a version error", err)
	}
	if _, err := readFloors(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want not-exist", err)
	}
}
