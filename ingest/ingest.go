// Package ingest streams articles out of what users hand wiretrace: plain
// text files, directories of them, JSONL files and standard input. Formats
// are recognised by extension and, failing that, by content.
//
// Readers stream: an article is handed on as soon as it is read, so work
// starts before the input ends and memory does not grow with input size.
// Bad input never stops a read: each unreadable file, malformed line or
// oversized record is reported as an Item carrying an error that names it,
// and reading goes on with the rest.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/extract"
	"github.com/wiretrace/wiretrace/ingest/warc"
)

// Expected rejections; callers count them with errors.Is.
var (
	ErrUnknownFormat = errors.New("unknown format")
	ErrTooLarge      = errors.New("record too large")
	ErrMalformed     = errors.New("malformed record")
	ErrEmpty         = errors.New("empty input")
	ErrBinary        = errors.New("binary content")
	// ErrDamaged: part of an archive could not be read (truncated or
	// corrupt records); the readable part was read.
	ErrDamaged = errors.New("damaged input")
)

// Line is one JSONL line given to Options.JSONLine.
type Line struct {
	// Bytes is the line without its line ending, valid only during the
	// call.
	Bytes  []byte
	Origin string // "path:line"
	// Offset is where the line starts in its file when the file is read
	// as stored (not compressed, not standard input), so that the line
	// can be read again from there; -1 otherwise.
	Offset int64
}

// Options configure reading. The zero value means the defaults.
type Options struct {
	// MaxRecordBytes caps one JSONL line or one text file. Default 16 MiB.
	MaxRecordBytes int
	// Stdin is read for the input "-". Default os.Stdin.
	Stdin io.Reader
	// JSONLine, when set, receives each non-blank JSONL line within
	// MaxRecordBytes unparsed instead of fn receiving an Item: the caller
	// parses it with ParseJSONLine, for instance on several goroutines.
	JSONLine func(Line) error
	// Progress, when set, is called as input bytes are read from files
	// and standard input (before decompression), with the count read.
	Progress func(n int64)
	// Logger receives debug records (e.g. the records of a WARC file that
	// hold no HTML page); nil discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = 16 << 20
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Item is one article read, or one input that could not be read.
type Item struct {
	Article wiretrace.Article // valid when Err is nil
	Err     error             // names the input (path, path:line) and the problem
}

// Format is an input format.
type Format string

// Formats.
const (
	FormatText  Format = "text"
	FormatJSONL Format = "jsonl"
	FormatHTML  Format = "html"
	FormatWARC  Format = "warc"
)

// Read streams the articles of every input, in order: files as given,
// directories walked recursively in lexical order, "-" for standard input
// (JSONL). fn is called once per article or per bad input; reading stops
// early only when fn returns an error or ctx is done, and that error is
// returned.
func Read(ctx context.Context, inputs []string, opts Options, fn func(Item) error) error {
	o := opts.withDefaults()
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if in == "-" {
			err = readStdin(ctx, o, fn)
		} else {
			err = readPath(ctx, in, o, fn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readPath(ctx context.Context, path string, o Options, fn func(Item) error) error {
	info, err := os.Stat(path)
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	if !info.IsDir() {
		return readFile(ctx, path, o, fn)
	}
	var files []string
	werr := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			files = append(files, p) // reported when read
			return nil
		}
		if d.IsDir() {
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || !d.Type().IsRegular() {
			return nil // hidden files, symlinks and devices are not followed
		}
		files = append(files, p)
		return nil
	})
	if werr != nil {
		if err := fn(Item{Err: fmt.Errorf("walk %s: %w", path, werr)}); err != nil {
			return err
		}
	}
	slices.Sort(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := readFile(ctx, f, o, fn); err != nil {
			return err
		}
	}
	return nil
}

func readFile(ctx context.Context, path string, o Options, fn func(Item) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	defer f.Close()
	raw := bufio.NewReaderSize(counting(f, o.Progress), 64<<10)
	br, name, done, err := decompress(path, raw)
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	defer done()
	head, _ := br.Peek(512)
	format, err := Detect(name, head)
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	switch format {
	case FormatJSONL:
		if name != path || br != raw {
			return readJSONL(ctx, br, path, -1, o, fn)
		}
		return readJSONL(ctx, br, path, 0, o, fn)
	case FormatHTML:
		return readHTML(br, path, o, fn)
	case FormatWARC:
		return readWARC(ctx, br, path, o, fn)
	default:
		return readText(br, path, o, fn)
	}
}

// Detect names the format of a file from its extension, or from its first
// bytes when the extension says nothing.
func Detect(path string, head []byte) (Format, error) {
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".warc"), strings.HasSuffix(lower, ".warc.gz"):
		return FormatWARC, nil
	}
	switch filepath.Ext(lower) {
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, nil
	case ".txt", ".text":
		return FormatText, nil
	case ".html", ".htm", ".xhtml":
		return FormatHTML, nil
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case warc.Sniff(head):
		return FormatWARC, nil
	case len(trimmed) == 0:
		return FormatText, nil // empty: reported as such by the text reader
	case trimmed[0] == '{':
		return FormatJSONL, nil
	case extract.Sniff(head):
		return FormatHTML, nil
	case looksBinary(head):
		return "", ErrBinary
	case utf8.Valid(head) || utf8.Valid(head[:max(0, len(head)-3)]):
		return FormatText, nil
	}
	return "", ErrUnknownFormat
}

// looksBinary reports NUL bytes or a high share of control bytes.
func looksBinary(b []byte) bool {
	ctrl := 0
	for _, c := range b {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctrl++
		}
	}
	return len(b) > 0 && ctrl*10 > len(b)
}

func readText(r io.Reader, path string, o Options, fn func(Item) error) error {
	data, err := io.ReadAll(io.LimitReader(r, int64(o.MaxRecordBytes)+1))
	if err != nil {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, err)})
	}
	if len(data) > o.MaxRecordBytes {
		return fn(Item{Err: fmt.Errorf("read %s: %w (over %d bytes)", path, ErrTooLarge, o.MaxRecordBytes)})
	}
	if looksBinary(data[:min(len(data), 4096)]) {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, ErrBinary)})
	}
	text := string(data)
	if strings.TrimSpace(text) == "" {
		return fn(Item{Err: fmt.Errorf("read %s: %w", path, ErrEmpty)})
	}
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	a := TextArticle(id, text)
	a.Origin = path
	return fn(Item{Article: a})
}
