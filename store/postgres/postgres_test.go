package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/postgres"
	"github.com/wiretrace/wiretrace/store/storetest"
)

// envDSN names the variable holding the test database URL; .ci/postgres.sh
// sets it up. Each test gets its own schema, dropped afterwards.
const envDSN = "WIRETRACE_TEST_POSTGRES"

// testDB creates a fresh schema and returns a URL whose search_path points
// at it.
func testDB(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a database URL (source .ci/postgres.sh)", envDSN)
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", envDSN, err)
	}
	schema := fmt.Sprintf("wt_test_%d", rand.Uint64()>>1)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", envDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var (
	urlsMu sync.Mutex
	urls   = map[store.Store]string{}
)

func openURL(t testing.TB, u string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), u, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	urlsMu.Lock()
	urls[s] = u
	urlsMu.Unlock()
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) store.Store { return openURL(t, testDB(t)) },
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			urlsMu.Lock()
			u := urls[closed]
			urlsMu.Unlock()
			return openURL(t, u)
		}))
}

func TestOpenNewerSchema(t *testing.T) {
	u := testDB(t)
	s := openURL(t, u)
	s.Close()
	ctx := context.Background()
	db, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, "UPDATE wiretrace_schema SET version = 2"); err != nil {
		t.Fatal(err)
	}
	s2, err := postgres.Open(ctx, u, nil)
	if err == nil {
		s2.Close()
		t.Fatal("Open: got nil error, want ErrUnsupportedVersion")
	}
	if !errors.Is(err, store.ErrUnsupportedVersion) || !strings.Contains(err.Error(), "schema version 2, this program reads 1") {
		t.Errorf("Open: got %v, want ErrUnsupportedVersion naming both versions", err)
	}
}

// TestOpenConcurrently opens one empty database from several goroutines:
// exactly one creates the schema, all succeed.
func TestOpenConcurrently(t *testing.T) {
	u := testDB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), u, nil)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOpenErrors(t *testing.T) {
	testDB(t) // skip without a database
	ctx := context.Background()
	for _, tc := range []struct{ name, url, msg string }{
		{"bad url", "postgres://x:y@[::1", "open postgres store"},
		{"refused", "postgres://u:secret-pw@127.0.0.1:1/db?connect_timeout=2", "127.0.0.1:1/db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(ctx, tc.url, nil)
			if err == nil {
				s.Close()
				t.Fatal("got nil error")
			}
			if !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "secret-pw") {
				t.Errorf("got %q, want it to mention %q and not the password", err, tc.msg)
			}
		})
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return openURL(b, testDB(b)) })
}
