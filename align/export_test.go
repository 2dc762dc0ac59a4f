package align

// SetIndexPairs turns Pair's term index on or off (off: every pair of
// sentences is merged), for comparing the two.
func SetIndexPairs(on bool) { indexPairs = on }
