package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/eval"
)

func newEvalCmd(g *globals) *cobra.Command {
	var (
		format  string
		asJSON  bool
		workers int
		level   string
		storyT  float64
	)
	cmd := &cobra.Command{
		Use:   "eval [--format F] FILE [PAIRS]",
		Short: "Score the engine against labelled data: stories, copy groups, reuse pairs, story similarity",
		Long: `Run the engine over a labelled data set, in file order and exactly as
analyze does, and score what it finds against the truth:

  stories, copy groups   pairwise and B-cubed precision/recall/F1, ARI, NMI
                         (an article in no predicted copy group is a singleton)
  reuse pairs            precision/recall/F1 overall and by derivation kind,
                         and the mean error of the coverage estimate
  story similarity       (SemEval) same-story P/R/F1 on pairs with gold
                         Overall ≤ 1.5 vs ≥ 3.5, Pearson r with Overall

The time the engine took and its throughput are printed beside the scores.

Formats (--format, else guessed from the arguments):
  labelled   the project's JSONL: id, text, story, copy_group,
             derived_from [{id, coverage, kind}]        (*.jsonl, *.jsonl.gz)
  news-copy  NEWS-COPY: FILE = test_inf_data.json, PAIRS = full_test_gt.json
                                                        (two arguments)
  priberam   Priberam clustering set dataset.test.json  (*.json)
  semeval    SemEval-2022 task 8 pair CSV with texts    (*.csv)

For SemEval the engine indexes every article; a pair is predicted the same
story when the engine put both articles in one story, and its similarity is
the engine's event similarity of the two (engine.EventSimilarity).`,
		Args: cobra.RangeArgs(1, 2),
		Example: `  wiretrace eval ../shared/data/basil.jsonl
  wiretrace eval --json testdata/dev/dev-1k.jsonl.gz > scores.json
  wiretrace eval test_inf_data.json full_test_gt.json
  wiretrace eval --format semeval pairs.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			lv, err := engine.ParseLevel(level)
			if err != nil {
				return err
			}
			opts := engine.Options{Level: lv}
			opts.Story.Threshold = storyT
			d, name, err := loadDataset(g, format, args)
			if err != nil {
				return err
			}
			rep, res, err := evaluate(cmd.Context(), g, name, d, opts, workers)
			if err != nil {
				return err
			}
			if asJSON {
				return rep.WriteJSON(g.stdout)
			}
			if err := rep.WriteTable(g.stdout); err != nil {
				return err
			}
			writeSpeed(g.stdout, res, workers)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "data set format: labelled, news-copy, priberam or semeval (default: guessed from the file names)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the scores as JSON (eval.Report, version "+fmt.Sprint(eval.ReportVersion)+")")
	cmd.Flags().IntVar(&workers, "workers", 0, "preparation workers (0: one per core); results do not depend on it")
	cmd.Flags().StringVar(&level, "level", "stories", "how deep to look: near-dup, reuse or stories")
	cmd.Flags().Float64Var(&storyT, "story-threshold", 0, "least event similarity for joining a story (0: the default, 0.3)")
	return cmd
}

// guessFormat names the data set format of args when --format is not
// given.
func guessFormat(args []string) string {
	if len(args) == 2 {
		return eval.FormatNewsCopy
	}
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(args[0])), ".gz")
	switch {
	case strings.HasSuffix(name, ".csv"):
		return eval.FormatSemEval
	case strings.HasSuffix(name, ".json"):
		return eval.FormatPriberam
	}
	return eval.FormatLabelled
}

// loadDataset reads the data set named by args and reports the records
// its reader skipped on stderr.
func loadDataset(g *globals, format string, args []string) (*eval.Dataset, string, error) {
	if format == "" {
		format = guessFormat(args)
	}
	if format == "newscopy" {
		format = eval.FormatNewsCopy
	}
	if (format == eval.FormatNewsCopy) != (len(args) == 2) {
		return nil, "", fmt.Errorf("format %s takes %s", format, map[bool]string{true: "two files (articles, pairs)", false: "one file"}[format == eval.FormatNewsCopy])
	}
	ro := eval.ReadOptions{Logger: g.logger()}
	var (
		d   *eval.Dataset
		err error
	)
	switch format {
	case eval.FormatLabelled:
		d, err = eval.LoadLabelled(args[0], ro)
	case eval.FormatNewsCopy:
		d, err = eval.LoadNewsCopy(args[0], args[1], ro)
	case eval.FormatPriberam:
		d, err = eval.LoadPriberam(args[0], ro)
	case eval.FormatSemEval:
		d, err = eval.LoadSemEval(args[0], ro)
	default:
		return nil, "", fmt.Errorf("unknown format %q (want labelled, news-copy, priberam or semeval)", format)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read %s data set: %w", format, err)
	}
	for i, p := range d.Stats.Problems {
		if i == maxSkipLines && !g.verbose {
			fmt.Fprintf(g.stderr, "skip: … %d more skipped records not listed (use -v to list all)\n", d.Stats.Skipped-i)
			break
		}
		fmt.Fprintln(g.stderr, "skip:", p)
	}
	return d, strings.Join(args, " "), nil
}

// evaluate runs the engine over d's articles in order and scores the
// result against d's truth. Sections d has no truth for are left out.
func evaluate(ctx context.Context, g *globals, name string, d *eval.Dataset, opts engine.Options, workers int) (*eval.Report, *analysis, error) {
	res, err := runEngine(ctx, g, opts, workers, func(ctx context.Context, send func(engine.Input) error) error {
		for _, a := range d.Articles {
			if err := send(engine.Input{Article: a}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rep := eval.NewReport(name, d)
	rep.ElapsedSeconds = res.Stats.Elapsed.Seconds()
	story := make(map[string]string, len(res.Report.Articles))
	group := make(map[string]string, len(res.Report.Articles))
	for _, a := range res.Report.Articles {
		story[a.ID] = a.Story
		group[a.ID] = a.CopyGroup
	}
	if d.Stories != nil {
		s := eval.CompareClusterings(d.Stories, story)
		rep.Stories = &s
	}
	if d.CopyGroups != nil {
		s := eval.CompareClusterings(d.CopyGroups, group)
		rep.CopyGroups = &s
	}
	if len(d.Derivations) > 0 {
		pred := make([]eval.Edge, len(res.Report.Reuse))
		for i, u := range res.Report.Reuse {
			pred[i] = eval.Edge{Copy: u.Copy, Source: u.Source, Kind: u.Label, Coverage: u.Coverage}
		}
		s := eval.CompareEdges(d.Derivations, pred)
		rep.Derivations = &s
	}
	if len(d.Pairs) > 0 {
		js := make([]eval.SimilarityJudgement, len(d.Pairs))
		missing := 0
		for i, p := range d.Pairs {
			js[i] = eval.SimilarityJudgement{PairID: p.PairID, Overall: p.Overall, Similarity: math.NaN()}
			a, okA := res.Engine.Article(p.ID1)
			b, okB := res.Engine.Article(p.ID2)
			if !okA || !okB {
				missing++ // an article the engine skipped: no similarity, not the same story
				continue
			}
			js[i].Similarity = res.Engine.EventSimilarity(a, b)
			js[i].Same = story[p.ID1] == story[p.ID2]
		}
		if missing > 0 {
			fmt.Fprintf(g.stderr, "eval: %d pairs name an article the engine skipped: scored as different stories, left out of Pearson r\n", missing)
		}
		s := eval.CompareSimilarity(js)
		rep.Similarity = &s
	}
	return rep, res, nil
}

// writeSpeed prints the engine's throughput under the scores.
func writeSpeed(w io.Writer, res *analysis, workers int) {
	st := res.Stats
	secs := st.Elapsed.Seconds()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	fmt.Fprintf(w, "\nSpeed: %d articles indexed (%d skipped), %.1f MB of text in %.2f s: %.0f articles/s, %.2f MB/s (GOMAXPROCS %d, %d preparation workers)\n",
		st.Read, st.Skipped, float64(st.Bytes)/1e6, secs, float64(st.Read)/secs, float64(st.Bytes)/1e6/secs, runtime.GOMAXPROCS(0), workers)
}
