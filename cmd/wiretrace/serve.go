package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/live"
	"github.com/wiretrace/wiretrace/server"
	"github.com/wiretrace/wiretrace/store/backend"
)

func newServeCmd(g *globals) *cobra.Command {
	var (
		addr, data, storeURL, token, level string
		cfg                                server.Config
		keepText                           bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the live index: HTTP API, web UI and metrics over a persistent store",
		Long: `Run wiretrace as a service: every article posted to /v1/articles is stored
durably, matched against everything indexed before and answered with its copy
group, story and reuse; the web UI at / shows stories, their timelines and
derivation graphs, and compares articles side by side. The API is described
at /v1/openapi.json (docs/api.md); Prometheus metrics are at /metrics.

The index lives in --data (a directory, created if needed) or in --store
(a directory, pebble://DIR, postgres://… or mem:). A restart reopens it; an
article acknowledged by the API survives a crash.

Writes need the bearer token given by --token or $WIRETRACE_TOKEN. Without
one, serve listens on loopback only and answers only to localhost.`,
		Example: `  wiretrace serve
  wiretrace serve --addr :8080 --token "$(openssl rand -hex 16)" --data /var/lib/wiretrace
  curl -H 'Content-Type: application/json' -d '{"id":"a1","text":"…"}' localhost:8080/v1/articles`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if token == "" {
				token = os.Getenv("WIRETRACE_TOKEN")
			}
			loopback, err := server.IsLoopback(addr)
			if err != nil {
				return err
			}
			if !loopback && token == "" {
				return fmt.Errorf("refusing to listen on %s without a token: set --token or WIRETRACE_TOKEN, or listen on 127.0.0.1", addr)
			}
			lv, err := engine.ParseLevel(level)
			if err != nil {
				return err
			}
			if storeURL == "" {
				if err := os.MkdirAll(data, 0o750); err != nil {
					return fmt.Errorf("create data directory: %w", err)
				}
				storeURL = filepath.Clean(data)
				if !filepath.IsAbs(storeURL) {
					storeURL = "." + string(filepath.Separator) + storeURL // a directory, even with a colon in its name
				}
			}
			cfg.Token = token
			return serve(cmd.Context(), g, addr, storeURL, live.Options{Engine: engine.Options{Level: lv}, KeepText: keepText}, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address; beyond loopback it needs a token")
	f.StringVar(&data, "data", "wiretrace-data", "data directory of the index")
	f.StringVar(&storeURL, "store", "", "store URL instead of --data: a directory, pebble://DIR, postgres://… or mem:")
	f.StringVar(&token, "token", "", "bearer token writes need (default $WIRETRACE_TOKEN)")
	f.StringVar(&level, "level", "stories", "how deep to look: near-dup, reuse or stories (changing it re-prepares stored articles on open)")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body", 32<<20, "largest request body, bytes")
	f.IntVar(&cfg.MaxArticleBytes, "max-article", 2<<20, "largest article (text plus html), bytes")
	f.IntVar(&cfg.MaxBatch, "max-batch", 1000, "most articles in one JSONL batch")
	f.DurationVar(&cfg.ReadTimeout, "read-timeout", time.Minute, "time to read a request")
	f.DurationVar(&cfg.WriteTimeout, "write-timeout", 2*time.Minute, "time to handle a request and write the answer")
	f.BoolVar(&keepText, "keep-text", false, "keep article texts in memory too (faster views, about twice the memory)")
	return cmd
}

// serveLogger logs at info level unless -v or -q say otherwise: a service
// reports that it is listening and how loading goes.
func serveLogger(g *globals) *slog.Logger {
	level := slog.LevelInfo
	if g.verbose {
		level = slog.LevelDebug
	}
	if g.quiet {
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
}

// serve runs the server until ctx ends (SIGINT, SIGTERM) or loading fails.
func serve(ctx context.Context, g *globals, addr, storeURL string, opts live.Options, cfg server.Config) error {
	log := serveLogger(g)
	st, err := backend.Open(ctx, storeURL, log.With("component", "store"))
	if err != nil {
		return fmt.Errorf("open store %s: %w", backend.Redact(storeURL), err)
	}
	defer st.Close()
	metrics := server.NewMetrics()
	opts.Logger, opts.Hooks = log.With("component", "index"), metrics.Hooks()
	ix, err := live.Open(ctx, st, opts)
	if err != nil {
		return err
	}
	defer ix.Close()
	cfg.Metrics, cfg.Logger = metrics, log.With("component", "http")
	srv := server.New(ix, cfg)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/", "store", backend.Redact(storeURL),
		"writes", map[bool]string{true: "need the token", false: "open to localhost"}[cfg.Token != ""])

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loadErr := make(chan error, 1)
	go func() {
		if err := ix.Wait(ctx); err != nil && !errors.Is(err, context.Canceled) {
			loadErr <- err
			cancel()
		}
	}()
	err = srv.Serve(ctx, ln)
	select {
	case lerr := <-loadErr:
		return lerr
	default:
	}
	if err == nil {
		log.Info("stopped")
	}
	return err
}
