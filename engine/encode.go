package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/sketch"
	"github.com/wiretrace/wiretrace/story"
	"github.com/wiretrace/wiretrace/textnorm"
)

// PreparedFormat is the version of the binary encoding of a Prepared
// article (Codec.Encode). Codec.Decode reads only this version and
// refuses others with ErrUnsupportedFormat; callers then prepare the article
// again from its text.
//
// Bump it also when Prepare's output changes for the same input and options
// (tokenizer, stemmer, term weights, sketches): stored encodings are then
// recomputed instead of silently mixing two preparations in one index.
//
// Changelog:
//
//	1: first version. Layout, integers little-endian unless uvarint:
//	   version byte; options fingerprint (8 bytes, Codec.Fingerprint);
//	   uvarint Bytes; uvarint Doc.Words; uvarint sentence count n, then per
//	   sentence uvarint Off delta from the previous Off, uvarint NTerms,
//	   uvarint Words, Weight (float32 bits), Exact (4), Shape (8×2), uvarint
//	   span start delta from the previous span end, uvarint span length;
//	   uvarint count of Doc.Terms, then each term (4) and its weight in
//	   Doc.Weights (float32 bits); SentIndexed as a
//	   bitset of ⌈n/8⌉ bytes, least significant bit first; uvarint count of
//	   DocKeys, then each (8); uvarint count of SentKeys, then each (8);
//	   uvarint count of Terms, then per term its id (4) and weight (float32
//	   bits).
//	2: then uvarint Shingles, Exact (8), uvarint count of Sig, then each
//	   bin (4): set for articles prepared at LevelNearDup (which have no
//	   sentences, terms or sentence keys), zero and empty otherwise; the
//	   options fingerprint tells the two preparations apart.
const PreparedFormat = 2

// Decoding rejections.
var (
	// ErrUnsupportedFormat: the data was written in another PreparedFormat or
	// with options that prepare articles differently.
	ErrUnsupportedFormat = errors.New("unsupported prepared format")
	// ErrCorrupt: the data does not parse or is inconsistent.
	ErrCorrupt = errors.New("corrupt prepared data")
)

// Codec encodes and decodes Prepared articles for one set of options. It
// is immutable and safe for concurrent use. Build one and keep it: NewCodec
// derives the option defaults, which costs milliseconds.
type Codec struct {
	fp        uint64
	maxBytes  int
	docBands  int
	sentBands int
	sigSize   int
}

// NewCodec returns the Codec for articles prepared with opts.
func NewCodec(opts Options) *Codec {
	o := opts.withDefaults()
	h := uint64(PreparedFormat)
	for _, v := range []uint64{
		uint64(sketch.Version), uint64(o.ShingleSize), uint64(o.SignatureSize),
		uint64(o.docBands), uint64(o.docRows), uint64(o.SentenceBands), uint64(o.SentenceRows),
		uint64(o.MinSentenceTerms), uint64(o.MaxBytes), uint64(o.Level), // each level prepares differently
	} {
		h = mixSeed(h^v, 29)
	}
	return &Codec{fp: h, maxBytes: o.MaxBytes, docBands: o.docBands, sentBands: o.SentenceBands, sigSize: o.SignatureSize}
}

// Fingerprint is a hash of everything in the options that changes what
// Prepare produces, and of the encoding and sketch versions. Two engines
// whose fingerprints match prepare every article identically.
func (c *Codec) Fingerprint() uint64 { return c.fp }

// Encode appends the encoding of p (everything but p.Article, which the
// caller stores itself) to dst in format PreparedFormat.
func (c *Codec) Encode(dst []byte, p *Prepared) []byte {
	b := append(dst, PreparedFormat)
	b = binary.LittleEndian.AppendUint64(b, c.fp)
	b = binary.AppendUvarint(b, uint64(p.Bytes))
	b = binary.AppendUvarint(b, uint64(p.Doc.Words))
	b = binary.AppendUvarint(b, uint64(len(p.Doc.Sentences)))
	var prevOff uint32
	prevEnd := 0
	for i, s := range p.Doc.Sentences {
		b = binary.AppendUvarint(b, uint64(s.Off-prevOff))
		prevOff = s.Off
		b = binary.AppendUvarint(b, uint64(s.NTerms))
		b = binary.AppendUvarint(b, uint64(s.Words))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(s.Weight))
		b = binary.LittleEndian.AppendUint32(b, s.Exact)
		for _, v := range s.Shape {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		sp := p.Sentences[i]
		b = binary.AppendUvarint(b, uint64(sp.Start-prevEnd))
		b = binary.AppendUvarint(b, uint64(sp.End-sp.Start))
		prevEnd = sp.End
	}
	b = binary.AppendUvarint(b, uint64(len(p.Doc.Terms)))
	for i, t := range p.Doc.Terms {
		b = binary.LittleEndian.AppendUint32(b, t)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(p.Doc.Weights[i]))
	}
	bitset := make([]byte, (len(p.SentIndexed)+7)/8)
	for i, ok := range p.SentIndexed {
		if ok {
			bitset[i/8] |= 1 << (i % 8)
		}
	}
	b = append(b, bitset...)
	b = appendKeys(b, p.DocKeys)
	b = appendKeys(b, p.SentKeys)
	b = binary.AppendUvarint(b, uint64(len(p.Terms)))
	for _, t := range p.Terms {
		b = binary.LittleEndian.AppendUint32(b, t.Term)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(t.Weight))
	}
	b = binary.AppendUvarint(b, uint64(p.Shingles))
	b = binary.LittleEndian.AppendUint64(b, p.Exact)
	b = binary.AppendUvarint(b, uint64(len(p.Sig)))
	for _, v := range p.Sig {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

func appendKeys(b []byte, keys []uint64) []byte {
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint64(b, k)
	}
	return b
}

// Decode rebuilds a Prepared article from data that a Codec of the same
// fingerprint encoded, attaching article a. a.Text may be empty (an index that keeps texts elsewhere);
// when it is not, it must be the text the encoding was prepared from (its
// length is checked). Wrong versions and fingerprints are refused with
// ErrUnsupportedFormat, damaged data with ErrCorrupt; it never panics, and
// the result shares no memory with data.
func (c *Codec) Decode(data []byte, a wiretrace.Article) (*Prepared, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("decode prepared %s: empty: %w", a.ID, ErrCorrupt)
	}
	if data[0] != PreparedFormat {
		return nil, fmt.Errorf("decode prepared %s: format %d, this program reads %d: %w", a.ID, data[0], PreparedFormat, ErrUnsupportedFormat)
	}
	d := decoder{b: data[1:]}
	if fp := d.u64(); d.err == nil && fp != c.fp {
		return nil, fmt.Errorf("decode prepared %s: prepared with other options: %w", a.ID, ErrUnsupportedFormat)
	}
	p := &Prepared{Article: a}
	p.Bytes = d.count(uint64(c.maxBytes))
	if a.Text != "" && len(a.Text) != p.Bytes {
		d.fail("text of %d bytes, prepared from %d", len(a.Text), p.Bytes)
	}
	p.Doc.Words = d.count(math.MaxInt32)
	// Each sentence takes at least 33 bytes, which bounds the allocation.
	n := d.count(uint64(len(d.b) / 33))
	p.Doc.Sentences = make([]align.Sentence, n)
	p.Sentences = make([]textnorm.Span, n)
	var off uint64
	end := 0
	words, capped := 0, false
	for i := range n {
		s := &p.Doc.Sentences[i]
		off += d.uvarint()
		s.NTerms = uint16(d.count(math.MaxUint16))
		s.Words = uint16(d.count(math.MaxUint16))
		s.Weight = math.Float32frombits(d.u32())
		s.Exact = d.u32()
		for k := range s.Shape {
			s.Shape[k] = d.u16()
		}
		if off > math.MaxUint32 {
			d.fail("sentence %d: term offset %d", i, off)
		}
		s.Off = uint32(off)
		start := end + d.count(uint64(p.Bytes))
		end = start + d.count(uint64(p.Bytes))
		if end > p.Bytes {
			d.fail("sentence %d ends at byte %d of %d", i, end, p.Bytes)
		}
		p.Sentences[i] = textnorm.Span{Start: start, End: end}
		words += int(s.Words)
		capped = capped || s.Words == math.MaxUint16
	}
	nt := d.count(uint64(len(d.b) / 8))
	p.Doc.Terms = make([]uint32, nt)
	p.Doc.Weights = make([]float32, nt)
	for i := range p.Doc.Terms {
		p.Doc.Terms[i] = d.u32()
		p.Doc.Weights[i] = math.Float32frombits(d.u32())
	}
	for i, s := range p.Doc.Sentences {
		if int(s.Off)+int(s.NTerms) > nt {
			d.fail("sentence %d: terms %d+%d of %d", i, s.Off, s.NTerms, nt)
			break
		}
	}
	p.SentIndexed = make([]bool, n)
	bitset := d.take((n + 7) / 8)
	indexed := 0
	for i := range p.SentIndexed {
		if bitset != nil && bitset[i/8]&(1<<(i%8)) != 0 {
			p.SentIndexed[i] = true
			indexed++
		}
	}
	if bitset != nil && n%8 != 0 && bitset[len(bitset)-1]>>(n%8) != 0 {
		d.fail("bits set past sentence %d", n)
	}
	p.indexed = indexed
	p.DocKeys = d.keys()
	if d.err == nil && len(p.DocKeys) != c.docBands {
		d.fail("%d document keys, want %d", len(p.DocKeys), c.docBands)
	}
	p.SentKeys = d.keys()
	if d.err == nil && len(p.SentKeys) != indexed*c.sentBands {
		d.fail("%d sentence keys for %d indexed sentences, want %d", len(p.SentKeys), indexed, indexed*c.sentBands)
	}
	nw := d.count(uint64(len(d.b) / 8))
	p.Terms = make([]story.Weighted, nw)
	for i := range p.Terms {
		p.Terms[i] = story.Weighted{Term: d.u32(), Weight: math.Float32frombits(d.u32())}
		if i > 0 && d.err == nil && p.Terms[i].Term <= p.Terms[i-1].Term {
			d.fail("event terms out of order at %d", i)
		}
	}
	p.Shingles = d.count(math.MaxInt32)
	p.Exact = d.u64()
	if ns := d.count(uint64(len(d.b) / 4)); ns > 0 {
		p.Sig = make([]uint32, ns)
		for i := range p.Sig {
			p.Sig[i] = d.u32()
		}
	}
	switch {
	case d.err != nil:
	case p.DocumentOnly() && (n > 0 || len(p.Terms) > 0 || len(p.SentKeys) > 0):
		d.fail("a document-only preparation with sentences or terms")
	case p.DocumentOnly() && len(p.Sig) != c.sigSize:
		d.fail("%d signature bins, want %d", len(p.Sig), c.sigSize)
	// Sentence word counts are capped at 65535, the document's is not.
	case !p.DocumentOnly() && (words > p.Doc.Words || !capped && words != p.Doc.Words):
		d.fail("%d words in sentences, %d in the document", words, p.Doc.Words)
	case len(d.b) != 0:
		d.fail("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("decode prepared %s: %w", a.ID, d.err)
	}
	return p, nil
}

// decoder reads the fields of an encoding; after the first error every read
// returns zero and err keeps that error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format+": %w", append(args, ErrCorrupt)...)
	}
	d.b = nil
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail("%d bytes needed, %d left", n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a uvarint that must not exceed limit.
func (d *decoder) count(limit uint64) int {
	v := d.uvarint()
	if v > limit {
		d.fail("value %d over %d", v, limit)
		return 0
	}
	return int(v)
}

func (d *decoder) u16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) keys() []uint64 {
	n := d.count(uint64(len(d.b) / 8))
	if n == 0 {
		return nil
	}
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = d.u64()
	}
	return keys
}
