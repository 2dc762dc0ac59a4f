// Package extract turns news pages into article text and metadata, and
// reads credits and dates from plain text.
//
// HTML and Document take a page (raw bytes in any common character
// encoding, or a parsed DOM) and return a wiretrace.Article with the main
// text as paragraphs separated by blank lines, page chrome removed, and
// title, canonical URL, site name, publication and update dates, language,
// byline, dateline and wire-agency credits filled in where the page gives
// them. The main text comes from go-trafilatura, with go-readability as a
// fallback when trafilatura finds little; both sit behind a small internal
// interface. Paragraphs the engines keep pass through Chrome, the same
// notion of "not article text" that filters plain-text inputs.
//
// Credits and Dates read the same facts from plain text.
//
// All functions are safe for concurrent use.
//
// Cost: a page costs a parse of the decoded HTML, one copy of the DOM, and
// trafilatura's passes over it (it copies the DOM three more times and
// runs a language classifier); on the test fixtures (6 KB of HTML each)
// that is about 2 ms and 100 times the page's size in allocations per
// page on one core. Input is capped (Options.MaxBytes, 8 MiB by default)
// and read into memory whole.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/wiretrace/wiretrace"
)

// Sentinel errors for pages the package rejects.
var (
	// ErrTooLarge: the input is larger than Options.MaxBytes.
	ErrTooLarge = errors.New("page too large")
	// ErrNotHTML: the input does not look like an HTML document.
	ErrNotHTML = errors.New("not an HTML page")
	// ErrNoText: the page has no article text once chrome is removed.
	ErrNoText = errors.New("no article text")
)

// DefaultMaxBytes caps the input HTML reads when Options.MaxBytes is zero.
const DefaultMaxBytes = 8 << 20

// DefaultMinRunes is the least article text, in characters, that counts
// as text when Options.MinRunes is zero.
const DefaultMinRunes = 80

// fallbackRunes: when the primary engine keeps less text than this, the
// fallback engine is tried too and the longer result wins.
const fallbackRunes = 500

// Options configure extraction. The zero value gives the defaults.
type Options struct {
	// MaxBytes caps the bytes read from the input; larger inputs fail
	// with ErrTooLarge. 0 means DefaultMaxBytes.
	MaxBytes int64
	// Charset is the character encoding declared by the transport: the
	// charset parameter of an HTTP Content-Type, or the whole header
	// value. "" lets the page's <meta> or the bytes decide.
	Charset string
	// MinRunes is the least text, in characters, an article must have;
	// less fails with ErrNoText. 0 means DefaultMinRunes.
	MinRunes int
	// Logger receives debug records about engine choices; nil discards.
	Logger *slog.Logger
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

func (o Options) minRunes() int {
	if o.MinRunes > 0 {
		return o.MinRunes
	}
	return DefaultMinRunes
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// HTML reads a page, decodes it to UTF-8 and extracts its article (see
// Document). pageURL, when known, is where the page was fetched; it
// resolves a relative canonical link and is the URL when the page names
// none. The returned Article has HTML and ID empty: the caller decides
// what to keep and how to name it.
func HTML(r io.Reader, pageURL string, opts Options) (*wiretrace.Article, error) {
	limit := opts.maxBytes()
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read page: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if !looksHTML(raw) {
		return nil, ErrNotHTML
	}
	src, enc, err := toUTF8(raw, opts.Charset)
	if err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	opts.logger().Debug("decoded page", "url", pageURL, "encoding", enc, "bytes", len(raw))
	doc, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("parse page: %w", err)
	}
	return Document(doc, pageURL, opts)
}

// htmlMarker finds the tags that mark a document as HTML.
var htmlMarker = regexp.MustCompile(`(?i)<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|main|section|h1|h2|table|span|a|br|script|link|!--)[\s>/]`)

// Sniff reports whether head, the first bytes of a file or record (a few
// KiB), is plausibly an HTML page: not binary, with HTML tags near its
// start. HTML fails with ErrNotHTML exactly when Sniff of the input's
// first 8 KiB is false.
func Sniff(head []byte) bool { return looksHTML(head) }

// looksHTML reports whether raw is plausibly an HTML page: not binary,
// and with HTML tags near its start.
func looksHTML(raw []byte) bool {
	head := raw[:min(len(raw), 8192)]
	if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return true // UTF-16 with a byte-order mark
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for _, magic := range [][]byte{[]byte("%PDF"), []byte("\x89PNG"), []byte("GIF8"), []byte("\xFF\xD8\xFF"), []byte("PK\x03\x04"), []byte("\x1F\x8B")} {
		if bytes.HasPrefix(head, magic) {
			return false
		}
	}
	return htmlMarker.Match(head)
}

// Document extracts the article from a parsed page whose text is UTF-8
// (parsed from decoded bytes; HTML does the decoding). doc is not
// modified. pageURL is as for HTML; Options.MaxBytes and Options.Charset
// do not apply. It fails with ErrNoText when fewer than Options.MinRunes
// characters of article text remain.
func Document(doc *html.Node, pageURL string, opts Options) (*wiretrace.Article, error) {
	if doc == nil {
		return nil, ErrNotHTML
	}
	log := opts.logger()
	var base *url.URL
	if pageURL != "" {
		if u, err := url.Parse(pageURL); err == nil && u.Scheme != "" && u.Host != "" {
			base = u
		}
	}
	pm := readMeta(doc, base)
	u := base
	if pm.canonical != "" {
		if cu, err := url.Parse(pm.canonical); err == nil {
			u = cu
		}
	}

	res, raw, kept, err := mainText(prepare(doc), u, pm.title, log)
	if err != nil {
		return nil, err
	}
	body := strings.Join(kept, "\n\n")
	if utf8.RuneCountInString(body) < opts.minRunes() {
		return nil, fmt.Errorf("%w: %d characters", ErrNoText, utf8.RuneCountInString(body))
	}

	a := &wiretrace.Article{
		Title:     firstNonEmpty(pm.title, res.title),
		URL:       firstNonEmpty(pm.canonical, urlString(base)),
		Source:    firstNonEmpty(pm.site, res.site, hostName(u)),
		Lang:      pickLang(pm.lang, res.lang, body),
		Byline:    firstNonEmpty(pm.byline, cleanByline(res.byline), cleanByline(res.author)),
		Text:      body,
		Published: pm.published,
		Updated:   pm.updated,
	}

	// Credits: the raw paragraphs (chrome included: credit lines are
	// chrome), the byline and credit elements, and the named authors.
	credits, dateline := Credits(strings.Join(raw, "\n\n"))
	for _, ls := range [][]string{pm.infoLines, pm.headLines} {
		more, _ := Credits(strings.Join(ls, "\n"))
		credits = appendNew(credits, more...)
	}
	for _, au := range pm.authors {
		c := au
		if !strings.HasPrefix(strings.ToLower(c), "by ") {
			c = "By " + c
		}
		more, _ := Credits(c)
		credits = appendNew(credits, more...)
	}
	a.Credits, a.Dateline = credits, dateline

	// Visible dates where the metadata has none: byline and date elements
	// first, then the text itself.
	if a.Published.IsZero() || a.Updated.IsZero() {
		var pub, upd time.Time
		for _, ls := range [][]string{pm.infoLines, pm.headLines, raw} {
			if pub, upd = Dates(strings.Join(ls, "\n")); !pub.IsZero() || !upd.IsZero() {
				break
			}
		}
		if a.Published.IsZero() && a.Updated.IsZero() {
			a.Published, a.Updated = pub, upd
		} else if a.Updated.IsZero() && upd.After(a.Published) {
			a.Updated = upd
		} else if a.Published.IsZero() && !pub.IsZero() && pub.Before(a.Updated) {
			a.Published = pub
		}
	}
	if a.Published.IsZero() && a.Updated.IsZero() {
		a.Published = firstNonZero(pm.timeDate, res.published)
	}
	// An "update" at or before publication is no update (CMSs fill
	// dateModified with datePublished).
	if !a.Published.IsZero() && !a.Updated.After(a.Published) {
		a.Updated = time.Time{}
	}
	return a, nil
}

// engines are tried in order: the primary, then the fallback when the
// primary finds little text, fails or returns an unstructured dump.
var engines = []engine{trafilaturaEngine{}, readabilityEngine{}}

// mainText runs the engines and returns the chosen result, its paragraphs
// before chrome removal (raw) and after (kept).
func mainText(doc *html.Node, u *url.URL, title string, log *slog.Logger) (engineResult, []string, []string, error) {
	var best engineResult
	var bestRaw, bestKept []string
	bestScore := -1
	var errs []error
	bestFlat := false
	for i, e := range engines {
		if i > 0 && bestScore >= fallbackRunes && !bestFlat {
			break
		}
		res, err := safely(e, doc, u)
		if err != nil {
			log.Debug("engine failed", "engine", e.name(), "err", err)
			errs = append(errs, err)
			continue
		}
		raw, text := dropTitle(res.blocks, firstNonEmpty(title, res.title))
		kept := filterChrome(text)
		score := 0
		for _, k := range kept {
			score += utf8.RuneCountInString(k)
		}
		// A single giant paragraph is trafilatura's last-resort dump of
		// the page, not paragraph-structured text: worth half, and the
		// fallback engine gets a try.
		flat := len(kept) == 1 && score > 2*fallbackRunes
		if flat {
			score /= 2
		}
		log.Debug("engine result", "engine", e.name(), "paragraphs", len(kept), "runes", score)
		// The fallback must find clearly more text to be preferred: a
		// few more characters are as likely chrome as article.
		if bestScore < 0 || score > bestScore+bestScore/10 {
			best, bestRaw, bestKept, bestScore, bestFlat = res, raw, kept, score, flat
		}
	}
	if bestScore < 0 {
		return engineResult{}, nil, nil, fmt.Errorf("%w: %w", ErrNoText, errors.Join(errs...))
	}
	return best, bestRaw, bestKept, nil
}

// dropTitle removes the headline the engines repeat at the top of the
// text. It returns all remaining paragraphs (raw, read for credits and
// dates) and those that are neither link teasers nor the short label
// heading a run of them, "Most Read from Bloomberg" or "Related:" (text).
func dropTitle(bs []block, title string) (raw, text []string) {
	raw = make([]string, 0, len(bs))
	text = make([]string, 0, len(bs))
	nt := strings.Join(words(title), " ")
	kept := make([]block, 0, len(bs))
	for i, b := range bs {
		if i < 5 && (b.tag == atom.H1 || nt != "" && strings.Join(words(b.text), " ") == nt) {
			continue
		}
		kept = append(kept, b)
	}
	for i, b := range kept {
		raw = append(raw, b.text)
		if b.teaser() {
			continue
		}
		if i+1 < len(kept) && kept[i+1].teaser() && isLabel(b.text) {
			continue
		}
		text = append(text, b.text)
	}
	return raw, text
}

// isLabel reports a short line that is not a sentence: at most eight
// words, not ending in sentence punctuation.
func isLabel(s string) bool {
	s = strings.TrimSpace(s)
	if len(strings.Fields(s)) > 8 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return !strings.ContainsRune(".!?\"”»。", r)
}

// filterChrome drops the paragraphs Chrome marks as page chrome.
func filterChrome(paras []string) []string {
	flags := Chrome(paras)
	out := make([]string, 0, len(paras))
	for i, p := range paras {
		if i < len(flags) && flags[i] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// pickLang chooses the language: the declared one, unless the detected
// one disagrees on a text long enough to trust detection. detected is the
// engine's guess; when it has none, whatlanggo guesses from the text.
func pickLang(declared, detected, body string) string {
	detected = baseLang(detected)
	if detected == "" {
		if info := whatlanggo.Detect(body); info.IsReliable() {
			detected = baseLang(info.Lang.Iso6391())
		}
	}
	switch {
	case declared == "":
		return detected
	case detected != "" && detected != declared && utf8.RuneCountInString(body) >= 400:
		return detected
	}
	return declared
}

func appendNew(dst []string, src ...string) []string {
	for _, s := range src {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// hostName returns a URL's host without "www.", as a last-resort site name.
func hostName(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
