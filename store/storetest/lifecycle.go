package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/store"
)

// testConcurrentSeqOrder checks the ordering promise: a reader that has seen
// Seq n never later finds a new record with a smaller Seq. A backend that
// hands out Seqs before committing, and lets commits land out of order, fails.
func testConcurrentSeqOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	const writers, puts = 6, 30
	var (
		writing sync.WaitGroup
		mu      sync.Mutex
		errs    []error
	)
	for w := range writers {
		writing.Go(func() {
			for i := range puts {
				if err := s.Put(ctx, Rec(fmt.Sprintf("w%d-%d", w, i), i)); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { writing.Wait(); close(done) }()
	seen := map[uint64]bool{}
	var maxSeen uint64
	scans := 0
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true // one last scan below sees everything
		default:
		}
		scans++
		prevMax, prevCount := maxSeen, len(seen)
		count := 0
		if err := s.Scan(ctx, func(r *store.Record) error {
			count++
			if r.Seq < prevMax && !seen[r.Seq] {
				return fmt.Errorf("scan %d: %q appeared with Seq %d below %d, which an earlier scan saw", scans, r.Article.ID, r.Seq, prevMax)
			}
			seen[r.Seq] = true
			maxSeen = max(maxSeen, r.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if count < prevCount {
			t.Fatalf("scan %d: %d records, an earlier scan saw %d (nothing was deleted)", scans, count, prevCount)
		}
	}
	for _, err := range errs {
		t.Error(err)
	}
	if len(seen) != writers*puts {
		t.Errorf("records seen: got %d, want %d", len(seen), writers*puts)
	}
	t.Logf("%d scans during %d concurrent puts", scans, writers*puts)
}

func testContextCanceled(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	bg := context.Background()
	mustPut(t, s, Rec("present", 1))
	if err := s.SetMeta(bg, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(bg)
	cancel()
	expired, cancel2 := context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"canceled", canceled, context.Canceled},
		{"deadline", expired, context.DeadlineExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx
			r := Rec("new", 2)
			if err := s.Put(ctx, r); !errors.Is(err, c.want) {
				t.Errorf("Put: got %v, want %v", err, c.want)
			}
			if r.Seq != 0 {
				t.Errorf("Put: assigned Seq %d, want 0", r.Seq)
			}
			wantNotFound(t, s, "new")
			if _, err := s.Get(ctx, "present"); !errors.Is(err, c.want) {
				t.Errorf("Get: got %v, want %v", err, c.want)
			}
			if err := s.Delete(ctx, "present"); !errors.Is(err, c.want) {
				t.Errorf("Delete: got %v, want %v", err, c.want)
			}
			mustGet(t, s, "present")
			calls := 0
			if err := s.Scan(ctx, func(*store.Record) error { calls++; return nil }); !errors.Is(err, c.want) {
				t.Errorf("Scan: got %v, want %v", err, c.want)
			}
			if calls != 0 {
				t.Errorf("Scan: callback called %d times, want 0", calls)
			}
			if _, err := s.Len(ctx); !errors.Is(err, c.want) {
				t.Errorf("Len: got %v, want %v", err, c.want)
			}
			if err := s.SetMeta(ctx, "k", []byte("changed")); !errors.Is(err, c.want) {
				t.Errorf("SetMeta: got %v, want %v", err, c.want)
			}
			if _, err := s.GetMeta(ctx, "k"); !errors.Is(err, c.want) {
				t.Errorf("GetMeta: got %v, want %v", err, c.want)
			}
			if v, err := s.GetMeta(bg, "k"); err != nil || string(v) != "v" {
				t.Errorf("GetMeta after canceled SetMeta: got %q, %v, want v", v, err)
			}
		})
	}
	mustLen(t, s, 1)
}

func testScanCanceled(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var recs []*store.Record
	for i := range 10 {
		recs = append(recs, Rec(fmt.Sprintf("r%d", i), i))
	}
	mustPut(t, s, recs...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := s.Scan(ctx, func(*store.Record) error {
		calls++
		if calls == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Scan: got %v, want context.Canceled", err)
	}
	if calls != 3 {
		t.Errorf("callback calls: got %d, want 3 (stop right after cancel)", calls)
	}
}

func testClosed(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	mustPut(t, s, Rec("a", 1))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Put(ctx, Rec("b", 2)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Put: got %v, want ErrClosed", err)
	}
	if _, err := s.Get(ctx, "a"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get: got %v, want ErrClosed", err)
	}
	if err := s.Delete(ctx, "a"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Delete: got %v, want ErrClosed", err)
	}
	if err := s.Scan(ctx, func(*store.Record) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Scan: got %v, want ErrClosed", err)
	}
	if _, err := s.Len(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Len: got %v, want ErrClosed", err)
	}
	if err := s.SetMeta(ctx, "k", nil); !errors.Is(err, store.ErrClosed) {
		t.Errorf("SetMeta: got %v, want ErrClosed", err)
	}
	if _, err := s.GetMeta(ctx, "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("GetMeta: got %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

func testReopen(t *testing.T, open func(t *testing.T) store.Store, reopen func(*testing.T, store.Store) store.Store) {
	s := open(t)
	ctx := context.Background()
	mustPut(t, s, Rec("a", 1), Rec("b", 2), Rec("c", 3))
	mustPut(t, s, Rec("d", 4))
	mustPut(t, s, Rec("a", 5)) // replaced: moves to the end
	if err := s.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	e := Rec("e", 6)
	mustPut(t, s, e)
	// e holds the highest Seq; deleting it must not let a reopened store
	// hand that Seq out again.
	if err := s.Delete(ctx, "e"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta(ctx, "format", []byte("1")); err != nil {
		t.Fatal(err)
	}
	want := scanAll(t, s)
	if got := ids(want); !slices.Equal(got, []string{"b", "d", "a"}) {
		t.Fatalf("Scan before reopen: got %q, want [b d a]", got)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2 := reopen(t, s)
	got := scanAll(t, s2)
	if !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("Scan after reopen: got %q, want %q", ids(got), ids(want))
	}
	for i := range got {
		CheckRecord(t, got[i], want[i])
		if got[i].Seq != want[i].Seq {
			t.Errorf("%q: Seq after reopen %d, want %d", got[i].Article.ID, got[i].Seq, want[i].Seq)
		}
	}
	CheckRecord(t, mustGet(t, s2, "a"), Rec("a", 5))
	wantNotFound(t, s2, "c")
	wantNotFound(t, s2, "e")
	mustLen(t, s2, 3)
	if v, err := s2.GetMeta(ctx, "format"); err != nil || string(v) != "1" {
		t.Errorf("GetMeta after reopen: got %q, %v, want 1", v, err)
	}
	f := Rec("f", 7)
	mustPut(t, s2, f)
	if f.Seq <= e.Seq {
		t.Errorf("Seq after reopen: got %d, want above %d (given to a deleted record before)", f.Seq, e.Seq)
	}
	if err := s2.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s3 := reopen(t, s2)
	defer s3.Close()
	CheckRecord(t, mustGet(t, s3, "f"), Rec("f", 7))
	if got := ids(scanAll(t, s3)); !slices.Equal(got, []string{"b", "d", "a", "f"}) {
		t.Errorf("Scan after second reopen: got %q, want [b d a f]", got)
	}
}
