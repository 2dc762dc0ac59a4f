package ingest

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/ingest/warc"
)

// readHTML reads one saved page. The page is handed on as HTML: the main
// text and metadata are extracted when the article is prepared, in
// parallel with other articles.
func readHTML(r io.Reader, path string, o Options, fn func(Item) error) error {
	data, err := io.ReadAll(io.LimitReader(r, int64(o.MaxRecordBytes)+1))
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	if len(data) > o.MaxRecordBytes {
		return fn(Item{Err: fmt.Errorf("read %s: %w (over %d bytes)", path, ErrTooLarge, o.MaxRecordBytes)})
	}
	if strings.TrimSpace(string(data)) == "" {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, ErrEmpty)})
	}
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return fn(Item{Article: wiretrace.Article{ID: id, HTML: string(data), Origin: path}})
}

// readWARC streams the HTML pages of a .warc or .warc.gz file. A page's id
// is its URL (the record id when it has none). Records that hold no page
// (requests, metadata, revisits, non-HTML payloads) are counted and logged;
// truncated and corrupt records are reported as one ErrDamaged item naming
// the file, after the pages that could be read.
func readWARC(ctx context.Context, r io.Reader, path string, o Options, fn func(Item) error) error {
	st, err := warc.ReadWith(r, warc.Options{MaxBody: int64(o.MaxRecordBytes), Logger: o.Logger}, func(p warc.Page) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := p.URL
		if id == "" {
			id = p.RecordID
		}
		return fn(Item{Article: wiretrace.Article{
			ID:      id,
			URL:     p.URL,
			HTML:    string(p.Body), // copies: Body is reused by the reader
			Charset: p.Charset,
			Origin:  fmt.Sprintf("%s@%d", path, p.Offset),
		}})
	})
	o.Logger.Debug("warc read", "file", path, "records", st.Records, "pages", st.HTML, "non_html", st.NonHTML,
		"not_ok", st.NotOK, "revisits", st.Revisits, "requests", st.Requests, "metadata", st.Metadata,
		"other", st.Other, "oversize", st.Oversize, "truncated", st.Truncated, "corrupt", st.Corrupt)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	if st.Truncated+st.Corrupt+st.Oversize > 0 {
		return fn(Item{Err: fmt.Errorf("read %s: %w: %d truncated, %d corrupt, %d oversize records skipped (%d pages read)",
			path, ErrDamaged, st.Truncated, st.Corrupt, st.Oversize, st.HTML)})
	}
	return nil
}
