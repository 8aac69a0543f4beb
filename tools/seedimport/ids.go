package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// idRe is the shape of a minor id: snake_case, starting with a letter, so
// that the generator can turn it into a Go identifier suffix.
var idRe = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// words splits text into words at spaces, punctuation and camelCase
// boundaries: "Invalid forwardFrom.roomId" -> Invalid forward From room Id,
// "HTTPServer" -> HTTP Server. Digits stay with the word before them.
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	for i, r := range rs {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if len(cur) > 0 {
				out, cur = append(out, string(cur)), nil
			}
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				out, cur = append(out, string(cur)), nil
			}
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// defaultID derives a minor id from the row's detail: "Invalid countryCode"
// -> invalid_country_code. A detail of "*" (or one without letters) gives
// minor_N.
func defaultID(detail string, code int) string {
	id := strings.ToLower(strings.Join(words(detail), "_"))
	if detail == "*" || id == "" {
		return "minor_" + strconv.Itoa(code)
	}
	if !unicode.IsLetter(rune(id[0])) {
		id = "minor_" + id
	}
	return id
}

// assignIDs gives every minor of an error an id: the curated one where the
// catalogue being merged has one for this minor code, otherwise the default
// from the detail, with "_N" (N the minor code) appended when another minor
// of the same error already uses it.
func assignIDs(e *Error, curated map[int]string) error {
	used := map[string]int{}
	for i := range e.Minors {
		m := &e.Minors[i]
		id, ok := curated[m.Code]
		if !ok {
			continue
		}
		if !idRe.MatchString(id) {
			return fmt.Errorf("error %d minor %d: curated id %q is not snake_case", e.Code, m.Code, id)
		}
		if other, dup := used[id]; dup {
			return fmt.Errorf("error %d: curated id %q is used by minors %d and %d", e.Code, id, other, m.Code)
		}
		used[id] = m.Code
		m.ID = id
	}
	for i := range e.Minors {
		m := &e.Minors[i]
		if m.ID != "" {
			continue
		}
		base := defaultID(m.Detail, m.Code)
		id := base
		for k := 1; ; k++ {
			if _, taken := used[id]; !taken {
				break
			}
			id = base + "_" + strconv.Itoa(m.Code)
			if k > 1 {
				id += "_" + strconv.Itoa(k)
			}
		}
		used[id] = m.Code
		m.ID = id
	}
	return nil
}
