package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/live"
)

// FuzzDecodeArticle: any body either decodes into an article with an id
// and text or html within the limits, or is refused with a 4xx error;
// never a panic.
func FuzzDecodeArticle(f *testing.F) {
	for _, seed := range []string{
		`{"id": "a", "text": "Some text. More text."}`,
		`{"id": 12.5, "title": "T", "text": "x", "published": "2021-12-04T09:10:00Z", "credits": ["AP"]}`,
		`{"id": "h", "html": "<p>x</p>"}`,
		`{"id": null}`, `[]`, `{"id": "a", "text": "x"} {"id": "b"}`, `{"id": "a", "text": "\ud800"}`,
		`{"id": "a", "text": "x", "published": "04-DEC-2021 15:01:01.79"}`, ``, `"text"`,
	} {
		f.Add([]byte(seed))
	}
	s := &Server{cfg: Config{MaxArticleBytes: 1 << 10}.withDefaults()}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, _, err := s.decodeArticle(body)
		if err != nil {
			if err.Status < 400 || err.Status > 499 || err.Code == "" || err.Message == "" {
				t.Fatalf("refusal %+v: want a 4xx with a code and a message", err)
			}
			return
		}
		if a.ID == "" || strings.TrimSpace(a.Text+a.HTML) == "" || len(a.Text)+len(a.HTML) > 1<<10 {
			t.Fatalf("accepted article with id %q, %d bytes of text and %d of html", a.ID, len(a.Text), len(a.HTML))
		}
	})
}

// FuzzStoryQuery: listing parameters parse or are refused, never panic,
// and what parses is within the limits.
func FuzzStoryQuery(f *testing.F) {
	for _, seed := range []string{"q=putin&limit=5", "since=2021-12-04&offset=20", "limit=-1", "since=%zz", "limit=99999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := live.ParseStoryQuery(v)
		if err != nil {
			return
		}
		if q.Limit < 1 || q.Limit > live.MaxLimit || q.Offset < 0 || len(q.Q) > 256 {
			t.Fatalf("accepted %+v", q)
		}
	})
}
