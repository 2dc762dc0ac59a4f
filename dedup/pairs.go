package dedup

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/wiretrace/wiretrace/engine"
)

// Pass 2a reproduces, bucket by bucket, what the engine's LSH queries see.
//
// The engine matches article d (handle d) against its indexes before
// inserting d, so a query of d sees exactly the bucket entries of the
// articles added before d that are still indexed: e < d, and e not yet
// replaced by a later article with its id (an article replaced by k is
// removed when k is added, after k's own query). A bucket holding more than
// MaxBucket (document buckets) or MaxSentenceBucket (sentence buckets) such
// entries is skipped. For every document band bucket shared
// with an earlier article e, d gets one document hit on e. For an indexed
// sentence s of d, an earlier article e is a hit when one of e's sentences
// sharing one of s's sentence band buckets is similar enough to s
// (align.SentenceSim ≥ VerifySim), as engine.sentenceHits checks; pass 2b
// counts the distinct s per (d, e): the engine's sentence hits.
//
// The runs of all segments are merged per key range, so every bucket is
// seen whole and in handle order; sentence runs carry each sentence's
// alignment features for the check. What a bucket's queries find is
// written to partitions by d: triples (d, e, s) for the sentence hits, and
// for document buckets triples when the bucket is small, else (a bucket of
// thousands of copies of one document would give millions of triples) the
// bucket's entries once, in a list file, and per query a reference (d, s,
// list position, j): "the first j entries of that list", which pass 2b
// expands, as the engine's query iterates the bucket.

// docMark is the sentence index of a document-band hit.
const docMark = math.MaxUint32

// smallBucket is the largest bucket whose queries are written as triples
// (a variable for the tests, which set it to 0 to write every bucket as a
// list).
var smallBucket uint32 = 8

// On-disk sizes: a triple is d, e, s; a reference is d, s, list position
// (file << 40 | entry index), j (little-endian).
const (
	pairSize = 12
	refSize  = 20
)

func (r *runner) partPath(p int, suffix string) string {
	return filepath.Join(r.work, fmt.Sprintf("part-%05d%s", p, suffix))
}

func (r *runner) listPath(w int) string {
	return filepath.Join(r.work, fmt.Sprintf("bucket-%03d.list", w))
}

// planPartitions fixes the number and width of the article ranges.
func (r *runner) planPartitions() {
	n := max(r.man.Articles, 1)
	p := r.opts.Partitions
	if p <= 0 {
		p = max(4*r.opts.Workers, (n+8191)/8192)
	}
	p = min(p, n)
	w := (n + p - 1) / p
	r.man.Parts, r.man.PartW = (n+w-1)/w, w
}

// pairsPass merges the band runs into pair partition files.
func (r *runner) pairsPass(ctx context.Context) error {
	m := r.man
	type kindRun struct {
		suffix string
		kind   byte
	}
	kinds := []kindRun{{sufDoc, kindDoc}}
	if r.opts.Engine.Level >= engine.LevelReuse {
		kinds = append(kinds, kindRun{sufSent, kindSent})
	}
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	create := func(path string, kind byte) (*os.File, error) {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		if kind != 0 {
			if _, err := f.Write(header(kind)); err != nil {
				return nil, err
			}
		}
		return f, nil
	}
	triples := make([]*partFile, m.Parts)
	refs := make([]*partFile, m.Parts)
	for p := range m.Parts {
		tf, err := create(r.partPath(p, ".pairs"), kindPair)
		if err != nil {
			closeAll()
			return err
		}
		rf, err := create(r.partPath(p, ".refs"), kindRef)
		if err != nil {
			closeAll()
			return err
		}
		triples[p], refs[p] = &partFile{f: tf}, &partFile{f: rf}
	}
	workers := r.opts.Workers
	lists := make([]*os.File, workers)
	for w := range workers {
		f, err := create(r.listPath(w), 0)
		if err != nil {
			closeAll()
			return err
		}
		lists[w] = f
	}
	type task struct {
		kindRun
		lo, hi uint64
	}
	ranges := 8 * workers
	var tasks []task
	for _, k := range kinds {
		step := math.MaxUint64/uint64(ranges) + 1
		for i := range ranges {
			lo := uint64(i) * step
			hi := lo + step - 1
			if i == ranges-1 {
				hi = math.MaxUint64
			}
			tasks = append(tasks, task{k, lo, hi})
		}
	}
	dead := r.c.deadSet()
	// Leave the file system a margin: pass 2a's output is the one whose
	// size depends on the data (repeated content, big buckets).
	var room atomic.Int64
	room.Store(1 << 62)
	if free, ok := diskFree(r.work); ok {
		room.Store(free - diskMargin)
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := &pairWriter{triples: triples, refs: refs, listFile: lists[w], listID: uint64(w), width: uint32(m.PartW), room: &room,
				tbufs: make([][]byte, m.Parts), rbufs: make([][]byte, m.Parts), limit: r.budget.partBuffer}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) || ctx.Err() != nil {
					break
				}
				t := tasks[i]
				if err := r.mergeRange(ctx, t.suffix, t.kind, t.lo, t.hi, dead, pw); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					break
				}
				r.progress(Progress{Pass: PassPairs, Done: done.Add(1), Total: int64(len(tasks)), Unit: "ranges"})
			}
			if err := pw.flushAll(); err != nil {
				errOnce.Do(func() { firstErr = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		closeAll()
		return firstErr
	}
	for _, f := range files {
		if err := f.Sync(); err != nil {
			closeAll()
			return fmt.Errorf("sync %s: %w", f.Name(), err)
		}
	}
	closeAll()
	if err := syncDir(r.work); err != nil {
		return err
	}
	m.PairsOK = true
	m.Lists = workers
	return m.save(r.work)
}

// mergeRange merges the runs of one kind over keys [lo, hi] and feeds each
// bucket to a bucket processor.
func (r *runner) mergeRange(ctx context.Context, suffix string, kind byte, lo, hi uint64, dead *deadSet, pw *pairWriter) error {
	mg, err := r.openRuns(suffix, kind, lo, hi, r.budget.mergeBlock(r.opts.Workers, len(r.man.Segments)))
	if err != nil {
		return err
	}
	defer mg.close()
	maxBucket := r.opts.Engine.MaxSentenceBucket
	if kind == kindDoc {
		maxBucket = r.opts.Engine.MaxBucket
	}
	bp := &bucketProc{maxBucket: maxBucket, verify: r.opts.Engine.VerifySim, dead: dead, doc: kind == kindDoc, out: pw}
	// Most buckets hold one article's entries only: no query finds
	// anything in them. A bucket's entries are held back (pend) until a
	// second article shows up, and only then given to bp, so that a
	// bucket of one article costs no decoding and no bookkeeping.
	var (
		key     uint64
		pend    []tuple
		pendPay []byte
		pendEnd []int // end of each pending entry's payload in pendPay
		inBP    bool  // the current bucket is bp's
	)
	first := true
	n := 0
	for {
		t, payload, ok := mg.next()
		if !ok {
			break
		}
		if first || t.key != key {
			if inBP {
				bp.end()
			}
			first, inBP = false, false
			key = t.key
			pend, pendPay, pendEnd = pend[:0], pendPay[:0], pendEnd[:0]
		}
		switch {
		case inBP:
			bp.add(t, payload)
		case len(pend) == 0 || t.h == pend[0].h:
			pend = append(pend, t)
			pendPay = append(pendPay, payload...)
			pendEnd = append(pendEnd, len(pendPay))
		default:
			bp.reset()
			inBP = true
			start := 0
			for i, p := range pend {
				bp.add(p, pendPay[start:pendEnd[i]])
				start = pendEnd[i]
			}
			bp.add(t, payload)
		}
		if n++; n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if pw.err != nil {
				return pw.err
			}
			if bp.err != nil {
				return bp.err
			}
		}
	}
	if inBP {
		bp.end()
	}
	if err := mg.err(); err != nil {
		return err
	}
	if bp.err != nil {
		return bp.err
	}
	return pw.err
}

// pairSink receives what a bucket's queries see.
type pairSink interface {
	triple(d, e, s uint32)
	// list stores a bucket's entries and returns their position.
	list(entries []uint32) uint64
	ref(d, s uint32, pos uint64, j uint32)
}

// bucketProc replays the queries and inserts of one bucket in handle order.
//
// A sentence bucket checks each collision as the engine does: an earlier
// article e is a hit for d's sentence s when one of e's sentences in the
// bucket has align.SentenceSim with s of at least VerifySim; the hits
// found are written as triples (d, e, s). A document bucket has no check;
// what its queries see is written at the bucket's end: triples for a small
// bucket, a list and references for a large one.
type bucketProc struct {
	maxBucket int
	verify    float64
	dead      *deadSet
	doc       bool
	out       pairSink

	stored []uint32   // the bucket's entries (one handle per entry) that queries may read
	sents  []sentence // sentence buckets: the entry-side sentence of each stored entry
	arena  sentenceArena
	live   int      // stored entries not yet replaced
	dying  []uint32 // replacement handles of stored entries, a min-heap
	capped bool     // over maxBucket for good: later queries all skip it
	cur    uint32   // the article whose entries are being collected
	ords   []uint32 // their sentence indexes
	qs, es []sentence
	// Document buckets: the queries, written at the bucket's end.
	queries []query
	err     error
}

// query: article d's sentence s (docMark for a document band) reads the
// first j stored entries.
type query struct{ d, s, j uint32 }

func (b *bucketProc) reset() {
	b.stored, b.sents, b.live, b.dying, b.capped = b.stored[:0], b.sents[:0], 0, b.dying[:0], false
	b.ords, b.qs, b.es, b.queries = b.ords[:0], b.qs[:0], b.es[:0], b.queries[:0]
	b.arena.reset()
}

// add takes the next entry of the bucket (with its sentence payload for a
// sentence bucket).
func (b *bucketProc) add(t tuple, payload []byte) {
	if b.capped || b.err != nil {
		return
	}
	if len(b.ords) > 0 && t.h != b.cur {
		b.flush()
		if b.capped {
			return
		}
	}
	b.cur = t.h
	b.ords = append(b.ords, t.ord)
	if !b.doc {
		b.qs = append(b.qs, sentence{})
		b.es = append(b.es, sentence{})
		if err := b.arena.decodeSentences(payload, &b.qs[len(b.qs)-1], &b.es[len(b.es)-1]); err != nil {
			b.err = err
		}
	}
}

// flush queries the bucket for article b.cur, then inserts its entries.
func (b *bucketProc) flush() {
	d := b.cur
	// Entries of articles replaced before d's query are gone.
	for len(b.dying) > 0 && b.dying[0] < d {
		b.popDying()
		b.live--
	}
	if b.live > 0 && !(b.maxBucket > 0 && b.live > b.maxBucket) {
		j := uint32(len(b.stored))
		switch {
		case b.doc:
			b.queries = append(b.queries, query{d, docMark, j})
		default:
			for qi, s := range b.ords {
				q := &b.qs[qi]
				last := uint32(docMark) // the article last found a hit for s
				for k, e := range b.stored {
					if e == last || b.dead.goneAt(e, d) {
						continue
					}
					if q.atLeast(&b.sents[k], b.verify) {
						b.out.triple(d, e, s)
						last = e
					}
				}
			}
		}
	}
	for i := range b.ords {
		b.stored = append(b.stored, d)
		if !b.doc {
			b.sents = append(b.sents, b.es[i])
		}
		b.live++
		if k, ok := b.dead.replacedBy(d); ok {
			b.pushDying(k)
		}
	}
	b.ords, b.qs, b.es = b.ords[:0], b.qs[:0], b.es[:0]
	if b.maxBucket > 0 && b.live > b.maxBucket && len(b.dying) == 0 {
		// No entry present can leave, and later ones only add to the
		// count: every later query finds the bucket too large.
		b.capped = true
	}
}

// end finishes the bucket: the last article's query, and what a document
// bucket's queries saw.
func (b *bucketProc) end() {
	if !b.capped && len(b.ords) > 0 {
		b.flush()
	}
	if len(b.queries) == 0 {
		return
	}
	n := b.queries[len(b.queries)-1].j // queries come in handle order, j grows
	if n <= smallBucket {
		for _, q := range b.queries {
			last := uint32(math.MaxUint32)
			for _, e := range b.stored[:q.j] {
				if e == last || b.dead.goneAt(e, q.d) {
					continue
				}
				b.out.triple(q.d, e, q.s)
				last = e
			}
		}
		return
	}
	pos := b.out.list(b.stored[:n])
	for _, q := range b.queries {
		b.out.ref(q.d, q.s, pos, q.j)
	}
}

func (b *bucketProc) pushDying(k uint32) {
	b.dying = append(b.dying, k)
	for i := len(b.dying) - 1; i > 0; {
		p := (i - 1) / 2
		if b.dying[p] <= b.dying[i] {
			break
		}
		b.dying[p], b.dying[i] = b.dying[i], b.dying[p]
		i = p
	}
}

func (b *bucketProc) popDying() {
	h := b.dying
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		s := l
		if l+1 < n && h[l+1] < h[l] {
			s = l + 1
		}
		if h[i] <= h[s] {
			break
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
	b.dying = h
}

// deadSet answers, fast, whether an article is replaced by a later one.
type deadSet struct {
	bits  []uint64 // handle → has a replacement
	death map[uint32]uint32
}

func (c *corpus) deadSet() *deadSet {
	s := &deadSet{death: c.death}
	if len(c.death) > 0 {
		s.bits = make([]uint64, (c.n+63)/64)
		for h := range c.death {
			s.bits[h/64] |= 1 << (h % 64)
		}
	}
	return s
}

func (s *deadSet) none() bool { return s == nil || len(s.death) == 0 }

// replacedBy returns the handle of the article replacing h.
func (s *deadSet) replacedBy(h uint32) (uint32, bool) {
	if s.none() || s.bits[h/64]&(1<<(h%64)) == 0 {
		return 0, false
	}
	k, ok := s.death[h]
	return k, ok
}

// goneAt reports whether article e was removed before article d's query.
func (s *deadSet) goneAt(e, d uint32) bool {
	k, ok := s.replacedBy(e)
	return ok && k < d
}

// partFile is one partition file, written by several workers.
type partFile struct {
	mu sync.Mutex
	f  *os.File
}

// pairWriter buffers one worker's triples and references per partition,
// and writes its bucket lists.
type pairWriter struct {
	triples, refs []*partFile
	listFile      *os.File
	listID        uint64
	listLen       uint64 // entries in list
	lbuf          []byte
	width         uint32
	tbufs, rbufs  [][]byte
	limit         int
	room          *atomic.Int64 // bytes the pass may still write
	err           error
}

// diskMargin is the free space pass 2a leaves on the work directory's file
// system.
const diskMargin = 2 << 30

func (w *pairWriter) triple(d, e, s uint32) {
	p := d / w.width
	b := w.tbufs[p]
	b = binary.LittleEndian.AppendUint32(b, d)
	b = binary.LittleEndian.AppendUint32(b, e)
	b = binary.LittleEndian.AppendUint32(b, s)
	w.tbufs[p] = b
	if len(b) >= w.limit {
		w.tbufs[p] = w.write(w.triples[p], b)
	}
}

func (w *pairWriter) ref(d, s uint32, pos uint64, j uint32) {
	p := d / w.width
	b := w.rbufs[p]
	b = binary.LittleEndian.AppendUint32(b, d)
	b = binary.LittleEndian.AppendUint32(b, s)
	b = binary.LittleEndian.AppendUint64(b, pos)
	b = binary.LittleEndian.AppendUint32(b, j)
	w.rbufs[p] = b
	if len(b) >= w.limit {
		w.rbufs[p] = w.write(w.refs[p], b)
	}
}

// listFileShift: a list position is file << listFileShift | entry index.
const listFileShift = 40

func (w *pairWriter) list(entries []uint32) uint64 {
	pos := w.listID<<listFileShift | w.listLen
	w.lbuf = w.lbuf[:0]
	for _, e := range entries {
		w.lbuf = binary.LittleEndian.AppendUint32(w.lbuf, e)
	}
	if w.err == nil && w.spend(len(w.lbuf)) {
		if _, err := w.listFile.Write(w.lbuf); err != nil {
			w.err = fmt.Errorf("write %s: %w", w.listFile.Name(), err)
		}
	}
	w.listLen += uint64(len(entries))
	return pos
}

func (w *pairWriter) write(pf *partFile, b []byte) []byte {
	if len(b) == 0 || w.err != nil {
		return b[:0]
	}
	if !w.spend(len(b)) {
		return b[:0]
	}
	pf.mu.Lock()
	_, err := pf.f.Write(b)
	pf.mu.Unlock()
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("write %s: %w", pf.f.Name(), err)
	}
	return b[:0]
}

// spend takes n bytes from the room left on disk, or records
// ErrDiskFull.
func (w *pairWriter) spend(n int) bool {
	if w.room.Add(-int64(n)) < 0 {
		if w.err == nil {
			w.err = fmt.Errorf("%w: pass 2 would leave less than %d GiB free on %s", ErrDiskFull, diskMargin>>30, w.listFile.Name())
		}
		return false
	}
	return true
}

func (w *pairWriter) flushAll() error {
	for p := range w.tbufs {
		w.tbufs[p] = w.write(w.triples[p], w.tbufs[p])
		w.rbufs[p] = w.write(w.refs[p], w.rbufs[p])
	}
	return w.err
}
