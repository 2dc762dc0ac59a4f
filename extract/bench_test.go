package extract

import (
	"bytes"
	"testing"
)

// BenchmarkHTML extracts every fixture page once per iteration and reports
// pages per second and input MB per second.
func BenchmarkHTML(b *testing.B) {
	fixtures := loadFixtures(b)
	total := 0
	for _, f := range fixtures {
		total += len(f.html)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range fixtures {
			if _, err := HTML(bytes.NewReader(f.html), f.exp.URL, Options{Charset: f.exp.HTTPCharset}); err != nil {
				b.Fatalf("%s: %v", f.name, err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(fixtures))/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkCredits measures Credits on the seed texts.
func BenchmarkCredits(b *testing.B) {
	fixtures := loadFixtures(b)
	var texts []string
	total := 0
	for _, f := range fixtures {
		texts = append(texts, f.gold)
		total += len(f.gold)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			Credits(s)
			Dates(s)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "docs/s")
}
