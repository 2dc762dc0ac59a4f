package pebble_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pebbledb "github.com/cockroachdb/pebble/v2"

	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/pebble"
	"github.com/wiretrace/wiretrace/store/storetest"
)

// quiet silences Pebble when tests open a directory directly.
type quiet struct{}

func (quiet) Infof(string, ...any)              {}
func (quiet) Errorf(string, ...any)             {}
func (quiet) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func openTB(tb testing.TB, dir string) *pebble.Store {
	tb.Helper()
	s, err := pebble.Open(dir, nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) store.Store { return openTB(t, filepath.Join(t.TempDir(), "db")) },
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			return openTB(t, closed.(*pebble.Store).Dir())
		}))
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  error
		msg   string
	}{
		{
			name: "directory with other files",
			setup: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: pebble.ErrNotStore,
			msg:  "notes.txt",
		},
		{
			name: "pebble database of another program",
			setup: func(t *testing.T, dir string) {
				db, err := pebbledb.Open(dir, &pebbledb.Options{Logger: quiet{}})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.Set([]byte("users/1"), []byte("alice"), pebbledb.Sync); err != nil {
					t.Fatal(err)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			},
			want: pebble.ErrNotStore,
			msg:  "x/format",
		},
		{
			name: "newer layout",
			setup: func(t *testing.T, dir string) {
				s, err := pebble.Open(dir, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Put(ctx, storetest.Rec("a", 1)); err != nil {
					t.Fatal(err)
				}
				s.Close()
				db, err := pebbledb.Open(dir, &pebbledb.Options{Logger: quiet{}})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.Set([]byte("x/format"), []byte("2"), pebbledb.Sync); err != nil {
					t.Fatal(err)
				}
				db.Close()
			},
			want: store.ErrUnsupportedVersion,
			msg:  `data layout version "2", this program reads 1`,
		},
		{
			name: "record envelope from the future",
			setup: func(t *testing.T, dir string) {
				s, err := pebble.Open(dir, nil)
				if err != nil {
					t.Fatal(err)
				}
				r := storetest.Rec("a", 1)
				if err := s.Put(ctx, r); err != nil {
					t.Fatal(err)
				}
				s.Close()
				db, err := pebbledb.Open(dir, &pebbledb.Options{Logger: quiet{}})
				if err != nil {
					t.Fatal(err)
				}
				key := append([]byte("r1/"), 0, 0, 0, 0, 0, 0, 0, byte(r.Seq))
				if err := db.Set(key, []byte{store.RecordFormat + 1, 1, 2, 3}, pebbledb.Sync); err != nil {
					t.Fatal(err)
				}
				db.Close()
			},
			want: nil, // opens; reading the record fails
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			s, err := pebble.Open(dir, nil)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer s.Close()
				_, err = s.Get(ctx, "a")
				if !errors.Is(err, store.ErrUnsupportedVersion) {
					t.Fatalf("Get: got %v, want ErrUnsupportedVersion", err)
				}
				err = s.Scan(ctx, func(*store.Record) error { return nil })
				if !errors.Is(err, store.ErrUnsupportedVersion) {
					t.Fatalf("Scan: got %v, want ErrUnsupportedVersion", err)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("Open: got nil error, want %v", tc.want)
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Open: got %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

func TestOpenTwiceLocked(t *testing.T) {
	dir := t.TempDir()
	openTB(t, dir)
	if s, err := pebble.Open(dir, nil); err == nil {
		s.Close()
		t.Fatal("second Open of one directory: got nil error, want a lock error")
	}
}

func TestCompactReclaims(t *testing.T) {
	ctx := context.Background()
	s := openTB(t, t.TempDir())
	for range 3 {
		var recs []*store.Record
		for i := range 200 {
			recs = append(recs, storetest.BenchRecord(i))
		}
		if err := s.Put(ctx, recs...); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	used, err := s.DiskUsage()
	if err != nil {
		t.Fatal(err)
	}
	// 200 live records of ~5 KB (after three rounds of replacing them all):
	// the replaced copies must be gone after compaction.
	t.Logf("after compaction: data %d B, total %d B", used.Data, used.Total)
	if perRecord := float64(used.Data) / 200; perRecord > 7<<10 {
		t.Errorf("data after compaction: got %.0f B/record, want < 7 KiB (old versions dropped)", perRecord)
	}
	if n, _ := s.Len(ctx); n != 200 {
		t.Errorf("Len: got %d, want 200", n)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b,
		func(b *testing.B) store.Store { return openTB(b, b.TempDir()) },
		storetest.WithDiskUsage(func(b *testing.B, s store.Store) int64 {
			ps := s.(*pebble.Store)
			if err := ps.Compact(context.Background()); err != nil {
				b.Fatal(err)
			}
			u, err := ps.DiskUsage()
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%d records: data %d B, directory %d B", 10_000, u.Data, u.Total)
			return int64(u.Data)
		}))
}
