package mix

import "testing"

// TestFmix64 pins the values: LSH band keys and word hashes are stored.
func TestFmix64(t *testing.T) {
	for _, tc := range []struct{ in, want uint64 }{
		{0, 0},
		{1, 0xb456bcfc34c2cb2c},
		{^uint64(0), 0x64b5720b4b825f21},
	} {
		if got := Fmix64(tc.in); got != tc.want {
			t.Errorf("Fmix64(%#x) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
	// A bijection: distinct inputs, distinct outputs (spot check).
	seen := map[uint64]bool{}
	for i := range uint64(1 << 16) {
		v := Fmix64(i)
		if seen[v] {
			t.Fatalf("collision at %d", i)
		}
		seen[v] = true
	}
}
