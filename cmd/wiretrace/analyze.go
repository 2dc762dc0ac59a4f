package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

func newAnalyzeCmd(g *globals) *cobra.Command {
	var (
		asJSON  bool
		workers int
		level   string
		storyT  float64
	)
	cmd := &cobra.Command{
		Use:   "analyze PATH... | -",
		Short: "Analyse a set of articles: copies, copy groups, reuse and stories",
		Long: `Analyse articles from text files, directories (recursive) and JSONL files
("-" reads JSONL from standard input). Prints the stories, the copy groups
and every reuse between two articles; --json prints the documented contract
(docs/json.md).

Inputs that cannot be read are reported on standard error, naming the file or
line, and the rest is processed. The exit status is 0 when every input was
read, 3 when some were skipped, 1 on failure.`,
		Args: cobra.MinimumNArgs(1),
		Example: `  wiretrace analyze testdata/seeds
  wiretrace analyze --json articles.jsonl > report.json
  cat feed.jsonl | wiretrace analyze -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			lv, err := engine.ParseLevel(level)
			if err != nil {
				return err
			}
			opts := engine.Options{Level: lv}
			opts.Story.Threshold = storyT
			res, err := analyze(cmd.Context(), g, args, opts, workers)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res.Report); err != nil {
					return err
				}
			} else {
				writeReport(g.stdout, res.Report, res.Stats)
			}
			if res.Stats.Skipped > 0 {
				return &exitError{code: 3, err: fmt.Errorf("%d of %d inputs skipped (see messages above)", res.Stats.Skipped, res.Stats.Read+res.Stats.Skipped)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the JSON report (docs/json.md)")
	cmd.Flags().IntVar(&workers, "workers", 0, "preparation workers (0: one per core); results do not depend on it")
	cmd.Flags().StringVar(&level, "level", "stories", "how deep to look: near-dup, reuse or stories")
	cmd.Flags().Float64Var(&storyT, "story-threshold", 0, "least event similarity for joining a story (0: the default, 0.3)")
	return cmd
}

// runStats counts what a run read and skipped.
type runStats struct {
	Read    int
	Skipped int
	Bytes   int64
	Elapsed time.Duration
}

type analysis struct {
	Engine *engine.Engine
	Report *engine.Report
	Stats  runStats
}

// analyze reads, prepares and indexes every input, in input order.
func analyze(ctx context.Context, g *globals, inputs []string, opts engine.Options, workers int) (*analysis, error) {
	return runEngine(ctx, g, opts, workers, func(ctx context.Context, send func(engine.Input) error) error {
		return ingest.Read(ctx, inputs, ingest.Options{Stdin: g.stdin}, func(it ingest.Item) error {
			return send(engine.Input{Article: it.Article, Err: it.Err})
		})
	})
}

// feeder sends the articles to analyse, in order, through send; send fails
// with ctx's error once the run is cancelled.
type feeder func(ctx context.Context, send func(engine.Input) error) error

// runEngine prepares and indexes what feed sends, in the order it is sent
// (analyze and eval both run the engine through it).
func runEngine(ctx context.Context, g *globals, opts engine.Options, workers int, feed feeder) (*analysis, error) {
	start := time.Now()
	eng, err := engine.New(opts)
	if err != nil {
		return nil, err
	}
	log := g.logger()
	var st runStats
	in := make(chan engine.Input, 64)
	readErr := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(in)
		readErr <- feed(ctx, func(x engine.Input) error {
			select {
			case in <- x:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	skips := newSkipReporter(g)
	err = engine.PrepareOrdered(ctx, opts, workers, in, func(o engine.Output) error {
		if o.Err != nil {
			st.Skipped++
			skips.report(o.Err)
			return nil
		}
		st.Read++
		st.Bytes += int64(o.Prepared.Bytes)
		eng.Add(o.Prepared)
		return nil
	})
	if rerr := <-readErr; err == nil && rerr != nil && !errors.Is(rerr, context.Canceled) {
		err = rerr
	}
	skips.summary()
	if err != nil {
		return nil, err
	}
	st.Elapsed = time.Since(start)
	es := eng.Stats()
	log.Debug("analysed", "articles", st.Read, "skipped", st.Skipped, "bytes", st.Bytes, "elapsed", st.Elapsed,
		"aligned_pairs", es.Aligned, "reuse_pairs", es.Reuse)
	return &analysis{Engine: eng, Report: eng.Report(), Stats: st}, nil
}

// skipReporter prints skipped inputs on stderr: every one with -v, else
// the first maxSkipLines and then a count per reason at the end.
type skipReporter struct {
	g        *globals
	n        int
	byReason map[string]int
	order    []string
}

const maxSkipLines = 20

func newSkipReporter(g *globals) *skipReporter {
	return &skipReporter{g: g, byReason: map[string]int{}}
}

func (s *skipReporter) report(err error) {
	s.n++
	r := reason(err)
	if s.byReason[r] == 0 {
		s.order = append(s.order, r)
	}
	s.byReason[r]++
	if s.g.verbose || s.n <= maxSkipLines {
		fmt.Fprintln(s.g.stderr, "skip:", err)
	} else if s.n == maxSkipLines+1 {
		fmt.Fprintln(s.g.stderr, "skip: … more skipped inputs not listed (use -v to list all)")
	}
}

func (s *skipReporter) summary() {
	if s.n <= maxSkipLines && !s.g.verbose {
		return
	}
	fmt.Fprintf(s.g.stderr, "skipped %d inputs:", s.n)
	for _, r := range s.order {
		fmt.Fprintf(s.g.stderr, " %d %s;", s.byReason[r], r)
	}
	fmt.Fprintln(s.g.stderr)
}

// reason names the kind of a skip error.
func reason(err error) string {
	for _, k := range []error{engine.ErrEmpty, engine.ErrTooLarge, engine.ErrNoID, ingest.ErrMalformed, ingest.ErrTooLarge, ingest.ErrEmpty, ingest.ErrBinary, ingest.ErrUnknownFormat, fs.ErrNotExist, fs.ErrPermission} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "other"
}

// writeReport prints the human-readable report.
func writeReport(w io.Writer, r *engine.Report, st runStats) {
	byID := map[string]*engine.ArticleInfo{}
	for i := range r.Articles {
		byID[r.Articles[i].ID] = &r.Articles[i]
	}
	multi := 0
	for _, s := range r.Stories {
		if len(s.Articles) > 1 {
			multi++
		}
	}
	fmt.Fprintf(w, "%d articles, %d stories (%d with more than one article), %d copy groups, %d reuse pairs\n",
		len(r.Articles), len(r.Stories), multi, len(r.CopyGroups), len(r.Reuse))
	if st.Skipped > 0 {
		fmt.Fprintf(w, "%d inputs skipped\n", st.Skipped)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "STORIES")
	for _, s := range r.Stories {
		if len(s.Articles) < 2 {
			continue
		}
		fmt.Fprintf(w, "  %s  %s  (%d articles)\n", s.ID, clip(s.Title, 70), len(s.Articles))
		for _, id := range s.Articles {
			a := byID[id]
			fmt.Fprintf(w, "      %-28s %-12s %-10s %5d words  %s\n", clip(id, 28), clip(orDash(a.Source), 12), dateOf(a), a.Words, groupMark(a.CopyGroup))
		}
	}
	if singles := len(r.Stories) - multi; singles > 0 {
		fmt.Fprintf(w, "  (%d single-article stories not listed)\n", singles)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "COPY GROUPS (articles carrying one source text)")
	if len(r.CopyGroups) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, cg := range r.CopyGroups {
		fmt.Fprintf(w, "  %s  %d articles, closest to source: %s\n", cg.ID, len(cg.Articles), cg.ClosestToSource)
		for _, id := range cg.Articles {
			fmt.Fprintf(w, "      %s\n", id)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "REUSE (coverage = share of the copy's words aligned to the source)")
	if len(r.Reuse) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	fmt.Fprintf(w, "  %-28s %-28s %-9s %8s %8s %7s\n", "COPY", "SOURCE", "LABEL", "COVERAGE", "SRC COV", "ALIGNED")
	for _, u := range r.Reuse {
		fmt.Fprintf(w, "  %-28s %-28s %-9s %8.2f %8.2f %7d\n", clip(u.Copy, 28), clip(u.Source, 28), u.Label, u.Coverage, u.SourceCoverage, u.AlignedSentences)
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dateOf(a *engine.ArticleInfo) string {
	if a.Published == nil {
		return "-"
	}
	return a.Published.Format("2006-01-02")
}

func groupMark(g string) string {
	if g == "" {
		return ""
	}
	return "copy group " + g
}
