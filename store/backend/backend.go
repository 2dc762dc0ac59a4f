// Package backend opens a store.Store from a URL, so commands take one
// --store flag whatever the backend. It imports every backend; the store
// package itself imports none, so backends can import store freely.
//
// Accepted forms:
//
//	/var/lib/wiretrace, ./data   a directory: store/pebble
//	pebble:///abs/dir            store/pebble (also pebble://rel/dir, pebble:dir)
//	postgres://user:pw@host/db   store/postgres (also postgresql://; any
//	                             parameter pgx accepts, e.g. search_path, pool_max_conns)
//	mem:                         store/mem: in memory, gone on Close
//
// Opening costs what the backend's Open costs: replaying the WAL and counting
// records for pebble, a connection and a schema check for PostgreSQL.
package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/mem"
	"github.com/wiretrace/wiretrace/store/pebble"
	"github.com/wiretrace/wiretrace/store/postgres"
)

// ErrUnknownScheme is returned by Open for a URL whose scheme names no backend.
var ErrUnknownScheme = errors.New("unknown store scheme")

// Kind names a backend.
type Kind string

// The backends.
const (
	Pebble   Kind = "pebble"
	Postgres Kind = "postgres"
	Mem      Kind = "mem"
)

// Parse tells which backend rawURL selects and what that backend is given:
// the directory for Pebble, the URL itself for PostgreSQL, "" for mem.
func Parse(rawURL string) (Kind, string, error) {
	if rawURL == "" {
		return "", "", errors.New("empty store URL: want a directory, pebble://DIR, postgres://… or mem:")
	}
	scheme, rest, ok := splitScheme(rawURL)
	if !ok {
		return Pebble, rawURL, nil
	}
	switch strings.ToLower(scheme) {
	case "mem":
		if rest != "" && rest != "//" {
			return "", "", fmt.Errorf("store URL %q: mem: takes no path", rawURL)
		}
		return Mem, "", nil
	case "pebble":
		dir := strings.TrimPrefix(rest, "//")
		if dir == "" {
			return "", "", fmt.Errorf("store URL %q: no directory (want pebble:///abs/dir or pebble:rel/dir)", rawURL)
		}
		return Pebble, dir, nil
	case "postgres", "postgresql":
		return Postgres, rawURL, nil
	}
	return "", "", fmt.Errorf("store URL %q: %w %q (want a directory, pebble://DIR, postgres://… or mem:; "+
		"for a directory with a colon in its name write ./%s)", Redact(rawURL), ErrUnknownScheme, scheme, Redact(rawURL))
}

// splitScheme splits "scheme:rest" when the text before the first colon is
// a URL scheme of two or more characters (so C:\data stays a path).
func splitScheme(s string) (scheme, rest string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 2 {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", "", false
		}
	}
	return s[:i], s[i+1:], true
}

// Open opens the store rawURL selects (see the package comment). logger is
// passed to the backend; nil discards its messages.
func Open(ctx context.Context, rawURL string, logger *slog.Logger) (store.Store, error) {
	kind, target, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	// Return nil, not a nil pointer in a non-nil interface, on failure.
	switch kind {
	case Mem:
		return mem.New(), nil
	case Pebble:
		s, err := pebble.Open(target, logger)
		if err != nil {
			return nil, err
		}
		return s, nil
	default:
		s, err := postgres.Open(ctx, target, logger)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Redact returns rawURL with any password replaced by "xxxxx", for logs and
// messages.
func Redact(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return u.Redacted()
	}
	// Unparsable: mask the user-info part by hand.
	i := strings.Index(rawURL, "://")
	if i < 0 {
		return rawURL
	}
	at := strings.LastIndexByte(rawURL[i+3:], '@')
	if at < 0 {
		return rawURL
	}
	userinfo := rawURL[i+3 : i+3+at]
	if c := strings.IndexByte(userinfo, ':'); c >= 0 {
		userinfo = userinfo[:c] + ":xxxxx"
	}
	return rawURL[:i+3] + userinfo + rawURL[i+3+at:]
}
