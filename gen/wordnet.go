package gen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultWordNet is where Debian's wordnet-base package installs the
// WordNet 3.0 database.
const DefaultWordNet = "/usr/share/wordnet"

// ErrNoWordNet is returned when the WordNet database is not where it was
// looked for.
var ErrNoWordNet = errors.New("WordNet database not found (install Debian's wordnet-base package: apt-get install wordnet-base, or name its directory)")

// Part of speech of a WordNet lemma.
type pos uint8

const (
	noun pos = iota
	verb
	adj
	adv
	numPOS
)

var posFiles = [numPOS]string{"noun", "verb", "adj", "adv"}

// ssNumber is the synset type number used in sense keys (adjective
// satellites, 5, are folded into adjectives).
var ssNumber = map[string]int{"n": 1, "v": 2, "a": 3, "r": 4, "s": 5}

// Thesaurus gives a word's synonyms from WordNet: the other single-word
// lemmas of its most frequent sense, when that sense dominates the word's
// tagged uses (so a substitution keeps the meaning in most contexts) and
// the synonym itself is attested in the tagged corpus. Inflected forms are
// handled for noun plurals and regular verb forms. Safe for concurrent use
// once built.
type Thesaurus struct {
	// entries maps a base form to its synonyms, per part of speech, for
	// the parts of speech that dominate the word's use.
	entries map[string]*thesEntry
	// lemmaOf maps an irregular inflected form to its lemma (the .exc
	// files); irregular marks lemmas with irregular forms, which are
	// never inflected by rule.
	lemmaOf   [numPOS]map[string]string
	irregular [numPOS]map[string]bool
	isLemma   [numPOS]map[string]bool
	wordOK    func(string) bool
	// Synsets is the number of synsets read.
	Synsets int
}

type thesEntry struct {
	pos      pos
	synonyms []synonym // by descending tag count, then word
}

type synonym struct {
	word  string
	count int // SemCor tag count of the synonym in this sense
}

// Thesaurus parameters.
const (
	// minSenseCount is the least tag count of a word's first sense.
	minSenseCount = 2
	// minSenseShare is the share of a word's tagged uses (over all senses
	// and parts of speech) that its first sense must exceed.
	minSenseShare = 0.5
)

// LoadThesaurus reads the WordNet database in dir (data.*, index.*, *.exc
// and cntlist.rev). It takes about a second and 100 MB while reading; the
// result holds a few MB. wordOK filters the synonyms offered (nil keeps
// all); the generator passes one that keeps words common in its corpus.
func LoadThesaurus(dir string, wordOK func(string) bool) (*Thesaurus, error) {
	if _, err := os.Stat(filepath.Join(dir, "data.noun")); err != nil {
		return nil, fmt.Errorf("load wordnet %s: %w: %v", dir, ErrNoWordNet, err)
	}
	counts, err := readCounts(filepath.Join(dir, "cntlist.rev"))
	if err != nil {
		return nil, err
	}
	th := &Thesaurus{entries: map[string]*thesEntry{}, wordOK: wordOK}
	type sense struct {
		p     pos
		first []synonym
		count int // tag count of the first sense
		total int // tag count over all senses of this part of speech
	}
	senses := map[string][]sense{}
	for p := range numPOS {
		th.lemmaOf[p], th.irregular[p], th.isLemma[p] = map[string]string{}, map[string]bool{}, map[string]bool{}
		synsets, err := readData(filepath.Join(dir, "data."+posFiles[p]))
		if err != nil {
			return nil, err
		}
		th.Synsets += len(synsets)
		keyCount := func(lemma string, s *synset, lexID int) int {
			return counts[fmt.Sprintf("%s%%%d:%02d:%02d", lemma, s.ssType, s.lexFile, lexID)]
		}
		err = eachLine(filepath.Join(dir, "index."+posFiles[p]), func(line string) error {
			lemma, offsets, ok, err := parseIndexLine(line)
			if err != nil || !ok {
				return err
			}
			th.isLemma[p][lemma] = true
			se := sense{p: p}
			for i, off := range offsets {
				s := synsets[off]
				if s == nil {
					continue
				}
				c := 0
				for _, w := range s.words {
					if w.lemma == lemma {
						c = keyCount(lemma, s, w.lexID)
					}
				}
				se.total += c
				if i > 0 {
					continue
				}
				se.count = c
				for _, w := range s.words {
					if w.lemma == lemma || !plainWord(w.lemma) || (wordOK != nil && !wordOK(w.lemma)) {
						continue
					}
					// A synonym is plausible when the tagged corpus attests
					// it in this sense, or when it is a common word of the
					// generator's corpus (wordOK); its weight is its tag
					// count plus one.
					if wc := keyCount(w.lemma, s, w.lexID); wc > 0 || wordOK != nil {
						se.first = append(se.first, synonym{w.lemma, wc + 1})
					}
				}
			}
			if plainWord(lemma) {
				senses[lemma] = append(senses[lemma], se)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load wordnet index.%s: %w", posFiles[p], err)
		}
		err = eachLine(filepath.Join(dir, posFiles[p]+".exc"), func(line string) error {
			f := strings.Fields(line)
			if len(f) >= 2 {
				th.lemmaOf[p][f[0]] = f[1]
				th.irregular[p][f[1]] = true
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load wordnet %s.exc: %w", posFiles[p], err)
		}
	}
	for lemma, ss := range senses {
		all := 0
		for _, s := range ss {
			all += s.total
		}
		for _, s := range ss {
			if s.count < minSenseCount || float64(s.count) <= minSenseShare*float64(all) || len(s.first) == 0 {
				continue
			}
			sortSynonyms(s.first)
			th.entries[lemma] = &thesEntry{pos: s.p, synonyms: s.first}
		}
	}
	return th, nil
}

func sortSynonyms(ss []synonym) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && (ss[j].count > ss[j-1].count || ss[j].count == ss[j-1].count && ss[j].word < ss[j-1].word); j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

// Words returns the number of base forms that have synonyms.
func (th *Thesaurus) Words() int { return len(th.entries) }

// plainWord reports whether w is a single lower-case word of letters (no
// collocations, hyphens or abbreviations), at least three long.
func plainWord(w string) bool {
	if len(w) < 3 {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

type synset struct {
	lexFile, ssType int
	words           []wnWord
}

type wnWord struct {
	lemma string
	lexID int
}

// readData reads a data.* file into synsets by offset.
func readData(path string) (map[string]*synset, error) {
	out := map[string]*synset{}
	err := eachLine(path, func(line string) error {
		off, s, err := parseDataLine(line)
		if err != nil || s == nil {
			return err
		}
		out[off] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load wordnet %s: %w", filepath.Base(path), err)
	}
	return out, nil
}

// errMalformed reports a WordNet line that does not parse.
var errMalformed = errors.New("malformed line")

// parseIndexLine reads a line of an index.* file: the lemma and its
// synset offsets, most frequent sense first. ok is false for the licence
// lines at the top.
func parseIndexLine(line string) (lemma string, offsets []string, ok bool, err error) {
	if strings.HasPrefix(line, " ") {
		return "", nil, false, nil
	}
	f := strings.Fields(line)
	if len(f) < 6 {
		return "", nil, false, fmt.Errorf("%w: %q", errMalformed, clipLine(line))
	}
	nSyn, err1 := strconv.Atoi(f[2])
	nPtr, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || nSyn < 0 || nPtr < 0 || len(f) < 6+nPtr+nSyn {
		return "", nil, false, fmt.Errorf("%w: %q", errMalformed, clipLine(line))
	}
	return f[0], f[6+nPtr : 6+nPtr+nSyn], true, nil
}

// parseDataLine reads a line of a data.* file: the synset's offset, lexical
// file, type and words. It returns a nil synset for the licence lines.
func parseDataLine(line string) (string, *synset, error) {
	if strings.HasPrefix(line, " ") {
		return "", nil, nil
	}
	f := strings.Fields(line)
	if len(f) < 4 {
		return "", nil, fmt.Errorf("%w: %q", errMalformed, clipLine(line))
	}
	lexFile, err1 := strconv.Atoi(f[1])
	ss, ok := ssNumber[f[2]]
	n, err2 := strconv.ParseInt(f[3], 16, 32)
	if err1 != nil || err2 != nil || !ok || n < 0 || len(f) < 4+2*int(n) {
		return "", nil, fmt.Errorf("%w: %q", errMalformed, clipLine(line))
	}
	s := &synset{lexFile: lexFile, ssType: ss}
	for i := range int(n) {
		w := f[4+2*i]
		if k := strings.IndexByte(w, '('); k > 0 { // adjective markers: "galore(ip)"
			w = w[:k]
		}
		id, err := strconv.ParseInt(f[5+2*i], 16, 32)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %q", errMalformed, clipLine(line))
		}
		s.words = append(s.words, wnWord{strings.ToLower(w), int(id)})
	}
	return f[0], s, nil
}

// readCounts reads cntlist.rev: sense key → tag count. Keys are cut to
// "lemma%ss:lexfile:lexid" (the head word of satellites is dropped).
func readCounts(path string) (map[string]int, error) {
	out := map[string]int{}
	err := eachLine(path, func(line string) error {
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil
		}
		key := f[0]
		parts := strings.Split(key, ":")
		if len(parts) < 3 {
			return nil
		}
		c, err := strconv.Atoi(f[2])
		if err != nil {
			return nil
		}
		out[strings.Join(parts[:3], ":")] += c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load wordnet cntlist.rev: %w", err)
	}
	return out, nil
}

func eachLine(path string, fn func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			if ferr := fn(strings.TrimRight(line, "\r\n")); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func clipLine(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// form is the inflection of a word relative to its lemma.
type form uint8

const (
	base   form = iota
	plural      // nouns: -s; verbs: third person -s
	past        // verbs: -ed (past and participle)
	gerund      // verbs: -ing
)

// Synonym returns a synonym of the lower-case word w in the same
// inflection, or false. The inflected synonym must itself pass the
// thesaurus's word filter (so "merchandises" or "newsmans", regular forms
// nobody writes, are never offered). Among the candidates the choice is
// random, weighted by tag count.
func (th *Thesaurus) Synonym(w string, rng *rand.Rand) (string, bool) {
	lemma, f, e := th.analyse(w)
	if e == nil {
		return "", false
	}
	var cands []synonym
	total := 0
	for _, s := range e.synonyms {
		out, ok := th.inflect(s.word, e.pos, f)
		if !ok || out == w || s.word == lemma || (th.wordOK != nil && !th.wordOK(out)) {
			continue
		}
		cands = append(cands, synonym{out, s.count})
		total += s.count
	}
	if total == 0 {
		return "", false
	}
	pick := rng.IntN(total)
	for _, c := range cands {
		if pick < c.count {
			return c.word, true
		}
		pick -= c.count
	}
	return "", false
}

// analyse finds w's lemma, inflection and thesaurus entry.
func (th *Thesaurus) analyse(w string) (string, form, *thesEntry) {
	if e := th.entries[w]; e != nil && th.isLemma[e.pos][w] {
		return w, base, e
	}
	for _, p := range []pos{noun, verb} {
		if l, ok := th.lemmaOf[p][w]; ok {
			if e := th.entries[l]; e != nil && e.pos == p {
				f := past
				switch {
				case p == noun:
					f = plural
				case strings.HasSuffix(w, "ing"):
					f = gerund
				}
				return l, f, e
			}
		}
	}
	for _, c := range lemmaCandidates(w) {
		if e := th.entries[c.lemma]; e != nil && (e.pos == verb || c.form == plural && e.pos == noun) {
			if th.irregular[e.pos][c.lemma] && (e.pos == noun || c.form == past) {
				continue // its regular-looking form is not its real one
			}
			if back, ok := th.inflect(c.lemma, e.pos, c.form); ok && back == w {
				return c.lemma, c.form, e
			}
		}
	}
	return "", base, nil
}

type lemmaCand struct {
	lemma string
	form  form
}

// lemmaCandidates undoes regular English inflections.
func lemmaCandidates(w string) []lemmaCand {
	var out []lemmaCand
	add := func(suffix, repl string, f form) {
		if strings.HasSuffix(w, suffix) && len(w)-len(suffix)+len(repl) >= 3 {
			out = append(out, lemmaCand{w[:len(w)-len(suffix)] + repl, f})
		}
	}
	add("ies", "y", plural)
	add("es", "", plural)
	add("s", "", plural)
	add("ied", "y", past)
	add("ed", "", past)
	add("ed", "e", past)
	add("ing", "", gerund)
	add("ing", "e", gerund)
	return out
}

// inflect puts a lemma into form f by the regular rules; false when the
// form is irregular (a noun's plural or a verb's past listed in the .exc
// files) or the rule is uncertain (a short word ending
// consonant-vowel-consonant may double its last letter).
func (th *Thesaurus) inflect(lemma string, p pos, f form) (string, bool) {
	if f == base {
		return lemma, true
	}
	if p != noun && p != verb || p == noun && f != plural {
		return "", false
	}
	if th.irregular[p][lemma] && (p == noun || f == past) {
		return "", false
	}
	n := len(lemma)
	last := lemma[n-1]
	vowel := func(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
	cvc := n >= 3 && !vowel(last) && vowel(lemma[n-2]) && !vowel(lemma[n-3]) && strings.IndexByte("wxy", last) < 0
	switch f {
	case plural:
		switch {
		case strings.HasSuffix(lemma, "s") || strings.HasSuffix(lemma, "x") || strings.HasSuffix(lemma, "z") ||
			strings.HasSuffix(lemma, "ch") || strings.HasSuffix(lemma, "sh"):
			return lemma + "es", true
		case last == 'y' && !vowel(lemma[n-2]):
			return lemma[:n-1] + "ies", true
		case last == 'o' && p == verb:
			return lemma + "es", true
		}
		return lemma + "s", true
	case past:
		switch {
		case cvc && n <= 4:
			return "", false
		case last == 'e':
			return lemma + "d", true
		case last == 'y' && !vowel(lemma[n-2]):
			return lemma[:n-1] + "ied", true
		}
		return lemma + "ed", true
	case gerund:
		switch {
		case cvc && n <= 4:
			return "", false
		case last == 'e' && !strings.HasSuffix(lemma, "ee"):
			return lemma[:n-1] + "ing", true
		}
		return lemma + "ing", true
	}
	return "", false
}
