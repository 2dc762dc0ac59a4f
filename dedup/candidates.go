package dedup

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
)

// Pass 2b applies the engine's candidate rule (engine.matchLocked) to each
// article's pair triples: hits(d, e) is the number of distinct sentences of
// d that share a sentence bucket with e, plus 1<<20 when they share a
// document bucket; e is a candidate when hits ≥ NeedHits(indexed(d),
// indexed(e)); the MaxCandidates candidates with the most hits (ties to the
// lower handle) are kept, in that order. A candidate that d itself replaces
// (same id) keeps its place in the ranking, as in the engine, but is marked
// to be dropped without alignment.

// cand is one candidate pair: e (earlier) is aligned with d.
type cand struct {
	d, e uint32
	rank uint16
	drop bool
}

const candSize = 12

func putCand(b []byte, c cand) {
	binary.LittleEndian.PutUint32(b, c.d)
	binary.LittleEndian.PutUint32(b[4:], c.e)
	binary.LittleEndian.PutUint16(b[8:], c.rank)
	b[10] = 0
	if c.drop {
		b[10] = 1
	}
	b[11] = 0
}

func getCand(b []byte) cand {
	return cand{d: binary.LittleEndian.Uint32(b), e: binary.LittleEndian.Uint32(b[4:]), rank: binary.LittleEndian.Uint16(b[8:]), drop: b[10] == 1}
}

// partitionTasks runs fn on every partition not in done, on the workers,
// and records each completed partition in the manifest through mark.
func (r *runner) partitionTasks(ctx context.Context, pass Pass, done []int, fn func(ctx context.Context, p int) error, mark func(p int)) error {
	isDone := make(map[int]bool, len(done))
	for _, p := range done {
		isDone[p] = true
	}
	var todo []int
	for p := range r.man.Parts {
		if !isDone[p] {
			todo = append(todo, p)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, finished atomic.Int64
	finished.Store(int64(len(done)))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range min(r.opts.Workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(todo) || ctx.Err() != nil {
					return
				}
				p := todo[i]
				err := fn(ctx, p)
				mu.Lock()
				if err == nil {
					mark(p)
					err = r.man.save(r.work)
				}
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				if err != nil {
					return
				}
				r.progress(Progress{Pass: pass, Done: finished.Add(1), Total: int64(r.man.Parts), Unit: "partitions"})
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (r *runner) candidatesPass(ctx context.Context) error {
	return r.partitionTasks(ctx, PassCandidates, r.man.CandDone, r.candidatesPartition, func(p int) {
		r.man.CandDone = append(r.man.CandDone, p)
		slices.Sort(r.man.CandDone)
	})
}

// candidatesPartition turns one partition's triples into ranked
// candidates. Partitions larger than the worker's memory share are read in
// as many sub-ranges of articles as needed.
func (r *runner) candidatesPartition(ctx context.Context, p int) error {
	pairPath := r.partPath(p, ".pairs")
	f, err := os.Open(pairPath)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size() - headerSize
	if size < 0 || size%pairSize != 0 {
		return fmt.Errorf("%s: %w: size %d", pairPath, ErrCorrupt, st.Size())
	}
	var h [headerSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return fmt.Errorf("read %s: %w", pairPath, err)
	}
	if err := checkHeader(h[:], kindPair, pairPath); err != nil {
		return err
	}
	lo := uint32(p * r.man.PartW)
	hi := uint32(min((p+1)*r.man.PartW, r.man.Articles))
	// In memory a triple takes twice its 12 bytes on disk.
	sub := int((2*size + int64(r.budget.partition) - 1) / int64(max(r.budget.partition, 1)))
	sub = max(1, min(sub, int(hi-lo)))
	step := (hi - lo + uint32(sub) - 1) / uint32(sub)

	out := r.partPath(p, ".cand")
	of, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(of, 256<<10)
	w.Write(header(kindCand))
	var cb [candSize]byte
	cr := candRanker{o: &r.opts, c: r.c}
	for slo := lo; slo < hi; slo += step {
		shi := min(slo+step, hi)
		triples, err := readTriples(f, size, slo, shi)
		if err != nil {
			of.Close()
			return fmt.Errorf("read %s: %w", pairPath, err)
		}
		byD := groupByD(triples, slo, shi)
		for d := slo; d < shi; d++ {
			for _, c := range cr.rank(d, byD[d-slo]) {
				putCand(cb[:], c)
				w.Write(cb[:])
			}
		}
		if err := ctx.Err(); err != nil {
			of.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		of.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := of.Sync(); err != nil {
		of.Close()
		return err
	}
	if err := of.Close(); err != nil {
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	return syncDir(r.work)
}

// readTriples reads the triples of articles [lo, hi) as (e<<32 | s) values
// paired with d.
func readTriples(f *os.File, size int64, lo, hi uint32) ([]triple, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(f, headerSize, size), 1<<20)
	var out []triple
	var b [pairSize]byte
	for range size / pairSize {
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, err
		}
		d := binary.LittleEndian.Uint32(b[:])
		if d < lo || d >= hi {
			continue
		}
		out = append(out, triple{d: d, es: uint64(binary.LittleEndian.Uint32(b[4:]))<<32 | uint64(binary.LittleEndian.Uint32(b[8:]))})
	}
	return out, nil
}

type triple struct {
	d  uint32
	es uint64 // e<<32 | s
}

// groupByD returns, per article d in [lo, hi), its e<<32|s values (a
// counting sort on d).
func groupByD(ts []triple, lo, hi uint32) [][]uint64 {
	n := int(hi - lo)
	counts := make([]int, n+1)
	for _, t := range ts {
		counts[t.d-lo+1]++
	}
	for i := 1; i <= n; i++ {
		counts[i] += counts[i-1]
	}
	flat := make([]uint64, len(ts))
	pos := slices.Clone(counts[:n])
	for _, t := range ts {
		i := t.d - lo
		flat[pos[i]] = t.es
		pos[i]++
	}
	out := make([][]uint64, n)
	for i := range n {
		out[i] = flat[counts[i]:counts[i+1]:counts[i+1]]
	}
	return out
}

// candRanker applies the candidate rule.
type candRanker struct {
	o     *Options
	c     *corpus
	cands []scored
}

type scored struct {
	e    uint32
	hits int
}

// rank returns d's candidates in the engine's order, from its e<<32|s
// values (sorted in place).
func (cr *candRanker) rank(d uint32, es []uint64) []cand {
	if len(es) == 0 {
		return nil
	}
	slices.Sort(es)
	o := &cr.o.Engine
	cr.cands = cr.cands[:0]
	myIndexed := int(cr.c.indexed[d])
	for i := 0; i < len(es); {
		e := uint32(es[i] >> 32)
		hits := 0
		lastS := uint64(1 << 63)
		for ; i < len(es) && uint32(es[i]>>32) == e; i++ {
			s := es[i] & 0xffffffff
			if s != lastS {
				// docMark sorts last and counts once, like the engine's
				// document hit.
				if s == docMark {
					hits += 1 << 20
				} else {
					hits++
				}
			}
			lastS = s
		}
		if hits >= o.NeedHits(myIndexed, int(cr.c.indexed[e])) {
			cr.cands = append(cr.cands, scored{e, hits})
		}
	}
	slices.SortFunc(cr.cands, func(x, y scored) int {
		if c := cmp.Compare(y.hits, x.hits); c != 0 {
			return c
		}
		return cmp.Compare(x.e, y.e)
	})
	if len(cr.cands) > o.MaxCandidates {
		cr.cands = cr.cands[:o.MaxCandidates]
	}
	out := make([]cand, len(cr.cands))
	for i, s := range cr.cands {
		k, dies := cr.c.death[s.e]
		out[i] = cand{d: d, e: s.e, rank: uint16(min(i, 0xffff)), drop: dies && k == d}
	}
	return out
}
