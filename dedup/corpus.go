package dedup

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/wiretrace/wiretrace/engine"
)

// corpus is what passes 2 to 4 keep in memory of every article (about 32
// bytes each), with random access to the spilled meta and features records.
type corpus struct {
	n         int
	docOnly   bool  // features are document signatures (LevelNearDup)
	segBase   []int // first handle of each segment
	metaFiles []*os.File
	featFiles []*os.File
	metaOff   []uint32 // offset of each article's meta record (its length prefix)
	featOff   []uint32
	featLen   []uint32
	pubSec    []int64 // publication time; pubSec == 0 && pubNsec < 0 means unknown
	pubNsec   []int32
	words     []uint32
	indexed   []uint32
	death     map[uint32]uint32 // handle → the handle replacing it
	// Credits: article h credits the agencies creditPool[creditAt[h]:
	// creditAt[h+1]], interned, sorted.
	creditAt   []uint32
	creditPool []uint32
	creditIDs  map[string]uint32
}

const noDate = -1

// openCorpus loads the meta records of every committed segment.
func (r *runner) openCorpus() (*corpus, error) {
	n := r.man.Articles
	c := &corpus{
		n: n, docOnly: r.opts.Engine.Level == engine.LevelNearDup, metaOff: make([]uint32, n), featOff: make([]uint32, n), featLen: make([]uint32, n),
		pubSec: make([]int64, n), pubNsec: make([]int32, n), words: make([]uint32, n), indexed: make([]uint32, n),
		creditAt: make([]uint32, n+1), creditIDs: map[string]uint32{},
	}
	for _, s := range r.man.Segments {
		c.segBase = append(c.segBase, s.Base)
		mf, err := os.Open(r.segPath(s.Index, sufMeta))
		if err != nil {
			c.close()
			return nil, err
		}
		c.metaFiles = append(c.metaFiles, mf)
		ff, err := os.Open(r.segPath(s.Index, sufFeat))
		if err != nil {
			c.close()
			return nil, err
		}
		c.featFiles = append(c.featFiles, ff)
		if err := c.loadMeta(mf, s); err != nil {
			c.close()
			return nil, err
		}
	}
	c.death = make(map[uint32]uint32, len(r.man.Deaths))
	for _, d := range r.man.Deaths {
		c.death[d[0]] = d[1]
	}
	return c, nil
}

func (c *corpus) loadMeta(f *os.File, s segmentInfo) error {
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, 1<<62), 256<<10)
	var h [headerSize]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return fmt.Errorf("read %s: %w", f.Name(), err)
	}
	if err := checkHeader(h[:], kindMeta, f.Name()); err != nil {
		return err
	}
	off := int64(headerSize)
	var buf []byte
	for i := range s.Count {
		hd := s.Base + i
		rec, err := readRecord(br, br, buf, 1<<24)
		if err != nil {
			return fmt.Errorf("read %s record %d: %w", f.Name(), i, err)
		}
		buf = rec
		m, _, err := decodeMeta(rec)
		if err != nil {
			return fmt.Errorf("%s record %d: %w", f.Name(), i, err)
		}
		c.metaOff[hd] = uint32(off)
		off += int64(uvarintLen(uint64(len(rec))) + len(rec))
		c.featOff[hd], c.featLen[hd] = m.FeatOff, m.FeatLen
		if m.Published.IsZero() {
			c.pubSec[hd], c.pubNsec[hd] = 0, noDate
		} else {
			c.pubSec[hd], c.pubNsec[hd] = m.Published.Unix(), int32(m.Published.Nanosecond())
		}
		c.words[hd] = uint32(m.Words)
		c.indexed[hd] = uint32(m.Indexed)
		start := len(c.creditPool)
		for _, cr := range m.Credits {
			id, ok := c.creditIDs[cr]
			if !ok {
				id = uint32(len(c.creditIDs))
				c.creditIDs[cr] = id
			}
			c.creditPool = append(c.creditPool, id)
		}
		slices.Sort(c.creditPool[start:])
		c.creditAt[hd+1] = uint32(len(c.creditPool))
	}
	return nil
}

// sharedCredit reports whether articles a and b credit a common agency
// (engine.SharedCredit).
func (c *corpus) sharedCredit(a, b uint32) bool {
	x := c.creditPool[c.creditAt[a]:c.creditAt[a+1]]
	y := c.creditPool[c.creditAt[b]:c.creditAt[b+1]]
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			return true
		}
	}
	return false
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

func (c *corpus) close() {
	for _, f := range c.metaFiles {
		f.Close()
	}
	for _, f := range c.featFiles {
		f.Close()
	}
}

func (c *corpus) seg(h uint32) int {
	return sort.Search(len(c.segBase), func(i int) bool { return c.segBase[i] > int(h) }) - 1
}

// published returns the article's publication time (zero when unknown).
func (c *corpus) published(h uint32) time.Time {
	if c.pubSec[h] == 0 && c.pubNsec[h] == noDate {
		return time.Time{}
	}
	return time.Unix(c.pubSec[h], int64(c.pubNsec[h])).UTC()
}

// alive reports whether the article is still indexed at the end: no later
// article replaced it.
func (c *corpus) alive(h uint32) bool {
	_, dead := c.death[h]
	return !dead
}

// meta reads one article's meta record.
func (c *corpus) meta(h uint32) (meta, error) {
	f := c.metaFiles[c.seg(h)]
	var buf [512]byte
	n, err := f.ReadAt(buf[:], int64(c.metaOff[h]))
	if n == 0 && err != nil {
		return meta{}, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	l, k := binary.Uvarint(buf[:n])
	if k <= 0 {
		return meta{}, fmt.Errorf("%s: %w: meta length", f.Name(), ErrCorrupt)
	}
	rec := buf[k:n]
	if uint64(len(rec)) < l {
		big := make([]byte, l)
		if _, err := f.ReadAt(big, int64(c.metaOff[h])+int64(k)); err != nil {
			return meta{}, fmt.Errorf("read %s: %w", f.Name(), err)
		}
		rec = big
	}
	m, _, err := decodeMeta(rec[:l])
	return m, err
}

// id returns one article's id.
func (c *corpus) id(h uint32) (string, error) {
	m, err := c.meta(h)
	return m.ID, err
}

// features reads one article's raw features record into buf.
func (c *corpus) features(h uint32, buf []byte) ([]byte, error) {
	f := c.featFiles[c.seg(h)]
	n := int(c.featLen[h])
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := f.ReadAt(buf, int64(c.featOff[h])); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return buf, nil
}

// prepared loads what engine.Judge reads of an article: its alignment doc
// (weights recomputed exactly as Prepare computes them), publication date
// and word count.
func (c *corpus) prepared(h uint32, buf []byte) (*engine.Prepared, []byte, error) {
	b, err := c.features(h, buf)
	if err != nil {
		return nil, buf, err
	}
	p := &engine.Prepared{}
	if c.docOnly {
		err = decodeDocFeatures(b, p)
	} else {
		err = decodeFeatures(b, &p.Doc)
	}
	if err != nil {
		return nil, b, fmt.Errorf("article %d: %w", h, err)
	}
	p.Article.Published = c.published(h)
	return p, b, nil
}
