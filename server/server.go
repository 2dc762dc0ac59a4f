// Package server is wiretrace's HTTP front door: a JSON API under /v1
// (described by the OpenAPI document it serves at /v1/openapi.json), the web
// UI (package server/web), /healthz and Prometheus /metrics, over one
// live.Index.
//
// Writes (POST, DELETE) need the bearer token when one is configured; a
// server without a token accepts only requests whose Host names the
// loopback interface, which keeps web pages from reaching it through DNS
// rebinding (the command refuses to listen beyond loopback without a
// token). Request bodies, article sizes and batch sizes are capped, and bad
// input is answered with a 4xx JSON error naming the problem.
//
// Costs: a request costs what its index call costs (see package live): an
// ingest waits for one grouped store write and for matching; reads take the
// engine's read lock for the size of one article or story.
package server

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/wiretrace/wiretrace/live"
	"github.com/wiretrace/wiretrace/server/web"
)

//go:embed openapi.json
var openapiFS embed.FS

// APIVersion is the version of the API contract: the /v1 prefix and the
// "info.version" of the OpenAPI document. Changelog:
//
//	1: articles (ingest one or a JSONL batch, get, matches, delete), stories
//	   (list, get), compare, healthz, metrics.
const APIVersion = 1

// Config configures a Server. The zero value means the defaults.
type Config struct {
	// Token is the bearer token writes need. Empty leaves writes open and
	// restricts the server to loopback Host names.
	Token string
	// MaxBodyBytes caps a request body. Default 32 MiB.
	MaxBodyBytes int64
	// MaxArticleBytes caps one article's text plus html. Default 2 MiB.
	MaxArticleBytes int
	// MaxBatch caps the articles of one JSONL batch. Default 1000.
	MaxBatch int
	// ReadTimeout and WriteTimeout bound a request's reading and its whole
	// answer. Defaults 60 s and 120 s.
	ReadTimeout, WriteTimeout time.Duration
	// Metrics are exported at /metrics; nil makes a new set.
	Metrics *Metrics
	// Logger: nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 32 << 20
	}
	if c.MaxArticleBytes <= 0 {
		c.MaxArticleBytes = 2 << 20
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 1000
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 60 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 120 * time.Second
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Server answers the API, the UI, /healthz and /metrics. It is an
// http.Handler; Serve runs it with the configured timeouts.
type Server struct {
	ix  *live.Index
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// New returns a Server over ix.
func New(ix *live.Index, cfg Config) *Server {
	c := cfg.withDefaults()
	s := &Server{ix: ix, cfg: c, log: c.Logger, mux: http.NewServeMux()}
	c.Metrics.watch(ix)
	s.route("/v1/articles", methods{http.MethodPost: s.postArticles})
	s.route("/v1/articles/{id}", methods{http.MethodGet: s.getArticle, http.MethodDelete: s.deleteArticle})
	s.route("/v1/articles/{id}/matches", methods{http.MethodGet: s.getMatches})
	s.route("/v1/stories", methods{http.MethodGet: s.listStories})
	s.route("/v1/stories/{id}", methods{http.MethodGet: s.getStory})
	s.route("/v1/compare", methods{http.MethodGet: s.compare})
	s.route("/v1/openapi.json", methods{http.MethodGet: s.openapi})
	s.route("/healthz", methods{http.MethodGet: s.healthz})
	s.route("/v1/", methods{}) // unknown API paths: JSON 404
	s.mux.Handle("/metrics", s.instrument("/metrics", c.Metrics.handler()))
	s.mux.Handle("/", s.instrument("ui", web.New(ix, web.Options{Logger: c.Logger})))
	return s
}

// methods dispatches by method and answers others with a JSON 405 (or 404
// when the path has no methods at all).
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	if len(m) == 0 {
		writeError(w, errorf(http.StatusNotFound, codeNotFound, "no API endpoint %s (see /v1/openapi.json)", r.URL.Path))
		return
	}
	var allow []string
	for k := range m {
		allow = append(allow, k)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, errorf(http.StatusMethodNotAllowed, codeMethod, "%s does not take %s", r.URL.Path, r.Method))
}

func (s *Server) route(pattern string, m methods) {
	s.mux.Handle(pattern, s.instrument(pattern, m))
}

// statusWriter remembers the status code.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument wraps a route with security headers, the host and token
// checks, metrics and logging.
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		if err := s.admit(r); err != nil {
			writeError(sw, err)
		} else {
			h.ServeHTTP(sw, r)
		}
		took := time.Since(start)
		s.cfg.Metrics.observe(route, r.Method, sw.code, took)
		level := slog.LevelDebug
		if sw.code >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", sw.code, "took", took)
	})
}

// admit checks the Host of token-less servers and the token of writes.
func (s *Server) admit(r *http.Request) *apiError {
	if s.cfg.Token == "" {
		if !loopbackHost(r.Host) {
			return errorf(http.StatusForbidden, codeForbidden, "this server has no token and answers only to localhost; start it with --token to serve %q", clip(r.Host, 64))
		}
		return nil
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.Token)) != 1 {
		if auth == "" {
			return errorf(http.StatusUnauthorized, codeUnauthorized, "writes need a bearer token: Authorization: Bearer <token>")
		}
		return errorf(http.StatusUnauthorized, codeUnauthorized, "invalid bearer token")
	}
	return nil
}

// loopbackHost reports whether a Host header names the loopback interface.
func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = strings.Trim(host, "[]")
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// IsLoopback reports whether a listen address ("host:port") binds only the
// loopback interface; an empty host (every interface) is not loopback.
func IsLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Serve answers on ln until ctx ends, then shuts down gracefully (waiting
// up to 10 s for requests in flight).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
