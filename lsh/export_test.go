package lsh

import "fmt"

// SetChunkShift sets the chunk size of indexes made by New from now on to
// 1<<s slots and returns a function that restores it.
func SetChunkShift(s uint) (restore func()) {
	old := chunkShift
	chunkShift = s
	return func() { chunkShift = old }
}

// Check verifies the slab's bookkeeping: every slot below the bump pointer
// belongs to exactly one bucket's region or one free region, each region
// lies inside one chunk, bucket lengths fit their capacity, overflow
// buckets match the overflow map, and the entry count adds up.
func (ix *Index) Check() error {
	owner := make([]int8, ix.next) // 0 unowned, 1 bucket, 2 free
	chunk := uint64(1) << ix.shift
	claim := func(start uint32, class uint, who int8) error {
		s, size := uint64(start), uint64(1)<<class
		if class > ix.shift || s+size > ix.next || s&(chunk-1)+size > chunk {
			return fmt.Errorf("region %d of class %d out of bounds (next %d, chunk %d)", s, class, ix.next, chunk)
		}
		for i := s; i < s+size; i++ {
			if owner[i] != 0 {
				return fmt.Errorf("slot %d claimed twice (by %d and %d)", i, owner[i], who)
			}
			owner[i] = who
		}
		return nil
	}
	entries, nOver := 0, 0
	for k, b := range ix.buckets {
		c := b.class()
		if c == overClass {
			nOver++
			vals, ok := ix.over[k]
			if !ok || len(vals) == 0 {
				return fmt.Errorf("overflow bucket %#x: got %d values (present %v), want some", k, len(vals), ok)
			}
			entries += len(vals)
			continue
		}
		if n := b.len(); n == 0 || n > 1<<c {
			return fmt.Errorf("bucket %#x: length %d in class %d", k, n, c)
		}
		entries += b.len()
		if err := claim(b.start, c, 1); err != nil {
			return err
		}
	}
	if nOver != len(ix.over) {
		return fmt.Errorf("overflow map holds %d buckets, index marks %d", len(ix.over), nOver)
	}
	for c, f := range ix.free {
		for _, s := range f {
			if err := claim(s, uint(c), 2); err != nil {
				return err
			}
		}
	}
	for i, o := range owner {
		if o == 0 {
			return fmt.Errorf("slot %d below next %d is neither used nor free", i, ix.next)
		}
	}
	if uint64(len(ix.chunks))<<ix.shift < ix.next {
		return fmt.Errorf("%d chunks for next %d", len(ix.chunks), ix.next)
	}
	if entries != ix.entries {
		return fmt.Errorf("buckets hold %d entries, count says %d", entries, ix.entries)
	}
	return nil
}
