package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/internal/dates"
	"github.com/wiretrace/wiretrace/live"
)

// articleIn is an article as POST /v1/articles takes it (docs/api.md): the
// JSONL input format plus the metadata fields of wiretrace.Article.
// Unknown fields are ignored.
type articleIn struct {
	ID        json.RawMessage `json:"id"`
	Title     string          `json:"title"`
	Text      string          `json:"text"`
	HTML      string          `json:"html"`
	URL       string          `json:"url"`
	Source    string          `json:"source"`
	Published string          `json:"published"`
	Updated   string          `json:"updated"`
	Lang      string          `json:"lang"`
	Byline    string          `json:"byline"`
	Dateline  string          `json:"dateline"`
	Credits   []string        `json:"credits"`
}

// decodeArticle parses one JSON article and turns it into a
// wiretrace.Article, with warnings about what was ignored.
func (s *Server) decodeArticle(b []byte) (wiretrace.Article, []string, *apiError) {
	var in articleIn
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&in); err != nil {
		return wiretrace.Article{}, nil, jsonError(err)
	}
	if dec.More() {
		return wiretrace.Article{}, nil, errorf(http.StatusBadRequest, codeMalformed,
			"more than one JSON value; send batches as JSONL with Content-Type application/x-ndjson")
	}
	return s.toArticle(&in)
}

// jsonError explains a JSON decoding error.
func jsonError(err error) *apiError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errorf(http.StatusBadRequest, codeMalformed, "invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		if te.Field == "" {
			return errorf(http.StatusBadRequest, codeMalformed, "want a JSON object, got %s", te.Value)
		}
		return errorf(http.StatusBadRequest, codeMalformed, "field %q must be a %s, got %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, codeMalformed, "truncated or empty JSON")
	}
	return errorf(http.StatusBadRequest, codeMalformed, "%v", err)
}

// toArticle is the one place an incoming article becomes a
// wiretrace.Article: id and size checked, dates read. A page sent as html
// is extracted by the engine when it prepares the article, as for every
// other input. Like the JSONL reader (docs/input.md), toArticle ignores a
// date it cannot read, and says so in a warning.
func (s *Server) toArticle(in *articleIn) (wiretrace.Article, []string, *apiError) {
	var none wiretrace.Article
	id, aerr := parseID(in.ID)
	if aerr != nil {
		return none, nil, aerr
	}
	if n := len(in.Text) + len(in.HTML); n > s.cfg.MaxArticleBytes {
		return none, nil, errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "article %q: text and html are %d bytes, limit %d", id, n, s.cfg.MaxArticleBytes)
	}
	if strings.TrimSpace(in.Text) == "" && strings.TrimSpace(in.HTML) == "" {
		return none, nil, errorf(http.StatusUnprocessableEntity, codeEmpty, "article %q: %v: no text or html", id, engine.ErrEmpty)
	}
	a := wiretrace.Article{
		ID: id, Title: strings.TrimSpace(in.Title), Text: in.Text, HTML: in.HTML, URL: strings.TrimSpace(in.URL),
		Source: strings.TrimSpace(in.Source), Lang: in.Lang, Byline: in.Byline, Dateline: in.Dateline, Credits: in.Credits,
	}
	var warnings []string
	date := func(field, v string) time.Time {
		if strings.TrimSpace(v) == "" {
			return time.Time{}
		}
		t, ok := dates.ParseDate(v)
		if !ok {
			warnings = append(warnings, fmt.Sprintf("%s: cannot read date %q; ignored (use RFC 3339, e.g. 2021-12-04T09:30:00Z)", field, clip(v, 64)))
		}
		return t
	}
	a.Published, a.Updated = date("published", in.Published), date("updated", in.Updated)
	return a, warnings, nil
}

// parseID accepts a JSON string or number.
func parseID(raw json.RawMessage) (string, *apiError) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", errorf(http.StatusBadRequest, codeMissingID, `missing "id"`)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if strings.TrimSpace(s) == "" {
			return "", errorf(http.StatusBadRequest, codeMissingID, `empty "id"`)
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", errorf(http.StatusBadRequest, codeMissingID, `"id" must be a string or a number`)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Media types POST /v1/articles reads.
const (
	mediaJSON  = "application/json"
	mediaJSONL = "application/x-ndjson"
)

// bodyKind reads the request's media type: one article (JSON) or a batch
// (JSONL).
func bodyKind(r *http.Request) (batch bool, err *apiError) {
	ct := r.Header.Get("Content-Type")
	mt, _, perr := mime.ParseMediaType(ct)
	if perr != nil && ct != "" {
		return false, errorf(http.StatusUnsupportedMediaType, codeMediaType, "cannot read Content-Type %q", clip(ct, 64))
	}
	switch mt {
	case mediaJSON:
		return false, nil
	case mediaJSONL, "application/jsonl", "application/x-jsonlines", "application/jsonlines":
		return true, nil
	}
	return false, errorf(http.StatusUnsupportedMediaType, codeMediaType,
		"Content-Type %q: send one article as %s or a batch as %s", clip(ct, 64), mediaJSON, mediaJSONL)
}

// ingestResult is the answer for one indexed article (docs/api.md).
type ingestResult struct {
	Line      int            `json:"line,omitempty"` // batches: the 1-based line
	Status    int            `json:"status"`         // 201 indexed, 200 replaced an article of that id
	ID        string         `json:"id"`
	Seq       uint64         `json:"seq"`
	Story     string         `json:"story"`
	CopyGroup string         `json:"copy_group"` // "" when the article is in no copy group
	Matches   []engine.Match `json:"matches"`
	Replaced  bool           `json:"replaced"`
	Warnings  []string       `json:"warnings,omitempty"` // what was ignored, e.g. an unreadable date
}

// ingestFailure is the answer for one rejected article of a batch.
type ingestFailure struct {
	Line   int       `json:"line"`
	Status int       `json:"status"`
	ID     string    `json:"id,omitempty"`
	Error  *apiError `json:"error"`
}

func indexed(o live.Outcome, warnings []string) ingestResult {
	r := o.Result
	status := http.StatusCreated
	if r.Replaced {
		status = http.StatusOK
	}
	return ingestResult{Status: status, ID: r.ID, Seq: o.Seq, Story: r.Story, CopyGroup: r.CopyGroup, Matches: r.Matches,
		Replaced: r.Replaced, Warnings: warnings}
}
