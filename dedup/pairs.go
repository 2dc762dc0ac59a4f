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
// MaxBucket such entries is skipped. For every document band bucket shared
// with an earlier article e, d gets one document hit on e; for every
// indexed sentence s of d and every earlier article e with an entry in one
// of s's sentence band buckets, d gets the triple (d, e, s), and pass 2b
// counts the distinct s per (d, e): the engine's sentence hits.
//
// The runs of all segments are merged per key range, so every bucket is
// seen whole and in handle order; the triples go to partition files by d.

// docMark is the sentence ordinal of a document-band hit.
const docMark = math.MaxUint32

// pairSize is the on-disk size of a pair triple: d, e, s (little-endian
// uint32s).
const pairSize = 12

func (r *runner) partPath(p int, suffix string) string {
	return filepath.Join(r.work, fmt.Sprintf("part-%05d%s", p, suffix))
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
	kinds := []struct {
		suffix string
		kind   byte
	}{{sufDoc, kindDoc}}
	if r.opts.Engine.Level >= engine.LevelReuse {
		kinds = append(kinds, struct {
			suffix string
			kind   byte
		}{sufSent, kindSent})
	}
	parts := make([]*partFile, m.Parts)
	for p := range parts {
		f, err := os.Create(r.partPath(p, ".pairs"))
		if err != nil {
			return err
		}
		f.Write(header(kindPair))
		parts[p] = &partFile{f: f}
	}
	closeAll := func() {
		for _, pf := range parts {
			pf.f.Close()
		}
	}
	type task struct {
		suffix string
		kind   byte
		lo, hi uint64
	}
	ranges := 8 * r.opts.Workers
	var tasks []task
	for _, k := range kinds {
		step := math.MaxUint64/uint64(ranges) + 1
		for i := range ranges {
			lo := uint64(i) * step
			hi := lo + step - 1
			if i == ranges-1 {
				hi = math.MaxUint64
			}
			tasks = append(tasks, task{k.suffix, k.kind, lo, hi})
		}
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range r.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := &pairWriter{parts: parts, width: uint32(m.PartW), bufs: make([][]byte, len(parts)), limit: r.budget.partBuffer}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) || ctx.Err() != nil {
					break
				}
				t := tasks[i]
				if err := r.mergeRange(ctx, t.suffix, t.kind, t.lo, t.hi, pw); err != nil {
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
	for _, pf := range parts {
		if err := pf.f.Sync(); err != nil {
			closeAll()
			return fmt.Errorf("sync %s: %w", pf.f.Name(), err)
		}
	}
	closeAll()
	if err := syncDir(r.work); err != nil {
		return err
	}
	m.PairsOK = true
	return m.save(r.work)
}

// mergeRange merges the runs of one kind over keys [lo, hi] and feeds each
// bucket to a bucket processor.
func (r *runner) mergeRange(ctx context.Context, suffix string, kind byte, lo, hi uint64, pw *pairWriter) error {
	var cs []*runCursor
	for _, s := range r.man.Segments {
		c, err := openRun(r.segPath(s.Index, suffix), kind, lo, hi, r.budget.mergeBuf)
		if err != nil {
			for _, c := range cs {
				c.close()
			}
			return err
		}
		cs = append(cs, c)
	}
	mg := newMerger(cs)
	defer mg.close()
	bp := &bucketProc{maxBucket: r.opts.Engine.MaxBucket, death: r.c.death, doc: kind == kindDoc, emit: pw.add}
	var key uint64
	first := true
	n := 0
	for {
		t, ok := mg.next()
		if !ok {
			break
		}
		if first || t.key != key {
			if !first {
				bp.end()
			}
			first = false
			key = t.key
			bp.reset()
		}
		bp.add(t)
		if n++; n&0xfffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if pw.err != nil {
				return pw.err
			}
		}
	}
	if !first {
		bp.end()
	}
	if err := mg.err(); err != nil {
		return err
	}
	return pw.err
}

// bucketProc replays the queries and inserts of one bucket in handle order.
type bucketProc struct {
	maxBucket int
	death     map[uint32]uint32
	doc       bool
	emit      func(d, e, s uint32)

	active []uint32 // earlier indexed entries (handles, one per entry)
	capped bool     // more than maxBucket entries and none can leave: no query reads it again
	cur    uint32   // the article whose entries are being collected
	ords   []uint32
}

func (b *bucketProc) reset() {
	b.active, b.capped, b.ords = b.active[:0], false, b.ords[:0]
}

func (b *bucketProc) add(t tuple) {
	if b.capped {
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
}

func (b *bucketProc) end() {
	if !b.capped && len(b.ords) > 0 {
		b.flush()
	}
}

// flush queries the bucket for article b.cur, then inserts its entries.
func (b *bucketProc) flush() {
	d := b.cur
	if len(b.death) > 0 {
		// Entries of articles replaced before d's query are gone.
		keep := b.active[:0]
		for _, e := range b.active {
			if k, ok := b.death[e]; ok && k < d {
				continue
			}
			keep = append(keep, e)
		}
		b.active = keep
	}
	if n := len(b.active); n > 0 && !(b.maxBucket > 0 && n > b.maxBucket) {
		if b.doc {
			last := uint32(math.MaxUint32)
			for _, e := range b.active {
				if e != last {
					b.emit(d, e, docMark)
					last = e
				}
			}
		} else {
			for _, s := range b.ords {
				last := uint32(math.MaxUint32)
				for _, e := range b.active {
					if e != last {
						b.emit(d, e, s)
						last = e
					}
				}
			}
		}
	}
	for range b.ords {
		b.active = append(b.active, d)
	}
	b.ords = b.ords[:0]
	if len(b.death) == 0 && b.maxBucket > 0 && len(b.active) > b.maxBucket {
		// Every later query finds the bucket too large: nothing more to
		// emit from it.
		b.capped = true
		b.active = b.active[:0]
	}
}

// partFile is one pair partition, written by several workers.
type partFile struct {
	mu sync.Mutex
	f  *os.File
}

// pairWriter buffers one worker's triples per partition.
type pairWriter struct {
	parts []*partFile
	width uint32
	bufs  [][]byte
	limit int
	err   error
}

func (w *pairWriter) add(d, e, s uint32) {
	p := d / w.width
	b := w.bufs[p]
	b = binary.LittleEndian.AppendUint32(b, d)
	b = binary.LittleEndian.AppendUint32(b, e)
	b = binary.LittleEndian.AppendUint32(b, s)
	w.bufs[p] = b
	if len(b) >= w.limit {
		w.flush(int(p))
	}
}

func (w *pairWriter) flush(p int) {
	b := w.bufs[p]
	if len(b) == 0 || w.err != nil {
		w.bufs[p] = b[:0]
		return
	}
	pf := w.parts[p]
	pf.mu.Lock()
	_, err := pf.f.Write(b)
	pf.mu.Unlock()
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("write %s: %w", pf.f.Name(), err)
	}
	w.bufs[p] = b[:0]
}

func (w *pairWriter) flushAll() error {
	for p := range w.bufs {
		w.flush(p)
	}
	return w.err
}
