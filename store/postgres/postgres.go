// Package postgres is a store.Store in a PostgreSQL database (version 12 or
// later), for deployments where several wiretrace processes share one store.
// It uses a pgx connection pool; Open creates the schema when it is missing.
//
// Schema (SchemaVersion 1), created in the first schema of the connection's
// search_path, so several stores can share a database by setting search_path
// in the URL (postgres://…/db?search_path=team_a):
//
//	wiretrace_schema   one row: the schema version (checked on open)
//	wiretrace_seq      sequence handing out Seqs
//	wiretrace_records  id text PRIMARY KEY, seq bigint UNIQUE, body bytea
//	                   (store.EncodeRecord envelope: article and state)
//	wiretrace_meta     key text PRIMARY KEY, value bytea
//
// Puts are serialised by a transaction-scoped advisory lock, so Seq order is
// commit order: a reader that has seen Seq n never later finds a new record
// with a smaller Seq, even with many writers. Reads and deletes take no lock.
//
// Costs: Put is one transaction (three round trips and one commit, i.e. one
// WAL fsync on the server) whatever the number of records; concurrent Puts
// queue on the lock, so batch them. Get is one indexed lookup. Scan reads
// through a cursor 256 rows at a time and holds one pooled connection and
// an open read-only transaction until it returns. Len counts rows, O(records).
// PostgreSQL compresses bodies over ~2 KB (TOAST).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wiretrace/wiretrace/store"
)

// SchemaVersion is the version of the schema described in the package
// comment, kept in wiretrace_schema. Open refuses databases with a newer one.
//
// Changelog:
//
//	1: first version: wiretrace_schema, wiretrace_seq, wiretrace_records, wiretrace_meta.
const SchemaVersion = 1

// schemaLockKey is the advisory lock that serialises schema creation and
// migration across processes ("wiretrac" in ASCII).
const schemaLockKey int64 = 0x7769726574726163

// putLockBase is the high half of the per-table advisory lock that orders
// Puts; the low half is the records table's OID, so stores in different
// schemas of one database do not block each other.
const putLockBase int64 = 0x77747075 << 32 // "wtpu"

// scanBatch is how many rows one cursor FETCH returns.
const scanBatch = 256

var schemaV1 = []string{
	`CREATE SEQUENCE wiretrace_seq AS bigint MINVALUE 1`,
	`CREATE TABLE wiretrace_records (
		id   text COLLATE "C" PRIMARY KEY,
		seq  bigint NOT NULL UNIQUE,
		body bytea NOT NULL
	)`,
	`CREATE TABLE wiretrace_meta (
		key   text COLLATE "C" PRIMARY KEY,
		value bytea NOT NULL
	)`,
	`INSERT INTO wiretrace_schema (version) VALUES (1)`,
}

// Store is a store.Store in PostgreSQL. It is safe for concurrent use, also
// by several processes on one database. Scan's fn may call any method except
// Close, but each running Scan holds one pooled connection: with as many
// Scans at once as the pool has connections (pool_max_conns, default the
// larger of 4 and the CPU count), a fn that calls the store waits forever.
type Store struct {
	pool    *pgxpool.Pool
	log     *slog.Logger
	where   string // host:port/database, for messages (never the password)
	putLock int64
	closed  atomic.Bool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://user:pass@host:port/db?…,
// any form pgxpool.ParseConfig accepts, including pool_max_conns), creates
// the schema when it is missing, and fails with store.ErrUnsupportedVersion
// when the database holds a newer schema. logger receives connection and
// schema messages; nil discards them.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "wiretrace"
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	s := &Store{pool: pool, log: logger, where: where}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	logger.Debug("store opened", "db", where, "schema", SchemaVersion)
	return s, nil
}

// migrate creates the schema or checks its version, under an advisory lock
// so concurrent Opens do not race, and looks up the Put lock key.
func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLockKey); err != nil {
			return fmt.Errorf("lock schema: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS wiretrace_schema (
			singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
			version   integer NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema table: %w", err)
		}
		var version int
		err := tx.QueryRow(ctx, `SELECT version FROM wiretrace_schema`).Scan(&version)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			for _, stmt := range schemaV1 {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("create schema version %d: %w", SchemaVersion, err)
				}
			}
			s.log.Info("created store schema", "db", s.where, "version", SchemaVersion)
		case err != nil:
			return fmt.Errorf("read schema version: %w", err)
		case version > SchemaVersion:
			return fmt.Errorf("schema version %d, this program reads %d: %w", version, SchemaVersion, store.ErrUnsupportedVersion)
		case version < 1:
			return fmt.Errorf("schema version %d: %w", version, store.ErrCorrupt)
		}
		var oid uint32
		if err := tx.QueryRow(ctx, `SELECT 'wiretrace_records'::regclass::oid`).Scan(&oid); err != nil {
			return fmt.Errorf("look up records table: %w", err)
		}
		s.putLock = putLockBase | int64(oid)
		return nil
	})
}

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// Put implements store.Store: one transaction that takes the Put lock, then
// inserts or replaces each record with the next value of wiretrace_seq.
func (s *Store) Put(ctx context.Context, recs ...*store.Record) error {
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := store.CheckRecords(recs); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	seqs := make([]uint64, len(recs))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.putLock)
		for _, r := range recs {
			b.Queue(`INSERT INTO wiretrace_records (id, seq, body)
				VALUES ($1, nextval('wiretrace_seq'), $2)
				ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, body = EXCLUDED.body
				RETURNING seq`, r.Article.ID, store.EncodeRecord(r))
		}
		res := tx.SendBatch(ctx, b)
		if _, err := res.Exec(); err != nil {
			res.Close()
			return fmt.Errorf("lock: %w", err)
		}
		for i, r := range recs {
			var seq int64
			if err := res.QueryRow().Scan(&seq); err != nil {
				res.Close()
				return fmt.Errorf("insert %q: %w", r.Article.ID, err)
			}
			seqs[i] = uint64(seq)
		}
		return res.Close()
	})
	if err != nil {
		return fmt.Errorf("put %d records: %w", len(recs), err)
	}
	for i, r := range recs {
		r.Seq = seqs[i]
	}
	return nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, id string) (*store.Record, error) {
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	if !store.ValidID(id) {
		return nil, fmt.Errorf("get %q: %w", id, store.ErrNotFound)
	}
	var seq int64
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT seq, body FROM wiretrace_records WHERE id = $1`, id).Scan(&seq, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("get %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", id, err)
	}
	return decode(id, seq, body)
}

func decode(id string, seq int64, body []byte) (*store.Record, error) {
	r, err := store.DecodeRecord(body)
	if err != nil {
		return nil, fmt.Errorf("record %q (Seq %d): %w", id, seq, err)
	}
	if r.Article.ID != id {
		return nil, fmt.Errorf("record %q (Seq %d) holds ID %q: %w", id, seq, r.Article.ID, store.ErrCorrupt)
	}
	r.Seq = uint64(seq)
	return r, nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	if !store.ValidID(id) {
		return fmt.Errorf("delete %q: %w", id, store.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM wiretrace_records WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete %q: %w", id, store.ErrNotFound)
	}
	return nil
}

// Scan implements store.Store. It reads one snapshot, taken when it starts,
// through a cursor in a read-only transaction, so stopping early (fn's error,
// ctx) costs at most one batch of rows.
func (s *Store) Scan(ctx context.Context, fn func(*store.Record) error) error {
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	var fnErr error
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DECLARE wiretrace_scan NO SCROLL CURSOR FOR
			SELECT id, seq, body FROM wiretrace_records ORDER BY seq`); err != nil {
			return fmt.Errorf("declare cursor: %w", err)
		}
		for {
			rows, err := tx.Query(ctx, fmt.Sprintf(`FETCH %d FROM wiretrace_scan`, scanBatch))
			if err != nil {
				return fmt.Errorf("fetch: %w", err)
			}
			n := 0
			for rows.Next() {
				n++
				if err := ctx.Err(); err != nil {
					rows.Close()
					return err
				}
				var id string
				var seq int64
				var body []byte
				if err := rows.Scan(&id, &seq, &body); err != nil {
					rows.Close()
					return fmt.Errorf("read row: %w", err)
				}
				r, err := decode(id, seq, body)
				if err != nil {
					rows.Close()
					return err
				}
				if err := fn(r); err != nil {
					rows.Close()
					fnErr = err
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("fetch: %w", err)
			}
			if n < scanBatch {
				return nil
			}
		}
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	return nil
}

// Len implements store.Store.
func (s *Store) Len(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, fmt.Errorf("len: %w", err)
	}
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM wiretrace_records`).Scan(&n); err != nil {
		return 0, fmt.Errorf("len: %w", err)
	}
	return int(n), nil
}

// SetMeta implements store.Store.
func (s *Store) SetMeta(ctx context.Context, key string, value []byte) error {
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	if err := store.CheckMetaKey(key); err != nil {
		return fmt.Errorf("set meta: %w", err)
	}
	if value == nil {
		value = []byte{} // NOT NULL: an empty value is still a value
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO wiretrace_meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, key, value); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	return nil
}

// GetMeta implements store.Store.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("get meta %q: %w", key, err)
	}
	if !store.ValidMetaKey(key) {
		return nil, fmt.Errorf("get meta %q: %w", key, store.ErrNotFound)
	}
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM wiretrace_meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("get meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get meta %q: %w", key, err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// Close implements store.Store: it waits for connections in use (a Scan
// until its fn returns) and closes the pool. Closing twice returns nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.pool.Close()
	s.log.Debug("store closed", "db", s.where)
	return nil
}
