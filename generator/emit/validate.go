package emit

import (
	"fmt"
	"math"
	"strconv"

	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// Validate emits generated/validate: one function per request, straight-line
// code with no reflection. Field rules run in field order (descending into
// messages nested in the request), then the action's checks in written order;
// the first failure returns the bad_payload error with its minor code.
func Validate(s *ir.Spec, c Config) (Files, error) {
	f := NewFile("validate")
	f.HeaderComment("// " + Header)
	f.PackageComment("Package validate checks requests against the spec's rules before any handler runs.")
	v := &validator{c: c}
	for _, a := range s.Actions {
		if a.Transport {
			continue // never dispatched
		}
		body := v.action(a)
		f.Commentf("%s checks a %s request (action %d). It returns nil or the first failing rule's error.", a.Name, a.Name, a.ID)
		f.Func().Id(a.Name).Params(Id("m").Op("*").Qual(c.Import("pb"), a.Request.GoName)).Op("*").Qual(c.Module+"/wire", "Error").Block(body...)
	}
	f.Comment("known reports whether v is a value of the enum whose names map is given.")
	f.Func().Id("known").Params(Id("names").Map(Int32()).String(), Id("v").Int32()).Bool().Block(
		List(Id("_"), Id("ok")).Op(":=").Id("names").Index(Id("v")),
		Return(Id("ok")),
	)
	return render("validate/validate_gen.go", f)
}

type validator struct {
	c     Config
	depth int
}

func (v *validator) pb(name string) *Statement { return Qual(v.c.Import("pb"), name) }

func (v *validator) fail(r *ir.Rule) Code {
	e := r.Minor.Error
	return Return(Qual(v.c.Import("errs"), "New"+e.GoName).Call(Qual(v.c.Import("errs"), r.Minor.GoName)))
}

func (v *validator) action(a *ir.Action) []Code {
	var out []Code
	out = append(out, v.messageRules(a.Request, Id("m"), a)...)
	for _, r := range a.Checks {
		out = append(out, v.check(r, Id("m"))...)
	}
	out = append(out, Return(Nil()))
	return out
}

// messageRules emits the field rules of m's fields and descends into messages
// nested in the action's request that carry rules.
func (v *validator) messageRules(m *ir.Message, x *Statement, a *ir.Action) []Code {
	var out []Code
	for _, f := range m.Fields {
		val := Add(x).Dot(f.GoName)
		for _, r := range f.Rules {
			for _, cond := range v.fieldConds(r, f, val, x) {
				out = append(out, If(cond).Block(v.fail(r)))
			}
		}
		if f.Kind == ir.KindMessage && f.Message.Action == a && hasRules(f.Message) {
			v.depth++
			el := Id("x" + strconv.Itoa(v.depth))
			inner := v.messageRules(f.Message, el, a)
			v.depth--
			if f.Repeated {
				out = append(out, For(List(Id("_"), el).Op(":=").Range().Add(val)).Block(
					append([]Code{If(Add(el).Op("==").Nil()).Block(Continue())}, inner...)...))
			} else {
				out = append(out, If(Add(el).Op(":=").Add(val), Add(el).Op("!=").Nil()).Block(inner...))
			}
		}
	}
	return out
}

func hasRules(m *ir.Message) bool {
	for _, f := range m.Fields {
		if len(f.Rules) > 0 {
			return true
		}
		if f.Kind == ir.KindMessage && f.Message != m && f.Message.Parent != nil && hasRules(f.Message) {
			return true
		}
	}
	return false
}

// isSet is true when a field holds a value other than its zero value.
func isSet(f *ir.Field, val *Statement) *Statement {
	switch {
	case f.Repeated || (f.Kind == ir.KindScalar && f.Scalar == "bytes"):
		return Len(val).Op(">").Lit(0)
	case f.Kind == ir.KindMessage:
		return Add(val).Op("!=").Nil()
	case f.Kind == ir.KindScalar && f.Scalar == "string":
		return Add(val).Op("!=").Lit("")
	case f.Kind == ir.KindScalar && f.Scalar == "bool":
		return Add(val)
	}
	return Add(val).Op("!=").Lit(0)
}

// isUnset is the negation of isSet, written directly for readable output.
func isUnset(f *ir.Field, val *Statement) *Statement {
	switch {
	case f.Repeated || (f.Kind == ir.KindScalar && f.Scalar == "bytes"):
		return Len(val).Op("==").Lit(0)
	case f.Kind == ir.KindMessage:
		return Add(val).Op("==").Nil()
	case f.Kind == ir.KindScalar && f.Scalar == "string":
		return Add(val).Op("==").Lit("")
	case f.Kind == ir.KindScalar && f.Scalar == "bool":
		return Op("!").Add(val)
	}
	return Add(val).Op("==").Lit(0)
}

// fieldConds returns, in order, the conditions under which r fails for the
// value val of field f in message x.
func (v *validator) fieldConds(r *ir.Rule, f *ir.Field, val, x *Statement) []*Statement {
	var out []*Statement
	if r.Required {
		out = append(out, isUnset(f, val))
	}
	if r.EnumKnown {
		out = append(out, Op("!").Id("known").Call(v.pb(f.Enum.GoName+"_name"), Int32().Parens(val)))
	}
	if len(r.OneOf) > 0 {
		var c *Statement
		for _, ev := range r.OneOf {
			ne := Add(val).Op("!=").Add(v.pb(ev.GoName))
			if c == nil {
				c = ne
			} else {
				c = c.Op("&&").Add(ne)
			}
		}
		out = append(out, Parens(c))
	}
	float := f.Scalar == "double" || f.Scalar == "float"
	if r.Min != nil {
		if float { // written as a negation so that NaN fails too
			out = append(out, Op("!").Parens(Add(val).Op(">=").Add(numLit(f.Scalar, *r.Min))))
		} else {
			out = append(out, Add(val).Op("<").Add(numLit(f.Scalar, *r.Min)))
		}
	}
	if r.Max != nil {
		if float {
			out = append(out, Op("!").Parens(Add(val).Op("<=").Add(numLit(f.Scalar, *r.Max))))
		} else {
			out = append(out, Add(val).Op(">").Add(numLit(f.Scalar, *r.Max)))
		}
	}
	length := func() *Statement {
		if f.Scalar == "string" {
			return Qual("unicode/utf8", "RuneCountInString").Call(val)
		}
		return Len(val)
	}
	// Length and format hold trivially for an empty value; when the rule also
	// requires a value, the emptiness test is already done.
	nonEmpty := func(c *Statement) *Statement {
		if r.Required {
			return c
		}
		return isSet(f, val).Op("&&").Add(c)
	}
	if r.MinLen != nil {
		out = append(out, nonEmpty(length().Op("<").Lit(*r.MinLen)))
	}
	if r.MaxLen != nil {
		out = append(out, length().Op(">").Add(bound(*r.MaxLen, r.MaxLenLimit)))
	}
	if r.MaxItems != nil {
		out = append(out, Len(val).Op(">").Add(bound(*r.MaxItems, r.MaxItemsLimit)))
	}
	if r.Format != nil {
		args := []Code{val}
		if r.With != nil {
			args = append(args, Add(x).Dot(r.With.GoName))
		}
		out = append(out, nonEmpty(Op("!").Qual(v.c.Module+"/wire/check", r.Format.Func).Call(args...)))
	}
	return out
}

// numLit writes a bound as a literal of the field's type.
func numLit(scalar string, x float64) *Statement {
	if scalar == "double" || scalar == "float" {
		return Lit(x)
	}
	if x == math.Trunc(x) {
		return Op(strconv.FormatInt(int64(x), 10))
	}
	return Lit(x)
}

// guard is the condition that every message on path before its last field is
// set, and the expression of the last field.
func guard(root *Statement, path []*ir.Field) (cond *Statement, val *Statement) {
	val = root
	for i, f := range path {
		val = Add(val).Dot(f.GoName)
		if i < len(path)-1 {
			c := Add(val).Op("!=").Nil()
			if cond == nil {
				cond = c
			} else {
				cond = cond.Op("&&").Add(c)
			}
		}
	}
	return cond, val
}

func and(a, b *Statement) *Statement {
	if a == nil {
		return b
	}
	return Add(a).Op("&&").Add(b)
}

// check emits one action-level check.
func (v *validator) check(r *ir.Rule, m *Statement) []Code {
	switch r.Kind {
	case ir.RuleField:
		cond, val := guard(m, r.Path)
		parent := m
		if len(r.Path) > 1 {
			_, parent = guard(m, r.Path[:len(r.Path)-1])
		}
		var out []Code
		for _, c := range v.fieldConds(r, r.Target(), val, parent) {
			out = append(out, If(and(cond, c)).Block(v.fail(r)))
		}
		return out
	case ir.RuleWhen:
		var in *Statement
		for _, ev := range r.WhenValues {
			c := Add(m).Dot(r.When.GoName).Op("==").Add(v.pb(ev.GoName))
			if in == nil {
				in = c
			} else {
				in = in.Op("||").Add(c)
			}
		}
		cond, val := guard(m, r.Require)
		if cond == nil {
			return []Code{If(Parens(in).Op("&&").Add(isUnset(r.Require[len(r.Require)-1], val))).Block(v.fail(r))}
		}
		set := Parens(and(cond, isSet(r.Require[len(r.Require)-1], val)))
		return []Code{If(Parens(in).Op("&&").Op("!").Add(set)).Block(v.fail(r))}
	case ir.RuleExclusive, ir.RuleRequireAny:
		cond, parent := guard(m, r.Path)
		if len(r.Path) > 0 {
			cond = and(cond, Add(parent).Op("!=").Nil())
		}
		var any, both *Statement
		for i, f := range r.Fields {
			s := isSet(f, Add(parent).Dot(f.GoName))
			if any == nil {
				any = s
			} else {
				any = Add(any).Op("||").Add(s)
			}
			for _, g := range r.Fields[i+1:] {
				pair := Parens(Add(isSet(f, Add(parent).Dot(f.GoName))).Op("&&").Add(isSet(g, Add(parent).Dot(g.GoName))))
				if both == nil {
					both = pair
				} else {
					both = Add(both).Op("||").Add(pair)
				}
			}
		}
		if r.Kind == ir.RuleExclusive {
			return []Code{If(and(cond, both)).Block(v.fail(r))}
		}
		return []Code{If(and(cond, Op("!").Parens(any))).Block(v.fail(r))}
	case ir.RuleUnique:
		cond, list := guard(m, r.Path)
		key := r.Fields[0]
		keyType := goScalar(key)
		if key.Kind == ir.KindEnum {
			keyType = v.pb(key.Enum.GoName)
		}
		body := []Code{
			Id("seen").Op(":=").Make(Map(keyType).Struct(), Len(list)),
			For(List(Id("_"), Id("x")).Op(":=").Range().Add(list)).Block(
				Id("k").Op(":=").Id("x").Dot("Get"+key.GoName).Call(),
				If(List(Id("_"), Id("dup")).Op(":=").Id("seen").Index(Id("k")), Id("dup")).Block(v.fail(r)),
				Id("seen").Index(Id("k")).Op("=").Struct().Values(),
			),
		}
		if cond != nil {
			return []Code{If(cond).Block(body...)}
		}
		return []Code{Block(body...)}
	}
	panic(fmt.Sprintf("validate: unknown rule kind %d", r.Kind))
}

// goScalar is the Go type of a scalar or enum field.
func goScalar(f *ir.Field) *Statement {
	switch f.Scalar {
	case "double":
		return Float64()
	case "float":
		return Float32()
	case "int32", "sint32", "sfixed32":
		return Int32()
	case "int64", "sint64", "sfixed64":
		return Int64()
	case "uint32", "fixed32":
		return Uint32()
	case "uint64", "fixed64":
		return Uint64()
	case "bool":
		return Bool()
	case "string":
		return String()
	}
	return Index().Byte()
}

// bound is a length or count bound: the limit's constant when the spec
// names one (limits_gen.go), else the number.
func bound(n int, l *ir.Limit) *Statement {
	if l != nil {
		return Id(l.GoName)
	}
	return Lit(n)
}
