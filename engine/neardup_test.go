package engine_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
)

func readSeed(t *testing.T, id string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "seeds", id+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNearDupLevel: at LevelNearDup articles are compared as whole
// documents: an exact repost is a duplicate, a trimmed repost and one
// wrapped in page chrome are copies of the full text, and an independent
// report is not linked.
func TestNearDupLevel(t *testing.T) {
	full := readSeed(t, s002)
	paras := strings.Split(full, "\n\n")
	trimmed := strings.Join(paras[:len(paras)*2/3], "\n\n")
	wrapped := "Skip to main content\n\nWorld | Politics | Business\n\nADVERTISEMENT\n\n" +
		strings.ToUpper(full[:1]) + full[1:] + "\n\nRead more: the day in pictures\n\nShare this article"
	arts := []wiretrace.Article{
		{ID: "full", Text: full},
		{ID: "repost", Text: full},
		{ID: "trimmed", Text: trimmed},
		{ID: "wrapped", Text: wrapped},
		{ID: "independent", Text: readSeed(t, s003)},
	}
	opts := engine.Options{Level: engine.LevelNearDup}
	eng, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	pr := eng.NewPreparer()
	for _, a := range arts {
		p, err := pr.Prepare(a)
		if err != nil {
			t.Fatal(err)
		}
		if !p.DocumentOnly() || len(p.Doc.Sentences) != 0 || p.Shingles == 0 {
			t.Fatalf("%s: not a document-only preparation", a.ID)
		}
		eng.Add(p)
	}
	label := func(id, other string) (wiretrace.Label, engine.Match) {
		r, _ := eng.Lookup(id)
		for _, m := range r.Matches {
			if m.ID == other {
				return m.Label, m
			}
		}
		return "", engine.Match{}
	}
	if l, m := label("repost", "full"); l != wiretrace.Duplicate || m.Coverage != 1 || m.Similarity != 1 {
		t.Errorf("repost/full: %q %+v, want an exact duplicate", l, m)
	}
	if l, m := label("trimmed", "full"); l != wiretrace.Copy || m.Role != "source" || m.Coverage < 0.85 {
		t.Errorf("trimmed/full: %q %+v, want a copy of full (the source), mostly covered", l, m)
	}
	if l, _ := label("wrapped", "full"); l != wiretrace.Duplicate && l != wiretrace.Copy {
		t.Errorf("wrapped/full: %q, want duplicate or copy", l)
	}
	r, _ := eng.Lookup("independent")
	if len(r.Matches) != 0 {
		t.Errorf("independent: matches %+v, want none", r.Matches)
	}
	if r, _ := eng.Lookup("full"); r.CopyGroup == "" {
		t.Error("full: no copy group")
	}

	// A comparison is sentence by sentence even at this level.
	a, _ := eng.Article("full")
	b, _ := eng.Article("trimmed")
	c := engine.Compare(a, b, opts)
	if c.Label == "" || len(c.Links) < 5 || len(c.A.Sentences) == 0 {
		t.Errorf("compare full/trimmed: label %q, %d links, %d sentences", c.Label, len(c.Links), len(c.A.Sentences))
	}
}

// TestNearDupRejects: the document-only preparation refuses what the full
// one refuses.
func TestNearDupRejects(t *testing.T) {
	pr := engine.NewPreparer(engine.Options{Level: engine.LevelNearDup, MaxBytes: 100})
	for _, tc := range []struct {
		a    wiretrace.Article
		want error
	}{
		{wiretrace.Article{Text: "some words here"}, engine.ErrNoID},
		{wiretrace.Article{ID: "x", Text: strings.Repeat("word ", 30)}, engine.ErrTooLarge},
		{wiretrace.Article{ID: "x", Text: " — … ! "}, engine.ErrEmpty},
	} {
		if _, err := pr.Prepare(tc.a); !errors.Is(err, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.a, err, tc.want)
		}
	}
}
