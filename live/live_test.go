package live

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/mem"
	"github.com/wiretrace/wiretrace/store/pebble"
)

func seeds(t testing.TB) []wiretrace.Article {
	t.Helper()
	paths, err := filepath.Glob("../testdata/seeds/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("glob seeds: %v (%d files)", err, len(paths))
	}
	var out []wiretrace.Article
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, wiretrace.Article{ID: strings.TrimSuffix(filepath.Base(p), ".txt"), Text: string(b)})
	}
	return out
}

// event returns a short article about event k, with sentence variants so
// that articles of one event copy each other.
func event(k, variant int) string {
	subjects := []string{"The harbour authority", "Port officials", "Dock managers"}
	return fmt.Sprintf("%s of Kestrelport %d announced a new ferry terminal costing %d million crowns on the northern quay. "+
		"Construction crews from Vellmark Engineering will begin piling work in spring %d according to the tender documents. "+
		"Local fishermen protested outside the council chamber of Kestrelport %d because the terminal occupies their moorings. "+
		"Mayor Ingrid Solvang %d promised compensation talks before the contracts are signed.",
		subjects[variant%len(subjects)], k, 40+k, 2030+k, k, k)
}

func openMem(t *testing.T) (*Index, store.Store) {
	t.Helper()
	st := mem.New()
	ix := mustOpen(t, st, Options{})
	return ix, st
}

func mustOpen(t *testing.T, st store.Store, opts Options) *Index {
	t.Helper()
	ix, err := Open(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func ingest(t *testing.T, ix *Index, arts ...wiretrace.Article) []Outcome {
	t.Helper()
	out, err := ix.Ingest(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.Err != nil {
			t.Fatalf("article %s rejected: %v", arts[i].ID, o.Err)
		}
	}
	return out
}

func TestIngestAndQuery(t *testing.T) {
	ctx := context.Background()
	ix, _ := openMem(t)
	out := ingest(t, ix, seeds(t)...)
	last := out[len(out)-1]
	if last.Seq != 5 || len(last.Result.Matches) == 0 {
		t.Fatalf("last seed: got seq %d, %d matches; want seq 5 with matches", last.Seq, len(last.Result.Matches))
	}
	story := last.Result.Story
	for _, o := range out {
		if o.Result.Story != story {
			t.Errorf("%s in story %s, want every seed in %s", o.Result.ID, o.Result.Story, story)
		}
	}

	v, err := ix.Article(ctx, "002_6d69baa46a2ff832")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Article.Text, "Putin") || v.Info.Story != story || v.Seq != 3 {
		t.Errorf("article view: got story %s seq %d text %.40q…, want story %s seq 3 with the text", v.Info.Story, v.Seq, v.Article.Text, story)
	}
	if p, _ := ix.eng.Article("002_6d69baa46a2ff832"); p.Article.Text != "" {
		t.Error("engine keeps the text; want it dropped (KeepText false)")
	}

	c, err := ix.Compare(ctx, "002_6d69baa46a2ff832", "001_81501ed7d460c921")
	if err != nil {
		t.Fatal(err)
	}
	if c.Label == "" || len(c.Links) < 5 {
		t.Errorf("compare: got label %q, %d links; want a copy label and many links", c.Label, len(c.Links))
	}
	// The alignment is the same as with texts in memory.
	pr := engine.NewPreparer(engine.Options{})
	pa, _ := pr.Prepare(seeds(t)[2])
	pb, _ := pr.Prepare(seeds(t)[1])
	if want := engine.Compare(pa, pb, engine.Options{}); !reflect.DeepEqual(c, want) {
		t.Errorf("compare differs from an in-memory comparison")
	}

	list, err := ix.ListStories(StoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Stories) != 1 || list.Stories[0].ID != story || list.Stories[0].Articles != 5 || list.More {
		t.Fatalf("stories: got %d (more %v), want the one seed story", len(list.Stories), list.More)
	}

	if err := ix.Delete(ctx, "004_203724dd82367cc3"); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Matches("004_203724dd82367cc3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("matches after delete: got %v, want ErrNotFound", err)
	}
	if err := ix.Delete(ctx, "004_203724dd82367cc3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: got %v, want ErrNotFound", err)
	}
	if d, _ := ix.Story(story); len(d.Articles) != 4 {
		t.Errorf("story after delete: got %d members, want 4", len(d.Articles))
	}
	if _, err := ix.Compare(ctx, "004_203724dd82367cc3", "001_81501ed7d460c921"); !errors.Is(err, ErrNotFound) {
		t.Errorf("compare with a deleted article: got %v, want ErrNotFound", err)
	}
}

func TestIngestRejections(t *testing.T) {
	ix, _ := openMem(t)
	big := strings.Repeat("word ", (4<<20)/5+1) // over the default MaxBytes
	arts := []wiretrace.Article{
		{ID: "ok-1", Text: event(1, 0)},
		{ID: " ", Text: "text"},
		{ID: "empty", Text: "   \n\n  "},
		{ID: "big", Text: big},
		{ID: "nul\x00id", Text: event(2, 0)},
		{ID: strings.Repeat("x", store.MaxIDLen+1), Text: event(3, 0)},
		{ID: "ok-2", Text: event(1, 1)},
	}
	out, err := ix.Ingest(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, engine.ErrNoID, engine.ErrEmpty, engine.ErrTooLarge, ErrInvalid, ErrInvalid, nil}
	for i, o := range out {
		if !errors.Is(o.Err, want[i]) || (want[i] == nil) != (o.Result != nil) {
			t.Errorf("article %d: got err %v result %v, want %v", i, o.Err, o.Result != nil, want[i])
		}
	}
	if got := ix.Len(); got != 2 {
		t.Errorf("indexed %d, want 2", got)
	}
	if m := out[6].Result.Matches; len(m) != 1 || m[0].ID != "ok-1" {
		t.Errorf("ok-2 matches: got %+v, want ok-1", m)
	}
}

// corpus returns articles of several events, with copies, and articles
// that copy two events at once (which merges their stories).
func corpus(n int, r *rand.Rand) []wiretrace.Article {
	var out []wiretrace.Article
	for i := range n {
		k := r.IntN(n/4 + 1)
		a := wiretrace.Article{ID: fmt.Sprintf("a%03d", i), Source: fmt.Sprintf("outlet%d", r.IntN(5)),
			Published: time.Date(2024, 1, 1+k, r.IntN(24), 0, 0, 0, time.UTC), Text: event(k, r.IntN(3))}
		if r.IntN(6) == 0 {
			a.Text += "\n\n" + event(k+1, r.IntN(3))
		}
		if r.IntN(3) == 0 {
			a.Title = fmt.Sprintf("Ferry terminal %d", k)
		}
		out = append(out, a)
	}
	return out
}

// checkStoryList compares the story list with the engine's own stories.
func checkStoryList(t *testing.T, ix *Index) {
	t.Helper()
	rep := ix.eng.Report()
	want := map[string][]string{}
	for _, s := range rep.Stories {
		want[s.ID] = s.Articles
	}
	list, err := ix.ListStories(StoryQuery{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	var prev time.Time
	for i, d := range list.Stories {
		full, err := ix.Story(d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range full.Articles {
			got[d.ID] = append(got[d.ID], a.ID)
		}
		if d.Articles != len(full.Articles) || len(d.Sample) != min(SampleSize, d.Articles) {
			t.Errorf("story %s: summary of %d articles with %d in the sample, detail %d", d.ID, d.Articles, len(d.Sample), len(full.Articles))
		}
		last := time.Time{}
		if d.Last != nil {
			last = *d.Last
		}
		if i > 0 && last.After(prev) {
			t.Errorf("story %s (last %v) listed after one with last %v: want newest first", d.ID, last, prev)
		}
		prev = last
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("story list differs from the engine:\ngot  %v\nwant %v", got, want)
	}
}

func TestStoryListFollowsEngine(t *testing.T) {
	ix, _ := openMem(t)
	r := rand.New(rand.NewPCG(1, 2))
	arts := corpus(120, r)
	for i := 0; i < len(arts); i += 7 {
		ingest(t, ix, arts[i:min(i+7, len(arts))]...)
		if r.IntN(3) == 0 { // replace one
			a := arts[r.IntN(i+1)]
			a.Text = event(r.IntN(40), 2)
			ingest(t, ix, a)
		}
		if r.IntN(3) == 0 { // delete one
			if err := ix.Delete(context.Background(), arts[r.IntN(i+1)].ID); err != nil && !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
		}
	}
	checkStoryList(t, ix)
	merged := false
	for _, s := range ix.eng.Report().Stories {
		if len(s.Articles) > 4 {
			merged = true
		}
	}
	if !merged {
		t.Error("no story grew past 4 articles; the corpus should merge stories")
	}
}

func TestStoryQuery(t *testing.T) {
	ix, _ := openMem(t)
	ingest(t, ix,
		wiretrace.Article{ID: "old", Title: "Harbour Terminal Plans", Source: "Gazette", Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Text: event(1, 0)},
		wiretrace.Article{ID: "new", Title: "Orchard prices", Source: "Courier", Published: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
			Text: "Apple growers in the Tarnvale district reported record yields after a mild spring. Wholesale buyers in Lorvik cut their offers by a fifth as cold stores filled up."},
		wiretrace.Article{ID: "undated", Title: "Chess final", Text: "Grandmaster Oskar Tellen retained the national chess title after a tense rapid playoff. His opponent resigned in a drawn-looking rook ending on move ninety-one."},
	)
	for _, tc := range []struct {
		name string
		q    StoryQuery
		want []string // first member of each story
		more bool
	}{
		{"all newest first", StoryQuery{}, []string{"new", "old", "undated"}, false},
		{"limit", StoryQuery{Limit: 1}, []string{"new"}, true},
		{"offset", StoryQuery{Offset: 1, Limit: 1}, []string{"old"}, true},
		{"since", StoryQuery{Since: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}, []string{"new"}, false},
		{"since excludes undated", StoryQuery{Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, []string{"new", "old"}, false},
		{"q title words any case", StoryQuery{Q: "terminal HARBOUR"}, []string{"old"}, false},
		{"q outlet", StoryQuery{Q: "courier"}, []string{"new"}, false},
		{"q no hit", StoryQuery{Q: "harbour courier"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := ix.ListStories(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range list.Stories {
				got = append(got, d.Sample[0].ID)
			}
			if !slices.Equal(got, tc.want) || list.More != tc.more {
				t.Errorf("got %v more %v, want %v more %v", got, list.More, tc.want, tc.more)
			}
		})
	}
}

// snapshot is everything an index answers about its articles.
func snapshot(t *testing.T, ix *Index) map[string]any {
	t.Helper()
	out := map[string]any{}
	rep := ix.eng.Report()
	out["report"] = rep
	for _, a := range rep.Articles {
		r, err := ix.Matches(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		out["matches/"+a.ID] = r
	}
	list, err := ix.ListStories(StoryQuery{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	out["stories"] = list
	return out
}

func TestReopenAnswersTheSame(t *testing.T) {
	dir := t.TempDir()
	st, err := pebble.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, st, Options{})
	r := rand.New(rand.NewPCG(3, 4))
	arts := append(seeds(t), corpus(60, r)...)
	// Concurrent writers: whatever order the index picks, a reopened index
	// replays it.
	var wg sync.WaitGroup
	errs := make(chan error, len(arts))
	for i := 0; i < len(arts); i += 4 {
		wg.Add(1)
		go func(batch []wiretrace.Article) {
			defer wg.Done()
			if _, err := ix.Ingest(context.Background(), batch); err != nil {
				errs <- err
			}
		}(arts[i:min(i+4, len(arts))])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	before := snapshot(t, ix)
	ix.Close()
	st.Close()

	st, err = pebble.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ix = mustOpen(t, st, Options{})
	if p := ix.Progress(); !p.Ready || p.Loaded != len(arts) || p.Reprepared != 0 {
		t.Errorf("progress: got %+v, want ready, %d loaded, none reprepared", p, len(arts))
	}
	if after := snapshot(t, ix); !reflect.DeepEqual(after, before) {
		t.Error("reopened index answers differently")
	}
	checkStoryList(t, ix)
}

// TestStaleStatesArePreparedAgain: records without a trusted state (another
// format, another build) are prepared from their text on open.
func TestStaleStatesArePreparedAgain(t *testing.T) {
	ctx := context.Background()
	st := mem.New()
	ix := mustOpen(t, st, Options{})
	ingest(t, ix, seeds(t)...)
	before := snapshot(t, ix)
	ix.Close()
	// Damage two states: one from "another build", one in an unknown format.
	var recs []*store.Record
	st.Scan(ctx, func(r *store.Record) error { recs = append(recs, r.Clone()); return nil })
	recs[1].State[1] ^= 0xff
	recs[3].State[0] = StateFormat + 1
	for _, r := range recs { // re-put all, in order, to keep the Seq order
		if err := st.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	ix = mustOpen(t, st, Options{})
	if p := ix.Progress(); p.Reprepared != 2 || p.Loaded != 5 {
		t.Errorf("progress: got %+v, want 5 loaded, 2 reprepared", p)
	}
	after := snapshot(t, ix)
	if !reflect.DeepEqual(after["report"], before["report"]) {
		t.Error("index rebuilt from text answers differently")
	}
}

func TestOpenRefusesOtherFormat(t *testing.T) {
	st := mem.New()
	st.SetMeta(context.Background(), metaFormat, []byte("99"))
	_, err := Open(context.Background(), st, Options{})
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("got %v, want ErrUnsupported", err)
	}
}

// blockingStore holds Scan until release is closed, and fails Put when
// failPut is set.
type blockingStore struct {
	store.Store
	release chan struct{}
	failPut error
}

func (b *blockingStore) Scan(ctx context.Context, fn func(*store.Record) error) error {
	<-b.release
	return b.Store.Scan(ctx, fn)
}

func (b *blockingStore) Put(ctx context.Context, recs ...*store.Record) error {
	if b.failPut != nil {
		return b.failPut
	}
	return b.Store.Put(ctx, recs...)
}

func TestLoadingAndFailures(t *testing.T) {
	ctx := context.Background()
	bs := &blockingStore{Store: mem.New(), release: make(chan struct{})}
	ix, err := Open(ctx, bs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(ctx, seeds(t)); !errors.Is(err, ErrLoading) {
		t.Errorf("ingest while loading: got %v, want ErrLoading", err)
	}
	if _, err := ix.ListStories(StoryQuery{}); !errors.Is(err, ErrLoading) {
		t.Errorf("list while loading: got %v, want ErrLoading", err)
	}
	if p := ix.Progress(); p.Ready {
		t.Error("ready before the scan ran")
	}
	close(bs.release)
	if err := ix.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	bs.failPut = errors.New("disk full")
	if _, err := ix.Ingest(ctx, seeds(t)[:2]); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("ingest with a failing store: got %v, want the store's error", err)
	}
	if n := ix.Len(); n != 0 {
		t.Errorf("indexed %d after a failed write, want 0", n)
	}
	bs.failPut = nil
	ingest(t, ix, seeds(t)[:2]...)
	ix.Close()
	if _, err := ix.Ingest(ctx, seeds(t)[:1]); !errors.Is(err, ErrClosed) {
		t.Errorf("ingest after close: got %v, want ErrClosed", err)
	}
}

// TestConcurrentIngestLikeSequential: many clients ingest at once (single
// articles and batches, replacements and deletions among them); each
// article's answer, and the final index, are what a sequential engine
// gives when the same writes are applied one by one in store order.
func TestConcurrentIngestLikeSequential(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers%d", workers), func(t *testing.T) {
			ix := mustOpen(t, mem.New(), Options{Workers: workers, MaxGroup: 3, Engine: engine.Options{MaxCandidates: 3}})
			var arts []wiretrace.Article
			for k := range 12 {
				for v := range 4 {
					arts = append(arts, wiretrace.Article{ID: fmt.Sprintf("e%d-v%d", k, v), Text: event(k, v)})
				}
			}
			arts = append(arts, seeds(t)...)
			type write struct {
				seq    uint64
				art    *wiretrace.Article // nil: a deletion of del
				del    string
				result *engine.Result
			}
			var mu sync.Mutex
			var writes []write
			var wg sync.WaitGroup
			const clients = 8
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []wiretrace.Article
					for i := c; i < len(arts); i += clients {
						mine = append(mine, arts[i])
					}
					if c%3 == 0 {
						mine = append(mine, mine[0]) // a replacement
					}
					for i := 0; i < len(mine); {
						n := 1 + i%3 // batches of 1 to 3
						batch := mine[i:min(i+n, len(mine))]
						i += len(batch)
						out, err := ix.Ingest(context.Background(), batch)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						for k, o := range out {
							if o.Err != nil {
								t.Errorf("%s: %v", batch[k].ID, o.Err)
								continue
							}
							writes = append(writes, write{seq: o.Seq, art: &batch[k], result: o.Result})
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			// A deletion, then more articles matched against the index
			// without it.
			if err := ix.Delete(context.Background(), "e3-v1"); err != nil {
				t.Fatal(err)
			}
			tail := []wiretrace.Article{{ID: "late-1", Text: event(3, 1)}, {ID: "late-2", Text: event(5, 2)}}
			out := ingest(t, ix, tail...)
			slices.SortFunc(writes, func(a, b write) int { return int(a.seq) - int(b.seq) })
			writes = append(writes, write{del: "e3-v1"})
			for k := range tail {
				writes = append(writes, write{seq: out[k].Seq, art: &tail[k], result: out[k].Result})
			}

			eng, err := engine.New(ix.Options())
			if err != nil {
				t.Fatal(err)
			}
			pr := eng.NewPreparer()
			for _, w := range writes {
				if w.art == nil {
					eng.Remove(w.del)
					continue
				}
				p, err := pr.Prepare(*w.art)
				if err != nil {
					t.Fatal(err)
				}
				if got := eng.Add(p); !reflect.DeepEqual(got, w.result) {
					t.Errorf("%s (seq %d): ingest answered\n%+v\nsequential Add in store order gives\n%+v", w.art.ID, w.seq, w.result, got)
				}
			}
			for _, w := range writes {
				if w.art == nil {
					continue
				}
				want, ok := eng.Lookup(w.art.ID)
				got, err := ix.Matches(w.art.ID)
				if !ok || err != nil {
					if ok != (err == nil) {
						t.Errorf("%s: indexed %v, ix.Matches error %v", w.art.ID, ok, err)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s now: index\n%+v\nsequential\n%+v", w.art.ID, got, want)
				}
			}
		})
	}
}
