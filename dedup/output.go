package dedup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/zeebo/xxh3"

	"github.com/wiretrace/wiretrace/engine"
)

// Output file names in Options.OutDir.
const (
	ClustersFile = "clusters.jsonl"
	DedupFile    = "dedup.jsonl"
	SummaryFile  = "summary.json"
	SkippedFile  = "skipped.jsonl"
	ReuseFile    = "reuse.jsonl"
)

// OutputVersion is the version of the output contract: summary.json, the
// lines of clusters.jsonl, skipped.jsonl and reuse.jsonl (docs/dedup.md).
// Changelog:
//
//	1: first version.
const OutputVersion = 1

// Cluster is one line of clusters.jsonl: an article (in input order) with
// its copy group, its label relative to the group's representative, and
// its story.
type Cluster struct {
	ID string `json:"id"`
	// Group is the copy group ("g:" + the id of its first member, as
	// analyze names it); empty when the article shares its text with none.
	Group          string `json:"group,omitempty"`
	GroupSize      int    `json:"group_size,omitempty"`
	Representative string `json:"representative,omitempty"`
	// Label is "representative" for the member kept; duplicate, copy,
	// rewrite or partial for how a member relates to the representative;
	// "indirect" for a member linked to it only through other members;
	// outside groups, "partial" (see PartialOf) or "unique".
	Label string `json:"label"`
	// PartialOf names the article this one reuses most from, when it is
	// in no copy group and reuses part of another article.
	PartialOf string `json:"partial_of,omitempty"`
	Story     string `json:"story"`
	// Kept says whether the article is in the filtered output.
	Kept bool `json:"kept"`
}

// Summary is summary.json: what a run found and what it skipped.
type Summary struct {
	Version     int    `json:"version"`
	Level       string `json:"level"`
	Policy      string `json:"policy"`
	DropPartial bool   `json:"drop_partial"`
	// Articles is the number of articles analysed (replaced ones not
	// counted); TextBytes their text size.
	Articles  int   `json:"articles"`
	TextBytes int64 `json:"text_bytes"`
	Kept      int   `json:"kept"`
	Removed   int   `json:"removed"`
	// Labels counts articles by label (see Cluster.Label).
	Labels map[string]int `json:"labels"`
	// Reuse counts derivations between two articles by label.
	Reuse      map[string]int `json:"reuse"`
	CopyGroups GroupStats     `json:"copy_groups"`
	Stories    int            `json:"stories"`
	// MultiStories counts the stories of more than one article.
	MultiStories int       `json:"stories_with_several_articles"`
	Skipped      SkipStats `json:"skipped"`
}

// GroupStats describes the copy groups.
type GroupStats struct {
	Count    int       `json:"count"`
	Articles int       `json:"articles"`
	Largest  int       `json:"largest"`
	Sizes    []SizeBin `json:"size_histogram"`
}

// SizeBin counts the groups of Min to Max members.
type SizeBin struct {
	Min      int `json:"min"`
	Max      int `json:"max"`
	Groups   int `json:"groups"`
	Articles int `json:"articles"`
}

// SkipStats counts and names the inputs left out.
type SkipStats struct {
	Total    int            `json:"total"`
	ByReason map[string]int `json:"by_reason"`
	// Examples are the first few, in input order; skipped.jsonl lists all.
	Examples []Skip `json:"examples"`
}

// Skip is one line of skipped.jsonl.
type Skip = skipped

const maxExamples = 20

// writeOutputs writes every output through temporary files, renamed into
// place together at the end.
func (r *runner) writeOutputs(ctx context.Context, oc *outcome) (*Summary, error) {
	c := r.c
	o := &r.opts
	sum := &Summary{
		Version: OutputVersion, Level: o.Engine.Level.String(), Policy: string(o.Policy), DropPartial: o.DropPartial,
		Labels: map[string]int{}, Reuse: map[string]int{},
		Skipped: SkipStats{ByReason: map[string]int{}, Examples: []Skip{}},
	}
	for l, k := range oc.reuse {
		sum.Reuse[string(l)] = k
	}
	files := map[string]*os.File{}
	writers := map[string]*asyncWriter{}
	create := func(name string) (*asyncWriter, error) {
		f, direct, err := createDirect(filepath.Join(o.OutDir, name+".tmp"))
		if err != nil {
			return nil, err
		}
		files[name] = f
		w := newAsyncWriter(f, direct)
		writers[name] = w
		return w, nil
	}
	fail := func(err error) (*Summary, error) {
		for name, f := range files {
			writers[name].Close()
			f.Close()
			os.Remove(filepath.Join(o.OutDir, name+".tmp"))
		}
		return nil, err
	}
	cw, err := create(ClustersFile)
	if err != nil {
		return fail(err)
	}
	dw, err := create(DedupFile)
	if err != nil {
		return fail(err)
	}
	sw, err := create(SkippedFile)
	if err != nil {
		return fail(err)
	}

	// Names of the groups and of their representatives.
	gName := make([]string, len(oc.groups))
	gRep := make([]string, len(oc.groups))
	for i, g := range oc.groups {
		id, err := c.id(g.first)
		if err != nil {
			return fail(err)
		}
		gName[i] = "g:" + id
		if gRep[i], err = c.id(g.rep); err != nil {
			return fail(err)
		}
	}

	kept := func(h uint32) bool {
		if !c.alive(h) {
			return false
		}
		if g := oc.groupOf[h]; g >= 0 {
			return oc.groups[g].rep == h
		}
		return !(o.DropPartial && oc.partialOf[h] >= 0)
	}

	// Skipped inputs, segment by segment, then replaced articles.
	addSkip := func(s Skip) {
		sum.Skipped.Total++
		sum.Skipped.ByReason[s.Reason]++
		if len(sum.Skipped.Examples) < maxExamples {
			sum.Skipped.Examples = append(sum.Skipped.Examples, s)
		}
	}
	for _, s := range r.man.Segments {
		b, err := os.ReadFile(r.segPath(s.Index, sufSkip))
		if err != nil {
			return fail(err)
		}
		for line := range bytes.Lines(b) {
			var sk Skip
			if err := json.Unmarshal(line, &sk); err != nil {
				return fail(fmt.Errorf("%s: %w: %v", r.segPath(s.Index, sufSkip), ErrCorrupt, err))
			}
			addSkip(sk)
		}
		sw.Write(b)
	}
	for _, d := range r.man.Deaths {
		old, err := c.meta(d[0])
		if err != nil {
			return fail(err)
		}
		nw, err := c.meta(d[1])
		if err != nil {
			return fail(err)
		}
		sk := Skip{Reason: ReasonDuplicateID, Origin: old.Origin, Error: fmt.Sprintf("id %q is repeated at %s, which replaces this article", old.ID, nw.Origin)}
		addSkip(sk)
		line, _ := json.Marshal(sk)
		sw.Write(append(line, '\n'))
	}

	// clusters.jsonl and dedup.jsonl, in handle order.
	enc := json.NewEncoder(cw)
	enc.SetEscapeHTML(false)
	storySeen := map[int32]int{}
	lines := &lineReader{inputs: r.inputs}
	defer lines.close()
	for _, s := range r.man.Segments {
		mf := c.metaFiles[c.seg(uint32(s.Base))]
		mr := bufio.NewReaderSize(io.NewSectionReader(mf, headerSize, 1<<62), 256<<10)
		tf, err := os.Open(r.segPath(s.Index, sufText))
		if err != nil {
			return fail(err)
		}
		tr := bufio.NewReaderSize(newTextReader(tf, tf.Name()), 1<<20)
		var mbuf []byte
		for i := range s.Count {
			h := uint32(s.Base + i)
			rec, err := readRecord(mr, mr, mbuf, 1<<24)
			if err != nil {
				tf.Close()
				return fail(fmt.Errorf("read %s: %w", mf.Name(), err))
			}
			mbuf = rec
			m, _, err := decodeMeta(rec)
			if err != nil {
				tf.Close()
				return fail(err)
			}
			var text []byte
			if m.Source.Input < 0 {
				text, err = tr.ReadSlice('\n')
				for err == bufio.ErrBufferFull {
					var more []byte
					more, err = tr.ReadSlice('\n')
					text = append(slices.Clone(text), more...)
				}
				if err != nil {
					tf.Close()
					return fail(fmt.Errorf("read %s: article %d: %w", tf.Name(), i, err))
				}
			}
			if !c.alive(h) {
				continue
			}
			if m.Source.Input >= 0 && kept(h) {
				if text, err = lines.read(m.Source); err != nil {
					tf.Close()
					return fail(err)
				}
			}
			cl := Cluster{ID: m.ID, Label: codeNames[oc.label[h]], Story: fmt.Sprintf("s%d", oc.story[h]+1), Kept: kept(h)}
			if g := oc.groupOf[h]; g >= 0 {
				cl.Group, cl.GroupSize, cl.Representative = gName[g], oc.groups[g].size, gRep[g]
			} else if p := oc.partialOf[h]; p >= 0 {
				if cl.PartialOf, err = c.id(uint32(p)); err != nil {
					tf.Close()
					return fail(err)
				}
			}
			if err := enc.Encode(&cl); err != nil {
				tf.Close()
				return fail(err)
			}
			sum.Articles++
			sum.TextBytes += int64(m.Bytes)
			sum.Labels[cl.Label]++
			storySeen[oc.story[h]]++
			if cl.Kept {
				sum.Kept++
				dw.Write(text)
			} else {
				sum.Removed++
			}
		}
		tf.Close()
		r.progress(Progress{Pass: PassOutput, Done: int64(s.Base + s.Count), Total: int64(c.n), Unit: "articles"})
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
	}
	sum.Stories = len(storySeen)
	for _, k := range storySeen {
		if k > 1 {
			sum.MultiStories++
		}
	}
	sum.CopyGroups = groupStats(oc.groups)

	if o.Reuse {
		rw, err := create(ReuseFile)
		if err != nil {
			return fail(err)
		}
		if err := r.writeReuse(rw); err != nil {
			return fail(err)
		}
	}
	sb, _ := json.MarshalIndent(sum, "", "  ")
	if _, err := create(SummaryFile); err != nil {
		return fail(err)
	}
	writers[SummaryFile].Write(append(sb, '\n'))

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := writers[name].Close(); err != nil {
			return fail(fmt.Errorf("write %s: %w", name, err))
		}
		if err := files[name].Sync(); err != nil {
			return fail(err)
		}
	}
	for _, name := range names {
		files[name].Close()
		if err := os.Rename(filepath.Join(o.OutDir, name+".tmp"), filepath.Join(o.OutDir, name)); err != nil {
			return nil, err
		}
	}
	if !o.Reuse {
		os.Remove(filepath.Join(o.OutDir, ReuseFile)) // from an earlier run
	}
	return sum, syncDir(o.OutDir)
}

// writeReuse writes every derivation between two articles that were not
// replaced, as analyze reports it.
func (r *runner) writeReuse(w io.Writer) error {
	c := r.c
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	er := r.edges()
	defer er.close()
	var e edge
	for er.next(&e) {
		if !c.alive(e.a) || !c.alive(e.b) {
			continue
		}
		ida, err := c.id(e.a)
		if err != nil {
			return err
		}
		idb, err := c.id(e.b)
		if err != nil {
			return err
		}
		ri := engine.ReuseInfo{Label: e.label, AlignedSentences: e.links, Similarity: round(e.sim), Direction: e.reason}
		if e.bCopy {
			ri.Copy, ri.Source = idb, ida
			ri.Coverage, ri.SourceCoverage = round(e.covB), round(e.covA)
		} else {
			ri.Copy, ri.Source = ida, idb
			ri.Coverage, ri.SourceCoverage = round(e.covA), round(e.covB)
		}
		if err := enc.Encode(&ri); err != nil {
			return err
		}
	}
	return er.err
}

// round rounds as the engine's reports do.
func round(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func groupStats(gs []group) GroupStats {
	st := GroupStats{Count: len(gs), Sizes: []SizeBin{}}
	for _, g := range gs {
		st.Articles += g.size
		st.Largest = max(st.Largest, g.size)
	}
	// Bins 2, 3–4, 5–8, 9–16, … up to the largest group.
	for lo, hi := 2, 2; lo <= st.Largest; lo, hi = hi+1, hi*2 {
		b := SizeBin{Min: lo, Max: hi}
		for _, g := range gs {
			if g.size >= lo && g.size <= hi {
				b.Groups++
				b.Articles += g.size
			}
		}
		st.Sizes = append(st.Sizes, b)
	}
	return st
}

// lineReader reads kept JSONL lines again from their input files, in
// input order (a forward scan per file).
type lineReader struct {
	inputs []string
	input  int
	f      *os.File
	br     *bufio.Reader
	pos    int64
	buf    []byte
}

// read returns the line at src followed by a newline. A line that is not
// what was read in pass 1 (the file changed meanwhile) is an error.
func (lr *lineReader) read(src lineSource) ([]byte, error) {
	if lr.f == nil || src.Input != lr.input || src.Offset < lr.pos {
		lr.close()
		if src.Input >= len(lr.inputs) {
			return nil, fmt.Errorf("%w: meta record names input %d of %d", ErrCorrupt, src.Input, len(lr.inputs))
		}
		f, err := os.Open(lr.inputs[src.Input])
		if err != nil {
			return nil, err
		}
		lr.input, lr.f, lr.pos = src.Input, f, 0
		lr.br = bufio.NewReaderSize(f, 1<<20)
	}
	name := lr.inputs[src.Input]
	if _, err := lr.br.Discard(int(src.Offset - lr.pos)); err != nil {
		return nil, fmt.Errorf("read %s: %w (it changed during the run?)", name, err)
	}
	lr.buf = slices.Grow(lr.buf[:0], src.Len+1)[:src.Len]
	if _, err := io.ReadFull(lr.br, lr.buf); err != nil {
		return nil, fmt.Errorf("read %s: %w (it changed during the run?)", name, err)
	}
	lr.pos = src.Offset + int64(src.Len)
	if xxh3.Hash(lr.buf) != src.Hash {
		return nil, fmt.Errorf("%w: %s changed during the run: the line at byte %d is not the one read before (run afresh)", ErrWorkMismatch, name, src.Offset)
	}
	return append(lr.buf, '\n'), nil
}

func (lr *lineReader) close() {
	if lr.f != nil {
		lr.f.Close()
		lr.f, lr.br = nil, nil
	}
}
