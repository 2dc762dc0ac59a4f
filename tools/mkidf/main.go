// Command mkidf builds textnorm's embedded background document-frequency
// table from JSONL news corpora (lines with a "text" field):
//
//	go run ./tools/mkidf -o textnorm/idf.tsv.gz ../shared/data/bbc.jsonl ../shared/data/reuters21578.jsonl
//
// The table lists every content stem seen in at least -min documents with
// its document frequency; the first line is "#docs\tN". Stems rarer than
// -min are left out: the engine treats an unknown stem as rare.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/wiretrace/wiretrace/textnorm"
)

func main() {
	out := flag.String("o", "textnorm/idf.tsv.gz", "output file")
	minDF := flag.Int("min", 3, "least document frequency kept")
	flag.Parse()
	if err := run(*out, *minDF, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "mkidf:", err)
		os.Exit(1)
	}
}

func run(out string, minDF int, inputs []string) error {
	if len(inputs) == 0 {
		return fmt.Errorf("no input files")
	}
	an := textnorm.NewAnalyzer()
	df := map[string]int{}
	docs := 0
	for _, in := range inputs {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var rec struct {
				Title, Text string
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				continue
			}
			docs++
			seen := map[string]bool{}
			text := rec.Title + "\n\n" + rec.Text
			for _, t := range an.Tokens(nil, text, 0, len(text)) {
				if t.Content && !seen[t.Stem] {
					seen[t.Stem] = true
					df[t.Stem]++
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read %s: %w", in, err)
		}
	}
	keys := make([]string, 0, len(df))
	for k, n := range df {
		if n >= minDF {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	fmt.Fprintf(w, "#docs\t%d\n", docs)
	for _, k := range keys {
		fmt.Fprintf(w, "%s\t%d\n", k, df[k])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "mkidf: %d documents, %d stems kept\n", docs, len(keys))
	return f.Close()
}
