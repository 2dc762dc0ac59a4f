package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/eval"
)

func fixtureThesaurus(t testing.TB) *Thesaurus {
	t.Helper()
	th, err := LoadThesaurus("testdata/wordnet", nil)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestSentences(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"One. Two.", []string{"One.", "Two."}},
		{"Mr. Smith went to Washington. He spoke.", []string{"Mr. Smith went to Washington.", "He spoke."}},
		{"The U.S. Army said so. It did.", []string{"The U.S. Army said so.", "It did."}},
		{`"Go home," he said. "Now!" She left.`, []string{`"Go home," he said.`, `"Now!"`, "She left."}},
		{"Prices rose 3.5 pct in March. Analysts were surprised.", []string{"Prices rose 3.5 pct in March.", "Analysts were surprised."}},
		{"It ended... and then it began. Fine.", []string{"It ended... and then it began.", "Fine."}},
		{"lower case. continues here", []string{"lower case. continues here"}},
		{"", nil},
		{"No stop at the end", []string{"No stop at the end"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := sentences(c.in); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestParagraphsJoinsWireCopy(t *testing.T) {
	wire := "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\nJanuary and improving prospects for the coming temporao,\nalthough normal humidity levels have not been restored.\n    The dry period means the temporao will be late this year.\n    Arrivals for the week ended February 22 were 155,221 bags.\n"
	got := paragraphs(wire)
	if len(got) != 3 || !strings.HasPrefix(got[0], "Showers continued throughout the week in the Bahia") {
		t.Fatalf("got %d paragraphs %q, want 3 with the wrapped lines joined", len(got), got)
	}
}

func TestParagraphsJoinsShortWrap(t *testing.T) {
	got := paragraphs("Enron Corp said it will pay accrued\nsecond quarter dividends on three series of preferred stock.\nReuter")
	want := []string{"Enron Corp said it will pay accrued second quarter dividends on three series of preferred stock.", "Reuter"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestShingleJaccard(t *testing.T) {
	cases := []struct {
		a, b string
		want float64
	}{
		{"a b c d e", "a b c d e", 1},
		{"A b, c d e!", "a B c d E", 1}, // case and punctuation ignored
		{"a b c d e f", "a b c d e g", 1.0 / 3},
		{"a b c d e", "v w x y z", 0},
		{"", "", 1},
		{"a b", "a b c d e", 0}, // no 5-gram on one side
	}
	for _, c := range cases {
		if got := ShingleJaccard(c.a, c.b, 5); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("ShingleJaccard(%q, %q): got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestThesaurusFixture(t *testing.T) {
	th := fixtureThesaurus(t)
	cases := []struct {
		word string
		want []string // possible answers; nil: no synonym
	}{
		{"profit", []string{"earnings"}},
		{"profits", []string{"earningses"}}, // regular plural of the synonym (the fixture has no word filter)
		{"children", []string{"kids"}},      // irregular plural via noun.exc
		{"increased", []string{"raised"}},
		{"increasing", []string{"raising"}},
		{"increases", []string{"raises"}},
		{"said", []string{"stated"}}, // "tell" is irregular: never inflected by rule
		{"big", []string{"large"}},
		{"quick", []string{"speedy"}}, // satellite adjective, head word dropped from the sense key
		{"quickly", []string{"rapidly"}},
		{"bank", nil},                              // first sense is not the dominant one
		{"report", nil},                            // noun and verb equally common: ambiguous
		{"net_income", nil},                        // not a lemma of its own here
		{"unknownword", nil},                       // not in WordNet
		{"stating", []string{"saying", "telling"}}, // irregular verbs have regular gerunds
		{"states", []string{"says", "tells"}},
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range cases {
		t.Run(c.word, func(t *testing.T) {
			seen := map[string]bool{}
			for range 300 {
				if got, ok := th.Synonym(c.word, rng); ok {
					seen[got] = true
				}
			}
			var got []string
			for w := range seen {
				got = append(got, w)
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestThesaurusWordFilter(t *testing.T) {
	th, err := LoadThesaurus("testdata/wordnet", func(w string) bool { return w != "earningses" })
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	if got, ok := th.Synonym("profits", rng); ok {
		t.Errorf("got %q, want no synonym: the only inflected candidate is filtered out", got)
	}
	if got, ok := th.Synonym("profit", rng); !ok || got != "earnings" {
		t.Errorf("got %q, %v; want earnings", got, ok)
	}
}

func TestLoadThesaurusMissing(t *testing.T) {
	_, err := LoadThesaurus(t.TempDir(), nil)
	if !errors.Is(err, ErrNoWordNet) {
		t.Fatalf("got %v, want ErrNoWordNet", err)
	}
}

func TestInflect(t *testing.T) {
	th := &Thesaurus{}
	for p := range numPOS {
		th.irregular[p] = map[string]bool{}
	}
	th.irregular[verb]["tell"] = true
	cases := []struct {
		lemma string
		p     pos
		f     form
		want  string
		ok    bool
	}{
		{"box", noun, plural, "boxes", true},
		{"city", noun, plural, "cities", true},
		{"day", noun, plural, "days", true},
		{"raise", verb, past, "raised", true},
		{"carry", verb, past, "carried", true},
		{"stop", verb, past, "", false}, // might double its last letter
		{"go", verb, plural, "goes", true},
		{"tell", verb, gerund, "telling", true},
		{"state", verb, gerund, "stating", true},
		{"agree", verb, gerund, "agreeing", true},
		{"tell", verb, past, "", false},
		{"large", adj, plural, "", false},
		{"anything", noun, base, "anything", true},
	}
	for _, c := range cases {
		got, ok := th.inflect(c.lemma, c.p, c.f)
		if got != c.want || ok != c.ok {
			t.Errorf("inflect(%s, %d, %d): got %q %v, want %q %v", c.lemma, c.p, c.f, got, ok, c.want, c.ok)
		}
	}
}

func TestRoundTripClauseRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	cases := []struct{ in, want string }{
		{"The presidents will decide how long the call lasts, the Kremlin spokesman said.",
			"The Kremlin spokesman said that the presidents will decide how long the call lasts."},
		{`"The presidents will decide themselves," Peskov said.`, `Peskov said: "The presidents will decide themselves."`},
		{"The two leaders will speak by video link on Tuesday.", "On Tuesday, the two leaders will speak by video link."},
	}
	for _, c := range cases {
		got, n := roundTrip(c.in, rng, 1, 0)
		if got != c.want || n < 2 {
			t.Errorf("roundTrip(%q):\n got %q (%d changes)\nwant %q", c.in, got, n, c.want)
		}
	}
	if got, n := roundTrip("Nothing to change here.", rng, 1, 1); n != 0 || got != "Nothing to change here." {
		t.Errorf("got %q, %d changes; want it unchanged", got, n)
	}
}

func TestTransformsKeepText(t *testing.T) {
	th := fixtureThesaurus(t)
	rng := rand.New(rand.NewPCG(5, 5))
	s := "The company said profits increased 20 pct in the quarter, the U.S. unit reported on Tuesday."
	if out, ok := lightEdit(s, th, rng, 0); !ok || out == s || countWords(out) < countWords(s)-8 {
		t.Errorf("lightEdit: got %q, %v", out, ok)
	}
	out, ok := ocrNoise(s, rng, 1)
	if !ok || out == s {
		t.Errorf("ocrNoise at rate 1: got %q, want changes", out)
	}
	if out, ok := ocrNoise(s, rng, 0); ok || out != s {
		t.Errorf("ocrNoise at rate 0: got %q, want the sentence unchanged", out)
	}
	out, n := reword(s, th, rng, 1)
	if n == 0 || !strings.Contains(out, "earnings") {
		t.Errorf("reword: got %q (%d), want profits replaced", out, n)
	}
	if parts, ok := splitSentence("The ministry said output rose sharply in the first half, and it expects a similar rise next year."); !ok || len(parts) != 2 {
		t.Errorf("splitSentence: got %q", parts)
	}
}

func TestPairKind(t *testing.T) {
	cases := []struct {
		name                  string
		cov, src, verb, rewrd float64
		want                  wiretrace.Label
	}{
		{"nothing", 0.05, 0.08, 1, 0, ""},
		{"a quote", 0.12, 0.05, 1, 0, wiretrace.Partial},
		{"minority both ways", 0.45, 0.3, 1, 0, wiretrace.Partial},
		{"verbatim whole", 0.98, 0.95, 0.97, 0, wiretrace.Duplicate},
		{"trimmed", 1, 0.6, 1, 0, wiretrace.Copy},
		{"whole but edited", 0.95, 0.95, 0.7, 0.1, wiretrace.Copy},
		{"reworded", 1, 0.9, 0.1, 0.8, wiretrace.Rewrite},
		{"short source carried whole", 0.3, 1, 1, 0, wiretrace.Copy},
	}
	for _, c := range cases {
		if got := pairKind(c.cov, c.src, c.verb, c.rewrd); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func generate(t *testing.T, n int, seed uint64) ([]*Record, Stats, []byte) {
	t.Helper()
	c, err := LoadCorpus(context.Background(), []string{"testdata/corpus/mixed.jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(c, fixtureThesaurus(t), Options{N: n, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	var recs []*Record
	st, err := g.Run(context.Background(), func(r *Record) error {
		recs = append(recs, r)
		return enc.Encode(r)
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, st, buf.Bytes()
}

func TestGenerateDeterministic(t *testing.T) {
	_, _, a := generate(t, 300, 7)
	_, _, b := generate(t, 300, 7)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with one seed differ")
	}
	_, _, c := generate(t, 300, 8)
	if bytes.Equal(a, c) {
		t.Fatal("two seeds give the same output")
	}
}

// TestGenerateTruth checks the invariants of the truth on a set large
// enough for every recipe and for cipher epochs (the fixture corpus holds
// 84 articles).
func TestGenerateTruth(t *testing.T) {
	const n = 1200
	recs, st, raw := generate(t, n, 1)
	if len(recs) != n || st.Articles != n {
		t.Fatalf("got %d records (stats %d), want %d", len(recs), st.Articles, n)
	}
	if st.Epochs < 2 {
		t.Errorf("got %d epochs, want ≥ 2 for %d articles from 84", st.Epochs, n)
	}
	for _, r := range []string{RecipeOriginal, RecipeDuplicate, RecipeCopy, RecipeCopyOCR, RecipeSpin, RecipeTranslation, RecipePartial, RecipeComposite} {
		if st.Recipes[r] == 0 {
			t.Errorf("recipe %s never used: %v", r, st.Recipes)
		}
	}
	pos := map[string]int{}
	byID := map[string]*Record{}
	for i, r := range recs {
		if _, dup := pos[r.ID]; dup {
			t.Fatalf("id %s repeated", r.ID)
		}
		pos[r.ID] = i
		byID[r.ID] = r
	}
	// Union-find over same-text edges must give exactly the copy groups.
	group := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if p, ok := group[x]; ok && p != x {
			r := find(p)
			group[x] = r
			return r
		}
		return x
	}
	for _, r := range recs {
		direct := 0
		for _, d := range r.DerivedFrom {
			if j, ok := pos[d.ID]; !ok || j >= pos[r.ID] {
				t.Fatalf("%s derived from %s, which is not earlier in the stream", r.ID, d.ID)
			}
			if !(d.Coverage > 0 && d.Coverage <= 1) || d.Kind.Rank() > 3 {
				t.Fatalf("%s: bad edge %+v", r.ID, d)
			}
			if d.Direct {
				direct++
			}
			if d.Kind.SameText() {
				group[find(r.ID)] = find(d.ID)
			}
		}
		derived := r.Recipe != RecipeOriginal && r.Recipe != RecipeDistractor
		if derived && direct == 0 {
			t.Errorf("%s (%s) has no direct derivation: %+v", r.ID, r.Recipe, r.DerivedFrom)
		}
		if !derived && direct > 0 {
			t.Errorf("%s (%s) has a direct derivation", r.ID, r.Recipe)
		}
		if (r.Recipe == RecipePartial) != (r.Story == "") {
			t.Errorf("%s (%s): story %q; want none exactly for partial reuse", r.ID, r.Recipe, r.Story)
		}
		if r.Recipe == RecipeDuplicate && (r.Text == byID[r.DerivedFrom[0].ID].Text) {
			t.Errorf("%s: a duplicate's page has no chrome", r.ID)
		}
	}
	members := map[string][]string{}
	for _, r := range recs {
		members[find(r.ID)] = append(members[find(r.ID)], r.ID)
	}
	for _, ids := range members {
		for _, id := range ids {
			want := ""
			if len(ids) > 1 {
				want = byID[ids[0]].CopyGroup
			}
			if got := byID[id].CopyGroup; got != want || len(ids) > 1 && got == "" {
				t.Fatalf("%s: copy group %q, want %q (component %v)", id, got, want, ids)
			}
		}
	}
	// The output is the labelled format eval reads, with nothing skipped.
	d, err := eval.ReadLabelled(bytes.NewReader(raw), "gen", eval.ReadOptions{})
	if err != nil || d.Stats.Skipped != 0 || len(d.Articles) != n || d.UnknownIDs != 0 {
		t.Fatalf("eval.ReadLabelled: %v, %d skipped, %d articles, %d unknown ids", err, d.Stats.Skipped, len(d.Articles), d.UnknownIDs)
	}
	if d.CopyGroups == nil || len(d.Derivations) == 0 || d.Unlabelled != st.Recipes[RecipePartial] {
		t.Errorf("truth: copy groups %v, %d derivations, %d unlabelled stories (want %d partials)", d.CopyGroups != nil, len(d.Derivations), d.Unlabelled, st.Recipes[RecipePartial])
	}
}

// TestGenerateCoverage checks the true coverage of simple derivations
// against the texts.
func TestGenerateCoverage(t *testing.T) {
	recs, _, _ := generate(t, 400, 3)
	byID := map[string]*Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	checked := 0
	for _, r := range recs {
		for _, d := range r.DerivedFrom {
			if !d.Direct {
				continue
			}
			switch r.Recipe {
			case RecipeDuplicate:
				if d.Coverage != 1 || d.Kind != wiretrace.Duplicate && byID[d.ID].Recipe != RecipePartial {
					t.Errorf("%s: duplicate of %s with coverage %v, kind %s; want 1, duplicate", r.ID, d.ID, d.Coverage, d.Kind)
				}
				checked++
			case RecipePartial:
				if d.Coverage >= 0.6 && d.Kind == wiretrace.Partial {
					t.Errorf("%s: partial with coverage %v", r.ID, d.Coverage)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d derivations, want ≥ 20", checked)
	}
}

func TestCipherKeepsShape(t *testing.T) {
	c, err := LoadCorpus(context.Background(), []string{"testdata/corpus/mixed.jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(c, fixtureThesaurus(t), Options{N: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := "Kremlin spokesman Dmitry Peskov confirmed the plans on Saturday."
	out := applyCipher(s, g.cipher(1))
	if out == s || countWords(out) != countWords(s) || !strings.HasSuffix(out, ".") {
		t.Errorf("got %q, want the same shape with other words", out)
	}
	if again := applyCipher(s, g.cipher(1)); again != out {
		t.Errorf("cipher not deterministic: %q vs %q", again, out)
	}
	if other := applyCipher(s, g.cipher(2)); other == out {
		t.Errorf("epochs 1 and 2 give the same text %q", out)
	}
}

// TestRealWordNet runs against Debian's wordnet-base when it is installed.
func TestRealWordNet(t *testing.T) {
	if _, err := os.Stat(DefaultWordNet + "/data.noun"); err != nil {
		t.Skipf("WordNet not installed at %s (apt-get install wordnet-base); skipping", DefaultWordNet)
	}
	th, err := LoadThesaurus(DefaultWordNet, nil)
	if err != nil {
		t.Fatal(err)
	}
	if th.Words() < 1000 || th.Synsets < 100000 {
		t.Errorf("got %d words from %d synsets, want ≥ 1000 from ≥ 100000", th.Words(), th.Synsets)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, w := range []string{"the", "rose", "left", "Kremlin"} {
		if got, ok := th.Synonym(w, rng); ok {
			t.Errorf("%s: got synonym %q, want none (function word, ambiguous irregular form, name)", w, got)
		}
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"One. Two.", "Mr. A. B. Smith, Jr. said. “Yes.” No", "...", "a.b.c. D", "\"\". ”. X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		ss := sentences(p)
		if got, want := strings.Join(strings.Fields(strings.Join(ss, " ")), " "), strings.Join(strings.Fields(p), " "); got != want {
			t.Fatalf("sentences lose text: %q → %q", p, ss)
		}
	})
}

func FuzzTransforms(f *testing.F) {
	th := fixtureThesaurus(f)
	for _, s := range []string{"The company said profits increased, the minister said.", `"Go," he said.`, "x", "Ünïcode wörds on Tuesday."} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, seed))
		for _, out := range []string{
			first(roundTrip(s, rng, 1, 1)), first(reword(s, th, rng, 1)), first(lightEdit(s, th, rng, 0.5)),
			first(ocrNoise(s, rng, 0.5)), applyCipher(s, map[string]string{"the": "a"}),
		} {
			if countWords(s) > 0 && strings.TrimSpace(out) == "" {
				t.Fatalf("%q became empty", s)
			}
		}
		splitSentence(s)
	})
}

func first[T any, U any](x T, _ U) T { return x }

func FuzzWordNetLines(f *testing.F) {
	for _, s := range []string{
		"00000010 04 n 03 profit 0 earnings 0 net_income 0 000 | gloss",
		"profit n 1 1 @ 1 1 00000010", "  1 licence", "x n -1 -5", "00000010 04 n ff a 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if _, s, err := parseDataLine(line); err == nil && s != nil && s.ssType == 0 {
			t.Fatalf("synset without type from %q", line)
		}
		if lemma, _, ok, err := parseIndexLine(line); err == nil && ok && lemma == "" {
			t.Fatalf("empty lemma from %q", line)
		}
	})
}
