package extract

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"
)

// pageMeta is what a page says about itself outside the article text.
type pageMeta struct {
	title, canonical, site, lang, byline string
	published, updated                   time.Time
	// authors are author names from <meta> and JSON-LD, read for credits
	// ("Associated Press", "AFP").
	authors []string
	// infoLines are the visible lines of byline, date, source and credit
	// elements ("Edited by: AP Washington Updated on: …"), read for credits
	// and visible dates.
	infoLines []string
	// headLines are the visible lines around the headline (captions,
	// navigation and related lists left out), where pages print bylines
	// and dates in elements no class names.
	headLines []string
	// timeDate is the first <time datetime> in the page's article region,
	// used when nothing better dates the page.
	timeDate time.Time
	// timePublished and timeUpdated come from <time> elements marked as
	// such by class, itemprop or the pubdate attribute.
	timePublished, timeUpdated time.Time
}

// articleTypes are the schema.org types of news articles in JSON-LD.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "analysisnewsarticle": true,
	"opinionnewsarticle": true, "backgroundnewsarticle": true, "reviewnewsarticle": true,
	"blogposting": true, "liveblogposting": true, "report": true, "socialmediaposting": true,
	"webpage": true, "scholarlyarticle": true, "techarticle": true,
}

// metaPublished and metaUpdated name <meta> elements (by name, property or
// itemprop, lower-cased) that carry the dates, best first.
var (
	metaPublished = []string{
		"article:published_time", "og:article:published_time", "datepublished", "article.published",
		"published_time", "pubdate", "publishdate", "publish-date", "publish_date", "parsely-pub-date",
		"sailthru.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date",
		"article_date_original", "cxenseparse:recs:publishtime", "og:pubdate",
	}
	metaUpdated = []string{
		"article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time",
		"article.updated", "modified_time", "dcterms.modified", "last-modified", "lastmod",
		"article_date_updated",
	}
)

// infoWords mark elements that hold bylines, dates and credits.
var infoWords = []string{
	"byline", "author", "credit", "source", "agency", "dateline", "editor", "contributor",
	"meta", "info", "date", "time", "posted", "published", "updated", "copyright", "attribution",
	"writer", "reporter",
}

// readMeta gathers title, canonical URL, site name, language, byline and
// dates from <meta>, <link>, JSON-LD, <time> and byline elements.
func readMeta(doc *html.Node, base *url.URL) pageMeta {
	var pm pageMeta
	metas := map[string]string{}
	var canonical, htmlLang, docTitle string
	var h1s []*html.Node
	var ld []map[string]any
	var bylineText string
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch tagOf(n) {
		case atom.Head:
			return true
		case atom.Html:
			htmlLang = attr(n, "lang")
			if htmlLang == "" {
				htmlLang = attr(n, "xml:lang")
			}
		case atom.Meta:
			content := strings.TrimSpace(attr(n, "content"))
			if content == "" {
				return false
			}
			for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
				if key := strings.ToLower(strings.TrimSpace(attr(n, k))); key != "" {
					if _, seen := metas[key]; !seen {
						metas[key] = content
					}
				}
			}
			return false
		case atom.Link:
			if canonical == "" && strings.EqualFold(strings.TrimSpace(attr(n, "rel")), "canonical") {
				canonical = attr(n, "href")
			}
			return false
		case atom.Title:
			if docTitle == "" && ancestor(n, func(p *html.Node) bool { return tagOf(p) == atom.Svg }) == nil {
				docTitle = collapse(rawText(n))
			}
			return false
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") {
				ld = append(ld, jsonLD(rawText(n))...)
			}
			return false
		case atom.H1:
			if !hidden(n) {
				h1s = append(h1s, n)
			}
			return false
		}
		if hidden(n) || outside(n) {
			return false
		}
		if ic := idClass(n); ic != "" && matchesAny(ic, infoWords) {
			if tagOf(n) == atom.Figure || tagOf(n) == atom.Figcaption ||
				ancestor(n, func(p *html.Node) bool { return tagOf(p) == atom.Figure || tagOf(p) == atom.Figcaption }) != nil {
				return false
			}
			if l := textLen(n, 301); l > 0 && l <= 300 {
				t := text(n)
				pm.infoLines = append(pm.infoLines, lines(n, nil)...)
				if bylineText == "" && (strings.Contains(ic, "byline") || strings.Contains(ic, "author")) {
					bylineText = t
				}
				return false
			}
		}
		return true
	})

	// <time> elements, outside navigation, related lists and comments.
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		if tagOf(n) != atom.Time {
			return !outside(n)
		}
		d, ok := parseDate(strings.TrimSpace(attr(n, "datetime")))
		if !ok {
			return false
		}
		ic := idClass(n)
		switch {
		case hasAttr(n, "pubdate") || matchesAny(ic, []string{"published", "datepublished", "pubdate", "publish"}):
			if pm.timePublished.IsZero() {
				pm.timePublished = d.t
			}
		case matchesAny(ic, []string{"updated", "modified"}):
			if pm.timeUpdated.IsZero() {
				pm.timeUpdated = d.t
			}
		}
		if pm.timeDate.IsZero() {
			pm.timeDate = d.t
		}
		return false
	})

	art := pickArticleLD(ld)

	// Title: the page's headline as displayed (<h1>) when it agrees with
	// the metadata title, else the metadata title without the site name.
	site := firstNonEmpty(metas["og:site_name"], ldString(art, "publisher", "name"), ldSiteName(ld),
		metas["application-name"], metas["twitter:app:name:iphone"])
	if site == "" {
		site = siteFromTitle(collapse(docTitle))
	}
	pm.site = collapse(site)
	metaTitle := firstNonEmpty(ldString(art, "headline"), metas["og:title"], metas["twitter:title"], docTitle)
	metaTitle = stripSiteName(collapse(metaTitle), pm.site, base)
	h1 := bestH1(h1s, metaTitle, pm.site)
	switch {
	case h1 != "" && (metaTitle == "" || similar(h1, metaTitle)):
		pm.title = h1
	case metaTitle != "":
		pm.title = metaTitle
	default:
		pm.title = h1
	}

	pm.headLines = headLines(doc, pm.title)

	for _, c := range []string{canonical, metas["og:url"], ldString(art, "url"), ldString(art, "mainEntityOfPage", "@id"), ldString(art, "mainEntityOfPage")} {
		if u := absURL(base, c); u != "" {
			pm.canonical = u
			break
		}
	}

	pm.lang = baseLang(firstNonEmpty(htmlLang, metas["content-language"], metas["og:locale"], metas["language"], ldString(art, "inLanguage")))

	// Dates: JSON-LD, then <meta>, then marked <time> elements.
	pm.published = firstDate(ldString(art, "datePublished"), ldString(art, "dateCreated"))
	pm.updated = firstDate(ldString(art, "dateModified"))
	for _, k := range metaPublished {
		if !pm.published.IsZero() {
			break
		}
		pm.published = firstDate(metas[k])
	}
	for _, k := range metaUpdated {
		if !pm.updated.IsZero() {
			break
		}
		pm.updated = firstDate(metas[k])
	}
	pm.published = firstNonZero(pm.published, pm.timePublished)
	pm.updated = firstNonZero(pm.updated, pm.timeUpdated)

	// Authors and byline.
	pm.authors = ldAuthors(art)
	if a := metas["author"]; a != "" && !strings.Contains(a, "://") {
		pm.authors = append(pm.authors, a)
	}
	if a := metas["byl"]; a != "" {
		pm.authors = append(pm.authors, a)
	}
	pm.byline = cleanByline(bylineText)
	if pm.byline == "" && len(pm.authors) > 0 {
		pm.byline = cleanByline(strings.Join(slices.Compact(pm.authors), ", "))
	}
	return pm
}

// headLines returns the visible lines from a few before the headline to
// some twenty after it.
func headLines(doc *html.Node, title string) []string {
	if title == "" {
		return nil
	}
	all := lines(doc, func(n *html.Node) bool {
		switch tagOf(n) {
		case atom.Figure, atom.Figcaption, atom.Picture:
			return true
		}
		return outside(n) || matchesAny(idClass(n), []string{"caption", "legend"})
	})
	for i, l := range all {
		if len(l) < 4*len(title) && similar(l, title) {
			return all[max(0, i-5):min(len(all), i+25)]
		}
	}
	return nil
}

// inOutside reports whether n lies in a region outside the article.
func inOutside(n *html.Node) bool {
	return ancestor(n, outside) != nil
}

func matchesAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// rawText returns the concatenated text nodes under n (for <script> and
// <title>, whose content is raw text).
func rawText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// firstDate parses the first of ss that holds a date.
func firstDate(ss ...string) time.Time {
	for _, s := range ss {
		if d, ok := parseDate(strings.TrimSpace(s)); ok {
			return d.t
		}
	}
	return time.Time{}
}

// absURL resolves s against base and returns it if it is an absolute
// http(s) URL.
func absURL(base *url.URL, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// baseLang reduces a language tag ("en-GB", "ru_RU") to its base language
// ("en", "ru"); "" when it is not a tag.
func baseLang(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if s == "" {
		return ""
	}
	if i := strings.IndexAny(s, ",; "); i >= 0 {
		s = s[:i]
	}
	tag, err := language.Parse(s)
	if err != nil {
		return ""
	}
	b, conf := tag.Base()
	if conf == language.No {
		return ""
	}
	return b.String()
}

// titleSeps separate a headline from the site name in <title> and og:title.
var titleSeps = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » "}

// stripSiteName removes the site name, or a short trailing segment naming
// the host, from a metadata title: "Story headline | The Daily" → "Story
// headline".
func stripSiteName(title, site string, base *url.URL) string {
	host := ""
	if base != nil {
		host = strings.TrimPrefix(strings.ToLower(base.Hostname()), "www.")
	}
	for _, sep := range titleSeps {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		head, tail := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(sep):])
		if namesSite(tail, site, host) {
			return head
		}
		j := strings.Index(title, sep)
		if head2, tail2 := strings.TrimSpace(title[:j]), strings.TrimSpace(title[j+len(sep):]); namesSite(head2, site, host) {
			return tail2
		}
	}
	return title
}

// siteFromTitle reads a site name from the last segment of a <title> such
// as "Council approves budget – Millbrook Courier": a segment of at most
// five words after a headline of at least three.
func siteFromTitle(title string) string {
	for _, sep := range titleSeps {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		head, tail := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(sep):])
		if n := len(strings.Fields(tail)); n >= 1 && n <= 5 && len(strings.Fields(head)) >= 3 {
			return tail
		}
	}
	return ""
}

// namesSite reports whether s is the site's name or names its host.
func namesSite(s, site, host string) bool {
	if s == "" {
		return false
	}
	ls := strings.ToLower(s)
	if site != "" && (strings.EqualFold(s, site) || strings.Contains(strings.ToLower(site), ls) || strings.Contains(ls, strings.ToLower(site))) {
		return true
	}
	if host != "" {
		squashed := strings.NewReplacer(" ", "", "-", "", ".", "").Replace(ls)
		label := strings.Split(host, ".")[0]
		if len(label) >= 3 && strings.Contains(squashed, label) || strings.Contains(host, squashed) && len(squashed) >= 3 {
			return true
		}
	}
	return false
}

// bestH1 picks the headline among the page's <h1> elements: one inside
// <article> or <main> first, skipping logos that only name the site.
func bestH1(h1s []*html.Node, metaTitle, site string) string {
	var first string
	for _, n := range h1s {
		t := collapse(text(n))
		if t == "" || strings.EqualFold(t, site) || inOutside(n) {
			continue
		}
		if metaTitle != "" && similar(t, metaTitle) {
			return t
		}
		inArticle := ancestor(n, func(p *html.Node) bool { return tagOf(p) == atom.Article || tagOf(p) == atom.Main }) != nil
		if inArticle {
			return t
		}
		if first == "" {
			first = t
		}
	}
	return first
}

// similar reports whether two titles are the same headline: equal once
// case and punctuation are ignored, or sharing most of their words.
func similar(a, b string) bool {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	set := map[string]bool{}
	for _, w := range wa {
		set[w] = true
	}
	common := 0
	for _, w := range wb {
		if set[w] {
			common++
		}
	}
	return float64(common) >= 0.7*float64(min(len(wa), len(wb)))
}

// words splits s into lower-case words (letters and digits).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && isWordRune(r))
	})
}

// byPrefix strips a byline's "By", "Von", "Par", "Por", "Автор:" and what
// follows a separator (dates, "Updated …").
var byPrefixes = []string{"edited by:", "edited by ", "written by:", "written by ", "reported by ", "by:", "by ", "von ", "par ", "por ", "di ", "door ", "автор:", "автор ", "text:", "text von "}

func cleanByline(s string) string {
	s = collapse(s)
	for _, sep := range []string{" | ", " • ", " · ", "Updated", "Published", "Posted", "Updated on", "Last updated"} {
		if i := strings.Index(s, sep); i > 0 {
			s = strings.TrimSpace(s[:i])
		}
	}
	ls := strings.ToLower(s)
	for _, p := range byPrefixes {
		if strings.HasPrefix(ls, p) {
			s = strings.TrimSpace(s[len(p):])
			break
		}
	}
	s = strings.Trim(s, " ,;:-–—")
	if utf8.RuneCountInString(s) > 120 {
		return ""
	}
	return s
}

// jsonLD decodes the objects in a JSON-LD script, flattening arrays and
// @graph lists. Scripts that are not valid JSON are skipped.
func jsonLD(src string) []map[string]any {
	src = strings.TrimSpace(src)
	src = strings.TrimPrefix(src, "<!--")
	src = strings.TrimSuffix(src, "-->")
	src = strings.TrimPrefix(strings.TrimSpace(src), "//<![CDATA[")
	src = strings.TrimSuffix(strings.TrimSpace(src), "//]]>")
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return nil
	}
	var out []map[string]any
	var rec func(any, int)
	rec = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				rec(e, depth+1)
			}
		case map[string]any:
			out = append(out, x)
			if g, ok := x["@graph"]; ok {
				rec(g, depth+1)
			}
		}
	}
	rec(v, 0)
	return out
}

// ldTypes returns an object's @type values, lower-cased.
func ldTypes(o map[string]any) []string {
	switch t := o["@type"].(type) {
	case string:
		return []string{strings.ToLower(t)}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, strings.ToLower(s))
			}
		}
		return out
	}
	return nil
}

// pickArticleLD returns the JSON-LD object describing the article: a news
// article type first, then any article type, then a web page.
func pickArticleLD(objs []map[string]any) map[string]any {
	var best map[string]any
	bestRank := 99
	for _, o := range objs {
		for _, t := range ldTypes(o) {
			if !articleTypes[t] {
				continue
			}
			rank := 2
			switch {
			case strings.HasSuffix(t, "newsarticle"):
				rank = 0
			case t != "webpage":
				rank = 1
			}
			if rank < bestRank {
				best, bestRank = o, rank
			}
		}
	}
	return best
}

// ldSiteName returns the name of a WebSite or NewsMediaOrganization object.
func ldSiteName(objs []map[string]any) string {
	for _, o := range objs {
		for _, t := range ldTypes(o) {
			if t == "website" || t == "newsmediaorganization" || t == "organization" {
				if s, ok := o["name"].(string); ok && s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// ldString follows a path of keys through a JSON-LD object and returns the
// string found there (the first string of an array).
func ldString(o map[string]any, path ...string) string {
	var v any = o
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			if arr, isArr := v.([]any); isArr && len(arr) > 0 {
				m, ok = arr[0].(map[string]any)
			}
			if !ok {
				return ""
			}
		}
		v = m[k]
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// ldAuthors returns the names of the article's authors.
func ldAuthors(o map[string]any) []string {
	if o == nil {
		return nil
	}
	var out []string
	var add func(any)
	add = func(v any) {
		switch x := v.(type) {
		case string:
			if s := collapse(x); s != "" && !strings.Contains(s, "://") {
				out = append(out, s)
			}
		case map[string]any:
			if s, ok := x["name"].(string); ok {
				add(s)
			}
		case []any:
			for _, e := range x {
				add(e)
			}
		}
	}
	add(o["author"])
	return out
}
