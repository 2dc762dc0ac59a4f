package dedup

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
)

// Pass 3 aligns every candidate pair with engine.Judge, the function
// analyze and serve judge pairs with, and writes the pairs that show reuse
// as edges, per partition, in (d, candidate rank) order: the order in which
// the engine records them.

// edge is one derivation: a (earlier) and b, as engine.Judge saw them.
type edge struct {
	a, b     uint32
	label    wiretrace.Label
	bCopy    bool
	reason   string
	covA     float64
	covB     float64
	sim      float64
	alignedA int
	alignedB int
	links    int
}

func appendEdge(dst []byte, e *edge) []byte {
	dst = binary.AppendUvarint(dst, uint64(e.a))
	dst = binary.AppendUvarint(dst, uint64(e.b))
	dst = appendString(dst, string(e.label))
	if e.bCopy {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	dst = appendString(dst, e.reason)
	for _, f := range []float64{e.covA, e.covB, e.sim} {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	}
	for _, v := range []int{e.alignedA, e.alignedB, e.links} {
		dst = binary.AppendUvarint(dst, uint64(v))
	}
	return dst
}

func decodeEdge(b []byte, e *edge) error {
	d := decoder{b: b}
	e.a = d.uint32()
	e.b = d.uint32()
	e.label = wiretrace.Label(d.string())
	e.bCopy = d.byte() == 1
	e.reason = d.string()
	e.covA = math.Float64frombits(d.fixed64())
	e.covB = math.Float64frombits(d.fixed64())
	e.sim = math.Float64frombits(d.fixed64())
	e.alignedA = d.int()
	e.alignedB = d.int()
	e.links = d.int()
	if d.err || len(d.b) != 0 {
		return fmt.Errorf("%w: edge record", ErrCorrupt)
	}
	if e.label.Rank() > 3 {
		return fmt.Errorf("%w: edge label %q", ErrCorrupt, e.label)
	}
	return nil
}

func (r *runner) alignPass(ctx context.Context) error {
	return r.partitionTasks(ctx, PassAlign, r.man.EdgeDone, r.alignPartition, func(p int) {
		r.man.EdgeDone = append(r.man.EdgeDone, p)
		slices.Sort(r.man.EdgeDone)
	})
}

// alignChunk is how many candidate pairs are aligned with their articles
// loaded together.
const alignChunk = 2048

func (r *runner) alignPartition(ctx context.Context, _, p int) error {
	cands, err := r.readCands(p)
	if err != nil {
		return err
	}
	out := r.partPath(p, ".edges")
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	w.Write(header(kindEdge))
	o := &r.opts.Engine
	var buf, rec []byte
	docs := map[uint32]*engine.Prepared{}
	var need []uint32
	for i := 0; i < len(cands); {
		j := min(i+alignChunk, len(cands))
		// Keep an article's candidates in one chunk.
		for j < len(cands) && cands[j].d == cands[j-1].d {
			j++
		}
		need = need[:0]
		for _, c := range cands[i:j] {
			if !c.drop {
				need = append(need, c.d, c.e)
			}
		}
		slices.Sort(need)
		need = slices.Compact(need)
		clear(docs)
		for _, h := range need {
			var p *engine.Prepared
			p, buf, err = r.c.prepared(h, buf)
			if err != nil {
				f.Close()
				return err
			}
			docs[h] = p
		}
		for _, c := range cands[i:j] {
			if c.drop {
				continue
			}
			jd, ok := engine.Judge(o, docs[c.e], int(c.e), docs[c.d], int(c.d))
			if !ok {
				continue
			}
			res := &jd.Result
			e := edge{a: c.e, b: c.d, label: jd.Label, bCopy: jd.BIsCopy, reason: jd.Reason,
				covA: res.CoverageA, covB: res.CoverageB, sim: res.Sim, alignedA: res.AlignedA, alignedB: res.AlignedB, links: len(res.Links)}
			rec = appendEdge(rec[:0], &e)
			var lb [binary.MaxVarintLen64]byte
			w.Write(lb[:binary.PutUvarint(lb[:], uint64(len(rec)))])
			w.Write(rec)
		}
		if err := ctx.Err(); err != nil {
			f.Close()
			return err
		}
		i = j
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	return syncDir(r.work)
}

func (r *runner) readCands(p int) ([]cand, error) {
	path := r.partPath(p, ".cand")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := checkHeader(b, kindCand, path); err != nil {
		return nil, err
	}
	b = b[headerSize:]
	if len(b)%candSize != 0 {
		return nil, fmt.Errorf("%s: %w: size", path, ErrCorrupt)
	}
	out := make([]cand, len(b)/candSize)
	for i := range out {
		out[i] = getCand(b[i*candSize:])
		if out[i].e >= out[i].d || int(out[i].d) >= r.man.Articles {
			return nil, fmt.Errorf("%s: %w: candidate %d", path, ErrCorrupt, i)
		}
	}
	return out, nil
}

// edgeReader streams the edges of every partition in order.
type edgeReader struct {
	r    *runner
	p    int
	f    *os.File
	br   *bufio.Reader
	buf  []byte
	err  error
	done bool
}

func (r *runner) edges() *edgeReader { return &edgeReader{r: r, p: -1} }

// next reads the next edge into e; false at the end or on error (see err).
func (er *edgeReader) next(e *edge) bool {
	for {
		if er.done || er.err != nil {
			return false
		}
		if er.br == nil {
			er.p++
			if er.p >= er.r.man.Parts {
				er.done = true
				return false
			}
			path := er.r.partPath(er.p, ".edges")
			f, err := os.Open(path)
			if err != nil {
				er.err = err
				return false
			}
			er.f, er.br = f, bufio.NewReaderSize(f, 256<<10)
			var h [headerSize]byte
			if _, err := io.ReadFull(er.br, h[:]); err != nil {
				er.err = fmt.Errorf("read %s: %w", path, err)
				return false
			}
			if err := checkHeader(h[:], kindEdge, path); err != nil {
				er.err = err
				return false
			}
		}
		rec, err := readRecord(er.br, er.br, er.buf, 1<<20)
		if err == io.EOF {
			er.f.Close()
			er.f, er.br = nil, nil
			continue
		}
		if err != nil {
			er.err = fmt.Errorf("read %s: %w", er.f.Name(), err)
			return false
		}
		er.buf = rec
		if err := decodeEdge(rec, e); err != nil {
			er.err = fmt.Errorf("%s: %w", er.f.Name(), err)
			return false
		}
		if int(e.b) >= er.r.man.Articles || e.a >= e.b {
			er.err = fmt.Errorf("%s: %w: edge %d-%d", er.f.Name(), ErrCorrupt, e.a, e.b)
			return false
		}
		return true
	}
}

func (er *edgeReader) close() {
	if er.f != nil {
		er.f.Close()
	}
}
