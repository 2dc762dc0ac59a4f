package textnorm_test

import (
	"testing"

	"github.com/wiretrace/wiretrace/textnorm"
)

// BenchmarkAnalyze analyses a real article (seed 002, page chrome included).
func BenchmarkAnalyze(b *testing.B) {
	text := readSeed(b, "002")
	an := textnorm.NewAnalyzer()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		an.Analyze(text, nil)
	}
}

// BenchmarkWordHasher hashes the words of the same article (the
// near-duplicate level's tokenizer).
func BenchmarkWordHasher(b *testing.B) {
	text := readSeed(b, "002")
	wh := textnorm.NewWordHasher()
	var dst []uint64
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dst = wh.Append(dst[:0], text)
	}
}
