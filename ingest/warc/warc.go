// Package warc streams the HTML pages out of WARC archives (.warc, and
// .warc.gz with one gzip member per record or one for the whole file),
// such as the CC-NEWS crawl.
//
// Read hands each HTTP response or resource record whose payload is HTML
// to a callback, and counts every other record by kind: requests,
// metadata, revisits, non-HTML payloads, non-2xx responses, payloads over
// the size cap, records cut short by the end of the input, and corrupt
// records (the reader skips ahead to the next record or gzip member and
// goes on). Bad input never panics and never stops the stream; only the
// callback's error or an I/O error from the underlying reader does.
//
// The reader is our own rather than github.com/internetarchive/gowarc's
// (which the tests use to write fixtures and to cross-check): gowarc's
// reader buffers a header line without bound (a corrupt 50 MB line costs
// 270 MB of allocations), copies every record block into a spooled
// temporary file (to disk past 1 MiB) before the caller can decide to
// skip it, accepts any first line as the WARC version, and reads its
// buffer sizes from environment variables.
//
// Cost: memory is bounded by the payload cap (Options.MaxBody, 8 MiB by
// default, for the one payload in flight and its decoded copy) plus
// fixed buffers of a few hundred KiB, whatever the size of the archive;
// time is dominated by gzip decompression.
package warc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Version support. WARC versions this reader accepts:
//
//	WARC/0.17, WARC/0.18: pre-standard drafts, still found in old crawls.
//	WARC/1.0: ISO 28500:2009.
//	WARC/1.1: ISO 28500:2017.
//
// Records of any other version are counted in Stats.Unsupported and
// skipped.
var versions = map[string]bool{"WARC/0.17": true, "WARC/0.18": true, "WARC/1.0": true, "WARC/1.1": true}

// Limits on record headers; a record past them is corrupt.
const (
	maxLine        = 64 << 10 // one header line
	maxHeaderBytes = 1 << 20  // all header lines of one record
	maxBlankLines  = 64       // blank lines tolerated between records
)

// DefaultMaxBody caps a record's payload when Options.MaxBody is zero. It
// matches the extractor's default input cap (extract.DefaultMaxBytes).
const DefaultMaxBody = 8 << 20

// httpHeaderAllowance is room for the HTTP status line and headers in a
// response record's block on top of the payload cap.
const httpHeaderAllowance = 256 << 10

// ErrNotWARC: the input starts with neither a gzip member nor "WARC/".
var ErrNotWARC = errors.New("not a WARC file")

// Page is one HTML page from a WARC archive.
type Page struct {
	URL         string    // WARC-Target-URI
	Date        time.Time // WARC-Date: when the page was captured
	ContentType string    // media type of the payload, without parameters
	Charset     string    // charset parameter of the HTTP Content-Type, "" if none
	// Body is the HTML payload, with transfer and content encodings
	// undone. It is only valid during the callback: the reader reuses
	// the buffer for the next record.
	Body     []byte
	RecordID string // WARC-Record-ID
	// Offset is where the record starts in the input: for .warc.gz the
	// start of the gzip member holding it (as CDX indexes give it), for
	// .warc the start of the record.
	Offset int64
}

// Stats counts the records read, by kind.
type Stats struct {
	Records     int64 // records whose header was read
	Responses   int64 // WARC-Type response
	Resources   int64 // WARC-Type resource
	HTML        int64 // pages handed to the callback
	NonHTML     int64 // responses and resources whose payload is not HTML
	NotOK       int64 // responses with an HTTP status other than 2xx
	Revisits    int64 // WARC-Type revisit (deduplicated captures, no payload)
	Requests    int64 // WARC-Type request
	Metadata    int64 // WARC-Type metadata
	Other       int64 // warcinfo, conversion, continuation, unknown types
	Unsupported int64 // records of an unknown WARC version, skipped
	Oversize    int64 // payloads over the cap, skipped
	Truncated   int64 // records cut short by the end of the input
	Corrupt     int64 // unparsable records or gzip members, and undecodable payloads
	Bytes       int64 // input bytes consumed
}

// Options configure Read. The zero value gives the defaults.
type Options struct {
	// MaxBody caps a payload's size, before and after decoding; larger
	// payloads are skipped and counted in Stats.Oversize. 0 means
	// DefaultMaxBody.
	MaxBody int64
	// Logger receives debug records about skipped and corrupt records;
	// nil discards.
	Logger *slog.Logger
}

// Read streams the HTML pages of a WARC archive to fn with the default
// options. See ReadWith.
func Read(r io.Reader, fn func(Page) error) (Stats, error) {
	return ReadWith(r, Options{}, fn)
}

// ReadWith streams the HTML pages of a WARC archive (.warc or .warc.gz,
// told apart by content) to fn, in input order, and returns the counts of
// all records read. It stops early only when fn returns an error, which
// it returns wrapped, or when the underlying reader fails; corrupt and
// truncated records are counted, not returned. An input that is neither
// gzip nor WARC fails with ErrNotWARC; an empty input yields no pages and
// no error.
func ReadWith(r io.Reader, opts Options, fn func(Page) error) (Stats, error) {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cr := &countingReader{r: r}
	rd := &reader{opts: opts, log: log, fn: fn, cr: cr, src: bufio.NewReaderSize(cr, 256<<10)}
	err := rd.run()
	rd.stats.Bytes = rd.pos()
	return rd.stats, err
}

// Sniff reports whether head, the first bytes of a file (512 or more),
// starts a WARC archive: "WARC/" in the clear, or behind a gzip member
// header.
func Sniff(head []byte) bool {
	if bytes.HasPrefix(head, []byte("WARC/")) {
		return true
	}
	if !validGzipHeader(head) {
		return false
	}
	zr, err := gzip.NewReader(bytes.NewReader(head))
	if err != nil {
		return false
	}
	var b [5]byte
	n, _ := io.ReadFull(zr, b[:])
	return string(b[:n]) == "WARC/"
}

// countingReader counts the bytes read from the input.
type countingReader struct {
	r   io.Reader
	n   int64
	err error // first non-EOF error of the input
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// reader holds the state of one Read.
type reader struct {
	opts  Options
	log   *slog.Logger
	fn    func(Page) error
	cr    *countingReader
	src   *bufio.Reader // buffered input
	gz    *gzip.Reader
	br    *bufio.Reader // decompressed member, in gzip mode
	stats Stats
	line  []byte // reused header line buffer
	block []byte // reused record block buffer
	dec   []byte // reused decoded payload buffer
	// resyncing is set after a corruption until a record parses again, so
	// that one damaged stretch counts once.
	resyncing bool
}

// pos returns the count of input bytes consumed.
func (rd *reader) pos() int64 { return rd.cr.n - int64(rd.src.Buffered()) }

// errStop carries the callback's error out of the record loop.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

func (rd *reader) run() error {
	head, err := rd.src.Peek(5)
	if len(head) == 0 {
		if rd.cr.err != nil {
			return fmt.Errorf("read warc: %w", rd.cr.err)
		}
		return nil // empty input
	}
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		err = rd.runGzip()
	case bytes.HasPrefix(head, []byte("WARC/")):
		err = rd.records(rd.src, -1)
	default:
		return ErrNotWARC
	}
	var stop errStop
	if errors.As(err, &stop) {
		return stop.err
	}
	if rd.cr.err != nil {
		return fmt.Errorf("read warc: %w", rd.cr.err)
	}
	return nil
}

// gzipMagic starts every gzip member (with the deflate method byte).
var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// runGzip reads gzip members one by one, each holding one record or more.
func (rd *reader) runGzip() error {
	for {
		start := rd.pos()
		if head, _ := rd.src.Peek(maxGzipHeader); len(head) > 0 && !validGzipHeader(head) {
			if len(head) < 10 {
				rd.truncated(start, "gzip header")
				return nil
			}
			rd.corrupt(start, "gzip header", errors.New("invalid gzip header"))
			if !rd.skipToMagic() {
				return nil
			}
			continue
		}
		var err error
		if rd.gz == nil {
			rd.gz, err = gzip.NewReader(rd.src)
		} else {
			err = rd.gz.Reset(rd.src)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				rd.truncated(start, "gzip header")
				return nil
			}
			rd.corrupt(start, "gzip header", err)
			if !rd.skipToMagic() {
				return nil
			}
			continue
		}
		rd.gz.Multistream(false)
		if rd.br == nil {
			rd.br = bufio.NewReaderSize(rd.gz, 64<<10)
		} else {
			rd.br.Reset(rd.gz)
		}
		err = rd.records(rd.br, start)
		var stop errStop
		if errors.As(err, &stop) {
			return err
		}
		if err != nil {
			// The member's compressed data is damaged or cut short.
			if errors.Is(err, io.ErrUnexpectedEOF) && rd.atEOF() {
				rd.truncated(start, "gzip member")
				return nil
			}
			rd.corrupt(start, "gzip member", err)
			if !rd.skipToMagic() {
				return nil
			}
		}
	}
}

// maxGzipHeader bounds the gzip member header validGzipHeader accepts
// (optional extra field, file name and comment included).
const maxGzipHeader = 64 << 10

// validGzipHeader checks the gzip member header at the start of b (RFC
// 1952): magic, deflate method, no reserved flags, and optional fields
// that end within b. Checking first keeps a damaged header from making
// the decompressor consume the members after it.
func validGzipHeader(b []byte) bool {
	if len(b) < 10 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 || b[3]&0xe0 != 0 {
		return false
	}
	flags, i := b[3], 10
	if flags&0x04 != 0 { // FEXTRA
		if i+2 > len(b) {
			return false
		}
		i += 2 + (int(b[i]) | int(b[i+1])<<8)
	}
	for _, f := range []byte{0x08, 0x10} { // FNAME, FCOMMENT: zero-terminated
		if flags&f != 0 {
			if i >= len(b) {
				return false
			}
			j := bytes.IndexByte(b[i:], 0)
			if j < 0 {
				return false
			}
			i += j + 1
		}
	}
	if flags&0x02 != 0 { // FHCRC
		i += 2
	}
	return i <= len(b)
}

// atEOF reports whether the input is exhausted.
func (rd *reader) atEOF() bool {
	_, err := rd.src.Peek(1)
	return err != nil
}

// skipToMagic discards input up to the next gzip magic number after the
// current position; false when there is none.
func (rd *reader) skipToMagic() bool {
	if _, err := rd.src.Discard(1); err != nil {
		return false
	}
	for {
		buf, err := rd.src.Peek(rd.src.Size())
		if i := bytes.Index(buf, gzipMagic); i >= 0 {
			rd.src.Discard(i)
			return true
		}
		if err != nil {
			// Fewer bytes than the buffer holds: this is the end.
			rd.src.Discard(len(buf))
			return false
		}
		// Keep the last two bytes: the magic may straddle the boundary.
		rd.src.Discard(len(buf) - len(gzipMagic) + 1)
	}
}

func (rd *reader) corrupt(offset int64, what string, err error) {
	rd.log.Debug("corrupt warc input", "offset", offset, "in", what, "err", err)
	if !rd.resyncing {
		rd.stats.Corrupt++
	}
	rd.resyncing = true
}

func (rd *reader) truncated(offset int64, what string) {
	rd.log.Debug("truncated warc record", "offset", offset, "in", what)
	rd.stats.Truncated++
}

// records reads the records in br (the plain input, or one gzip member)
// until its end. memberStart is the member's offset in gzip mode, -1 in
// plain mode. It returns a decompression error from br, or errStop.
func (rd *reader) records(br *bufio.Reader, memberStart int64) error {
	for {
		offset := memberStart
		blank := 0
		for {
			b, err := br.Peek(1)
			if err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if b[0] != '\r' && b[0] != '\n' {
				break
			}
			br.Discard(1)
			if blank++; blank > 2*maxBlankLines {
				break
			}
		}
		if memberStart < 0 {
			offset = rd.pos()
		}
		err := rd.record(br, offset)
		switch {
		case err == nil:
		case errors.Is(err, errBadRecord):
			rd.corrupt(offset, "record", err)
			if err := rd.skipToRecord(br); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		case errors.Is(err, errTruncated):
			if memberStart >= 0 && !rd.atEOF() {
				// The member ended but the input goes on: the record's
				// length was wrong, not the input cut short.
				rd.corrupt(offset, "record", err)
				return nil
			}
			rd.truncated(offset, "record")
			return nil
		default:
			return err
		}
	}
}

var (
	errBadRecord = errors.New("malformed record")
	errTruncated = errors.New("record cut short")
)

// skipToRecord discards lines until one that starts a record.
func (rd *reader) skipToRecord(br *bufio.Reader) error {
	for {
		b, err := br.Peek(5)
		if bytes.Equal(b, []byte("WARC/")) {
			return nil
		}
		if err != nil && len(b) < 5 {
			return io.EOF
		}
		if _, _, err := rd.readLine(br); err != nil {
			return err
		}
	}
}

// readLine reads one line without its CR LF. A line longer than maxLine
// is consumed whole and reported as too long, its content dropped. The
// returned slice is valid until the next call.
func (rd *reader) readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	rd.line = rd.line[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(rd.line)+len(chunk) > maxLine {
				tooLong = true
				rd.line = rd.line[:0]
			} else {
				rd.line = append(rd.line, chunk...)
			}
		}
		switch err {
		case nil:
			return bytes.TrimRight(rd.line, "\r\n"), tooLong, nil
		case bufio.ErrBufferFull:
			continue
		default:
			if err == io.EOF && (len(rd.line) > 0 || tooLong) {
				return bytes.TrimRight(rd.line, "\r\n"), tooLong, io.ErrUnexpectedEOF
			}
			return nil, tooLong, err
		}
	}
}

// header holds a record's named fields, keys lower-cased.
type header map[string]string

// record reads one record at the reader's position and handles it.
func (rd *reader) record(br *bufio.Reader, offset int64) error {
	first, tooLong, err := rd.readLine(br)
	if err != nil {
		return rd.readErr(err)
	}
	version := string(first)
	if tooLong || !strings.HasPrefix(version, "WARC/") {
		return fmt.Errorf("%w: first line %.40q", errBadRecord, version)
	}
	h := header{}
	total, last := 0, ""
	for {
		line, tooLong, err := rd.readLine(br)
		if err != nil {
			return rd.readErr(err)
		}
		if total += len(line) + 2; tooLong || total > maxHeaderBytes {
			return fmt.Errorf("%w: header too long", errBadRecord)
		}
		if len(line) == 0 {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			h[last] += " " + strings.TrimSpace(string(line)) // folded line
			continue
		}
		k, v, ok := strings.Cut(string(line), ":")
		if !ok {
			return fmt.Errorf("%w: header line %.40q", errBadRecord, line)
		}
		last = strings.ToLower(strings.TrimSpace(k))
		h[last] = strings.TrimSpace(v)
	}
	length, err := strconv.ParseInt(h["content-length"], 10, 64)
	if err != nil || length < 0 {
		return fmt.Errorf("%w: content-length %q", errBadRecord, h["content-length"])
	}
	rd.stats.Records++
	rd.resyncing = false

	kind := strings.ToLower(h["warc-type"])
	if !versions[version] {
		rd.stats.Unsupported++
		kind = "" // skip whatever it is
	}
	want := false
	switch kind {
	case "":
	case "response":
		rd.stats.Responses++
		want = true
	case "resource":
		rd.stats.Resources++
		want = true
	case "revisit":
		rd.stats.Revisits++
	case "request":
		rd.stats.Requests++
	case "metadata":
		rd.stats.Metadata++
	default:
		rd.stats.Other++
	}
	oversize := want && length > rd.opts.MaxBody+httpHeaderAllowance
	if !want || oversize {
		if err := discard(br, length); err != nil {
			return rd.readErr(err)
		}
		if oversize {
			rd.stats.Oversize++ // counted once whole: a cut record is truncated
		}
		return rd.endOfRecord(br)
	}
	if int64(cap(rd.block)) < length {
		rd.block = make([]byte, length)
	}
	rd.block = rd.block[:length]
	if _, err := io.ReadFull(br, rd.block); err != nil {
		return rd.readErr(err)
	}
	if err := rd.endOfRecord(br); err != nil {
		return err
	}
	return rd.payload(kind, h, offset)
}

// readErr classifies an error met inside a record: the end of the stream
// means the record was cut short; other errors (decompression) pass on.
func (rd *reader) readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if rd.cr.err != nil {
			return rd.cr.err
		}
		return fmt.Errorf("%w: %w", errTruncated, err)
	}
	return err
}

// endOfRecord consumes the CR LF CR LF that ends a record, leniently: any
// run of up to four CR and LF bytes.
func (rd *reader) endOfRecord(br *bufio.Reader) error {
	for range 4 {
		b, err := br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if b[0] != '\r' && b[0] != '\n' {
			return nil
		}
		br.Discard(1)
	}
	return nil
}

// discard skips n bytes of br.
func discard(br *bufio.Reader, n int64) error {
	for n > 0 {
		step := int(min(n, 1<<30))
		d, err := br.Discard(step)
		n -= int64(d)
		if err != nil {
			return err
		}
	}
	return nil
}
