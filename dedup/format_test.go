package dedup

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/ingest"
)

// preparedFixtures prepares the mixed fixture and the seeds.
func preparedFixtures(t testing.TB, opts engine.Options) []*engine.Prepared {
	t.Helper()
	pr := engine.NewPreparer(opts)
	var out []*engine.Prepared
	err := ingest.Read(context.Background(), []string{mixedFixture, seedsFixture}, ingest.Options{}, func(it ingest.Item) error {
		if it.Err != nil {
			return nil
		}
		p, err := pr.Prepare(it.Article)
		if err == nil {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The features record must give back the alignment doc bit for bit, so
// that Judge on spilled articles is Judge on prepared ones.
func TestFeaturesRoundTrip(t *testing.T) {
	for _, p := range preparedFixtures(t, engine.Options{}) {
		b := appendFeatures(nil, &p.Doc, p.Terms, true)
		var d align.Doc
		if err := decodeFeatures(b, &d); err != nil {
			t.Fatalf("%s: %v", p.Article.ID, err)
		}
		if !reflect.DeepEqual(d, p.Doc) {
			t.Fatalf("%s: decoded doc differs from the prepared one", p.Article.ID)
		}
		terms, err := decodeTerms(b, nil)
		if err != nil || !slices.Equal(terms, p.Terms) {
			t.Fatalf("%s: terms %v (%v), want %v", p.Article.ID, len(terms), err, len(p.Terms))
		}
		noTerms, err := decodeTerms(appendFeatures(nil, &p.Doc, p.Terms, false), nil)
		if err != nil || len(noTerms) != 0 {
			t.Fatalf("%s: terms without terms: %v, %v", p.Article.ID, noTerms, err)
		}
	}
}

func TestMetaRoundTrip(t *testing.T) {
	tests := []meta{
		{ID: "a", Origin: "x.jsonl:1", Words: 10, Bytes: 60, Indexed: 3, FeatOff: 8, FeatLen: 100, Credits: []string{"AP", "Reuters"}},
		{ID: "ü-ñ", Published: time.Date(2021, 12, 4, 10, 30, 0, 123456789, time.UTC), FeatOff: math.MaxUint32},
		{ID: "old", Published: time.Date(1066, 10, 14, 0, 0, 0, 0, time.UTC)},
		{ID: "epoch", Published: time.Unix(0, 0).UTC()},
	}
	for _, m := range tests {
		t.Run(m.ID, func(t *testing.T) {
			got, rest, err := decodeMeta(appendMeta(nil, &m))
			if err != nil || len(rest) != 0 {
				t.Fatalf("decode: %v, %d bytes left", err, len(rest))
			}
			if !got.Published.Equal(m.Published) || got.Published.IsZero() != m.Published.IsZero() {
				t.Errorf("published %v, want %v", got.Published, m.Published)
			}
			got.Published, m.Published = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, m) {
				t.Errorf("got %+v, want %+v", got, m)
			}
		})
	}
}

func TestEdgeRoundTrip(t *testing.T) {
	e := edge{a: 3, b: 70000, label: "rewrite", bCopy: true, reason: "contained in the other", covA: 0.5, covB: 1.0 / 3, sim: 0.71, alignedA: 4, alignedB: 5, links: 6}
	var got edge
	if err := decodeEdge(appendEdge(nil, &e), &got); err != nil {
		t.Fatal(err)
	}
	if got != e {
		t.Errorf("got %+v, want %+v", got, e)
	}
	bad := e
	bad.label = "cousin"
	if err := decodeEdge(appendEdge(nil, &bad), &got); err == nil {
		t.Error("unknown label decoded without error")
	}
}

func TestHeaderVersion(t *testing.T) {
	h := header(kindMeta)
	if err := checkHeader(h, kindMeta, "x"); err != nil {
		t.Fatal(err)
	}
	if err := checkHeader(h, kindFeat, "x"); err == nil {
		t.Error("wrong kind accepted")
	}
	h[6]++
	if err := checkHeader(h, kindMeta, "x"); err == nil {
		t.Error("unknown version accepted")
	}
}

func TestSortTuples(t *testing.T) {
	for _, n := range []int{0, 1, 255, 256, 5000} {
		var ts []tuple
		x := uint64(n) + 1
		for h := range n {
			for ord := range 3 {
				x = x*6364136223846793005 + 1442695040888963407
				key := x >> 52 // few distinct keys, so ties are common
				if h%7 == 0 {
					key |= x << 40 // and some keys use the high digits
				}
				ts = append(ts, tuple{key: key, h: uint32(h), ord: uint32(ord)})
			}
		}
		want := slices.Clone(ts)
		slices.SortStableFunc(want, func(a, b tuple) int { return cmp.Compare(a.key, b.key) })
		sortTuples(ts, nil)
		if !slices.Equal(ts, want) {
			t.Errorf("n=%d: radix sort differs from a stable sort", n)
		}
	}
}

// writeTestRun sorts ts and writes them as a finished run (kind, payloads
// framed in arena) named name in dir, and returns its path.
func writeTestRun(t *testing.T, dir, name string, kind byte, ts []tuple, arena []byte) string {
	t.Helper()
	sortTuples(ts, nil)
	p := filepath.Join(dir, name)
	if err := writeRun(p, kind, ts, arena); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{p, p + ".idx"} {
		if err := os.Rename(q+".tmp", q); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// mergeTestRuns merges runs over keys [lo, hi] in blocks of 4 KiB, checks
// that records come in (key, handle) order, calls fn with each, and
// returns how many there were.
func mergeTestRuns(t *testing.T, runs []string, kind byte, lo, hi uint64, fn func(tuple, []byte)) int {
	t.Helper()
	var cs []*runCursor
	for _, p := range runs {
		c, err := openRun(p, kind, lo, hi, 4096)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	m := newMerger(cs)
	defer m.close()
	var prev tuple
	n := 0
	for {
		tp, payload, ok := m.next()
		if !ok {
			break
		}
		if n > 0 && (tp.key < prev.key || (tp.key == prev.key && tp.h <= prev.h)) {
			t.Fatalf("%v after %v: not in (key, handle) order", tp, prev)
		}
		fn(tp, payload)
		prev = tp
		n++
	}
	if err := m.err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRunCursorRange checks the binary search and range limits of run
// cursors, and the merger's order across runs.
func TestRunCursorRange(t *testing.T) {
	dir := t.TempDir()
	var runs []string
	for r := range 3 {
		var ts []tuple
		for i := range 1000 {
			ts = append(ts, tuple{key: uint64(i * 3 % 1000), h: uint32(r*1000 + i)})
		}
		runs = append(runs, writeTestRun(t, dir, "r"+string(rune('0'+r)), kindDoc, ts, nil))
	}
	n := mergeTestRuns(t, runs, kindDoc, 100, 199, func(tp tuple, _ []byte) {
		if tp.key < 100 || tp.key > 199 {
			t.Fatalf("key %d outside [100, 199]", tp.key)
		}
	})
	if n != 300 {
		t.Errorf("merged %d tuples, want 300", n)
	}
	if _, err := openRun(runs[0], kindSent, 0, 1, 4096); err == nil {
		t.Error("run of the wrong kind opened")
	}
}

// TestSentenceRunPayloads merges sentence runs read in 4 KiB blocks, with
// payloads from a few bytes to several blocks long: every record comes
// out with its own payload (a view into a block, or assembled across
// blocks), in (key, handle) order.
func TestSentenceRunPayloads(t *testing.T) {
	dir := t.TempDir()
	body := func(h, ord uint32) []byte {
		n := int(h*7919+ord*104729) % 9000 // up to two blocks and more
		if h%5 == 0 {
			n %= 40
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(h + ord*3 + uint32(i)*11)
		}
		return b
	}
	var runs []string
	total := 0
	for r := range 3 {
		var ts []tuple
		var arena []byte
		for i := range 400 {
			h, ord := uint32(r*1000+i), uint32(i%4)
			off := len(arena)
			b := body(h, ord)
			arena = binary.AppendUvarint(arena, uint64(len(b)))
			arena = append(arena, b...)
			ts = append(ts, tuple{key: uint64(i * 7 % 50), h: h, ord: ord, off: uint32(off)})
		}
		runs = append(runs, writeTestRun(t, dir, "s"+string(rune('0'+r)), kindSent, ts, arena))
		total += len(ts)
	}
	n := 0
	merged := mergeTestRuns(t, runs, kindSent, 0, math.MaxUint64, func(tp tuple, payload []byte) {
		if want := body(tp.h, tp.ord); !bytes.Equal(payload, want) {
			t.Fatalf("record %d (%v): payload of %d bytes differs from the %d written", n, tp, len(payload), len(want))
		}
		n++
	})
	if merged != total {
		t.Errorf("merged %d records, want %d", merged, total)
	}
}

// FuzzDecodeFeatures: arbitrary bytes never panic the decoders, and a
// record that decodes has sentences whose terms are in range.
func FuzzDecodeFeatures(f *testing.F) {
	for _, p := range preparedFixtures(f, engine.Options{})[:5] {
		f.Add(appendFeatures(nil, &p.Doc, p.Terms, true))
	}
	f.Add([]byte{1, 0, 200, 3, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var d align.Doc
		if err := decodeFeatures(b, &d); err == nil {
			for i := range d.Sentences {
				_ = d.SentenceTerms(i)
			}
		}
		decodeTerms(b, nil)
	})
}

// FuzzDecodeRecords covers the meta, edge and candidate decoders.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(appendMeta(nil, &meta{ID: "x", Origin: "o", Published: time.Now(), Words: 3}))
	f.Add(appendEdge(nil, &edge{a: 1, b: 2, label: "copy", reason: "r"}))
	f.Add(binary.AppendUvarint(nil, math.MaxUint64))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeMeta(b)
		var e edge
		decodeEdge(b, &e)
		if len(b) >= candSize {
			getCand(b)
		}
	})
}

func TestManifestVersion(t *testing.T) {
	dir := t.TempDir()
	m := &manifest{Version: FormatVersion + 1}
	if err := m.save(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := loadManifest(dir); err == nil {
		t.Error("manifest of an unknown version loaded")
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadManifest(dir); err == nil {
		t.Error("broken manifest loaded")
	}
}

// TestHitCounter checks that the dense and the sparse counters count the
// same: distinct sentences per article, plus 1<<20 for a document hit.
func TestHitCounter(t *testing.T) {
	type add struct{ e, s uint32 }
	adds := []add{{3, 0}, {3, 0}, {5, 0}, {3, 1}, {7, 1}, {3, 2}, {5, 2}, {5, 2}, {3, docMark}, {9, docMark}, {9, docMark}}
	want := map[uint32]int{3: 3 + 1<<20, 5: 2, 7: 1, 9: 1 << 20}
	for _, dense := range []bool{true, false} {
		h := newHitCounter(10, dense)
		for round := range 2 { // the counter resets after each
			for _, a := range adds {
				h.add(a.e, a.s)
			}
			got := map[uint32]int{}
			h.each(func(e uint32, hits int) { got[e] = hits })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("dense=%v round %d: got %v, want %v", dense, round, got, want)
			}
		}
	}
}

// TestBucketListCache reads bucket list prefixes through a cache small
// enough to be cleared, and checks every read.
func TestBucketListCache(t *testing.T) {
	dir := t.TempDir()
	var b []byte
	for i := range 1000 {
		b = binary.LittleEndian.AppendUint32(b, uint32(i))
	}
	p := filepath.Join(dir, "l")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := &candRanker{lists: []*os.File{f}, cacheLimit: 200}
	for _, q := range []struct{ pos, j uint32 }{{0, 10}, {0, 5}, {0, 40}, {100, 30}, {0, 40}, {500, 45}, {100, 31}} {
		l, err := cr.list(uint64(q.pos), q.j)
		if err != nil {
			t.Fatal(err)
		}
		if len(l) != int(q.j) || (q.j > 0 && (l[0] != q.pos || l[q.j-1] != q.pos+q.j-1)) {
			t.Errorf("list(%d, %d) = %v", q.pos, q.j, l)
		}
	}
	if cr.cacheBytes > cr.cacheLimit {
		t.Errorf("cache holds %d bytes, limit %d", cr.cacheBytes, cr.cacheLimit)
	}
	if _, err := cr.list(1<<listFileShift, 1); err == nil {
		t.Error("a list in a file that does not exist was read")
	}
}

// TestSentencePayload checks that a payload gives back the sentence as
// SentenceSim sees it in the document.
func TestSentencePayload(t *testing.T) {
	ps := preparedFixtures(t, engine.Options{})
	var arena sentenceArena
	for _, p := range ps[:10] {
		for i := range p.Doc.Sentences {
			b := appendPayload(nil, &p.Doc, i)
			n, k := binary.Uvarint(b)
			if int(n)+k != len(b) {
				t.Fatalf("payload framing: %d+%d != %d", n, k, len(b))
			}
			var q, e sentence
			if err := arena.decodeSentences(b[k:], &q, &e); err != nil {
				t.Fatal(err)
			}
			for _, o := range ps[10:14] {
				for j := range o.Doc.Sentences {
					ob := appendPayload(nil, &o.Doc, j)
					_, ok := binary.Uvarint(ob)
					var oq, oe sentence
					if err := arena.decodeSentences(ob[ok:], &oq, &oe); err != nil {
						t.Fatal(err)
					}
					sim := align.SentenceSim(&p.Doc, i, &o.Doc, j)
					for _, min := range []float64{sim, math.Nextafter(sim, 0), math.Nextafter(sim, 2), 0.3, 0.5} {
						if got, want := q.atLeast(&oe, min), sim >= min; got != want {
							t.Fatalf("%s/%d vs %s/%d: similarity ≥ %v is %v from payloads, %v from docs (%v)", p.Article.ID, i, o.Article.ID, j, min, got, want, sim)
						}
					}
				}
			}
			arena.reset()
		}
	}
}

// FuzzSentencePayload: arbitrary payload bodies never panic the decoder,
// and what decodes compares without panicking.
func FuzzSentencePayload(f *testing.F) {
	for _, p := range preparedFixtures(f, engine.Options{})[:3] {
		b := appendPayload(nil, &p.Doc, 0)
		_, k := binary.Uvarint(b)
		f.Add(b[k:])
	}
	f.Add([]byte{2, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128, 63, 1})
	f.Fuzz(func(t *testing.T, body []byte) {
		var a sentenceArena
		var q, e sentence
		if err := a.decodeSentences(body, &q, &e); err == nil {
			q.atLeast(&e, 0.5)
		}
	})
}

// A sentence past index 65535 carries sentence 65535 as its entry side,
// which is what the engine's index entries name for it.
func TestSentencePayloadPastMaxRef(t *testing.T) {
	var d align.Doc
	for i := range maxSentenceRef + 3 {
		d.Sentences = append(d.Sentences, align.Sentence{Off: uint32(len(d.Terms)), NTerms: 1, Weight: float32(i)})
		d.Terms = append(d.Terms, uint32(i))
		d.Weights = append(d.Weights, float32(i))
	}
	var arena sentenceArena
	for _, i := range []int{maxSentenceRef - 1, maxSentenceRef, maxSentenceRef + 2} {
		b := appendPayload(nil, &d, i)
		_, k := binary.Uvarint(b)
		var q, e sentence
		if err := arena.decodeSentences(b[k:], &q, &e); err != nil {
			t.Fatal(err)
		}
		if q.terms[0] != uint32(i) || e.terms[0] != uint32(min(i, maxSentenceRef)) {
			t.Errorf("sentence %d: query side %v, entry side %v", i, q.terms, e.terms)
		}
	}
}
