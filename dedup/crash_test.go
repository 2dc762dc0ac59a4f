//go:build unix

package dedup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The crash test re-executes the test binary as a dedup run (selected by
// envChild, configured by a childConfig in it) that SIGKILLs itself at a
// chosen point, or that the test SIGKILLs after a random delay, then
// resumes the run and checks that the outputs are byte for byte those of
// an uninterrupted run.
const envChild = "WIRETRACE_DEDUP_CHILD"

type childConfig struct {
	Inputs []string
	Work   string
	Out    string
	// The options that vary (Options itself holds functions).
	SegmentArticles, Partitions, Workers int
	// KillPass and KillAt: SIGKILL when a progress report of KillPass has
	// Done ≥ KillAt (Articles ≥ KillAt for PassRead).
	KillPass Pass
	KillAt   int64
}

func TestMain(m *testing.M) {
	if cfg := os.Getenv(envChild); cfg != "" {
		os.Exit(crashChild(cfg))
	}
	os.Exit(m.Run())
}

func crashChild(cfgJSON string) int {
	var cfg childConfig
	if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "child config:", err)
		return 2
	}
	o := Options{WorkDir: cfg.Work, OutDir: cfg.Out, Reuse: true,
		SegmentArticles: cfg.SegmentArticles, Partitions: cfg.Partitions, Workers: cfg.Workers}
	o.Progress = func(p Progress) {
		if p.Pass != cfg.KillPass {
			return
		}
		n := p.Done
		if p.Pass == PassRead {
			n = p.Articles
		}
		if n >= cfg.KillAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
	if _, err := Run(context.Background(), cfg.Inputs, o); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return 3
	}
	return 0
}

// runChild runs one child; killAfter > 0 also kills it after that delay.
// It reports whether the child died of SIGKILL.
func runChild(t *testing.T, cfg childConfig, killAfter time.Duration) bool {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+string(b))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		t.Fatalf("child failed: %v\n%s", err, stderr.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

type kill struct {
	pass Pass
	at   int64
}

func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dup := dupIDFixture(t)
	inputs := []string{mixedFixture, seedsFixture, dup}
	base := childConfig{Inputs: inputs, SegmentArticles: 20, Partitions: 9, Workers: 2}
	refOut, _ := dedupRun(t, Options{SegmentArticles: 20, Partitions: 9, Workers: 2}, inputs...)
	ref := readOutputs(t, refOut)

	tests := []struct {
		name  string
		kills []kill
	}{
		{"after 50 articles", []kill{{PassRead, 50}}},
		{"after 120 articles", []kill{{PassRead, 120}}},
		{"while merging pairs", []kill{{PassPairs, 3}}},
		{"during candidates", []kill{{PassCandidates, 2}}},
		{"during alignment", []kill{{PassAlign, 4}}},
		{"while writing outputs", []kill{{PassOutput, 20}}},
		{"twice: reading, then aligning", []kill{{PassRead, 40}, {PassAlign, 6}}},
		{"three times", []kill{{PassRead, 70}, {PassCandidates, 5}, {PassGroups, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := base
			cfg.Work, cfg.Out = filepath.Join(dir, "work"), filepath.Join(dir, "out")
			for _, k := range tc.kills {
				cfg.KillPass, cfg.KillAt = k.pass, k.at
				if !runChild(t, cfg, 0) {
					t.Fatalf("the run finished before %s reached %d", k.pass, k.at)
				}
				checkCheckpoint(t, cfg.Work, k, cfg.SegmentArticles)
			}
			cfg.KillPass = ""
			if runChild(t, cfg, 0) {
				t.Fatal("the resumed run was killed")
			}
			got := readOutputs(t, cfg.Out)
			for name, b := range ref {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from the uninterrupted run's", name)
				}
			}
		})
	}

	// Kills at random moments (timed against an uninterrupted child).
	dir := t.TempDir()
	cfg := base
	cfg.Work, cfg.Out = filepath.Join(dir, "w0"), filepath.Join(dir, "o0")
	start := time.Now()
	runChild(t, cfg, 0)
	full := time.Since(start)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range 3 {
		delay := time.Duration(rng.Int64N(int64(full)))
		t.Run(fmt.Sprintf("random kill %d after %v", i, delay.Round(time.Millisecond)), func(t *testing.T) {
			cfg := base
			cfg.Work, cfg.Out = filepath.Join(dir, fmt.Sprint("w", i+1)), filepath.Join(dir, fmt.Sprint("o", i+1))
			killed := runChild(t, cfg, delay)
			if runChild(t, cfg, 0) {
				t.Fatal("the resumed run was killed")
			}
			got := readOutputs(t, cfg.Out)
			for name, b := range ref {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from the uninterrupted run's (first run killed: %v)", name, killed)
				}
			}
		})
	}
}

// checkCheckpoint checks that a run killed in pass k.pass left the
// checkpoint of the passes before it, and some of its own, so that
// resuming does not start over.
func checkCheckpoint(t *testing.T, work string, k kill, segment int) {
	t.Helper()
	p := k.pass
	m, err := loadManifest(work)
	if err != nil {
		t.Fatalf("manifest after a kill in %s: %v", p, err)
	}
	var ok bool
	switch p {
	case PassRead:
		// Segments commit in the background, one at a time: the last
		// full one may still have been in flight, and the one before
		// waiting for it.
		ok = !m.ReadDone && len(m.Segments) >= int(k.at)/segment-2
	case PassPairs:
		ok = m.ReadDone && m.IDsDone && m.Parts > 0 && !m.PairsOK
	case PassCandidates:
		ok = m.PairsOK && len(m.CandDone) > 0 && len(m.CandDone) < m.Parts && len(m.EdgeDone) == 0
	case PassAlign:
		ok = len(m.CandDone) == m.Parts && len(m.EdgeDone) > 0 && len(m.EdgeDone) < m.Parts
	default:
		ok = len(m.EdgeDone) == m.Parts
	}
	if !ok {
		t.Errorf("killed in %s, the checkpoint says: read_done %v, %d segments, ids %v, pairs %v, %d/%d candidates, %d/%d aligned",
			p, m.ReadDone, len(m.Segments), m.IDsDone, m.PairsOK, len(m.CandDone), m.Parts, len(m.EdgeDone), m.Parts)
	}
}
