package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// attr returns a node's attribute value, "" when absent.
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// tagOf returns an element's tag as an atom. Nodes that libraries create
// with only a tag name (go-trafilatura's output tree) have no DataAtom set.
func tagOf(n *html.Node) atom.Atom {
	if n.DataAtom != 0 || n.Type != html.ElementNode {
		return n.DataAtom
	}
	return atom.Lookup([]byte(strings.ToLower(n.Data)))
}

// walk visits n and its descendants in document order; fn returns false to
// skip a node's children. It recurses through an explicit stack, so deep
// documents cannot overflow the goroutine stack.
func walk(n *html.Node, fn func(*html.Node) bool) {
	if n == nil {
		return
	}
	stack := []*html.Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(c) {
			continue
		}
		// Push children in reverse to visit them in order.
		for k := c.LastChild; k != nil; k = k.PrevSibling {
			stack = append(stack, k)
		}
	}
}

// invisible elements never hold article text.
var invisible = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Iframe: true, atom.Object: true, atom.Select: true,
	atom.Option: true, atom.Head: true, atom.Math: true, atom.Canvas: true,
	atom.Audio: true, atom.Video: true, atom.Map: true,
}

// hidden reports whether an element is hidden from readers.
func hidden(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if invisible[tagOf(n)] || hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return true
	}
	st := strings.ToLower(attr(n, "style"))
	return strings.Contains(strings.ReplaceAll(st, " ", ""), "display:none") ||
		strings.Contains(strings.ReplaceAll(st, " ", ""), "visibility:hidden")
}

// blockTags end a line of text before and after them.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Dd: true, atom.Details: true, atom.Dialog: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hgroup: true,
	atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Table: true, atom.Tbody: true,
	atom.Thead: true, atom.Tfoot: true, atom.Td: true, atom.Th: true, atom.Tr: true,
	atom.Ul: true, atom.Body: true, atom.Html: true, atom.Caption: true, atom.Summary: true,
	atom.Center: true, atom.Menu: true, atom.Br: true,
}

// lines returns the visible text under n as lines: block elements and
// <br> break lines, runs of white space collapse to one space, empty lines
// are dropped. skip, when not nil, prunes elements whose text is unwanted.
func lines(n *html.Node, skip func(*html.Node) bool) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		switch n.Type {
		case html.TextNode:
			appendCollapsed(&cur, n.Data)
			return
		case html.ElementNode:
			if hidden(n) || (skip != nil && skip(n)) {
				return
			}
			if tagOf(n) == atom.Img {
				return
			}
		}
		block := n.Type == html.ElementNode && blockTags[tagOf(n)]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
		if block {
			flush()
		}
	}
	rec(n, 0)
	flush()
	return out
}

// appendCollapsed appends s to b with white space runs collapsed to one
// space (and none doubled across calls).
func appendCollapsed(b *strings.Builder, s string) {
	space := b.Len() > 0 && strings.HasSuffix(b.String(), " ")
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
}

// text returns the visible text under n on one line.
func text(n *html.Node) string {
	return strings.Join(lines(n, nil), " ")
}

// textLen counts the characters of visible text under n, stopping once
// the count passes limit, so that sizing up a large element stays cheap.
func textLen(n *html.Node, limit int) int {
	count := 0
	walk(n, func(c *html.Node) bool {
		if count > limit {
			return false
		}
		switch c.Type {
		case html.TextNode:
			count += utf8.RuneCountInString(strings.TrimSpace(c.Data))
		case html.ElementNode:
			return !hidden(c)
		}
		return true
	})
	return count
}

// ancestor returns the nearest ancestor of n (not n itself) for which fn
// is true, or nil.
func ancestor(n *html.Node, fn func(*html.Node) bool) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && fn(p) {
			return p
		}
	}
	return nil
}

// idClass returns an element's id, class, itemprop, rel, role and
// data-component values, lower-cased, for matching against name lists.
func idClass(n *html.Node) string {
	var b strings.Builder
	for _, a := range n.Attr {
		switch a.Key {
		case "id", "class", "itemprop", "rel", "role", "data-component", "data-testid", "data-module", "aria-label":
			b.WriteString(strings.ToLower(a.Val))
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// outside reports page regions that never carry the article: navigation,
// asides, related and popular lists, comments, promos. A <footer> counts
// only outside <article>.
func outside(n *html.Node) bool {
	switch tagOf(n) {
	case atom.Html, atom.Body, atom.Main, atom.Article:
		// Their classes describe the page layout ("right-sidebar").
		return false
	case atom.Nav, atom.Aside, atom.Form, atom.Button:
		return true
	case atom.Footer:
		return ancestor(n, func(p *html.Node) bool { return tagOf(p) == atom.Article }) == nil
	}
	ic := idClass(n)
	if ic == "" {
		return false
	}
	for _, w := range outsideWords {
		if strings.Contains(ic, w) {
			return true
		}
	}
	return false
}

var outsideWords = []string{
	"related", "recommend", "popular", "trending", "most-read", "mostread", "comment", "sidebar",
	"newsletter", "promo", "teaser", "outbrain", "taboola", "cookie", "consent", "breadcrumb",
	"navigation", "navbar", "menu", "footer", "share", "social", "advert", "sponsor", "paywall",
	"subscribe", "read-more", "readmore", "more-stories", "also-read", "next-story", "complementary",
}
