package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/internal/dates"
)

// jsonArticle is the JSONL line format (docs/input.md). Unknown fields are
// ignored.
type jsonArticle struct {
	ID        jsontext.Value `json:"id"`
	Title     string         `json:"title"`
	Text      jsonText       `json:"text"`
	HTML      jsonText       `json:"html"`
	URL       string         `json:"url"`
	Source    string         `json:"source"`
	Published string         `json:"published"`
	Lang      string         `json:"lang"`
}

// readJSONL streams one article per line. Blank lines are skipped; a line
// that is not a JSON object with an id and a text (or html) is reported as
// path:line and skipped. offset is where r starts in its file, or -1 when
// r is not the file as stored (Line.Offset).
func readJSONL(ctx context.Context, r io.Reader, name string, offset int64, o Options, fn func(Item) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	line := 0
	var buf []byte
	// A byte order mark (editors on Windows write one) is not part of the
	// first line.
	if head, _ := br.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
		if offset >= 0 {
			offset += int64(len(utf8BOM))
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := offset
		b, tooLong, n, err := readLine(br, &buf, o.MaxRecordBytes)
		if offset >= 0 {
			offset += n
		}
		if len(b) > 0 || tooLong {
			line++
			origin := fmt.Sprintf("%s:%d", name, line)
			var item Item
			if tooLong {
				item.Err = fmt.Errorf("read %s: %w (line over %d bytes)", origin, ErrTooLarge, o.MaxRecordBytes)
			} else if len(bytes.TrimSpace(b)) == 0 {
				goto next
			} else if o.JSONLine != nil {
				if ferr := o.JSONLine(Line{Bytes: b, Origin: origin, Offset: start}); ferr != nil {
					return ferr
				}
				goto next
			} else {
				item = parseJSONLine(b, origin)
			}
			if ferr := fn(item); ferr != nil {
				return ferr
			}
		} else if err == nil {
			line++ // an empty line
		}
	next:
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fn(Item{Err: fmt.Errorf("read %s after line %d: %w", name, line, err)})
		}
	}
}

var utf8BOM = []byte("\ufeff")

// readLine returns the next line without its newline, and the number of
// bytes consumed. A line longer than limit is consumed and reported as
// tooLong. At the end of input err is io.EOF (with the last line, if any,
// in b).
func readLine(br *bufio.Reader, buf *[]byte, limit int) (b []byte, tooLong bool, n int64, err error) {
	*buf = (*buf)[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if !tooLong {
			if len(*buf)+len(chunk) > limit+1 {
				tooLong = true
				*buf = (*buf)[:0]
			} else {
				*buf = append(*buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		out := bytes.TrimRight(*buf, "\r\n")
		if tooLong {
			out = nil
		}
		return out, tooLong, n, err
	}
}

func parseJSONLine(b []byte, origin string) Item {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	var ja jsonArticle
	if err := json.Unmarshal(b, &ja, lineOptions); err != nil {
		return Item{Err: fmt.Errorf("read %s: %w: %s", origin, ErrMalformed, describeJSONError(err))}
	}
	id, err := parseID(ja.ID)
	if err != nil {
		return Item{Err: fmt.Errorf("read %s: %w: %v", origin, ErrMalformed, err)}
	}
	if strings.TrimSpace(string(ja.Text)) == "" && strings.TrimSpace(string(ja.HTML)) == "" {
		return Item{Err: fmt.Errorf("read %s (id %s): %w: no text or html", origin, id, ErrEmpty)}
	}
	a := wiretrace.Article{
		ID: id, Title: strings.TrimSpace(ja.Title), Text: string(ja.Text), HTML: string(ja.HTML),
		URL: ja.URL, Source: ja.Source, Lang: ja.Lang, Origin: origin,
	}
	if ja.Published != "" {
		if t, ok := dates.ParseDate(ja.Published); ok {
			a.Published = t
		}
	}
	return Item{Article: a}
}

// jsonText is a long JSON string field (text, html), unquoted into one
// allocation of its own, which becomes the string. The library's default
// for strings grows a buffer from nothing while unquoting and then copies
// it into the string: for article bodies that was a fifth of parsing.
type jsonText string

var errNotString = errors.New("not a string")

// UnmarshalJSONFrom implements json.UnmarshalerFrom. null reads as "", as
// it does for a plain string field.
func (t *jsonText) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		*t = ""
		return nil
	case '"':
	default:
		return errNotString
	}
	// Unquoting never lengthens valid UTF-8 (the line was made valid).
	b, err := jsontext.AppendUnquote(make([]byte, 0, len(v)), v)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		*t = ""
		return nil
	}
	*t = jsonText(unsafe.String(&b[0], len(b))) // b is not used again
	return nil
}

// lineOptions parse a JSONL line leniently, as feeds write them: field
// names in any case, a repeated field's last value wins.
var lineOptions = json.JoinOptions(json.MatchCaseInsensitiveNames(true), jsontext.AllowDuplicateNames(true))

// describeJSONError says in a few words why a line does not parse.
func describeJSONError(err error) string {
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.ByteOffset)
	case errors.As(err, &sem) && sem.JSONPointer == "":
		return "not a JSON object"
	case errors.As(err, &sem) && sem.GoType == reflect.TypeFor[jsonText]():
		return fmt.Sprintf("field %q must be a string", strings.TrimPrefix(string(sem.JSONPointer), "/"))
	case errors.As(err, &sem) && sem.GoType != nil:
		return fmt.Sprintf("field %q must be a %s", strings.TrimPrefix(string(sem.JSONPointer), "/"), sem.GoType)
	}
	return err.Error()
}

// parseID accepts a JSON string or number.
func parseID(raw jsontext.Value) (string, error) {
	if len(raw) == 0 || raw.Kind() == 'n' {
		return "", errors.New(`missing "id"`)
	}
	switch raw.Kind() {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if strings.TrimSpace(s) == "" {
			return "", errors.New(`empty "id"`)
		}
		return s, nil
	case '0':
		return string(raw), nil
	}
	return "", errors.New(`"id" must be a string or a number`)
}
