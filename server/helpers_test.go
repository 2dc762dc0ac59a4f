package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/live"
	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/mem"
)

// testServer is a real server on a loopback port.
type testServer struct {
	URL     string
	Index   *live.Index
	Metrics *Metrics
	client  *http.Client
	token   string
}

// start runs a server over st (a new in-memory store when nil) until the
// test ends, once the index has loaded (unless st is a gatedStore).
func start(t testing.TB, cfg Config, st store.Store) *testServer {
	t.Helper()
	if st == nil {
		st = mem.New()
	}
	ctx, cancel := context.WithCancel(context.Background())
	metrics := NewMetrics()
	ix, err := live.Open(ctx, st, live.Options{Hooks: metrics.Hooks()})
	if err != nil {
		t.Fatal(err)
	}
	if _, gated := st.(*gatedStore); !gated {
		if err := ix.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Metrics = metrics
	srv := New(ix, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		ix.Close()
	})
	return &testServer{URL: "http://" + ln.Addr().String(), Index: ix, Metrics: metrics, client: &http.Client{Timeout: 30 * time.Second}, token: cfg.Token}
}

// reply is an HTTP answer, read whole.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *reply) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("answer is not JSON (%v): %.300s", err, r.Body)
	}
}

// do sends a request; headers are "Name: value" strings. With the token
// configured, writes carry it unless a header sets Authorization.
func (s *testServer) do(t testing.TB, method, path string, body []byte, headers ...string) *reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if s.token != "" && method != http.MethodGet {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		if strings.EqualFold(k, "Host") {
			req.Host = strings.TrimSpace(v)
			continue
		}
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

const (
	ctJSON  = "Content-Type: application/json"
	ctJSONL = "Content-Type: application/x-ndjson"
)

// seedMeta gives the seed cluster the outlets and times a feed would carry
// (testdata/SEEDS.md describes the texts; the names are descriptive, the
// times plausible).
var seedMeta = map[string][3]string{
	"002_6d69baa46a2ff832": {"Indian daily", "2021-12-04T09:10:00Z", "https://indian-daily.example/world/biden-putin-call"},
	"001_81501ed7d460c921": {"AP (reworded)", "2021-12-04T10:30:00Z", ""},
	"004_203724dd82367cc3": {"AP/Reuters digest", "2021-12-04T12:00:00Z", ""},
	"003_a886183e1788cefc": {"BBC Russian (translated)", "2021-12-04T13:20:00Z", ""},
	"000_593ee4de91dc436a": {"AP (machine-translated)", "2021-12-04T15:45:00Z", ""},
}

var dateHeader = regexp.MustCompile(`^\s*date\s+\d{4}-\d{2}-\d{2}\s*`)

// seedLines returns the seed cluster as JSON articles, in file order.
func seedLines(t testing.TB) [][]byte {
	t.Helper()
	paths, err := filepath.Glob("../testdata/seeds/*.txt")
	if err != nil || len(paths) != 5 {
		t.Fatalf("glob seeds: %v (%d files)", err, len(paths))
	}
	sort.Strings(paths)
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(p), ".txt")
		m := seedMeta[id]
		line, _ := json.Marshal(map[string]string{
			"id": id, "source": m[0], "published": m[1], "url": m[2],
			"text": dateHeader.ReplaceAllString(string(b), ""),
		})
		out = append(out, line)
	}
	return out
}

func jsonl(lines ...[]byte) []byte { return append(bytes.Join(lines, []byte("\n")), '\n') }

func articleJSON(fields map[string]any) []byte {
	b, _ := json.Marshal(fields)
	return b
}

// ingestSeeds posts the seed cluster and returns the seed story's id.
func ingestSeeds(t testing.TB, s *testServer) string {
	t.Helper()
	r := s.do(t, "POST", "/v1/articles", jsonl(seedLines(t)...), ctJSONL)
	if r.Status != 200 {
		t.Fatalf("post seeds: got %d %s", r.Status, r.Body)
	}
	var br struct {
		Indexed int
		Results []struct{ Story string }
	}
	r.json(t, &br)
	if br.Indexed != 5 {
		t.Fatalf("post seeds: indexed %d, want 5: %s", br.Indexed, r.Body)
	}
	return br.Results[0].Story
}

// openapiDoc is the served OpenAPI document, parsed.
type openapiDoc map[string]any

func loadOpenAPI(t testing.TB) openapiDoc {
	t.Helper()
	b, err := openapiFS.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openapiDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// conform checks that v (decoded JSON) matches the named component schema:
// types, required properties, enums, and no property the schema does not
// declare, so that the document and the server cannot drift apart.
func (doc openapiDoc) conform(t testing.TB, schema string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", schema, err)
	}
	if err := doc.check(map[string]any{"$ref": "#/components/schemas/" + schema}, v, schema); err != nil {
		t.Errorf("answer does not match the OpenAPI schema %s: %v\n%.400s", schema, err, body)
	}
}

func (doc openapiDoc) check(s map[string]any, v any, path string) error {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		sub, ok := doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unknown schema %s", path, ref)
		}
		return doc.check(sub, v, path)
	}
	if alts, ok := s["oneOf"].([]any); ok {
		var errs []string
		for _, a := range alts {
			err := doc.check(a.(map[string]any), v, path)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s: matches no alternative: %s", path, strings.Join(errs, "; "))
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == v {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", path, v, enum)
		}
	}
	var types []string
	switch ty := s["type"].(type) {
	case string:
		types = []string{ty}
	case []any:
		for _, x := range ty {
			types = append(types, x.(string))
		}
	}
	if len(types) > 0 {
		ok := false
		for _, ty := range types {
			if typeMatches(ty, v) {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("%s: %T %v is not %v", path, v, v, types)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := x[r.(string)]; !ok {
					return fmt.Errorf("%s: required property %q missing", path, r)
				}
			}
		}
		if props != nil {
			for k, val := range x {
				ps, ok := props[k].(map[string]any)
				if !ok {
					return fmt.Errorf("%s: property %q is not in the schema", path, k)
				}
				if err := doc.check(ps, val, path+"."+k); err != nil {
					return err
				}
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range x {
				if err := doc.check(items, it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func typeMatches(ty string, v any) bool {
	switch ty {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	}
	return false
}
