package engine

import (
	"sync"

	"github.com/wiretrace/wiretrace/lsh"
)

// docParamsCache memoises lsh.Params, which integrates numerically (about
// 10 ms a call): Options.withDefaults runs on every Compare and NewPreparer,
// and a server compares on request.
var docParamsCache sync.Map // docParamsKey → [2]int

type docParamsKey struct {
	threshold float64
	size      int
}

// docParams returns lsh.Params(threshold, size), computed once per pair.
func docParams(threshold float64, size int) (bands, rows int) {
	k := docParamsKey{threshold, size}
	if v, ok := docParamsCache.Load(k); ok {
		p := v.([2]int)
		return p[0], p[1]
	}
	bands, rows = lsh.Params(threshold, size)
	docParamsCache.Store(k, [2]int{bands, rows})
	return bands, rows
}
