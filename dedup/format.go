package dedup

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/story"
)

// FormatVersion is the version of the work directory: the manifest and every
// binary file in it (each starts with a header naming its kind and this
// version). A run refuses a work directory of another version.
// Changelog:
//
//	1: manifest; per segment meta, features, text (JSONL), skipped and
//	   three sorted runs (document bands, sentence bands, id hashes); pair
//	   partitions (triples and references to bucket lists); bucket lists;
//	   candidates and edges per partition.
//	3: at the near-dup level, features records hold the document
//	   signature (appendDocFeatures) instead of the alignment doc; the
//	   segment text is S2 blocks (appendTextBlock), not zstd, and holds
//	   only the lines that cannot be read again from their input; meta
//	   records start with where the others are (lineSource).
const FormatVersion = 3

// ErrCorrupt: a work file does not decode. Runs that meet it stop; the work
// directory must be discarded (--fresh).
var ErrCorrupt = errors.New("corrupt work file")

const headerSize = 8

// File kinds, the fifth byte of every header.
const (
	kindMeta byte = 'm'
	kindFeat byte = 'f'
	kindDoc  byte = 'd' // document band run: docTuple
	kindSent byte = 's' // sentence band run: sentTuple
	kindID   byte = 'i' // id hash run: docTuple (key = id hash)
	kindPair byte = 'p' // pair partition: triples (d, e, s)
	kindRef  byte = 'r' // pair partition: references to bucket lists
	kindCand byte = 'c' // candidates
	kindEdge byte = 'e' // edges
)

func header(kind byte) []byte {
	return []byte{'W', 'T', 'D', 'D', kind, 0, byte(FormatVersion), byte(FormatVersion >> 8)}
}

func checkHeader(b []byte, kind byte, name string) error {
	if len(b) < headerSize || string(b[:4]) != "WTDD" || b[4] != kind {
		return fmt.Errorf("%s: %w: bad header", name, ErrCorrupt)
	}
	if v := int(b[6]) | int(b[7])<<8; v != FormatVersion {
		return fmt.Errorf("%s: %w: format version %d, this build reads %d", name, ErrCorrupt, v, FormatVersion)
	}
	return nil
}

// meta is what later passes need of one article besides its features.
type meta struct {
	// Source locates a JSONL line kept in its input file (Source.Input
	// -1: the article's line is in the segment's text blocks instead).
	Source    lineSource
	ID        string
	Origin    string
	Published time.Time // zero when unknown
	Words     int
	Bytes     int
	Indexed   int    // sentences in the sentence index
	FeatOff   uint32 // offset of the features record in the segment's feature file
	FeatLen   uint32
	Credits   []string // wire agencies credited (engine.SharedCredit)
}

// lineSource is where an input line can be read again: input index, byte
// offset and length, and the xxh3 of the line, checked when it is read.
type lineSource struct {
	Input  int
	Offset int64
	Len    int
	Hash   uint64
}

// inWork is the lineSource of an article whose line is in the work
// directory's text blocks.
var inWork = lineSource{Input: -1}

func appendMeta(dst []byte, m *meta) []byte {
	dst = binary.AppendVarint(dst, int64(m.Source.Input))
	if m.Source.Input >= 0 {
		dst = binary.AppendUvarint(dst, uint64(m.Source.Offset))
		dst = binary.AppendUvarint(dst, uint64(m.Source.Len))
		dst = binary.LittleEndian.AppendUint64(dst, m.Source.Hash)
	}
	dst = appendString(dst, m.ID)
	dst = appendString(dst, m.Origin)
	if m.Published.IsZero() {
		dst = append(dst, 0)
	} else {
		dst = append(dst, 1)
		dst = binary.AppendVarint(dst, m.Published.Unix())
		dst = binary.AppendUvarint(dst, uint64(m.Published.Nanosecond()))
	}
	for _, v := range []uint64{uint64(m.Words), uint64(m.Bytes), uint64(m.Indexed), uint64(m.FeatOff), uint64(m.FeatLen)} {
		dst = binary.AppendUvarint(dst, v)
	}
	dst = binary.AppendUvarint(dst, uint64(len(m.Credits)))
	for _, c := range m.Credits {
		dst = appendString(dst, c)
	}
	return dst
}

func decodeMeta(b []byte) (meta, []byte, error) {
	var m meta
	d := decoder{b: b}
	m.Source.Input = int(d.varint())
	if m.Source.Input < -1 || m.Source.Input > math.MaxInt32 {
		d.fail()
	}
	if m.Source.Input >= 0 {
		m.Source.Offset = int64(d.uvarint())
		m.Source.Len = d.int()
		m.Source.Hash = d.fixed64()
		if m.Source.Offset < 0 {
			d.fail()
		}
	}
	m.ID = d.string()
	m.Origin = d.string()
	if d.byte() == 1 {
		sec := d.varint()
		nsec := d.uvarint()
		if nsec >= 1e9 {
			d.fail()
		}
		m.Published = time.Unix(sec, int64(nsec)).UTC()
	}
	m.Words = d.int()
	m.Bytes = d.int()
	m.Indexed = d.int()
	m.FeatOff = d.uint32()
	m.FeatLen = d.uint32()
	if n := d.count(1); n > 0 {
		m.Credits = make([]string, n)
		for i := range m.Credits {
			m.Credits[i] = d.string()
		}
	}
	if d.err {
		return meta{}, nil, fmt.Errorf("%w: meta record", ErrCorrupt)
	}
	return m, d.b, nil
}

// appendFeatures encodes what engine.Judge needs of an article, its
// alignment doc (weights included, bit for bit), and, when withTerms is
// set, its raw event terms for story clustering.
func appendFeatures(dst []byte, d *align.Doc, terms []story.Weighted, withTerms bool) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(d.Sentences)))
	for i := range d.Sentences {
		s := &d.Sentences[i]
		dst = binary.AppendUvarint(dst, uint64(s.Off))
		dst = binary.AppendUvarint(dst, uint64(s.NTerms))
		dst = binary.AppendUvarint(dst, uint64(s.Words))
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(s.Weight))
		dst = binary.LittleEndian.AppendUint32(dst, s.Exact)
		for _, v := range s.Shape {
			dst = binary.LittleEndian.AppendUint16(dst, v)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(d.Terms)))
	for i, t := range d.Terms {
		dst = binary.LittleEndian.AppendUint32(dst, t)
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(d.Weights[i]))
	}
	dst = binary.AppendUvarint(dst, uint64(d.Words))
	if !withTerms {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	dst = binary.AppendUvarint(dst, uint64(len(terms)))
	for _, t := range terms {
		dst = binary.LittleEndian.AppendUint32(dst, t.Term)
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(t.Weight))
	}
	return dst
}

// appendDocFeatures encodes what engine.Judge needs of an article
// prepared for document-level comparison (engine.Prepared.DocumentOnly):
// word count, shingle count, exact hash and signature.
func appendDocFeatures(dst []byte, p *engine.Prepared) []byte {
	dst = binary.AppendUvarint(dst, uint64(p.Doc.Words))
	dst = binary.AppendUvarint(dst, uint64(p.Shingles))
	dst = binary.LittleEndian.AppendUint64(dst, p.Exact)
	dst = binary.AppendUvarint(dst, uint64(len(p.Sig)))
	for _, v := range p.Sig {
		dst = binary.LittleEndian.AppendUint32(dst, v)
	}
	return dst
}

// decodeDocFeatures decodes a record of appendDocFeatures into p (reusing
// p.Sig).
func decodeDocFeatures(b []byte, p *engine.Prepared) error {
	d := decoder{b: b}
	p.Doc.Words = d.int()
	p.Shingles = d.int()
	p.Exact = d.fixed64()
	n := d.count(4)
	p.Sig = slices.Grow(p.Sig[:0], n)
	for range n {
		p.Sig = append(p.Sig, d.fixed32())
	}
	if d.err || len(d.b) != 0 || n == 0 {
		return fmt.Errorf("%w: document features record", ErrCorrupt)
	}
	return nil
}

// sentenceMin is the least encoded size of a sentence.
const sentenceMin = 1 + 1 + 1 + 4 + 4 + 2*align.ShapeSize

// decodeFeatures decodes a features record into doc (reusing its slices).
func decodeFeatures(b []byte, doc *align.Doc) error {
	d := decoder{b: b}
	n := d.count(sentenceMin)
	doc.Sentences = slices.Grow(doc.Sentences[:0], n)
	for range n {
		var s align.Sentence
		s.Off = d.uint32()
		s.NTerms = d.uint16()
		s.Words = d.uint16()
		s.Weight = math.Float32frombits(d.fixed32())
		s.Exact = d.fixed32()
		for k := range s.Shape {
			s.Shape[k] = d.fixed16()
		}
		doc.Sentences = append(doc.Sentences, s)
	}
	nt := d.count(8)
	doc.Terms = slices.Grow(doc.Terms[:0], nt)
	doc.Weights = slices.Grow(doc.Weights[:0], nt)
	for range nt {
		doc.Terms = append(doc.Terms, d.fixed32())
		doc.Weights = append(doc.Weights, math.Float32frombits(d.fixed32()))
	}
	doc.Words = d.int()
	if d.err {
		return fmt.Errorf("%w: features record", ErrCorrupt)
	}
	for i := range doc.Sentences {
		s := &doc.Sentences[i]
		if uint64(s.Off)+uint64(s.NTerms) > uint64(len(doc.Terms)) {
			return fmt.Errorf("%w: features record: sentence %d terms out of range", ErrCorrupt, i)
		}
	}
	return nil
}

// decodeTerms returns the event terms of a features record (nil when it
// was written without them).
func decodeTerms(b []byte, dst []story.Weighted) ([]story.Weighted, error) {
	d := decoder{b: b}
	n := d.count(sentenceMin)
	for range n {
		d.uvarint()
		d.uvarint()
		d.uvarint()
		d.skip(8 + 2*align.ShapeSize)
	}
	d.skip(8 * d.count(8))
	d.uvarint()
	dst = dst[:0]
	if d.byte() == 1 {
		nt := d.count(8)
		for range nt {
			t := d.fixed32()
			w := math.Float32frombits(d.fixed32())
			dst = append(dst, story.Weighted{Term: t, Weight: w})
		}
	}
	if d.err {
		return nil, fmt.Errorf("%w: features record terms", ErrCorrupt)
	}
	return dst, nil
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decoder reads varints and fixed-size values, remembering the first
// failure instead of panicking.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) fail() { d.err, d.b = true, nil }

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int {
	v := d.uvarint()
	if v > math.MaxInt32 {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) uint32() uint32 {
	v := d.uvarint()
	if v > math.MaxUint32 {
		d.fail()
		return 0
	}
	return uint32(v)
}

func (d *decoder) uint16() uint16 {
	v := d.uvarint()
	if v > math.MaxUint16 {
		d.fail()
		return 0
	}
	return uint16(v)
}

// count reads a length whose items take at least minSize bytes each, and
// fails when the rest of the record cannot hold them.
func (d *decoder) count(minSize int) int {
	v := d.uvarint()
	if v > uint64(len(d.b)/minSize) {
		d.fail()
		return 0
	}
	return int(v)
}

// take returns the next n bytes, or nil (failing) when fewer are left.
func (d *decoder) take(n int) []byte {
	if len(d.b) < n {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) fixed16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) fixed32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) fixed64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) skip(n int) {
	if n < 0 || len(d.b) < n {
		d.fail()
		return
	}
	d.b = d.b[n:]
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// readRecord reads one uvarint-length-prefixed record from r into buf.
func readRecord(r io.ByteReader, rd io.Reader, buf []byte, limit int) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > uint64(limit) {
		return nil, fmt.Errorf("%w: record of %d bytes", ErrCorrupt, n)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(rd, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// Sentence payloads. A sentence tuple carries what align.SentenceSim
// reads of its sentence, so that pass 2a can check collisions the way the
// engine's sentence index does (Options.VerifySim): the sentence's weight,
// content terms and their weights, bit for bit. The engine's index entries
// name sentences past 65535 by index 65535; such a payload also holds
// sentence 65535, which is what another article's query compares with.
//
// Framing: uvarint length, then: sentence, flag byte (1: an entry-side
// sentence follows), [sentence]. A sentence: uvarint n, float32 weight, n
// uint32 terms, n float32 term weights.

// maxSentenceRef is the largest sentence index an engine index entry
// names.
const maxSentenceRef = 0xffff

func appendPayload(dst []byte, d *align.Doc, i int) []byte {
	body := appendOneSentence(nil, d, i)
	if i > maxSentenceRef {
		body = append(body, 1)
		body = appendOneSentence(body, d, maxSentenceRef)
	} else {
		body = append(body, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...)
}

func appendOneSentence(dst []byte, d *align.Doc, i int) []byte {
	s := &d.Sentences[i]
	terms := d.SentenceTerms(i)
	ws := d.Weights[s.Off : s.Off+uint32(s.NTerms)]
	dst = binary.AppendUvarint(dst, uint64(len(terms)))
	dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(s.Weight))
	for _, t := range terms {
		dst = binary.LittleEndian.AppendUint32(dst, t)
	}
	for _, w := range ws {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(w))
	}
	return dst
}

// payloadAt returns the framed payload at off in arena.
func payloadAt(arena []byte, off uint32) []byte {
	n, k := binary.Uvarint(arena[off:])
	return arena[off : off+uint32(k)+uint32(n)]
}

// viewPayload reads one framed payload's body from r: a view into r's
// block, or assembled in scratch (see directReader.view).
func viewPayload(r *directReader, scratch *[]byte) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if n > 1<<24 {
		return nil, fmt.Errorf("%w: sentence payload of %d bytes", ErrCorrupt, n)
	}
	return r.view(int(n), scratch)
}

// sentence is a decoded payload sentence.
type sentence struct {
	weight  float32
	terms   []uint32
	weights []float32
}

// atLeast reports whether the engine's similarity of two sentences
// (align.SentenceSim on their documents) is at least min.
func (x *sentence) atLeast(y *sentence, min float64) bool {
	return align.DiceAtLeast(x.terms, x.weights, x.weight, y.terms, y.weights, y.weight, min)
}

// sentenceArena holds the terms and weights of decoded sentences. Reset
// it only when no sentence decoded into it is in use.
type sentenceArena struct {
	terms   []uint32
	weights []float32
}

func (a *sentenceArena) reset() { a.terms, a.weights = a.terms[:0], a.weights[:0] }

// decodeSentences decodes a payload body into the query-side sentence q
// and the entry-side sentence e (a copy of q unless the payload holds
// both), their terms and weights appended to a.
func (a *sentenceArena) decodeSentences(body []byte, q, e *sentence) error {
	rest, err := a.decodeOne(body, q)
	if err != nil {
		return err
	}
	if len(rest) < 1 {
		return fmt.Errorf("%w: sentence payload flag", ErrCorrupt)
	}
	if rest[0] == 0 {
		if len(rest) != 1 {
			return fmt.Errorf("%w: sentence payload trailer", ErrCorrupt)
		}
		*e = *q
		return nil
	}
	rest, err = a.decodeOne(rest[1:], e)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: sentence payload trailer", ErrCorrupt)
	}
	return nil
}

func (a *sentenceArena) decodeOne(b []byte, s *sentence) ([]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > math.MaxUint16 || uint64(len(b)-k) < 4+8*n {
		return nil, fmt.Errorf("%w: sentence payload", ErrCorrupt)
	}
	b = b[k:]
	w := math.Float32frombits(binary.LittleEndian.Uint32(b))
	b = b[4:]
	t0 := len(a.terms)
	for i := range int(n) {
		a.terms = append(a.terms, binary.LittleEndian.Uint32(b[4*i:]))
		a.weights = append(a.weights, math.Float32frombits(binary.LittleEndian.Uint32(b[4*(int(n)+i):])))
	}
	*s = sentence{weight: w, terms: a.terms[t0:len(a.terms):len(a.terms)], weights: a.weights[t0:len(a.weights):len(a.weights)]}
	return b[8*n:], nil
}

// Article texts are kept for the filtered output in blocks, one per batch
// of articles: uvarint length, then that many bytes of an S2 block
// (github.com/klauspost/compress/s2) holding the batch's JSON lines.
// S2 compresses at several hundred MB/s per core, so keeping the text
// costs little next to preparing it.

// appendTextBlock appends the block of lines to dst.
func appendTextBlock(dst, lines []byte) []byte {
	enc := s2.Encode(nil, lines)
	dst = binary.AppendUvarint(dst, uint64(len(enc)))
	return append(dst, enc...)
}

// textReader reads the lines of a file of text blocks as one stream.
type textReader struct {
	r        *bufio.Reader
	name     string
	enc, dec []byte
	pos      int
}

func newTextReader(r io.Reader, name string) *textReader {
	return &textReader{r: bufio.NewReaderSize(r, 256<<10), name: name}
}

// maxTextBlock bounds a block's encoded size: a batch holds about
// batchBytes of lines plus one article of at most engine's MaxBytes of
// text; a length far past that is damage, not a block to allocate for.
const maxTextBlock = 1 << 28

func (t *textReader) Read(p []byte) (int, error) {
	for t.pos == len(t.dec) {
		n, err := binary.ReadUvarint(t.r)
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("%w: %s: text block length: %v", ErrCorrupt, t.name, err)
		}
		if n > maxTextBlock {
			return 0, fmt.Errorf("%w: %s: text block of %d bytes", ErrCorrupt, t.name, n)
		}
		t.enc = slices.Grow(t.enc[:0], int(n))[:n]
		if _, err := io.ReadFull(t.r, t.enc); err != nil {
			return 0, fmt.Errorf("%w: %s: truncated text block: %v", ErrCorrupt, t.name, err)
		}
		dl, err := s2.DecodedLen(t.enc)
		if err != nil {
			return 0, fmt.Errorf("%w: %s: text block: %v", ErrCorrupt, t.name, err)
		}
		if t.dec, err = s2.Decode(slices.Grow(t.dec[:0], dl)[:dl], t.enc); err != nil {
			return 0, fmt.Errorf("%w: %s: text block: %v", ErrCorrupt, t.name, err)
		}
		t.pos = 0
	}
	n := copy(p, t.dec[t.pos:])
	t.pos += n
	return n, nil
}
