package engine

import (
	"cmp"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
)

// seedEngine indexes the seed cluster plus two unrelated articles.
func seedEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr := e.NewPreparer()
	arts := seedArticles(t)
	arts = append(arts,
		wiretrace.Article{ID: "other", Source: "Gazette", URL: "https://www.gazette.example/a",
			Published: time.Date(2022, 3, 1, 9, 0, 0, 0, time.UTC),
			Text:      "Farmers in the northern valley reported a record apple harvest this autumn. Cooperative managers said prices held steady despite the larger crop."},
		wiretrace.Article{ID: "other-copy", URL: "https://news.example/b",
			Published: time.Date(2022, 3, 1, 15, 0, 0, 0, time.UTC),
			Text:      "Farmers in the northern valley reported a record apple harvest this autumn. Cooperative managers said prices held steady despite the larger crop."},
	)
	for _, a := range arts {
		p, err := pr.Prepare(a)
		if err != nil {
			t.Fatal(err)
		}
		e.Add(p)
	}
	return e
}

// TestStoryAgreesWithReport: the per-story query answers what the whole
// Report says about that story.
func TestStoryAgreesWithReport(t *testing.T) {
	e := seedEngine(t)
	r := e.Report()
	info := map[string]ArticleInfo{}
	for _, a := range r.Articles {
		info[a.ID] = a
	}
	if len(r.Stories) < 2 {
		t.Fatalf("got %d stories, want the seed story and the harvest story", len(r.Stories))
	}
	for _, s := range r.Stories {
		t.Run(s.ID, func(t *testing.T) {
			d, ok := e.Story(s.ID)
			if !ok {
				t.Fatalf("Story(%s) not found", s.ID)
			}
			if d.ID != s.ID || d.Title != s.Title {
				t.Errorf("got id %q title %q, want %q %q", d.ID, d.Title, s.ID, s.Title)
			}
			var ids []string
			for _, a := range d.Articles {
				ids = append(ids, a.ID)
				if !reflect.DeepEqual(a.ArticleInfo, info[a.ID]) {
					t.Errorf("article %s: got %+v, want %+v", a.ID, a.ArticleInfo, info[a.ID])
				}
				if got, ok := e.Info(a.ID); !ok || !reflect.DeepEqual(got, info[a.ID]) {
					t.Errorf("Info(%s): got %+v, want %+v", a.ID, got, info[a.ID])
				}
				if got, _ := e.StoryOf(a.ID); got != s.ID {
					t.Errorf("StoryOf(%s): got %q, want %q", a.ID, got, s.ID)
				}
			}
			if !slices.Equal(ids, s.Articles) {
				t.Errorf("members: got %v, want %v", ids, s.Articles)
			}
			briefs := e.Briefs(append(slices.Clone(ids), "nope"))
			for i, a := range d.Articles {
				if briefs[i] == nil || !reflect.DeepEqual(*briefs[i], a) {
					t.Errorf("Briefs[%d]: got %+v, want %+v", i, briefs[i], a)
				}
			}
			if briefs[len(ids)] != nil {
				t.Error("Briefs of an unknown id is not nil")
			}
			if many := e.Stories([]string{s.ID, "s999"}); !reflect.DeepEqual(many[0], d) || many[1] != nil {
				t.Errorf("Stories: got %v, want the story and nil", many)
			}
			sums := e.StorySummaries([]string{s.ID, "nope"}, 2)
			want := &StorySummary{ID: d.ID, Title: d.Title, Articles: len(d.Articles), Outlets: d.Outlets, CopyGroups: len(d.CopyGroups),
				First: d.First, Last: d.Last, Sample: d.Articles[:min(2, len(d.Articles))]}
			if !reflect.DeepEqual(sums[0], want) || sums[1] != nil {
				t.Errorf("StorySummaries: got %+v, want %+v and nil", sums[0], want)
			}
			in := map[string]bool{}
			for _, id := range ids {
				in[id] = true
			}
			var groups []CopyGroupInfo
			for _, g := range r.CopyGroups {
				if in[g.Articles[0]] {
					groups = append(groups, g)
				}
			}
			if !reflect.DeepEqual(d.CopyGroups, append([]CopyGroupInfo{}, groups...)) {
				t.Errorf("copy groups: got %+v, want %+v", d.CopyGroups, groups)
			}
			reuse := []ReuseInfo{}
			for _, u := range r.Reuse {
				if in[u.Copy] && in[u.Source] {
					reuse = append(reuse, u)
				}
			}
			if !reflect.DeepEqual(d.Reuse, reuse) {
				t.Errorf("reuse: got %+v, want %+v", d.Reuse, reuse)
			}
		})
	}
}

func TestStoryAggregates(t *testing.T) {
	e := seedEngine(t)
	st, _ := e.StoryOf("other")
	d, ok := e.Story(st)
	if !ok {
		t.Fatalf("Story(%s) not found", st)
	}
	if got := len(d.Articles); got != 2 {
		t.Fatalf("got %d members, want 2", got)
	}
	if d.Outlets != 2 || d.Articles[0].Outlet != "Gazette" || d.Articles[1].Outlet != "news.example" {
		t.Errorf("outlets: got %d (%q, %q), want 2 (Gazette, news.example)", d.Outlets, d.Articles[0].Outlet, d.Articles[1].Outlet)
	}
	if d.First == nil || d.Last == nil || d.First.Hour() != 9 || d.Last.Hour() != 15 {
		t.Errorf("first/last: got %v/%v, want 09:00/15:00", d.First, d.Last)
	}
	if len(d.Reuse) != 1 || d.Reuse[0].Copy != "other-copy" || d.Reuse[0].Source != "other" {
		t.Errorf("reuse: got %+v, want other-copy copying other", d.Reuse)
	}
	if len(d.CopyGroups) != 1 || d.Articles[1].CopyGroup != "g:other" {
		t.Errorf("copy groups: got %+v, member group %q, want one group g:other", d.CopyGroups, d.Articles[1].CopyGroup)
	}
}

func TestStoryLookupMisses(t *testing.T) {
	e := seedEngine(t)
	for _, id := range []string{"", "s", "s0", "s01", "s-1", "x1", "s999", "s1 "} {
		if _, ok := e.Story(id); ok {
			t.Errorf("Story(%q) found, want not found", id)
		}
	}
	st, _ := e.StoryOf("other")
	e.Remove("other")
	e.Remove("other-copy")
	if _, ok := e.Story(st); ok {
		t.Errorf("Story(%s) found after removing every member", st)
	}
	if _, ok := e.Info("other"); ok {
		t.Error("Info of a removed article found")
	}
	if _, ok := e.StoryOf("other"); ok {
		t.Error("StoryOf of a removed article found")
	}
}

func TestOutlet(t *testing.T) {
	for _, tc := range []struct {
		a    wiretrace.Article
		want string
	}{
		{wiretrace.Article{Source: " AP "}, "AP"},
		{wiretrace.Article{URL: "https://WWW.Example.com/x"}, "example.com"},
		{wiretrace.Article{Source: "BBC", URL: "https://bbc.co.uk/"}, "BBC"},
		{wiretrace.Article{URL: "not a url"}, ""},
		{wiretrace.Article{}, ""},
	} {
		if got := Outlet(&tc.a); got != tc.want {
			t.Errorf("Outlet(%+v): got %q, want %q", tc.a, got, tc.want)
		}
	}
}

// TestSortReuse: sortReuse orders as a stable sort by label rank and
// decreasing coverage does.
func TestSortReuse(t *testing.T) {
	labels := []wiretrace.Label{wiretrace.Duplicate, wiretrace.Copy, wiretrace.Rewrite, wiretrace.Partial}
	for n := range 300 {
		rs := make([]ReuseInfo, n)
		for i := range rs {
			rs[i] = ReuseInfo{Copy: string(rune('a' + i%26)), Source: string(rune('A' + i%7)), Label: labels[(i*7+n)%4], Coverage: float64((i*13+n)%5) / 4}
		}
		want := slices.Clone(rs)
		slices.SortStableFunc(want, func(x, y ReuseInfo) int {
			if c := cmp.Compare(x.Label.Rank(), y.Label.Rank()); c != 0 {
				return c
			}
			return cmp.Compare(y.Coverage, x.Coverage)
		})
		sortReuse(rs)
		if !reflect.DeepEqual(rs, want) {
			t.Fatalf("%d entries: order differs from the stable sort", n)
		}
	}
}
