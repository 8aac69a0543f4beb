package main

import (
	"fmt"
	"strings"
)

// diffOp is one line of an edit script: ' ' kept, '-' only in the old text,
// '+' only in the new one. oldLine is the 1-based line in the old text where
// the op applies.
type diffOp struct {
	kind    byte
	text    string
	oldLine int
}

// lineDiff describes how want differs from have as unified-style hunks with
// two lines of context, at most limit lines of output. It is meant for
// -check, where the difference is usually a few lines.
func lineDiff(have, want string, limit int) string {
	ops := editScript(strings.Split(have, "\n"), strings.Split(want, "\n"))
	const ctx = 2
	show := make([]bool, len(ops))
	for i, op := range ops {
		if op.kind == ' ' {
			continue
		}
		for j := max(0, i-ctx); j <= min(len(ops)-1, i+ctx); j++ {
			show[j] = true
		}
	}
	var out []string
	for i, op := range ops {
		if !show[i] {
			continue
		}
		if i == 0 || !show[i-1] {
			out = append(out, fmt.Sprintf("@@ line %d @@", op.oldLine))
		}
		out = append(out, string(op.kind)+op.text)
	}
	if len(out) > limit {
		out = append(out[:limit], fmt.Sprintf("... (%d more lines)", len(out)-limit))
	}
	return strings.Join(out, "\n") + "\n"
}

// editScript diffs two line lists: the common head and tail are kept, the
// middle is aligned by a longest common subsequence. A middle too large for
// that (not expected here) is reported as replaced as a whole.
func editScript(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i + 1})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > 4_000_000 {
		for i, l := range ma {
			ops = append(ops, diffOp{'-', l, pre + i + 1})
		}
		for _, l := range mb {
			ops = append(ops, diffOp{'+', l, pre + len(ma) + 1})
		}
	} else {
		// lcs[i][j] is the length of the LCS of ma[i:] and mb[j:].
		lcs := make([][]int32, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			line := pre + i + 1
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				ops = append(ops, diffOp{' ', ma[i], line})
				i, j = i+1, j+1
			case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, diffOp{'-', ma[i], line})
				i++
			default:
				ops = append(ops, diffOp{'+', mb[j], line})
				j++
			}
		}
	}
	for i := len(a) - suf; i < len(a); i++ {
		ops = append(ops, diffOp{' ', a[i], i + 1})
	}
	return ops
}
