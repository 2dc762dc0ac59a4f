package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/mem"
)

func TestIngest(t *testing.T) {
	s := start(t, Config{}, nil)
	doc := loadOpenAPI(t)
	r := s.do(t, "POST", "/v1/articles", jsonl(seedLines(t)...), ctJSONL)
	if r.Status != 200 {
		t.Fatalf("batch: got %d %s, want 200", r.Status, r.Body)
	}
	doc.conform(t, "BatchResult", r.Body)
	var br struct {
		Indexed, Rejected int
		Results           []ingestResult
	}
	r.json(t, &br)
	if br.Indexed != 5 || br.Rejected != 0 || len(br.Results) != 5 {
		t.Fatalf("batch: got %d indexed %d rejected %d results, want 5, 0, 5", br.Indexed, br.Rejected, len(br.Results))
	}
	groups := map[string]int{}
	for i, res := range br.Results {
		if res.Line != i+1 || res.Status != 201 || res.Seq != uint64(i+1) || res.Story != br.Results[0].Story {
			t.Errorf("line %d: got %+v, want line %d, 201, seq %d, the seed story", i+1, res, i+1, i+1)
		}
		if res.CopyGroup != "" {
			groups[res.CopyGroup]++
		}
	}
	// 000, 001 and 002 carry one source text (testdata/SEEDS.md).
	if len(groups) != 1 || groups["g:000_593ee4de91dc436a"] != 2 {
		t.Errorf("copy groups at ingest: got %v, want 001 and 002 joining 000's group", groups)
	}
	if m := br.Results[2].Matches; len(m) != 2 || m[0].Label != "copy" {
		t.Errorf("002 matches: got %+v, want copies of 000 and 001", m)
	}
	if m := br.Results[4].Matches; len(m) == 0 || m[0].Label != "partial" {
		t.Errorf("004 matches: got %+v, want partial reuse", m)
	}

	// A page: the engine extracts its text and metadata.
	page, err := os.ReadFile("testdata/html/ani_tea.html")
	if err != nil {
		t.Fatal(err)
	}
	r = s.do(t, "POST", "/v1/articles", articleJSON(map[string]any{"id": "page-1", "url": "https://ani.example/tea", "html": string(page)}), ctJSON)
	if r.Status != 201 {
		t.Fatalf("html page: got %d %s, want 201", r.Status, r.Body)
	}
	var pa articleOut
	s.do(t, "GET", "/v1/articles/page-1", nil).json(t, &pa)
	if !strings.Contains(pa.Title, "Assam tea exporters") || len(pa.Text) < 500 || strings.Contains(pa.Text, "<") {
		t.Errorf("html page: got title %q and %d bytes of text, want the extracted article", pa.Title, len(pa.Text))
	}

	// One article, then the same id again.
	one := articleJSON(map[string]any{"id": 77, "title": "Ferry terminal", "source": "Gazette", "published": "2024-01-02",
		"text": "The harbour authority of Kestrelport announced a new ferry terminal on the northern quay. Construction crews will begin piling work in spring according to tender documents seen by reporters."})
	r = s.do(t, "POST", "/v1/articles", one, ctJSON)
	if r.Status != 201 {
		t.Fatalf("single: got %d %s, want 201", r.Status, r.Body)
	}
	doc.conform(t, "IngestResult", r.Body)
	var res ingestResult
	r.json(t, &res)
	if res.ID != "77" || res.Seq != 7 || res.Replaced || res.Matches == nil {
		t.Errorf("single: got %+v, want id 77, seq 7, not replaced, matches []", res)
	}
	r = s.do(t, "POST", "/v1/articles", one, "Content-Type: application/json; charset=utf-8")
	r.json(t, &res)
	if r.Status != 200 || !res.Replaced || res.Seq != 8 {
		t.Errorf("same id again: got %d %+v, want 200 replaced with seq 8", r.Status, res)
	}
}

func TestReadEndpoints(t *testing.T) {
	s := start(t, Config{}, nil)
	doc := loadOpenAPI(t)
	story := ingestSeeds(t, s)

	r := s.do(t, "GET", "/v1/articles/002_6d69baa46a2ff832", nil)
	if r.Status != 200 {
		t.Fatalf("get article: %d %s", r.Status, r.Body)
	}
	doc.conform(t, "Article", r.Body)
	var a articleOut
	r.json(t, &a)
	if a.Outlet != "Indian daily" || a.Published == nil || !a.Published.Equal(time.Date(2021, 12, 4, 9, 10, 0, 0, time.UTC)) ||
		a.Story != story || a.CopyGroup != "g:000_593ee4de91dc436a" || !strings.Contains(a.Text, "Peskov") || a.Seq != 3 {
		t.Errorf("article: got %+v", a)
	}

	r = s.do(t, "GET", "/v1/articles/000_593ee4de91dc436a/matches", nil)
	doc.conform(t, "Matches", r.Body)
	var m matchesOut
	r.json(t, &m)
	// 000 was indexed first; its matches now include the later copies.
	if r.Status != 200 || len(m.Matches) < 3 || m.Story != story {
		t.Errorf("matches: got %d %+v, want 200 with the later articles' reuse", r.Status, m)
	}

	r = s.do(t, "GET", "/v1/stories", nil)
	doc.conform(t, "Stories", r.Body)
	var list storiesOut
	r.json(t, &list)
	if len(list.Stories) != 1 || list.Stories[0].ID != story || list.Stories[0].Articles != 5 || list.Stories[0].Outlets != 5 ||
		list.Stories[0].CopyGroups != 1 || list.NextOffset != nil {
		t.Errorf("stories: got %+v", list)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"q=biden+ukraine", 1}, {"q=gazette", 0}, {"since=2021-12-04", 1}, {"since=2021-12-05T00:00:00Z", 0}, {"limit=1&offset=1", 0},
	} {
		r := s.do(t, "GET", "/v1/stories?"+tc.query, nil)
		var l storiesOut
		r.json(t, &l)
		if r.Status != 200 || len(l.Stories) != tc.want {
			t.Errorf("stories?%s: got %d with %d stories, want 200 with %d", tc.query, r.Status, len(l.Stories), tc.want)
		}
	}

	r = s.do(t, "GET", "/v1/stories/"+story, nil)
	doc.conform(t, "Story", r.Body)
	var d engine.StoryDetail
	r.json(t, &d)
	if r.Status != 200 || len(d.Articles) != 5 || len(d.CopyGroups) != 1 || d.CopyGroups[0].ClosestToSource == "" || len(d.Reuse) < 4 {
		t.Errorf("story: got %d %+v", r.Status, d)
	}

	r = s.do(t, "GET", "/v1/compare?a=002_6d69baa46a2ff832&b=001_81501ed7d460c921", nil)
	doc.conform(t, "Comparison", r.Body)
	var c engine.Comparison
	r.json(t, &c)
	kinds := map[string]int{}
	for _, l := range c.Links {
		kinds[string(l.Kind)]++
	}
	if r.Status != 200 || c.Label != "copy" || c.Copy != "b" || kinds["verbatim"] == 0 || kinds["reworded"]+kinds["edited"] == 0 {
		t.Errorf("compare: got %d label %q copy %q kinds %v", r.Status, c.Label, c.Copy, kinds)
	}

	r = s.do(t, "GET", "/healthz", nil)
	doc.conform(t, "Health", r.Body)
	if r.Status != 200 || !bytes.Contains(r.Body, []byte(`"status":"ok"`)) {
		t.Errorf("healthz: got %d %s", r.Status, r.Body)
	}

	r = s.do(t, "GET", "/v1/openapi.json", nil)
	var served openapiDoc
	r.json(t, &served)
	paths := served["paths"].(map[string]any)
	for _, p := range []string{"/v1/articles", "/v1/articles/{id}", "/v1/articles/{id}/matches", "/v1/stories", "/v1/stories/{id}", "/v1/compare", "/healthz", "/metrics"} {
		if paths[p] == nil {
			t.Errorf("openapi.json does not describe %s", p)
		}
	}
	if v := served["info"].(map[string]any)["version"]; v != fmt.Sprint(APIVersion) {
		t.Errorf("openapi.json version %v, want %d", v, APIVersion)
	}

	r = s.do(t, "DELETE", "/v1/articles/004_203724dd82367cc3", nil)
	if r.Status != 204 {
		t.Errorf("delete: got %d %s, want 204", r.Status, r.Body)
	}
	if r := s.do(t, "GET", "/v1/articles/004_203724dd82367cc3", nil); r.Status != 404 {
		t.Errorf("get after delete: got %d, want 404", r.Status)
	}

	r = s.do(t, "GET", "/metrics", nil)
	for _, want := range []string{
		`wiretrace_articles_ingested_total{outcome="indexed"} 5`,
		`wiretrace_index_articles 4`,
		`wiretrace_index_stories 1`,
		`wiretrace_http_request_duration_seconds_bucket{method="POST",route="/v1/articles"`,
		`wiretrace_match_seconds_count 5`,
		`wiretrace_store_write_articles_sum 5`,
		`wiretrace_http_requests_total{code="204",method="DELETE",route="/v1/articles/{id}"} 1`,
	} {
		if !bytes.Contains(r.Body, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestIDsWithSlashes: ids are path segments, escaped.
func TestIDsWithSlashes(t *testing.T) {
	s := start(t, Config{}, nil)
	id := "feed/2024/a b?c#d"
	r := s.do(t, "POST", "/v1/articles", articleJSON(map[string]any{"id": id, "text": "A reporter filed this short story about the quay. It has two sentences."}), ctJSON)
	if r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	r = s.do(t, "GET", "/v1/articles/"+url.PathEscape(id)+"/matches", nil)
	var m matchesOut
	r.json(t, &m)
	if r.Status != 200 || m.ID != id {
		t.Errorf("matches of %q: got %d %s", id, r.Status, r.Body)
	}
	if r := s.do(t, "GET", "/articles/"+url.PathEscape(id), nil); r.Status != 200 {
		t.Errorf("UI article page of %q: got %d", id, r.Status)
	}
}

func TestBadInput(t *testing.T) {
	const token = "s3cret-token"
	s := start(t, Config{Token: token, MaxBodyBytes: 64 << 10, MaxArticleBytes: 8 << 10, MaxBatch: 5}, nil)
	ingestSeeds(t, &testServer{URL: s.URL, client: s.client, token: token}) // with the token
	good := func(id string) []byte {
		return articleJSON(map[string]any{"id": id, "text": "Short but real text about the harbour. It has two sentences."})
	}
	auth := "Authorization: Bearer " + token
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   []byte
		hdrs   []string
		status int
		code   string
	}{
		{"no token", "POST", "/v1/articles", good("x1"), []string{ctJSON, "Authorization:"}, 401, codeUnauthorized},
		{"wrong token", "POST", "/v1/articles", good("x1"), []string{ctJSON, "Authorization: Bearer nope"}, 401, codeUnauthorized},
		{"basic auth", "POST", "/v1/articles", good("x1"), []string{ctJSON, "Authorization: Basic dXNlcjpwdw=="}, 401, codeUnauthorized},
		{"delete without token", "DELETE", "/v1/articles/x1", nil, []string{"Authorization:"}, 401, codeUnauthorized},
		{"body too large", "POST", "/v1/articles", bytes.Repeat([]byte(" "), 65<<10), []string{ctJSON}, 413, codeBodyTooLarge},
		{"article too large", "POST", "/v1/articles", articleJSON(map[string]any{"id": "big", "text": strings.Repeat("word ", 2000)}), []string{ctJSON}, 413, codeTooLarge},
		{"batch too large", "POST", "/v1/articles", jsonl(good("b1"), good("b2"), good("b3"), good("b4"), good("b5"), good("b6")), []string{ctJSONL}, 413, codeBatchTooLarge},
		{"malformed json", "POST", "/v1/articles", []byte(`{"id": "x", "text": "abc"`), []string{ctJSON}, 400, codeMalformed},
		{"not an object", "POST", "/v1/articles", []byte(`["id", "text"]`), []string{ctJSON}, 400, codeMalformed},
		{"wrong field type", "POST", "/v1/articles", []byte(`{"id": "x", "text": 12}`), []string{ctJSON}, 400, codeMalformed},
		{"two objects as json", "POST", "/v1/articles", jsonl(good("t1"), good("t2")), []string{ctJSON}, 400, codeMalformed},
		{"empty body", "POST", "/v1/articles", nil, []string{ctJSON}, 400, codeMalformed},
		{"binary body", "POST", "/v1/articles", []byte("\x00\x01\x02\xff\xfe"), []string{ctJSON}, 400, codeMalformed},
		{"missing id", "POST", "/v1/articles", []byte(`{"text": "Some text here. And more."}`), []string{ctJSON}, 400, codeMissingID},
		{"blank id", "POST", "/v1/articles", []byte(`{"id": "  ", "text": "Some text here. And more."}`), []string{ctJSON}, 400, codeMissingID},
		{"object id", "POST", "/v1/articles", []byte(`{"id": {"a": 1}, "text": "Some text here."}`), []string{ctJSON}, 400, codeMissingID},
		{"nul in id", "POST", "/v1/articles", []byte(`{"id": "a\u0000b", "text": "Some text here. And more."}`), []string{ctJSON}, 400, codeInvalidID},
		{"id too long", "POST", "/v1/articles", articleJSON(map[string]any{"id": strings.Repeat("i", store.MaxIDLen+1), "text": "Some text here."}), []string{ctJSON}, 400, codeInvalidID},
		{"no text", "POST", "/v1/articles", []byte(`{"id": "e1", "title": "Headline only"}`), []string{ctJSON}, 422, codeEmpty},
		{"blank text", "POST", "/v1/articles", []byte(`{"id": "e2", "text": " \n\n \t"}`), []string{ctJSON}, 422, codeEmpty},
		{"html without an article", "POST", "/v1/articles", []byte(`{"id": "h1", "html": "<html><body><nav>Home | World</nav></body></html>"}`), []string{ctJSON}, 422, codeEmpty},
		{"html that is not html", "POST", "/v1/articles", []byte(`{"id": "h2", "html": "\u0000\u0001 binary"}`), []string{ctJSON}, 422, codeEmpty},
		{"text/plain", "POST", "/v1/articles", good("p1"), []string{"Content-Type: text/plain"}, 415, codeMediaType},
		{"form", "POST", "/v1/articles", []byte("id=1&text=x"), []string{"Content-Type: application/x-www-form-urlencoded"}, 415, codeMediaType},
		{"no content type", "POST", "/v1/articles", good("p2"), []string{"Content-Type:"}, 415, codeMediaType},
		{"garbled content type", "POST", "/v1/articles", good("p3"), []string{"Content-Type: ;;;"}, 415, codeMediaType},
		{"all lines malformed", "POST", "/v1/articles", []byte("not json\nnor this\n"), []string{ctJSONL}, 400, codeMalformed},
		{"put", "PUT", "/v1/articles", good("x"), []string{ctJSON}, 405, codeMethod},
		{"post to article", "POST", "/v1/articles/x", good("x"), []string{ctJSON}, 405, codeMethod},
		{"unknown api path", "GET", "/v1/nothing", nil, nil, 404, codeNotFound},
		{"unknown article", "GET", "/v1/articles/nope", nil, nil, 404, codeNotFound},
		{"unknown article matches", "GET", "/v1/articles/nope/matches", nil, nil, 404, codeNotFound},
		{"delete unknown", "DELETE", "/v1/articles/nope", nil, []string{auth}, 404, codeNotFound},
		{"unknown story", "GET", "/v1/stories/s999", nil, nil, 404, codeNotFound},
		{"story id garbage", "GET", "/v1/stories/%00", nil, nil, 404, codeNotFound},
		{"compare without b", "GET", "/v1/compare?a=x", nil, nil, 400, codeBadRequest},
		{"compare unknown", "GET", "/v1/compare?a=002_6d69baa46a2ff832&b=nope", nil, nil, 404, codeNotFound},
		{"limit zero", "GET", "/v1/stories?limit=0", nil, nil, 400, codeBadRequest},
		{"limit huge", "GET", "/v1/stories?limit=100000", nil, nil, 400, codeBadRequest},
		{"limit text", "GET", "/v1/stories?limit=ten", nil, nil, 400, codeBadRequest},
		{"offset negative", "GET", "/v1/stories?offset=-1", nil, nil, 400, codeBadRequest},
		{"since garbage", "GET", "/v1/stories?since=yesterday", nil, nil, 400, codeBadRequest},
		{"q too long", "GET", "/v1/stories?q=" + strings.Repeat("x", 300), nil, nil, 400, codeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdrs := tc.hdrs
			if tc.method != "GET" && !slices.ContainsFunc(hdrs, func(h string) bool { return strings.HasPrefix(h, "Authorization") }) {
				hdrs = append(hdrs, auth)
			}
			req := &testServer{URL: s.URL, client: s.client}
			r := req.do(t, tc.method, tc.path, tc.body, hdrs...)
			if r.Status != tc.status {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.status)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			var e struct{ Error apiError }
			r.json(t, &e)
			if e.Error.Code != tc.code || e.Error.Message == "" {
				t.Errorf("got error %+v, want code %s with a message", e.Error, tc.code)
			}
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	// Nothing of the above was indexed.
	if n := s.Index.Len(); n != 5 {
		t.Errorf("index holds %d articles, want the 5 seeds", n)
	}
	// Reads need no token.
	if r := (&testServer{URL: s.URL, client: s.client}).do(t, "GET", "/v1/stories", nil); r.Status != 200 {
		t.Errorf("read without token: got %d, want 200", r.Status)
	}
}

func TestBatchWithBadLines(t *testing.T) {
	s := start(t, Config{}, nil)
	body := []byte(strings.Join([]string{
		`{"id": "ok1", "text": "A reporter filed this story about the quay. It has two sentences."}`,
		``,
		`{"id": "noText"}`,
		`this is not json`,
		`{"text": "no id here. two sentences."}`,
		`{"id": "ok2", "text": "Another story about an orchard harvest. Prices held steady this year.", "published": "2024-02-03"}`,
		`{"id": "badDate", "text": "Text. More text.", "published": "soon"}`,
	}, "\n"))
	r := s.do(t, "POST", "/v1/articles", body, ctJSONL)
	if r.Status != 200 {
		t.Fatalf("got %d %s, want 200", r.Status, r.Body)
	}
	loadOpenAPI(t).conform(t, "BatchResult", r.Body)
	var br struct {
		Indexed, Rejected int
		Results           []struct {
			Line     int
			Status   int
			ID       string
			Error    *apiError
			Warnings []string
		}
	}
	r.json(t, &br)
	want := []struct {
		line, status int
		id, code     string
	}{
		{1, 201, "ok1", ""}, {3, 422, "noText", codeEmpty}, {4, 400, "", codeMalformed}, {5, 400, "", codeMissingID},
		{6, 201, "ok2", ""}, {7, 201, "badDate", ""},
	}
	if br.Indexed != 3 || br.Rejected != 3 || len(br.Results) != len(want) {
		t.Fatalf("got %d indexed, %d rejected, %d results; want 3, 3, %d", br.Indexed, br.Rejected, len(br.Results), len(want))
	}
	for i, w := range want {
		g := br.Results[i]
		code := ""
		if g.Error != nil {
			code = g.Error.Code
		}
		if g.Line != w.line || g.Status != w.status || g.ID != w.id || code != w.code {
			t.Errorf("result %d: got line %d status %d id %q code %q, want %+v", i, g.Line, g.Status, g.ID, code, w)
		}
		if wantWarn := w.id == "badDate"; (len(g.Warnings) == 1 && strings.Contains(g.Warnings[0], `"soon"`)) != wantWarn {
			t.Errorf("result %d: warnings %q, want one about the date: %v", i, g.Warnings, wantWarn)
		}
	}
}

// TestHostCheck: a server without a token answers only to loopback names
// (DNS rebinding), and one with a token to any.
func TestHostCheck(t *testing.T) {
	open := start(t, Config{}, nil)
	for _, tc := range []struct {
		host   string
		status int
	}{
		{"localhost:8080", 200}, {"127.0.0.1", 200}, {"[::1]:80", 200}, {"127.0.0.2:1", 200},
		{"evil.example", 403}, {"evil.example:8080", 403}, {"10.0.0.1:8080", 403}, {"localhost.evil.example", 403},
	} {
		r := open.do(t, "GET", "/v1/stories", nil, "Host: "+tc.host)
		if r.Status != tc.status {
			t.Errorf("Host %s: got %d, want %d", tc.host, r.Status, tc.status)
		}
	}
	if r := open.do(t, "GET", "/", nil, "Host: evil.example"); r.Status != 403 {
		t.Errorf("UI with a foreign Host: got %d, want 403", r.Status)
	}
	withToken := start(t, Config{Token: "t"}, nil)
	if r := withToken.do(t, "GET", "/v1/stories", nil, "Host: wiretrace.example.org"); r.Status != 200 {
		t.Errorf("server with a token, foreign Host: got %d, want 200", r.Status)
	}
}

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
		err  bool
	}{
		{"127.0.0.1:8080", true, false}, {"localhost:80", true, false}, {"[::1]:9", true, false},
		{":8080", false, false}, {"0.0.0.0:8080", false, false}, {"192.168.1.5:80", false, false},
		{"example.com:80", false, false}, {"nonsense", false, true},
	} {
		got, err := IsLoopback(tc.addr)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("IsLoopback(%q): got %v, %v; want %v, error %v", tc.addr, got, err, tc.want, tc.err)
		}
	}
}

// gatedStore holds Scan until open is closed.
type gatedStore struct {
	store.Store
	open chan struct{}
}

func (g *gatedStore) Scan(ctx context.Context, fn func(*store.Record) error) error {
	<-g.open
	return g.Store.Scan(ctx, fn)
}

func TestLoading(t *testing.T) {
	gs := &gatedStore{Store: mem.New(), open: make(chan struct{})}
	s := start(t, Config{}, gs)
	for _, path := range []string{"/healthz", "/v1/stories", "/v1/articles/x", "/"} {
		r := s.do(t, "GET", path, nil)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s while loading: got %d (Retry-After %q), want 503 with Retry-After", path, r.Status, r.Header.Get("Retry-After"))
		}
	}
	r := s.do(t, "POST", "/v1/articles", articleJSON(map[string]any{"id": "a", "text": "Text. More."}), ctJSON)
	var e struct{ Error apiError }
	r.json(t, &e)
	if r.Status != 503 || e.Error.Code != codeLoading {
		t.Errorf("POST while loading: got %d %+v, want 503 loading", r.Status, e.Error)
	}
	close(gs.open)
	if err := s.Index.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := s.do(t, "GET", "/healthz", nil); r.Status != 200 {
		t.Errorf("healthz after loading: got %d", r.Status)
	}
}

// TestTimeouts: a client that stops sending its body is cut off.
func TestTimeouts(t *testing.T) {
	s := start(t, Config{ReadTimeout: 300 * time.Millisecond}, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": ")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	resp, _ := bufio.NewReader(conn).ReadString('\n')
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("server held a stalled request for %v", took)
	}
	if strings.Contains(resp, " 201 ") {
		t.Errorf("stalled request answered %q", resp)
	}
}

func TestUIEscapesArticles(t *testing.T) {
	s := start(t, Config{}, nil)
	ingestSeeds(t, s)
	evil := articleJSON(map[string]any{
		"id":     `evil<script>alert(1)</script>`,
		"title":  `<script>document.body.dataset.pwned=1</script><img src=x onerror="document.body.dataset.pwned=2">`,
		"source": `<b onmouseover=alert(3)>Outlet</b>`,
		"url":    `javascript:alert(4)`,
		"byline": `"><svg onload=alert(5)>`,
		"text": "The Kremlin said Putin and Biden will hold a video call on Tuesday <script>alert(6)</script>.\n\n" +
			`Peskov confirmed the plans to RIA Novosti <img src=x onerror=alert(7)> on Saturday evening.`,
	})
	r := s.do(t, "POST", "/v1/articles", evil, ctJSON)
	if r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	var res ingestResult
	r.json(t, &res)
	pages := []string{
		"/", "/?q=outlet", "/stories/" + res.Story, "/articles/" + url.PathEscape(res.ID),
		"/compare?" + url.Values{"a": {"000_593ee4de91dc436a"}, "b": {res.ID}}.Encode(),
	}
	for _, p := range pages {
		r := s.do(t, "GET", p, nil)
		if r.Status != 200 {
			t.Errorf("%s: got %d", p, r.Status)
			continue
		}
		body := string(r.Body)
		for _, bad := range []string{"<script>alert", "<script>document", "<img src=x", "onerror=\"document", "<b onmouseover", "<svg onload", `href="javascript:`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s carries %q unescaped", p, bad)
			}
		}
		if n := strings.Count(body, "<script"); n != 1 {
			t.Errorf("%s: %d script elements, want only the UI's own", p, n)
		}
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", p, csp)
		}
	}
	if r := s.do(t, "GET", "/articles/"+url.PathEscape(res.ID), nil); !strings.Contains(string(r.Body), "&lt;script&gt;alert(6)&lt;/script&gt;") {
		t.Error("article page does not show the escaped text")
	}
}

func TestUIPages(t *testing.T) {
	s := start(t, Config{}, nil)
	story := ingestSeeds(t, s)
	for _, tc := range []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{"Biden, Putin set video call", `href="/stories/` + story + `"`, "5 outlets", "1 copy group"}},
		{"/?q=putin", 200, []string{"Biden, Putin set video call"}},
		{"/?q=nothing+like+this", 200, []string{"No stories match"}},
		{"/stories/" + story, 200, []string{`class="timeline"`, `class="graph"`, "Indian daily", "closest to source", `class="edge copy"`, `class="edge partial"`, "/compare?a="}},
		{"/articles/002_6d69baa46a2ff832", 200, []string{"Indian daily", "original page", "copy of this", "compare"}},
		{"/compare?a=002_6d69baa46a2ff832&b=001_81501ed7d460c921", 200, []string{`class="s verbatim"`, `class="s reworded"`, `class="s edited"`, `class="s dropped"`, "AP (reworded) is a copy of Indian daily"}},
		{"/compare?a=002_6d69baa46a2ff832", 400, []string{"two article ids"}},
		{"/stories/s999", 404, []string{"Not found"}},
		{"/articles/nope", 404, []string{"Not found"}},
		{"/nowhere", 404, []string{"No such page"}},
		{"/static/style.css", 200, []string{"--verbatim"}},
		{"/static/app.js", 200, []string{"addEventListener"}},
	} {
		r := s.do(t, "GET", tc.path, nil)
		if r.Status != tc.status {
			t.Errorf("%s: got %d, want %d", tc.path, r.Status, tc.status)
			continue
		}
		for _, w := range tc.want {
			if !bytes.Contains(r.Body, []byte(w)) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
	}
	// The search box takes an article id too.
	req := &testServer{URL: s.URL, client: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := req.do(t, "GET", "/?q=002_6d69baa46a2ff832", nil); r.Status != 303 || r.Header.Get("Location") != "/articles/002_6d69baa46a2ff832" {
		t.Errorf("search for an id: got %d to %q, want 303 to the article", r.Status, r.Header.Get("Location"))
	}
}

var regexpRefs = regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`)

// TestOpenAPIDocument: the document is valid JSON naming every operation
// the server routes, with unique operation ids and resolvable references.
func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	b, _ := json.Marshal(doc)
	for _, ref := range regexpRefs.FindAllStringSubmatch(string(b), -1) {
		if doc["components"].(map[string]any)["schemas"].(map[string]any)[ref[1]] == nil {
			t.Errorf("unresolved $ref %s", ref[1])
		}
	}
	ids := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
		}
	}
	if got := len(ids); got != 10 {
		t.Errorf("%d operations documented, want 10", got)
	}
}

// TestSchemaCheckCatchesDrift: the conformance check fails on answers the
// document does not describe.
func TestSchemaCheckCatchesDrift(t *testing.T) {
	doc := loadOpenAPI(t)
	ref := map[string]any{"$ref": "#/components/schemas/Health"}
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"status":"ok","articles":1,"stories":1,"loaded":0,"total":0}`, true},
		{`{"status":"ok","articles":1,"stories":1,"loaded":0,"total":0,"extra":true}`, false},
		{`{"status":"ok","articles":1,"stories":1,"loaded":0}`, false},
		{`{"status":"fine","articles":1,"stories":1,"loaded":0,"total":0}`, false},
		{`{"status":"ok","articles":1.5,"stories":1,"loaded":0,"total":0}`, false},
	} {
		var v any
		json.Unmarshal([]byte(tc.body), &v)
		if err := doc.check(ref, v, "Health"); (err == nil) != tc.ok {
			t.Errorf("%s: got error %v, want ok %v", tc.body, err, tc.ok)
		}
	}
}
