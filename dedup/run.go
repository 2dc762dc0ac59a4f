package dedup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// runner is one run over a work directory.
type runner struct {
	opts     Options
	inputs   []string
	work     string
	man      *manifest
	budget   budget
	log      *slog.Logger
	stats    readStats
	totalIn  int64
	c        *corpus
	replaced map[uint32]uint32 // replacing handle → replaced handle
}

// Run deduplicates the articles of inputs (files, directories, "-" for
// standard input; see ingest.Read) and writes the outputs to
// opts.OutDir. It resumes from the checkpoint in opts.WorkDir when there is
// one for the same inputs and options, and gives the same outputs as an
// uninterrupted run. Inputs that cannot be read are skipped, counted and
// named in the summary.
func Run(ctx context.Context, inputs []string, opts Options) (*Summary, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if len(inputs) == 0 {
		return nil, errors.New("dedup: no inputs")
	}
	o := opts.withDefaults()
	for _, d := range []string{o.WorkDir, o.OutDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	stamps, err := stampInputs(inputs)
	if err != nil {
		return nil, err
	}
	r := &runner{opts: o, inputs: inputs, work: o.WorkDir, log: o.Logger, budget: o.budget(o.Workers), totalIn: totalBytes(stamps)}
	if o.Fresh {
		if err := r.clean(func(string) bool { return true }); err != nil {
			return nil, err
		}
		os.Remove(filepath.Join(r.work, manifestName))
	}
	m, err := loadManifest(r.work)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		m = &manifest{Version: FormatVersion, WorkHash: o.workHash(), Inputs: stamps}
		if err := r.clean(func(string) bool { return true }); err != nil {
			return nil, err
		}
		if err := m.save(r.work); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case m.WorkHash != o.workHash():
		return nil, fmt.Errorf("%w: %s was made with other options (run afresh to discard it)", ErrWorkMismatch, r.work)
	case !sameStamps(m.Inputs, stamps):
		return nil, fmt.Errorf("%w: the inputs differ from those %s was made for, or changed since (run afresh to discard it)", ErrWorkMismatch, r.work)
	default:
		r.log.Info("resuming", "work", r.work, "segments", len(m.Segments), "read_done", m.ReadDone,
			"candidates_done", len(m.CandDone), "aligned_done", len(m.EdgeDone))
	}
	r.man = m
	if err := r.clean(r.stale); err != nil {
		return nil, err
	}

	step := func(p Pass, fn func() error) error {
		start := time.Now()
		if err := fn(); err != nil {
			return err
		}
		r.log.Info("pass done", "pass", p, "elapsed", time.Since(start).Round(time.Millisecond))
		return nil
	}
	if !m.ReadDone {
		if err := step(PassRead, func() error { return r.readPass(ctx) }); err != nil {
			return nil, err
		}
	}
	c, err := r.openCorpus()
	if err != nil {
		return nil, err
	}
	defer c.close()
	r.c = c
	if !m.IDsDone {
		if err := step(PassIDs, func() error { return r.idsPass(ctx) }); err != nil {
			return nil, err
		}
	}
	if m.Parts == 0 {
		r.planPartitions()
		if err := m.save(r.work); err != nil {
			return nil, err
		}
	}
	if !m.PairsOK {
		if err := step(PassPairs, func() error { return r.pairsPass(ctx) }); err != nil {
			return nil, err
		}
	}
	if err := step(PassCandidates, func() error { return r.candidatesPass(ctx) }); err != nil {
		return nil, err
	}
	if err := r.clean(func(name string) bool {
		ext := filepath.Ext(name)
		return ext == ".pairs" || ext == ".refs" || ext == ".list"
	}); err != nil {
		return nil, err
	}
	if err := step(PassAlign, func() error { return r.alignPass(ctx) }); err != nil {
		return nil, err
	}
	var oc *outcome
	if err := step(PassGroups, func() (err error) { oc, err = r.groupsPass(ctx); return err }); err != nil {
		return nil, err
	}
	var sum *Summary
	if err := step(PassOutput, func() (err error) { sum, err = r.writeOutputs(ctx, oc); return err }); err != nil {
		return nil, err
	}
	if !o.KeepWork {
		if err := r.removeWork(); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// removeWork removes the run's files from the work directory, once the
// outputs are durable (a run killed before the end finds the checkpoint
// and writes the outputs again), then the manifest, and the directory if
// nothing else is in it.
func (r *runner) removeWork() error {
	if err := r.clean(func(string) bool { return true }); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(r.work, manifestName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Remove(r.work); err != nil {
		r.log.Debug("work directory kept", "work", r.work, "why", err)
	}
	return nil
}

func (r *runner) progress(p Progress) {
	if r.opts.Progress != nil {
		r.opts.Progress(p)
	}
}

// workFile matches the names of the files a run writes in its work
// directory; nothing else there is touched.
var workFile = regexp.MustCompile(`^(seg-(\d{6})\..*|part-(\d{5})\.(pairs|refs|cand|edges)(\.tmp)?|bucket-\d{3,}\.list|manifest\.json\.tmp)$`)

// clean removes the run's files for which remove reports true.
func (r *runner) clean(remove func(name string) bool) error {
	ents, err := os.ReadDir(r.work)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if !workFile.MatchString(name) || !remove(name) {
			continue
		}
		if err := os.Remove(filepath.Join(r.work, name)); err != nil {
			return err
		}
	}
	return nil
}

// stale reports the files the manifest does not account for: leftovers of
// a step that was interrupted, to be redone.
func (r *runner) stale(name string) bool {
	m := r.man
	sm := workFile.FindStringSubmatch(name)
	if sm == nil {
		return false
	}
	if filepath.Ext(name) == ".tmp" {
		return true
	}
	if sm[2] != "" {
		i, _ := strconv.Atoi(sm[2])
		return i > len(m.Segments)
	}
	if filepath.Ext(name) == ".list" {
		return !m.PairsOK || len(m.CandDone) == m.Parts
	}
	p, _ := strconv.Atoi(sm[3])
	switch sm[4] {
	case "pairs", "refs":
		return !m.PairsOK || slices.Contains(m.CandDone, p)
	case "cand":
		return !slices.Contains(m.CandDone, p)
	case "edges":
		return !slices.Contains(m.EdgeDone, p)
	}
	return false
}
