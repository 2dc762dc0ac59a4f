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

// Pass 2b applies the engine's candidate rule (engine.candidatesLocked and
// Engine.Commit) to what each article's queries saw: hits(d, e) is the
// number of distinct sentences of d that share a sentence bucket with e,
// plus 1<<20 when they share a document bucket; e is a candidate when hits ≥ NeedHits(indexed(d),
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

// partitionTasks runs fn on every partition not in done, on the workers
// (fn gets the worker's index), and records each completed partition in
// the manifest through mark.
func (r *runner) partitionTasks(ctx context.Context, pass Pass, done []int, fn func(ctx context.Context, worker, p int) error, mark func(p int)) error {
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
	for w := range min(r.opts.Workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(todo) || ctx.Err() != nil {
					return
				}
				p := todo[i]
				err := fn(ctx, w, p)
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
	if len(r.man.CandDone) == r.man.Parts {
		return nil // the pair files are gone with their last partition
	}
	var lists []*os.File
	defer func() {
		for _, f := range lists {
			f.Close()
		}
	}()
	for w := range r.man.Lists {
		f, err := os.Open(r.listPath(w))
		if err != nil {
			return err
		}
		lists = append(lists, f)
	}
	workers := min(r.opts.Workers, max(r.man.Parts, 1))
	rankers := make([]*candRanker, workers)
	dead := r.c.deadSet()
	// Dense hit counters take 8 bytes per article per worker; past an
	// eighth of the budget, maps.
	dense := int64(r.c.n)*8*int64(workers) <= r.opts.MemBytes/8
	for w := range rankers {
		rankers[w] = &candRanker{o: &r.opts, c: r.c, dead: dead, lists: lists,
			hits: newHitCounter(r.c.n, dense), cacheLimit: r.budget.partition / 2}
	}
	return r.partitionTasks(ctx, PassCandidates, r.man.CandDone, func(ctx context.Context, w, p int) error {
		return r.candidatesPartition(ctx, rankers[w], p)
	}, func(p int) {
		r.man.CandDone = append(r.man.CandDone, p)
		slices.Sort(r.man.CandDone)
	})
}

// partInput is one of a partition's two pair files, checked.
type partInput struct {
	f    *os.File
	size int64 // bytes after the header
}

func openPart(path string, kind byte, recSize int64) (partInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return partInput{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return partInput{}, err
	}
	size := st.Size() - headerSize
	var h [headerSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		f.Close()
		return partInput{}, fmt.Errorf("read %s: %w", path, err)
	}
	if err := checkHeader(h[:], kind, path); err != nil {
		f.Close()
		return partInput{}, err
	}
	if size%recSize != 0 {
		f.Close()
		return partInput{}, fmt.Errorf("%s: %w: size %d", path, ErrCorrupt, st.Size())
	}
	return partInput{f, size}, nil
}

// candidatesPartition turns one partition's triples and references into
// ranked candidates. Partitions larger than the worker's memory share are
// read in as many sub-ranges of articles as needed.
func (r *runner) candidatesPartition(ctx context.Context, cr *candRanker, p int) error {
	tri, err := openPart(r.partPath(p, ".pairs"), kindPair, pairSize)
	if err != nil {
		return err
	}
	defer tri.f.Close()
	refs, err := openPart(r.partPath(p, ".refs"), kindRef, refSize)
	if err != nil {
		return err
	}
	defer refs.f.Close()
	lo := uint32(p * r.man.PartW)
	hi := uint32(min((p+1)*r.man.PartW, r.man.Articles))
	// In memory a triple or reference takes about twice its size on disk.
	need := 2 * (tri.size + refs.size)
	sub := int((need + int64(r.budget.partition) - 1) / int64(max(r.budget.partition, 1)))
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
	for slo := lo; slo < hi; slo += step {
		shi := min(slo+step, hi)
		ts, err := readTriples(tri, slo, shi)
		if err != nil {
			of.Close()
			return fmt.Errorf("read %s: %w", tri.f.Name(), err)
		}
		rs, err := readRefs(refs, slo, shi)
		if err != nil {
			of.Close()
			return fmt.Errorf("read %s: %w", refs.f.Name(), err)
		}
		tByD, rByD := groupByD(ts, slo, shi), groupByD(rs, slo, shi)
		for d := slo; d < shi; d++ {
			cands, err := cr.rank(d, tByD[d-slo], rByD[d-slo])
			if err != nil {
				of.Close()
				return err
			}
			for _, c := range cands {
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

// A triple in memory: d, and s<<32 | e (sorting groups by sentence).
type triple struct {
	d  uint32
	se uint64
}

func (t triple) key() uint32 { return t.d }

// A reference in memory.
type ref struct {
	d, s, j uint32
	pos     uint64
}

func (r ref) key() uint32 { return r.d }

// readTriples reads the triples of articles [lo, hi).
func readTriples(in partInput, lo, hi uint32) ([]triple, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(in.f, headerSize, in.size), 1<<20)
	var out []triple
	var b [pairSize]byte
	for range in.size / pairSize {
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, err
		}
		d := binary.LittleEndian.Uint32(b[:])
		if d < lo || d >= hi {
			continue
		}
		e, s := binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
		if e >= d {
			return nil, fmt.Errorf("%w: triple %d, %d", ErrCorrupt, d, e)
		}
		out = append(out, triple{d: d, se: uint64(s)<<32 | uint64(e)})
	}
	return out, nil
}

// readRefs reads the references of articles [lo, hi).
func readRefs(in partInput, lo, hi uint32) ([]ref, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(in.f, headerSize, in.size), 1<<20)
	var out []ref
	var b [refSize]byte
	for range in.size / refSize {
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, err
		}
		d := binary.LittleEndian.Uint32(b[:])
		if d < lo || d >= hi {
			continue
		}
		out = append(out, ref{d: d, s: binary.LittleEndian.Uint32(b[4:]), pos: binary.LittleEndian.Uint64(b[8:]), j: binary.LittleEndian.Uint32(b[16:])})
	}
	return out, nil
}

// groupByD returns, per article d in [lo, hi), its items (a counting sort
// on d).
func groupByD[T interface{ key() uint32 }](xs []T, lo, hi uint32) [][]T {
	n := int(hi - lo)
	counts := make([]int, n+1)
	for _, x := range xs {
		counts[x.key()-lo+1]++
	}
	for i := 1; i <= n; i++ {
		counts[i] += counts[i-1]
	}
	flat := make([]T, len(xs))
	pos := slices.Clone(counts[:n])
	for _, x := range xs {
		i := x.key() - lo
		flat[pos[i]] = x
		pos[i]++
	}
	out := make([][]T, n)
	for i := range n {
		out[i] = flat[counts[i]:counts[i+1]:counts[i+1]]
	}
	return out
}

// candRanker applies the candidate rule; one per worker.
type candRanker struct {
	o          *Options
	c          *corpus
	dead       *deadSet
	lists      []*os.File
	hits       *hitCounter
	cache      map[uint64][]uint32 // bucket lists read, by position
	cacheBytes int
	cacheLimit int
	buf        []byte
	cands      []scored
}

type scored struct {
	e    uint32
	hits int
}

// rank returns d's candidates in the engine's order, from its triples and
// references (both sorted in place).
func (cr *candRanker) rank(d uint32, ts []triple, rs []ref) ([]cand, error) {
	if len(ts) == 0 && len(rs) == 0 {
		return nil, nil
	}
	slices.SortFunc(ts, func(a, b triple) int { return cmp.Compare(a.se, b.se) })
	slices.SortFunc(rs, func(a, b ref) int { return cmp.Compare(a.s, b.s) })
	h := cr.hits
	// Sentences in ascending order, triples and references merged, so
	// each sentence's hits are counted together.
	i, k := 0, 0
	for i < len(ts) || k < len(rs) {
		s := uint32(docMark)
		if i < len(ts) {
			s = uint32(ts[i].se >> 32)
		}
		if k < len(rs) && rs[k].s < s {
			s = rs[k].s
		}
		for ; i < len(ts) && uint32(ts[i].se>>32) == s; i++ {
			h.add(uint32(ts[i].se), s)
		}
		for ; k < len(rs) && rs[k].s == s; k++ {
			list, err := cr.list(rs[k].pos, rs[k].j)
			if err != nil {
				return nil, err
			}
			last := uint32(docMark)
			for _, e := range list {
				if e == last || cr.dead.goneAt(e, d) {
					continue
				}
				h.add(e, s)
				last = e
			}
		}
	}
	o := &cr.o.Engine
	cr.cands = cr.cands[:0]
	myIndexed := int(cr.c.indexed[d])
	h.each(func(e uint32, hits int) {
		if hits >= o.NeedHits(myIndexed, int(cr.c.indexed[e]), cr.c.sharedCredit(d, e)) {
			cr.cands = append(cr.cands, scored{e, hits})
		}
	})
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
		k, dies := cr.dead.replacedBy(s.e)
		out[i] = cand{d: d, e: s.e, rank: uint16(min(i, 0xffff)), drop: dies && k == d}
	}
	return out, nil
}

// list returns the first j entries of the bucket list at pos.
func (cr *candRanker) list(pos uint64, j uint32) ([]uint32, error) {
	if l, ok := cr.cache[pos]; ok && uint32(len(l)) >= j {
		return l[:j], nil
	}
	file := int(pos >> listFileShift)
	if file >= len(cr.lists) {
		return nil, fmt.Errorf("%w: bucket list %d of %d", ErrCorrupt, file, len(cr.lists))
	}
	f := cr.lists[file]
	n := int(j) * 4
	if cap(cr.buf) < n {
		cr.buf = make([]byte, n)
	}
	b := cr.buf[:n]
	if _, err := f.ReadAt(b, int64(pos&(1<<listFileShift-1))*4); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	l := make([]uint32, j)
	for i := range l {
		l[i] = binary.LittleEndian.Uint32(b[i*4:])
	}
	if cr.cache == nil || cr.cacheBytes+n > cr.cacheLimit {
		cr.cache, cr.cacheBytes = map[uint64][]uint32{}, 0
	}
	cr.cache[pos] = l
	cr.cacheBytes += n
	return l, nil
}

// hitCounter counts, for one article at a time, the distinct sentences
// and the document hit per earlier article. Sentences must be added in
// ascending order (all of one sentence together).
type hitCounter struct {
	// Dense: per handle, count (docBit for a document hit) and the last
	// sentence counted + 1.
	count, last []uint32
	touched     []uint32
	// Sparse, when dense arrays would not fit the budget.
	m map[uint32][2]uint32
}

const docBit = 1 << 31

func newHitCounter(n int, dense bool) *hitCounter {
	if dense {
		return &hitCounter{count: make([]uint32, n), last: make([]uint32, n)}
	}
	return &hitCounter{m: map[uint32][2]uint32{}}
}

func (h *hitCounter) add(e, s uint32) {
	if h.m != nil {
		v := h.m[e]
		switch {
		case s == docMark:
			v[0] |= docBit
		case v[1] != s+1:
			v[0]++
			v[1] = s + 1
		}
		h.m[e] = v
		return
	}
	if h.count[e] == 0 && h.last[e] == 0 {
		h.touched = append(h.touched, e)
	}
	switch {
	case s == docMark:
		h.count[e] |= docBit
	case h.last[e] != s+1:
		h.count[e]++
		h.last[e] = s + 1
	}
}

// each calls fn with every article hit and its hits as the engine counts
// them, and resets the counter.
func (h *hitCounter) each(fn func(e uint32, hits int)) {
	value := func(c uint32) int {
		n := int(c &^ docBit)
		if c&docBit != 0 {
			n += 1 << 20
		}
		return n
	}
	if h.m != nil {
		for e, v := range h.m {
			fn(e, value(v[0]))
		}
		clear(h.m)
		return
	}
	for _, e := range h.touched {
		fn(e, value(h.count[e]))
		h.count[e], h.last[e] = 0, 0
	}
	h.touched = h.touched[:0]
}
