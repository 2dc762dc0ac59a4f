package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// page builds a minimal news page around body paragraphs.
func page(head, body string) string {
	return `<!DOCTYPE html><html><head>` + head + `</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>A headline for the test page</h1>` + body + `</article><footer>© Test Site</footer></body></html>`
}

var storyParas = []string{
	"The city council voted on Monday to approve a new budget that restores library hours and adds two firefighters to the payroll.",
	"The spending plan is about three percent larger than last year's, driven mostly by higher health insurance costs for city employees.",
	"Council members who voted against the plan said more of the money should have gone to repairing roads on the east side of the city.",
	"The budget takes effect in July, and a public hearing on water rates is scheduled for the end of the month at City Hall.",
}

func storyHTML() string {
	var b strings.Builder
	for _, p := range storyParas {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	return b.String()
}

func TestHTMLErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		opts Options
		want error
	}{
		{"too large", []byte(page("", storyHTML())), Options{MaxBytes: 100}, ErrTooLarge},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...), Options{}, ErrNotHTML},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), Options{}, ErrNotHTML},
		{"plain text", []byte("Just a line of text, no markup at all."), Options{}, ErrNotHTML},
		{"empty", nil, Options{}, ErrNotHTML},
		{"nul bytes", []byte("<html>\x00\x00\x00</html>"), Options{}, ErrNotHTML},
		{"only navigation", []byte(`<html><body><nav><a href="/">Home</a> <a href="/a">About</a></nav></body></html>`), Options{}, ErrNoText},
		{"text below minimum", []byte(page("", "<p>Short text.</p>")), Options{MinRunes: 200}, ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := HTML(bytes.NewReader(tt.in), "", tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got article %v, error %v; want error %v", a != nil, err, tt.want)
			}
		})
	}
}

func TestHTMLBasics(t *testing.T) {
	head := `<title>A headline for the test page | The Test Times</title>
<meta property="og:site_name" content="The Test Times">
<link rel="canonical" href="/news/headline-test">
<script type="application/ld+json">[{"@type":"WebSite","name":"Ignored"},{"@context":"https://schema.org","@type":["NewsArticle"],"datePublished":"2023-05-02T08:00:00+02:00","dateModified":"2023-05-02T09:30:00+02:00","author":[{"@type":"Organization","name":"Agence France-Presse"}]}]</script>`
	a, err := HTML(strings.NewReader(page(head, storyHTML())), "https://www.testtimes.example/news/headline-test?utm=x", Options{})
	if err != nil {
		t.Fatalf("HTML: %v", err)
	}
	if want := strings.Join(storyParas, "\n\n"); a.Text != want {
		t.Errorf("text:\ngot  %q\nwant %q", a.Text, want)
	}
	checks := []struct{ field, got, want string }{
		{"title", a.Title, "A headline for the test page"},
		{"source", a.Source, "The Test Times"},
		{"url", a.URL, "https://www.testtimes.example/news/headline-test"},
		{"lang", a.Lang, "en"},
		{"published", a.Published.UTC().Format(time.RFC3339), "2023-05-02T06:00:00Z"},
		{"updated", a.Updated.UTC().Format(time.RFC3339), "2023-05-02T07:30:00Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.field, c.got, c.want)
		}
	}
	if !slices.Equal(a.Credits, []string{"AFP"}) {
		t.Errorf("credits: got %q, want [AFP] (from the JSON-LD author)", a.Credits)
	}
}

// TestEncodings decodes the same Russian, Japanese and French pages from
// their legacy encodings, declared in <meta>, declared by the transport,
// and not declared at all.
func TestEncodings(t *testing.T) {
	ru := "Участок новой линии метро протяженностью девять километров с четырьмя станциями открылся в Москве во вторник, сообщили в департаменте транспорта. По данным ведомства, новый участок соединил жилые кварталы с кольцевой линией."
	ja := "日米両政府は十三日、ワシントンで閣僚級の経済対話を開き、半導体や重要鉱物の供給網強化に向けて協力を深めることで一致した。両国は来年前半にも具体的な共同事業をまとめる方針だ。対話には日本の経済産業相と米国の商務長官らが出席した。"
	fr := "Le trafic des trains régionaux sera très perturbé jeudi dans plusieurs régions de l'Ouest, en raison d'une grève des contrôleurs qui réclament des hausses de salaire. La direction affirme de son côté avoir proposé une prime exceptionnelle."
	tests := []struct {
		name     string
		text     string
		encode   func(string) ([]byte, error)
		meta     string // charset in <meta>, "" for none
		declared string // transport charset
	}{
		{"windows-1251 in meta", ru, encodeWith(charmap.Windows1251), "windows-1251", ""},
		{"windows-1251 from transport", ru, encodeWith(charmap.Windows1251), "", "text/html; charset=windows-1251"},
		{"windows-1251 sniffed", ru, encodeWith(charmap.Windows1251), "", ""},
		{"windows-1251 behind a wrong utf-8 meta", ru, encodeWith(charmap.Windows1251), "utf-8", ""},
		{"shift_jis in meta", ja, encodeWith(japanese.ShiftJIS), "shift_jis", ""},
		{"shift_jis sniffed", ja, encodeWith(japanese.ShiftJIS), "", ""},
		{"euc-jp sniffed", ja, encodeWith(japanese.EUCJP), "", ""},
		{"latin-1 in meta", fr, encodeWith(charmap.ISO8859_1), "iso-8859-1", ""},
		{"latin-1 from transport name", fr, encodeWith(charmap.ISO8859_1), "", "ISO-8859-1"},
		{"utf-8 behind a stale latin-1 meta", fr, func(s string) ([]byte, error) { return []byte(s), nil }, "iso-8859-1", ""},
		{"utf-8 with bom", ru, func(s string) ([]byte, error) { return append([]byte("\xEF\xBB\xBF"), s...), nil }, "", ""},
		{"utf-16le with bom", ja, func(s string) ([]byte, error) {
			return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := ""
			if tt.meta != "" {
				head = `<meta charset="` + tt.meta + `">`
			}
			src := `<!DOCTYPE html><html><head>` + head + `<title>t</title></head><body><article><p>` + tt.text + `</p><p>` + tt.text + `</p></article></body></html>`
			raw, err := tt.encode(src)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			a, err := HTML(bytes.NewReader(raw), "", Options{Charset: tt.declared})
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if !strings.Contains(a.Text, tt.text) {
				t.Errorf("text not decoded:\ngot  %.120q\nwant %.120q", a.Text, tt.text)
			}
		})
	}
}

// TestPrepare checks the structural pruning of comment threads and image
// captions, and that ordinary article markup survives it.
func TestPrepare(t *testing.T) {
	comment := func(user, body string) string {
		return `<div class="c-row"><div class="c-usr">` + user + `</div><div class="c-when">3 hours ago</div><div class="c-txt">` + body + `</div><div class="c-act"><span>Reply</span></div></div>`
	}
	tests := []struct {
		name       string
		body       string
		gone, kept []string
	}{
		{"comment thread", `<div class="txt">Story paragraph one is here.</div><div class="txt">Story paragraph two is here.</div>
<div class="box"><div class="hd">2 Reactions</div>` + comment("ann", "First reader comment text.") + comment("bob", "Second reader comment text.") + `</div>`,
			[]string{"First reader comment", "Second reader comment", "2 Reactions"}, []string{"Story paragraph one", "Story paragraph two"}},
		{"german thread", `<p>Artikeltext steht hier.</p><ul><li class="k"><b>Anna</b> <i>vor 2 Stunden</i> Erster Kommentar.</li><li class="k"><b>Ben</b> <i>vor 3 Stunden</i> Zweiter Kommentar.</li></ul>`,
			[]string{"Erster Kommentar", "Zweiter Kommentar"}, []string{"Artikeltext"}},
		{"single dated item is no thread", `<p>Artikeltext steht hier.</p><div class="k">Posted 2 hours ago</div>`,
			nil, []string{"Artikeltext", "Posted 2 hours ago"}},
		{"caption beside image", `<div class="img-wrap"><img src="a.jpg"><div class="img-txt">Cranes at the terminal on Tuesday.</div></div><p>Story text.</p>`,
			[]string{"Cranes at the terminal"}, []string{"Story text."}},
		{"paragraphs after an image are kept", `<div class="body"><img src="a.jpg"><p>First paragraph.</p><p>Second paragraph.</p></div>`,
			nil, []string{"First paragraph.", "Second paragraph."}},
		{"selector prunes share bar", `<p>Story text.</p><div class="share-tools">Share on Facebook</div>`,
			[]string{"Share on Facebook"}, []string{"Story text."}},
		{"wrapper with a share class keeps the article", `<div class="layout social-enabled"><h1>Headline</h1><p>Story text.</p></div>`,
			nil, []string{"Headline", "Story text."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(`<html><body>` + tt.body + `</body></html>`))
			if err != nil {
				t.Fatal(err)
			}
			before := renderString(doc)
			got := text(prepare(doc))
			if renderString(doc) != before {
				t.Errorf("prepare modified its input")
			}
			for _, s := range tt.gone {
				if strings.Contains(got, s) {
					t.Errorf("got %q, want %q pruned", got, s)
				}
			}
			for _, s := range tt.kept {
				if !strings.Contains(got, s) {
					t.Errorf("got %q, want %q kept", got, s)
				}
			}
		})
	}
}

// encodeWith returns a function encoding strings with e.
func encodeWith(e encoding.Encoding) func(string) ([]byte, error) {
	return func(s string) ([]byte, error) { return e.NewEncoder().Bytes([]byte(s)) }
}

func renderString(n *html.Node) string {
	var b bytes.Buffer
	html.Render(&b, n)
	return b.String()
}

// fakeEngine returns fixed paragraphs, an error or a panic.
type fakeEngine struct {
	id    string
	paras []string
	err   error
	panic bool
}

func (f fakeEngine) name() string { return f.id }

func (f fakeEngine) extract(*html.Node, *url.URL) (engineResult, error) {
	if f.panic {
		panic("engine exploded")
	}
	var r engineResult
	for _, p := range f.paras {
		r.blocks = append(r.blocks, block{text: p, tag: 0})
	}
	return r, f.err
}

// TestEngineChoice checks how the primary and fallback engines are chosen.
func TestEngineChoice(t *testing.T) {
	long := strings.Repeat("A sentence of article text that goes on. ", 20) // 820 runes
	short := "Only a short paragraph of text here."
	short2 := "And a second one, different from the first."
	tests := []struct {
		name    string
		primary fakeEngine
		second  fakeEngine
		want    string // engine whose text wins, "" for ErrNoText
	}{
		{"primary enough", fakeEngine{id: "p", paras: []string{long, long}}, fakeEngine{id: "f", paras: []string{long, long, long}}, "p"},
		{"primary short, fallback longer", fakeEngine{id: "p", paras: []string{short}}, fakeEngine{id: "f", paras: []string{long, long}}, "f"},
		{"primary short, fallback barely longer", fakeEngine{id: "p", paras: []string{short, short2}}, fakeEngine{id: "f", paras: []string{short, short2, "x"}}, "p"},
		{"primary fails", fakeEngine{id: "p", err: errors.New("boom")}, fakeEngine{id: "f", paras: []string{short}}, "f"},
		{"primary panics", fakeEngine{id: "p", panic: true}, fakeEngine{id: "f", paras: []string{short}}, "f"},
		{"primary dumps one paragraph", fakeEngine{id: "p", paras: []string{long + long}}, fakeEngine{id: "f", paras: []string{long, long}}, "f"},
		{"both fail", fakeEngine{id: "p", err: errors.New("boom")}, fakeEngine{id: "f", panic: true}, ""},
	}
	saved := engines
	t.Cleanup(func() { engines = saved })
	doc, _ := html.Parse(strings.NewReader("<html><body><p>x</p></body></html>"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engines = []engine{tt.primary, tt.second}
			_, _, kept, err := mainText(doc, nil, "", Options{}.logger())
			if tt.want == "" {
				if !errors.Is(err, ErrNoText) {
					t.Fatalf("got %v, want ErrNoText", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("mainText: %v", err)
			}
			want := tt.primary.paras
			if tt.want == "f" {
				want = tt.second.paras
			}
			if !slices.Equal(kept, want) {
				t.Errorf("got %d paragraphs %.60q, want engine %s's", len(kept), kept, tt.want)
			}
		})
	}
}

func TestTeasers(t *testing.T) {
	doc, _ := html.Parse(strings.NewReader(`<html><body>
<p>Story paragraph with <a href="/x">a link</a> inside it, which stays.</p>
<p><strong>Also Read | <a href="/y">Drone policy explained: who can fly</a></strong></p>
<p>Related:</p><ul><li><a href="/a">Another story headline</a></li><li><a href="/b">Yet another headline</a></li></ul>
<p>Last paragraph of the story.</p></body></html>`))
	_, got := dropTitle(blocks(doc), "")
	want := []string{"Story paragraph with a link inside it, which stays.", "Last paragraph of the story."}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStripSiteName(t *testing.T) {
	base, _ := url.Parse("https://www.testtimes.example/a")
	tests := []struct{ title, site, want string }{
		{"Story headline | The Test Times", "The Test Times", "Story headline"},
		{"Story headline - Test Times", "", "Story headline"},
		{"The Test Times: Story headline", "The Test Times", "The Test Times: Story headline"},
		{"Biden - Putin talks to go ahead", "The Daily", "Biden - Putin talks to go ahead"},
		{"World News – India TV | Story headline", "India TV", "Story headline"},
	}
	for _, tt := range tests {
		if got := stripSiteName(tt.title, tt.site, base); got != tt.want {
			t.Errorf("stripSiteName(%q, %q): got %q, want %q", tt.title, tt.site, got, tt.want)
		}
	}
}
