package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

func newCompareCmd(g *globals) *cobra.Command {
	var (
		asJSON bool
		width  int
		from   string
	)
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Show two articles side by side with their aligned sentences",
		Long: `Align two articles sentence by sentence and show them side by side. A and B
are files (text or JSONL: the first article is taken), or, with --from, the
ids of two articles in a file or directory.

Marks: = verbatim, ~ edited, ≈ reworded, + only on this side (added on the
copy's side, dropped from the source's).`,
		Example: `  wiretrace compare testdata/seeds/002_6d69baa46a2ff832.txt testdata/seeds/000_593ee4de91dc436a.txt
  wiretrace compare --from corpus.jsonl id-17 id-42 --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, b, err := loadPair(cmd.Context(), g, from, args[0], args[1])
			if err != nil {
				return err
			}
			pr := engine.NewPreparer(engine.Options{})
			pa, err := pr.Prepare(a)
			if err != nil {
				return err
			}
			pb, err := pr.Prepare(b)
			if err != nil {
				return err
			}
			c := engine.Compare(pa, pb, engine.Options{})
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(c)
			}
			if width <= 0 {
				width, _ = strconv.Atoi(os.Getenv("COLUMNS"))
				if width < 60 {
					width = 160
				}
			}
			writeComparison(g.stdout, c, width)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the alignment as JSON (docs/json.md)")
	cmd.Flags().IntVar(&width, "width", 0, "output width in columns (0: $COLUMNS, else 160)")
	cmd.Flags().StringVar(&from, "from", "", "read both articles by id from this file or directory")
	return cmd
}

// loadPair reads the two articles to compare.
func loadPair(ctx context.Context, g *globals, from, a, b string) (wiretrace.Article, wiretrace.Article, error) {
	var none wiretrace.Article
	if from != "" {
		found := map[string]wiretrace.Article{}
		err := ingest.Read(ctx, []string{from}, ingest.Options{Stdin: g.stdin}, func(it ingest.Item) error {
			if it.Err == nil && (it.Article.ID == a || it.Article.ID == b) {
				found[it.Article.ID] = it.Article
			}
			return nil
		})
		if err != nil {
			return none, none, err
		}
		for _, id := range []string{a, b} {
			if _, ok := found[id]; !ok {
				return none, none, fmt.Errorf("compare: no article %q in %s", id, from)
			}
		}
		return found[a], found[b], nil
	}
	first := func(path string) (wiretrace.Article, error) {
		var art wiretrace.Article
		var firstErr error
		got := false
		stop := fmt.Errorf("stop")
		err := ingest.Read(ctx, []string{path}, ingest.Options{Stdin: g.stdin}, func(it ingest.Item) error {
			if it.Err != nil {
				if firstErr == nil {
					firstErr = it.Err
				}
				return nil
			}
			art, got = it.Article, true
			return stop
		})
		if err != nil && err != stop {
			return art, err
		}
		if !got {
			if firstErr != nil {
				return art, firstErr
			}
			return art, fmt.Errorf("compare: no article in %s", path)
		}
		return art, nil
	}
	x, err := first(a)
	if err != nil {
		return none, none, err
	}
	y, err := first(b)
	if err != nil {
		return none, none, err
	}
	return x, y, nil
}

var kindMark = map[wiretrace.AlignKind]string{wiretrace.Verbatim: "=", wiretrace.Edited: "~", wiretrace.Reworded: "≈", "": "+"}

// writeComparison prints both articles side by side: each aligned pair on
// one row, unaligned sentences on rows of their own, in the order of A with
// B's unaligned sentences placed after the B sentence they follow.
func writeComparison(w io.Writer, c *engine.Comparison, width int) {
	col := (width - 5) / 2
	label := "no reuse"
	if c.Label != "" {
		copyID, srcID := c.B.ID, c.A.ID
		if c.Copy == "a" {
			copyID, srcID = c.A.ID, c.B.ID
		}
		label = fmt.Sprintf("%s: %s copies %s (%s)", c.Label, copyID, srcID, c.Direction)
	}
	fmt.Fprintf(w, "A %s  (%d words, %.0f%% aligned)\nB %s  (%d words, %.0f%% aligned)\n%s\n\n",
		c.A.ID, c.A.Words, 100*c.A.Coverage, c.B.ID, c.B.Words, 100*c.B.Coverage, label)
	printedB := make([]bool, len(c.B.Sentences))
	nextB := 0
	flushB := func(upto int) {
		for ; nextB < upto && nextB < len(c.B.Sentences); nextB++ {
			if !printedB[nextB] && len(c.B.Sentences[nextB].Links) == 0 {
				row(w, "", "", "+", c.B.Sentences[nextB].Text, col)
				printedB[nextB] = true
			}
		}
	}
	for _, sa := range c.A.Sentences {
		if len(sa.Links) == 0 {
			row(w, "+", sa.Text, "", "", col)
			continue
		}
		var bt []string
		for _, j := range sa.Links {
			flushB(j)
			if !printedB[j] {
				bt = append(bt, c.B.Sentences[j].Text)
				printedB[j] = true
			}
		}
		row(w, kindMark[sa.Kind], sa.Text, kindMark[sa.Kind], strings.Join(bt, " "), col)
	}
	flushB(len(c.B.Sentences))
	fmt.Fprintln(w, "\n= verbatim   ~ edited   ≈ reworded   + only on this side")
}

// row prints two wrapped columns with a mark before each.
func row(w io.Writer, ma, ta, mb, tb string, col int) {
	la, lb := wrap(ta, col), wrap(tb, col)
	n := max(len(la), len(lb))
	for i := range n {
		var a, b, m1, m2 string
		if i < len(la) {
			a = la[i]
		}
		if i < len(lb) {
			b = lb[i]
		}
		if i == 0 {
			m1, m2 = ma, mb
		}
		fmt.Fprintf(w, "%1s %s%s %1s %s\n", m1, a, strings.Repeat(" ", max(0, col-utf8.RuneCountInString(a))), m2, b)
	}
	fmt.Fprintln(w)
}

func wrap(s string, width int) []string {
	if s == "" {
		return nil
	}
	var lines []string
	var cur []string
	n := 0
	for _, word := range strings.Fields(s) {
		l := utf8.RuneCountInString(word)
		if n > 0 && n+1+l > width {
			lines = append(lines, strings.Join(cur, " "))
			cur, n = nil, 0
		}
		for l > width { // a single overlong word
			r := []rune(word)
			lines = append(lines, string(r[:width]))
			word = string(r[width:])
			l = utf8.RuneCountInString(word)
		}
		if n > 0 {
			n++
		}
		cur = append(cur, word)
		n += l
	}
	if len(cur) > 0 {
		lines = append(lines, strings.Join(cur, " "))
	}
	return lines
}
