package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace/dedup"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

func newDedupCmd(g *globals) *cobra.Command {
	var (
		out, work, level, policy, mem       string
		workers                             int
		dropPartial, reuse, fresh, keepWork bool
		storyT                              float64
	)
	cmd := &cobra.Command{
		Use:   "dedup INPUT... | -",
		Short: "Deduplicate a large corpus: copy groups, one representative each, in bounded memory",
		Long: `Deduplicate millions of articles on one machine with the engine analyze and
serve use: near-duplicates, reworded copies and partial reuse, found
sentence by sentence, with memory bounded by --mem (sketches and indexes are
spilled to a work directory). An interrupted run resumes from its last
checkpoint when started again with the same inputs and options, and gives
the same outputs; a finished run removes its work directory (--keep-work
keeps it).

Inputs are JSONL files (plain, .gz or .zst), text files, directories of them
(walked recursively), glob patterns, and "-" for JSONL on standard input.

Outputs, in --out:
  clusters.jsonl  every article: copy group, story, label relative to the
                  group's representative, and whether it is kept
  dedup.jsonl     the articles kept: one representative per copy group
                  (--policy) and every article in no group
  summary.json    counts per label, copy group sizes, skipped inputs
  skipped.jsonl   every input left out, with the reason
  reuse.jsonl     every derivation between two articles (with --reuse)

Malformed lines, damaged compressed files and oversized articles are
skipped, counted and named; the exit status is then 3 (0 when every input
was read, 1 on failure).`,
		Args: cobra.MinimumNArgs(1),
		Example: `  wiretrace dedup --out news-dedup cc-news/*.jsonl.zst
  wiretrace dedup --level near-dup --mem 1GB archive.jsonl.gz
  zcat feed.jsonl.gz | wiretrace dedup --out feed-dedup -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			lv, err := engine.ParseLevel(level)
			if err != nil {
				return err
			}
			pol, err := dedup.ParsePolicy(policy)
			if err != nil {
				return err
			}
			memBytes, err := parseSize(mem)
			if err != nil {
				return fmt.Errorf("--mem: %w", err)
			}
			inputs, err := ingest.ExpandGlobs(args)
			if err != nil {
				return err
			}
			if work == "" {
				work = filepath.Clean(out) + ".work"
			}
			// The Go runtime is held under the budget too (unless
			// GOMEMLIMIT says otherwise), with a tenth left for what it
			// does not count.
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(memBytes / 10 * 9)
			}
			o := dedup.Options{
				Engine: engine.Options{Level: lv}, Policy: pol, DropPartial: dropPartial, Reuse: reuse,
				MemBytes: memBytes, Workers: workers, WorkDir: work, OutDir: out, Fresh: fresh, KeepWork: keepWork,
				Stdin: g.stdin, Logger: g.logger(),
			}
			o.Engine.Story.Threshold = storyT
			pr := newDedupProgress(g)
			o.Progress = pr.update
			// A resumed run's time is not the corpus's: the summary
			// says so instead of giving a rate.
			resumed := !fresh && dedup.HasCheckpoint(work)
			start := time.Now()
			sum, err := dedup.Run(cmd.Context(), inputs, o)
			pr.finish(err == nil)
			if err != nil {
				if errors.Is(err, dedup.ErrWorkMismatch) {
					return fmt.Errorf("%w (or pass --fresh)", err)
				}
				return err
			}
			writeDedupSummary(g.stdout, sum, out, time.Since(start), pr.readElapsed(), resumed)
			if sum.Skipped.Total > 0 {
				return &exitError{code: 3, err: fmt.Errorf("%d inputs skipped (see %s)", sum.Skipped.Total, filepath.Join(out, dedup.SkippedFile))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "dedup-out", "output directory")
	f.StringVar(&work, "work", "", "work directory for spilled data and the checkpoint (default: OUT.work, next to the output)")
	f.StringVar(&level, "level", "reuse", "near-dup (document level only, fastest), reuse (reworded and partial reuse) or stories (plus story clustering)")
	f.StringVar(&policy, "policy", string(dedup.Closest), "representative kept per copy group: closest-to-source, earliest or longest")
	f.BoolVar(&dropPartial, "drop-partial", false, "also drop articles outside copy groups that partially reuse another")
	f.BoolVar(&reuse, "reuse", false, "also write reuse.jsonl, every derivation between two articles")
	f.StringVar(&mem, "mem", "2GB", "memory budget (e.g. 512MB, 2GB)")
	f.IntVar(&workers, "workers", 0, "parallel workers (0: one per core); results do not depend on it")
	f.BoolVar(&fresh, "fresh", false, "discard the work directory's checkpoint and start over")
	f.BoolVar(&keepWork, "keep-work", false, "keep the work directory after a finished run (an interrupted run always keeps it, to resume)")
	f.Float64Var(&storyT, "story-threshold", 0, "least event similarity for joining a story at --level stories (0: the default, 0.3)")
	return cmd
}

// parseSize reads a byte size: a number with an optional unit (B, KB, MB,
// GB, TB, powers of 1024; KiB, MiB, GiB, TiB too).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || v*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return int64(v * float64(mult)), nil
}

// writeDedupSummary prints the human-readable summary.
func writeDedupSummary(w io.Writer, s *dedup.Summary, out string, elapsed, read time.Duration, resumed bool) {
	fmt.Fprintf(w, "%d articles (%s of text) at level %s", s.Articles, humanBytes(s.TextBytes), s.Level)
	if resumed {
		fmt.Fprintf(w, ": resumed from a checkpoint, finished in %s", elapsed.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, " in %s: %.0f articles/s", elapsed.Round(time.Millisecond), float64(s.Articles)/elapsed.Seconds())
		if read > 0 {
			fmt.Fprintf(w, " (reading and preparing %s)", read.Round(time.Millisecond))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "kept %d, removed %d (policy %s", s.Kept, s.Removed, s.Policy)
	if s.DropPartial {
		fmt.Fprint(w, ", partial reuse dropped")
	}
	fmt.Fprintln(w, ")")
	fmt.Fprintf(w, "%d copy groups holding %d articles (largest %d); %d stories, %d with several articles\n",
		s.CopyGroups.Count, s.CopyGroups.Articles, s.CopyGroups.Largest, s.Stories, s.MultiStories)
	fmt.Fprintln(w, "articles by label:")
	for _, k := range sortedKeys(s.Labels) {
		fmt.Fprintf(w, "  %-15s %d\n", k, s.Labels[k])
	}
	if len(s.CopyGroups.Sizes) > 0 {
		fmt.Fprintln(w, "copy group sizes:")
		for _, b := range s.CopyGroups.Sizes {
			r := strconv.Itoa(b.Min)
			if b.Max != b.Min {
				r += "-" + strconv.Itoa(b.Max)
			}
			fmt.Fprintf(w, "  %-15s %d groups, %d articles\n", r, b.Groups, b.Articles)
		}
	}
	if s.Skipped.Total > 0 {
		fmt.Fprintf(w, "skipped %d inputs:", s.Skipped.Total)
		for _, k := range sortedKeys(s.Skipped.ByReason) {
			fmt.Fprintf(w, " %s %d", k, s.Skipped.ByReason[k])
		}
		fmt.Fprintln(w)
		for _, e := range s.Skipped.Examples {
			fmt.Fprintf(w, "  %s: %s\n", e.Reason, e.Error)
		}
		if s.Skipped.Total > len(s.Skipped.Examples) {
			fmt.Fprintf(w, "  … all in %s\n", filepath.Join(out, dedup.SkippedFile))
		}
	}
	fmt.Fprintf(w, "outputs in %s\n", out)
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
