package ir

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gapd/gapd/generator/spec"
)

var numeric = map[string]bool{
	"double": true, "float": true, "int32": true, "int64": true, "uint32": true, "uint64": true,
	"sint32": true, "sint64": true, "fixed32": true, "fixed64": true, "sfixed32": true, "sfixed64": true,
}

// buildRules turns field rules and checks into Rules and links their minors.
func (b *builder) buildRules() {
	for _, r := range b.fields {
		if len(r.raw.Rules) == 0 {
			continue
		}
		f := r.f
		m := f.Parent
		a := m.Action
		where := fmt.Sprintf("message %s: field %d %s", m.FullName, f.Number, f.Name)
		if a == nil || !inRequest(m, a) {
			b.errorf(r.raw.Pos, "%s: rules may only be written on fields of a request or of messages nested in it; use the action's checks with a path for shared types", where)
			continue
		}
		for i := range r.raw.Rules {
			rr := &r.raw.Rules[i]
			if hasCheckKeys(rr) || rr.Path != "" {
				b.errorf(rr.Pos, "%s: a field rule cannot use path, when, require, exclusive, require_any or unique", where)
				continue
			}
			rule := &Rule{Pos: rr.Pos, Kind: RuleField, Action: a, Doc: rr.Doc, Path: []*Field{f}, Nested: m != a.Request}
			if b.fieldConstraints(rule, rr, where) && b.linkMinor(rule, rr.Minor, where) {
				f.Rules = append(f.Rules, rule)
			}
		}
	}
	for _, a := range b.s.Actions {
		r := b.rawActs[a]
		for i := range r.Checks {
			rr := &r.Checks[i]
			where := fmt.Sprintf("action %d %s: check", a.ID, a.Name)
			if rr.Carries != "" {
				a.Checks = append(a.Checks, b.carries(a, rr, where)...)
				continue
			}
			if rule := b.check(a, rr, where); rule != nil && b.linkMinor(rule, rr.Minor, where) {
				a.Checks = append(a.Checks, rule)
			}
		}
		for _, code := range r.HandlerMinors {
			where := fmt.Sprintf("action %d %s: handler_minors", a.ID, a.Name)
			if a.BadPayload == nil {
				b.errorf(r.Pos, "%s: the action has no bad_payload error", where)
				break
			}
			mn := a.BadPayload.Minor(code)
			if mn == nil {
				b.errorf(r.Pos, "%s: minor %d is not a minor of error %d %s", where, code, a.BadPayload.Code, a.BadPayload.Name)
				continue
			}
			if mn.Handler {
				b.errorf(r.Pos, "%s: minor %d is listed twice", where, code)
				continue
			}
			mn.Handler = true
			a.HandlerMinors = append(a.HandlerMinors, mn)
		}
		sort.Slice(a.HandlerMinors, func(i, j int) bool { return a.HandlerMinors[i].Code < a.HandlerMinors[j].Code })
	}
}

// inRequest reports whether m is a's request or nested in it.
func inRequest(m *Message, a *Action) bool {
	for ; m != nil; m = m.Parent {
		if m == a.Request {
			return true
		}
	}
	return false
}

func hasCheckKeys(r *spec.Rule) bool {
	return len(r.When) > 0 || r.Require != "" || len(r.Exclusive) > 0 || len(r.RequireAny) > 0 || r.Unique != "" || r.Carries != ""
}

func hasFieldKeys(r *spec.Rule) bool {
	return r.Required || r.Enum != "" || len(r.OneOf) > 0 || r.Min != nil || r.Max != nil || r.MinLen != nil ||
		r.MaxLen != nil || r.MaxItems != nil || r.Format != "" || r.With != ""
}

func (b *builder) linkMinor(rule *Rule, code uint32, where string) bool {
	a := rule.Action
	if a.BadPayload == nil {
		b.errorf(rule.Pos, "%s: the action has rules but no bad_payload error", where)
		return false
	}
	if code == 0 {
		b.errorf(rule.Pos, "%s: the rule must name its minor code", where)
		return false
	}
	mn := a.BadPayload.Minor(code)
	if mn == nil {
		b.errorf(rule.Pos, "%s: minor %d is not a minor of error %d %s", where, code, a.BadPayload.Code, a.BadPayload.Name)
		return false
	}
	rule.Minor = mn
	mn.Rules = append(mn.Rules, rule)
	return true
}

// fieldConstraints copies and checks the constraints of a field rule against
// the type of its target.
func (b *builder) fieldConstraints(rule *Rule, rr *spec.Rule, where string) bool {
	f := rule.Target()
	ok := true
	bad := func(format string, args ...any) {
		b.errorf(rr.Pos, "%s: %s", where, fmt.Sprintf(format, args...))
		ok = false
	}
	if !hasFieldKeys(rr) {
		bad("the rule has no constraint")
	}
	rule.Required = rr.Required
	if rr.Enum != "" {
		if rr.Enum != "known" {
			bad("enum: the only value is known")
		} else if f.Kind != KindEnum || f.Repeated {
			bad("enum: known applies to a single enum field, not %s", describe(f))
		}
		rule.EnumKnown = true
	}
	if len(rr.OneOf) > 0 {
		if f.Kind != KindEnum || f.Repeated {
			bad("one_of applies to a single enum field, not %s", describe(f))
		} else {
			seen := map[string]bool{}
			for _, name := range rr.OneOf {
				ev := f.Enum.Value(name)
				switch {
				case ev == nil:
					bad("one_of: %s has no value %s", f.Enum.FullName, name)
				case seen[name]:
					bad("one_of: %s is listed twice", name)
				default:
					rule.OneOf = append(rule.OneOf, ev)
				}
				seen[name] = true
			}
		}
	}
	if rr.Min != nil || rr.Max != nil {
		if f.Kind != KindScalar || !numeric[f.Scalar] || f.Repeated {
			bad("min and max apply to a single number, not %s", describe(f))
		}
		if rr.Min != nil && rr.Max != nil && *rr.Min > *rr.Max {
			bad("min %v is above max %v", *rr.Min, *rr.Max)
		}
		if numeric[f.Scalar] {
			for _, bound := range []struct {
				name string
				v    *float64
			}{{"min", rr.Min}, {"max", rr.Max}} {
				if bound.v == nil {
					continue
				}
				if msg := boundProblem(f.Scalar, bound.name, *bound.v); msg != "" {
					bad("%s", msg)
				}
			}
		}
		rule.Min, rule.Max = rr.Min, rr.Max
	}
	maxLen, maxLenLimit := b.bound(rule, rr.MaxLen, "max_len", bad)
	maxItems, maxItemsLimit := b.bound(rule, rr.MaxItems, "max_items", bad)
	if rr.MinLen != nil || maxLen != nil {
		if f.Kind != KindScalar || (f.Scalar != "string" && f.Scalar != "bytes") || f.Repeated {
			bad("min_len and max_len apply to a single string or bytes, not %s", describe(f))
		}
		if (rr.MinLen != nil && *rr.MinLen < 0) || (maxLen != nil && *maxLen <= 0) {
			bad("lengths must be positive")
		}
		rule.MinLen, rule.MaxLen, rule.MaxLenLimit = rr.MinLen, maxLen, maxLenLimit
	}
	if maxItems != nil {
		if !f.Repeated {
			bad("max_items applies to a repeated field, not %s", describe(f))
		}
		if *maxItems <= 0 {
			bad("max_items must be positive")
		}
		rule.MaxItems, rule.MaxItemsLimit = maxItems, maxItemsLimit
	}
	if rr.Format != "" {
		ft := Formats[rr.Format]
		switch {
		case ft == nil:
			names := make([]string, 0, len(Formats))
			for n := range Formats {
				names = append(names, n)
			}
			sort.Strings(names)
			bad("unknown format %q (known: %s)", rr.Format, strings.Join(names, ", "))
		case f.Kind != KindScalar || f.Scalar != ft.Scalar || f.Repeated:
			bad("format %s applies to a single %s, not %s", ft.Name, ft.Scalar, describe(f))
		case ft.With != "" && rr.With == "":
			bad("format %s needs with: naming a %s field", ft.Name, ft.With)
		case ft.With == "" && rr.With != "":
			bad("format %s takes no with", ft.Name)
		}
		rule.Format = ft
		if ft != nil && ft.With != "" && rr.With != "" {
			w := fieldByName(f.Parent, rr.With)
			if w == nil || w.Kind != KindScalar || w.Scalar != ft.With || w.Repeated {
				bad("with: %q must name a single %s field of %s", rr.With, ft.With, f.Parent.FullName)
			}
			rule.With = w
		}
	} else if rr.With != "" {
		bad("with is only used with format")
	}
	return ok
}

// boundProblem refuses a bound the field's Go type cannot hold, a fraction on
// an integer, and a bound that every value meets (it would check nothing).
func boundProblem(scalar, name string, v float64) string {
	if scalar == "double" || scalar == "float" {
		return ""
	}
	if v != math.Trunc(v) {
		return fmt.Sprintf("%s %v is not a whole number, but the field is %s", name, v, scalar)
	}
	lo, hi := intRange(scalar)
	if v < lo || v > hi {
		return fmt.Sprintf("%s %v does not fit %s", name, v, scalar)
	}
	if (name == "min" && v == lo) || (name == "max" && v == hi) {
		return fmt.Sprintf("%s %v holds for every %s: it checks nothing", name, v, scalar)
	}
	return ""
}

func intRange(scalar string) (lo, hi float64) {
	switch scalar {
	case "int32", "sint32", "sfixed32":
		return math.MinInt32, math.MaxInt32
	case "uint32", "fixed32":
		return 0, math.MaxUint32
	case "uint64", "fixed64":
		return 0, math.MaxUint64
	}
	return math.MinInt64, math.MaxInt64
}

func describe(f *Field) string {
	s := f.TypeName()
	if f.Repeated {
		s = "repeated " + s
	}
	return fmt.Sprintf("%s (%s)", f.Name, s)
}

func fieldByName(m *Message, name string) *Field {
	for _, f := range m.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// resolvePath follows dotted field names from the request. All but the last
// step must be single message fields unless allowRepeatedLast.
func (b *builder) resolvePath(a *Action, p Pos, path, where string) []*Field {
	m := a.Request
	var out []*Field
	parts := strings.Split(path, ".")
	for i, name := range parts {
		if m == nil {
			b.errorf(p, "%s: path %q: %s is not a message", where, path, parts[i-1])
			return nil
		}
		f := fieldByName(m, name)
		if f == nil {
			b.errorf(p, "%s: path %q: %s has no field %q", where, path, m.FullName, name)
			return nil
		}
		if f.Number == 1 && m == a.Request {
			b.errorf(p, "%s: path %q: the request field carries no rules", where, path)
			return nil
		}
		out = append(out, f)
		m = f.Message
		if i < len(parts)-1 && f.Repeated {
			b.errorf(p, "%s: path %q: %s is a list; only unique walks into lists", where, path, name)
			return nil
		}
	}
	return out
}

// check builds an action-level check.
func (b *builder) check(a *Action, rr *spec.Rule, where string) *Rule {
	rule := &Rule{Pos: rr.Pos, Action: a, Doc: rr.Doc}
	kinds := 0
	for _, set := range []bool{len(rr.When) > 0, len(rr.Exclusive) > 0, len(rr.RequireAny) > 0, rr.Unique != ""} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		b.errorf(rr.Pos, "%s: use one of when, exclusive, require_any, unique per check", where)
		return nil
	}
	switch {
	case len(rr.When) > 0:
		rule.Kind = RuleWhen
		if len(rr.When) != 1 || rr.Require == "" || hasFieldKeys(rr) || rr.Path != "" {
			b.errorf(rr.Pos, "%s: when takes exactly one enum field and a require, nothing else", where)
			return nil
		}
		for name, values := range rr.When {
			path := b.resolvePath(a, rr.Pos, name, where)
			if path == nil {
				return nil
			}
			f := path[len(path)-1]
			if len(path) != 1 || f.Kind != KindEnum || f.Repeated {
				b.errorf(rr.Pos, "%s: when: %s must be a single enum field of the request", where, name)
				return nil
			}
			rule.When = f
			for _, v := range values {
				var ev *EnumValue
				for _, x := range f.Enum.Values {
					if x.Name == v {
						ev = x
					}
				}
				if ev == nil {
					b.errorf(rr.Pos, "%s: when: %s has no value %s", where, f.Enum.FullName, v)
					return nil
				}
				rule.WhenValues = append(rule.WhenValues, ev)
			}
			if len(values) == 0 {
				b.errorf(rr.Pos, "%s: when: %s lists no values", where, name)
				return nil
			}
		}
		rule.Require = b.resolvePath(a, rr.Pos, rr.Require, where)
		if rule.Require == nil {
			return nil
		}
	case len(rr.Exclusive) > 0 || len(rr.RequireAny) > 0:
		names := rr.Exclusive
		rule.Kind = RuleExclusive
		if len(rr.RequireAny) > 0 {
			names, rule.Kind = rr.RequireAny, RuleRequireAny
		}
		if hasFieldKeys(rr) || rr.Require != "" {
			b.errorf(rr.Pos, "%s: exclusive and require_any take a field list and an optional path only", where)
			return nil
		}
		m := a.Request
		if rr.Path != "" {
			if rule.Kind == RuleExclusive {
				b.errorf(rr.Pos, "%s: exclusive takes no path", where)
				return nil
			}
			rule.Path = b.resolvePath(a, rr.Pos, rr.Path, where)
			if rule.Path == nil {
				return nil
			}
			if t := rule.Target(); t.Kind != KindMessage || t.Repeated {
				b.errorf(rr.Pos, "%s: path %q must lead to a single message", where, rr.Path)
				return nil
			}
			m = rule.Target().Message
		}
		if len(names) < 2 {
			b.errorf(rr.Pos, "%s: name at least two fields", where)
			return nil
		}
		for _, n := range names {
			f := fieldByName(m, n)
			if f == nil || (m == a.Request && f.Number == 1) {
				b.errorf(rr.Pos, "%s: %s has no field %q", where, m.FullName, n)
				return nil
			}
			rule.Fields = append(rule.Fields, f)
		}
	case rr.Unique != "":
		rule.Kind = RuleUnique
		if hasFieldKeys(rr) || rr.Require != "" || rr.Path != "" {
			b.errorf(rr.Pos, "%s: unique takes only list.field", where)
			return nil
		}
		i := strings.LastIndex(rr.Unique, ".")
		if i < 0 {
			b.errorf(rr.Pos, "%s: unique must be list.field", where)
			return nil
		}
		rule.Path = b.resolvePath(a, rr.Pos, rr.Unique[:i], where)
		if rule.Path == nil {
			return nil
		}
		list := rule.Target()
		if list.Kind != KindMessage || !list.Repeated {
			b.errorf(rr.Pos, "%s: unique: %s must be a repeated message field", where, list.Name)
			return nil
		}
		key := fieldByName(list.Message, rr.Unique[i+1:])
		if key == nil || key.Repeated || key.Kind == KindMessage || (key.Kind == KindScalar && key.Scalar == "bytes") {
			b.errorf(rr.Pos, "%s: unique: %s must name a single scalar or enum field of %s", where, rr.Unique[i+1:], list.Message.FullName)
			return nil
		}
		rule.Fields = []*Field{key}
	default:
		rule.Kind = RuleField
		if rr.Path == "" {
			b.errorf(rr.Pos, "%s: a field check needs a path (or write the rule on the field)", where)
			return nil
		}
		if rr.Require != "" {
			b.errorf(rr.Pos, "%s: require goes with when", where)
			return nil
		}
		rule.Path = b.resolvePath(a, rr.Pos, rr.Path, where)
		if rule.Path == nil {
			return nil
		}
		if !b.fieldConstraints(rule, rr, where) {
			return nil
		}
	}
	return rule
}

// checkClaims refuses a bad_payload minor that no rule and no handler claims.
func (b *builder) checkClaims() {
	for _, a := range b.s.Actions {
		if a.BadPayload == nil {
			continue
		}
		for _, mn := range a.BadPayload.Minors {
			if len(mn.Rules) == 0 && !mn.Handler {
				b.errorf(mn.Pos, "error %d %s: minor %d (%s) is claimed by no rule of action %d %s and is not in its handler_minors",
					a.BadPayload.Code, a.BadPayload.Name, mn.Code, mn.ID, a.ID, a.Name)
			}
		}
	}
}
