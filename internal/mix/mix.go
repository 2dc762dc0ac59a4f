// Package mix holds the 64-bit finaliser the sketches and indexes share.
package mix

// Fmix64 is MurmurHash3's 64-bit finaliser: a bijection that spreads every
// input bit over the whole output, for hash states whose high bits are
// weak (FNV, products, concatenations).
func Fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
