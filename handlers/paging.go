package handlers

// pageLimit is a client's limit with 0 meaning def and anything above most
// capped at most; the spec states both per action (validate.*Page,
// validate.*MaxPage).
func pageLimit(limit uint32, def, most int) int {
	switch {
	case limit == 0:
		return def
	case limit > uint32(most):
		return most
	}
	return int(limit)
}
