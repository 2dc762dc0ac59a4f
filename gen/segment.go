package gen

import (
	"strings"
	"unicode/utf8"
)

// The generator splits and classifies text with rules of its own, frozen
// with its Version, rather than with package textnorm's: the engine's
// normaliser is tuned as the engine improves, and the generated sets must
// stay the same bytes for the same seed. (These are textnorm's rules of
// the commit that introduced the generator.)

// functionWord reports whether the lower-case word w carries no content of
// its own: articles, pronouns, auxiliaries, prepositions, conjunctions and
// the reporting verbs. Such words are never replaced by synonyms or
// ciphered.
func functionWord(w string) bool { return functionWords[w] }

var functionWords = setOf(
	"a", "about", "above", "according", "across", "after", "again", "against", "ago", "all",
	"almost", "along", "already", "also", "although", "always", "am", "among", "an", "and",
	"another", "any", "anyone", "anything", "are", "around", "as", "at", "be", "became",
	"because", "become", "been", "before", "being", "below", "between", "both", "but", "by",
	"can", "cannot", "could", "did", "do", "does", "doing", "done", "down", "during",
	"each", "either", "else", "enough", "etc", "even", "ever", "every", "few", "for", "from",
	"further", "get", "gets", "got", "had", "has", "have", "having", "he", "her", "here",
	"hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into",
	"is", "it", "its", "itself", "just", "least", "less", "like", "many", "may", "me",
	"meanwhile", "might", "more", "most", "much", "must", "my", "myself", "neither", "never",
	"no", "nor", "not", "now", "of", "off", "often", "on", "once", "only", "onto", "or",
	"other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own",
	"per", "perhaps", "quite", "rather", "s", "said", "same", "say", "says", "saying",
	"several", "shall", "she", "should", "since", "so", "some", "somehow", "something",
	"still", "such", "t", "than", "that", "the", "their", "theirs", "them", "themselves",
	"then", "there", "therefore", "these", "they", "this", "those", "though", "through",
	"thus", "to", "too", "toward", "towards", "under", "unless", "until", "up", "upon",
	"us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when", "whenever",
	"where", "whereas", "whether", "which", "while", "who", "whoever", "whom", "whose",
	"why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours",
	"yourself", "yourselves", "mr", "mrs", "ms", "dr", "don't", "didn't", "doesn't",
	"isn't", "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't", "hasn't",
	"haven't", "hadn't", "it's", "i'm", "we're", "they're", "you're", "he's", "she's",
	"that's", "there's", "i've", "we've", "they've", "i'd", "we'd", "they'd", "i'll",
	"we'll", "they'll", "let", "lets", "let's",
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// paragraphSpans splits text into paragraphs: blocks separated by blank
// lines. Inside a block, a line break also starts a new paragraph unless
// the block looks hard-wrapped (many lines of similar width, as in wire
// copy), where lines are joined; an indented line in wrapped text starts a
// paragraph, as in Reuters' layout.
func paragraphSpans(text string) []span {
	var out []span
	for _, block := range textBlocks(text) {
		lines := blockLines(text, block)
		if len(lines) == 0 {
			continue
		}
		if !hardWrapped(text, lines) {
			out = append(out, lines...)
			continue
		}
		cur := lines[0]
		for _, l := range lines[1:] {
			if l.start > 0 && indented(text, l) {
				out = append(out, cur)
				cur = l
				continue
			}
			cur.end = l.end
		}
		out = append(out, cur)
	}
	return out
}

// textBlocks splits text at blank lines.
func textBlocks(text string) []span {
	var out []span
	start, lineStart := 0, 0
	blankRun := false
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != '\n' {
			continue
		}
		if strings.TrimSpace(text[lineStart:i]) == "" {
			if !blankRun && lineStart > start {
				out = append(out, span{start, lineStart})
			}
			blankRun = true
			start = i + 1
		} else {
			blankRun = false
		}
		lineStart = i + 1
	}
	if start < len(text) {
		out = append(out, span{start, len(text)})
	}
	return out
}

// blockLines returns the non-blank lines of a block.
func blockLines(text string, b span) []span {
	var out []span
	s := b.start
	for i := b.start; i <= b.end; i++ {
		if i == b.end || text[i] == '\n' {
			if strings.TrimSpace(text[s:i]) != "" {
				out = append(out, span{s, i})
			}
			s = i + 1
		}
	}
	return out
}

// hardWrapped reports whether a block's lines look wrapped at a fixed
// width: at least three lines, most of them 40–100 characters long and
// ending without sentence punctuation.
func hardWrapped(text string, lines []span) bool {
	if len(lines) < 3 {
		return false
	}
	width, open := 0, 0
	for _, l := range lines[:len(lines)-1] {
		s := strings.TrimSpace(text[l.start:l.end])
		if n := utf8.RuneCountInString(s); n >= 40 && n <= 100 {
			width++
		}
		if r, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(".!?:\"”'’", r) {
			open++
		}
	}
	body := len(lines) - 1
	return width*4 >= body*3 && open*2 >= body
}

func indented(text string, l span) bool {
	line := text[l.start:l.end]
	return strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "\t")
}
