// Package eval scores wiretrace's output against labelled data and reads the
// data sets that carry the labels. It knows nothing of the engine: callers
// hand it plain maps and slices (article id → cluster label, derivation
// edges, similarity judgements) and get scores back, gathered in a versioned
// Report.
//
// # Metrics
//
// Clusterings (stories, copy groups) are map[string]string from article id
// to cluster label. The truth's ids are the items scored:
//
//   - an id the prediction lacks is scored as a singleton (its own cluster);
//   - an id only the prediction has is ignored (and counted);
//   - an empty label "" puts its id in a cluster of its own, in either map.
//
// CompareClusterings reports pairwise precision/recall/F1 (over pairs of
// items put in one cluster), B-cubed precision/recall/F1 (Bagga and
// Baldwin), the adjusted Rand index (Hubert and Arabie) and normalized
// mutual information with the arithmetic-mean normaliser, the default of
// scikit-learn's normalized_mutual_info_score. All of them come from one
// contingency table of true × predicted clusters, built in one pass over
// the ids: time O(n + k) for n items and k non-empty cells, memory O(n) in
// the worst case (all singletons), never O(n²). Scoring 1,000,000 items
// takes about 0.8 s on one core of a 2-core AMD EPYC, nearly all of it in
// the map lookups that build the table (BenchmarkCompareClusterings,
// BenchmarkMetrics).
//
// Degenerate cases follow one rule: a ratio whose denominator is zero is
// vacuously perfect. Pairwise precision with no predicted pairs is 1,
// recall with no true pairs is 1; so two all-singleton clusterings score
// 1/1/1 and a prediction that merges everything against all-singleton truth
// scores precision 0, recall 1, F1 0. The counts behind every ratio are
// reported next to it. ARI and NMI follow scikit-learn exactly:
//
//   - ARI is 1 when the two clusterings agree on every pair, which covers
//     empty input, a single item, identical clusterings, and both all
//     singletons or both one cluster; otherwise it is the usual formula and
//     can be negative (at worst -0.5 for the discordant 2×2 case).
//   - NMI is 1 when both clusterings have exactly one cluster, or none
//     (empty input); it is 0 when the mutual information is 0 (one side is
//     a single cluster and the other is not); otherwise
//     MI / ((H(truth) + H(pred)) / 2), with natural logarithms (the base
//     cancels). Both all-singletons (n ≥ 2) gives 1.
//
// Derivation edges are compared as unordered pairs (CompareEdges): a true
// edge is found when its pair is predicted with any label; per-kind tables
// report both "pair found" and "label exact". Coverage error is measured on
// found pairs whose predicted direction matches the truth.
//
// Pairwise story similarity is scored SemEval-2022 task 8 style
// (CompareSimilarity): gold Overall ≤ 1.5 is a positive (same story),
// ≥ 3.5 a negative, pairs in between are left out of precision/recall;
// Pearson's r of predicted similarity against gold Overall is reported raw,
// so a good system has r near -1 (similar means a low Overall).
//
// Scores are deterministic: sums run in an order that does not depend on Go
// map iteration.
//
// # Data sets
//
// The readers (datasets.go) turn the project's labelled JSONL, NEWS-COPY,
// the Priberam clustering set and SemEval-2022 task 8 pair CSVs into
// wiretrace.Article values plus truth. Malformed records are skipped,
// counted and reported with their position (Problem); bad input never
// panics.
package eval
