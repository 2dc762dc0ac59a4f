package extract

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// block is one paragraph-level unit of main text.
type block struct {
	text  string
	tag   atom.Atom // the element that opened it: P, H1, Li, …
	links int       // bytes of text inside links
}

// teaser reports a short paragraph made mostly of a link: "Also Read |
// <headline>", "Read more: <headline>", "Sign up here.". Inside an
// article body these point elsewhere; they are never the article's text.
func (b block) teaser() bool {
	return b.links*10 >= len(b.text)*6 && len(strings.Fields(b.text)) <= 30
}

// engineResult is what a main-text engine found.
type engineResult struct {
	blocks             []block
	title, byline      string
	site, lang, author string
	published          time.Time
}

// engine finds a page's main text. Engines must not modify doc.
type engine interface {
	name() string
	extract(doc *html.Node, u *url.URL) (engineResult, error)
}

// safely runs an engine, turning a panic inside the third-party code into
// an error: bad input must never crash the caller.
func safely(e engine, doc *html.Node, u *url.URL) (res engineResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", e.name(), r)
		}
	}()
	if res, err = e.extract(doc, u); err != nil {
		err = fmt.Errorf("%s: %w", e.name(), err)
	}
	return res, err
}

// trafilaturaEngine is the primary engine: go-trafilatura with its own
// boilerplate removal, comments excluded, and no date search (the package
// reads dates itself).
type trafilaturaEngine struct{}

func (trafilaturaEngine) name() string { return "trafilatura" }

func (trafilaturaEngine) extract(doc *html.Node, u *url.URL) (engineResult, error) {
	res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
		OriginalURL:     u,
		ExcludeComments: true,
		IncludeLinks:    true, // kept to spot link-only teasers; see block.teaser
		HtmlDateMode:    trafilatura.Disabled,
	})
	if err != nil {
		return engineResult{}, err
	}
	md := res.Metadata
	return engineResult{
		blocks:    blocks(res.ContentNode),
		title:     md.Title,
		author:    md.Author,
		site:      md.Sitename,
		lang:      md.Language,
		published: md.Date,
	}, nil
}

// readabilityEngine is the fallback: readeck's go-readability.
type readabilityEngine struct{}

func (readabilityEngine) name() string { return "readability" }

func (readabilityEngine) extract(doc *html.Node, u *url.URL) (engineResult, error) {
	p := readability.NewParser()
	art, err := p.ParseDocument(doc, u)
	if err != nil {
		return engineResult{}, err
	}
	if art.Node == nil {
		return engineResult{}, errors.New("no content")
	}
	r := engineResult{
		blocks: blocks(art.Node),
		title:  art.Title(),
		byline: art.Byline(),
		site:   art.SiteName(),
		lang:   art.Language(),
	}
	if t, err := art.PublishedTime(); err == nil {
		r.published = t
	}
	return r, nil
}

// blocks splits the main-text tree an engine returns into paragraphs: each
// block element and each <br> ends one. Captions and images are dropped.
func blocks(root *html.Node) []block {
	var out []block
	var cur strings.Builder
	var tag atom.Atom
	links, inLink := 0, 0
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, block{text: s, tag: tag, links: min(links, len(s))})
		}
		cur.Reset()
		tag, links = 0, 0
	}
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		switch n.Type {
		case html.TextNode:
			if tag == 0 && strings.TrimSpace(n.Data) != "" {
				tag = atom.P
			}
			before := cur.Len()
			appendCollapsed(&cur, n.Data)
			if inLink > 0 {
				links += cur.Len() - before
			}
			return
		case html.ElementNode:
			if hidden(n) {
				return
			}
			switch tagOf(n) {
			case atom.Img, atom.Figcaption, atom.Figure, atom.Picture, atom.Button:
				return
			}
		}
		t := tagOf(n)
		isBlock := n.Type == html.ElementNode && blockTags[t]
		if isBlock {
			flush()
			if t != atom.Br {
				tag = t
			}
		}
		if n.Type == html.ElementNode && t == atom.A {
			inLink++
			defer func() { inLink-- }()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
		if isBlock {
			flush()
		}
	}
	if root != nil {
		rec(root, 0)
	}
	flush()
	return out
}
