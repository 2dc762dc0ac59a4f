// Package store defines where wiretrace keeps articles and the engine's
// derived state between runs: the Store interface that every backend
// implements, the Record it holds, and the versioned binary envelope a
// backend writes for each record.
//
// Backends live in sub-packages: store/mem (in memory, nothing survives
// Close), store/pebble (one local data directory) and store/postgres (a
// PostgreSQL database shared by several processes). store/backend opens one
// of them from a URL; store/storetest is the conformance suite they all pass.
//
// Costs: a stored record takes about the size of its encoded envelope
// (EncodedSize: the article's text fields, the state and ~20 bytes of framing)
// before the backend's own compression. Every Put and Delete is durable when
// it returns, so a call costs at least one fsync or commit; put records in
// batches to amortise it.
package store

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace"
)

// Record is one article and the engine's derived state for it.
type Record struct {
	Article wiretrace.Article // as ingested (Text kept; HTML may be dropped by the engine)
	Seq     uint64            // insertion sequence assigned by the store on Put (monotonic, never reused)
	State   []byte            // engine's encoded per-article state (sketches etc.), opaque to the store
}

// Store keeps Records by Article.ID and small named values (meta). All
// implementations are safe for concurrent use by many goroutines.
//
// Seq: Put gives every record it stores a Seq greater than any Seq the store
// has handed out before, in argument order, also across Close and reopen; a
// Seq is never reused, not even after Delete. Concurrent Puts are ordered:
// once a reader has seen a record with Seq n it will never later find a new
// record with a smaller Seq.
//
// IDs and meta keys are non-empty valid UTF-8 without NUL bytes, at most
// MaxIDLen and MaxMetaKeyLen bytes; Put and SetMeta reject others with
// ErrInvalid, and Get, Delete and GetMeta report them as ErrNotFound (no such
// record can exist).
//
// Every method checks ctx first and returns ctx.Err() (wrapped) when it is
// done, without side effects. After Close, methods return ErrClosed, and
// Close itself returns nil.
type Store interface {
	// Put stores recs durably (fsync/commit) before returning; a record with an existing ID replaces it
	// (gets a new Seq). Assigns Seq to each rec. Atomic per call.
	Put(ctx context.Context, recs ...*Record) error
	Get(ctx context.Context, id string) (*Record, error)    // ErrNotFound when absent
	Delete(ctx context.Context, id string) error            // ErrNotFound when absent
	Scan(ctx context.Context, fn func(*Record) error) error // all records in Seq order; fn's error stops and is returned
	Len(ctx context.Context) (int, error)
	// SetMeta/GetMeta: small named values (e.g. the engine's format version, options hash). GetMeta on a missing key returns ErrNotFound.
	SetMeta(ctx context.Context, key string, value []byte) error
	GetMeta(ctx context.Context, key string) ([]byte, error)
	Close() error
}

// Sentinel errors. Backends wrap them, so test with errors.Is.
var (
	// ErrNotFound: no record with that ID, or no meta value with that key.
	ErrNotFound = errors.New("store: not found")
	// ErrInvalid: a nil record, or an ID, meta key or record size outside the limits.
	ErrInvalid = errors.New("store: invalid argument")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnsupportedVersion: data written in a format (record envelope, data
	// directory layout or database schema) this program does not know,
	// usually by a newer wiretrace.
	ErrUnsupportedVersion = errors.New("store: unsupported format version")
	// ErrCorrupt: stored bytes that fail their checksum or do not parse.
	ErrCorrupt = errors.New("store: corrupt data")
)

// Limits every backend enforces.
const (
	// MaxIDLen is the longest Article.ID, in bytes. PostgreSQL's B-tree index
	// cannot hold keys much over 2 KB; 1 KB leaves room.
	MaxIDLen = 1024
	// MaxMetaKeyLen is the longest meta key, in bytes.
	MaxMetaKeyLen = 256
	// MaxRecordSize is the largest encoded record (EncodedSize), in bytes: far
	// above any real article, low enough that one bad input cannot exhaust memory.
	MaxRecordSize = 64 << 20
)

// ValidID reports whether id can name a record: non-empty, valid UTF-8, no
// NUL byte, at most MaxIDLen bytes.
func ValidID(id string) bool { return validName(id, MaxIDLen) }

// ValidMetaKey reports whether key can name a meta value: non-empty, valid
// UTF-8, no NUL byte, at most MaxMetaKeyLen bytes.
func ValidMetaKey(key string) bool { return validName(key, MaxMetaKeyLen) }

func validName(s string, max int) bool {
	if s == "" || len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}

// CheckRecords returns an error wrapping ErrInvalid for the first record a
// backend must refuse: nil, an invalid ID, or an encoding over MaxRecordSize.
func CheckRecords(recs []*Record) error {
	for i, r := range recs {
		if r == nil {
			return fmt.Errorf("record %d is nil: %w", i, ErrInvalid)
		}
		if !ValidID(r.Article.ID) {
			return fmt.Errorf("record %d: id %q is empty, too long, not UTF-8 or has NUL: %w", i, truncate(r.Article.ID, 64), ErrInvalid)
		}
		if n := EncodedSize(r); n > MaxRecordSize {
			return fmt.Errorf("record %q: %d bytes encoded, limit %d: %w", truncate(r.Article.ID, 64), n, MaxRecordSize, ErrInvalid)
		}
	}
	return nil
}

// CheckMetaKey returns an error wrapping ErrInvalid when key is not a valid meta key.
func CheckMetaKey(key string) error {
	if !ValidMetaKey(key) {
		return fmt.Errorf("meta key %q is empty, too long, not UTF-8 or has NUL: %w", truncate(key, 64), ErrInvalid)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Clone returns a deep copy of r (strings are shared, slices copied), or nil for nil.
func (r *Record) Clone() *Record {
	if r == nil {
		return nil
	}
	c := *r
	if r.Article.Credits != nil {
		c.Article.Credits = append([]string(nil), r.Article.Credits...)
	}
	if len(r.State) > 0 {
		c.State = append([]byte(nil), r.State...)
	} else {
		c.State = nil
	}
	return &c
}
