package eval

import (
	"cmp"
	"math"
	"slices"

	"github.com/wiretrace/wiretrace"
)

// PRF is a precision, a recall and their harmonic mean F1, each in [0, 1].
type PRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// newPRF computes precision = hits/predicted and recall = hits/actual, with
// a zero denominator counting as vacuously perfect (see the package
// comment).
func newPRF(hits, predicted, actual int64) PRF {
	p := ratioOr1(float64(hits), float64(predicted))
	r := ratioOr1(float64(hits), float64(actual))
	return PRF{Precision: p, Recall: r, F1: harmonic(p, r)}
}

func ratioOr1(num, den float64) float64 {
	if den == 0 {
		return 1
	}
	return num / den
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// PairCounts are the pair counts behind the pairwise scores of a clustering.
type PairCounts struct {
	True      int64 `json:"true"`      // pairs of items in one true cluster
	Predicted int64 `json:"predicted"` // pairs of items in one predicted cluster
	Agreeing  int64 `json:"agreeing"`  // pairs in one cluster in both
	All       int64 `json:"all"`       // n(n-1)/2
}

// Contingency is the table of overlaps between a true and a predicted
// clustering of the same items, the basis of every clustering score here.
// It holds only the non-empty cells. Build it with NewContingency; it is
// read-only afterwards and safe for concurrent use.
type Contingency struct {
	n       int64
	rows    []int64 // true cluster sizes
	cols    []int64 // predicted cluster sizes
	cells   []cell  // non-empty intersections
	missing int     // truth ids absent from the prediction
	extra   int     // prediction ids absent from the truth
}

type cell struct {
	row, col int32
	n        int64
}

// NewContingency builds the contingency table of truth against pred (article
// id → cluster label) over the truth's ids, in one pass: ids the prediction
// lacks become singletons, ids only the prediction has are counted and
// ignored, and an empty label is a singleton (see the package comment).
func NewContingency(truth, pred map[string]string) *Contingency {
	c := &Contingency{}
	// Sized for news data: clusters of a few items on average. Growing a
	// map costs more than the lookups themselves.
	hint := len(truth) / 4
	rowOf := make(map[string]int32, hint)
	colOf := make(map[string]int32, hint)
	cellOf := make(map[uint64]int32, hint)
	// index returns the row or column of label, adding one when it is new
	// or "" (a singleton). fresh reports that it was added.
	index := func(of map[string]int32, sizes *[]int64, label string, singleton bool) (i int32, fresh bool) {
		if !singleton {
			if i, ok := of[label]; ok {
				(*sizes)[i]++
				return i, false
			}
		}
		i = int32(len(*sizes))
		*sizes = append(*sizes, 1)
		if !singleton {
			of[label] = i
		}
		return i, true
	}
	for id, tl := range truth {
		c.n++
		r, freshRow := index(rowOf, &c.rows, tl, tl == "")
		pl, ok := pred[id]
		if !ok {
			c.missing++
		}
		col, freshCol := index(colOf, &c.cols, pl, !ok || pl == "")
		if freshRow || freshCol { // a new row or column has no cell yet
			c.cells = append(c.cells, cell{row: r, col: col, n: 1})
			if !(tl == "" || !ok || pl == "") { // the cell can be met again
				cellOf[uint64(r)<<32|uint64(col)] = int32(len(c.cells) - 1)
			}
			continue
		}
		key := uint64(r)<<32 | uint64(col)
		if i, ok := cellOf[key]; ok {
			c.cells[i].n++
			continue
		}
		cellOf[key] = int32(len(c.cells))
		c.cells = append(c.cells, cell{row: r, col: col, n: 1})
	}
	// Every truth id found in pred is a distinct pred id; the rest of pred
	// is extra.
	c.extra = len(pred) - (int(c.n) - c.missing)
	return c
}

// Items is the number of items scored (the truth's ids).
func (c *Contingency) Items() int { return int(c.n) }

// TrueClusters is the number of true clusters.
func (c *Contingency) TrueClusters() int { return len(c.rows) }

// PredictedClusters is the number of predicted clusters the scored items
// fall into, counting each missing or unlabelled item as one.
func (c *Contingency) PredictedClusters() int { return len(c.cols) }

// Missing is the number of truth ids the prediction lacks.
func (c *Contingency) Missing() int { return c.missing }

// Extra is the number of prediction ids the truth lacks (ignored).
func (c *Contingency) Extra() int { return c.extra }

func choose2(x int64) int64 { return x * (x - 1) / 2 }

// Pairs counts the pairs of items that share a cluster in the truth, in the
// prediction and in both.
func (c *Contingency) Pairs() PairCounts {
	var pc PairCounts
	for _, a := range c.rows {
		pc.True += choose2(a)
	}
	for _, b := range c.cols {
		pc.Predicted += choose2(b)
	}
	for _, x := range c.cells {
		pc.Agreeing += choose2(x.n)
	}
	pc.All = choose2(c.n)
	return pc
}

// Pairwise is the precision, recall and F1 of the predicted same-cluster
// pairs against the true ones.
func (c *Contingency) Pairwise() PRF {
	pc := c.Pairs()
	return newPRF(pc.Agreeing, pc.Predicted, pc.True)
}

// BCubed is the B-cubed precision, recall and F1: for each item, the share
// of its predicted cluster that is in its true cluster (precision) and the
// share of its true cluster that is in its predicted cluster (recall),
// averaged over items; F1 is the harmonic mean of the two averages.
// Empty input scores 1/1/1.
func (c *Contingency) BCubed() PRF {
	if c.n == 0 {
		return PRF{Precision: 1, Recall: 1, F1: 1}
	}
	// precision = (1/n) Σ_cells n_ij²/b_j. Summing per column first and then
	// per column size keeps every partial sum an exact integer, so the float
	// result does not depend on the order the cells were built in.
	rowSq := make([]int64, len(c.rows))
	colSq := make([]int64, len(c.cols))
	for _, x := range c.cells {
		rowSq[x.row] += x.n * x.n
		colSq[x.col] += x.n * x.n
	}
	p := sumBySize(c.cols, colSq) / float64(c.n)
	r := sumBySize(c.rows, rowSq) / float64(c.n)
	return PRF{Precision: p, Recall: r, F1: harmonic(p, r)}
}

// sumBySize returns Σ_i sq[i]/size[i], adding the integers of equal sizes
// first and then the quotients in increasing size.
func sumBySize(size, sq []int64) float64 {
	bySize := make(map[int64]int64)
	for i, s := range size {
		bySize[s] += sq[i]
	}
	sizes := make([]int64, 0, len(bySize))
	for s := range bySize {
		sizes = append(sizes, s)
	}
	slices.Sort(sizes)
	var sum float64
	for _, s := range sizes {
		sum += float64(bySize[s]) / float64(s)
	}
	return sum
}

// ARI is the adjusted Rand index, computed as scikit-learn's
// adjusted_rand_score does: 1 when the clusterings agree on every pair
// (empty input, one item, identical clusterings), otherwise
// 2(tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn)) over item pairs.
// It is 1 for a perfect match, about 0 for chance, and can be negative.
func (c *Contingency) ARI() float64 {
	pc := c.Pairs()
	tp := pc.Agreeing
	fp := pc.Predicted - tp
	fn := pc.True - tp
	tn := pc.All - tp - fp - fn
	if fp == 0 && fn == 0 {
		return 1
	}
	// Products reach 10²³ at a million items: compute them in float64.
	ftp, ffp, ffn, ftn := float64(tp), float64(fp), float64(fn), float64(tn)
	return 2 * (ftp*ftn - ffn*ffp) / ((ftp+ffn)*(ffn+ftn) + (ftp+ffp)*(ffp+ftn))
}

// NMI is the normalized mutual information with arithmetic-mean
// normalisation, MI / ((H(truth) + H(pred)) / 2), as scikit-learn's
// normalized_mutual_info_score computes it by default. It is 1 when both
// clusterings have a single cluster or none, 0 when the mutual information
// is 0, and in [0, 1] always.
func (c *Contingency) NMI() float64 {
	if len(c.rows) == len(c.cols) && len(c.rows) <= 1 {
		return 1
	}
	ht := entropy(c.rows, c.n)
	hp := entropy(c.cols, c.n)
	joint := make([]int64, len(c.cells))
	for i, x := range c.cells {
		joint[i] = x.n
	}
	// MI = H(T) + H(P) − H(T,P). Each entropy is summed by cluster size,
	// so identical clusterings give exactly equal terms and NMI exactly 1.
	mi := ht + hp - entropy(joint, c.n)
	if mi <= 0 {
		return 0
	}
	nmi := mi / ((ht + hp) / 2)
	return min(max(nmi, 0), 1)
}

// entropy is −Σ (s/n) ln(s/n) over the cluster sizes s, summed per distinct
// size in increasing order so that the result does not depend on the order
// of sizes.
func entropy(sizes []int64, n int64) float64 {
	if n == 0 {
		return 0
	}
	count := make(map[int64]int64)
	for _, s := range sizes {
		count[s]++
	}
	distinct := make([]int64, 0, len(count))
	for s := range count {
		distinct = append(distinct, s)
	}
	slices.Sort(distinct)
	var h float64
	for _, s := range distinct {
		p := float64(s) / float64(n)
		h -= float64(count[s]) * p * math.Log(p)
	}
	return h
}

// ClusterScores compares a predicted clustering with the truth.
type ClusterScores struct {
	Items              int        `json:"items"`               // truth ids, the items scored
	TrueClusters       int        `json:"true_clusters"`       // clusters in the truth
	PredictedClusters  int        `json:"predicted_clusters"`  // clusters the scored items fall into in the prediction
	MissingPredictions int        `json:"missing_predictions"` // truth ids the prediction lacks, scored as singletons
	ExtraPredictions   int        `json:"extra_predictions"`   // prediction ids the truth lacks, ignored
	Pairs              PairCounts `json:"pairs"`
	Pairwise           PRF        `json:"pairwise"`
	BCubed             PRF        `json:"bcubed"`
	ARI                float64    `json:"ari"`
	NMI                float64    `json:"nmi"`
}

// CompareClusterings scores pred against truth (article id → cluster label)
// with every clustering metric of the package; see the package comment for
// which ids count and for the degenerate cases.
func CompareClusterings(truth, pred map[string]string) ClusterScores {
	c := NewContingency(truth, pred)
	pc := c.Pairs()
	return ClusterScores{
		Items:              c.Items(),
		TrueClusters:       c.TrueClusters(),
		PredictedClusters:  c.PredictedClusters(),
		MissingPredictions: c.Missing(),
		ExtraPredictions:   c.Extra(),
		Pairs:              pc,
		Pairwise:           newPRF(pc.Agreeing, pc.Predicted, pc.True),
		BCubed:             c.BCubed(),
		ARI:                c.ARI(),
		NMI:                c.NMI(),
	}
}

// Edge says that article Copy derives from article Source. Truth edges come
// from the data sets; predicted edges from wiretrace's provenance stage.
type Edge struct {
	Copy   string          `json:"copy"`
	Source string          `json:"source"`
	Kind   wiretrace.Label `json:"kind,omitempty"` // "" when the data set does not say
	// Coverage is the share of Copy's text that comes from Source, in
	// [0, 1]; negative when unknown.
	Coverage float64 `json:"coverage"`
}

// KindScores are the edge scores of one derivation label.
type KindScores struct {
	Kind      wiretrace.Label `json:"kind"`      // "" for truth edges without a kind
	True      int             `json:"true"`      // true edges of this kind
	Predicted int             `json:"predicted"` // predicted edges with this label
	// PairFound: recall is the share of true edges of this kind whose pair
	// was predicted with any label; precision is the share of predicted
	// edges with this label whose pair is a true edge of any kind.
	PairFound PRF `json:"pair_found"`
	// LabelExact counts a hit only when the pair is predicted with this
	// very label and is a true edge of this kind.
	LabelExact PRF `json:"label_exact"`
}

// EdgeScores compares predicted derivation edges with the truth, as
// unordered pairs of article ids.
type EdgeScores struct {
	True       int          `json:"true"`        // distinct true pairs
	Predicted  int          `json:"predicted"`   // distinct predicted pairs
	Matched    int          `json:"matched"`     // pairs in both
	PairFound  PRF          `json:"pair_found"`  // a hit is a true pair predicted with any label
	LabelExact PRF          `json:"label_exact"` // a hit is a true pair predicted with its true label
	ByKind     []KindScores `json:"by_kind"`     // strongest label first; "" last
	// SameDirection counts matched pairs whose predicted Copy is the true
	// Copy.
	SameDirection int `json:"same_direction"`
	// CoverageMAE is the mean absolute coverage error over CoveragePairs:
	// matched pairs in the same direction whose coverage both sides know.
	// It is 0 when CoveragePairs is 0.
	CoverageMAE   float64 `json:"coverage_mae"`
	CoveragePairs int     `json:"coverage_pairs"`
	// Edges left out: a pair listed again (the strongest label is kept; on
	// a tie the first), and edges with an empty id or Copy == Source.
	DuplicateTrue      int `json:"duplicate_true,omitempty"`
	DuplicatePredicted int `json:"duplicate_predicted,omitempty"`
	InvalidTrue        int `json:"invalid_true,omitempty"`
	InvalidPredicted   int `json:"invalid_predicted,omitempty"`
}

type pairKey struct{ a, b string }

func keyOf(e Edge) pairKey {
	if e.Copy < e.Source {
		return pairKey{e.Copy, e.Source}
	}
	return pairKey{e.Source, e.Copy}
}

// edgeSet dedupes edges by unordered pair, keeping input order.
type edgeSet struct {
	at    map[pairKey]int
	edges []Edge
}

func newEdgeSet(edges []Edge) (s edgeSet, duplicates, invalid int) {
	s.at = make(map[pairKey]int, len(edges))
	for _, e := range edges {
		if e.Copy == "" || e.Source == "" || e.Copy == e.Source {
			invalid++
			continue
		}
		k := keyOf(e)
		if i, ok := s.at[k]; ok {
			duplicates++
			if e.Kind.Rank() < s.edges[i].Kind.Rank() {
				s.edges[i] = e
			}
			continue
		}
		s.at[k] = len(s.edges)
		s.edges = append(s.edges, e)
	}
	return s, duplicates, invalid
}

// CompareEdges scores predicted derivation edges against true ones. Pairs
// are unordered: a true edge is found when its two articles are predicted as
// an edge in either direction with any label. The time is linear in the
// number of edges.
func CompareEdges(truth, pred []Edge) EdgeScores {
	ts, dupT, badT := newEdgeSet(truth)
	ps, dupP, badP := newEdgeSet(pred)
	s := EdgeScores{
		True: len(ts.edges), Predicted: len(ps.edges),
		DuplicateTrue: dupT, DuplicatePredicted: dupP,
		InvalidTrue: badT, InvalidPredicted: badP,
	}
	type tally struct{ true, pred, trueFound, predFound, exact int64 }
	kinds := make(map[wiretrace.Label]*tally)
	get := func(l wiretrace.Label) *tally {
		t := kinds[l]
		if t == nil {
			t = &tally{}
			kinds[l] = t
		}
		return t
	}
	var exact int64
	var covErr float64
	for _, te := range ts.edges {
		kt := get(te.Kind)
		kt.true++
		i, ok := ps.at[keyOf(te)]
		if !ok {
			continue
		}
		pe := ps.edges[i]
		s.Matched++
		kt.trueFound++
		if pe.Kind == te.Kind {
			exact++
			kt.exact++
		}
		if pe.Copy == te.Copy {
			s.SameDirection++
			if te.Coverage >= 0 && pe.Coverage >= 0 {
				s.CoveragePairs++
				covErr += math.Abs(pe.Coverage - te.Coverage)
			}
		}
	}
	for _, pe := range ps.edges {
		kt := get(pe.Kind)
		kt.pred++
		if _, ok := ts.at[keyOf(pe)]; ok {
			kt.predFound++
		}
	}
	matched := int64(s.Matched)
	s.PairFound = newPRF(matched, int64(s.Predicted), int64(s.True))
	s.LabelExact = newPRF(exact, int64(s.Predicted), int64(s.True))
	if s.CoveragePairs > 0 {
		s.CoverageMAE = covErr / float64(s.CoveragePairs)
	}
	for l, t := range kinds {
		s.ByKind = append(s.ByKind, KindScores{
			Kind: l, True: int(t.true), Predicted: int(t.pred),
			PairFound: PRF{
				Precision: ratioOr1(float64(t.predFound), float64(t.pred)),
				Recall:    ratioOr1(float64(t.trueFound), float64(t.true)),
			},
			LabelExact: newPRF(t.exact, t.pred, t.true),
		})
		k := &s.ByKind[len(s.ByKind)-1]
		k.PairFound.F1 = harmonic(k.PairFound.Precision, k.PairFound.Recall)
	}
	slices.SortFunc(s.ByKind, func(a, b KindScores) int {
		return cmp.Or(cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), cmp.Compare(a.Kind, b.Kind))
	})
	return s
}

// kindOrder sorts the four labels strongest first, then unknown labels,
// then the empty kind.
func kindOrder(l wiretrace.Label) int {
	if l == "" {
		return 5
	}
	return l.Rank()
}

// SimilarityJudgement is one article pair with its gold SemEval-2022 task 8
// Overall score and wiretrace's prediction for it.
type SimilarityJudgement struct {
	PairID     string  `json:"pair_id"`
	Overall    float64 `json:"overall"`    // gold: 1 (same story) to 4 (unrelated)
	Similarity float64 `json:"similarity"` // predicted, in [0, 1]
	Same       bool    `json:"same"`       // predicted: the two tell one story
}

// SemEval thresholds on the gold Overall score.
const (
	// SameStoryMax is the highest gold Overall counted as the same story.
	SameStoryMax = 1.5
	// DifferentStoryMin is the lowest gold Overall counted as different
	// stories.
	DifferentStoryMin = 3.5
)

// SimilarityScores are SemEval-2022 task 8 style scores of story
// similarity.
type SimilarityScores struct {
	Pairs     int `json:"pairs"`     // judgements with a valid gold score
	Invalid   int `json:"invalid"`   // judgements with a gold score that is NaN or outside [1, 4]
	Positives int `json:"positives"` // gold Overall ≤ 1.5
	Negatives int `json:"negatives"` // gold Overall ≥ 3.5
	Ignored   int `json:"ignored"`   // gold in between, left out of SameStory
	// SameStory scores the predicted same-story flag on the positives and
	// negatives.
	SameStory PRF `json:"same_story"`
	TP        int `json:"tp"`
	FP        int `json:"fp"`
	FN        int `json:"fn"`
	TN        int `json:"tn"`
	// Pearson is the raw correlation of predicted Similarity with gold
	// Overall over all valid pairs whose similarity is a number. Similar
	// articles have a low Overall, so a good system has r near −1.
	// PearsonDefined is false, and Pearson 0, with fewer than two such
	// pairs or when either side is constant.
	Pearson        float64 `json:"pearson"`
	PearsonDefined bool    `json:"pearson_defined"`
	PearsonPairs   int     `json:"pearson_pairs"`
}

// CompareSimilarity scores predicted story similarity against gold SemEval
// Overall scores (see SimilarityScores for the conventions).
func CompareSimilarity(js []SimilarityJudgement) SimilarityScores {
	var s SimilarityScores
	xs := make([]float64, 0, len(js))
	ys := make([]float64, 0, len(js))
	for _, j := range js {
		if math.IsNaN(j.Overall) || j.Overall < 1 || j.Overall > 4 {
			s.Invalid++
			continue
		}
		s.Pairs++
		switch {
		case j.Overall <= SameStoryMax:
			s.Positives++
			if j.Same {
				s.TP++
			} else {
				s.FN++
			}
		case j.Overall >= DifferentStoryMin:
			s.Negatives++
			if j.Same {
				s.FP++
			} else {
				s.TN++
			}
		default:
			s.Ignored++
		}
		if !math.IsNaN(j.Similarity) && !math.IsInf(j.Similarity, 0) {
			xs = append(xs, j.Similarity)
			ys = append(ys, j.Overall)
		}
	}
	s.SameStory = newPRF(int64(s.TP), int64(s.TP+s.FP), int64(s.TP+s.FN))
	s.PearsonPairs = len(xs)
	s.Pearson, s.PearsonDefined = pearson(xs, ys)
	return s
}

// pearson is the sample correlation of xs and ys, computed in two passes
// for accuracy; ok is false when it is undefined.
func pearson(xs, ys []float64) (r float64, ok bool) {
	n := len(xs)
	if n < 2 {
		return 0, false
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, false
	}
	r = sxy / math.Sqrt(sxx*syy)
	if math.IsNaN(r) { // sums overflowed: similarities far outside [0, 1]
		return 0, false
	}
	return min(max(r, -1), 1), true
}
