package eval

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchClusterings makes n items in clusters of about 5 (news stories are
// small and many), with a prediction that keeps 80% of the items in place,
// moves 10% to a random cluster, leaves 5% unlabelled and 5% missing.
func benchClusterings(n int) (truth, pred map[string]string, size int64) {
	rng := rand.New(rand.NewPCG(42, 42))
	k := n / 5
	truth = make(map[string]string, n)
	pred = make(map[string]string, n)
	for i := range n {
		id := "article-" + strconv.Itoa(i)
		l := strconv.Itoa(rng.IntN(k))
		truth[id] = "story-" + l
		size += int64(len(id) + len("story-") + len(l))
		switch r := rng.Float64(); {
		case r < 0.05: // missing
		case r < 0.10:
			pred[id] = ""
		case r < 0.20:
			pred[id] = "p" + strconv.Itoa(rng.IntN(k))
		default:
			pred[id] = "p" + l
		}
	}
	return truth, pred, size
}

func BenchmarkCompareClusterings(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		truth, pred, size := benchClusterings(n)
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var s ClusterScores
			for b.Loop() {
				s = CompareClusterings(truth, pred)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(s.BCubed.F1, "bcubed-F1")
		})
	}
}

// BenchmarkMetrics times each score on a prebuilt contingency table of
// 1,000,000 items, and the table itself, which dominates.
func BenchmarkMetrics(b *testing.B) {
	const n = 1_000_000
	truth, pred, size := benchClusterings(n)
	c := NewContingency(truth, pred)
	perItems := func(b *testing.B) {
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	}
	b.Run("contingency", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			NewContingency(truth, pred)
		}
		perItems(b)
	})
	b.Run("pairwise", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Pairwise()
		}
		perItems(b)
	})
	b.Run("bcubed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.BCubed()
		}
		perItems(b)
	})
	b.Run("ari", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.ARI()
		}
		perItems(b)
	})
	b.Run("nmi", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.NMI()
		}
		perItems(b)
	})
}
