package server

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromium finds a Chromium or Chrome binary, or "".
func chromium() string {
	if p := os.Getenv("WIRETRACE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser drives headless Chromium: DOM dumps after scripts ran, and
// screenshots.
type browser struct {
	bin, profile, shots string
}

func (b *browser) run(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--hide-scrollbars", "--user-data-dir=" + b.profile, "--virtual-time-budget=3000"}
	cmd := exec.CommandContext(ctx, b.bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// dom loads a page and returns its DOM after scripts ran.
func (b *browser) dom(t *testing.T, pageURL string) *html.Node {
	t.Helper()
	out := b.run(t, "--dump-dom", pageURL)
	doc, err := html.Parse(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("parse DOM of %s: %v", pageURL, err)
	}
	return doc
}

// shot saves a screenshot of a page as name.png.
func (b *browser) shot(t *testing.T, pageURL, name string, height int) {
	t.Helper()
	path := filepath.Join(b.shots, name+".png")
	b.run(t, "--window-size=1280,"+strconv.Itoa(height), "--screenshot="+path, pageURL)
	if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
		t.Errorf("screenshot %s missing or empty: %v", path, err)
	}
}

// find returns the elements for which match is true.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return sb.String()
}

// TestBrowser loads the UI in headless Chromium: the story list, the seed
// story, a comparison with highlighted sentences, and an article whose
// fields carry script payloads, which must render as inert text. It saves
// screenshots under $WIRETRACE_ARTIFACTS/browser (default a new temporary
// directory, printed).
func TestBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("browser test skipped: no chromium on PATH (CI installs Debian's chromium; or set WIRETRACE_CHROMIUM)")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root := os.Getenv("WIRETRACE_ARTIFACTS")
	if root == "" {
		var err error
		if root, err = os.MkdirTemp("", "wiretrace-artifacts-"); err != nil {
			t.Fatal(err)
		}
	}
	b := &browser{bin: bin, profile: t.TempDir(), shots: filepath.Join(root, "browser")}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser screenshots in %s", b.shots)

	s := start(t, Config{}, nil)
	story := ingestSeeds(t, s)
	evil := articleJSON(map[string]any{
		"id":     "evil-1",
		"title":  `<script>document.body.setAttribute("data-pwned","script")</script>Headline <img src=x onerror="document.body.setAttribute('data-pwned','img')">`,
		"source": `<img src=x onerror="document.body.setAttribute('data-pwned','source')">Outlet`,
		"url":    `javascript:document.body.setAttribute('data-pwned','url')`,
		"text": "The Kremlin said Putin and Biden will hold a video call on Tuesday <script>document.body.setAttribute('data-pwned','text')</script>.\n\n" +
			`Peskov confirmed the plans to RIA Novosti <img src=x onerror="document.body.setAttribute('data-pwned','text-img')"> on Saturday evening.`,
	})
	if r := s.do(t, "POST", "/v1/articles", evil, ctJSON); r.Status != 201 {
		t.Fatalf("post payload article: %d %s", r.Status, r.Body)
	}

	t.Run("story list", func(t *testing.T) {
		doc := b.dom(t, s.URL+"/")
		links := find(doc, func(n *html.Node) bool {
			href, _ := attr(n, "href")
			return n.Data == "a" && href == "/stories/"+story
		})
		if len(links) == 0 || !strings.Contains(text(links[0]), "Biden, Putin") {
			t.Errorf("story list has no link to the seed story %s", story)
		}
		b.shot(t, s.URL+"/", "1-stories", 700)
	})

	t.Run("seed story", func(t *testing.T) {
		doc := b.dom(t, s.URL+"/stories/"+story)
		nodes := find(doc, func(n *html.Node) bool { return n.Data == "rect" && hasClass(n, "node") })
		edges := find(doc, func(n *html.Node) bool { return n.Data == "path" && hasClass(n, "edge") })
		dots := find(doc, func(n *html.Node) bool { return n.Data == "circle" && hasClass(n, "dot") })
		if len(nodes) < 5 || len(edges) < 4 || len(dots) < 5 {
			t.Errorf("story page: %d graph nodes, %d edges, %d timeline dots; want ≥5, ≥4, ≥5", len(nodes), len(edges), len(dots))
		}
		b.shot(t, s.URL+"/stories/"+story, "2-story", 1500)
	})

	t.Run("compare", func(t *testing.T) {
		u := s.URL + "/compare?" + url.Values{"a": {"002_6d69baa46a2ff832"}, "b": {"001_81501ed7d460c921"}}.Encode()
		doc := b.dom(t, u)
		for _, kind := range []string{"verbatim", "edited", "reworded", "dropped"} {
			spans := find(doc, func(n *html.Node) bool {
				return n.Data == "span" && hasClass(n, "s") && hasClass(n, kind) && n.Parent != nil && hasClass(n.Parent, "cell")
			})
			if len(spans) == 0 {
				t.Errorf("compare page: no %s sentence highlighted", kind)
			}
		}
		b.shot(t, u, "3-compare", 1400)
	})

	t.Run("payloads inert", func(t *testing.T) {
		for _, p := range []string{"/articles/evil-1", "/", "/compare?a=000_593ee4de91dc436a&b=evil-1"} {
			doc := b.dom(t, s.URL+p)
			bodies := find(doc, func(n *html.Node) bool { return n.Data == "body" })
			if v, ok := attr(bodies[0], "data-pwned"); ok {
				t.Errorf("%s: payload ran (data-pwned=%q)", p, v)
			}
			for _, sc := range find(doc, func(n *html.Node) bool { return n.Data == "script" }) {
				if src, _ := attr(sc, "src"); src != "/static/app.js" {
					t.Errorf("%s: a script element from the article: %q", p, text(sc))
				}
			}
			for _, el := range find(doc, func(n *html.Node) bool { return true }) {
				for _, a := range el.Attr {
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("%s: <%s %s=%q> from the article", p, el.Data, a.Key, a.Val)
					}
					if (a.Key == "href" || a.Key == "src") && strings.HasPrefix(strings.ToLower(a.Val), "javascript:") {
						t.Errorf("%s: <%s %s=%q>", p, el.Data, a.Key, a.Val)
					}
				}
			}
			if p == "/articles/evil-1" {
				if body := text(doc); !strings.Contains(body, "<script>document.body.setAttribute('data-pwned','text')</script>") {
					t.Error("the article's text is not shown as text")
				}
				b.shot(t, s.URL+p, "4-payload-article", 900)
			}
		}
	})
}
