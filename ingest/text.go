package ingest

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wiretrace/wiretrace"
)

// dateHeader is the metadata line some collections put before the text:
// " date 2021-12-04" (possibly followed by the text on the same line).
var dateHeader = regexp.MustCompile(`^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?[ \t]*`)

// TextArticle builds an article from a plain text body: a leading
// " date YYYY-MM-DD" header becomes the publication date and is removed from
// the text; invalid UTF-8 is replaced by U+FFFD.
func TextArticle(id, text string) wiretrace.Article {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	text = strings.TrimPrefix(text, "\ufeff")
	a := wiretrace.Article{ID: id}
	if m := dateHeader.FindStringSubmatch(text); m != nil {
		layout, v := "2006-01-02", m[1]
		if m[2] != "" {
			layout, v = "2006-01-02 15:04", m[1]+" "+m[2][:5]
		}
		if t, err := time.Parse(layout, v); err == nil {
			a.Published = t
			text = text[len(m[0]):]
		}
	}
	a.Text = text
	return a
}
