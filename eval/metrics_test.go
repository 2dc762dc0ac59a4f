package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace"
)

// parts builds a clustering from "a b c|d e|f": ids separated by spaces,
// clusters by "|"; cluster k gets the label "Ck".
func parts(s string) map[string]string {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m
	}
	for k, group := range strings.Split(s, "|") {
		for _, id := range strings.Fields(group) {
			m[id] = fmt.Sprintf("C%d", k)
		}
	}
	return m
}

// labels builds a clustering of ids "0", "1", … from a label list, the way
// scikit-learn takes labels_true and labels_pred.
func labels(ls ...int) map[string]string {
	m := make(map[string]string, len(ls))
	for i, l := range ls {
		m[fmt.Sprint(i)] = fmt.Sprint(l)
	}
	return m
}

const tol = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func checkPRF(t *testing.T, what string, got, want PRF) {
	t.Helper()
	if !near(got.Precision, want.Precision) || !near(got.Recall, want.Recall) || !near(got.F1, want.F1) {
		t.Errorf("%s: got P=%.15g R=%.15g F1=%.15g, want P=%.15g R=%.15g F1=%.15g",
			what, got.Precision, got.Recall, got.F1, want.Precision, want.Recall, want.F1)
	}
}

func TestCompareClusterings(t *testing.T) {
	perfect := PRF{1, 1, 1}
	tests := []struct {
		name        string
		truth, pred map[string]string
		want        ClusterScores
	}{
		{
			// truth {a b c}{d e}{f}; pred {a b}{c d e}{f}; n = 6, C(6,2) = 15.
			// Cells: T1∩P1 = 2, T1∩P2 = 1, T2∩P2 = 2, T3∩P3 = 1.
			// True pairs ab ac bc de = 4; predicted pairs ab cd ce de = 4;
			// agreeing ab de = 2 → pairwise P = R = F1 = 2/4.
			// B-cubed precision per item: a 1, b 1, c 1/3, d 2/3, e 2/3, f 1
			// → (14/3)/6 = 7/9; recall per item: a 2/3, b 2/3, c 1/3, d 1,
			// e 1, f 1 → 7/9.
			// ARI: tp 2, fp 2, fn 2, tn 9 → 2(18−4)/(4·11+4·11) = 28/88 = 7/22.
			// NMI: H(T) = H(P) = H(1/2,1/3,1/6) = 1.01140426470735;
			// H(T,P) = H(2,1,2,1 of 6); MI = ln 2 → NMI = ln2/1.0114… =
			// 0.685331478961587 (scikit-learn 1.2.1: 0.6853314789615867).
			name:  "small mixed",
			truth: parts("a b c|d e|f"), pred: parts("a b|c d e|f"),
			want: ClusterScores{
				Items: 6, TrueClusters: 3, PredictedClusters: 3,
				Pairs:    PairCounts{True: 4, Predicted: 4, Agreeing: 2, All: 15},
				Pairwise: PRF{0.5, 0.5, 0.5},
				BCubed:   PRF{7.0 / 9, 7.0 / 9, 7.0 / 9},
				ARI:      7.0 / 22, NMI: 0.6853314789615867,
			},
		},
		{
			// scikit-learn's documented example: ARI([0,0,1,1],[0,0,1,2]) = 0.57.
			// tp 1 (01), fp 0, fn 1 (23), tn 4 → 2(1·4−0)/(2·5+1·4) = 8/14 = 4/7.
			// Pairwise: P = 1/1, R = 1/2, F1 = 2/3.
			// B-cubed P: all pure → 1; R: 1, 1, 1/2, 1/2 → 3/4; F1 = 6/7.
			// NMI: H(T) = ln 2, H(P) = 1.5 ln 2, H(T,P) = 1.5 ln 2, MI = ln 2
			// → ln2 / (2.5 ln2 / 2) = 0.8.
			name:  "sklearn doc example",
			truth: labels(0, 0, 1, 1), pred: labels(0, 0, 1, 2),
			want: ClusterScores{
				Items: 4, TrueClusters: 2, PredictedClusters: 3,
				Pairs:    PairCounts{True: 2, Predicted: 1, Agreeing: 1, All: 6},
				Pairwise: PRF{1, 0.5, 2.0 / 3},
				BCubed:   PRF{1, 0.75, 6.0 / 7},
				ARI:      4.0 / 7, NMI: 0.8,
			},
		},
		{
			// Discordant: ARI([0,0,1,1],[0,1,0,1]) = −0.5 in scikit-learn.
			// tp 0, fp 2, fn 2, tn 2 → 2(0−4)/(2·4+2·4) = −0.5. MI = 0 → NMI 0.
			// B-cubed: every item's predicted cluster is half right → 1/2, 1/2.
			name:  "discordant",
			truth: labels(0, 0, 1, 1), pred: labels(0, 1, 0, 1),
			want: ClusterScores{
				Items: 4, TrueClusters: 2, PredictedClusters: 2,
				Pairs:    PairCounts{True: 2, Predicted: 2, Agreeing: 0, All: 6},
				Pairwise: PRF{0, 0, 0},
				BCubed:   PRF{0.5, 0.5, 0.5},
				ARI:      -0.5, NMI: 0,
			},
		},
		{
			// Identical up to renaming the labels: everything is 1.
			name:  "identical relabelled",
			truth: labels(0, 0, 1, 1, 1, 2), pred: labels(7, 7, 3, 3, 3, 9),
			want: ClusterScores{
				Items: 6, TrueClusters: 3, PredictedClusters: 3,
				Pairs:    PairCounts{True: 4, Predicted: 4, Agreeing: 4, All: 15},
				Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1,
			},
		},
		{
			// Both all singletons: no pairs anywhere, so pairwise is
			// vacuously 1/1/1; B-cubed 1; ARI 1 (no disagreeing pair); NMI:
			// H(T) = H(P) = H(T,P) = ln 4 → MI/mean = 1 (sklearn agrees).
			name:  "both all singletons",
			truth: parts("a|b|c|d"), pred: parts("a|b|c|d"),
			want: ClusterScores{
				Items: 4, TrueClusters: 4, PredictedClusters: 4,
				Pairs:    PairCounts{All: 6},
				Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1,
			},
		},
		{
			// Truth all singletons, prediction one cluster of 4: 6 predicted
			// pairs, none true → P 0, R vacuously 1, F1 0. B-cubed P: each
			// item's cluster of 4 holds 1 of its true cluster → 1/4; R 1;
			// F1 = 2·(1/4)/(5/4) = 0.4. ARI: tp 0, fp 6, fn 0, tn 0 →
			// 0/(0+36) = 0. NMI: H(P) = 0, MI = 0 → 0.
			name:  "singletons vs one cluster",
			truth: parts("a|b|c|d"), pred: parts("a b c d"),
			want: ClusterScores{
				Items: 4, TrueClusters: 4, PredictedClusters: 1,
				Pairs:    PairCounts{True: 0, Predicted: 6, Agreeing: 0, All: 6},
				Pairwise: PRF{0, 1, 0},
				BCubed:   PRF{0.25, 1, 0.4},
				ARI:      0, NMI: 0,
			},
		},
		{
			// The mirror image: one true cluster, all-singleton prediction.
			name:  "one cluster vs singletons",
			truth: parts("a b c d"), pred: parts("a|b|c|d"),
			want: ClusterScores{
				Items: 4, TrueClusters: 1, PredictedClusters: 4,
				Pairs:    PairCounts{True: 6, Predicted: 0, Agreeing: 0, All: 6},
				Pairwise: PRF{1, 0, 0},
				BCubed:   PRF{1, 0.25, 0.4},
				ARI:      0, NMI: 0,
			},
		},
		{
			// Both one big cluster: identical; ARI 1 because no pair
			// disagrees; NMI 1 by the one-cluster-each rule (0/0 otherwise).
			name:  "both one cluster",
			truth: parts("a b c d"), pred: parts("a b c d"),
			want: ClusterScores{
				Items: 4, TrueClusters: 1, PredictedClusters: 1,
				Pairs:    PairCounts{True: 6, Predicted: 6, Agreeing: 6, All: 6},
				Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1,
			},
		},
		{
			// Empty input: nothing to get wrong; scikit-learn gives ARI 1
			// and NMI 1 for empty label lists.
			name:  "empty",
			truth: parts(""), pred: parts(""),
			want: ClusterScores{Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1},
		},
		{
			// One element: no pairs; B-cubed 1 (the item with itself).
			name:  "one element",
			truth: parts("a"), pred: parts("a"),
			want: ClusterScores{
				Items: 1, TrueClusters: 1, PredictedClusters: 1,
				Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1,
			},
		},
		{
			// One element the prediction lacks: scored as a singleton,
			// which is what it is; counted as missing.
			name:  "one element missing",
			truth: parts("a"), pred: parts(""),
			want: ClusterScores{
				Items: 1, TrueClusters: 1, PredictedClusters: 1, MissingPredictions: 1,
				Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1,
			},
		},
		{
			// All predictions missing: truth {a b}{c} against singletons.
			// Pairs: 1 true, 0 predicted → P 1 (vacuous), R 0, F1 0.
			// B-cubed P 1; R (1/2 + 1/2 + 1)/3 = 2/3; F1 = 2·(2/3)/(5/3) = 0.8.
			// ARI: tp 0, fp 0, fn 1, tn 2 → 0/(1·3 + 0) = 0.
			// NMI: H(T) = H(2/3, 1/3) = 0.636514168294813, H(P) = ln 3,
			// H(T,P) = ln 3 → MI = H(T) → 2·H(T)/(H(T)+ln 3) =
			// 0.733680436651211 (sklearn, labels [0,0,1] vs [0,1,2]:
			// 0.7336804366512112).
			name:  "prediction empty",
			truth: parts("a b|c"), pred: parts(""),
			want: ClusterScores{
				Items: 3, TrueClusters: 2, PredictedClusters: 3, MissingPredictions: 3,
				Pairs:    PairCounts{True: 1, All: 3},
				Pairwise: PRF{1, 0, 0},
				BCubed:   PRF{1, 2.0 / 3, 0.8},
				ARI:      0, NMI: 0.7336804366512112,
			},
		},
		{
			// Ids only in the prediction are ignored and counted; here the
			// extra z would otherwise join a and b.
			name:  "extra predictions",
			truth: parts("a b|c"), pred: parts("a b z|c|y"),
			want: ClusterScores{
				Items: 3, TrueClusters: 2, PredictedClusters: 2, ExtraPredictions: 2,
				Pairs:    PairCounts{True: 1, Predicted: 1, Agreeing: 1, All: 3},
				Pairwise: perfect, BCubed: perfect, ARI: 1, NMI: 1,
			},
		},
		{
			// An empty label is a singleton, not a cluster named "": the two
			// unlabelled truth items are apart, so merging them is wrong.
			// True pairs 0, predicted 1 (a b) → P 0, R 1, F1 0.
			// B-cubed P: a 1/2, b 1/2, c 1 → 2/3; R 1; F1 = 0.8.
			// ARI: tp 0, fp 1, fn 0, tn 2 → 0. NMI: H(T) = ln 3, H(P) =
			// H(2/3,1/3), H(T,P) = ln 3 → MI = H(P) → same 0.7336804366512112.
			name:  "empty labels are singletons",
			truth: map[string]string{"a": "", "b": "", "c": "x"},
			pred:  map[string]string{"a": "p", "b": "p", "c": ""},
			want: ClusterScores{
				Items: 3, TrueClusters: 3, PredictedClusters: 2,
				Pairs:    PairCounts{True: 0, Predicted: 1, All: 3},
				Pairwise: PRF{0, 1, 0},
				BCubed:   PRF{2.0 / 3, 1, 0.8},
				ARI:      0, NMI: 0.7336804366512112,
			},
		},
		{
			// A 40-item case whose ARI and NMI come from scikit-learn 1.2.1
			// (random labels, seed 7): adjusted_rand_score and
			// normalized_mutual_info_score. Pair and B-cubed scores are
			// checked against brute force in TestAgainstBruteForce.
			name: "sklearn 40 items",
			truth: labels(2, 1, 3, 5, 0, 0, 4, 0, 2, 4, 0, 4, 1, 0, 0, 3, 3, 0, 1, 0, 4, 3, 0, 4, 0, 1, 5, 5, 4, 0,
				4, 4, 3, 0, 1, 0, 4, 1, 2, 3),
			pred: labels(2, 1, 3, 2, 0, 0, 4, 0, 0, 7, 6, 7, 1, 0, 0, 3, 3, 0, 1, 0, 4, 1, 0, 4, 2, 6, 5, 5, 4, 0,
				4, 1, 4, 0, 0, 4, 7, 1, 2, 0),
			want: ClusterScores{ARI: 0.38802958977807667, NMI: 0.5620315329196223},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareClusterings(tt.truth, tt.pred)
			if !near(got.ARI, tt.want.ARI) {
				t.Errorf("ARI: got %.17g, want %.17g", got.ARI, tt.want.ARI)
			}
			if !near(got.NMI, tt.want.NMI) {
				t.Errorf("NMI: got %.17g, want %.17g", got.NMI, tt.want.NMI)
			}
			if tt.want.Items == 0 && len(tt.truth) > 0 {
				return // only ARI and NMI given
			}
			if got.Items != tt.want.Items || got.TrueClusters != tt.want.TrueClusters ||
				got.PredictedClusters != tt.want.PredictedClusters ||
				got.MissingPredictions != tt.want.MissingPredictions || got.ExtraPredictions != tt.want.ExtraPredictions {
				t.Errorf("counts: got items %d true %d pred %d missing %d extra %d, want %d %d %d %d %d",
					got.Items, got.TrueClusters, got.PredictedClusters, got.MissingPredictions, got.ExtraPredictions,
					tt.want.Items, tt.want.TrueClusters, tt.want.PredictedClusters, tt.want.MissingPredictions, tt.want.ExtraPredictions)
			}
			if got.Pairs != tt.want.Pairs {
				t.Errorf("pairs: got %+v, want %+v", got.Pairs, tt.want.Pairs)
			}
			checkPRF(t, "pairwise", got.Pairwise, tt.want.Pairwise)
			checkPRF(t, "B-cubed", got.BCubed, tt.want.BCubed)
		})
	}
}

// ARI and NMI are symmetric; pairwise and B-cubed swap precision and recall.
func TestClusteringSymmetry(t *testing.T) {
	a, b := parts("a b c|d e|f g h i|j"), parts("a b|c d e|f g|h i j")
	ab, ba := CompareClusterings(a, b), CompareClusterings(b, a)
	if !near(ab.ARI, ba.ARI) || !near(ab.NMI, ba.NMI) {
		t.Errorf("ARI/NMI not symmetric: got %v %v and %v %v", ab.ARI, ab.NMI, ba.ARI, ba.NMI)
	}
	if !near(ab.Pairwise.Precision, ba.Pairwise.Recall) || !near(ab.BCubed.Precision, ba.BCubed.Recall) {
		t.Errorf("precision and recall do not swap: got %+v and %+v", ab, ba)
	}
}

// Scores must not depend on map iteration order: repeated runs over the
// same maps (which Go iterates in a different order each time) must agree
// to the last bit.
func TestClusteringDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	truth, pred := randomClusterings(rng, 3000, 200, 0.3)
	first := CompareClusterings(truth, pred)
	for i := range 5 {
		if got := CompareClusterings(truth, pred); got != first {
			t.Fatalf("run %d: got %+v, want %+v", i, got, first)
		}
	}
}

func randomClusterings(rng *rand.Rand, n, k int, noise float64) (truth, pred map[string]string) {
	truth = make(map[string]string, n)
	pred = make(map[string]string, n)
	for i := range n {
		id := fmt.Sprintf("d%d", i)
		l := rng.IntN(k)
		truth[id] = fmt.Sprint(l)
		switch r := rng.Float64(); {
		case r < noise/3: // missing from the prediction
		case r < 2*noise/3:
			pred[id] = "" // explicit singleton
		case r < noise:
			pred[id] = fmt.Sprint(rng.IntN(k))
		default:
			pred[id] = fmt.Sprint(l * 7 % (k + 3))
		}
		if rng.Float64() < 0.05 {
			truth[id] = "" // unlabelled in the truth: a singleton
		}
	}
	return truth, pred
}

// bruteForce computes every clustering score by its definition, over all
// item pairs, in O(n²).
func bruteForce(truth, pred map[string]string) ClusterScores {
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	same := func(m map[string]string, a, b string) bool {
		if a == b {
			return true
		}
		la, oka := m[a]
		lb, okb := m[b]
		return oka && okb && la != "" && la == lb
	}
	var s ClusterScores
	s.Items = len(ids)
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			st, sp := same(truth, ids[i], ids[j]), same(pred, ids[i], ids[j])
			s.Pairs.All++
			if st {
				s.Pairs.True++
			}
			if sp {
				s.Pairs.Predicted++
			}
			if st && sp {
				s.Pairs.Agreeing++
			}
		}
	}
	s.Pairwise = newPRF(s.Pairs.Agreeing, s.Pairs.Predicted, s.Pairs.True)
	var bp, br float64
	for _, a := range ids {
		var inPred, inTrue, inBoth float64
		for _, b := range ids {
			st, sp := same(truth, a, b), same(pred, a, b)
			if st {
				inTrue++
			}
			if sp {
				inPred++
			}
			if st && sp {
				inBoth++
			}
		}
		bp += inBoth / inPred
		br += inBoth / inTrue
	}
	n := float64(len(ids))
	if n == 0 {
		s.BCubed, s.ARI, s.NMI = PRF{1, 1, 1}, 1, 1
		return s
	}
	s.BCubed = PRF{bp / n, br / n, harmonic(bp/n, br/n)}
	// Hubert–Arabie ARI from the pair counts; 1 when no pair disagrees.
	idx, a, b, all := float64(s.Pairs.Agreeing), float64(s.Pairs.True), float64(s.Pairs.Predicted), float64(s.Pairs.All)
	if s.Pairs.True == s.Pairs.Agreeing && s.Pairs.Predicted == s.Pairs.Agreeing {
		s.ARI = 1
	} else {
		expected := a * b / all
		s.ARI = (idx - expected) / ((a+b)/2 - expected)
	}
	// NMI from the joint distribution, MI summed cell by cell.
	key := func(m map[string]string, id string) string {
		if l, ok := m[id]; ok && l != "" {
			return "L" + l
		}
		return "S" + id
	}
	joint, rows, cols := map[[2]string]float64{}, map[string]float64{}, map[string]float64{}
	for _, id := range ids {
		r, c := key(truth, id), key(pred, id)
		joint[[2]string{r, c}]++
		rows[r]++
		cols[c]++
	}
	var mi, ht, hp float64
	for rc, nij := range joint {
		mi += nij / n * math.Log(n*nij/(rows[rc[0]]*cols[rc[1]]))
	}
	for _, x := range rows {
		ht -= x / n * math.Log(x/n)
	}
	for _, x := range cols {
		hp -= x / n * math.Log(x/n)
	}
	switch {
	case len(rows) == 1 && len(cols) == 1:
		s.NMI = 1
	case math.Abs(mi) < 1e-15:
		s.NMI = 0
	default:
		s.NMI = mi / ((ht + hp) / 2)
	}
	return s
}

func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 60 {
		n := 1 + rng.IntN(80)
		k := 1 + rng.IntN(12)
		truth, pred := randomClusterings(rng, n, k, rng.Float64())
		t.Run(fmt.Sprintf("n%d_k%d_%d", n, k, trial), func(t *testing.T) {
			got, want := CompareClusterings(truth, pred), bruteForce(truth, pred)
			if got.Pairs != want.Pairs {
				t.Errorf("pairs: got %+v, want %+v", got.Pairs, want.Pairs)
			}
			checkPRF(t, "pairwise", got.Pairwise, want.Pairwise)
			checkPRF(t, "B-cubed", got.BCubed, want.BCubed)
			if math.Abs(got.ARI-want.ARI) > 1e-9 {
				t.Errorf("ARI: got %.15g, want %.15g", got.ARI, want.ARI)
			}
			if math.Abs(got.NMI-want.NMI) > 1e-9 {
				t.Errorf("NMI: got %.15g, want %.15g", got.NMI, want.NMI)
			}
		})
	}
}

func FuzzCompareClusterings(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1}, []byte{0, 1, 0, 1})
	f.Add([]byte{}, []byte{})
	f.Add([]byte{5}, []byte{})
	f.Add([]byte{1, 1, 1, 1}, []byte{0, 2, 4, 6, 8})
	f.Fuzz(func(t *testing.T, tl, pl []byte) {
		if len(tl) > 64 {
			tl = tl[:64]
		}
		// Byte 0 means "no label" (a singleton); in the prediction an id
		// past the end of pl is missing.
		truth, pred := map[string]string{}, map[string]string{}
		for i, b := range tl {
			truth[fmt.Sprint(i)] = labelOf(b)
		}
		for i, b := range pl {
			if i < 96 {
				pred[fmt.Sprint(i)] = labelOf(b)
			}
		}
		got, want := CompareClusterings(truth, pred), bruteForce(truth, pred)
		for _, v := range []float64{got.Pairwise.Precision, got.Pairwise.Recall, got.Pairwise.F1,
			got.BCubed.Precision, got.BCubed.Recall, got.BCubed.F1, got.NMI} {
			if math.IsNaN(v) || v < 0 || v > 1+tol {
				t.Fatalf("score %v out of [0,1]: %+v", v, got)
			}
		}
		if math.IsNaN(got.ARI) || got.ARI < -1 || got.ARI > 1+tol {
			t.Fatalf("ARI %v out of [-1,1]", got.ARI)
		}
		if got.Pairs != want.Pairs || math.Abs(got.ARI-want.ARI) > 1e-9 || math.Abs(got.NMI-want.NMI) > 1e-9 ||
			math.Abs(got.BCubed.F1-want.BCubed.F1) > 1e-9 {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		self := CompareClusterings(truth, truth)
		if self.ARI != 1 || self.NMI != 1 || self.Pairwise.F1 != 1 || self.BCubed.F1 != 1 {
			t.Fatalf("truth against itself: got %+v, want all 1", self)
		}
	})
}

func labelOf(b byte) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprint(b % 8)
}

func TestCompareEdges(t *testing.T) {
	truth := []Edge{
		{Copy: "b", Source: "a", Kind: wiretrace.Copy, Coverage: 0.9},
		{Copy: "c", Source: "a", Kind: wiretrace.Rewrite, Coverage: 0.7},
		{Copy: "d", Source: "a", Kind: wiretrace.Partial, Coverage: 0.2},
		{Copy: "e", Source: "f", Kind: wiretrace.Duplicate, Coverage: 1},
	}
	pred := []Edge{
		{Copy: "b", Source: "a", Kind: wiretrace.Copy, Coverage: 0.8},     // found, exact, same direction, |0.8−0.9| = 0.1
		{Copy: "a", Source: "c", Kind: wiretrace.Copy, Coverage: 0.6},     // found reversed, wrong label, no coverage check
		{Copy: "g", Source: "a", Kind: wiretrace.Partial, Coverage: 0.3},  // false pair
		{Copy: "e", Source: "f", Kind: wiretrace.Duplicate, Coverage: -1}, // found, exact, coverage unknown
		{Copy: "a", Source: "b", Kind: wiretrace.Partial},                 // pair again, weaker label: dropped
		{Copy: "x", Source: "x", Kind: wiretrace.Copy},                    // self edge: invalid
	}
	got := CompareEdges(truth, pred)
	// Distinct pairs: 4 true, 4 predicted, 3 matched (ab, ac, ef).
	// Pair found: P = R = 3/4. Label exact (ab copy, ef duplicate): 2/4.
	if got.True != 4 || got.Predicted != 4 || got.Matched != 3 || got.SameDirection != 2 ||
		got.CoveragePairs != 1 || got.DuplicatePredicted != 1 || got.InvalidPredicted != 1 ||
		got.DuplicateTrue != 0 || got.InvalidTrue != 0 {
		t.Errorf("counts: got %+v", got)
	}
	checkPRF(t, "pair found", got.PairFound, PRF{0.75, 0.75, 0.75})
	checkPRF(t, "label exact", got.LabelExact, PRF{0.5, 0.5, 0.5})
	if !near(got.CoverageMAE, 0.1) {
		t.Errorf("coverage MAE: got %v, want 0.1", got.CoverageMAE)
	}
	want := []KindScores{
		// duplicate: ef true and predicted as duplicate.
		{Kind: wiretrace.Duplicate, True: 1, Predicted: 1, PairFound: PRF{1, 1, 1}, LabelExact: PRF{1, 1, 1}},
		// copy: true ab; predicted ab and ac, both true pairs → pair-found
		// P 2/2, R 1/1; exact: ab only → P 1/2, R 1/1, F1 2/3.
		{Kind: wiretrace.Copy, True: 1, Predicted: 2, PairFound: PRF{1, 1, 1}, LabelExact: PRF{0.5, 1, 2.0 / 3}},
		// rewrite: true ac, found (as copy) → pair-found R 1, P vacuous 1;
		// exact: none of 1 → R 0, P vacuous 1, F1 0.
		{Kind: wiretrace.Rewrite, True: 1, Predicted: 0, PairFound: PRF{1, 1, 1}, LabelExact: PRF{1, 0, 0}},
		// partial: true ad missed; predicted ag wrong → all 0.
		{Kind: wiretrace.Partial, True: 1, Predicted: 1, PairFound: PRF{0, 0, 0}, LabelExact: PRF{0, 0, 0}},
	}
	if len(got.ByKind) != len(want) {
		t.Fatalf("by kind: got %d rows %+v, want %d", len(got.ByKind), got.ByKind, len(want))
	}
	for i, w := range want {
		g := got.ByKind[i]
		if g.Kind != w.Kind || g.True != w.True || g.Predicted != w.Predicted {
			t.Errorf("row %d: got %s true %d pred %d, want %s %d %d", i, g.Kind, g.True, g.Predicted, w.Kind, w.True, w.Predicted)
		}
		checkPRF(t, string(w.Kind)+" pair found", g.PairFound, w.PairFound)
		checkPRF(t, string(w.Kind)+" label exact", g.LabelExact, w.LabelExact)
	}
}

func TestCompareEdgesDegenerate(t *testing.T) {
	ab := Edge{Copy: "b", Source: "a", Kind: wiretrace.Copy, Coverage: 0.5}
	tests := []struct {
		name        string
		truth, pred []Edge
		found       PRF
		exact       PRF
		matched     int
	}{
		// No edges at all: nothing missed, nothing wrong.
		{"empty", nil, nil, PRF{1, 1, 1}, PRF{1, 1, 1}, 0},
		// Nothing predicted: precision vacuous 1, recall 0.
		{"nothing predicted", []Edge{ab}, nil, PRF{1, 0, 0}, PRF{1, 0, 0}, 0},
		// Nothing true: precision 0, recall vacuous 1.
		{"nothing true", nil, []Edge{ab}, PRF{0, 1, 0}, PRF{0, 1, 0}, 0},
		// A stronger duplicate of a predicted pair replaces the weaker one.
		{"stronger label kept", []Edge{ab}, []Edge{{Copy: "a", Source: "b", Kind: wiretrace.Partial}, {Copy: "a", Source: "b", Kind: wiretrace.Copy}},
			PRF{1, 1, 1}, PRF{1, 1, 1}, 1},
		// Edges without ids are invalid and left out.
		{"invalid only", []Edge{{Copy: "", Source: "a"}}, []Edge{{Copy: "a", Source: ""}}, PRF{1, 1, 1}, PRF{1, 1, 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareEdges(tt.truth, tt.pred)
			checkPRF(t, "pair found", got.PairFound, tt.found)
			checkPRF(t, "label exact", got.LabelExact, tt.exact)
			if got.Matched != tt.matched {
				t.Errorf("matched: got %d, want %d", got.Matched, tt.matched)
			}
		})
	}
}

// A truth without kinds (NEWS-COPY pairs) gets an "" row, sorted last.
func TestCompareEdgesUnlabelledTruth(t *testing.T) {
	truth := []Edge{{Copy: "a", Source: "b", Coverage: -1}, {Copy: "c", Source: "d", Coverage: -1}}
	pred := []Edge{{Copy: "b", Source: "a", Kind: wiretrace.Duplicate, Coverage: 1}}
	got := CompareEdges(truth, pred)
	// 1 of 2 true pairs found, the one prediction is right: P 1, R 1/2.
	checkPRF(t, "pair found", got.PairFound, PRF{1, 0.5, 2.0 / 3})
	if len(got.ByKind) != 2 || got.ByKind[0].Kind != wiretrace.Duplicate || got.ByKind[1].Kind != "" {
		t.Fatalf("by kind: got %+v, want duplicate then \"\"", got.ByKind)
	}
	checkPRF(t, "unlabelled pair found", got.ByKind[1].PairFound, PRF{1, 0.5, 2.0 / 3})
	if got.CoveragePairs != 0 || got.CoverageMAE != 0 {
		t.Errorf("coverage: got %d pairs MAE %v, want none", got.CoveragePairs, got.CoverageMAE)
	}
}

func TestCompareSimilarity(t *testing.T) {
	js := []SimilarityJudgement{
		{PairID: "1", Overall: 1.0, Similarity: 0.9, Same: true},  // positive, TP
		{PairID: "2", Overall: 1.5, Similarity: 0.6, Same: false}, // positive (≤ 1.5), FN
		{PairID: "3", Overall: 2.5, Similarity: 0.5, Same: true},  // ignored for P/R, kept for r
		{PairID: "4", Overall: 3.5, Similarity: 0.2, Same: true},  // negative (≥ 3.5), FP
		{PairID: "5", Overall: 4.0, Similarity: 0.1, Same: false}, // negative, TN
		{PairID: "6", Overall: math.NaN(), Similarity: 0.5},       // invalid gold
		{PairID: "7", Overall: 5, Similarity: 0.5},                // invalid gold
	}
	got := CompareSimilarity(js)
	if got.Pairs != 5 || got.Invalid != 2 || got.Positives != 2 || got.Negatives != 2 || got.Ignored != 1 ||
		got.TP != 1 || got.FN != 1 || got.FP != 1 || got.TN != 1 {
		t.Errorf("counts: got %+v", got)
	}
	// P = 1/(1+1), R = 1/(1+1).
	checkPRF(t, "same story", got.SameStory, PRF{0.5, 0.5, 0.5})
	// x = .9 .6 .5 .2 .1 (mean .46), y = 1 1.5 2.5 3.5 4 (mean 2.5);
	// Σdxdy = −1.6, Σdx² = 0.412, Σdy² = 6.5 → r = −1.6/√2.678 = −0.97772044400068.
	if !got.PearsonDefined || got.PearsonPairs != 5 || !near(got.Pearson, -0.9777204440006756) {
		t.Errorf("pearson: got %.15g defined %v over %d, want -0.977720444000676 over 5", got.Pearson, got.PearsonDefined, got.PearsonPairs)
	}
}

func TestCompareSimilarityDegenerate(t *testing.T) {
	tests := []struct {
		name    string
		js      []SimilarityJudgement
		same    PRF
		defined bool
		r       float64
	}{
		{"empty", nil, PRF{1, 1, 1}, false, 0},
		{"one pair", []SimilarityJudgement{{Overall: 1, Similarity: 1, Same: true}}, PRF{1, 1, 1}, false, 0},
		{"constant similarity", []SimilarityJudgement{{Overall: 1, Similarity: 0.5}, {Overall: 4, Similarity: 0.5}}, PRF{1, 0, 0}, false, 0},
		{"perfectly inverse", []SimilarityJudgement{{Overall: 1, Similarity: 1, Same: true}, {Overall: 4, Similarity: 0}}, PRF{1, 1, 1}, true, -1},
		{"NaN similarity left out of r", []SimilarityJudgement{{Overall: 1, Similarity: 1}, {Overall: 4, Similarity: math.NaN()}}, PRF{1, 0, 0}, false, 0},
		{"only ignored pairs", []SimilarityJudgement{{Overall: 2, Similarity: 0.1, Same: true}, {Overall: 3, Similarity: 0.9}}, PRF{1, 1, 1}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareSimilarity(tt.js)
			checkPRF(t, "same story", got.SameStory, tt.same)
			if got.PearsonDefined != tt.defined || !near(got.Pearson, tt.r) {
				t.Errorf("pearson: got %v defined %v, want %v defined %v", got.Pearson, got.PearsonDefined, tt.r, tt.defined)
			}
		})
	}
}
