package emit

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gapd/gapd/generator/ir"
)

// Docs emits generated/docs: the error catalogue in the seed's layout, one
// section per action, the shared types and an index. Every cross reference is
// an explicit anchor (error-N, action-N, type-FullName), so links stay valid
// whatever a renderer does with headings.
func Docs(s *ir.Spec, c Config) (Files, error) {
	out := Files{
		"docs/README.md":  docsIndex(s),
		"docs/errors.md":  docsErrors(s),
		"docs/actions.md": docsActions(s),
		"docs/types.md":   docsTypes(s),
	}
	if s.Roles != nil {
		out["docs/roles.md"] = docsRoles(s)
	}
	return out, nil
}

// mdHeader is Header as markdown that renders as nothing.
const mdHeader = "<!-- " + Header + " -->\n\n"

// page accumulates one markdown file.
type page struct{ bytes.Buffer }

func (p *page) f(format string, args ...any) { fmt.Fprintf(&p.Buffer, format, args...) }

func (p *page) ln(parts ...string) {
	for _, s := range parts {
		p.WriteString(s)
	}
	p.WriteByte('\n')
}

// anchor writes an explicit anchor as its own paragraph, so that the heading
// after it still starts a block in every renderer.
func (p *page) anchor(id string) { p.f("<a id=\"%s\"></a>\n\n", id) }

// row writes a table row, escaping each cell.
func (p *page) row(cells ...string) {
	p.WriteString("|")
	for _, c := range cells {
		p.WriteString(" " + cell(c) + " |")
	}
	p.WriteByte('\n')
}

// head writes a table header; align has one letter per leading column, 'r'
// for right-aligned (numbers), anything else for left.
func (p *page) head(align string, cells ...string) {
	p.row(cells...)
	p.WriteString("|")
	for i := range cells {
		if i < len(align) && align[i] == 'r' {
			p.WriteString("---:|")
		} else {
			p.WriteString("---|")
		}
	}
	p.WriteByte('\n')
}

// cell keeps text on one table row: pipes would split the cell, newlines end
// the table.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

func errorAnchor(code uint32) string { return fmt.Sprintf("error-%d", code) }
func actionAnchor(id uint32) string  { return fmt.Sprintf("action-%d", id) }
func typeAnchor(full string) string  { return "type-" + full }

func actionLink(a *ir.Action) string {
	return fmt.Sprintf("[#%d %s](actions.md#%s)", a.ID, a.Name, actionAnchor(a.ID))
}

// messageHref says where a message is documented: requests and responses in
// their action's section, types nested in them beside it, everything else
// (types.proto and a domain's own messages) in types.md.
func messageHref(m *ir.Message) string {
	switch {
	case m.Role == ir.RoleRequest || m.Role == ir.RoleResponse:
		return "actions.md#" + actionAnchor(m.Action.ID)
	case m.Action != nil:
		return "actions.md#" + typeAnchor(m.FullName)
	}
	return "types.md#" + typeAnchor(m.FullName)
}

func enumHref(e *ir.Enum) string {
	top := e.Parent
	for top != nil && top.Parent != nil {
		top = top.Parent
	}
	if top != nil && top.Action != nil {
		return "actions.md#" + typeAnchor(e.FullName)
	}
	return "types.md#" + typeAnchor(e.FullName)
}

// typeCell is a field's type, linked when it is a message or an enum.
func typeCell(f *ir.Field) string {
	switch f.Kind {
	case ir.KindMessage:
		return fmt.Sprintf("[%s](%s)", f.Message.FullName, messageHref(f.Message))
	case ir.KindEnum:
		return fmt.Sprintf("[%s](%s)", f.Enum.FullName, enumHref(f.Enum))
	}
	return "`" + f.Scalar + "`"
}

func label(f *ir.Field) string {
	if f.Repeated {
		return "repeated"
	}
	return "singular"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

var hashRef = regexp.MustCompile(`#(\d+)`)

// linkRefs turns "#N" into a link when N is an action id (the catalogue's
// way of naming requests). The name is added unless the text already follows
// the reference with it in parentheses.
func linkRefs(s *ir.Spec, text string) string {
	var b strings.Builder
	last := 0
	for _, m := range hashRef.FindAllStringSubmatchIndex(text, -1) {
		n, err := strconv.ParseUint(text[m[2]:m[3]], 10, 32)
		a := s.Action(uint32(n))
		if err != nil || a == nil || m[0] > 0 && text[m[0]-1] == '[' {
			continue
		}
		b.WriteString(text[last:m[0]])
		if strings.HasPrefix(text[m[1]:], " ("+a.Name+")") {
			b.WriteString(fmt.Sprintf("[#%d](actions.md#%s)", a.ID, actionAnchor(a.ID)))
		} else {
			b.WriteString(actionLink(a))
		}
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// doc writes a doc string as its own paragraph, if there is one.
func (p *page) doc(s string) {
	if s = strings.TrimSpace(s); s != "" {
		p.ln(s)
		p.ln()
	}
}

func code(s string) string { return "`" + s + "`" }

// pathName is the dotted path a rule reads, from the request or, for rules
// written inside a nested request message, from that message's name.
func pathName(r *ir.Rule, path []*ir.Field) string {
	names := make([]string, len(path))
	for i, f := range path {
		names[i] = f.Name
	}
	s := strings.Join(names, ".")
	if r.Nested && len(path) > 0 {
		s = strings.TrimPrefix(path[0].Parent.FullName, r.Action.Request.FullName+".") + "." + s
	}
	return s
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// plural writes a count with its unit: "1 byte", "16 characters".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// joinList joins items as "a", "a or b", "a, b or c".
func joinList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// ruleText says in English what a rule requires, with its limits; it reads
// as the condition a valid request meets.
func ruleText(r *ir.Rule) string {
	var s string
	switch r.Kind {
	case ir.RuleField:
		s = code(pathName(r, r.Path)) + " " + joinList(fieldPredicates(r), "and")
		if !r.Nested && len(r.Path) > 1 {
			s += fmt.Sprintf(" (skipped when %s is unset)", code(pathName(r, r.Path[:len(r.Path)-1])))
		}
	case ir.RuleWhen:
		vals := make([]string, len(r.WhenValues))
		for i, v := range r.WhenValues {
			vals[i] = v.Name
		}
		s = fmt.Sprintf("when %s is %s, %s is required", code(r.When.Name), joinList(vals, "or"), code(pathName(r, r.Require)))
		if r.Payload != nil {
			s += fmt.Sprintf(" (from the %s payloads table)", r.Payload.Enum.FullName)
		}
	case ir.RuleExclusive:
		names := qualified(r, r.Fields)
		if len(names) == 2 {
			s = fmt.Sprintf("%s and %s are not both set", names[0], names[1])
		} else {
			s = fmt.Sprintf("at most one of %s is set", joinList(names, "and"))
		}
	case ir.RuleRequireAny:
		s = fmt.Sprintf("at least one of %s is set", joinList(qualified(r, r.Fields), "or"))
		if len(r.Path) > 0 {
			s = fmt.Sprintf("when %s is set, %s", code(pathName(r, r.Path)), s)
		}
	case ir.RuleUnique:
		s = fmt.Sprintf("no two entries of %s have the same %s", code(pathName(r, r.Path)), code(r.Fields[0].Name))
	}
	if d := strings.TrimSpace(r.Doc); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// qualified names the fields of an exclusive or require_any rule with the
// path of the message that holds them.
func qualified(r *ir.Rule, fields []*ir.Field) []string {
	prefix := ""
	if len(r.Path) > 0 {
		prefix = pathName(r, r.Path) + "."
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = code(prefix + f.Name)
	}
	return out
}

// fieldPredicates are the constraints of a field rule, each as a verb phrase.
func fieldPredicates(r *ir.Rule) []string {
	f := r.Target()
	var out []string
	if r.Required {
		if f.Repeated {
			out = append(out, "has at least one entry")
		} else {
			out = append(out, "is required")
		}
	}
	if r.EnumKnown {
		out = append(out, fmt.Sprintf("is a known %s value", f.Enum.FullName))
	}
	if len(r.OneOf) > 0 {
		vals := make([]string, len(r.OneOf))
		for i, v := range r.OneOf {
			vals[i] = code(v.Name)
		}
		out = append(out, "is "+joinList(vals, "or"))
	}
	switch {
	case r.Min != nil && r.Max != nil:
		out = append(out, fmt.Sprintf("is between %s and %s", num(*r.Min), num(*r.Max)))
	case r.Min != nil:
		out = append(out, "is at least "+num(*r.Min))
	case r.Max != nil:
		out = append(out, "is at most "+num(*r.Max))
	}
	one, many := "character", "characters" // strings count runes
	if f.Scalar == "bytes" {
		one, many = "byte", "bytes"
	}
	switch {
	case r.MinLen != nil && r.MaxLen != nil:
		out = append(out, fmt.Sprintf("has %d to %s (checked when set)", *r.MinLen, plural(*r.MaxLen, one, many)))
	case r.MinLen != nil:
		out = append(out, fmt.Sprintf("has at least %s (checked when set)", plural(*r.MinLen, one, many)))
	case r.MaxLen != nil:
		out = append(out, "has at most "+plural(*r.MaxLen, one, many)+limitNote(r.MaxLenLimit))
	}
	if r.MaxItems != nil {
		out = append(out, "has at most "+plural(*r.MaxItems, "entry", "entries")+limitNote(r.MaxItemsLimit))
	}
	if r.Format != nil {
		if r.With != nil {
			out = append(out, fmt.Sprintf("is %s (with %s; checked when set)", r.Format.Doc, code(r.With.Name)))
		} else {
			out = append(out, fmt.Sprintf("is %s (checked when set)", r.Format.Doc))
		}
	}
	return out
}

// limitNote names the limit a bound was written as.
func limitNote(l *ir.Limit) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf(" (limit %s)", code(l.Name))
}

func payloadAnchor(p *ir.Payload) string { return "payloads-" + p.Enum.FullName }
