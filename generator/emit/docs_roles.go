package emit

import (
	"fmt"
	"strings"

	"github.com/gapd/gapd/generator/ir"
)

// docsRoles writes roles.md: the ranks and one table of who may call which
// action, with the error everyone else gets.
func docsRoles(s *ir.Spec) []byte {
	rs := s.Roles
	p := &page{}
	p.WriteString(mdHeader)
	p.ln("# Roles")
	p.ln()
	var enums []string
	for _, e := range rs.Enums {
		enums = append(enums, fmt.Sprintf("[%s](types.md#%s)", e.FullName, typeAnchor(e.FullName)))
	}
	p.f("Every member of a room with ranks has one role, a value of %s. Highest rank first:\n\n", joinOr(enums))
	p.head("-r", "Role", "Number", "Description")
	for _, r := range rs.Roles {
		p.row(r.Name, fmt.Sprint(r.Number), r.Doc)
	}
	p.ln()
	p.ln("## Who may do what")
	p.ln()
	p.ln("A role without a mark is refused with the action's error in the last column. Where an action")
	p.ln("acts on a member (\"on lower ranks\"), that member must also rank below the caller, or the same error is returned.")
	p.ln()
	head := []string{"Permission", "Action"}
	for _, r := range rs.Roles {
		head = append(head, r.Name)
	}
	head = append(head, "Refused with")
	p.head("", head...)
	for _, perm := range rs.Permissions {
		for _, g := range perm.Grants {
			name := perm.ID
			if perm.Lower {
				name += " (on lower ranks)"
			}
			cells := []string{name, fmt.Sprintf("[%d %s](actions.md#%s)", g.Action.ID, g.Action.Name, actionAnchor(g.Action.ID))}
			for _, r := range rs.Roles {
				cells = append(cells, map[bool]string{true: "yes", false: ""}[g.Allows(r)])
			}
			cells = append(cells, fmt.Sprintf("[%d %s](errors.md#%s)", g.Refusal.Code, g.Refusal.Name, errorAnchor(g.Refusal.Code)))
			p.row(cells...)
		}
	}
	p.ln()
	p.ln("## Permissions")
	p.ln()
	for _, perm := range rs.Permissions {
		if perm.Doc != "" {
			p.f("* `%s`: %s\n", perm.ID, strings.TrimSpace(linkRefs(s, perm.Doc)))
		}
	}
	return p.Bytes()
}

// rolesLine is the line an action's section gets when roles govern it.
func rolesLine(s *ir.Spec, a *ir.Action) string {
	g := s.Roles.Grant(a)
	if g == nil {
		return ""
	}
	var names []string
	for _, r := range g.Roles {
		names = append(names, r.Name)
	}
	out := fmt.Sprintf("* Roles: %s ([%s](roles.md)); others get error %d", strings.Join(names, ", "), g.Permission.ID, g.Refusal.Code)
	if g.Permission.Lower {
		out += ", as does a target that does not rank below the caller"
	}
	return out
}
