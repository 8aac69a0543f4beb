package main

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	// "### :triangular_flag_on_post: :one: Error 136 - USER_REGISTER_MAX_TRY_LOCK";
	// the flag marks errors that carry the wait parameter.
	errorHeadingRe = regexp.MustCompile(`^###\s+(:triangular_flag_on_post:\s*:one:\s*)?Error\s+(\d+)\s*-\s*(.*)$`)
	// "# User Errors(1xx)", "# System Errors (xx)".
	groupHeadingRe = regexp.MustCompile(`^#\s+(\w+)\s+Errors\b`)
	// A request link at the end of a description: "[#100](../proto/README.md#action_100)".
	trailingLinkRe = regexp.MustCompile(`\s*\[#(\d*)\]\(([^)]*)\)\s*$`)
	// Any "[#N](...)" link; rendered as plain "#N".
	linkRe   = regexp.MustCompile(`\[#(\d*)\]\([^)]*\)`)
	targetRe = regexp.MustCompile(`action_(\d*)$`)
	boldRe   = regexp.MustCompile(`\*\*(.*?)\*\*`)
	nameRe   = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
)

// parseSeed reads the seed catalogue: every "### Error N - NAME" section with
// its description line and minor-code table, grouped by the "# X Errors"
// headings. It is strict: text it does not understand inside an error
// section is an error, so a changed seed is noticed rather than half-read.
func parseSeed(src []byte) ([]*seedError, error) {
	p := &seedParser{seen: map[int]int{}}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		p.line++
		if err := p.feed(strings.TrimRight(sc.Text(), " \t\r")); err != nil {
			return nil, fmt.Errorf("seed line %d: %w", p.line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := p.flush(); err != nil {
		return nil, err
	}
	if len(p.list) == 0 {
		return nil, fmt.Errorf("seed: no \"### Error N - NAME\" headings found")
	}
	return p.list, nil
}

type seedParser struct {
	line  int
	group string
	cur   *seedError
	rows  int  // table lines read for cur (header and separator included)
	ended bool // cur's table has ended
	list  []*seedError
	seen  map[int]int // code -> heading line
}

func (p *seedParser) feed(line string) error {
	switch {
	case strings.HasPrefix(line, "###"):
		if err := p.flush(); err != nil {
			return err
		}
		return p.startError(line)
	case strings.HasPrefix(line, "#"):
		if err := p.flush(); err != nil {
			return err
		}
		if strings.HasPrefix(line, "# ") {
			p.group = ""
			if m := groupHeadingRe.FindStringSubmatch(line); m != nil {
				p.group = strings.ToLower(m[1])
				if !isGroup(p.group) {
					return fmt.Errorf("unknown group heading %q", line)
				}
			}
		}
		return nil
	case p.cur == nil:
		return nil // preamble: symbols, error types
	case strings.HasPrefix(line, "|"):
		return p.tableRow(line)
	case strings.TrimSpace(line) == "":
		if p.rows > 0 {
			p.ended = true
		}
		return nil
	case p.cur.Description == "" && p.rows == 0:
		p.cur.Description = strings.TrimSpace(line)
		return nil
	default:
		return fmt.Errorf("unexpected text in error %d: %q", p.cur.Code, line)
	}
}

func (p *seedParser) startError(line string) error {
	m := errorHeadingRe.FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("heading is not \"### Error N - NAME\": %q", line)
	}
	code, _ := strconv.Atoi(m[2])
	if prev, dup := p.seen[code]; dup {
		return fmt.Errorf("error %d already defined on line %d", code, prev)
	}
	if p.group == "" {
		return fmt.Errorf("error %d is not under a \"# X Errors\" heading", code)
	}
	p.seen[code] = p.line
	raw := strings.TrimSpace(m[3])
	name := strings.TrimRight(raw, ". ")
	if !nameRe.MatchString(name) {
		return fmt.Errorf("error %d: name %q is not SCREAMING_SNAKE", code, raw)
	}
	e := &seedError{Line: p.line, RawName: raw}
	e.Code, e.Name, e.Group, e.Wait = code, name, p.group, m[1] != ""
	p.cur, p.rows, p.ended = e, 0, false
	return nil
}

func (p *seedParser) tableRow(line string) error {
	e := p.cur
	if e.Description == "" {
		return fmt.Errorf("error %d: table before the description", e.Code)
	}
	if p.ended {
		return fmt.Errorf("error %d: a second table", e.Code)
	}
	p.rows++
	cells := splitRow(line)
	if len(cells) != 3 {
		return fmt.Errorf("error %d: table row has %d cells, want 3: %q", e.Code, len(cells), line)
	}
	switch p.rows {
	case 1:
		if !strings.EqualFold(cells[0], "Minor Code") {
			return fmt.Errorf("error %d: table header is not \"| Minor Code | Detail | Reaction |\"", e.Code)
		}
		return nil
	case 2:
		if strings.Trim(cells[0], "-:") != "" {
			return fmt.Errorf("error %d: table has no separator row", e.Code)
		}
		return nil
	}
	code, detail, reaction := cells[0], cells[1], cells[2]
	if code == "*" {
		if e.Star != nil {
			return fmt.Errorf("error %d: two \"*\" rows", e.Code)
		}
		e.Star = &Row{Detail: detail, Reaction: reaction}
		return nil
	}
	n, err := strconv.Atoi(code)
	if err != nil || n <= 0 {
		return fmt.Errorf("error %d: minor code %q is neither \"*\" nor a positive number", e.Code, code)
	}
	for _, mi := range e.Minors {
		if mi.Code == n {
			return fmt.Errorf("error %d: minor %d twice", e.Code, n)
		}
	}
	e.Minors = append(e.Minors, Minor{Code: n, Detail: detail, Reaction: reaction})
	return nil
}

// flush finishes the current error: description, link and kind.
func (p *seedParser) flush() error {
	e := p.cur
	if e == nil {
		return nil
	}
	p.cur = nil
	if e.Description == "" {
		return fmt.Errorf("seed line %d: error %d has no description", e.Line, e.Code)
	}
	if p.rows > 0 && e.Star == nil && len(e.Minors) == 0 {
		return fmt.Errorf("seed line %d: error %d has a table without rows", e.Line, e.Code)
	}
	if m := trailingLinkRe.FindStringSubmatchIndex(e.Description); m != nil {
		d := e.Description
		link := &seedLink{Text: d[m[2]:m[3]]}
		if t := targetRe.FindStringSubmatch(d[m[4]:m[5]]); t != nil {
			link.Target = t[1]
		}
		e.Link = link
		e.Description = d[:m[0]]
	}
	e.Description = plainLinks(e.Description)
	e.Kind = kindReal
	if strings.EqualFold(strings.TrimRight(e.Description, "."), "Virtual Error") {
		e.Kind = kindVirtual
	}
	p.list = append(p.list, e)
	return nil
}

// splitRow returns the trimmed cells of a markdown table row, with bold
// markers removed and links reduced to "#N".
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	cells := strings.Split(line, "|")
	for i, c := range cells {
		c = boldRe.ReplaceAllString(strings.TrimSpace(c), "$1")
		cells[i] = strings.TrimSpace(plainLinks(c))
	}
	return cells
}

func plainLinks(s string) string { return linkRe.ReplaceAllString(s, "#$1") }

func isGroup(g string) bool {
	for _, x := range groups {
		if x == g {
			return true
		}
	}
	return false
}

// parseIndex reads the action index table of the protocol README
// ("| request id | request message | ...") into id -> request message name.
func parseIndex(src []byte) (map[int]string, error) {
	names := map[int]string{}
	in := false
	for i, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if !in {
			if strings.HasPrefix(line, "|") {
				c := splitRow(line)
				in = len(c) >= 2 && strings.EqualFold(c[0], "request id") && strings.EqualFold(c[1], "request message")
			}
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if len(names) > 0 {
				break
			}
			continue
		}
		c := splitRow(line)
		if strings.Trim(c[0], "-:") == "" {
			continue // separator
		}
		id, err := strconv.Atoi(c[0])
		if err != nil || len(c) < 2 || c[1] == "" {
			return nil, fmt.Errorf("index line %d: bad row %q", i+1, line)
		}
		if prev, dup := names[id]; dup {
			return nil, fmt.Errorf("index line %d: action %d listed twice (%s, %s)", i+1, id, prev, c[1])
		}
		names[id] = c[1]
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("index: no \"| request id | request message |\" table found")
	}
	return names, nil
}
