package spectest

// This file derives requests from the spec model: a valid baseline per
// action, and for every constraint of every rule a copy of the baseline that
// breaks exactly that constraint. validate_minors_test.go runs them and
// fuzz_test.go seeds the fuzzer with them.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gapd/gapd/generated/dispatch"
	_ "github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/generator/spec"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// pbPackage is the protobuf package every generated message lives in.
const pbPackage = "proto"

var (
	modelOnce sync.Once
	modelSpec *ir.Spec
	modelErr  error
)

// loadModel loads and checks ../spec once per test binary.
func loadModel(tb testing.TB) *ir.Spec {
	tb.Helper()
	modelOnce.Do(func() {
		raw, err := spec.Load("../spec")
		if err != nil {
			modelErr = err
			return
		}
		modelSpec, modelErr = ir.Build(raw)
	})
	if modelErr != nil {
		tb.Fatalf("loading the spec: %v", modelErr)
	}
	return modelSpec
}

// messageIndex maps the protobuf full name of every message of the model
// (proto.ClientCondition.Room) to the model's message.
func messageIndex(s *ir.Spec) map[protoreflect.FullName]*ir.Message {
	out := map[protoreflect.FullName]*ir.Message{}
	var add func(m *ir.Message)
	add = func(m *ir.Message) {
		out[protoreflect.FullName(pbPackage+"."+m.FullName)] = m
		for _, n := range m.Messages {
			add(n)
		}
	}
	for _, f := range s.Files {
		for _, m := range f.Messages {
			add(m)
		}
	}
	return out
}

// actionRules lists every rule of a in the order the validator runs them:
// field rules of the request and of the messages nested in it, then checks.
func actionRules(a *ir.Action) []*ir.Rule {
	var out []*ir.Rule
	var walk func(m *ir.Message)
	walk = func(m *ir.Message) {
		for _, f := range m.Fields {
			out = append(out, f.Rules...)
		}
		for _, n := range m.Messages {
			walk(n)
		}
	}
	if a.Request != nil {
		walk(a.Request)
	}
	return append(out, a.Checks...)
}

// constraints names the separate ways a rule can be broken, in the words the
// subtests use.
func constraints(r *ir.Rule) []string {
	var out []string
	switch r.Kind {
	case ir.RuleField:
		if r.Required {
			out = append(out, "required")
		}
		if r.EnumKnown {
			out = append(out, "enum")
		}
		if len(r.OneOf) > 0 {
			out = append(out, "one_of")
		}
		if r.Min != nil {
			out = append(out, "min")
		}
		if r.Max != nil {
			out = append(out, "max")
		}
		if r.MinLen != nil {
			out = append(out, "min_len")
		}
		if r.MaxLen != nil {
			out = append(out, "max_len")
		}
		if r.MaxItems != nil {
			out = append(out, "max_items")
		}
		if r.Format != nil {
			out = append(out, "format")
		}
	case ir.RuleWhen:
		for _, v := range r.WhenValues {
			out = append(out, "when="+v.Name)
		}
	case ir.RuleExclusive:
		out = append(out, "exclusive")
	case ir.RuleRequireAny:
		out = append(out, "require_any")
	case ir.RuleUnique:
		out = append(out, "unique")
	}
	return out
}

// boundable are the constraints whose bound itself must be accepted.
var boundable = map[string]bool{"min": true, "max": true, "min_len": true, "max_len": true, "max_items": true}

// formatSample is a value each format accepts and one it refuses. Neither is
// empty, so a required rule on the same field still holds.
type formatSample struct{ good, bad any }

var formatSamples = map[string]formatSample{
	"iso_country":    {"IR", "ZZ"},
	"phone_national": {uint64(9123456789), uint64(1)},
	"phone":          {"+989123456789", "12ab"},
	"email":          {"a@example.com", "not-an-email"},
	"name":           {"Ali \u200d", "abc\u202e"},
	"message":        {"line\nline\t", "bell\a"},
	"username":       {"alice_1", "9lives"},
	"sha256":         {sha256Sample(32), sha256Sample(31)},
	"token":          {"tok123", "tok en"},
}

func sha256Sample(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i + 1)
	}
	return b
}

// withCountry is what a field named by a rule's `with` holds in a baseline; it
// matches the phone_national sample.
const withCountry = "IR"

// maxFillDepth bounds how deep a baseline fills optional messages.
const maxFillDepth = 6

// builder fills requests of one action.
type builder struct {
	a      *ir.Action
	route  *wire.Route
	msgs   map[protoreflect.FullName]*ir.Message
	rules  []*ir.Rule
	field  map[*ir.Field][]*ir.Rule // field rules (written or by path) by target
	with   map[*ir.Field]bool       // fields a format reads as its second value
	unique map[*ir.Field][]*ir.Field
	excl   []*ir.Rule
	when   []*ir.Rule
	prefer map[*ir.Field]bool // exclusive fields a case needs kept
}

func newBuilder(a *ir.Action, msgs map[protoreflect.FullName]*ir.Message) (*builder, error) {
	r := dispatch.Lookup(uint16(a.ID))
	if r == nil {
		return nil, fmt.Errorf("action %d %s has no route", a.ID, a.Name)
	}
	b := &builder{
		a: a, route: r, msgs: msgs, rules: actionRules(a),
		field: map[*ir.Field][]*ir.Rule{}, with: map[*ir.Field]bool{}, unique: map[*ir.Field][]*ir.Field{},
	}
	for _, rule := range b.rules {
		switch rule.Kind {
		case ir.RuleField:
			b.field[rule.Target()] = append(b.field[rule.Target()], rule)
			if rule.With != nil {
				b.with[rule.With] = true
			}
		case ir.RuleUnique:
			b.unique[rule.Target()] = append(b.unique[rule.Target()], rule.Fields...)
		case ir.RuleExclusive:
			b.excl = append(b.excl, rule)
		case ir.RuleWhen:
			b.when = append(b.when, rule)
		}
	}
	return b, nil
}

// baseline returns a request that every rule accepts, keeping the fields in
// prefer where an exclusive rule makes a choice.
func (b *builder) baseline(prefer map[*ir.Field]bool) (proto.Message, error) {
	b.prefer = prefer
	req := b.route.NewRequest()
	if err := b.fill(req.ProtoReflect(), 0); err != nil {
		return nil, err
	}
	b.fixWhen(req.ProtoReflect())
	return req, nil
}

// irMessage returns the model's message behind a descriptor.
func (b *builder) irMessage(md protoreflect.MessageDescriptor) (*ir.Message, error) {
	im := b.msgs[md.FullName()]
	if im == nil {
		return nil, fmt.Errorf("descriptor %s has no message in the spec model", md.FullName())
	}
	return im, nil
}

func irField(im *ir.Message, n protoreflect.FieldNumber) *ir.Field {
	for _, f := range im.Fields {
		if f.Number == int32(n) {
			return f
		}
	}
	return nil
}

// fd returns the descriptor of the model's field f within m.
func fd(m protoreflect.Message, f *ir.Field) (protoreflect.FieldDescriptor, error) {
	d := m.Descriptor().Fields().ByNumber(protoreflect.FieldNumber(f.Number))
	if d == nil || string(d.Name()) != f.Name {
		return nil, fmt.Errorf("%s has no field %d %s", m.Descriptor().FullName(), f.Number, f.Name)
	}
	return d, nil
}

// fill sets every field of m to a value the rules accept.
func (b *builder) fill(m protoreflect.Message, depth int) error {
	im, err := b.irMessage(m.Descriptor())
	if err != nil {
		return err
	}
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		d := fields.Get(i)
		f := irField(im, d.Number())
		if f == nil || f.Name != string(d.Name()) {
			return fmt.Errorf("%s: descriptor field %d %s is not in the spec model", im.FullName, d.Number(), d.Name())
		}
		if d.Message() != nil && depth >= maxFillDepth && !b.required(f) {
			continue
		}
		if err := b.setValid(m, d, f, 1, depth); err != nil {
			return err
		}
	}
	for _, r := range b.excl {
		if r.Fields[0].Parent != im {
			continue
		}
		keep := r.Fields[0]
		for _, f := range r.Fields {
			if b.prefer[f] {
				keep = f
				break
			}
		}
		for _, f := range r.Fields {
			if f != keep {
				d, err := fd(m, f)
				if err != nil {
					return err
				}
				m.Clear(d)
			}
		}
	}
	return nil
}

func (b *builder) required(f *ir.Field) bool {
	for _, r := range b.field[f] {
		if r.Required {
			return true
		}
	}
	return false
}

// setValid gives field d of m a valid value; a list gets n entries.
func (b *builder) setValid(m protoreflect.Message, d protoreflect.FieldDescriptor, f *ir.Field, n, depth int) error {
	m.Clear(d)
	switch {
	case d.IsMap():
		return fmt.Errorf("%s: maps are not supported", d.FullName())
	case d.IsList():
		list := m.Mutable(d).List()
		for i := 0; i < n; i++ {
			if d.Message() != nil {
				el := list.NewElement()
				if err := b.fill(el.Message(), depth+1); err != nil {
					return err
				}
				if err := b.distinctKeys(el.Message(), f, i); err != nil {
					return err
				}
				list.Append(el)
				continue
			}
			v, err := b.scalar(f, d, i)
			if err != nil {
				return err
			}
			list.Append(v)
		}
	case d.Message() != nil:
		return b.fill(m.Mutable(d).Message(), depth+1)
	default:
		v, err := b.scalar(f, d, 0)
		if err != nil {
			return err
		}
		m.Set(d, v)
	}
	return nil
}

// distinctKeys gives entry i of list field f its own value of every field a
// unique rule compares.
func (b *builder) distinctKeys(el protoreflect.Message, list *ir.Field, i int) error {
	for _, k := range b.unique[list] {
		d, err := fd(el, k)
		if err != nil {
			return err
		}
		v, err := b.scalar(k, d, i)
		if err != nil {
			return err
		}
		el.Set(d, v)
	}
	return nil
}

// limits merges the field rules on f.
type limits struct {
	format         *ir.Format
	min, max       *float64
	minLen, maxLen *int
	required       bool
	oneOf          []*ir.EnumValue
}

func (b *builder) limits(f *ir.Field) limits {
	var l limits
	for _, r := range b.field[f] {
		if r.Format != nil {
			l.format = r.Format
		}
		if r.Min != nil && (l.min == nil || *r.Min > *l.min) {
			l.min = r.Min
		}
		if r.Max != nil && (l.max == nil || *r.Max < *l.max) {
			l.max = r.Max
		}
		if r.MinLen != nil && (l.minLen == nil || *r.MinLen > *l.minLen) {
			l.minLen = r.MinLen
		}
		if r.MaxLen != nil && (l.maxLen == nil || *r.MaxLen < *l.maxLen) {
			l.maxLen = r.MaxLen
		}
		l.required = l.required || r.Required
		if len(r.OneOf) > 0 {
			l.oneOf = r.OneOf
		}
	}
	return l
}

// scalar is a valid value of a scalar or enum field; i varies it for list
// entries and unique keys.
func (b *builder) scalar(f *ir.Field, d protoreflect.FieldDescriptor, i int) (protoreflect.Value, error) {
	l := b.limits(f)
	if b.with[f] {
		return protoreflect.ValueOfString(withCountry), nil
	}
	if l.format != nil {
		s, ok := formatSamples[l.format.Name]
		if !ok {
			return protoreflect.Value{}, fmt.Errorf("%s: no sample for format %s", d.FullName(), l.format.Name)
		}
		return scalarOf(d, s.good)
	}
	switch d.Kind() {
	case protoreflect.EnumKind:
		if len(l.oneOf) > 0 {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(l.oneOf[i%len(l.oneOf)].Number)), nil
		}
		vals := d.Enum().Values()
		idx := (1 + i) % vals.Len()
		if vals.Len() == 1 {
			idx = 0
		}
		return protoreflect.ValueOfEnum(vals.Get(idx).Number()), nil
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true), nil
	case protoreflect.StringKind, protoreflect.BytesKind:
		s := "hello"
		if i > 0 {
			s += strconv.Itoa(i)
		}
		if l.maxLen != nil && utf8.RuneCountInString(s) > *l.maxLen {
			s = strings.Repeat("a", *l.maxLen)
		}
		if l.minLen != nil && utf8.RuneCountInString(s) < *l.minLen {
			s = strings.Repeat("a", *l.minLen)
		}
		if d.Kind() == protoreflect.BytesKind {
			return protoreflect.ValueOfBytes([]byte(s)), nil
		}
		return protoreflect.ValueOfString(s), nil
	}
	x := float64(1 + i)
	if l.min != nil && x < *l.min {
		x = math.Ceil(*l.min)
	}
	if l.max != nil && x > *l.max {
		x = math.Floor(*l.max)
	}
	v, ok := number(d.Kind(), x)
	if !ok {
		return protoreflect.Value{}, fmt.Errorf("%s: cannot hold %v", d.FullName(), x)
	}
	return v, nil
}

// scalarOf wraps a Go sample in a value of d's kind.
func scalarOf(d protoreflect.FieldDescriptor, x any) (protoreflect.Value, error) {
	switch v := x.(type) {
	case string:
		if d.Kind() == protoreflect.StringKind {
			return protoreflect.ValueOfString(v), nil
		}
	case []byte:
		if d.Kind() == protoreflect.BytesKind {
			return protoreflect.ValueOfBytes(append([]byte(nil), v...)), nil
		}
	case uint64:
		if n, ok := number(d.Kind(), float64(v)); ok {
			return n, nil
		}
	}
	return protoreflect.Value{}, fmt.Errorf("%s (%s) cannot hold the sample %v", d.FullName(), d.Kind(), x)
}

// number converts x to a value of a numeric kind; ok is false when the kind
// cannot hold it exactly.
func number(k protoreflect.Kind, x float64) (protoreflect.Value, bool) {
	integral := x == math.Trunc(x) && !math.IsInf(x, 0)
	switch k {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(x)), integral && x >= math.MinInt32 && x <= math.MaxInt32
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(x)), integral && x >= math.MinInt64 && x < math.MaxInt64
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(x)), integral && x >= 0 && x <= math.MaxUint32
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(x)), integral && x >= 0 && x < math.MaxUint64
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(x)), float64(float32(x)) == x
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(x), true
	}
	return protoreflect.Value{}, false
}

// below and above are the nearest values of kind k outside [min, max]: the
// next integer, or the next representable float, so a validator whose bound
// is off by any amount is caught.
func below(k protoreflect.Kind, min float64) (protoreflect.Value, bool) {
	switch k {
	case protoreflect.DoubleKind:
		return number(k, math.Nextafter(min, math.Inf(-1)))
	case protoreflect.FloatKind:
		x := float64(math.Nextafter32(float32(min), float32(math.Inf(-1))))
		v, ok := number(k, x)
		return v, ok && x < min
	}
	return number(k, math.Ceil(min)-1)
}

func above(k protoreflect.Kind, max float64) (protoreflect.Value, bool) {
	switch k {
	case protoreflect.DoubleKind:
		return number(k, math.Nextafter(max, math.Inf(1)))
	case protoreflect.FloatKind:
		x := float64(math.Nextafter32(float32(max), float32(math.Inf(1))))
		v, ok := number(k, x)
		return v, ok && x > max
	}
	return number(k, math.Floor(max)+1)
}

// sized is a string of n characters that the format (or none) accepts apart
// from its length; multi selects two-byte characters where the format allows
// them, so a validator counting bytes instead of characters is caught.
func sized(format *ir.Format, n int, multi bool) string {
	if n <= 0 {
		return ""
	}
	name := ""
	if format != nil {
		name = format.Name
	}
	switch name {
	case "email":
		const at = "@example.com"
		if n > len(at) {
			return strings.Repeat("a", n-len(at)) + at
		}
	case "phone":
		const p = "+989123456789"
		if n > len(p) {
			return p + strings.Repeat(" ", n-len(p))
		}
		return strings.Repeat("9", n)
	case "", "name", "message":
		if multi {
			return strings.Repeat("é", n)
		}
	}
	return strings.Repeat("a", n)
}

// walk follows path from m, giving unset messages on the way a valid value
// and stepping into the first entry of lists.
func (b *builder) walk(m protoreflect.Message, path []*ir.Field) (protoreflect.Message, error) {
	for _, f := range path {
		d, err := fd(m, f)
		if err != nil {
			return nil, err
		}
		switch {
		case d.Message() == nil:
			return nil, fmt.Errorf("path step %s is not a message", f.Name)
		case d.IsList():
			if m.Get(d).List().Len() == 0 {
				if err := b.setValid(m, d, f, 1, 1); err != nil {
					return nil, err
				}
			}
			m = m.Mutable(d).List().Get(0).Message()
		default:
			if !m.Has(d) {
				if err := b.setValid(m, d, f, 1, 1); err != nil {
					return nil, err
				}
			}
			m = m.Mutable(d).Message()
		}
	}
	return m, nil
}

// routeTo is the shortest chain of message fields from the request to an
// instance of target.
func routeTo(from, target *ir.Message) []*ir.Field {
	type step struct {
		m    *ir.Message
		path []*ir.Field
	}
	seen := map[*ir.Message]bool{from: true}
	queue := []step{{m: from}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.m == target {
			return s.path
		}
		for _, f := range s.m.Fields {
			if f.Kind != ir.KindMessage || seen[f.Message] {
				continue
			}
			seen[f.Message] = true
			p := append(append([]*ir.Field(nil), s.path...), f)
			queue = append(queue, step{f.Message, p})
		}
	}
	return nil
}

// start is the chain from the request to the message a rule's Path begins
// at: nothing for request rules, the way to the nested message otherwise.
func (b *builder) start(r *ir.Rule) ([]*ir.Field, error) {
	if !r.Nested {
		return nil, nil
	}
	from := r.Path[0].Parent
	p := routeTo(b.a.Request, from)
	if p == nil {
		return nil, fmt.Errorf("no way from %s to %s", b.a.Request.FullName, from.FullName)
	}
	return p, nil
}

// setOf collects fields a case needs present.
func setOf(lists ...[]*ir.Field) map[*ir.Field]bool {
	out := map[*ir.Field]bool{}
	for _, l := range lists {
		for _, f := range l {
			out[f] = true
		}
	}
	return out
}

// isSet reports whether the value at path from m is set.
func isSet(m protoreflect.Message, path []*ir.Field) bool {
	for i, f := range path {
		d, err := fd(m, f)
		if err != nil || !m.Has(d) {
			return false
		}
		if i < len(path)-1 {
			m = m.Get(d).Message()
		}
	}
	return true
}

// fixWhen moves an enum that a when-check watches to a value whose
// requirement the baseline meets, when the current value's is not.
func (b *builder) fixWhen(req protoreflect.Message) {
	ok := func() bool {
		for _, r := range b.when {
			d, err := fd(req, r.When)
			if err != nil {
				return false
			}
			cur := req.Get(d).Enum()
			for _, v := range r.WhenValues {
				if protoreflect.EnumNumber(v.Number) == cur && !isSet(req, r.Require) {
					return false
				}
			}
		}
		return true
	}
	if ok() {
		return
	}
	for _, r := range b.when {
		d, err := fd(req, r.When)
		if err != nil {
			continue
		}
		vals := d.Enum().Values()
		for i := 0; i < vals.Len(); i++ {
			req.Set(d, protoreflect.ValueOfEnum(vals.Get(i).Number()))
			if ok() {
				return
			}
		}
	}
}

// vcase is one request run through a route.
type vcase struct {
	Action *ir.Action
	Route  *wire.Route
	Rule   *ir.Rule  // nil for a baseline
	Minor  *ir.Minor // the minor it must fail with; nil when it must pass
	Name   string    // "baseline", "203.18/max", "203.18/max@bound"
	Req    proto.Message
}

// actionCases builds the baseline of a, one violating request per
// constraint of each of its rules, and one accepted request at each bound.
// problems lists what could not be built.
func actionCases(a *ir.Action, msgs map[protoreflect.FullName]*ir.Message) (cases []vcase, problems []string) {
	b, err := newBuilder(a, msgs)
	if err != nil {
		return nil, []string{err.Error()}
	}
	base, err := b.baseline(nil)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: baseline: %v", a.Name, err)}
	}
	cases = append(cases, vcase{Action: a, Route: b.route, Name: "baseline", Req: base})

	// Name the constraint alone unless a minor has it twice.
	type key struct {
		mn *ir.Minor
		c  string
	}
	count := map[key]int{}
	for _, r := range b.rules {
		for _, c := range constraints(r) {
			count[key{r.Minor, c}]++
		}
	}
	for _, r := range b.rules {
		cs := constraints(r)
		if len(cs) == 0 {
			problems = append(problems, fmt.Sprintf("%s minor %d (%s): the rule has no constraint this test can break", a.Name, r.Minor.Code, where(r.Pos)))
		}
		for _, c := range cs {
			name := c
			if count[key{r.Minor, c}] > 1 {
				name += "@" + rulePath(r)
			}
			prefix := fmt.Sprintf("%d.%d/", r.Minor.Error.Code, r.Minor.Code)
			req, err := b.violate(r, c)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s %s%s (%s): cannot break: %v", a.Name, prefix, name, where(r.Pos), err))
				continue
			}
			cases = append(cases, vcase{Action: a, Route: b.route, Rule: r, Minor: r.Minor, Name: prefix + name, Req: req})
			if boundable[c] {
				req, err := b.atBound(r, c)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s %s%s@bound (%s): %v", a.Name, prefix, name, where(r.Pos), err))
					continue
				}
				cases = append(cases, vcase{Action: a, Route: b.route, Rule: r, Name: prefix + name + "@bound", Req: req})
			}
		}
	}
	return cases, problems
}

// rulePath spells a rule's path for subtest names.
func rulePath(r *ir.Rule) string {
	var parts []string
	if r.Nested && len(r.Path) > 0 {
		parts = append(parts, r.Path[0].Parent.Name)
	}
	for _, f := range r.Path {
		parts = append(parts, f.Name)
	}
	if r.Kind == ir.RuleWhen {
		parts = append(parts, r.When.Name)
		for _, f := range r.Require {
			parts = append(parts, f.Name)
		}
	}
	return strings.Join(parts, ".")
}

// target prepares a copy of the baseline for a field rule and returns it with
// the message holding the rule's target and the target's descriptor.
func (b *builder) target(r *ir.Rule) (proto.Message, protoreflect.Message, protoreflect.FieldDescriptor, error) {
	pre, err := b.start(r)
	if err != nil {
		return nil, nil, nil, err
	}
	req, err := b.baseline(setOf(pre, r.Path))
	if err != nil {
		return nil, nil, nil, err
	}
	parent, err := b.walk(req.ProtoReflect(), append(append([]*ir.Field(nil), pre...), r.Path[:len(r.Path)-1]...))
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := fd(parent, r.Target())
	if err != nil {
		return nil, nil, nil, err
	}
	return req, parent, d, nil
}

// violate returns a copy of the baseline that breaks constraint c of r only.
func (b *builder) violate(r *ir.Rule, c string) (proto.Message, error) {
	switch r.Kind {
	case ir.RuleField:
		return b.violateField(r, c)
	case ir.RuleWhen:
		name := strings.TrimPrefix(c, "when=")
		var val *ir.EnumValue
		for _, v := range r.WhenValues {
			if v.Name == name {
				val = v
			}
		}
		if val == nil {
			return nil, fmt.Errorf("no value %s", name)
		}
		req, err := b.baseline(setOf([]*ir.Field{r.When}, r.Require))
		if err != nil {
			return nil, err
		}
		m := req.ProtoReflect()
		d, err := fd(m, r.When)
		if err != nil {
			return nil, err
		}
		m.Set(d, protoreflect.ValueOfEnum(protoreflect.EnumNumber(val.Number)))
		parent, err := b.walk(m, r.Require[:len(r.Require)-1])
		if err != nil {
			return nil, err
		}
		rd, err := fd(parent, r.Require[len(r.Require)-1])
		if err != nil {
			return nil, err
		}
		parent.Clear(rd)
		return req, nil
	case ir.RuleExclusive:
		req, err := b.baseline(nil)
		if err != nil {
			return nil, err
		}
		m := req.ProtoReflect()
		for _, f := range r.Fields {
			d, err := fd(m, f)
			if err != nil {
				return nil, err
			}
			if !m.Has(d) {
				if err := b.setValid(m, d, f, 1, 1); err != nil {
					return nil, err
				}
			}
		}
		return req, nil
	case ir.RuleRequireAny:
		req, err := b.baseline(setOf(r.Path))
		if err != nil {
			return nil, err
		}
		parent, err := b.walk(req.ProtoReflect(), r.Path)
		if err != nil {
			return nil, err
		}
		for _, f := range r.Fields {
			d, err := fd(parent, f)
			if err != nil {
				return nil, err
			}
			parent.Clear(d)
		}
		return req, nil
	case ir.RuleUnique:
		req, err := b.baseline(setOf(r.Path))
		if err != nil {
			return nil, err
		}
		parent, err := b.walk(req.ProtoReflect(), r.Path[:len(r.Path)-1])
		if err != nil {
			return nil, err
		}
		d, err := fd(parent, r.Target())
		if err != nil {
			return nil, err
		}
		if parent.Get(d).List().Len() == 0 {
			if err := b.setValid(parent, d, r.Target(), 1, 1); err != nil {
				return nil, err
			}
		}
		list := parent.Mutable(d).List()
		first := list.Get(0).Message().Interface()
		list.Truncate(1)
		list.Append(protoreflect.ValueOfMessage(proto.Clone(first).ProtoReflect()))
		return req, nil
	}
	return nil, fmt.Errorf("unknown rule kind %d", r.Kind)
}

func (b *builder) violateField(r *ir.Rule, c string) (proto.Message, error) {
	req, parent, d, err := b.target(r)
	if err != nil {
		return nil, err
	}
	f := r.Target()
	switch c {
	case "required":
		parent.Clear(d)
	case "enum":
		vals := d.Enum().Values()
		n := protoreflect.EnumNumber(0)
		for i := 0; i < vals.Len(); i++ {
			n = max(n, vals.Get(i).Number())
		}
		if n == math.MaxInt32 {
			return nil, fmt.Errorf("%s uses every number", d.Enum().FullName())
		}
		parent.Set(d, protoreflect.ValueOfEnum(n+1))
	case "one_of":
		// A value the enum has, but not one the rule allows.
		allowed := map[int32]bool{}
		for _, ev := range r.OneOf {
			allowed[ev.Number] = true
		}
		vals := d.Enum().Values()
		found := false
		for i := 0; i < vals.Len() && !found; i++ {
			if n := vals.Get(i).Number(); !allowed[int32(n)] {
				parent.Set(d, protoreflect.ValueOfEnum(n))
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: one_of allows every value", d.FullName())
		}
	case "min":
		v, ok := below(d.Kind(), *r.Min)
		if !ok {
			return nil, fmt.Errorf("%s (%s) cannot hold a value below min %v", f.Name, d.Kind(), *r.Min)
		}
		parent.Set(d, v)
	case "max":
		v, ok := above(d.Kind(), *r.Max)
		if !ok {
			return nil, fmt.Errorf("%s (%s) cannot hold a value above max %v", f.Name, d.Kind(), *r.Max)
		}
		parent.Set(d, v)
	case "min_len":
		if *r.MinLen == 0 {
			return nil, fmt.Errorf("%s: nothing is shorter than min_len 0", f.Name)
		}
		setSized(parent, d, b.limits(f).format, *r.MinLen-1, false)
	case "max_len":
		setSized(parent, d, b.limits(f).format, *r.MaxLen+1, false)
	case "max_items":
		if err := b.setValid(parent, d, f, *r.MaxItems+1, 1); err != nil {
			return nil, err
		}
	case "format":
		s, ok := formatSamples[r.Format.Name]
		if !ok {
			return nil, fmt.Errorf("no sample for format %s", r.Format.Name)
		}
		v, err := scalarOf(d, s.bad)
		if err != nil {
			return nil, err
		}
		parent.Set(d, v)
	default:
		return nil, fmt.Errorf("unknown constraint %s", c)
	}
	return req, nil
}

// atBound returns a copy of the baseline whose target sits exactly on the
// bound of constraint c; it must be accepted.
func (b *builder) atBound(r *ir.Rule, c string) (proto.Message, error) {
	req, parent, d, err := b.target(r)
	if err != nil {
		return nil, err
	}
	f := r.Target()
	l := b.limits(f)
	switch c {
	case "min", "max":
		var x float64
		if c == "min" {
			x = *r.Min
		} else {
			x = *r.Max
		}
		if d.Kind() != protoreflect.FloatKind && d.Kind() != protoreflect.DoubleKind {
			if c == "min" {
				x = math.Ceil(x)
			} else {
				x = math.Floor(x)
			}
		}
		if (l.min != nil && x < *l.min) || (l.max != nil && x > *l.max) {
			return nil, fmt.Errorf("%s: the bound %v is outside another rule's range", f.Name, x)
		}
		v, ok := number(d.Kind(), x)
		if !ok {
			return nil, fmt.Errorf("%s (%s) cannot hold its bound %v", f.Name, d.Kind(), x)
		}
		parent.Set(d, v)
	case "min_len":
		setSized(parent, d, l.format, *r.MinLen, true)
	case "max_len":
		setSized(parent, d, l.format, *r.MaxLen, true)
	case "max_items":
		if err := b.setValid(parent, d, f, *r.MaxItems, 1); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// setSized sets a string of n characters, or bytes of n bytes.
func setSized(m protoreflect.Message, d protoreflect.FieldDescriptor, format *ir.Format, n int, multi bool) {
	if d.Kind() == protoreflect.BytesKind {
		m.Set(d, protoreflect.ValueOfBytes([]byte(strings.Repeat("b", max(n, 0)))))
		return
	}
	m.Set(d, protoreflect.ValueOfString(sized(format, n, multi)))
}

// allCases builds the cases of every action of the model.
func allCases(s *ir.Spec) (cases []vcase, problems []string) {
	msgs := messageIndex(s)
	for _, a := range s.Actions {
		c, p := actionCases(a, msgs)
		cases = append(cases, c...)
		problems = append(problems, p...)
	}
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].Action.ID < cases[j].Action.ID })
	return cases, problems
}

// where spells a spec position as file:line.
func where(p ir.Pos) string { return fmt.Sprintf("%s:%d", p.File, p.Line) }
