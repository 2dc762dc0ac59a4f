package ingest

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
)

// plainArticle decodes the text fields with the library's own string
// decoding: the reference jsonText must agree with.
type plainArticle struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\nb \"q\" \u00e9 \ud83d\ude00 \ud800 \\ \/"`, `""`, `null`, `1`, `"\u0000"`, "\"\xff\xfe\"", `"\x"`, `"unterminated`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		line := []byte(`{"text":` + v + `,"html":` + v + `}`)
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
		}
		var got jsonArticle
		var want plainArticle
		gerr := json.Unmarshal(line, &got, lineOptions)
		werr := json.Unmarshal(line, &want, lineOptions)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%s: jsonText error %v, string error %v", line, gerr, werr)
		}
		if gerr == nil && (string(got.Text) != want.Text || string(got.HTML) != want.HTML) {
			t.Fatalf("%s: jsonText %q %q, string %q %q", line, got.Text, got.HTML, want.Text, want.HTML)
		}
	})
}

func TestJSONTextErrors(t *testing.T) {
	for line, want := range map[string]string{
		`{"id":"a","text":5}`:              `field "text" must be a string`,
		`{"id":"a","html":{"x":1}}`:        `field "html" must be a string`,
		`{"id":"a","title":[1]}`:           `field "title" must be a string`,
		`{"id":"a","text":"x\q"}`:          `invalid JSON`,
		`{"id":"a","text":null}`:           `no text or html`,
		`{"id":"a","TEXT":"x","Text":"y"}`: ``,
	} {
		it := parseJSONLine([]byte(line), "l:1")
		switch {
		case want == "" && it.Err != nil:
			t.Errorf("%s: %v", line, it.Err)
		case want == "" && it.Article.Text != "y":
			t.Errorf("%s: text %q, want the last one", line, it.Article.Text)
		case want != "" && (it.Err == nil || !strings.Contains(it.Err.Error(), want)):
			t.Errorf("%s: error %v, want %q", line, it.Err, want)
		}
	}
}

// BenchmarkParseJSONLine parses the BBC articles' lines (real text with
// escaped quotes and newlines).
func BenchmarkParseJSONLine(b *testing.B) {
	f, err := os.Open("../../shared/data/bbc.jsonl")
	if err != nil {
		b.Skip("../shared/data is not here")
	}
	defer f.Close()
	var lines [][]byte
	var n int64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
		n += int64(len(sc.Bytes()))
	}
	b.SetBytes(n / int64(len(lines)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if it := ParseJSONLine(lines[i%len(lines)], "bench"); it.Err != nil {
			b.Fatal(it.Err)
		}
		i++
	}
}
