package web

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
)

// Drawing limits: stories larger than these show tables only (and the
// timeline its first rows).
const (
	MaxGraphNodes   = 60
	maxTimelineRows = 24
	paletteSize     = 8
)

// groupColors numbers copy groups 1..paletteSize (cycling); 0 means none.
func groupColors(d *engine.StoryDetail) map[string]int {
	c := map[string]int{}
	for i, g := range d.CopyGroups {
		c[g.ID] = i%paletteSize + 1
	}
	return c
}

// timeline places each dated member on a time axis, one row per outlet.
type timeline struct {
	Width, Height int
	AxisY         int
	LabelW        int
	Rows          []timelineRow
	Ticks         []tick
	Undated       []engine.StoryArticle
	Hidden        int // dated members in rows not drawn
}

type timelineRow struct {
	Y      int
	Outlet string
	Dots   []dot
}

type dot struct {
	X, Y    int
	Color   int
	Article engine.StoryArticle
}

type tick struct {
	X     int
	Label string
}

func newTimeline(d *engine.StoryDetail, colors map[string]int) *timeline {
	const rowH, top, right = 28, 16, 24
	tl := &timeline{Width: 960, LabelW: 170}
	var dated []engine.StoryArticle
	for _, a := range d.Articles {
		if a.Published == nil {
			tl.Undated = append(tl.Undated, a)
		} else {
			dated = append(dated, a)
		}
	}
	if len(dated) == 0 {
		return tl
	}
	slices.SortStableFunc(dated, func(x, y engine.StoryArticle) int { return x.Published.Compare(*y.Published) })
	lo, hi := *dated[0].Published, *dated[len(dated)-1].Published
	if span := hi.Sub(lo); span < time.Hour {
		lo, hi = lo.Add(-30*time.Minute), hi.Add(30*time.Minute)
	} else {
		pad := span / 20
		lo, hi = lo.Add(-pad), hi.Add(pad)
	}
	plotW := tl.Width - tl.LabelW - right
	x := func(t time.Time) int {
		return tl.LabelW + int(math.Round(float64(plotW)*float64(t.Sub(lo))/float64(hi.Sub(lo))))
	}
	rowOf := map[string]int{}
	for _, a := range dated {
		name := a.Outlet
		if name == "" {
			name = a.ID // an unknown outlet is its own row
		}
		i, ok := rowOf[name]
		if !ok {
			if len(tl.Rows) == maxTimelineRows {
				tl.Hidden++
				continue
			}
			i = len(tl.Rows)
			rowOf[name] = i
			label := a.Outlet
			if label == "" {
				label = a.ID
			}
			tl.Rows = append(tl.Rows, timelineRow{Y: top + i*rowH + rowH/2, Outlet: label})
		}
		row := &tl.Rows[i]
		row.Dots = append(row.Dots, dot{X: x(*a.Published), Y: row.Y, Color: colors[a.CopyGroup], Article: a})
	}
	tl.AxisY = top + len(tl.Rows)*rowH + 4
	tl.Height = tl.AxisY + 28
	for _, t := range ticks(lo, hi, 6) {
		tl.Ticks = append(tl.Ticks, tick{X: x(t.at), Label: t.label})
	}
	return tl
}

type tickAt struct {
	at    time.Time
	label string
}

// ticks returns round times between lo and hi, about n of them.
func ticks(lo, hi time.Time, n int) []tickAt {
	span := hi.Sub(lo)
	steps := []struct {
		d      time.Duration
		layout string
	}{
		{10 * time.Minute, "15:04"}, {30 * time.Minute, "15:04"}, {time.Hour, "15:04"}, {3 * time.Hour, "2 Jan 15:04"},
		{6 * time.Hour, "2 Jan 15:04"}, {12 * time.Hour, "2 Jan 15:04"}, {24 * time.Hour, "2 Jan"}, {2 * 24 * time.Hour, "2 Jan"},
		{7 * 24 * time.Hour, "2 Jan"}, {14 * 24 * time.Hour, "2 Jan"}, {30 * 24 * time.Hour, "Jan 2006"},
		{91 * 24 * time.Hour, "Jan 2006"}, {365 * 24 * time.Hour, "2006"},
	}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s.d <= time.Duration(n) {
			step = s
			break
		}
	}
	for span/step.d > time.Duration(n) { // beyond the table: whole multiples of years
		step.d *= 2
	}
	first := lo.Truncate(step.d)
	if first.Before(lo) {
		first = first.Add(step.d)
	}
	var out []tickAt
	for t := first; !t.After(hi) && len(out) < 2*n; t = t.Add(step.d) {
		out = append(out, tickAt{t, t.UTC().Format(step.layout)})
	}
	return out
}

// graph is the derivation graph: sources on the left, their copies to the
// right, one column per derivation step.
type graph struct {
	Width, Height int
	Nodes         []node
	Edges         []edge
	TooLarge      int // the number of articles in reuse when over MaxGraphNodes
}

type node struct {
	X, Y, W, H int
	Article    engine.StoryArticle
	Color      int
	Closest    bool // closest to the source of its copy group
	layer, row int
}

type edge struct {
	Path       string
	Label      wiretrace.Label
	Text       string // "copy 95%"; drawn when LabelX > 0
	LabelX     int
	LabelY     int
	Copy       string
	Source     string
	CompareURL string
}

type point struct{ x, y float64 }

// bezier returns the point at t of the cubic curve p.
func bezier(p [4]point, t float64) point {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return point{a*p[0].x + b*p[1].x + c*p[2].x + d*p[3].x, a*p[0].y + b*p[1].y + c*p[2].y + d*p[3].y}
}

type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// newGraph lays the story's derivations out in layers: a node's layer is
// the longest chain of sources above it; nodes are ordered in their layer
// by the mean position of their neighbours (a few barycenter sweeps), odd
// layers are shifted by half a row so that edges skipping a layer pass
// between nodes, and edge labels go where they overlap nothing.
func newGraph(d *engine.StoryDetail, colors map[string]int) *graph {
	const nodeW, nodeH, colGap, rowGap, margin = 180, 46, 96, 26, 14
	byID := map[string]engine.StoryArticle{}
	order := map[string]int{}
	for i, a := range d.Articles {
		byID[a.ID] = a
		order[a.ID] = i
	}
	var ids []string
	seen := map[string]bool{}
	for _, e := range d.Reuse {
		for _, id := range []string{e.Source, e.Copy} {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxGraphNodes {
		return &graph{TooLarge: len(ids)}
	}
	// Layers (bounded, so that a cycle of directions cannot loop).
	depth := map[string]int{}
	for range ids {
		changed := false
		for _, e := range d.Reuse {
			if dd := depth[e.Source] + 1; dd > depth[e.Copy] && dd < len(ids) {
				depth[e.Copy] = dd
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	closest := map[string]bool{}
	for _, cg := range d.CopyGroups {
		closest[cg.ClosestToSource] = true
	}
	g := &graph{}
	layers := [][]string{}
	for _, id := range ids {
		l := depth[id]
		for len(layers) <= l {
			layers = append(layers, nil)
		}
		layers[l] = append(layers[l], id)
	}
	row := map[string]float64{}
	for _, layer := range layers {
		slices.SortFunc(layer, func(x, y string) int {
			if c := cmp.Compare(colors[byID[x].CopyGroup], colors[byID[y].CopyGroup]); c != 0 {
				return c
			}
			return cmp.Compare(order[x], order[y])
		})
		for i, id := range layer {
			row[id] = float64(i)
		}
	}
	neighbours := map[string][]string{}
	for _, e := range d.Reuse {
		neighbours[e.Copy] = append(neighbours[e.Copy], e.Source)
		neighbours[e.Source] = append(neighbours[e.Source], e.Copy)
	}
	for range 4 {
		for _, layer := range layers {
			key := map[string]float64{}
			for _, id := range layer {
				var sum float64
				for _, n := range neighbours[id] {
					sum += row[n]
				}
				key[id] = row[id]
				if n := len(neighbours[id]); n > 0 {
					key[id] = sum / float64(n)
				}
			}
			slices.SortStableFunc(layer, func(x, y string) int { return cmp.Compare(key[x], key[y]) })
			for i, id := range layer {
				row[id] = float64(i)
			}
		}
	}
	pos := map[string]int{}
	maxY := 0
	for l, layer := range layers {
		shift := 0
		if l%2 == 1 {
			shift = (nodeH + rowGap) / 2
		}
		for r, id := range layer {
			a := byID[id]
			n := node{X: margin + l*(nodeW+colGap), Y: margin + shift + r*(nodeH+rowGap), W: nodeW, H: nodeH,
				Article: a, Color: colors[a.CopyGroup], Closest: closest[id], layer: l, row: r}
			pos[id] = len(g.Nodes)
			g.Nodes = append(g.Nodes, n)
			maxY = max(maxY, n.Y+n.H)
		}
	}
	// Anchors: each node's outgoing edges spread down its right side, its
	// incoming ones down its left side, ordered by the other end's height.
	out, in := map[string][]int{}, map[string][]int{}
	for i, e := range d.Reuse {
		out[e.Source] = append(out[e.Source], i)
		in[e.Copy] = append(in[e.Copy], i)
	}
	anchor := func(lists map[string][]int, other func(int) string) map[int]float64 {
		at := map[int]float64{}
		for id, es := range lists {
			slices.SortFunc(es, func(x, y int) int {
				return cmp.Compare(g.Nodes[pos[other(x)]].Y, g.Nodes[pos[other(y)]].Y)
			})
			n := g.Nodes[pos[id]]
			for k, ei := range es {
				at[ei] = float64(n.Y) + float64(n.H)*float64(k+1)/float64(len(es)+1)
			}
		}
		return at
	}
	srcY := anchor(out, func(i int) string { return d.Reuse[i].Copy })
	dstY := anchor(in, func(i int) string { return d.Reuse[i].Source })
	var taken []box
	for _, n := range g.Nodes {
		taken = append(taken, box{float64(n.X), float64(n.Y), float64(n.X + n.W), float64(n.Y + n.H)})
	}
	for i, e := range d.Reuse {
		s, c := g.Nodes[pos[e.Source]], g.Nodes[pos[e.Copy]]
		var p [4]point
		if c.X > s.X {
			x1, x2 := float64(s.X+s.W), float64(c.X-2)
			mid := (x1 + x2) / 2
			p = [4]point{{x1, srcY[i]}, {mid, srcY[i]}, {mid, dstY[i]}, {x2, dstY[i]}}
		} else { // same layer (a cycle of directions): loop on the right
			x1, x2 := float64(s.X+s.W), float64(c.X+c.W+2)
			bend := x1 + colGap/2
			p = [4]point{{x1, srcY[i]}, {bend, srcY[i]}, {bend, dstY[i]}, {x2, dstY[i]}}
		}
		ed := edge{
			Path:  fmt.Sprintf("M%.0f %.0f C%.0f %.0f %.0f %.0f %.0f %.0f", p[0].x, p[0].y, p[1].x, p[1].y, p[2].x, p[2].y, p[3].x, p[3].y),
			Label: e.Label, Text: fmt.Sprintf("%s %.0f%%", e.Label, 100*e.Coverage),
			Copy: e.Copy, Source: e.Source, CompareURL: compareURL(e.Source, e.Copy),
		}
		w := 7.2*float64(len(ed.Text)) + 6
		for _, t := range []float64{.5, .4, .6, .3, .7, .22, .78} {
			q := bezier(p, t)
			b := box{q.x - w/2, q.y - 13, q.x + w/2, q.y + 3}
			if !slices.ContainsFunc(taken, b.overlaps) {
				taken = append(taken, b)
				ed.LabelX, ed.LabelY = int(q.x), int(q.y-1)
				break
			}
		}
		g.Edges = append(g.Edges, ed)
	}
	g.Width = 2*margin + len(layers)*nodeW + (len(layers)-1)*colGap
	g.Height = maxY + margin
	return g
}

// comparePage lays out a Comparison in rows: an aligned pair of sentence
// groups side by side, or a sentence only one side has.
type comparePage struct {
	C       *engine.Comparison
	A, B    compareSide
	Rows    []compareRow
	Verdict string // e.g. "AP (reworded) is a copy of Indian daily"
}

type compareSide struct {
	ID, Outlet, Story string
	Title             string
	Published         *time.Time
	Words             int
	Coverage          float64
	Role              string // "source", "copy" or ""
}

type compareRow struct {
	A, B []sentence
	Kind wiretrace.AlignKind // "" for a one-sided row
}

type sentence struct {
	Index int
	Text  string
	Class string // verbatim, edited, reworded, added, dropped, unique
	Links string // space-separated indexes on the other side
}

func newComparePage(c *engine.Comparison) *comparePage {
	p := &comparePage{C: c}
	p.A = compareSide{ID: c.A.ID, Title: c.A.Title, Published: c.A.Published, Words: c.A.Words, Coverage: c.A.Coverage}
	p.B = compareSide{ID: c.B.ID, Title: c.B.Title, Published: c.B.Published, Words: c.B.Words, Coverage: c.B.Coverage}
	onlyA, onlyB := "unique", "unique"
	switch c.Copy {
	case "a":
		p.A.Role, p.B.Role = "copy", "source"
		onlyA, onlyB = "added", "dropped"
	case "b":
		p.A.Role, p.B.Role = "source", "copy"
		onlyA, onlyB = "dropped", "added"
	}
	mk := func(s engine.CompareSentence, only string) sentence {
		cls := string(s.Kind)
		if cls == "" {
			cls = only
		}
		links := ""
		for i, l := range s.Links {
			if i > 0 {
				links += " "
			}
			links += fmt.Sprint(l)
		}
		return sentence{Index: s.Index, Text: s.Text, Class: cls, Links: links}
	}
	printedB := make([]bool, len(c.B.Sentences))
	nextB := 0
	flushB := func(upto int) {
		for ; nextB < upto && nextB < len(c.B.Sentences); nextB++ {
			if sb := c.B.Sentences[nextB]; !printedB[nextB] && len(sb.Links) == 0 {
				p.Rows = append(p.Rows, compareRow{B: []sentence{mk(sb, onlyB)}})
				printedB[nextB] = true
			}
		}
	}
	for _, sa := range c.A.Sentences {
		if len(sa.Links) == 0 {
			p.Rows = append(p.Rows, compareRow{A: []sentence{mk(sa, onlyA)}})
			continue
		}
		row := compareRow{A: []sentence{mk(sa, onlyA)}, Kind: sa.Kind}
		for _, j := range sa.Links {
			flushB(j)
			if !printedB[j] {
				row.B = append(row.B, mk(c.B.Sentences[j], onlyB))
				printedB[j] = true
			}
		}
		// A sentence whose partners were shown with an earlier sentence
		// (many-to-one) joins that row.
		if len(row.B) == 0 && len(p.Rows) > 0 && p.Rows[len(p.Rows)-1].Kind != "" {
			last := &p.Rows[len(p.Rows)-1]
			last.A = append(last.A, row.A...)
			continue
		}
		p.Rows = append(p.Rows, row)
	}
	flushB(len(c.B.Sentences))
	p.setVerdict()
	return p
}

// setVerdict says who copies whom, naming each side by its outlet (else
// "A" or "B"). Call it again once the outlets are known.
func (p *comparePage) setVerdict() {
	name := func(s *compareSide, letter string) string {
		if s.Outlet != "" && p.A.Outlet != p.B.Outlet {
			return s.Outlet
		}
		return letter
	}
	a, b := name(&p.A, "A"), name(&p.B, "B")
	switch p.C.Copy {
	case "a":
		p.Verdict = a + " is a " + verdictLabel(p.C.Label) + " of " + b
	case "b":
		p.Verdict = b + " is a " + verdictLabel(p.C.Label) + " of " + a
	default:
		p.Verdict = "No reuse between these two articles"
	}
}

func verdictLabel(l wiretrace.Label) string {
	switch l {
	case wiretrace.Duplicate:
		return "duplicate"
	case wiretrace.Copy:
		return "copy"
	case wiretrace.Rewrite:
		return "rewrite"
	case wiretrace.Partial:
		return "partial reuse"
	}
	return string(l)
}
