// Package web is wiretrace's web UI: server-rendered pages over a
// live.Index with html/template, embedded CSS and a few lines of
// JavaScript, no external assets. Pages: the story list with a search box,
// a story (timeline of who published when, derivation graph from source to
// copies, copy groups, members), an article with its matches, and a
// side-by-side comparison of two articles with aligned sentences
// highlighted by kind.
//
// Article text and metadata are hostile input: everything reaches the page
// through html/template's contextual escaping, nothing is marked as safe
// HTML, and the server's Content-Security-Policy allows only this
// package's own script and style. Graphs are SVG drawn on the server.
//
// Costs: a page costs the index queries it shows (one story, one article,
// or one listing page) plus rendering; the derivation graph is drawn for
// stories of up to MaxGraphNodes articles in reuse.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/live"
	"github.com/wiretrace/wiretrace/textnorm"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the UI.
type Options struct {
	Logger *slog.Logger // nil discards
}

type ui struct {
	ix    *live.Index
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New returns the UI's handler, to be mounted at "/".
func New(ix *live.Index, opts Options) http.Handler {
	u := &ui{ix: ix, log: opts.Logger, mux: http.NewServeMux(), pages: map[string]*template.Template{}}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	for _, name := range []string{"stories", "story", "article", "compare", "error"} {
		u.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	u.mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})))
	u.mux.HandleFunc("GET /{$}", u.stories)
	u.mux.HandleFunc("GET /stories/{id}", u.story)
	u.mux.HandleFunc("GET /articles/{id}", u.article)
	u.mux.HandleFunc("GET /compare", u.compare)
	u.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u.fail(w, r, http.StatusNotFound, "No such page.")
	})
	return u.mux
}

// page is what every template gets.
type page struct {
	Title    string
	Q        string // the search box's text
	Articles int    // index size, for the footer
	Stories  int
	Data     any
}

func (u *ui) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	var buf bytes.Buffer
	p := page{Title: title, Q: r.URL.Query().Get("q"), Articles: u.ix.Len(), Stories: u.ix.Stories(), Data: data}
	if err := u.pages[name].Execute(&buf, p); err != nil {
		u.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page.
func (u *ui) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "2")
	}
	u.render(w, r, status, "error", http.StatusText(status), struct {
		Status  int
		Message string
		Loading *live.Progress
	}{status, msg, loadingOf(u.ix)})
}

func loadingOf(ix *live.Index) *live.Progress {
	if p := ix.Progress(); !p.Ready {
		return &p
	}
	return nil
}

// indexError shows an index error as a page.
func (u *ui) indexError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, live.ErrNotFound):
		u.fail(w, r, http.StatusNotFound, "Not found: "+err.Error())
	case errors.Is(err, live.ErrLoading):
		u.fail(w, r, http.StatusServiceUnavailable, "The index is loading; this page refreshes when it is ready.")
	case errors.Is(err, live.ErrBadQuery):
		u.fail(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, live.ErrChanged):
		u.fail(w, r, http.StatusConflict, err.Error())
	default:
		u.log.Error("ui request", "path", r.URL.Path, "err", err)
		u.fail(w, r, http.StatusInternalServerError, "Something went wrong; the server log says what.")
	}
}

// storiesPage is the story list.
type storiesPage struct {
	Stories []*engine.StorySummary
	Query   live.StoryQuery
	Since   string
	Prev    string // URLs of the neighbouring pages, "" when none
	Next    string
}

func (u *ui) stories(w http.ResponseWriter, r *http.Request) {
	sq, err := live.ParseStoryQuery(r.URL.Query())
	if err != nil {
		u.indexError(w, r, err)
		return
	}
	// The search box also takes an article or story id.
	if sq.Q != "" && !strings.ContainsAny(sq.Q, " \t") {
		if _, err := u.ix.Matches(sq.Q); err == nil {
			http.Redirect(w, r, articleURL(sq.Q), http.StatusSeeOther)
			return
		}
		if d, err := u.ix.Story(sq.Q); err == nil {
			http.Redirect(w, r, storyURL(d.ID), http.StatusSeeOther)
			return
		}
	}
	list, err := u.ix.ListStories(sq)
	if err != nil {
		u.indexError(w, r, err)
		return
	}
	p := storiesPage{Stories: list.Stories, Query: sq, Since: r.URL.Query().Get("since")}
	pageURL := func(offset int) string {
		v := url.Values{}
		if sq.Q != "" {
			v.Set("q", sq.Q)
		}
		if p.Since != "" {
			v.Set("since", p.Since)
		}
		if offset > 0 {
			v.Set("offset", fmt.Sprint(offset))
		}
		if sq.Limit != live.DefaultLimit {
			v.Set("limit", fmt.Sprint(sq.Limit))
		}
		if len(v) == 0 {
			return "/"
		}
		return "/?" + v.Encode()
	}
	if sq.Offset > 0 {
		p.Prev = pageURL(max(0, sq.Offset-sq.Limit))
	}
	if list.More {
		p.Next = pageURL(sq.Offset + sq.Limit)
	}
	title := "Stories"
	if sq.Q != "" {
		title = "Stories matching “" + sq.Q + "”"
	}
	u.render(w, r, http.StatusOK, "stories", title, p)
}

// storyPage is one story.
type storyPage struct {
	Story    *engine.StoryDetail
	Timeline *timeline
	Graph    *graph
	Groups   []groupView
	// Independent are members in no derivation with another member.
	Independent []engine.StoryArticle
	Reuse       []reuseView
	ByID        map[string]engine.StoryArticle
}

type groupView struct {
	engine.CopyGroupInfo
	Number  int // 1-based, in the story
	Color   int
	Members []engine.StoryArticle
}

type reuseView struct {
	engine.ReuseInfo
	Copy, Source engine.StoryArticle
}

func (u *ui) story(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := u.ix.Story(id)
	if err != nil {
		u.indexError(w, r, err)
		return
	}
	if d.ID != id { // merged into another story
		http.Redirect(w, r, storyURL(d.ID), http.StatusMovedPermanently)
		return
	}
	p := storyPage{Story: d, ByID: map[string]engine.StoryArticle{}}
	colors := groupColors(d)
	inReuse := map[string]bool{}
	for _, a := range d.Articles {
		p.ByID[a.ID] = a
	}
	for _, e := range d.Reuse {
		inReuse[e.Copy], inReuse[e.Source] = true, true
		p.Reuse = append(p.Reuse, reuseView{ReuseInfo: e, Copy: p.ByID[e.Copy], Source: p.ByID[e.Source]})
	}
	for _, a := range d.Articles {
		if !inReuse[a.ID] {
			p.Independent = append(p.Independent, a)
		}
	}
	for i, g := range d.CopyGroups {
		gv := groupView{CopyGroupInfo: g, Number: i + 1, Color: colors[g.ID]}
		for _, id := range g.Articles {
			gv.Members = append(gv.Members, p.ByID[id])
		}
		p.Groups = append(p.Groups, gv)
	}
	p.Timeline = newTimeline(d, colors)
	p.Graph = newGraph(d, colors)
	title := d.Title
	if title == "" {
		title = "Story " + d.ID
	}
	u.render(w, r, http.StatusOK, "story", title, p)
}

// articlePage is one article.
type articlePage struct {
	View       *live.ArticleView
	Outlet     string
	Paragraphs []string
	Matches    []matchView
}

type matchView struct {
	engine.Match
	Other engine.StoryArticle
}

func (u *ui) article(w http.ResponseWriter, r *http.Request) {
	v, err := u.ix.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		u.indexError(w, r, err)
		return
	}
	p := articlePage{View: v, Outlet: engine.Outlet(&v.Article), Paragraphs: paragraphs(v.Article.Text)}
	ids := make([]string, len(v.Result.Matches))
	for i, m := range v.Result.Matches {
		ids[i] = m.ID
	}
	briefs, err := u.ix.Briefs(ids...)
	if err != nil {
		u.indexError(w, r, err)
		return
	}
	for i, m := range v.Result.Matches {
		mv := matchView{Match: m, Other: engine.StoryArticle{ArticleInfo: engine.ArticleInfo{ID: m.ID}}}
		if briefs[i] != nil { // removed meanwhile
			mv.Other = *briefs[i]
		}
		p.Matches = append(p.Matches, mv)
	}
	title := v.Article.Title
	if title == "" {
		title = "Article " + v.Article.ID
	}
	u.render(w, r, http.StatusOK, "article", title, p)
}

// paragraphs splits a text into paragraphs the way the engine reads it
// (blank lines, and line breaks unless the text is hard-wrapped).
func paragraphs(text string) []string {
	var out []string
	for _, sp := range textnorm.Paragraphs(text) {
		out = append(out, text[sp.Start:sp.End])
	}
	return out
}

func (u *ui) compare(w http.ResponseWriter, r *http.Request) {
	a, b := r.URL.Query().Get("a"), r.URL.Query().Get("b")
	if a == "" || b == "" {
		u.fail(w, r, http.StatusBadRequest, "Compare needs two article ids: /compare?a=ID&b=ID.")
		return
	}
	c, err := u.ix.Compare(r.Context(), a, b)
	if err != nil {
		u.indexError(w, r, err)
		return
	}
	p := newComparePage(c)
	if briefs, err := u.ix.Briefs(p.A.ID, p.B.ID); err == nil {
		for i, side := range []*compareSide{&p.A, &p.B} {
			if b := briefs[i]; b != nil {
				side.Outlet, side.Story = b.Outlet, b.Story
			}
		}
		p.setVerdict()
	}
	u.render(w, r, http.StatusOK, "compare", "Compare "+a+" and "+b, p)
}

// short clips s to n characters with an ellipsis.
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func articleURL(id string) string { return "/articles/" + url.PathEscape(id) }
func storyURL(id string) string   { return "/stories/" + url.PathEscape(id) }
func compareURL(a, b string) string {
	return "/compare?" + url.Values{"a": {a}, "b": {b}}.Encode()
}

var funcs = template.FuncMap{
	"articleURL": articleURL,
	"storyURL":   storyURL,
	"compareURL": compareURL,
	"date":       formatDate,
	"pct":        func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"orID": func(title, id string) string {
		if strings.TrimSpace(title) == "" {
			return id
		}
		return title
	},
	"orUnknown": func(s string) string {
		if s == "" {
			return "unknown outlet"
		}
		return s
	},
	"add":   func(a, b int) int { return a + b },
	"neg":   func(a int) int { return -a },
	"short": short,
	"sides": func(a, b compareSide) map[string]compareSide {
		return map[string]compareSide{"A": a, "B": b}
	},
}

// formatDate shows a time (or *time.Time) as "4 Dec 2021 15:04 UTC", or
// only the date when it is midnight; "date unknown" for none.
func formatDate(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	}
	if t.IsZero() {
		return "date unknown"
	}
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan 2006 15:04 MST")
}
