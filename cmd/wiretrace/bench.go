package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace/bench"
	"github.com/wiretrace/wiretrace/gen"
)

// benchReport is the --json output of wiretrace bench.
type benchReport struct {
	Version     int             `json:"version"` // bench.ResultVersion
	Command     string          `json:"command"`
	CPU         string          `json:"cpu"`
	CPUs        int             `json:"cpus"`
	LoadBefore  string          `json:"load_before"` // /proc/loadavg: 1, 5 and 15 minutes
	LoadAfter   string          `json:"load_after"`
	GenerateSec map[int]float64 `json:"generate_seconds"` // by size
	Runs        []*bench.Result `json:"runs"`
}

func newBenchCmd(g *globals) *cobra.Command {
	var (
		sizes, procs string
		queries      int
		seed         uint64
		wordnet      string
		input        string
		maxRSS       int64
		maxTime      time.Duration
		asJSON       bool
		keep         string
	)
	cmd := &cobra.Command{
		Use:   "bench [flags] CORPUS.jsonl... | --input FILE.jsonl",
		Short: "Measure throughput, query latency, memory and quality at several sizes and core counts",
		Long: `Measure the engine at each size (--sizes) and core count (--procs):
throughput per stage and end to end (articles/s, MB/s), single-article query
latency against an index of N articles (p50/p90/p99), peak RSS and heap per
indexed article, and in the same run the quality against the truth (story,
copy-group and reuse-pair F1), so that speed is never bought with quality
unseen.

Each size is generated from the corpus (as "wiretrace gen --seed S --n
N+queries" would write it, into a temporary file) unless --input names a
labelled JSONL file; each (size, cores) pair runs in a fresh process with
GOMAXPROCS set, so that peak memory is that run's alone. A run that would
pass --max-rss (default: half the memory available at the start) or
--max-time stops adding and is measured on what it indexed; the output says
so. docs/benchmarks.md holds figures and the commands that made them.`,
		Example: `  wiretrace bench --sizes 10000,100000 --procs 1,2 ../shared/data/basil.jsonl ../shared/data/bbc.jsonl ../shared/data/reuters21578.jsonl
  wiretrace bench --input dev.jsonl --sizes 900 --queries 100 --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ns, err := parseInts(sizes)
			if err != nil {
				return fmt.Errorf("--sizes: %w", err)
			}
			ps, err := parseInts(procs)
			if err != nil {
				return fmt.Errorf("--procs: %w", err)
			}
			if (input == "") == (len(args) == 0) {
				return fmt.Errorf("give corpus files to generate from, or --input, not both")
			}
			if maxRSS == 0 {
				maxRSS = bench.MemAvailable() / 2
			}
			return runBench(cmd.Context(), g, benchPlan{
				sizes: ns, procs: ps, queries: queries, seed: seed, wordnet: wordnet, corpus: args,
				input: input, maxRSS: maxRSS, maxTime: maxTime, asJSON: asJSON, keep: keep,
				command: "wiretrace " + strings.Join(os.Args[1:], " "),
			})
		},
	}
	cmd.Flags().StringVar(&sizes, "sizes", "10000,100000", "index sizes, comma-separated")
	cmd.Flags().StringVar(&procs, "procs", "1,2", "GOMAXPROCS values, comma-separated")
	cmd.Flags().IntVar(&queries, "queries", 200, "single-article queries per run (articles after the indexed ones)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "generator seed")
	cmd.Flags().StringVar(&wordnet, "wordnet", gen.DefaultWordNet, "WordNet database directory, for generating")
	cmd.Flags().StringVar(&input, "input", "", "measure this labelled JSONL file (uncompressed) instead of generating")
	cmd.Flags().Int64Var(&maxRSS, "max-rss", 0, "stop adding when the resident set passes this many bytes (0: half the memory available)")
	cmd.Flags().DurationVar(&maxTime, "max-time", 0, "stop adding after this long in one run (0: no limit)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	cmd.Flags().StringVar(&keep, "keep", "", "write the generated sets into this directory and keep them")
	return cmd
}

// newBenchRunCmd is the child process of bench: one measured run.
func newBenchRunCmd(g *globals) *cobra.Command {
	var (
		cfg     bench.Config
		partial string
	)
	cmd := &cobra.Command{
		Use:    "bench-run",
		Short:  "One measured run of wiretrace bench (internal)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Logger = g.logger()
			if partial != "" {
				cfg.Progress = func(r *bench.Result) {
					b, _ := json.Marshal(r)
					if err := os.WriteFile(partial, b, 0o644); err != nil {
						fmt.Fprintln(g.stderr, "bench: write partial result:", err)
					}
				}
			}
			res, err := bench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return json.NewEncoder(g.stdout).Encode(res)
		},
	}
	cmd.Flags().StringVar(&cfg.Path, "file", "", "labelled JSONL file")
	cmd.Flags().IntVar(&cfg.N, "n", 0, "articles to index")
	cmd.Flags().IntVar(&cfg.Queries, "queries", 0, "queries")
	cmd.Flags().Int64Var(&cfg.MaxRSS, "max-rss", 0, "resident set limit in bytes")
	cmd.Flags().DurationVar(&cfg.MaxTime, "max-time", 0, "time limit")
	cmd.Flags().StringVar(&partial, "partial", "", "write the result so far to this file after each phase")
	return cmd
}

type benchPlan struct {
	sizes, procs   []int
	queries        int
	seed           uint64
	wordnet, input string
	corpus         []string
	maxRSS         int64
	maxTime        time.Duration
	asJSON         bool
	keep, command  string
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func runBench(ctx context.Context, g *globals, p benchPlan) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	rep := &benchReport{Version: bench.ResultVersion, Command: p.command, CPU: cpuModel(), CPUs: runtime.NumCPU(),
		LoadBefore: loadAvg(), GenerateSec: map[int]float64{}}
	dir := p.keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "wiretrace-bench-"); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var corpus *gen.Corpus
	var th *gen.Thesaurus
	for _, n := range p.sizes {
		path := p.input
		if path == "" {
			if corpus == nil {
				if corpus, err = gen.LoadCorpus(ctx, p.corpus, g.logger()); err != nil {
					return err
				}
				if th, err = gen.LoadThesaurus(p.wordnet, corpus.WordOK); err != nil {
					return err
				}
			}
			path = filepath.Join(dir, fmt.Sprintf("bench-%d-seed%d.jsonl", n+p.queries, p.seed))
			t := time.Now()
			if err := writeGenerated(ctx, corpus, th, n+p.queries, p.seed, path); err != nil {
				return err
			}
			rep.GenerateSec[n] = time.Since(t).Seconds()
			fmt.Fprintf(g.stderr, "bench: generated %d articles in %.1fs\n", n+p.queries, rep.GenerateSec[n])
		}
		for _, procs := range p.procs {
			fmt.Fprintf(g.stderr, "bench: %d articles, GOMAXPROCS %d …\n", n, procs)
			res, err := benchChild(ctx, self, path, n, p, procs)
			if err != nil {
				return err
			}
			if res.Stopped != "" {
				fmt.Fprintf(g.stderr, "bench: stopped early: %s\n", res.Stopped)
			}
			rep.Runs = append(rep.Runs, res)
		}
	}
	rep.LoadAfter = loadAvg()
	if p.asJSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	writeBenchTables(g.stdout, rep)
	return nil
}

// writeGenerated writes n generated records to path.
func writeGenerated(ctx context.Context, c *gen.Corpus, th *gen.Thesaurus, n int, seed uint64, path string) error {
	gn, err := gen.New(c, th, gen.Options{N: n, Seed: seed})
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if _, err := gn.Run(ctx, func(r *gen.Record) error { return enc.Encode(r) }); err != nil {
		return fmt.Errorf("bench: generate: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	return f.Close()
}

// benchChild runs one measurement in a fresh process with GOMAXPROCS set.
func benchChild(ctx context.Context, self, path string, n int, p benchPlan, procs int) (*bench.Result, error) {
	partial := fmt.Sprintf("%s.%d.partial.json", path, procs)
	args := []string{"bench-run", "--file", path, "--n", strconv.Itoa(n), "--queries", strconv.Itoa(p.queries),
		"--max-rss", strconv.FormatInt(p.maxRSS, 10), "--max-time", p.maxTime.String(), "--partial", partial}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		// A run that died after some phases still counts what it measured.
		var res bench.Result
		if b, rerr := os.ReadFile(partial); rerr == nil && json.Unmarshal(b, &res) == nil {
			died := fmt.Sprintf("the run died after the %s phase (%v) %s", res.Phase, err, strings.TrimSpace(errb.String()))
			if res.Stopped != "" {
				died = res.Stopped + "; " + died
			}
			res.Stopped = strings.TrimSpace(died)
			return &res, nil
		}
		return nil, fmt.Errorf("bench: run %d articles on %d cores: %w: %s", n, procs, err, strings.TrimSpace(errb.String()))
	}
	os.Remove(partial)
	var res bench.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("bench: run %d articles on %d cores: read result: %w", n, procs, err)
	}
	if res.GOMAXPROCS != procs {
		return nil, fmt.Errorf("bench: run asked for GOMAXPROCS %d and got %d", procs, res.GOMAXPROCS)
	}
	return &res, nil
}

func writeBenchTables(w io.Writer, r *benchReport) {
	fmt.Fprintf(w, "wiretrace bench: %d CPUs (%s); load average %s before, %s after\n", r.CPUs, r.CPU, r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(w, "%s\n\n", r.Command)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tprocs\tindexed\te2e art/s\te2e MB/s\tread MB/s\tprepare art/s\tprepare MB/s\tadd art/s\tadd MB/s\talign pairs/s\treport s\t")
	for _, x := range r.Runs {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.0f\t%.2f\t%.1f\t%.0f\t%.2f\t%.0f\t%.2f\t%.0f\t%.2f\t\n", x.N, x.GOMAXPROCS, x.Indexed,
			x.EndToEnd.PerSecond, x.EndToEnd.MBPerSecond, x.Read.MBPerSecond, x.Prepare.PerSecond, x.Prepare.MBPerSecond,
			x.Add.PerSecond, x.Add.MBPerSecond, x.Align.PerSecond, x.Report.Seconds)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tprocs\tnew p50 ms\tp90\tp99\tknown p50 ms\tp90\tp99\tpeak RSS MB\theap MB\tindex KB/article\tstory F1\tcopy F1\treuse F1\tcoverage MAE\t")
	for _, x := range r.Runs {
		fmt.Fprintf(tw, "%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.1f\t%.4f\t%.4f\t%.4f\t%.4f\t\n", x.N, x.GOMAXPROCS,
			x.Query.P50, x.Query.P90, x.Query.P99, x.QueryKnown.P50, x.QueryKnown.P90, x.QueryKnown.P99,
			x.PeakRSSBytes>>20, x.HeapBytes>>20, x.IndexBytesPerArticle/1024,
			x.Quality.StoryPairF1, x.Quality.CopyPairF1, x.Quality.ReuseF1, x.Quality.CoverageMAE)
	}
	tw.Flush()
	for _, x := range r.Runs {
		if x.Stopped != "" {
			fmt.Fprintf(w, "\nsize %d, GOMAXPROCS %d stopped early: %s\n", x.N, x.GOMAXPROCS, x.Stopped)
		}
	}
}

// cpuModel names the processor (Linux), or "".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAvg returns the 1, 5 and 15 minute load averages (Linux), or "".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
