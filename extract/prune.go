package extract

import (
	"regexp"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// commentMarker matches a short text that marks an item of a comment
// thread: a relative time ("2 hours ago", "vor 3 Stunden") or an action
// ("Reply", "Like (12)").
var commentMarker = regexp.MustCompile(`(?i)^(?:(?:\d+|an?|one)\s+(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?|months?|years?)\s+ago|vor\s+\d+\s+(?:minuten|stunden|tagen|wochen)|il\s+y\s+a\s+\d+\s+(?:minutes?|heures?|jours?)|hace\s+\d+\s+(?:minutos?|horas?|días?)|\d+\s+(?:минут\p{L}*|час\p{L}*|дн\p{L}*|дней)\s+назад|\d+\s*(?:分|時間|日)前|(?:reply|replies|like|likes|report|flag|antworten|répondre|responder|rispondi|ответить|返信)(?:\s*\(\d+\))?)$`)

// pruneSelector matches page furniture that the engines keep when it sits
// inside the article container: figure captions and credits, ad slots,
// share and follow bars, newsletter and cookie boxes, "read also" teasers,
// paywall prompts, author bios.
const pruneSelector = `figure, figcaption, picture, .caption, [class*="caption" i], [class*="credit" i], [class*="legend" i],` +
	` [class^="ad-" i], [class*=" ad-" i], [class*="-ad-" i], [class~="ad" i], [class~="ads" i], [class*="ad-slot" i], [class*="advert" i],` +
	` [id*="advert" i], [class*="dfp" i], [id^="div-gpt-ad" i], [data-ad], amp-ad,` +
	` [class*="share-" i], [class*="sharing" i], [class*="social-" i], [class*="follow-us" i],` +
	` [class*="newsletter" i], [id*="newsletter" i], [class*="signup" i], [class*="cookie" i], [id*="cookie" i], [class*="consent" i],` +
	` [class*="also-read" i], [class*="read-also" i], [class*="readmore" i], [class*="read-more" i], [class*="related" i], [class*="recommend" i],` +
	` [class*="paywall" i], [class*="subscribe" i], [class*="promo" i], [class*="copyright" i],` +
	` [class*="author-bio" i], [class*="author-box" i], [class*="authorbox" i], [class*="about-author" i], [class*="saboxplugin" i], [class*="bio-box" i]`

var pruneMatch = cascadia.MustCompile(pruneSelector)

// prepare returns a copy of doc without the parts the engines mistake for
// article text: the elements pruneSelector matches, comment threads that
// no class name gives away (runs of sibling items alike in markup, each
// with a relative time or a "Reply" link) and image captions (the text
// beside the lone image of a two-child wrapper). doc is not modified.
func prepare(doc *html.Node) *html.Node {
	drop := map[*html.Node]bool{}
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return true
		}
		if n.Type == html.ElementNode && tagOf(n) != atom.Body && tagOf(n) != atom.Html && pruneMatch.Match(n) && !holdsArticle(n) {
			drop[n] = true
			return false
		}
		markComments(n, drop)
		markCaption(n, drop)
		return !drop[n]
	})
	if len(drop) == 0 {
		return doc
	}
	return cloneWithout(doc, drop)
}

// holdsArticle guards against class names on page wrappers
// ("page social-enabled"): an element holding the headline, an <article>
// or <main>, or more than three full paragraphs is never pruned.
func holdsArticle(n *html.Node) bool {
	paras, found, seen := 0, false, 0
	walk(n, func(c *html.Node) bool {
		if seen++; seen > 5000 {
			found = true // too big to be furniture
		}
		if found || c.Type != html.ElementNode || c == n {
			return !found
		}
		switch tagOf(c) {
		case atom.Article, atom.Main, atom.H1:
			found = true
		case atom.P:
			if len(strings.Fields(text(c))) >= 25 {
				if paras++; paras > 3 {
					found = true
				}
			}
			return false
		}
		return true
	})
	return found
}

// markComments marks the children of n that form a comment thread, or n
// itself when the thread is nearly all of its text.
func markComments(n *html.Node, drop map[*html.Node]bool) {
	groups := map[string][]*html.Node{}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			key := c.Data + "." + attr(c, "class")
			groups[key] = append(groups[key], c)
		}
	}
	for _, items := range groups {
		if len(items) < 2 {
			continue
		}
		marked := 0
		for _, it := range items {
			if hasCommentMarker(it) {
				marked++
			}
		}
		if marked < 2 || marked*3 < len(items)*2 {
			continue
		}
		itemText := 0
		for _, it := range items {
			itemText += len(text(it))
		}
		if n.Type == html.ElementNode && tagOf(n) != atom.Body && tagOf(n) != atom.Article && itemText*10 >= len(text(n))*6 {
			drop[n] = true
			return
		}
		for _, it := range items {
			drop[it] = true
		}
	}
}

// hasCommentMarker reports whether any short text among the first 200
// nodes under n is a comment marker.
func hasCommentMarker(n *html.Node) bool {
	found, seen := false, 0
	walk(n, func(c *html.Node) bool {
		// A comment is a small subtree; looking further would make
		// nested lists cost their size times their depth.
		if seen++; found || seen > 200 {
			return false
		}
		if c.Type == html.TextNode {
			if t := strings.TrimSpace(c.Data); t != "" && len(t) <= 40 && commentMarker.MatchString(t) {
				found = true
			}
		}
		return true
	})
	return found
}

// markCaption marks the text child of a wrapper that holds exactly one
// image and one short text element: an image caption or credit.
func markCaption(n *html.Node, drop map[*html.Node]bool) {
	if n.Type != html.ElementNode {
		return
	}
	var img, txt *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return
			}
		case html.ElementNode:
			switch {
			case isImage(c) && img == nil:
				img = c
			case txt == nil && !isImage(c):
				txt = c
			default:
				return
			}
		}
	}
	if img == nil || txt == nil {
		return
	}
	t := text(txt)
	if t != "" && len(strings.Fields(t)) <= 40 && !containsBlock(txt) {
		drop[txt] = true
	}
}

// isImage reports an image element, or an element holding only an image.
func isImage(n *html.Node) bool {
	switch tagOf(n) {
	case atom.Img, atom.Picture, atom.Svg:
		return true
	}
	if n.Data == "amp-img" {
		return true
	}
	if tagOf(n) == atom.A || tagOf(n) == atom.Span || tagOf(n) == atom.Div {
		var only *html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
				continue
			}
			if only != nil || c.Type != html.ElementNode {
				return false
			}
			only = c
		}
		return only != nil && isImage(only)
	}
	return false
}

// containsBlock reports whether n has paragraph-level descendants.
func containsBlock(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node) bool {
		if c != n && c.Type == html.ElementNode {
			switch tagOf(c) {
			case atom.P, atom.Ul, atom.Ol, atom.Table, atom.Blockquote, atom.H2, atom.H3:
				found = true
			}
		}
		return !found
	})
	return found
}

// cloneWithout deep-copies n, leaving out the nodes in drop.
func cloneWithout(n *html.Node, drop map[*html.Node]bool) *html.Node {
	type pair struct{ src, dst *html.Node }
	root := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace, Attr: append([]html.Attribute(nil), n.Attr...)}
	stack := []pair{{n, root}}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := p.src.FirstChild; c != nil; c = c.NextSibling {
			if drop[c] {
				continue
			}
			cc := &html.Node{Type: c.Type, DataAtom: c.DataAtom, Data: c.Data, Namespace: c.Namespace, Attr: append([]html.Attribute(nil), c.Attr...)}
			p.dst.AppendChild(cc)
			stack = append(stack, pair{c, cc})
		}
	}
	return root
}
