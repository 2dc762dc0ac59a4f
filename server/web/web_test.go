package web

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
)

func TestTicks(t *testing.T) {
	base := time.Date(2021, 12, 4, 9, 10, 0, 0, time.UTC)
	for _, span := range []time.Duration{20 * time.Minute, 7 * time.Hour, 50 * time.Hour, 40 * 24 * time.Hour, 3 * 365 * 24 * time.Hour, 60 * 365 * 24 * time.Hour} {
		t.Run(span.String(), func(t *testing.T) {
			ts := ticks(base, base.Add(span), 6)
			if len(ts) < 2 || len(ts) > 12 {
				t.Fatalf("got %d ticks, want 2 to 12", len(ts))
			}
			for i, tk := range ts {
				if tk.at.Before(base) || tk.at.After(base.Add(span)) {
					t.Errorf("tick %v outside the span", tk.at)
				}
				if i > 0 && !tk.at.After(ts[i-1].at) {
					t.Errorf("ticks not increasing at %d", i)
				}
				if tk.label == "" {
					t.Errorf("tick %d has no label", i)
				}
			}
		})
	}
}

func story(reuse ...[2]string) *engine.StoryDetail {
	d := &engine.StoryDetail{ID: "s1"}
	seen := map[string]bool{}
	for _, r := range reuse {
		for _, id := range r {
			if !seen[id] {
				seen[id] = true
				d.Articles = append(d.Articles, engine.StoryArticle{ArticleInfo: engine.ArticleInfo{ID: id}, Outlet: "outlet " + id})
			}
		}
		d.Reuse = append(d.Reuse, engine.ReuseInfo{Source: r[0], Copy: r[1], Label: wiretrace.Copy, Coverage: .9})
	}
	return d
}

func TestGraphLayout(t *testing.T) {
	t.Run("chain", func(t *testing.T) {
		g := newGraph(story([2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"a", "c"}), nil)
		x := map[string]int{}
		for _, n := range g.Nodes {
			x[n.Article.ID] = n.X
		}
		if !(x["a"] < x["b"] && x["b"] < x["c"]) {
			t.Errorf("columns: got %v, want source left of its copies", x)
		}
		if len(g.Edges) != 3 || g.Width <= 0 || g.Height <= 0 {
			t.Errorf("got %d edges, %dx%d", len(g.Edges), g.Width, g.Height)
		}
		for _, e := range g.Edges {
			if !strings.HasPrefix(e.Path, "M") || !strings.Contains(e.CompareURL, "a="+e.Source) {
				t.Errorf("edge %+v", e)
			}
		}
	})
	t.Run("cycle of directions terminates", func(t *testing.T) {
		g := newGraph(story([2]string{"a", "b"}, [2]string{"b", "a"}), nil)
		if len(g.Nodes) != 2 || len(g.Edges) != 2 {
			t.Errorf("got %d nodes %d edges, want 2 and 2", len(g.Nodes), len(g.Edges))
		}
	})
	t.Run("labels do not overlap", func(t *testing.T) {
		var reuse [][2]string
		for i := range 6 {
			reuse = append(reuse, [2]string{"src", fmt.Sprint("copy", i)}, [2]string{fmt.Sprint("copy", i), "late"})
		}
		g := newGraph(story(reuse...), nil)
		var boxes []box
		for _, e := range g.Edges {
			if e.LabelX == 0 {
				continue
			}
			w := 7.2*float64(len(e.Text)) + 6
			b := box{float64(e.LabelX) - w/2, float64(e.LabelY) - 12, float64(e.LabelX) + w/2, float64(e.LabelY) + 4}
			if slices.ContainsFunc(boxes, b.overlaps) {
				t.Errorf("label %q at %d,%d overlaps another", e.Text, e.LabelX, e.LabelY)
			}
			boxes = append(boxes, b)
		}
	})
	t.Run("too large", func(t *testing.T) {
		var reuse [][2]string
		for i := range MaxGraphNodes {
			reuse = append(reuse, [2]string{"src", fmt.Sprint("c", i)})
		}
		if g := newGraph(story(reuse...), nil); g.TooLarge != MaxGraphNodes+1 || len(g.Nodes) != 0 {
			t.Errorf("got TooLarge %d with %d nodes, want %d and none drawn", g.TooLarge, len(g.Nodes), MaxGraphNodes+1)
		}
	})
	t.Run("no reuse", func(t *testing.T) {
		if g := newGraph(&engine.StoryDetail{Articles: []engine.StoryArticle{{}}}, nil); g != nil {
			t.Errorf("got %+v, want no graph", g)
		}
	})
}

func TestCompareRows(t *testing.T) {
	sent := func(i int, kind wiretrace.AlignKind, links ...int) engine.CompareSentence {
		return engine.CompareSentence{Index: i, Text: fmt.Sprint("s", i), Kind: kind, Links: links}
	}
	c := &engine.Comparison{
		Label: wiretrace.Copy, Copy: "b",
		A: engine.CompareSide{ID: "a", Sentences: []engine.CompareSentence{
			sent(0, wiretrace.Verbatim, 0), sent(1, ""), sent(2, wiretrace.Edited, 2), sent(3, wiretrace.Edited, 2)}},
		B: engine.CompareSide{ID: "b", Sentences: []engine.CompareSentence{
			sent(0, wiretrace.Verbatim, 0), sent(1, ""), sent(2, wiretrace.Edited, 2, 3), sent(3, "")}},
	}
	p := newComparePage(c)
	var got []string
	for _, r := range p.Rows {
		var a, b []string
		for _, s := range r.A {
			a = append(a, s.Text+":"+s.Class)
		}
		for _, s := range r.B {
			b = append(b, s.Text+":"+s.Class)
		}
		got = append(got, strings.Join(a, ",")+"|"+strings.Join(b, ","))
	}
	want := []string{
		"s0:verbatim|s0:verbatim",
		"s1:dropped|",                   // only in A, the source: the copy dropped it
		"|s1:added",                     // only in B, the copy: added
		"s2:edited,s3:edited|s2:edited", // many-to-one: both A sentences on one row
		"|s3:added",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\ngot  %q\nwant %q", got, want)
	}
	if p.A.Role != "source" || p.B.Role != "copy" || p.Verdict != "B is a copy of A" {
		t.Errorf("roles %q/%q verdict %q", p.A.Role, p.B.Role, p.Verdict)
	}
	p.A.Outlet, p.B.Outlet = "Wire", "Daily"
	if p.setVerdict(); p.Verdict != "Daily is a copy of Wire" {
		t.Errorf("verdict with outlets: %q", p.Verdict)
	}
}
