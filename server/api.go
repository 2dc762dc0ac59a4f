package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/live"
	"github.com/wiretrace/wiretrace/store"
)

// readBody reads the request body within MaxBodyBytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, errorf(http.StatusRequestEntityTooLarge, codeBodyTooLarge, "request body over %d bytes; split the batch", mbe.Limit)
	case err != nil:
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "read body: %v", err)
	case len(bytes.TrimSpace(body)) == 0:
		return nil, errorf(http.StatusBadRequest, codeMalformed, "empty body: send an article as JSON or a batch as JSONL")
	}
	return body, nil
}

// postArticles ingests one article (JSON) or a batch (JSONL).
func (s *Server) postArticles(w http.ResponseWriter, r *http.Request) {
	batch, aerr := bodyKind(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	body, aerr := s.readBody(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if !batch {
		a, warnings, aerr := s.decodeArticle(body)
		if aerr != nil {
			s.count("rejected", 1)
			writeError(w, aerr)
			return
		}
		out, err := s.ix.Ingest(r.Context(), []wiretrace.Article{a})
		if err != nil {
			writeError(w, fromIndexError(err))
			return
		}
		if out[0].Err != nil {
			s.count("rejected", 1)
			writeError(w, rejection(out[0].Err))
			return
		}
		res := indexed(out[0], warnings)
		s.count(outcomeName(res), 1)
		writeJSON(w, res.Status, res)
		return
	}
	s.postBatch(w, r, body)
}

func outcomeName(r ingestResult) string {
	if r.Replaced {
		return "replaced"
	}
	return "indexed"
}

func (s *Server) count(outcome string, n int) {
	s.cfg.Metrics.ingested.WithLabelValues(outcome).Add(float64(n))
}

// batchResponse answers a JSONL batch.
type batchResponse struct {
	Indexed  int   `json:"indexed"`
	Rejected int   `json:"rejected"`
	Results  []any `json:"results"` // ingestResult or ingestFailure, in line order
}

func (s *Server) postBatch(w http.ResponseWriter, r *http.Request, body []byte) {
	type line struct {
		no  int
		raw []byte
	}
	var lines []line
	for i, l := range bytes.Split(body, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if len(lines) == s.cfg.MaxBatch {
			writeError(w, errorf(http.StatusRequestEntityTooLarge, codeBatchTooLarge, "batch of more than %d articles; split it", s.cfg.MaxBatch))
			return
		}
		lines = append(lines, line{i + 1, l})
	}
	resp := batchResponse{Results: make([]any, len(lines))}
	var arts []wiretrace.Article
	var at []int
	var warnings [][]string
	malformed := 0
	for k, l := range lines {
		a, warn, aerr := s.decodeArticle(l.raw)
		if aerr != nil {
			if aerr.Code == codeMalformed {
				malformed++
			}
			resp.Results[k] = ingestFailure{Line: l.no, Status: aerr.Status, ID: idOf(l.raw), Error: aerr}
			continue
		}
		arts = append(arts, a)
		at = append(at, k)
		warnings = append(warnings, warn)
	}
	if malformed == len(lines) {
		first := resp.Results[0].(ingestFailure)
		writeError(w, errorf(http.StatusBadRequest, codeMalformed, "no line is a JSON article; line %d: %s", first.Line, first.Error.Message))
		return
	}
	if len(arts) > 0 {
		out, err := s.ix.Ingest(r.Context(), arts)
		if err != nil {
			writeError(w, fromIndexError(err))
			return
		}
		for j, o := range out {
			k := at[j]
			if o.Err != nil {
				aerr := rejection(o.Err)
				resp.Results[k] = ingestFailure{Line: lines[k].no, Status: aerr.Status, ID: arts[j].ID, Error: aerr}
				continue
			}
			res := indexed(o, warnings[j])
			res.Line = lines[k].no
			resp.Results[k] = res
			resp.Indexed++
			s.count(outcomeName(res), 1)
		}
	}
	resp.Rejected = len(lines) - resp.Indexed
	s.count("rejected", resp.Rejected)
	writeJSON(w, http.StatusOK, resp)
}

// idOf recovers the id of a line that did not decode, for the answer.
func idOf(raw []byte) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	id, err := parseID(v.ID)
	if err != nil {
		return ""
	}
	return clip(id, 256)
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (string, *apiError) {
	id := r.PathValue("id")
	if !store.ValidID(id) {
		return "", errorf(http.StatusNotFound, codeNotFound, "no article or story %q", clip(id, 64))
	}
	return id, nil
}

// articleOut is GET /v1/articles/{id}.
type articleOut struct {
	ID        string     `json:"id"`
	Seq       uint64     `json:"seq"`
	Title     string     `json:"title"`
	URL       string     `json:"url"`
	Source    string     `json:"source"`
	Outlet    string     `json:"outlet"`
	Published *time.Time `json:"published"`
	Updated   *time.Time `json:"updated"`
	Lang      string     `json:"lang"`
	Byline    string     `json:"byline"`
	Dateline  string     `json:"dateline"`
	Credits   []string   `json:"credits"`
	Words     int        `json:"words"`
	Story     string     `json:"story"`
	CopyGroup string     `json:"copy_group"`
	Text      string     `json:"text"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	v, err := s.ix.Article(r.Context(), id)
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	a := &v.Article
	credits := a.Credits
	if credits == nil {
		credits = []string{}
	}
	writeJSON(w, http.StatusOK, articleOut{
		ID: a.ID, Seq: v.Seq, Title: a.Title, URL: a.URL, Source: a.Source, Outlet: engine.Outlet(a),
		Published: timePtr(a.Published), Updated: timePtr(a.Updated), Lang: a.Lang, Byline: a.Byline, Dateline: a.Dateline,
		Credits: credits, Words: v.Info.Words, Story: v.Info.Story, CopyGroup: v.Info.CopyGroup, Text: a.Text,
	})
}

// matchesOut is GET /v1/articles/{id}/matches.
type matchesOut struct {
	ID        string         `json:"id"`
	Story     string         `json:"story"`
	CopyGroup string         `json:"copy_group"`
	Matches   []engine.Match `json:"matches"`
}

func (s *Server) getMatches(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	res, err := s.ix.Matches(id)
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	writeJSON(w, http.StatusOK, matchesOut{ID: res.ID, Story: res.Story, CopyGroup: res.CopyGroup, Matches: res.Matches})
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if err := s.ix.Delete(r.Context(), id); err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// storiesOut is GET /v1/stories.
type storiesOut struct {
	Stories    []*engine.StorySummary `json:"stories"`
	NextOffset *int                   `json:"next_offset"` // null on the last page
}

func (s *Server) listStories(w http.ResponseWriter, r *http.Request) {
	sq, err := live.ParseStoryQuery(r.URL.Query())
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	list, err := s.ix.ListStories(sq)
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	out := storiesOut{Stories: list.Stories}
	if list.More {
		next := sq.Offset + sq.Limit
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getStory(w http.ResponseWriter, r *http.Request) {
	id, aerr := pathID(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	d, err := s.ix.Story(id)
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a, b := q.Get("a"), q.Get("b")
	if a == "" || b == "" {
		writeError(w, errorf(http.StatusBadRequest, codeBadRequest, "compare needs two article ids: ?a=ID&b=ID"))
		return
	}
	c, err := s.ix.Compare(r.Context(), a, b)
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	b, err := openapiFS.ReadFile("openapi.json")
	if err != nil {
		writeError(w, fromIndexError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
}

// health is GET /healthz.
type health struct {
	Status   string `json:"status"` // ok, loading or failed
	Articles int    `json:"articles"`
	Stories  int    `json:"stories"`
	Loaded   int    `json:"loaded"` // articles loaded from the store at startup
	Total    int    `json:"total"`  // articles the store held at startup
	Error    string `json:"error,omitempty"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	p := s.ix.Progress()
	h := health{Status: "ok", Articles: s.ix.Len(), Stories: s.ix.Stories(), Loaded: p.Loaded, Total: p.Total}
	status := http.StatusOK
	switch {
	case p.Err != nil:
		h.Status, h.Error, status = "failed", p.Err.Error(), http.StatusServiceUnavailable
	case !p.Ready:
		h.Status, status = "loading", http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "2")
	}
	writeJSON(w, status, h)
}
