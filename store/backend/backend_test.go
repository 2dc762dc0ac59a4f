package backend_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/backend"
	"github.com/wiretrace/wiretrace/store/mem"
	"github.com/wiretrace/wiretrace/store/pebble"
	"github.com/wiretrace/wiretrace/store/postgres"
	"github.com/wiretrace/wiretrace/store/storetest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		url    string
		kind   backend.Kind
		target string
		err    string // substring; "" means success
	}{
		{"/var/lib/wiretrace", backend.Pebble, "/var/lib/wiretrace", ""},
		{"data", backend.Pebble, "data", ""},
		{"./data:v2", backend.Pebble, "./data:v2", ""},
		{`C:\wiretrace`, backend.Pebble, `C:\wiretrace`, ""},
		{"pebble:///var/lib/wt", backend.Pebble, "/var/lib/wt", ""},
		{"pebble://rel/dir", backend.Pebble, "rel/dir", ""},
		{"pebble:rel", backend.Pebble, "rel", ""},
		{"PEBBLE:///x", backend.Pebble, "/x", ""},
		{"postgres://u:p@db:5432/wt?sslmode=disable", backend.Postgres, "postgres://u:p@db:5432/wt?sslmode=disable", ""},
		{"postgresql://db/wt", backend.Postgres, "postgresql://db/wt", ""},
		{"mem:", backend.Mem, "", ""},
		{"mem://", backend.Mem, "", ""},
		{"", "", "", "empty store URL"},
		{"pebble://", "", "", "no directory"},
		{"pebble:", "", "", "no directory"},
		{"mem:foo", "", "", "takes no path"},
		{"s3://bucket/x", "", "", `unknown store scheme "s3"`},
		{"mysql://u:hunter2@h/db", "", "", `unknown store scheme "mysql"`},
		{"data:v2", "", "", "write ./data:v2"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			kind, target, err := backend.Parse(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %q, %q, %v; want error mentioning %q", kind, target, err, tc.err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil || kind != tc.kind || target != tc.target {
				t.Fatalf("got %q, %q, %v; want %q, %q", kind, target, err, tc.kind, tc.target)
			}
		})
	}
	if _, _, err := backend.Parse("s3://x"); !errors.Is(err, backend.ErrUnknownScheme) {
		t.Errorf("errors.Is(err, ErrUnknownScheme): got false for %v", err)
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:secret@h:5432/db?x=1", "postgres://u:xxxxx@h:5432/db?x=1"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://u:secret@[::1", "postgres://u:xxxxx@[::1"},
		{"/var/lib/wt", "/var/lib/wt"},
	} {
		if got := backend.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	open := func(t *testing.T, url string) store.Store {
		t.Helper()
		s, err := backend.Open(ctx, url, nil)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		return s
	}
	t.Run("directory", func(t *testing.T) {
		s := open(t, dir)
		if _, ok := s.(*pebble.Store); !ok {
			t.Fatalf("got %T, want *pebble.Store", s)
		}
		if err := s.Put(ctx, storetest.Rec("a", 1)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		// The same directory through a pebble:// URL.
		s = open(t, "pebble://"+dir)
		defer s.Close()
		if _, err := s.Get(ctx, "a"); err != nil {
			t.Errorf("Get after reopening via pebble://: %v", err)
		}
	})
	t.Run("mem", func(t *testing.T) {
		s := open(t, "mem:")
		defer s.Close()
		if _, ok := s.(*mem.Store); !ok {
			t.Fatalf("got %T, want *mem.Store", s)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("WIRETRACE_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("PostgreSQL tests skipped: set WIRETRACE_TEST_POSTGRES to a database URL (source .ci/postgres.sh)")
		}
		s := open(t, dsn)
		defer s.Close()
		if _, ok := s.(*postgres.Store); !ok {
			t.Fatalf("got %T, want *postgres.Store", s)
		}
		if _, err := s.Len(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("failure returns a nil interface", func(t *testing.T) {
		notDir := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := backend.Open(ctx, notDir, nil)
		if err == nil || s != nil {
			t.Fatalf("got %v, %v; want nil store and an error", s, err)
		}
		s, err = backend.Open(ctx, "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2", nil)
		if err == nil || s != nil {
			t.Fatalf("got %v, %v; want nil store and an error", s, err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows the password: %v", err)
		}
	})
}
