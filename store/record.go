package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"time"
)

// RecordFormat is the version of the record envelope EncodeRecord writes.
// DecodeRecord reads only the versions listed here and refuses others with
// ErrUnsupportedVersion.
//
// Changelog:
//
//	1: first version. One version byte, then every Article field in
//	   declaration order (strings as uvarint length + bytes; times as a kind
//	   byte 0=zero, 1=UTC, 2=fixed zone with varint offset seconds and
//	   abbreviation, then varint Unix seconds and uvarint nanoseconds;
//	   Credits as a uvarint count of strings), then State (uvarint length +
//	   bytes), then a little-endian CRC-32C of everything before it. Seq is
//	   not in the envelope: backends keep it in their key or column.
const RecordFormat = 1

// recordOverhead bounds the framing of an envelope besides its field
// contents: version, checksum, 14 length/count uvarints and two times.
const recordOverhead = 1 + 4 + 14*binary.MaxVarintLen64 + 2*(1+3*binary.MaxVarintLen64)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// EncodedSize returns an upper bound on len(EncodeRecord(r)) without
// encoding: at most ~200 bytes, plus 9 per credit, above the real length.
func EncodedSize(r *Record) int {
	a := &r.Article
	n := recordOverhead + len(a.ID) + len(a.Title) + len(a.URL) + len(a.Source) + len(a.Lang) +
		len(a.Byline) + len(a.Dateline) + len(a.Text) + len(a.HTML) + len(a.Origin) + len(r.State) +
		zoneNameLen(a.Published) + zoneNameLen(a.Updated)
	for _, c := range a.Credits {
		n += binary.MaxVarintLen64 + len(c)
	}
	return n
}

func zoneNameLen(t time.Time) int {
	name, _ := t.Zone()
	return len(name)
}

// EncodeRecord returns r's envelope in format RecordFormat. r.Seq is not encoded.
func EncodeRecord(r *Record) []byte {
	return AppendRecord(make([]byte, 0, EncodedSize(r)), r)
}

// AppendRecord appends r's envelope in format RecordFormat to dst and returns
// the extended slice. r.Seq is not encoded.
func AppendRecord(dst []byte, r *Record) []byte {
	start := len(dst)
	a := &r.Article
	b := append(dst, RecordFormat)
	b = appendString(b, a.ID)
	b = appendString(b, a.Title)
	b = appendString(b, a.URL)
	b = appendString(b, a.Source)
	b = appendTime(b, a.Published)
	b = appendTime(b, a.Updated)
	b = appendString(b, a.Lang)
	b = appendString(b, a.Byline)
	b = appendString(b, a.Dateline)
	b = binary.AppendUvarint(b, uint64(len(a.Credits)))
	for _, c := range a.Credits {
		b = appendString(b, c)
	}
	b = appendString(b, a.Text)
	b = appendString(b, a.HTML)
	b = appendString(b, a.Origin)
	b = binary.AppendUvarint(b, uint64(len(r.State)))
	b = append(b, r.State...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Time kinds in the envelope.
const (
	timeZero  = 0
	timeUTC   = 1
	timeFixed = 2
)

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, timeZero)
	}
	if t.Location() == time.UTC {
		b = append(b, timeUTC)
	} else {
		name, offset := t.Zone()
		b = append(b, timeFixed)
		b = binary.AppendVarint(b, int64(offset))
		b = appendString(b, name)
	}
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// DecodeRecord parses an envelope written by EncodeRecord. The returned
// record has Seq 0 (the caller sets it), nil Credits and State when they were
// empty, and times in a fixed zone with the stored offset and abbreviation
// (a named location such as Europe/Moscow comes back as a fixed zone "MSK"
// +03:00; UTC stays time.UTC). It refuses unknown versions with
// ErrUnsupportedVersion and damaged input with ErrCorrupt; it never panics.
// The record shares no memory with data.
func DecodeRecord(data []byte) (*Record, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("decode record: empty: %w", ErrCorrupt)
	}
	if v := data[0]; v != RecordFormat {
		return nil, fmt.Errorf("decode record: format version %d, this program reads %d: %w", v, RecordFormat, ErrUnsupportedVersion)
	}
	if len(data) < 5 {
		return nil, fmt.Errorf("decode record: %d bytes, too short: %w", len(data), ErrCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, fmt.Errorf("decode record: checksum %08x, want %08x: %w", got, sum, ErrCorrupt)
	}
	d := decoder{b: body[1:]}
	r := &Record{}
	a := &r.Article
	a.ID = d.string()
	a.Title = d.string()
	a.URL = d.string()
	a.Source = d.string()
	a.Published = d.time()
	a.Updated = d.time()
	a.Lang = d.string()
	a.Byline = d.string()
	a.Dateline = d.string()
	if n := d.uvarint(); n > 0 && d.err == nil {
		// Each credit takes at least one byte, so a count above the bytes
		// left is damage, not a reason to allocate.
		if n > uint64(len(d.b)) {
			d.fail("credits count %d exceeds %d bytes left", n, len(d.b))
		} else {
			a.Credits = make([]string, n)
			for i := range a.Credits {
				a.Credits[i] = d.string()
			}
		}
	}
	a.Text = d.string()
	a.HTML = d.string()
	a.Origin = d.string()
	if st := d.bytes(); len(st) > 0 {
		r.State = append([]byte(nil), st...)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("decode record: %w", d.err)
	}
	return r, nil
}

// decoder reads envelope fields; after the first error every read returns
// the zero value and err keeps the first error.
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

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("field length %d exceeds %d bytes left", n, len(d.b))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail("unexpected end")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) time() time.Time {
	var loc *time.Location
	switch kind := d.byte(); kind {
	case timeZero:
		return time.Time{}
	case timeUTC:
		loc = time.UTC
	case timeFixed:
		offset := d.varint()
		name := d.string()
		// Real offsets are within ±26 hours; anything else is damage.
		if offset < -26*3600 || offset > 26*3600 {
			d.fail("zone offset %d s out of range", offset)
			return time.Time{}
		}
		loc = time.FixedZone(name, int(offset))
	default:
		d.fail("unknown time kind %d", kind)
		return time.Time{}
	}
	sec := d.varint()
	nsec := d.uvarint()
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 || sec == math.MinInt64 {
		d.fail("time %d.%d out of range", sec, nsec)
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec)).In(loc)
	if t.IsZero() {
		// The encoder writes the zero instant as timeZero only.
		d.fail("zero time with a zone")
		return time.Time{}
	}
	return t
}
