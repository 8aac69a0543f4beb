package ir

import (
	"fmt"
	"strconv"

	"github.com/gapd/gapd/generator/spec"
)

// Limit is a number an action's behaviour and rules share (a page size, a
// cap on changes per request), said once in the spec and emitted as a Go
// constant that handlers and validators both read.
type Limit struct {
	Pos
	Name   string // snake_case, unique in its action
	GoName string // action name + CamelCase(Name): ClientGetRoomListPage
	Value  int64
	Doc    string
	Action *Action
	// Field is the request field it bounds (nil: none stated); a rule bound
	// on that field must name the limit rather than restate or contradict it.
	Field []*Field
	Rules []*Rule // rules whose bound is this limit
}

// buildLimits reads every action's limits; rules resolve their names later.
func (b *builder) buildLimits() {
	for _, a := range b.s.Actions {
		r := b.rawActs[a]
		for i := range r.Limits {
			rl := &r.Limits[i]
			where := fmt.Sprintf("action %d %s: limit %q", a.ID, a.Name, rl.Name)
			if !isSnake(rl.Name) {
				b.errorf(rl.Pos, "%s: name must be snake_case", where)
				continue
			}
			if prev := a.NamedLimit(rl.Name); prev != nil {
				b.errorf(rl.Pos, "%s: defined twice (also %s:%d)", where, prev.File, prev.Line)
				continue
			}
			if rl.Value <= 0 {
				b.errorf(rl.Pos, "%s: value must be positive", where)
				continue
			}
			l := &Limit{Pos: rl.Pos, Name: rl.Name, GoName: a.Name + snakeToCamel(rl.Name), Value: rl.Value, Doc: rl.Doc, Action: a}
			if rl.Field != "" {
				if l.Field = b.resolvePath(a, rl.Pos, rl.Field, where); l.Field == nil {
					continue
				}
			}
			a.Limits = append(a.Limits, l)
		}
	}
}

// NamedLimit returns the action's limit with the given name, or nil.
func (a *Action) NamedLimit(name string) *Limit {
	for _, l := range a.Limits {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// bound resolves a max_len or max_items as written: a number, or the name of
// one of the action's limits.
func (b *builder) bound(rule *Rule, raw *spec.Bound, key string, bad func(string, ...any)) (*int, *Limit) {
	if raw == nil {
		return nil, nil
	}
	if n, err := strconv.Atoi(string(*raw)); err == nil {
		return &n, nil
	}
	l := rule.Action.NamedLimit(string(*raw))
	if l == nil {
		bad("%s: %q is neither a number nor a limit of action %d %s", key, *raw, rule.Action.ID, rule.Action.Name)
		return nil, nil
	}
	n := int(l.Value)
	l.Rules = append(l.Rules, rule)
	return &n, l
}

// checkLimitFields refuses a rule on a limit's field whose bound restates
// the limit as a number or contradicts it: the spec says the number once.
func (b *builder) checkLimitFields() {
	for _, a := range b.s.Actions {
		for _, l := range a.Limits {
			if l.Field == nil {
				continue
			}
			target := l.Field[len(l.Field)-1]
			rules := append([]*Rule(nil), target.Rules...)
			for _, r := range a.Checks {
				if r.Kind == RuleField && r.Target() == target {
					rules = append(rules, r)
				}
			}
			for _, r := range rules {
				for _, bd := range []struct {
					key   string
					n     *int
					limit *Limit
				}{{"max_len", r.MaxLen, r.MaxLenLimit}, {"max_items", r.MaxItems, r.MaxItemsLimit}} {
					if bd.n == nil || bd.limit == l {
						continue
					}
					b.errorf(r.Pos, "action %d %s: rule %s: %d on %s, which limit %s (%d, %s:%d) bounds: write %s: %s",
						a.ID, a.Name, bd.key, *bd.n, target.Name, l.Name, l.Value, l.File, l.Line, bd.key, l.Name)
				}
				if r.Max != nil {
					b.errorf(r.Pos, "action %d %s: rule max: %v on %s, which limit %s (%d, %s:%d) bounds: state the number once, in the limit",
						a.ID, a.Name, *r.Max, target.Name, l.Name, l.Value, l.File, l.Line)
				}
			}
		}
	}
}
