package dedup

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// idsPass finds articles whose id repeats a earlier one. The engine lets a
// later article with the same id replace the earlier one; the batch passes
// reproduce that from these deaths (see pairs.go). It merges the segments'
// id-hash runs and compares the ids of equal hashes.
func (r *runner) idsPass(ctx context.Context) error {
	mg, err := r.openRuns(sufID, kindID, 0, math.MaxUint64, 64<<10)
	if err != nil {
		return err
	}
	defer mg.close()
	var deaths [][2]uint32
	var same []uint32
	flush := func() error {
		if len(same) < 2 {
			return nil
		}
		// Equal hashes: group the handles by their actual id.
		type hid struct {
			id string
			h  uint32
		}
		hs := make([]hid, len(same))
		for i, h := range same {
			id, err := r.c.id(h)
			if err != nil {
				return err
			}
			hs[i] = hid{id, h}
		}
		slices.SortStableFunc(hs, func(a, b hid) int { return cmp.Compare(a.id, b.id) })
		for i := 1; i < len(hs); i++ {
			if hs[i].id == hs[i-1].id {
				deaths = append(deaths, [2]uint32{hs[i-1].h, hs[i].h})
			}
		}
		return nil
	}
	var last uint64
	n := 0
	for {
		t, _, ok := mg.next()
		if !ok {
			break
		}
		if len(same) > 0 && t.key != last {
			if err := flush(); err != nil {
				return err
			}
			same = same[:0]
		}
		last = t.key
		same = append(same, t.h)
		if n++; n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := mg.err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	slices.SortFunc(deaths, func(a, b [2]uint32) int { return cmp.Compare(a[0], b[0]) })
	r.man.Deaths = deaths
	r.man.IDsDone = true
	r.c.death = make(map[uint32]uint32, len(deaths))
	for _, d := range deaths {
		r.c.death[d[0]] = d[1]
	}
	r.progress(Progress{Pass: PassIDs, Done: 1, Total: 1, Unit: "steps"})
	return r.man.save(r.work)
}
