package emit

import (
	"fmt"

	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// Roles emits generated/roles: the ranks of roles.yaml and, per action, the
// ranks that may call it. Handlers ask it instead of writing their own
// rules, so the docs' table is what the server does. Nothing is emitted
// without roles.yaml.
func Roles(s *ir.Spec, c Config) (Files, error) {
	rs := s.Roles
	if rs == nil {
		return Files{}, nil
	}
	f := NewFile("roles")
	f.HeaderComment("// " + Header)
	f.PackageComment("Package roles says who may do what in a room with ranked members (spec/roles.yaml).")

	var enums []string
	for _, e := range rs.Enums {
		enums = append(enums, e.FullName)
	}
	f.Comment(fmt.Sprintf("Role is a member's rank: a value of %s.", joinOr(enums)))
	f.Type().Id("Role").Int32()
	f.Comment("The roles, highest rank first.")
	f.Const().DefsFunc(func(g *Group) {
		for _, r := range rs.Roles {
			if r.Doc != "" {
				g.Comment(fmt.Sprintf("%s: %s", r.GoName, oneLine(r.Doc)))
			}
			g.Id(r.GoName).Id("Role").Op("=").Lit(int(r.Number))
		}
	})

	f.Comment("String returns the role's wire name.")
	f.Func().Params(Id("r").Id("Role")).Id("String").Params().String().Block(
		Switch(Id("r")).BlockFunc(func(g *Group) {
			for _, r := range rs.Roles {
				g.Case(Id(r.GoName)).Block(Return(Lit(r.Name)))
			}
		}),
		Return(Lit("UNKNOWN")),
	)

	f.Comment("Outranks reports whether r ranks above o. An unknown role ranks below every role.")
	f.Func().Params(Id("r").Id("Role")).Id("Outranks").Params(Id("o").Id("Role")).Bool().Block(
		Return(Id("rank").Call(Id("r")).Op("<").Id("rank").Call(Id("o"))),
	)
	f.Comment("rank is a role's place in the list, 0 for the highest.")
	f.Func().Id("rank").Params(Id("r").Id("Role")).Int().Block(
		Switch(Id("r")).BlockFunc(func(g *Group) {
			for _, r := range rs.Roles {
				g.Case(Id(r.GoName)).Block(Return(Lit(r.Rank)))
			}
		}),
		Return(Lit(len(rs.Roles))),
	)

	f.Comment("May reports whether a member with role r may call action. Actions the table does")
	f.Comment("not govern are refused: a handler asks only about its own action.")
	f.Func().Id("May").Params(Id("action").Uint16(), Id("r").Id("Role")).Bool().Block(
		Switch(Id("action")).BlockFunc(func(g *Group) {
			for _, p := range rs.Permissions {
				for _, gr := range p.Grants {
					var cond *Statement
					for i, r := range gr.Roles {
						term := Id("r").Op("==").Id(r.GoName)
						if i == 0 {
							cond = term
						} else {
							cond = cond.Op("||").Add(term)
						}
					}
					if cond == nil {
						cond = False()
					}
					g.Case(Lit(int(gr.Action.ID))).Block(
						Comment(fmt.Sprintf("%s (%s); the other roles get error %d", gr.Action.Name, p.ID, gr.Refusal.Code)),
						Return(cond))
				}
			}
		}),
		Return(False()),
	)

	f.Comment("MayOn reports whether actor may call action on a member with role target: May,")
	f.Comment("and where the action acts on a member, the target ranks below the actor.")
	f.Func().Id("MayOn").Params(Id("action").Uint16(), Id("actor"), Id("target").Id("Role")).Bool().Block(
		If(Op("!").Id("May").Call(Id("action"), Id("actor"))).Block(Return(False())),
		Switch(Id("action")).BlockFunc(func(g *Group) {
			var lower []Code
			for _, p := range rs.Permissions {
				if !p.Lower {
					continue
				}
				for _, gr := range p.Grants {
					lower = append(lower, Lit(int(gr.Action.ID)))
				}
			}
			if len(lower) > 0 {
				g.Case(lower...).Block(Return(Id("actor").Dot("Outranks").Call(Id("target"))))
			}
		}),
		Return(True()),
	)

	return render("roles/roles_gen.go", f)
}

// joinOr lists names as "A", "A or B", "A, B or C".
func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	out := names[0]
	for _, n := range names[1 : len(names)-1] {
		out += ", " + n
	}
	return out + " or " + names[len(names)-1]
}
