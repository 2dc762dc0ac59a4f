package dedup

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/engine"
)

func TestDocFeaturesRoundTrip(t *testing.T) {
	for _, p := range preparedFixtures(t, engine.Options{Level: engine.LevelNearDup}) {
		b := appendDocFeatures(nil, p)
		var q engine.Prepared
		if err := decodeDocFeatures(b, &q); err != nil {
			t.Fatalf("%s: %v", p.Article.ID, err)
		}
		if q.Doc.Words != p.Doc.Words || q.Shingles != p.Shingles || q.Exact != p.Exact || !slices.Equal(q.Sig, p.Sig) {
			t.Fatalf("%s: decoded document features differ", p.Article.ID)
		}
		if err := decodeDocFeatures(b[:len(b)-1], &q); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: truncated record: got %v, want ErrCorrupt", p.Article.ID, err)
		}
	}
}

func FuzzDecodeDocFeatures(f *testing.F) {
	for _, p := range preparedFixtures(f, engine.Options{Level: engine.LevelNearDup})[:3] {
		f.Add(appendDocFeatures(nil, p))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var q engine.Prepared
		if decodeDocFeatures(b, &q) == nil && !q.DocumentOnly() {
			t.Fatal("a decoded record without a signature")
		}
	})
}

// TestTextBlocks: blocks read back as one stream of lines; damage is
// ErrCorrupt, never a panic or a huge allocation.
func TestTextBlocks(t *testing.T) {
	batches := []string{"{\"id\":\"a\"}\n{\"id\":\"b\"}\n", "", strings.Repeat("{\"id\":\"c\",\"text\":\"words words\"}\n", 5000)}
	var file []byte
	for _, b := range batches {
		file = appendTextBlock(file, []byte(b))
	}
	got, err := io.ReadAll(newTextReader(bytes.NewReader(file), "t"))
	if err != nil || string(got) != strings.Join(batches, "") {
		t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(strings.Join(batches, "")))
	}
	for name, bad := range map[string][]byte{
		"truncated":    file[:len(file)-3],
		"huge length":  {0xff, 0xff, 0xff, 0xff, 0x7f},
		"not s2":       append([]byte{4}, 0xff, 0xff, 0xff, 0xff),
		"cut length":   {0x80},
		"bad in block": append(appendTextBlock(nil, []byte("x\n")), 5, 1, 2, 3, 4, 5),
	} {
		if _, err := io.ReadAll(newTextReader(bytes.NewReader(bad), "t")); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzTextBlocks(f *testing.F) {
	f.Add(appendTextBlock(nil, []byte("a\nb\n")))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		io.Copy(io.Discard, newTextReader(bytes.NewReader(b), "t"))
	})
}
