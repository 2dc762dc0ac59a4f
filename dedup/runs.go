package dedup

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
)

// tuple is one LSH bucket entry (key = band key, h = article handle, ord =
// the article's indexed-sentence ordinal; 0 for document bands), or one id
// entry (key = id hash). On disk it takes tupleSize bytes, little-endian.
type tuple struct {
	key uint64
	h   uint32
	ord uint32
}

const tupleSize = 16

// sortTuples sorts ts by key, stably: tuples appended in (handle, ordinal)
// order come out in (key, handle, ordinal) order. scratch is reused and
// returned. It is an LSD radix sort on 16-bit digits, skipping digits all
// keys share.
func sortTuples(ts, scratch []tuple) []tuple {
	if len(ts) < 256 {
		slices.SortStableFunc(ts, func(a, b tuple) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return 0
		})
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

// writeRun writes sorted tuples to path (through a temporary name the
// caller renames on commit).
func writeRun(path string, kind byte, ts []tuple) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(header(kind))
	var b [tupleSize]byte
	for i := range ts {
		putTuple(b[:], ts[i])
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
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

// runCursor reads the tuples of one run whose keys lie in [lo, hi].
type runCursor struct {
	f    *os.File
	r    *bufio.Reader
	left int64 // tuples left in the file from the read position
	hi   uint64
	cur  tuple
	ok   bool
	buf  [tupleSize]byte
	err  error
}

// openRun positions a cursor at the first tuple with key ≥ lo.
func openRun(path string, kind byte, lo, hi uint64, bufSize int) (*runCursor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var h [headerSize]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := checkHeader(h[:], kind, path); err != nil {
		f.Close()
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	n := (st.Size() - headerSize) / tupleSize
	if (st.Size()-headerSize)%tupleSize != 0 {
		f.Close()
		return nil, fmt.Errorf("%s: %w: size %d is not whole tuples", path, ErrCorrupt, st.Size())
	}
	// Binary search for the first key ≥ lo.
	i, j := int64(0), n
	var kb [8]byte
	for i < j {
		m := int64(uint64(i+j) >> 1)
		if _, err := f.ReadAt(kb[:], headerSize+m*tupleSize); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if binary.LittleEndian.Uint64(kb[:]) < lo {
			i = m + 1
		} else {
			j = m
		}
	}
	c := &runCursor{f: f, left: n - i, hi: hi}
	c.r = bufio.NewReaderSize(io.NewSectionReader(f, headerSize+i*tupleSize, (n-i)*tupleSize), bufSize)
	c.next()
	return c, c.err
}

func (c *runCursor) next() {
	c.ok = false
	if c.left == 0 || c.err != nil {
		return
	}
	if _, err := io.ReadFull(c.r, c.buf[:]); err != nil {
		c.err = fmt.Errorf("read %s: %w", c.f.Name(), err)
		return
	}
	c.left--
	c.cur = getTuple(c.buf[:])
	c.ok = c.cur.key <= c.hi
}

func (c *runCursor) close() { c.f.Close() }

// merger merges run cursors by (key, run order); runs hold ascending
// handle ranges, so equal keys come out in handle order.
type merger struct {
	cs   []*runCursor
	heap []int // indexes into cs
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

// next returns the next tuple, or false at the end (check err).
func (m *merger) next() (tuple, bool) {
	if len(m.heap) == 0 {
		return tuple{}, false
	}
	c := m.cs[m.heap[0]]
	t := c.cur
	c.next()
	if !c.ok {
		m.heap[0] = m.heap[len(m.heap)-1]
		m.heap = m.heap[:len(m.heap)-1]
	}
	if len(m.heap) > 0 {
		m.down(0)
	}
	return t, true
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
