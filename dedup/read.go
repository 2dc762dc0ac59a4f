package dedup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/zeebo/xxh3"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

// Pass 1 reads the inputs, prepares every article with the engine's
// Preparer on all workers, and spills, per segment of consecutive articles:
// meta records, features records, the articles themselves as JSONL in S2 blocks
// (for the filtered output), the skipped inputs, and three runs sorted by
// key: document band keys, sentence band keys and id hashes. Handles are
// assigned in input order to the articles that prepare, as analyze assigns
// them.

// Batches of records travel from the reader to the workers and, in order,
// to the collector.
const (
	batchRecords = 128
	batchBytes   = 2 << 20
)

type record struct {
	line   []byte // a raw JSONL line (in batch.arena), or nil for item
	origin string
	item   ingest.Item
	input  int   // index of the input it was read from
	offset int64 // of line in its input file, -1 when it cannot be read there again
}

type batch struct {
	seq        int
	recs       []record
	arena      []byte
	nextInput  int   // position after the batch's last record
	nextRecord int64 //
	out        []result
	feat       []byte // features records of the ok results, concatenated
	keys       []uint64
	sents      []sentRef // indexed sentences of the ok results, in order
	payloads   []byte    // their payloads
	text       []byte    // text block of the ok articles' JSON lines (appendTextBlock)
}

// reset empties b for reuse, keeping its buffers.
func (b *batch) reset() {
	clear(b.recs)
	clear(b.out)
	*b = batch{recs: b.recs[:0], arena: b.arena[:0], out: b.out[:0], feat: b.feat[:0],
		keys: b.keys[:0], sents: b.sents[:0], payloads: b.payloads[:0], text: b.text[:0]}
}

// sentRef is one indexed sentence: its index in the article and its
// payload's offset in batch.payloads.
type sentRef struct{ i, off uint32 }

// result is one record after preparation.
type result struct {
	skip     *skipped
	meta     meta
	featLen  int
	docKeys  int // counts into batch.keys: document keys, then sentence keys
	sentKeys int
	sents    int // count into batch.sents
	idHash   uint64
}

// skipped names an input that was left out.
type skipped struct {
	Reason string `json:"reason"`
	Origin string `json:"origin,omitempty"`
	Error  string `json:"error"`
}

// Skip reasons.
const (
	ReasonMalformed   = "malformed"    // not a JSON object with an id and a text
	ReasonTooLarge    = "too_large"    // over the record or article size limit
	ReasonEmpty       = "empty"        // no text, or only page chrome
	ReasonNoID        = "no_id"        // no id
	ReasonDamaged     = "damaged"      // truncated or corrupt compressed input
	ReasonUnsupported = "unsupported"  // binary or unknown format
	ReasonUnreadable  = "unreadable"   // could not be opened or read
	ReasonDuplicateID = "duplicate_id" // replaced by a later article with the same id
)

func classify(err error) string {
	switch {
	case errors.Is(err, ingest.ErrDamaged):
		return ReasonDamaged
	case errors.Is(err, ingest.ErrMalformed):
		return ReasonMalformed
	case errors.Is(err, ingest.ErrTooLarge), errors.Is(err, engine.ErrTooLarge):
		return ReasonTooLarge
	case errors.Is(err, ingest.ErrEmpty), errors.Is(err, engine.ErrEmpty):
		return ReasonEmpty
	case errors.Is(err, engine.ErrNoID):
		return ReasonNoID
	case errors.Is(err, ingest.ErrBinary), errors.Is(err, ingest.ErrUnknownFormat):
		return ReasonUnsupported
	}
	return ReasonUnreadable
}

// readPass runs pass 1 from the manifest's last segment to the end of the
// inputs.
func (r *runner) readPass(ctx context.Context) error {
	m := r.man
	startInput, startRecord := 0, int64(0)
	base := 0
	if n := len(m.Segments); n > 0 {
		last := m.Segments[n-1]
		startInput, startRecord, base = last.NextInput, last.NextRecord, last.Base+last.Count
	}
	if startInput < len(r.inputs) && r.inputs[startInput] == "-" && startRecord > 0 {
		return ErrStdinResume
	}
	for _, s := range m.Segments {
		r.stats.articles.Add(int64(s.Count))
		r.stats.skipped.Add(int64(s.Skipped))
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := r.opts.Workers
	jobs := make(chan *batch, workers)
	done := make(chan *batch, workers)
	window := make(chan struct{}, 3*workers+2)
	free := make(chan *batch, cap(window)) // batches done with, to fill again

	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		err := r.readInputs(ctx, startInput, startRecord, window, free, jobs)
		if err != nil {
			cancel(err)
		}
		readErr <- err
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newPrepWorker(r.opts)
			for b := range jobs {
				w.prepare(b)
				select {
				case done <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	cm := &committer{r: r}
	seg := r.newSegment(len(m.Segments)+1, base)
	err := r.collect(ctx, done, window, free, cm, &seg)
	if err != nil {
		cancel(err)
	}
	for range done { // let the workers finish
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	if err == nil {
		err = context.Cause(ctx)
	}
	if werr := cm.wait(); err == nil {
		err = werr
	}
	if err == nil && (seg.info.Count > 0 || seg.info.Skipped > 0) {
		err = r.commitSegment(seg, &cm.scratch)
		seg = nil
	}
	if seg != nil {
		seg.abort()
	}
	cm.scratch = nil
	if err != nil {
		return err
	}
	m.ReadDone = true
	m.Articles = 0
	for _, s := range m.Segments {
		m.Articles += s.Count
	}
	return m.save(r.work)
}

// collect hands the prepared batches to segments in input order. A full
// segment is committed in the background while the next one fills.
func (r *runner) collect(ctx context.Context, done <-chan *batch, window <-chan struct{}, free chan<- *batch, cm *committer, seg **segment) error {
	pending := map[int]*batch{}
	next := 0
	for b := range done {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			s := *seg
			if err := s.add(b); err != nil {
				return err
			}
			b.reset()
			select {
			case free <- b:
			default:
			}
			r.progress(Progress{Pass: PassRead, Done: r.stats.inBytes.Load(), Total: r.totalIn, Unit: "bytes",
				Articles: r.stats.articles.Load(), Skipped: r.stats.skipped.Load()})
			if s.full() {
				old, err := cm.start(s)
				if err != nil {
					return err
				}
				*seg = r.newSegment(s.info.Index+1, s.info.Base+s.info.Count)
				(*seg).reuse(old, s)
			}
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
	}
	return nil
}

// committer commits segments in the background, one at a time and in
// order, so that sorting and writing a segment's runs overlaps preparing
// the next. Memory: the filling segment's tuples, the committing one's,
// and the sort scratch.
type committer struct {
	r       *runner
	done    chan error
	last    *segment
	scratch []tuple
}

// start waits for the commit in flight, then commits s in the background.
// It returns the segment committed before, whose buffers are free.
func (cm *committer) start(s *segment) (*segment, error) {
	if err := cm.wait(); err != nil {
		return nil, err
	}
	old := cm.last
	cm.last = s
	cm.done = make(chan error, 1)
	go func() { cm.done <- cm.r.commitSegment(s, &cm.scratch) }()
	return old, nil
}

// wait waits for the commit in flight, if any.
func (cm *committer) wait() error {
	if cm.done == nil {
		return nil
	}
	err := <-cm.done
	cm.done = nil
	return err
}

// readInputs streams records from input startInput on (skipping its first
// startRecord records, read before a checkpoint) in batches.
func (r *runner) readInputs(ctx context.Context, startInput int, startRecord int64, window chan struct{}, free <-chan *batch, jobs chan<- *batch) error {
	seq := 0
	var b *batch
	// Segments end at batch ends: small segments need small batches.
	limit := batchRecords
	if n := r.opts.SegmentArticles; n > 0 && n < limit {
		limit = n
	}
	send := func(nextInput int, nextRecord int64) error {
		if b == nil {
			return nil
		}
		b.nextInput, b.nextRecord = nextInput, nextRecord
		select {
		case jobs <- b:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		b = nil
		return nil
	}
	for i := startInput; i < len(r.inputs); i++ {
		skip := int64(0)
		if i == startInput {
			skip = startRecord
		}
		// Lines can be read again at output time from an input that is
		// a file itself; those of the files in a directory are kept in
		// the work directory instead.
		reread := false
		if info, err := os.Stat(r.inputs[i]); err == nil && info.Mode().IsRegular() {
			reread = true
		}
		var rec int64
		add := func(rc record, line []byte) error {
			rec++
			if rec <= skip {
				return nil
			}
			if b == nil {
				select {
				case window <- struct{}{}:
				case <-ctx.Done():
					return context.Cause(ctx)
				}
				select {
				case b = <-free:
				default:
					b = new(batch)
				}
				b.seq = seq
				seq++
			}
			if line != nil {
				off := len(b.arena)
				b.arena = append(b.arena, line...)
				rc.line = b.arena[off:len(b.arena):len(b.arena)]
			}
			b.recs = append(b.recs, rc)
			if len(b.recs) >= limit || len(b.arena) >= batchBytes {
				return send(i, rec)
			}
			return nil
		}
		err := ingest.Read(ctx, []string{r.inputs[i]}, ingest.Options{
			MaxRecordBytes: r.opts.MaxRecordBytes,
			Stdin:          r.opts.Stdin,
			JSONLine: func(l ingest.Line) error {
				offset := l.Offset
				if !reread {
					offset = -1
				}
				return add(record{origin: l.Origin, input: i, offset: offset}, l.Bytes)
			},
			Progress: func(n int64) { r.stats.inBytes.Add(n) },
		}, func(it ingest.Item) error {
			return add(record{item: it, input: i, offset: -1}, nil)
		})
		if err != nil {
			return err
		}
		// Batches end with their input, so a checkpoint after this one
		// resumes at the next input without reopening this one.
		if err := send(i+1, 0); err != nil {
			return err
		}
	}
	return nil
}

// prepWorker parses, prepares and encodes batches.
type prepWorker struct {
	opts  Options
	pr    *engine.Preparer
	lines bytes.Buffer
}

func newPrepWorker(o Options) *prepWorker {
	return &prepWorker{opts: o, pr: engine.NewPreparer(o.Engine)}
}

// articleJSON writes the filtered output's lines: like encoding/json with
// HTML left unescaped.
var articleJSON = jsontext.EscapeForHTML(false)

func (w *prepWorker) prepare(b *batch) {
	o := &w.opts
	b.out = slices.Grow(b.out[:0], len(b.recs))[:len(b.recs)]
	w.lines.Reset()
	for i := range b.recs {
		rc := &b.recs[i]
		it := rc.item
		if rc.line != nil {
			it = ingest.ParseJSONLine(rc.line, rc.origin)
		}
		res := &b.out[i]
		if it.Err != nil {
			res.skip = &skipped{Reason: classify(it.Err), Origin: rc.origin, Error: it.Err.Error()}
			continue
		}
		p, err := w.pr.Prepare(it.Article)
		if err != nil {
			res.skip = &skipped{Reason: classify(err), Origin: it.Article.Origin, Error: err.Error()}
			continue
		}
		res.meta = meta{ID: p.Article.ID, Origin: p.Article.Origin, Published: p.Article.Published,
			Words: p.Doc.Words, Bytes: p.Bytes, Indexed: p.Indexed(), Credits: p.Article.Credits}
		n := len(b.feat)
		if p.DocumentOnly() {
			b.feat = appendDocFeatures(b.feat, p)
		} else {
			b.feat = appendFeatures(b.feat, &p.Doc, p.Terms, o.Engine.Level >= engine.LevelStories)
		}
		res.featLen = len(b.feat) - n
		b.keys = append(b.keys, p.DocKeys...)
		res.docKeys = len(p.DocKeys)
		if o.Engine.Level >= engine.LevelReuse {
			b.keys = append(b.keys, p.SentKeys...)
			res.sentKeys = len(p.SentKeys)
			for i, ok := range p.SentIndexed {
				if ok {
					b.sents = append(b.sents, sentRef{i: uint32(i), off: uint32(len(b.payloads))})
					b.payloads = appendPayload(b.payloads, &p.Doc, i)
					res.sents++
				}
			}
		}
		res.idHash = xxh3.HashString(p.Article.ID)
		// The filtered output gets a JSONL input line as it is: read
		// again from its file at output time when it can be, kept here
		// otherwise. Other inputs (text files, pages) become the
		// article as prepared, in the JSONL input format.
		res.meta.Source = inWork
		switch {
		case rc.line != nil && rc.offset >= 0:
			res.meta.Source = lineSource{Input: rc.input, Offset: rc.offset, Len: len(rc.line), Hash: xxh3.Hash(rc.line)}
		case rc.line != nil:
			w.lines.Write(rc.line)
			w.lines.WriteByte('\n')
		default:
			a := p.Article
			a.HTML, a.Charset = "", ""
			jsonv2.MarshalWrite(&w.lines, a, articleJSON) // a plain struct: cannot fail
			w.lines.WriteByte('\n')
		}
	}
	b.text = appendTextBlock(b.text[:0], w.lines.Bytes())
}

// segment is the pass-1 segment being filled.
type segment struct {
	r       *runner
	info    segmentInfo
	files   map[string]*os.File
	meta    *bufio.Writer
	feat    *bufio.Writer
	text    *bufio.Writer
	skip    *bufio.Writer
	featLen int64
	doc     []tuple
	sent    []tuple
	ids     []tuple
	arena   []byte // sentence payloads
	err     error
	mbuf    []byte
}

// Segment file suffixes.
const (
	sufMeta = ".meta"
	sufFeat = ".feat"
	sufText = ".text.s2"
	sufSkip = ".skip.jsonl"
	sufDoc  = ".doc.run"
	sufSent = ".sent.run"
	sufID   = ".id.run"
)

func segName(i int) string { return fmt.Sprintf("seg-%06d", i) }

func (r *runner) segPath(i int, suffix string) string {
	return filepath.Join(r.work, segName(i)+suffix)
}

func (r *runner) newSegment(index, base int) *segment {
	s := &segment{r: r, info: segmentInfo{Index: index, Base: base}, files: map[string]*os.File{}}
	open := func(suffix string, kind byte) *bufio.Writer {
		p := r.segPath(index, suffix) + ".tmp"
		f, err := os.Create(p)
		if err != nil {
			s.err = err
			return bufio.NewWriter(io.Discard)
		}
		s.files[suffix] = f
		w := bufio.NewWriterSize(f, 256<<10)
		if kind != 0 {
			w.Write(header(kind))
		}
		return w
	}
	s.meta = open(sufMeta, kindMeta)
	s.feat = open(sufFeat, kindFeat)
	s.featLen = headerSize
	s.text = open(sufText, 0)
	s.skip = open(sufSkip, 0)
	return s
}

// reuse takes over the tuple buffers of a committed segment, old, or
// when there is none yet, sizes new ones after the segment just filled,
// prev: growing them by appending copied each a few times over.
func (s *segment) reuse(old, prev *segment) {
	if old != nil {
		s.doc, s.sent, s.ids, s.arena = old.doc[:0], old.sent[:0], old.ids[:0], old.arena[:0]
		return
	}
	s.doc = make([]tuple, 0, len(prev.doc)+len(prev.doc)/8)
	s.sent = make([]tuple, 0, len(prev.sent)+len(prev.sent)/8)
	s.ids = make([]tuple, 0, len(prev.ids)+len(prev.ids)/8)
	s.arena = make([]byte, 0, len(prev.arena)+len(prev.arena)/8)
}

// reserve makes room for n more tuples, doubling: the first segment's
// buffers grow from nothing.
func reserve[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	return slices.Grow(s, max(n, len(s), 1<<12))
}

func (s *segment) add(b *batch) error {
	if s.err != nil {
		return s.err
	}
	bands := s.r.opts.Engine.SentenceBands
	feat, keys, sents := b.feat, b.keys, b.sents
	var sentOff uint32
	var docKeys, sentKeys int
	for i := range b.out {
		docKeys, sentKeys = docKeys+b.out[i].docKeys, sentKeys+b.out[i].sentKeys
	}
	s.doc = reserve(s.doc, docKeys)
	s.sent = reserve(s.sent, sentKeys)
	s.ids = reserve(s.ids, len(b.out))
	s.arena = reserve(s.arena, len(b.payloads))
	for i := range b.out {
		res := &b.out[i]
		if res.skip != nil {
			s.info.Skipped++
			s.r.stats.skipped.Add(1)
			line, _ := json.Marshal(res.skip)
			s.skip.Write(append(line, '\n'))
			continue
		}
		h := uint32(s.info.Base + s.info.Count)
		s.info.Count++
		s.info.Bytes += int64(res.meta.Bytes)
		s.r.stats.articles.Add(1)
		res.meta.FeatOff, res.meta.FeatLen = uint32(s.featLen), uint32(res.featLen)
		s.feat.Write(feat[:res.featLen])
		feat = feat[res.featLen:]
		s.featLen += int64(res.featLen)
		s.mbuf = appendMeta(s.mbuf[:0], &res.meta)
		var lb [10]byte
		s.meta.Write(lb[:putUvarint(lb[:], uint64(len(s.mbuf)))])
		s.meta.Write(s.mbuf)
		for _, k := range keys[:res.docKeys] {
			s.doc = append(s.doc, tuple{key: k, h: h})
		}
		keys = keys[res.docKeys:]
		for j, k := range keys[:res.sentKeys] {
			sr := sents[j/bands]
			if j%bands == 0 {
				off := len(s.arena)
				s.arena = append(s.arena, payloadAt(b.payloads, sr.off)...)
				sentOff = uint32(off)
			}
			s.sent = append(s.sent, tuple{key: k, h: h, ord: sr.i, off: sentOff})
		}
		keys = keys[res.sentKeys:]
		sents = sents[res.sents:]
		s.ids = append(s.ids, tuple{key: res.idHash, h: h})
	}
	s.text.Write(b.text)
	s.info.NextInput, s.info.NextRecord = b.nextInput, b.nextRecord
	return nil
}

func (s *segment) full() bool {
	o := &s.r.opts
	n := (len(s.doc)+len(s.sent)+len(s.ids))*int(unsafe.Sizeof(tuple{})) + len(s.arena)
	return n >= s.r.budget.segment ||
		uint64(len(s.arena)) >= math.MaxUint32-1<<24 ||
		(o.SegmentArticles > 0 && s.info.Count >= o.SegmentArticles) ||
		s.featLen >= 1<<30
}

// abort removes the segment's temporary files.
func (s *segment) abort() {
	for suffix, f := range s.files {
		f.Close()
		os.Remove(s.r.segPath(s.info.Index, suffix) + ".tmp")
	}
}

// commitSegment makes a segment durable and records it in the manifest
// (sorting its runs with *scratch).
func (r *runner) commitSegment(s *segment, scratch *[]tuple) error {
	if s.err != nil {
		return s.err
	}
	for _, w := range []*bufio.Writer{s.meta, s.feat, s.text, s.skip} {
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write segment %d: %w", s.info.Index, err)
		}
	}
	for suffix, f := range s.files {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", f.Name(), err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		delete(s.files, suffix)
		if err := os.Rename(r.segPath(s.info.Index, suffix)+".tmp", r.segPath(s.info.Index, suffix)); err != nil {
			return err
		}
	}
	runs := []struct {
		suffix string
		kind   byte
		ts     []tuple
	}{{sufDoc, kindDoc, s.doc}, {sufSent, kindSent, s.sent}, {sufID, kindID, s.ids}}
	for _, run := range runs {
		*scratch = sortTuples(run.ts, *scratch)
		p := r.segPath(s.info.Index, run.suffix)
		if err := writeRun(p, run.kind, run.ts, s.arena); err != nil {
			return err
		}
		for _, q := range []string{p, p + ".idx"} {
			if err := os.Rename(q+".tmp", q); err != nil {
				return err
			}
		}
	}
	if err := syncDir(r.work); err != nil {
		return err
	}
	r.man.Segments = append(r.man.Segments, s.info)
	if err := r.man.save(r.work); err != nil {
		return err
	}
	r.log.Debug("segment committed", "segment", s.info.Index, "articles", s.info.Count, "skipped", s.info.Skipped)
	return nil
}

func putUvarint(b []byte, v uint64) int {
	i := 0
	for v >= 0x80 {
		b[i] = byte(v) | 0x80
		v >>= 7
		i++
	}
	b[i] = byte(v)
	return i + 1
}

// readStats counts pass-1 progress.
type readStats struct {
	inBytes  atomic.Int64
	articles atomic.Int64
	skipped  atomic.Int64
}
