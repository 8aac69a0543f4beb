package spectest

// A second, independent reading of the rules: it walks the spec model and the
// request through protoreflect, following spec/README.md, and says which rule
// fails first. The generated validator is straight-line code written by the
// generator; agreeing with this on every case and on fuzzed input is evidence
// that both read the spec the same way.

import (
	"math"
	"unicode/utf8"

	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/wire/check"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// referenceFormats runs a named format on a value and, for formats that take
// one, the value of the `with` field.
var referenceFormats = map[string]func(v, with protoreflect.Value) bool{
	"iso_country":    func(v, _ protoreflect.Value) bool { return check.ISOCountry(v.String()) },
	"phone_national": func(v, w protoreflect.Value) bool { return check.PhoneNational(v.Uint(), w.String()) },
	"phone":          func(v, _ protoreflect.Value) bool { return check.Phone(v.String()) },
	"email":          func(v, _ protoreflect.Value) bool { return check.Email(v.String()) },
	"name":           func(v, _ protoreflect.Value) bool { return check.Name(v.String()) },
	"message":        func(v, _ protoreflect.Value) bool { return check.Message(v.String()) },
	"username":       func(v, _ protoreflect.Value) bool { return check.Username(v.String()) },
	"sha256":         func(v, _ protoreflect.Value) bool { return check.SHA256(v.Bytes()) },
	"token":          func(v, _ protoreflect.Value) bool { return check.Token(v.String()) },
}

// referenceRule returns the first rule of a that req breaks, or nil: field
// rules in field order, descending into messages nested in the request, then
// the checks in written order.
func referenceRule(a *ir.Action, req protoreflect.Message) *ir.Rule {
	if r := referenceMessage(a, a.Request, req); r != nil {
		return r
	}
	for _, r := range a.Checks {
		if breaksCheck(r, req) {
			return r
		}
	}
	return nil
}

func referenceMessage(a *ir.Action, im *ir.Message, m protoreflect.Message) *ir.Rule {
	for _, f := range im.Fields {
		d := m.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(f.Number))
		for _, r := range f.Rules {
			if breaksField(r, d, m) {
				return r
			}
		}
		if f.Kind != ir.KindMessage || f.Message.Action != a || !m.Has(d) {
			continue
		}
		if f.Repeated {
			list := m.Get(d).List()
			for i := 0; i < list.Len(); i++ {
				if r := referenceMessage(a, f.Message, list.Get(i).Message()); r != nil {
					return r
				}
			}
		} else if r := referenceMessage(a, f.Message, m.Get(d).Message()); r != nil {
			return r
		}
	}
	return nil
}

// asFloat reads a number of any numeric kind.
func asFloat(d protoreflect.FieldDescriptor, v protoreflect.Value) float64 {
	switch d.Kind() {
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return v.Float()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return float64(v.Uint())
	}
	return float64(v.Int())
}

// breaksField reports whether the value of d in m breaks field rule r.
func breaksField(r *ir.Rule, d protoreflect.FieldDescriptor, m protoreflect.Message) bool {
	v := m.Get(d)
	set := m.Has(d)
	if r.Required && !set {
		return true
	}
	if r.EnumKnown && d.Enum().Values().ByNumber(v.Enum()) == nil {
		return true
	}
	if len(r.OneOf) > 0 {
		allowed := false
		for _, ev := range r.OneOf {
			allowed = allowed || protoreflect.EnumNumber(ev.Number) == v.Enum()
		}
		if !allowed {
			return true
		}
	}
	if r.Min != nil && !(asFloat(d, v) >= *r.Min) { // NaN is outside every range
		return true
	}
	if r.Max != nil && !(asFloat(d, v) <= *r.Max) {
		return true
	}
	if r.MinLen != nil || r.MaxLen != nil {
		var n int
		if d.Kind() == protoreflect.StringKind {
			n = utf8.RuneCountInString(v.String())
		} else {
			n = len(v.Bytes())
		}
		// An empty value is no length to judge; required speaks for it.
		if r.MinLen != nil && set && n < *r.MinLen {
			return true
		}
		if r.MaxLen != nil && n > *r.MaxLen {
			return true
		}
	}
	if r.MaxItems != nil && v.List().Len() > *r.MaxItems {
		return true
	}
	if r.Format != nil && set {
		var with protoreflect.Value
		if r.With != nil {
			with = m.Get(m.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(r.With.Number)))
		}
		f := referenceFormats[r.Format.Name]
		if f == nil {
			panic("reference: no format " + r.Format.Name)
		}
		if !f(v, with) {
			return true
		}
	}
	return false
}

// follow walks path through set messages; ok is false when one is unset.
func follow(m protoreflect.Message, path []*ir.Field) (protoreflect.Message, bool) {
	for _, f := range path {
		d := m.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(f.Number))
		if !m.Has(d) {
			return nil, false
		}
		m = m.Get(d).Message()
	}
	return m, true
}

func has(m protoreflect.Message, f *ir.Field) bool {
	return m.Has(m.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(f.Number)))
}

// breaksCheck reports whether req breaks an action-level check.
func breaksCheck(r *ir.Rule, req protoreflect.Message) bool {
	switch r.Kind {
	case ir.RuleField:
		parent, ok := follow(req, r.Path[:len(r.Path)-1])
		if !ok {
			return false // skipped when a parent is unset
		}
		d := parent.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(r.Target().Number))
		return breaksField(r, d, parent)
	case ir.RuleWhen:
		d := req.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(r.When.Number))
		cur := req.Get(d).Enum()
		for _, v := range r.WhenValues {
			if protoreflect.EnumNumber(v.Number) == cur {
				return !isSet(req, r.Require)
			}
		}
		return false
	case ir.RuleExclusive, ir.RuleRequireAny:
		parent, ok := follow(req, r.Path)
		if !ok {
			return false
		}
		n := 0
		for _, f := range r.Fields {
			if has(parent, f) {
				n++
			}
		}
		if r.Kind == ir.RuleExclusive {
			return n > 1
		}
		return n == 0
	case ir.RuleUnique:
		parent, ok := follow(req, r.Path[:len(r.Path)-1])
		if !ok {
			return false
		}
		list := parent.Get(parent.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(r.Target().Number))).List()
		seen := map[any]bool{}
		for i := 0; i < list.Len(); i++ {
			el := list.Get(i).Message()
			k := el.Get(el.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(r.Fields[0].Number))).Interface()
			if f, ok := k.(float64); ok && f == 0 {
				k = 0.0 // -0 and +0 are one key
			} else if ok && math.IsNaN(f) {
				continue // NaN equals nothing
			}
			if seen[k] {
				return true
			}
			seen[k] = true
		}
		return false
	}
	panic("reference: unknown rule kind")
}
