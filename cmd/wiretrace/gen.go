package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace/gen"
)

// ManifestVersion is the version of the manifest `wiretrace gen` writes
// beside a generated set. Changelog:
//
//	1: generator version, seed, size, input and WordNet checksums, stats.
const ManifestVersion = 1

// manifest records how a generated set was made, so that it can be made
// again and checked.
type manifest struct {
	Version          int               `json:"version"`
	GeneratorVersion int               `json:"generator_version"`
	Command          string            `json:"command"`
	Seed             uint64            `json:"seed"`
	N                int               `json:"n"`
	Inputs           map[string]string `json:"inputs_sha256"`
	WordNet          map[string]string `json:"wordnet_sha256"`
	OutputSHA256     string            `json:"output_sha256"` // of the uncompressed JSONL
	Stats            gen.Stats         `json:"stats"`
	Jaccard          map[string]dist   `json:"jaccard5_with_parent"`
	SeedsJaccard     *dist             `json:"seeds_jaccard5,omitempty"`
}

// dist summarises a distribution.
type dist struct {
	N      int     `json:"n"`
	Min    float64 `json:"min"`
	P10    float64 `json:"p10"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	Max    float64 `json:"max"`
}

func summarise(xs []float64) dist {
	if len(xs) == 0 {
		return dist{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 { return s[int(p*float64(len(s)-1)+0.5)] }
	return dist{N: len(s), Min: s[0], P10: q(0.1), Median: q(0.5), P90: q(0.9), Max: s[len(s)-1]}
}

func newGenCmd(g *globals) *cobra.Command {
	var (
		n        int
		seed     uint64
		out      string
		wordnet  string
		seedsDir string
	)
	cmd := &cobra.Command{
		Use:   "gen [flags] CORPUS.jsonl...",
		Short: "Generate a labelled benchmark of derived copies from real articles",
		Long: `Generate a labelled data set from real news articles (JSONL: id, text,
title, source, published, story): the originals, plus copies derived from
them the ways syndication derives them — verbatim reprints in page chrome,
trimmed and house-edited copies, OCR'd copies, reworded copies (WordNet
synonyms, read from Debian's wordnet-base at run time), machine-translation
round trips, partial reuse inside other articles, two outlets' reports
merged — and same-topic articles about other events. Every record carries
its truth: story, copy_group and derived_from [{id, coverage, kind,
direct}], where coverage is the true share of the record's words (page
chrome excluded) in sentences that come from the other article. The output
is the labelled JSONL that "wiretrace eval" reads.

The same corpus, WordNet, --n and --seed give the same output. Beside
--out, a manifest (OUT.manifest.json) records the command, checksums and
statistics, among them the word 5-gram Jaccard of each derived article with
the article it was made from, by recipe; --seeds adds the same measure over
the seed texts for comparison.`,
		Args: cobra.MinimumNArgs(1),
		Example: `  wiretrace gen --n 1000 --seed 1 --out testdata/dev/dev-1k.jsonl.gz \
      --seeds testdata/seeds ../shared/data/basil.jsonl ../shared/data/bbc.jsonl ../shared/data/reuters21578.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGen(cmd.Context(), g, args, n, seed, out, wordnet, seedsDir)
		},
	}
	cmd.Flags().IntVar(&n, "n", 1000, "number of articles to generate")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (.gz compresses; default standard output)")
	cmd.Flags().StringVar(&wordnet, "wordnet", gen.DefaultWordNet, "WordNet database directory (Debian: apt-get install wordnet-base)")
	cmd.Flags().StringVar(&seedsDir, "seeds", "", "seed texts whose pairwise word 5-gram Jaccard to report beside the generated rewrites (testdata/seeds)")
	return cmd
}

func runGen(ctx context.Context, g *globals, inputs []string, n int, seed uint64, out, wordnet, seedsDir string) error {
	log := g.logger()
	start := time.Now()
	corpus, err := gen.LoadCorpus(ctx, inputs, log)
	if err != nil {
		return err
	}
	th, err := gen.LoadThesaurus(wordnet, corpus.WordOK)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "gen: corpus %d articles read, %d usable (%d too short or long, %d sharing text with an earlier one); thesaurus %d words from %d synsets (%.1fs)\n",
		corpus.Read, corpus.Articles(), corpus.TooShort, corpus.Entangled, th.Words(), th.Synsets, time.Since(start).Seconds())
	gn, err := gen.New(corpus, th, gen.Options{N: n, Seed: seed, Logger: log})
	if err != nil {
		return err
	}
	var w io.Writer = g.stdout
	var f *os.File
	var zw *gzip.Writer
	if out != "" {
		if f, err = os.Create(out); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		defer f.Close()
		w = f
		if strings.HasSuffix(out, ".gz") {
			zw = gzip.NewWriter(f)
			zw.ModTime = time.Time{}
			w = zw
		}
	}
	sum := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	st, err := gn.Run(ctx, func(r *gen.Record) error { return enc.Encode(r) })
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gen: write: %w", err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return fmt.Errorf("gen: write: %w", err)
		}
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("gen: write: %w", err)
		}
	}
	m := manifest{
		Version: ManifestVersion, GeneratorVersion: gen.Version, Seed: seed, N: n, Stats: st,
		Command:      "wiretrace " + strings.Join(os.Args[1:], " "),
		OutputSHA256: hex.EncodeToString(sum.Sum(nil)),
		Inputs:       map[string]string{}, WordNet: map[string]string{}, Jaccard: map[string]dist{},
	}
	for _, in := range inputs {
		m.Inputs[filepath.Base(in)], err = fileSHA256(in)
		if err != nil {
			return err
		}
	}
	for _, name := range []string{"data.noun", "data.verb", "data.adj", "data.adv", "cntlist.rev"} {
		m.WordNet[name], err = fileSHA256(filepath.Join(wordnet, name))
		if err != nil {
			return err
		}
	}
	for r, xs := range st.Jaccard {
		m.Jaccard[r] = summarise(xs)
	}
	if seedsDir != "" {
		js, err := seedsJaccard(seedsDir)
		if err != nil {
			return err
		}
		d := summarise(js)
		m.SeedsJaccard = &d
	}
	writeGenStats(g.stderr, &m, time.Since(start))
	if out != "" {
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(manifestPath(out), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("gen: write manifest: %w", err)
		}
	}
	return nil
}

// manifestPath names the manifest of a generated set: dev-1k.jsonl.gz →
// dev-1k.manifest.json.
func manifestPath(out string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(out, ".gz"), ".jsonl")
	return base + ".manifest.json"
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("gen: checksum: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("gen: checksum %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// seedsJaccard measures the word 5-gram Jaccard of the seeds' AP copies
// (000, 001, 002: testdata/SEEDS.md), pairwise.
func seedsJaccard(dir string) ([]float64, error) {
	var texts []string
	for _, p := range []string{"000_", "001_", "002_"} {
		ms, _ := filepath.Glob(filepath.Join(dir, p+"*.txt"))
		if len(ms) != 1 {
			return nil, fmt.Errorf("gen: seeds: want one %s*.txt in %s, found %d", p, dir, len(ms))
		}
		b, err := os.ReadFile(ms[0])
		if err != nil {
			return nil, fmt.Errorf("gen: seeds: %w", err)
		}
		texts = append(texts, string(b))
	}
	var out []float64
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			out = append(out, gen.ShingleJaccard(texts[i], texts[j], 5))
		}
	}
	return out, nil
}

func writeGenStats(w io.Writer, m *manifest, elapsed time.Duration) {
	st := m.Stats
	fmt.Fprintf(w, "gen: %d articles from %d units in %d epoch(s), mean %.2f copies per original, %.1fs\n", st.Articles, st.Units, st.Epochs, st.Mu, elapsed.Seconds())
	keys := func(mm map[string]int) []string {
		var ks []string
		for k := range mm {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	fmt.Fprint(w, "gen: recipes:")
	for _, k := range keys(st.Recipes) {
		fmt.Fprintf(w, " %s %d;", k, st.Recipes[k])
	}
	fmt.Fprint(w, "\ngen: truth pairs (direct):")
	for _, k := range keys(st.Pairs) {
		fmt.Fprintf(w, " %s %d (%d);", k, st.Pairs[k], st.Direct[k])
	}
	fmt.Fprintf(w, "\ngen: %d copy groups\n", st.CopyGroups)
	fmt.Fprintln(w, "gen: word 5-gram Jaccard with the parent:   n     min    p10    median p90    max")
	var rs []string
	for r := range m.Jaccard {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	for _, r := range rs {
		d := m.Jaccard[r]
		fmt.Fprintf(w, "gen:   %-38s %6d  %.3f  %.3f  %.3f  %.3f  %.3f\n", r, d.N, d.Min, d.P10, d.Median, d.P90, d.Max)
	}
	if d := m.SeedsJaccard; d != nil {
		fmt.Fprintf(w, "gen:   %-38s %6d  %.3f  %.3f  %.3f  %.3f  %.3f\n", "seeds 000–002 (real)", d.N, d.Min, d.P10, d.Median, d.P90, d.Max)
	}
}
