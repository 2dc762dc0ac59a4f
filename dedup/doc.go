// Package dedup deduplicates corpora of millions of articles on one machine
// in bounded memory, with the engine analyze and serve use, and gives
// exactly their copy groups, derivations and stories.
//
// The in-memory engine keeps about 10 KB per article (features, LSH
// buckets, story postings); dedup instead runs the engine's stages as a
// batch over data spilled to a work directory:
//
//  1. read: inputs are parsed and prepared (engine.Preparer) on every core;
//     handles follow input order, as in analyze. Per segment of articles it
//     spills meta records, the features engine.Judge needs (the alignment
//     doc, or the document signature at LevelNearDup), for the filtered
//     output the lines that cannot be read again from their input (JSONL
//     in S2 blocks; the others are located by input and offset), the
//     inputs skipped, and three runs sorted by key: document band
//     keys, sentence band keys (each with its sentence's terms and
//     weights), id hashes.
//  2. ids: articles repeating an earlier id replace it, as in the engine.
//  3. pairs: the runs are merged bucket by bucket; each bucket replays the
//     engine's queries in handle order (an article sees the entries of
//     earlier, not yet replaced articles; buckets over MaxBucket (document)
//     or MaxSentenceBucket (sentence) are skipped; sentence collisions
//     count when the two sentences pass the
//     engine's VerifySim check) and emits (article, earlier article,
//     sentence) triples into partitions by article.
//  4. candidates: per article, the engine's candidate rule: distinct
//     sentence hits plus 1<<20 for a document band hit, NeedHits (one hit
//     suffices between articles crediting the same agency), the top
//     MaxCandidates by hits then handle.
//  5. align: engine.Judge on every candidate pair, in parallel.
//  6. groups: copy groups (components of duplicate, copy and rewrite
//     edges), closest to source (provenance.Closest), representatives by
//     policy, labels relative to them (a Judge against the representative
//     for members linked only through others), stories (the engine's
//     story.Clusterer replayed in handle order).
//  7. output: clusters.jsonl, dedup.jsonl, summary.json, skipped.jsonl and
//     optionally reuse.jsonl, written to temporary names and renamed; then
//     the work directory's files are removed (unless Options.KeepWork).
//
// Every step is recorded in a versioned manifest after its files are
// durable, so a run killed at any point resumes from its last step (a
// segment, a partition) and writes the same bytes as an uninterrupted run.
// Results do not depend on the worker count, the segment size or the
// number of partitions.
//
// Cost. In memory, per article: about 36 bytes through passes 2–7 (dates,
// word counts, offsets, credits), plus 13 bytes in pass 6 and, at LevelStories, the
// story clusterer's vectors and postings (about 1 KB per article: the
// stories level does not fit millions of articles in a small budget). Pass
// 1 buffers sorted-run tuples (24 bytes each, 8 per indexed sentence and
// 25 per article) and sentence features (about 100 bytes an indexed
// sentence) up to a twelfth of Options.MemBytes per segment, for the
// segment filling and the one being committed, plus sort scratch; pass 2
// reads the runs in blocks that share a sixteenth of it. On disk:
// the features, the kept text and the runs, whose sentence records
// repeat their sentence's features once per band (8 times): about 8 times
// the input in all; then pass 2's triples (12 bytes each) and document
// bucket lists and references; pass 2 stops with ErrDiskFull rather than
// leave under 2 GiB free. Time is the engine's: preparing the articles,
// checking the sentence collisions the engine checks (quadratic in the
// size of a bucket, bounded by MaxSentenceBucket) and aligning candidate pairs (at
// most MaxCandidates an article) dominate; the batch steps around them are
// linear in the data (docs/benchmarks.md).
package dedup
