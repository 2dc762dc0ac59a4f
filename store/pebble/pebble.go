// Package pebble is a store.Store in one local data directory, on the Pebble
// LSM key-value engine (github.com/cockroachdb/pebble/v2). One process at a
// time may open a directory (Pebble holds a lock file).
//
// Layout (LayoutVersion 1): every key starts with a prefix naming its kind
// and the layout version, so a later layout can live beside this one during a
// migration.
//
//	x/format        LayoutVersion, decimal ASCII (checked on open)
//	x/seq           last Seq handed out, 8 bytes big-endian (a high-water mark
//	                that survives deleting the newest record)
//	r1/<seq>        record envelope (store.EncodeRecord), seq 8 bytes big-endian
//	i1/<id>         seq of the record with that ID, 8 bytes big-endian
//	m1/<key>        meta value
//
// Scan reads r1/ in key order, which is Seq order, so a full scan is one
// sequential pass over the data; Get costs two point reads.
//
// Costs: Put, Delete and SetMeta each wait for one WAL fsync; concurrent calls
// share fsyncs (Pebble's group commit), so many goroutines putting single
// records get far more than 1/fsync-latency puts per second, and one Put of
// 100 records costs about one fsync. On disk a record takes about its
// envelope (Snappy-compressed in tables) plus ~60 bytes of keys. Memory: Pebble's
// 8 MB block cache and up to two 4 MB memtables, plus the records of the Put
// in flight.
package pebble

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"

	pebbledb "github.com/cockroachdb/pebble/v2"

	"github.com/wiretrace/wiretrace/store"
)

// LayoutVersion is the version of the key layout described in the package
// comment, kept under x/format. Open refuses directories with another version.
//
// Changelog:
//
//	1: first version: x/format, x/seq, r1/<seq>, i1/<id>, m1/<key>.
const LayoutVersion = 1

// pebbleFormat pins Pebble's own on-disk format, so upgrading the Pebble
// library never silently rewrites a data directory into a format an older
// wiretrace cannot read. Raise it deliberately.
const pebbleFormat = pebbledb.FormatValueSeparation

// ErrNotStore is returned by Open for a directory that holds something other
// than a wiretrace store.
var ErrNotStore = errors.New("pebble: not a wiretrace store")

var (
	keyFormat    = []byte("x/format")
	keySeq       = []byte("x/seq")
	prefixRecord = []byte("r1/")
	prefixID     = []byte("i1/")
	prefixMeta   = []byte("m1/")
)

// Store is a store.Store in a Pebble data directory. It is safe for
// concurrent use. Scan's fn may call any method except Close.
type Store struct {
	db  *pebbledb.DB
	dir string
	log *slog.Logger

	// writeMu orders writes to records: it is held while a Put or Delete
	// reads the ID index, assigns Seqs and applies its batch, and released
	// before the fsync wait, so concurrent writers share fsyncs while their
	// batches become visible in Seq order.
	writeMu sync.Mutex
	seq     uint64 // last Seq handed out; guarded by writeMu
	count   int64  // records stored; guarded by writeMu, read under countMu
	countMu sync.RWMutex

	// Lifecycle: Close waits for calls in flight, then closes db.
	mu     sync.Mutex
	idle   *sync.Cond
	active int
	closed bool
}

var _ store.Store = (*Store)(nil)

// Open opens the store in dir, creating dir and an empty store when dir does
// not exist or is empty. It fails with ErrNotStore when dir holds other
// files or another Pebble database, and with store.ErrUnsupportedVersion when
// the store was written with a layout this program does not know. logger
// receives Pebble's messages (info at Debug level); nil discards them.
func Open(dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	opts := &pebbledb.Options{
		FormatMajorVersion: pebbleFormat,
		Logger:             pebbleLogger{logger},
	}
	db, err := pebbledb.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, log: logger}
	s.idle = sync.NewCond(&s.mu)
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	logger.Debug("store opened", "dir", dir, "records", s.count, "seq", s.seq)
	return s, nil
}

// checkDir refuses a directory that has files but no Pebble files, so a
// mistyped path (a home directory, a corpus folder) is not filled with
// database files.
func checkDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read dir: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	for _, e := range entries {
		n := e.Name()
		if n == "LOCK" || n == "CURRENT" || strings.HasPrefix(n, "MANIFEST-") ||
			strings.HasPrefix(n, "OPTIONS-") || strings.HasPrefix(n, "marker.") {
			return nil
		}
	}
	return fmt.Errorf("directory has %d entries (e.g. %q) but no Pebble database: %w", len(entries), entries[0].Name(), ErrNotStore)
}

// init checks or writes the layout version and loads the Seq high-water mark
// and the record count.
func (s *Store) init() error {
	v, err := s.get(keyFormat)
	switch {
	case errors.Is(err, pebbledb.ErrNotFound):
		empty, err := s.isEmpty()
		if err != nil {
			return err
		}
		if !empty {
			return fmt.Errorf("pebble database has keys but no %s: %w", keyFormat, ErrNotStore)
		}
		b := s.db.NewBatch()
		defer b.Close()
		b.Set(keyFormat, []byte(strconv.Itoa(LayoutVersion)), nil)
		b.Set(keySeq, seqBytes(0), nil)
		if err := b.Commit(pebbledb.Sync); err != nil {
			return fmt.Errorf("write layout version: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read layout version: %w", err)
	}
	if ver, err := strconv.Atoi(string(v)); err != nil || ver != LayoutVersion {
		return fmt.Errorf("data layout version %q, this program reads %d: %w", v, LayoutVersion, store.ErrUnsupportedVersion)
	}
	v, err = s.get(keySeq)
	if err != nil {
		return fmt.Errorf("read %s: %w", keySeq, err)
	}
	if len(v) != 8 {
		return fmt.Errorf("%s is %d bytes, want 8: %w", keySeq, len(v), store.ErrCorrupt)
	}
	s.seq = binary.BigEndian.Uint64(v)
	// The high-water mark is written in the same batch as every record, so
	// no record can be above it; check rather than trust.
	last, err := s.lastRecordSeq()
	if err != nil {
		return err
	}
	if last > s.seq {
		return fmt.Errorf("record Seq %d above high-water mark %d: %w", last, s.seq, store.ErrCorrupt)
	}
	n, err := s.countPrefix(prefixID)
	if err != nil {
		return err
	}
	s.count = n
	return nil
}

// get returns a copy of key's value.
func (s *Store) get(key []byte) ([]byte, error) {
	v, closer, err := s.db.Get(key)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return append([]byte{}, v...), nil
}

func (s *Store) isEmpty() (bool, error) {
	it, err := s.db.NewIter(nil)
	if err != nil {
		return false, err
	}
	defer it.Close()
	return !it.First(), it.Error()
}

func (s *Store) lastRecordSeq() (uint64, error) {
	it, err := s.db.NewIter(prefixBounds(prefixRecord))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return 0, it.Error()
	}
	return seqFromRecordKey(it.Key())
}

func (s *Store) countPrefix(prefix []byte) (int64, error) {
	it, err := s.db.NewIter(prefixBounds(prefix))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	var n int64
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n, it.Error()
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// begin registers a call in flight; it fails once the store is closed.
func (s *Store) begin() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.active++
	return nil
}

func (s *Store) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.active == 0 {
		s.idle.Broadcast()
	}
}

// Put implements store.Store. Records become visible to other goroutines as
// their batch is applied, a moment before the fsync that Put waits for.
func (s *Store) Put(ctx context.Context, recs ...*store.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := store.CheckRecords(recs); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	if err := s.begin(); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	defer s.end()
	// Encode outside the lock; only the index reads and the apply are serial.
	b := s.db.NewBatch()
	defer b.Close()
	values := make([][]byte, len(recs))
	for i, r := range recs {
		values[i] = store.EncodeRecord(r)
	}
	seqs := make([]uint64, len(recs))
	if err := s.apply(b, func() (int64, error) {
		pending := make(map[string]uint64, len(recs))
		next, added := s.seq, int64(0)
		for i, r := range recs {
			next++
			id := r.Article.ID
			old, ok := pending[id]
			if !ok {
				var err error
				if old, ok, err = s.lookup(id); err != nil {
					return 0, err
				}
				if !ok {
					added++
				}
			}
			if ok {
				b.Delete(recordKey(old), nil)
			}
			b.Set(recordKey(next), values[i], nil)
			b.Set(idKey(id), seqBytes(next), nil)
			pending[id] = next
			seqs[i] = next
		}
		b.Set(keySeq, seqBytes(next), nil)
		s.seq = next
		return added, nil
	}); err != nil {
		return fmt.Errorf("put %d records: %w", len(recs), err)
	}
	for i, r := range recs {
		r.Seq = seqs[i]
	}
	return nil
}

// apply runs build under writeMu to fill b, applies b, and waits for its
// fsync after releasing writeMu. build returns the change in record count.
func (s *Store) apply(b *pebbledb.Batch, build func() (int64, error)) error {
	s.writeMu.Lock()
	savedSeq := s.seq
	delta, err := build()
	if err == nil {
		err = s.db.ApplyNoSyncWait(b, pebbledb.Sync)
	}
	if err != nil {
		s.seq = savedSeq
		s.writeMu.Unlock()
		return err
	}
	s.countMu.Lock()
	s.count += delta
	s.countMu.Unlock()
	s.writeMu.Unlock()
	if err := b.SyncWait(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// lookup returns the Seq the ID index holds for id.
func (s *Store) lookup(id string) (uint64, bool, error) {
	v, closer, err := s.db.Get(idKey(id))
	if errors.Is(err, pebbledb.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read index for %q: %w", id, err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, false, fmt.Errorf("index for %q is %d bytes, want 8: %w", id, len(v), store.ErrCorrupt)
	}
	return binary.BigEndian.Uint64(v), true, nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, id string) (*store.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	if err := s.begin(); err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	defer s.end()
	if !store.ValidID(id) {
		return nil, fmt.Errorf("get %q: %w", id, store.ErrNotFound)
	}
	// Both reads from one snapshot, so a concurrent replace cannot move the
	// record between them.
	snap := s.db.NewSnapshot()
	defer snap.Close()
	v, closer, err := snap.Get(idKey(id))
	if errors.Is(err, pebbledb.ErrNotFound) {
		return nil, fmt.Errorf("get %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	if len(v) != 8 {
		closer.Close()
		return nil, fmt.Errorf("get %q: index value is %d bytes, want 8: %w", id, len(v), store.ErrCorrupt)
	}
	seq := binary.BigEndian.Uint64(v)
	closer.Close()
	v, closer, err = snap.Get(recordKey(seq))
	if errors.Is(err, pebbledb.ErrNotFound) {
		return nil, fmt.Errorf("get %q: index points at missing record %d: %w", id, seq, store.ErrCorrupt)
	}
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	defer closer.Close()
	r, err := store.DecodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("get %q: record %d: %w", id, seq, err)
	}
	if r.Article.ID != id {
		return nil, fmt.Errorf("get %q: record %d holds ID %q: %w", id, seq, r.Article.ID, store.ErrCorrupt)
	}
	r.Seq = seq
	return r, nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	if err := s.begin(); err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	defer s.end()
	if !store.ValidID(id) {
		return fmt.Errorf("delete %q: %w", id, store.ErrNotFound)
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := s.apply(b, func() (int64, error) {
		seq, ok, err := s.lookup(id)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, store.ErrNotFound
		}
		b.Delete(recordKey(seq), nil)
		b.Delete(idKey(id), nil)
		return -1, nil
	}); err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	return nil
}

// Scan implements store.Store. It reads from a consistent snapshot taken when
// it starts.
func (s *Store) Scan(ctx context.Context, fn func(*store.Record) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if err := s.begin(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer s.end()
	it, err := s.db.NewIter(prefixBounds(prefixRecord))
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		seq, err := seqFromRecordKey(it.Key())
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("scan: record %d: %w", seq, err)
		}
		r, err := store.DecodeRecord(v)
		if err != nil {
			return fmt.Errorf("scan: record %d: %w", seq, err)
		}
		r.Seq = seq
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	return nil
}

// Len implements store.Store in O(1): the count is kept in memory, loaded on
// open by counting the ID index.
func (s *Store) Len(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("len: %w", err)
	}
	if err := s.begin(); err != nil {
		return 0, fmt.Errorf("len: %w", err)
	}
	defer s.end()
	s.countMu.RLock()
	defer s.countMu.RUnlock()
	return int(s.count), nil
}

// SetMeta implements store.Store; the write is synced before it returns.
func (s *Store) SetMeta(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	if err := store.CheckMetaKey(key); err != nil {
		return fmt.Errorf("set meta: %w", err)
	}
	if err := s.begin(); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	defer s.end()
	if err := s.db.Set(metaKey(key), value, pebbledb.Sync); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	return nil
}

// GetMeta implements store.Store.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get meta %q: %w", key, err)
	}
	if err := s.begin(); err != nil {
		return nil, fmt.Errorf("get meta %q: %w", key, err)
	}
	defer s.end()
	if !store.ValidMetaKey(key) {
		return nil, fmt.Errorf("get meta %q: %w", key, store.ErrNotFound)
	}
	v, err := s.get(metaKey(key))
	if errors.Is(err, pebbledb.ErrNotFound) {
		return nil, fmt.Errorf("get meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get meta %q: %w", key, err)
	}
	return v, nil
}

// Compact flushes the memtables and compacts all data into the lowest level,
// dropping the space of replaced and deleted records. It is not needed for
// correctness; call it after large deletions or before measuring disk usage.
func (s *Store) Compact(ctx context.Context) error {
	if err := s.begin(); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	defer s.end()
	if err := s.db.Flush(); err != nil {
		return fmt.Errorf("compact: flush: %w", err)
	}
	if err := s.db.Compact(ctx, []byte{0}, []byte{0xff}, true); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	return nil
}

// DiskUsage is how much disk a store takes, in bytes.
type DiskUsage struct {
	// Data is the live tables (and blob files): what grows with the records
	// stored. Replaced and deleted records count until compaction drops them.
	Data uint64
	// Total is everything in the directory Pebble accounts for: Data, obsolete
	// tables awaiting deletion, the WAL (Pebble keeps a few old WAL files of
	// up to ~4 MB each for reuse), manifest and options.
	Total uint64
}

// DiskUsage reports the space the data directory takes.
func (s *Store) DiskUsage() (DiskUsage, error) {
	if err := s.begin(); err != nil {
		return DiskUsage{}, fmt.Errorf("disk usage: %w", err)
	}
	defer s.end()
	m := s.db.Metrics()
	return DiskUsage{
		Data:  m.Table.Local.LiveSize + m.BlobFiles.Local.LiveSize,
		Total: m.DiskSpaceUsage(),
	}, nil
}

// Close implements store.Store: it waits for calls in flight (a Scan until
// its fn returns), then closes the database. Closing twice returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for s.active > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.dir, err)
	}
	s.log.Debug("store closed", "dir", s.dir)
	return nil
}

func seqBytes(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func recordKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefixRecord...), seq)
}

func idKey(id string) []byte { return append(append([]byte(nil), prefixID...), id...) }

func metaKey(key string) []byte { return append(append([]byte(nil), prefixMeta...), key...) }

func seqFromRecordKey(k []byte) (uint64, error) {
	if len(k) != len(prefixRecord)+8 {
		return 0, fmt.Errorf("record key %q has bad length: %w", k, store.ErrCorrupt)
	}
	return binary.BigEndian.Uint64(k[len(prefixRecord):]), nil
}

// prefixBounds returns iterator bounds covering exactly the keys with prefix
// (which must not end in 0xff).
func prefixBounds(prefix []byte) *pebbledb.IterOptions {
	upper := append([]byte(nil), prefix...)
	upper[len(upper)-1]++
	return &pebbledb.IterOptions{LowerBound: prefix, UpperBound: upper}
}

// pebbleLogger sends Pebble's messages to slog: info (flushes, compactions)
// at Debug, errors at Error. Pebble calls Fatalf on states it cannot continue
// from (a failed WAL write, corruption found mid-commit); that is logged and
// then panics, as Pebble requires Fatalf not to return.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l.Enabled(context.Background(), slog.LevelDebug) {
		p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble", "fatal", true)
	panic("pebble: " + msg)
}
