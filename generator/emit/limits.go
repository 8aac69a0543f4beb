package emit

import (
	"fmt"
	"strings"

	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// Limits emits generated/validate/limits_gen.go: one constant per limit of
// an action, which the validators use for the rules that name it and the
// handlers read for the behaviour it bounds. No limits, no file.
func Limits(s *ir.Spec, c Config) (Files, error) {
	var any bool
	for _, a := range s.Actions {
		any = any || len(a.Limits) > 0
	}
	if !any {
		return Files{}, nil
	}
	f := NewFile("validate")
	f.HeaderComment("// " + Header)
	f.Comment("Limits the spec states once per action (its limits), shared by validators and handlers.")
	f.Const().DefsFunc(func(g *Group) {
		for _, a := range s.Actions {
			for _, l := range a.Limits {
				doc := fmt.Sprintf("%s is %s's %s", l.GoName, a.Name, l.Name)
				if d := strings.TrimSuffix(strings.TrimSpace(oneLine(l.Doc)), "."); d != "" {
					doc += ": " + d
				}
				g.Comment(doc + ".")
				g.Id(l.GoName).Op("=").Lit(int(l.Value))
			}
		}
	})
	return render("validate/limits_gen.go", f)
}

// Payloads emits generated/validate/payloads_gen.go: for each enum with a
// payloads table, what each value carries and the value it becomes once it
// carries text. The send checks come from the same table.
func Payloads(s *ir.Spec, c Config) (Files, error) {
	if len(s.Payloads) == 0 {
		return Files{}, nil
	}
	pb := func(name string) *Statement { return Qual(c.Import("pb"), name) }
	f := NewFile("validate")
	f.HeaderComment("// " + Header)
	f.Comment("Parts are what a value of a payloads table carries.")
	f.Type().Id("Parts").StructFunc(func(g *Group) {
		for _, part := range ir.PayloadParts {
			g.Id(ir.GoCamelCase(part)).Bool()
		}
	})
	f.Comment("Captioned reports whether the text is a caption: it comes with a file.")
	f.Func().Params(Id("p").Id("Parts")).Id("Captioned").Params().Bool().Block(
		Return(Id("p").Dot("Message").Op("&&").Id("p").Dot("Attachment")))
	for _, p := range s.Payloads {
		e := p.Enum
		f.Commentf("%sParts is what a %s carries (spec payloads table).", e.GoName, e.FullName)
		f.Func().Id(e.GoName+"Parts").Params(Id("v").Add(pb(e.GoName))).Id("Parts").Block(
			Switch(Id("v")).BlockFunc(func(g *Group) {
				for _, row := range p.Rows {
					if len(row.Parts) == 0 {
						continue
					}
					d := Dict{}
					for _, part := range ir.PayloadParts {
						if row.Carries(part) {
							d[Id(ir.GoCamelCase(part))] = True()
						}
					}
					g.Case(pb(row.Value.GoName)).Block(Return(Id("Parts").Values(d)))
				}
			}),
			Return(Id("Parts").Values()),
		)
		f.Commentf("%sWithText is the %s a message of type v has once it carries text, and false for one that cannot carry any.", e.GoName, e.FullName)
		f.Func().Id(e.GoName+"WithText").Params(Id("v").Add(pb(e.GoName))).Params(pb(e.GoName), Bool()).Block(
			Switch(Id("v")).BlockFunc(func(g *Group) {
				var texts []Code
				for _, row := range p.Rows {
					if row.Carries("message") {
						texts = append(texts, pb(row.Value.GoName))
					}
				}
				if len(texts) > 0 {
					g.Case(texts...).Block(Return(Id("v"), True()))
				}
				for _, row := range p.Rows {
					if row.WithText != nil {
						g.Case(pb(row.Value.GoName)).Block(Return(pb(row.WithText.GoName), True()))
					}
				}
			}),
			Return(Id("v"), False()),
		)
	}
	return render("validate/payloads_gen.go", f)
}

// Refusals emits generated/errs/refusals_gen.go: the Refusals type and, per
// action with refusals in the spec, its set, so a handler names a refusal
// (rf.BadRoom) instead of wiring an error and a minor by hand.
func Refusals(s *ir.Spec, c Config) (Files, error) {
	var any bool
	for _, a := range s.Actions {
		any = any || len(a.Refusals) > 0
	}
	if !any {
		return Files{}, nil
	}
	wire := c.Module + "/wire"
	f := NewFile("errs")
	f.HeaderComment("// " + Header)
	f.Comment("Refusals are an action's answers when what its request names will not do; a nil one is an answer the action does not give.")
	f.Type().Id("Refusals").StructFunc(func(g *Group) {
		for _, k := range ir.RefusalKinds {
			g.Comment(fmt.Sprintf("%s: %s.", k.GoName, k.Doc))
			g.Id(k.GoName).Func().Params().Op("*").Qual(wire, "Error")
		}
	})
	for _, a := range s.Actions {
		if len(a.Refusals) == 0 {
			continue
		}
		f.Commentf("%sRefusals are action %d %s's refusals.", a.Name, a.ID, a.Name)
		f.Var().Id(a.Name + "Refusals").Op("=").Id("Refusals").Values(DictFunc(func(d Dict) {
			for _, r := range a.Refusals {
				if r.Minor == nil {
					d[Id(r.Kind.GoName)] = Id("New" + r.Error.GoName)
					continue
				}
				d[Id(r.Kind.GoName)] = Func().Params().Op("*").Qual(wire, "Error").Block(
					Return(Id("New" + r.Error.GoName).Call(Id(r.Minor.GoName))))
			}
		}))
	}
	return render("errs/refusals_gen.go", f)
}
