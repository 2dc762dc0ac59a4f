package engine

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/ingest"
)

func featFixture(t *testing.T) []*Prepared {
	t.Helper()
	pr := NewPreparer(Options{})
	var out []*Prepared
	err := ingest.Read(context.Background(), []string{"../testdata/seeds", "testdata/mixed.jsonl"}, ingest.Options{}, func(it ingest.Item) error {
		if it.Err == nil {
			if p, err := pr.Prepare(it.Article); err == nil {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// recordAtLeast must answer as align.SentenceSim does for every pair of
// indexed sentences, at every threshold, or matching would change.
func TestRecordAtLeastIsSentenceSim(t *testing.T) {
	ps := featFixture(t)
	var f feats
	type ref struct {
		p   *Prepared
		i   int
		off uint64
	}
	var refs []ref
	for h, p := range ps {
		p.sentenceKeys(8, func(i int, _ []uint64) {
			refs = append(refs, ref{p, i, f.add(uint32(h), &p.Doc, i)})
		})
	}
	if len(refs) < 500 {
		t.Fatalf("%d indexed sentences, want ≥ 500", len(refs))
	}
	checked, positive := 0, 0
	for k, a := range refs {
		for _, b := range refs[max(0, k-40):min(len(refs), k+40)] {
			sim := align.SentenceSim(&a.p.Doc, a.i, &b.p.Doc, b.i)
			for _, min := range []float64{sim, math.Nextafter(sim, 0), math.Nextafter(sim, 2), 0.3, 0.5} {
				if got, want := recordAtLeast(&a.p.Doc, a.i, f.record(b.off), min), sim >= min; got != want {
					t.Fatalf("recordAtLeast(%v) = %v, SentenceSim = %v", min, got, sim)
				}
			}
			checked++
			if sim > 0 {
				positive++
			}
		}
	}
	if positive < checked/20 {
		t.Errorf("only %d of %d pairs similar at all: the check proves little", positive, checked)
	}
	for _, r := range refs {
		if got := f.record(r.off)[0]; r.p != ps[got] {
			t.Fatalf("record at %d names handle %d", r.off, got)
		}
	}
}

// With chunks so small that records keep crossing into new ones (and
// removals walking records back), results are those of the default size.
func TestFeatChunks(t *testing.T) {
	ps := featFixture(t)
	run := func() []string {
		e, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for k, p := range ps {
			r := e.Add(p)
			if k%7 == 6 {
				r = e.Add(ps[k-3]) // replace: removes its records' entries
			}
			if k%11 == 10 {
				e.Remove(ps[k-1].Article.ID)
			}
			b, _ := json.Marshal(r)
			out = append(out, string(b))
		}
		b, _ := json.Marshal(e.Report())
		out = append(out, string(b))
		// Removals found their entries: the index holds the live
		// articles' sentences, band by band, and no more.
		want := 0
		for _, d := range e.docs {
			if d != nil {
				want += d.p.indexed * e.opts.SentenceBands
			}
		}
		if got := e.sentLSH.Len(); got != want || want == 0 {
			t.Fatalf("sentence index holds %d entries, want %d", got, want)
		}
		return out
	}
	want := run()
	defer func(s uint, c uint64) { featShift, featChunk = s, c }(featShift, featChunk)
	// The smallest chunk the longest sentence fits in.
	longest := 0
	for _, p := range ps {
		p.sentenceKeys(8, func(i int, _ []uint64) {
			longest = max(longest, recordSize(int(p.Doc.Sentences[i].NTerms)))
		})
	}
	featShift = 0
	for 1<<featShift < longest {
		featShift++
	}
	featChunk = 1 << featShift
	got := run()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("step %d with %d-word chunks:\n%s\nwant\n%s", i, featChunk, got[i], want[i])
		}
	}
}
