package engine

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/align"
)

// seedArticles reads the seed cluster (testdata/seeds at the module root).
func seedArticles(t testing.TB) []wiretrace.Article {
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

func preparedEqual(t *testing.T, got, want *Prepared) {
	t.Helper()
	check := func(name string, ok bool) {
		if !ok {
			t.Errorf("%s: decoded differs from prepared", name)
		}
	}
	check("Bytes", got.Bytes == want.Bytes)
	check("Doc.Words", got.Doc.Words == want.Doc.Words)
	check("Doc.Sentences", slices.Equal(got.Doc.Sentences, want.Doc.Sentences))
	check("Doc.Terms", slices.Equal(got.Doc.Terms, want.Doc.Terms))
	check("Doc.Weights", slices.Equal(got.Doc.Weights, want.Doc.Weights))
	check("indexed", got.indexed == want.indexed)
	check("Sentences", slices.Equal(got.Sentences, want.Sentences))
	check("DocKeys", slices.Equal(got.DocKeys, want.DocKeys))
	check("SentKeys", slices.Equal(got.SentKeys, want.SentKeys))
	check("SentIndexed", slices.Equal(got.SentIndexed, want.SentIndexed))
	check("Terms", slices.Equal(got.Terms, want.Terms))
	check("Sig", slices.Equal(got.Sig, want.Sig))
	check("Shingles", got.Shingles == want.Shingles)
	check("Exact", got.Exact == want.Exact)
	check("Article", reflect.DeepEqual(got.Article, want.Article))
}

func TestPreparedRoundTrip(t *testing.T) {
	for _, opts := range []Options{{}, {Level: LevelNearDup}} {
		t.Run(opts.Resolved().Level.String(), func(t *testing.T) { testPreparedRoundTrip(t, opts) })
	}
}

func testPreparedRoundTrip(t *testing.T, opts Options) {
	pr := NewPreparer(opts)
	c := NewCodec(opts)
	for _, a := range seedArticles(t) {
		t.Run(a.ID, func(t *testing.T) {
			p, err := pr.Prepare(a)
			if err != nil {
				t.Fatal(err)
			}
			data := c.Encode(nil, p)
			got, err := c.Decode(data, p.Article)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			preparedEqual(t, got, p)
			// Without the text (an index that keeps texts in its store).
			bare := p.Article
			bare.Text = ""
			got, err = c.Decode(data, bare)
			if err != nil {
				t.Fatalf("decode without text: %v", err)
			}
			if again := c.Encode(nil, got); !slices.Equal(again, data) {
				t.Errorf("re-encoding differs: got %d bytes, want %d", len(again), len(data))
			}
		})
	}
}

// TestDecodedMatchesLikePrepared: an engine fed decoded articles answers
// exactly like one fed freshly prepared ones.
func TestDecodedMatchesLikePrepared(t *testing.T) {
	opts := Options{}
	fresh, _ := New(opts)
	decoded, _ := New(opts)
	pr := NewPreparer(opts)
	c := NewCodec(opts)
	for _, a := range seedArticles(t) {
		p, err := pr.Prepare(a)
		if err != nil {
			t.Fatal(err)
		}
		stored := p.Article // as an index keeps it: metadata, no text
		stored.Text = ""
		q, err := c.Decode(c.Encode(nil, p), stored)
		if err != nil {
			t.Fatal(err)
		}
		got, want := decoded.Add(q), fresh.Add(p)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", a.ID, got, want)
		}
	}
	if got, want := decoded.Report(), fresh.Report(); !reflect.DeepEqual(got, want) {
		t.Errorf("reports differ:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestDecodePreparedRejects(t *testing.T) {
	opts := Options{}
	a := seedArticles(t)[0]
	p, err := NewPreparer(opts).Prepare(a)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCodec(opts)
	good := c.Encode(nil, p)
	otherVersion := slices.Clone(good)
	otherVersion[0] = PreparedFormat + 1
	for _, tc := range []struct {
		name string
		data []byte
		art  wiretrace.Article
		c    *Codec
		want error
	}{
		{"empty", nil, p.Article, c, ErrCorrupt},
		{"other version", otherVersion, p.Article, c, ErrUnsupportedFormat},
		{"other options", good, p.Article, NewCodec(Options{ShingleSize: 4}), ErrUnsupportedFormat},
		{"other preparation", good, p.Article, NewCodec(Options{Level: LevelNearDup}), ErrUnsupportedFormat},
		{"truncated", good[:len(good)/2], p.Article, c, ErrCorrupt},
		{"trailing byte", append(slices.Clone(good), 0), p.Article, c, ErrCorrupt},
		{"other text", good, wiretrace.Article{ID: a.ID, Text: a.Text + " more"}, c, ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Decode(tc.data, tc.art)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A different engine option that does not change preparation keeps the
	// fingerprint.
	if NewCodec(Options{MaxCandidates: 7}).Fingerprint() != c.Fingerprint() {
		t.Error("MaxCandidates changed the fingerprint; it does not change Prepare")
	}
	// LevelReuse prepares no event terms: an article it stored must be
	// prepared again for LevelStories.
	if NewCodec(Options{Level: LevelReuse}).Fingerprint() == c.Fingerprint() {
		t.Error("LevelReuse and LevelStories share a fingerprint; LevelReuse prepares no event terms")
	}
	r, err := NewPreparer(Options{Level: LevelReuse}).Prepare(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Terms) != 0 || len(p.Terms) == 0 || !slices.Equal(r.SentKeys, p.SentKeys) || !slices.Equal(r.DocKeys, p.DocKeys) {
		t.Errorf("LevelReuse: %d event terms (want 0, LevelStories %d) and other keys than LevelStories", len(r.Terms), len(p.Terms))
	}
}

func FuzzDecodePrepared(f *testing.F) {
	testFuzzDecodePrepared(f, Options{})
}

func FuzzDecodeDocumentPrepared(f *testing.F) {
	testFuzzDecodePrepared(f, Options{Level: LevelNearDup})
}

func testFuzzDecodePrepared(f *testing.F, opts Options) {
	pr := NewPreparer(opts)
	c := NewCodec(opts)
	for _, a := range seedArticles(f)[:2] {
		p, err := pr.Prepare(a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(c.Encode(nil, p))
	}
	p, _ := pr.Prepare(wiretrace.Article{ID: "x", Text: "One short line."})
	e, _ := New(opts)
	f.Add(c.Encode(nil, p))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := c.Decode(data, wiretrace.Article{ID: "x"})
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to the same bytes and can be indexed
		// and compared without panicking.
		if again := c.Encode(nil, q); !slices.Equal(again, data) {
			t.Fatalf("re-encoding differs")
		}
		e.Add(q)
		e.Add(q)
		e.Remove(q.Article.ID)
		align.Pair(&q.Doc, &q.Doc, align.Options{})
		Judge(&e.opts, q, 0, q, 1)
	})
}
