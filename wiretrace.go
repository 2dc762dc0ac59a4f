// Package wiretrace holds the types shared by every stage of the pipeline:
// read → extract → normalise → sketch → candidates → align → provenance →
// stories → store/output. It has no behaviour of its own; each stage lives in
// its own package and imports this one.
package wiretrace

import "time"

// Article is one news article as read from an input, before analysis.
// Text is the article body as plain text (paragraphs separated by blank
// lines); HTML, when set and Text is empty, is the raw page the extractor
// turns into Text and metadata.
type Article struct {
	ID        string    `json:"id"`
	Title     string    `json:"title,omitempty"`
	URL       string    `json:"url,omitempty"`
	Source    string    `json:"source,omitempty"`   // outlet or site name
	Published time.Time `json:"published,omitzero"` // zero when unknown
	Updated   time.Time `json:"updated,omitzero"`   // zero when unknown
	Lang      string    `json:"lang,omitempty"`     // BCP 47 tag, "" when unknown
	Byline    string    `json:"byline,omitempty"`   // author names as printed
	Dateline  string    `json:"dateline,omitempty"` // place in the dateline, e.g. "MOSCOW"
	Credits   []string  `json:"credits,omitempty"`  // wire agencies credited, canonical names ("AP", "Reuters")
	Text      string    `json:"text,omitempty"`     // plain text body
	HTML      string    `json:"html,omitempty"`     // raw HTML, when the input was a page
	Charset   string    `json:"charset,omitempty"`  // HTML character encoding declared by the transport, "" if none
	Origin    string    `json:"origin,omitempty"`   // where it was read: "path", "path:line" or "file.warc#record"
}

// Label says how one article derives from another.
type Label string

// The derivation labels, strongest first.
const (
	// Duplicate: near-verbatim in both directions.
	Duplicate Label = "duplicate"
	// Copy: one contains most of the other, trimmed or lightly edited.
	Copy Label = "copy"
	// Rewrite: most sentences reused, but reworded (spun or translated).
	Rewrite Label = "rewrite"
	// Partial: a minority of sentences reused.
	Partial Label = "partial"
)

// Rank orders labels from strongest (0) to weakest; unknown labels rank last.
func (l Label) Rank() int {
	switch l {
	case Duplicate:
		return 0
	case Copy:
		return 1
	case Rewrite:
		return 2
	case Partial:
		return 3
	}
	return 4
}

// SameText reports whether the label means both articles carry one source
// text (and so belong to one copy group), as opposed to partial reuse.
func (l Label) SameText() bool { return l == Duplicate || l == Copy || l == Rewrite }

// AlignKind says how an aligned sentence pair differs.
type AlignKind string

// Kinds of aligned sentence pairs.
const (
	Verbatim AlignKind = "verbatim" // same words after normalisation
	Edited   AlignKind = "edited"   // a few words changed, added or dropped
	Reworded AlignKind = "reworded" // same content, different wording
)
