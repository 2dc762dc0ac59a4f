// Package gen writes labelled benchmarks of news reuse from real articles:
// the originals, copies derived from them the ways syndication derives
// them, and unrelated and same-topic articles, each with its true
// provenance. "wiretrace gen" drives it; "wiretrace eval" scores the engine
// on its output, and "wiretrace bench" feeds it to the engine to measure
// speed.
//
// # Corpus
//
// LoadCorpus reads real articles (labelled JSONL; ../shared/data holds
// BASIL, BBC and Reuters-21578), splits them into paragraphs and sentences
// with rules of its own, and drops the articles that already share text
// with an earlier one of another story (two sampled word 8-grams that are
// not boilerplate): real corpora carry their own duplicates, which the
// truth would otherwise miss. Of Reuters-21578, BBC and BASIL, about 16,400
// of 21,600 articles remain.
//
// # Derivations
//
// Every derived article starts from an original (or, for a quarter of the
// reprints, from an earlier reprint of it) and follows one recipe:
//
//	duplicate    17%  the whole text verbatim inside web page chrome
//	copy         28%  trimmed from the bottom (55%), a paragraph dropped,
//	                  house-style edits ("U.S." → "US", "pct" → "percent",
//	                  titles dropped, one synonym), a local sentence added
//	copy-ocr     10%  the same, printed and scanned: 1–4% of words damaged
//	                  (rn/m, l/1, split and run-together words)
//	spin         12%  50–90% of the words WordNet can replace replaced by
//	                  a synonym of the same inflection; half the sentences
//	                  get translation-like changes; paragraphs swapped
//	translation  13%  a machine-translation round trip: reporting clauses
//	                  and time adverbials moved to the front, "said" →
//	                  "stated", "will" → "would", wire abbreviations spelled
//	                  out, articles dropped, long sentences split, 40–70% of
//	                  replaceable words swapped, shortened
//	partial      20%  2–8 of the source's sentences (10–35%) inside an
//	                  article about something else (held-back real text);
//	                  when the original is one of several outlets' reports
//	                  of one event, half of these are composites instead:
//	                  most of one report with sentences of another, like
//	                  the seed 004
//
// and 45% of originals are never reprinted; the others get 1 + a
// geometric number of derived articles, 1.5 per original on average (more
// when the set is larger than the corpus allows, up to 8; beyond that,
// further passes over the corpus cipher its vocabulary, so that each pass
// reads as new text with the corpus's word statistics). 12% of originals
// are followed by a same-topic article about another event (sharing rare
// title and lead words, published at least 10 days apart). Page chrome
// (navigation, "Advertisement", related-article titles, footers) wraps
// every duplicate and half of the other web copies. The synonyms come from
// Debian's wordnet-base, read at generation time (LoadThesaurus): a word's
// most frequent sense, only when it covers more than half of the word's
// tagged uses, its single-word lemmas, inflected by rule, and only when the
// inflected synonym occurs in the corpus.
//
// The rates are a judgement of what syndication does, not a measurement;
// the one real yardstick is the seeds, whose reworded and translated AP
// copies have word 5-gram Jaccard 0.17–0.44 with each other. gen reports
// the same measure for every derived article and its parent.
//
// # Truth
//
// Each sentence of a generated article remembers the original sentence it
// comes from, and how it changed (verbatim, edited, reworded). Independent
// reports of one event that share a word 6-gram in a sentence (a quote) get
// that sentence as a common origin. For every pair of articles that share
// origins, coverage is the share of an article's words (page chrome
// excluded) in sentences whose origin the other article carries, and the
// kind follows the definitions of wiretrace.Label:
//
//	no derivation  less than 10% on both sides (testdata/SEEDS.md)
//	partial        less than half of either article
//	duplicate      at least 90% of both, at least 90% of it verbatim
//	rewrite        at least half of the shared words in reworded sentences
//	copy           otherwise
//
// The later article (in the stream's virtual time) lists the pair in
// derived_from; "direct" marks the article it was made from. Copy groups
// are the connected components of duplicate, copy and rewrite pairs. The
// story is the original's (BASIL's story label, else one per original),
// except for partial reuse inside another article, whose event is not
// defined and which carries no story.
//
// # Cost
//
// Loading the corpus and WordNet takes a few seconds and about 1 GB; the
// generator then keeps only the articles waiting for their virtual time,
// a few units' worth, and writes about 10,000 articles a second on one core.
// The output is deterministic: the same Version, Options, corpus and
// WordNet give the same bytes.
package gen
