// Package mem is an in-memory store.Store for tests and one-shot runs such as
// `wiretrace analyze`: nothing is written anywhere and everything is lost on
// Close.
//
// Costs: each record holds a copy of its Credits and State and shares the
// caller's strings, so memory is about the article's text plus ~150 bytes.
// Put and Delete are O(records in the call); Scan copies the list of records
// (8 bytes each) under a read lock, then calls fn without holding any lock.
package mem

import (
	"context"
	"fmt"
	"sync"

	"github.com/wiretrace/wiretrace/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
// It is safe for concurrent use.
type Store struct {
	mu     sync.RWMutex
	closed bool
	seq    uint64            // last Seq handed out
	byID   map[string]*entry // current record per ID
	bySeq  []*entry          // in Seq order; nil where replaced or deleted
	dead   int               // nil slots in bySeq
	meta   map[string][]byte // meta values, owned copies
}

// entry is one stored record; rec is never modified after Put, so readers may
// hold it without a lock.
type entry struct {
	rec *store.Record
	pos int // index in bySeq
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{byID: map[string]*entry{}, meta: map[string][]byte{}}
}

// Put implements store.Store. Records are copied; later changes to recs do
// not affect the store.
func (s *Store) Put(ctx context.Context, recs ...*store.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := store.CheckRecords(recs); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	copies := make([]*store.Record, len(recs))
	for i, r := range recs {
		copies[i] = r.Clone()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("put: %w", store.ErrClosed)
	}
	for _, c := range copies {
		s.seq++
		c.Seq = s.seq
		if old, ok := s.byID[c.Article.ID]; ok {
			s.drop(old)
		}
		e := &entry{rec: c, pos: len(s.bySeq)}
		s.bySeq = append(s.bySeq, e)
		s.byID[c.Article.ID] = e
	}
	for i, c := range copies {
		recs[i].Seq = c.Seq
	}
	s.compact()
	return nil
}

// drop removes e from bySeq; the caller updates byID.
func (s *Store) drop(e *entry) {
	s.bySeq[e.pos] = nil
	s.dead++
}

// compact removes nil slots from bySeq once they are the majority, so
// memory stays within twice the live records and Scan stays O(live).
func (s *Store) compact() {
	if s.dead < 64 || s.dead*2 < len(s.bySeq) {
		return
	}
	live := make([]*entry, 0, len(s.bySeq)-s.dead)
	for _, e := range s.bySeq {
		if e != nil {
			e.pos = len(live)
			live = append(live, e)
		}
	}
	s.bySeq, s.dead = live, 0
}

// Get implements store.Store. The returned record is the caller's to modify.
func (s *Store) Get(ctx context.Context, id string) (*store.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("get %q: %w", id, store.ErrClosed)
	}
	e, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("get %q: %w", id, store.ErrNotFound)
	}
	return e.rec.Clone(), nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("delete %q: %w", id, store.ErrClosed)
	}
	e, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("delete %q: %w", id, store.ErrNotFound)
	}
	s.drop(e)
	delete(s.byID, id)
	s.compact()
	return nil
}

// Scan implements store.Store. It sees the records present when it starts;
// fn may call any method of s except Close.
func (s *Store) Scan(ctx context.Context, fn func(*store.Record) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("scan: %w", store.ErrClosed)
	}
	snap := make([]*store.Record, 0, len(s.byID))
	for _, e := range s.bySeq {
		if e != nil {
			snap = append(snap, e.rec)
		}
	}
	s.mu.RUnlock()
	for _, r := range snap {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		if err := fn(r.Clone()); err != nil {
			return err
		}
	}
	return nil
}

// Len implements store.Store.
func (s *Store) Len(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("len: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, fmt.Errorf("len: %w", store.ErrClosed)
	}
	return len(s.byID), nil
}

// SetMeta implements store.Store. The value is copied.
func (s *Store) SetMeta(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	if err := store.CheckMetaKey(key); err != nil {
		return fmt.Errorf("set meta: %w", err)
	}
	v := append([]byte{}, value...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("set meta %q: %w", key, store.ErrClosed)
	}
	s.meta[key] = v
	return nil
}

// GetMeta implements store.Store. The returned slice is the caller's.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get meta %q: %w", key, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("get meta %q: %w", key, store.ErrClosed)
	}
	v, ok := s.meta[key]
	if !ok {
		return nil, fmt.Errorf("get meta %q: %w", key, store.ErrNotFound)
	}
	return append([]byte{}, v...), nil
}

// Close implements store.Store: it drops all data. Closing twice returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.byID, s.bySeq, s.meta = nil, nil, nil
	return nil
}
