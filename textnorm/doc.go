package textnorm

// Sentence is one sentence of a Doc.
type Sentence struct {
	Span        // byte range in Doc.Text
	Tok  [2]int // token index range [i, j) in Doc.Tokens
	Para int    // index of the paragraph in Doc.Paras
}

// Doc is a text split into paragraphs, tokens and sentences.
type Doc struct {
	Text      string
	Paras     []Span
	Skip      []bool // per paragraph: left out of Tokens and Sentences (chrome)
	Tokens    []Token
	Sentences []Sentence
}

// Words returns the number of word and number tokens in sentence s.
func (s Sentence) Words() int { return s.Tok[1] - s.Tok[0] }

// Analyze tokenises and sentence-splits text. skip, when not nil, is called
// with the paragraphs (as strings) and returns which to leave out; it is how
// page chrome is kept out of the analysis without importing the extractor.
func (a *Analyzer) Analyze(text string, skip func(paras []string) []bool) *Doc {
	d := &Doc{}
	a.AnalyzeTo(d, text, skip)
	return d
}

// AnalyzeTo is Analyze into d, whose slices it reuses: what d held before
// is overwritten. It spares a caller that analyses many texts in turn most
// of the allocations.
func (a *Analyzer) AnalyzeTo(d *Doc, text string, skip func(paras []string) []bool) {
	a.AnalyzeParasTo(d, text, Paragraphs(text), skip)
}

// AnalyzeParasTo is AnalyzeTo for a caller that has the text's paragraphs
// (Paragraphs(text)) at hand; d keeps paras.
func (a *Analyzer) AnalyzeParasTo(d *Doc, text string, paras []Span, skip func(paras []string) []bool) {
	*d = Doc{Text: text, Paras: paras, Tokens: d.Tokens[:0], Sentences: d.Sentences[:0]}
	if skip != nil && len(d.Paras) > 0 {
		ps := make([]string, len(d.Paras))
		for i, p := range d.Paras {
			ps[i] = text[p.Start:p.End]
		}
		d.Skip = skip(ps)
	}
	if len(d.Skip) != len(d.Paras) {
		d.Skip = make([]bool, len(d.Paras))
	}
	for pi, p := range d.Paras {
		if d.Skip[pi] {
			continue
		}
		first := len(d.Tokens)
		d.Tokens = a.Tokens(d.Tokens, text, p.Start, p.End)
		spans, ranges := Sentences(text, p, d.Tokens[first:])
		for k, sp := range spans {
			d.Sentences = append(d.Sentences, Sentence{
				Span: sp,
				Tok:  [2]int{first + ranges[k][0], first + ranges[k][1]},
				Para: pi,
			})
		}
	}
}
