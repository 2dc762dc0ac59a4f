package engine

import (
	"fmt"

	"github.com/wiretrace/wiretrace/align"
	"github.com/wiretrace/wiretrace/lsh"
	"github.com/wiretrace/wiretrace/provenance"
	"github.com/wiretrace/wiretrace/sketch"
	"github.com/wiretrace/wiretrace/story"
)

// Level says how deep the engine looks.
type Level int

// Levels, cheapest first.
const (
	// LevelNearDup finds near-duplicates with document-level MinHash only.
	LevelNearDup Level = iota + 1
	// LevelReuse adds the sentence index: reworded, translated and partial
	// reuse, aligned sentence by sentence.
	LevelReuse
	// LevelStories adds story clustering by event similarity.
	LevelStories
)

// ParseLevel reads "near-dup", "reuse" or "stories".
func ParseLevel(s string) (Level, error) {
	switch s {
	case "near-dup", "neardup":
		return LevelNearDup, nil
	case "reuse":
		return LevelReuse, nil
	case "stories":
		return LevelStories, nil
	}
	return 0, fmt.Errorf("unknown level %q (want near-dup, reuse or stories)", s)
}

func (l Level) String() string {
	switch l {
	case LevelNearDup:
		return "near-dup"
	case LevelReuse:
		return "reuse"
	case LevelStories:
		return "stories"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Options configure an Engine. The zero value means the defaults, which are
// what the documentation and the quality figures describe.
type Options struct {
	// Level is how deep to look. Default LevelStories.
	Level Level
	// MaxBytes is the largest article text accepted. Default 4 MiB.
	MaxBytes int
	// ShingleSize is the word count of document shingles. Default 5.
	ShingleSize int
	// SignatureSize is the number of MinHash bins per document (a power of
	// two). Default 128.
	SignatureSize int
	// NearDupThreshold is the document Jaccard similarity the document LSH
	// is tuned for; bands and rows are derived from it. Default 0.5.
	NearDupThreshold float64
	// SentenceBands and SentenceRows shape the sentence index (their
	// product must not exceed sketch.SentenceHashes). Defaults 8 and 3:
	// two sentences of Jaccard similarity J (over their distinctive
	// terms) share a bucket with probability 1-(1-J³)⁸: 0.66 at J = 0.5,
	// 0.93 at 0.7, 0.008 at 0.1. Two rows, as before, put every sentence
	// of a large corpus in the buckets of hundreds of unrelated ones
	// (0.077 at J = 0.1): at 30,000 articles that cost half the matching
	// time and lowered precision more than a third row costs recall
	// (docs/quality.md, "Sentence index shape").
	SentenceBands, SentenceRows int
	// MinSentenceTerms: sentences with fewer distinct content terms that
	// are not common words (background document share ≤ 5%) are not
	// indexed: they are too generic to find reuse by. Default 4.
	MinSentenceTerms int
	// MinSentenceHits is the number of an article's sentences that must
	// hit a candidate before it is aligned (1 suffices when either article
	// has at most two indexed sentences). Default 2.
	MinSentenceHits int
	// VerifySim is the least weighted Dice similarity of two sentences
	// that collide in the sentence index for the collision to count as a
	// hit. Default 0.3 (links need 0.55).
	VerifySim float64
	// MaxCandidates caps the articles aligned per arriving article.
	// Default 50.
	MaxCandidates int
	// MaxBucket: document LSH buckets larger than this are skipped.
	// Default 4096.
	MaxBucket int
	// MaxSentenceBucket: sentence-index buckets larger than this are
	// skipped. Every entry of a bucket a query reaches is checked
	// (VerifySim), so the cost of a bucket grows with the square of its
	// size; a sentence shared by more articles than this is boilerplate or
	// a story copied that often, whose copies the document index still
	// finds. Default 1024.
	MaxSentenceBucket int
	// StoryTerms is the number of terms kept in an event vector. Default 48.
	StoryTerms int
	Align      align.Options
	Provenance provenance.Options
	Story      story.Options

	docBands, docRows int
}

func (o Options) withDefaults() Options {
	if o.Level == 0 {
		o.Level = LevelStories
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 4 << 20
	}
	if o.ShingleSize == 0 {
		o.ShingleSize = 5
	}
	if o.SignatureSize == 0 {
		o.SignatureSize = 128
	}
	if o.NearDupThreshold == 0 {
		o.NearDupThreshold = 0.5
	}
	if o.SentenceBands == 0 {
		o.SentenceBands = 8
	}
	if o.SentenceRows == 0 {
		o.SentenceRows = 3
	}
	if o.MinSentenceTerms == 0 {
		o.MinSentenceTerms = 4
	}
	if o.MinSentenceHits == 0 {
		o.MinSentenceHits = 2
	}
	if o.VerifySim == 0 {
		o.VerifySim = 0.3
	}
	if o.MaxCandidates == 0 {
		o.MaxCandidates = 50
	}
	if o.MaxBucket == 0 {
		o.MaxBucket = lsh.DefaultMaxBucket
	}
	if o.MaxSentenceBucket == 0 {
		o.MaxSentenceBucket = 1024
	}
	if o.StoryTerms == 0 {
		o.StoryTerms = 48
	}
	o.docBands, o.docRows = docParams(o.NearDupThreshold, o.SignatureSize)
	return o
}

// Validate reports the first invalid field.
func (o Options) Validate() error {
	d := o.withDefaults()
	switch {
	case d.Level < LevelNearDup || d.Level > LevelStories:
		return fmt.Errorf("options: Level %d out of range", int(o.Level))
	case d.MaxBytes < 0:
		return fmt.Errorf("options: MaxBytes must be positive")
	case d.SignatureSize < 2 || d.SignatureSize > 4096 || d.SignatureSize&(d.SignatureSize-1) != 0:
		return fmt.Errorf("options: SignatureSize %d must be a power of two in [2, 4096]", o.SignatureSize)
	case d.NearDupThreshold <= 0 || d.NearDupThreshold >= 1:
		return fmt.Errorf("options: NearDupThreshold %v must be in (0, 1)", o.NearDupThreshold)
	case d.SentenceBands*d.SentenceRows > sketch.SentenceHashes || d.SentenceBands < 0 || d.SentenceRows < 0:
		return fmt.Errorf("options: SentenceBands×SentenceRows %d×%d exceeds %d hashes", d.SentenceBands, d.SentenceRows, sketch.SentenceHashes)
	case d.ShingleSize < 1 || d.ShingleSize > 16:
		return fmt.Errorf("options: ShingleSize %d must be in [1, 16]", o.ShingleSize)
	}
	return nil
}

// Resolved returns the options with every zero field set to its default
// (what an Engine built from o uses).
func (o Options) Resolved() Options { return o.withDefaults() }

// DocBands returns the document LSH shape derived from NearDupThreshold and
// SignatureSize.
func (o Options) DocBands() (bands, rows int) {
	r := o.withDefaults()
	return r.docBands, r.docRows
}
