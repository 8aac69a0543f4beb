package emit

import (
	"fmt"

	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// Errs emits generated/errs: a constant per major code, a named constant per
// minor code, a constructor per error and the catalogue table. The error type
// itself is wire.Error.
func Errs(s *ir.Spec, c Config) (Files, error) {
	wire := c.Module + "/wire"
	f := NewFile("errs")
	f.HeaderComment("// " + Header)
	f.PackageComment("Package errs holds the error catalogue: codes, named minor codes, constructors and the table.")

	f.Comment("Major codes of the catalogue.")
	f.Const().DefsFunc(func(g *Group) {
		for _, e := range s.Errors {
			g.Comment(fmt.Sprintf("%s is error %d %s: %s", e.GoName, e.Code, e.Name, oneLine(e.Description)))
			g.Id(e.GoName).Qual(wire, "Major").Op("=").Lit(int(e.Code))
		}
	})
	f.Comment("Minor codes, named after their error.")
	f.Const().DefsFunc(func(g *Group) {
		for _, e := range s.Errors {
			for _, m := range e.Minors {
				g.Comment(fmt.Sprintf("%s is %d/%d: %s", m.GoName, e.Code, m.Code, oneLine(m.Detail)))
				g.Id(m.GoName).Qual(wire, "Minor").Op("=").Lit(int(m.Code))
			}
		}
	})

	for _, e := range s.Errors {
		name := "New" + e.GoName
		fields := Dict{Id("Major"): Id(e.GoName)}
		var params []Code
		switch {
		case len(e.Minors) > 0:
			params = append(params, Id("minor").Qual(wire, "Minor"))
			fields[Id("Minor")] = Id("minor")
			fields[Id("Message")] = Id("Describe").Call(Id(e.GoName), Id("minor"))
		default:
			if e.StarMinor != 0 {
				fields[Id("Minor")] = Lit(int(e.StarMinor))
			}
			fields[Id("Message")] = Lit(e.Name + ": " + e.Description)
		}
		if e.Wait {
			params = append(params, Id("wait").Uint32())
			fields[Id("Wait")] = Id("wait")
		}
		doc := fmt.Sprintf("%s returns error %d %s", name, e.Code, e.Name)
		if e.Wait {
			doc += "; wait is the seconds the client must wait"
		}
		if e.Virtual {
			doc += ". It is virtual: log and count it, never send it"
		}
		f.Comment(doc + ".")
		f.Func().Id(name).Params(params...).Op("*").Qual(wire, "Error").Block(
			Return(Op("&").Qual(wire, "Error").Values(fields)),
		)
	}

	f.Comment("catalogue is every error, by code.")
	f.Var().Id("catalogue").Op("=").Index().Qual(wire, "ErrorInfo").ValuesFunc(func(g *Group) {
		for _, e := range s.Errors {
			var action uint32
			if e.Action != nil {
				action = e.Action.ID
			}
			d := Dict{
				Id("Code"):        Id(e.GoName),
				Id("Name"):        Lit(e.Name),
				Id("Group"):       Lit(e.Group.Key),
				Id("Description"): Lit(e.Description),
			}
			if e.Virtual {
				d[Id("Virtual")] = True()
			}
			if e.Wait {
				d[Id("Wait")] = True()
			}
			if action != 0 {
				d[Id("Action")] = Lit(int(action))
			}
			if len(e.Minors) > 0 {
				d[Id("Minors")] = Index().Qual(wire, "MinorInfo").ValuesFunc(func(mg *Group) {
					for _, m := range e.Minors {
						mg.Values(Dict{Id("Code"): Id(m.GoName), Id("ID"): Lit(m.ID), Id("Detail"): Lit(m.Detail)})
					}
				})
			}
			g.Values(d)
		}
	})
	f.Comment("Catalogue returns every error of the catalogue, by code. Callers must not modify it.")
	f.Func().Id("Catalogue").Params().Index().Qual(wire, "ErrorInfo").Block(Return(Id("catalogue")))

	f.Comment("Lookup returns the catalogue entry of a major code.")
	f.Func().Id("Lookup").Params(Id("code").Qual(wire, "Major")).Params(Op("*").Qual(wire, "ErrorInfo"), Bool()).Block(
		List(Id("lo"), Id("hi")).Op(":=").List(Lit(0), Len(Id("catalogue"))),
		For(Id("lo").Op("<").Id("hi")).Block(
			Id("mid").Op(":=").Parens(Id("lo").Op("+").Id("hi")).Op("/").Lit(2),
			Switch().Block(
				Case(Id("catalogue").Index(Id("mid")).Dot("Code").Op("==").Id("code")).Block(
					Return(Op("&").Id("catalogue").Index(Id("mid")), True())),
				Case(Id("catalogue").Index(Id("mid")).Dot("Code").Op("<").Id("code")).Block(
					Id("lo").Op("=").Id("mid").Op("+").Lit(1)),
				Default().Block(Id("hi").Op("=").Id("mid")),
			),
		),
		Return(Nil(), False()),
	)
	f.Comment("Describe names an error and its minor row for messages and logs.")
	f.Func().Id("Describe").Params(Id("major").Qual(wire, "Major"), Id("minor").Qual(wire, "Minor")).String().Block(
		List(Id("info"), Id("ok")).Op(":=").Id("Lookup").Call(Id("major")),
		If(Op("!").Id("ok")).Block(Return(Lit("unknown error"))),
		If(List(Id("d")).Op(":=").Id("info").Dot("Detail").Call(Id("minor")), Id("d").Op("!=").Lit("")).Block(
			Return(Id("info").Dot("Name").Op("+").Lit(": ").Op("+").Id("d")),
		),
		Return(Id("info").Dot("Name").Op("+").Lit(": ").Op("+").Id("info").Dot("Description")),
	)
	return render("errs/errs_gen.go", f)
}

// render formats a jennifer file into Files.
func render(path string, f *File) (Files, error) {
	src := fmt.Sprintf("%#v", f)
	out, err := gofmt(path, []byte(src))
	if err != nil {
		return nil, err
	}
	return Files{path: out}, nil
}

func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
