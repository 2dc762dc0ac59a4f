// Command dedupgen writes a synthetic news corpus for benchmarking `wiretrace
// dedup` (see package internal/synth): fresh articles built from the
// sources' paragraphs with most words replaced, and copies of recent ones
// (duplicates, edits, trims, rewordings, partial reuse). The same sources,
// -n and -seed give the same corpus, byte for byte.
//
//	go run ./tools/dedupgen -n 1000000 -o /tmp/dedup-1m.jsonl ../shared/data/*.jsonl
//
// Output ending in .gz or .zst is compressed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/wiretrace/wiretrace/internal/synth"
)

func main() {
	n := flag.Int("n", 100000, "articles to write")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file (- for standard output; .gz and .zst compress)")
	copyShare := flag.Float64("copies", 0, "share of articles derived from an earlier one (0: the default, 0.3)")
	mean := flag.Int("mean-bytes", 0, "mean text size of a fresh article (0: the default, 3600)")
	flag.Parse()
	if err := run(*n, *seed, *out, synth.Options{CopyShare: *copyShare, MeanBytes: *mean}, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "dedupgen:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, out string, o synth.Options, sources []string) error {
	if len(sources) == 0 {
		return fmt.Errorf("no source files (JSONL with a text field)")
	}
	var srcs []synth.Source
	for _, p := range sources {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		s, err := synth.ReadSources(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		srcs = append(srcs, s...)
	}
	g, err := synth.New(srcs, seed, o)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	var closers []io.Closer
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		closers = append(closers, f)
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	w = bw
	switch {
	case strings.HasSuffix(out, ".gz"):
		zw := gzip.NewWriter(bw)
		closers = append([]io.Closer{zw}, closers...)
		w = zw
	case strings.HasSuffix(out, ".zst"):
		zw, err := zstd.NewWriter(bw)
		if err != nil {
			return err
		}
		closers = append([]io.Closer{zw}, closers...)
		w = zw
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for range n {
		a := g.Next()
		if err := enc.Encode(&a); err != nil {
			return err
		}
	}
	for i, c := range closers {
		if i == len(closers)-1 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		if err := c.Close(); err != nil {
			return err
		}
	}
	if len(closers) == 0 {
		return bw.Flush()
	}
	return nil
}
