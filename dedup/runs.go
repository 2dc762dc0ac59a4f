package dedup

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"
)

// tuple is one LSH bucket entry (key = band key, h = article handle, ord =
// the sentence's index in the article; 0 for document bands), or one id
// entry (key = id hash). Sentence tuples carry a payload, the sentence's
// alignment features (see appendSentence), at off in their segment's
// payload arena. On disk a tuple takes tupleSize bytes, little-endian,
// followed by its payload when it has one.
type tuple struct {
	key uint64
	h   uint32
	ord uint32
	off uint32
}

const tupleSize = 16

// sortTuples sorts ts by key, stably: tuples appended in (handle, ordinal)
// order come out in (key, handle, ordinal) order. scratch is reused and
// returned. It is an LSD radix sort on 16-bit digits, skipping digits all
// keys share.
func sortTuples(ts, scratch []tuple) []tuple {
	if len(ts) < 256 {
		slices.SortStableFunc(ts, func(a, b tuple) int { return cmp.Compare(a.key, b.key) })
		return scratch
	}
	if cap(scratch) < len(ts) {
		scratch = make([]tuple, len(ts))
	}
	scratch = scratch[:len(ts)]
	src, dst := ts, scratch
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for i := range src {
			count[(src[i].key>>shift)&0xffff]++
		}
		if count[(src[0].key>>shift)&0xffff] == len(src) {
			continue // every key has this digit
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for i := range src {
			d := (src[i].key >> shift) & 0xffff
			dst[count[d]] = src[i]
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &ts[0] {
		copy(ts, src)
	}
	return scratch
}

// runIndexEvery is the number of records between two entries of a run's
// sparse index (its .idx file: key and file offset of every
// runIndexEvery-th record), by which a merge finds its key range.
const runIndexEvery = 1024

// writeRun writes sorted tuples (with their payloads from arena, for
// sentence runs) to path and its sparse index to path+".idx", through
// temporary names the caller renames on commit. The data is synced.
//
// Runs are written with direct I/O where the file system allows it (see
// createDirect) and read back the same way (openRun): gigabytes of runs
// through the page cache cost more system time than the disk takes.
func writeRun(path string, kind byte, ts []tuple, arena []byte) error {
	f, direct, err := createDirect(path + ".tmp")
	if err != nil {
		return err
	}
	w := newAsyncWriter(f, direct)
	var idx []byte
	idx = append(idx, header(kind)...)
	w.Write(header(kind))
	off := int64(headerSize)
	var b [tupleSize]byte
	var touched byte
	for i := range ts {
		if kind == kindSent && i+payloadAhead < len(ts) {
			// The payloads lie in the arena in the order they were
			// made, the tuples in key order: reading a byte of the
			// payload payloadAhead tuples on starts its cache miss
			// while this one is copied, so several are under way at
			// once instead of one.
			touched ^= arena[ts[i+payloadAhead].off]
		}
		if i%runIndexEvery == 0 {
			idx = binary.LittleEndian.AppendUint64(idx, ts[i].key)
			idx = binary.LittleEndian.AppendUint64(idx, uint64(off))
		}
		putTuple(b[:], ts[i])
		w.Write(b[:])
		off += tupleSize
		if kind == kindSent {
			p := payloadAt(arena, ts[i].off)
			w.Write(p)
			off += int64(len(p))
		}
	}
	payloadSink.Add(uint32(touched))
	if err := w.Close(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return writeSynced(path+".idx.tmp", idx)
}

// payloadAhead is how many tuples ahead writeRun touches a payload.
const payloadAhead = 12

// payloadSink keeps the bytes writeRun touches ahead observable, so the
// reads are not optimised away.
var payloadSink atomic.Uint32

func writeSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

func putTuple(b []byte, t tuple) {
	binary.LittleEndian.PutUint64(b, t.key)
	binary.LittleEndian.PutUint32(b[8:], t.h)
	binary.LittleEndian.PutUint32(b[12:], t.ord)
}

func getTuple(b []byte) tuple {
	return tuple{key: binary.LittleEndian.Uint64(b), h: binary.LittleEndian.Uint32(b[8:]), ord: binary.LittleEndian.Uint32(b[12:])}
}

// runCursor reads the records of one run whose keys lie in [lo, hi].
type runCursor struct {
	f       *os.File
	r       *directReader
	kind    byte
	hi      uint64
	cur     tuple
	payload []byte // the current record's payload (sentence runs): a view, valid until the cursor moves
	ok      bool
	scratch []byte // a record that straddles two blocks, assembled
	err     error
}

// openRun positions a cursor at the first record with key ≥ lo.
// openRuns opens the run of one kind of every pass-1 segment over keys
// [lo, hi] and merges them.
func (r *runner) openRuns(suffix string, kind byte, lo, hi uint64, bufSize int) (*merger, error) {
	var cs []*runCursor
	for _, s := range r.man.Segments {
		c, err := openRun(r.segPath(s.Index, suffix), kind, lo, hi, bufSize)
		if err != nil {
			for _, c := range cs {
				c.close()
			}
			return nil, err
		}
		cs = append(cs, c)
	}
	return newMerger(cs), nil
}

func openRun(path string, kind byte, lo, hi uint64, bufSize int) (*runCursor, error) {
	idx, err := os.ReadFile(path + ".idx")
	if err != nil {
		return nil, err
	}
	if err := checkHeader(idx, kind, path+".idx"); err != nil {
		return nil, err
	}
	idx = idx[headerSize:]
	if len(idx)%16 != 0 {
		return nil, fmt.Errorf("%s.idx: %w: size", path, ErrCorrupt)
	}
	f, direct, err := openDirect(path)
	if err != nil {
		return nil, err
	}
	// The header, read in one aligned block as direct I/O wants.
	h := alignedBuffer(directAlign)[:directAlign]
	if k, err := preadDirect(f, &direct, h, 0); err != nil || k < headerSize {
		f.Close()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := checkHeader(h, kind, path); err != nil {
		f.Close()
		return nil, err
	}
	// The last indexed record with a key < lo starts the block holding
	// the first key ≥ lo.
	n := len(idx) / 16
	i := 0
	for lo2, hi2 := 0, n; lo2 < hi2; {
		m := (lo2 + hi2) / 2
		if binary.LittleEndian.Uint64(idx[m*16:]) < lo {
			i, lo2 = m, m+1
		} else {
			hi2 = m
		}
	}
	start := int64(headerSize)
	if n > 0 {
		start = int64(binary.LittleEndian.Uint64(idx[i*16+8:]))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if start < headerSize || start > st.Size() {
		f.Close()
		return nil, fmt.Errorf("%s.idx: %w: offset %d", path, ErrCorrupt, start)
	}
	c := &runCursor{f: f, kind: kind, hi: hi}
	c.r = newDirectReader(f, direct, start, bufSize)
	for c.next(); c.ok && c.cur.key < lo; c.next() {
	}
	if c.err != nil {
		c.close()
		return nil, c.err
	}
	return c, nil
}

func (c *runCursor) next() {
	c.ok = false
	if c.err != nil {
		return
	}
	b, err := c.r.view(tupleSize, &c.scratch)
	if err != nil {
		if err != io.EOF { // io.EOF: the run ends; a cut record is io.ErrUnexpectedEOF
			c.err = fmt.Errorf("read %s: %w", c.f.Name(), err)
		}
		return
	}
	c.cur = getTuple(b)
	if c.kind == kindSent {
		p, err := viewPayload(c.r, &c.scratch)
		if err != nil {
			c.err = fmt.Errorf("read %s: %w", c.f.Name(), err)
			return
		}
		c.payload = p
	}
	c.ok = c.cur.key <= c.hi
}

func (c *runCursor) close() {
	c.r.Close()
	c.f.Close()
}

// merger merges run cursors by (key, run order); runs hold ascending
// handle ranges, so equal keys come out in handle order.
type merger struct {
	cs   []*runCursor
	heap []int // indexes into cs
	// moved: the cursor of the record next returned last, moved on at
	// the following call, so that the payload it returned (a view into
	// the cursor's block) stays valid until then.
	moved bool
}

func newMerger(cs []*runCursor) *merger {
	m := &merger{cs: cs}
	for i, c := range cs {
		if c.ok {
			m.heap = append(m.heap, i)
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m
}

func (m *merger) less(i, j int) bool {
	a, b := m.cs[m.heap[i]], m.cs[m.heap[j]]
	if a.cur.key != b.cur.key {
		return a.cur.key < b.cur.key
	}
	return m.heap[i] < m.heap[j]
}

func (m *merger) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		s := l
		if r := l + 1; r < n && m.less(r, l) {
			s = r
		}
		if !m.less(s, i) {
			return
		}
		m.heap[i], m.heap[s] = m.heap[s], m.heap[i]
		i = s
	}
}

// next returns the next tuple and its payload (valid until the following
// call), or false at the end (check err).
func (m *merger) next() (tuple, []byte, bool) {
	if m.moved {
		m.moved = false
		c := m.cs[m.heap[0]]
		c.next()
		if !c.ok {
			m.heap[0] = m.heap[len(m.heap)-1]
			m.heap = m.heap[:len(m.heap)-1]
		}
		if len(m.heap) > 0 {
			m.down(0)
		}
	}
	if len(m.heap) == 0 {
		return tuple{}, nil, false
	}
	c := m.cs[m.heap[0]]
	m.moved = true
	return c.cur, c.payload, true
}

func (m *merger) err() error {
	for _, c := range m.cs {
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

func (m *merger) close() {
	for _, c := range m.cs {
		c.close()
	}
}
