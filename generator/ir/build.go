package ir

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gapd/gapd/generator/spec"
	"github.com/gapd/gapd/wire"
)

// Build checks the raw spec and returns the model. All problems are reported
// together, each naming the file, line and entry at fault.
func Build(raw *spec.Spec) (*Spec, error) {
	b := &builder{
		s:       &Spec{actionByID: map[uint32]*Action{}, errorByCod: map[uint32]*Error{}},
		types:   map[string]any{},
		rawActs: map[*Action]*spec.Action{},
	}
	b.buildErrors(raw.Errors)
	b.systemErrors()
	b.buildFiles(raw)
	if len(b.diags) == 0 {
		// Types must resolve before actions and rules can be checked.
		b.resolveTypes()
	}
	if len(b.diags) == 0 {
		b.bindErrors()
		b.buildLimits()
		b.buildPayloads(raw.Types.Payloads)
		b.buildRules()
		b.checkLimitFields()
		b.checkClaims()
		b.buildRefusals()
		b.buildRoles(raw.Roles)
	}
	if len(b.diags) > 0 {
		return nil, &SpecError{Problems: b.diags}
	}
	return b.s, nil
}

// SpecError lists every problem found in a spec.
type SpecError struct{ Problems []string }

func (e *SpecError) Error() string {
	return fmt.Sprintf("spec has %d problem(s):\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// IsSpecError reports whether err lists spec problems.
func IsSpecError(err error) bool {
	var se *SpecError
	return errors.As(err, &se)
}

type builder struct {
	s       *Spec
	diags   []string
	types   map[string]any // FullName -> *Message or *Enum
	rawActs map[*Action]*spec.Action
	fields  []*fieldRef // every field, with its raw entry, for type resolution
}

type fieldRef struct {
	f   *Field
	raw *spec.Field
}

func (b *builder) errorf(p Pos, format string, args ...any) {
	b.diags = append(b.diags, fmt.Sprintf("%s:%d: %s", p.File, p.Line, fmt.Sprintf(format, args...)))
}

// groups are the catalogue's sections, in its order.
var groups = []struct{ key, heading string }{
	{"system", "System Errors (xx)"},
	{"user", "User Errors (1xx)"},
	{"chat", "Chat Errors (2xx)"},
	{"group", "Group Errors (3xx)"},
	{"channel", "Channel Errors (4xx)"},
	{"info", "Info Errors (5xx)"},
	{"client", "Client Errors (6xx)"},
	{"file", "File Errors (7xx)"},
	{"signaling", "Signaling Errors (9xx)"},
	{"geo", "Geo Errors (10xx)"},
}

func (b *builder) buildErrors(raw []spec.ErrorEntry) {
	byKey := map[string]*Group{}
	for _, g := range groups {
		grp := &Group{Key: g.key, Heading: g.heading}
		byKey[g.key] = grp
		b.s.Groups = append(b.s.Groups, grp)
	}
	names := map[string]Pos{}
	for i := range raw {
		r := &raw[i]
		where := fmt.Sprintf("error %d %s", r.Code, r.Name)
		if r.Code == 0 {
			b.errorf(r.Pos, "%s: code must be set and not 0 (0 is the ErrorResponse action)", where)
			continue
		}
		if prev, dup := b.s.errorByCod[r.Code]; dup {
			b.errorf(r.Pos, "%s: duplicate error code %d (also %s:%d)", where, r.Code, prev.File, prev.Line)
			continue
		}
		if !isScreaming(r.Name) {
			b.errorf(r.Pos, "%s: name must be SCREAMING_SNAKE_CASE", where)
		}
		if p, dup := names[r.Name]; dup {
			b.errorf(r.Pos, "%s: duplicate error name (also %s:%d)", where, p.File, p.Line)
		}
		names[r.Name] = r.Pos
		e := &Error{
			Pos: r.Pos, Code: r.Code, Name: r.Name, GoName: ScreamingToCamel(r.Name),
			Wait: r.Wait, Description: r.Description, Correction: r.Correction,
		}
		grp, ok := byKey[r.Group]
		if !ok {
			b.errorf(r.Pos, "%s: unknown group %q", where, r.Group)
			grp = byKey["system"]
		}
		e.Group = grp
		switch r.Kind {
		case "real":
		case "virtual":
			e.Virtual = true
		default:
			b.errorf(r.Pos, "%s: kind must be real or virtual, not %q", where, r.Kind)
		}
		switch r.Source {
		case "", "seed":
		case "later":
			e.Later = true
		default:
			b.errorf(r.Pos, "%s: source must be seed or later, not %q", where, r.Source)
		}
		if r.Star != nil {
			e.Star = &Row{Detail: r.Star.Detail, Reaction: r.Star.Reaction}
		}
		// A star row sent with a number of its own; clients may act on it
		// (Android logs in again on LOGIN_REQUIRED only with minor 1).
		if r.StarMinor != 0 {
			switch {
			case r.Star == nil:
				b.errorf(r.Pos, "%s: star_minor needs a star row", where)
			case len(r.Minors) > 0:
				b.errorf(r.Pos, "%s: star_minor applies to an error without numbered minors", where)
			default:
				e.StarMinor = r.StarMinor
			}
		}
		ids := map[string]bool{}
		for _, rm := range r.Minors {
			if rm.Code == 0 {
				b.errorf(rm.Pos, "%s: minor code 0 is the '*' row: use star", where)
				continue
			}
			if e.Minor(rm.Code) != nil {
				b.errorf(rm.Pos, "%s: duplicate minor code %d", where, rm.Code)
				continue
			}
			if !isSnake(rm.ID) {
				b.errorf(rm.Pos, "%s: minor %d: id %q must be snake_case", where, rm.Code, rm.ID)
			}
			if ids[rm.ID] {
				b.errorf(rm.Pos, "%s: minor %d: duplicate id %q", where, rm.Code, rm.ID)
			}
			ids[rm.ID] = true
			e.Minors = append(e.Minors, &Minor{
				Pos: rm.Pos, Code: rm.Code, ID: rm.ID, GoName: e.GoName + snakeToCamel(rm.ID),
				Detail: rm.Detail, Reaction: rm.Reaction, Error: e,
			})
		}
		b.s.errorByCod[r.Code] = e
		b.s.Errors = append(b.s.Errors, e)
		grp.Errors = append(grp.Errors, e)
		e.actionID = r.Action
	}
	sort.Slice(b.s.Errors, func(i, j int) bool { return b.s.Errors[i].Code < b.s.Errors[j].Code })
}

// systemErrors finds the errors that dispatch and the server raise for every
// action (unknown action, login, eviction, deadline, unexpected failure).
func (b *builder) systemErrors() {
	byName := map[string]*Error{}
	for _, e := range b.s.Errors {
		byName[e.Name] = e
	}
	for _, want := range []struct {
		name string
		dst  **Error
	}{
		{"BAD_REQUEST", &b.s.BadRequest},
		{"LOGIN_REQUIRED", &b.s.LoginRequired},
		{"NEW_CLIENT_IN_SESSION", &b.s.NewClientInSession},
		{"TIMEOUT", &b.s.Timeout},
		{"INTERNAL_SERVER_ERROR", &b.s.InternalServerError},
		{"FLOOD_REQUEST", &b.s.FloodRequest},
	} {
		e := byName[want.name]
		if e == nil || e.Group.Key != "system" {
			where := "errors.yaml"
			if len(b.s.Errors) > 0 {
				where = b.s.Errors[0].File
			}
			b.diags = append(b.diags, fmt.Sprintf("%s: the system error %s must be defined (group system): the runtime raises it", where, want.name))
			continue
		}
		// FLOOD_REQUEST alone carries a wait: how long the budget needs.
		if wantWait := want.dst == &b.s.FloodRequest; len(e.Minors) > 0 || e.Wait != wantWait || e.Virtual {
			b.errorf(e.Pos, "error %d %s: the runtime raises it as is, so it cannot have numbered minors or be virtual, and has wait only if it is FLOOD_REQUEST", e.Code, e.Name)
		}
		*want.dst = e
	}
}

func (b *builder) buildFiles(raw *spec.Spec) {
	types := &File{Name: "types", Source: raw.Types.File}
	if types.Source == "" {
		types.Source = "spec/types.yaml"
	}
	b.s.Files = append(b.s.Files, types)
	for i := range raw.Types.Messages {
		types.Messages = append(types.Messages, b.message(&raw.Types.Messages[i], types, nil, RoleType, nil))
	}
	for i := range raw.Types.Enums {
		types.Enums = append(types.Enums, b.enum(&raw.Types.Enums[i], types, nil))
	}
	for di := range raw.Domains {
		d := &raw.Domains[di]
		f := &File{Name: d.Domain, Source: d.File}
		if f.Name == "types" {
			b.errorf(d.Pos, "an actions file cannot be named types.yaml")
			continue
		}
		b.s.Files = append(b.s.Files, f)
		for ai := range d.Actions {
			b.action(&d.Actions[ai], f)
		}
		for mi := range d.Messages {
			f.Messages = append(f.Messages, b.message(&d.Messages[mi], f, nil, RoleType, nil))
		}
		for ei := range d.Enums {
			f.Enums = append(f.Enums, b.enum(&d.Enums[ei], f, nil))
		}
	}
	sort.Slice(b.s.Actions, func(i, j int) bool { return b.s.Actions[i].ID < b.s.Actions[j].ID })
}

func (b *builder) action(r *spec.Action, f *File) {
	where := fmt.Sprintf("action %d %s", r.ID, r.Name)
	if r.ID == 0 || r.ID >= 30000 {
		b.errorf(r.Pos, "%s: id must be between 1 and 29999", where)
		return
	}
	if prev, dup := b.s.actionByID[r.ID]; dup {
		b.errorf(r.Pos, "%s: duplicate action id (also %s %s:%d)", where, prev.Name, prev.File, prev.Line)
		return
	}
	if r.Name == "" || !isIdent(r.Name) || r.Name[0] < 'A' || r.Name[0] > 'Z' {
		b.errorf(r.Pos, "%s: name must be a CamelCase identifier", where)
		return
	}
	if r.Login == nil {
		b.errorf(r.Pos, "%s: login must be stated (true or false)", where)
	}
	a := &Action{
		Pos: r.Pos, ID: r.ID, ResponseID: r.ID + 30000, Name: r.Name, Doc: r.Doc,
		Domain: f.Name, Login: r.Login == nil || *r.Login, Push: r.Push, Transport: r.Transport,
		Unanswered: r.Answered != nil && !*r.Answered,
	}
	if r.Answered != nil && !r.Transport {
		b.errorf(r.Pos, "%s: answered applies to transport actions only: dispatch answers every other action", where)
	}
	if r.Transport && (r.Login == nil || *r.Login || r.Push || r.Limit != "" || r.Errors.BadPayload != 0 || r.Errors.Internal != 0 ||
		len(r.Errors.Also) > 0 || len(r.Checks) > 0 || len(r.HandlerMinors) > 0 || hasRules(r.Request.Fields, r.Request.Messages)) {
		b.errorf(r.Pos, "%s: a transport action is answered by the transport, not dispatch: it takes login: false and no push, limit, errors, rules, checks or handler_minors", where)
	}
	if !r.Transport {
		b.limit(r, a, where)
	}
	b.rawActs[a] = r
	b.s.actionByID[r.ID] = a
	b.s.Actions = append(b.s.Actions, a)
	f.Actions = append(f.Actions, a)
	req := &spec.Message{Pos: r.Pos, Name: r.Name, Doc: r.Doc,
		Fields: r.Request.Fields, Messages: r.Request.Messages, Enums: r.Request.Enums}
	resp := &spec.Message{Pos: r.Pos, Name: r.Name + "Response",
		Fields: r.Response.Fields, Messages: r.Response.Messages, Enums: r.Response.Enums}
	a.Request = b.message(req, f, nil, RoleRequest, a)
	a.Response = b.message(resp, f, nil, RoleResponse, a)
	if a.Request != nil {
		a.Request.WireID = int(a.ID)
		f.Messages = append(f.Messages, a.Request)
	}
	if a.Response != nil {
		a.Response.WireID = int(a.ResponseID)
		f.Messages = append(f.Messages, a.Response)
	}
}

// limit resolves the action's rate class: every dispatched action states
// one, so no action is left out of the budgets by omission.
func (b *builder) limit(r *spec.Action, a *Action, where string) {
	if r.Limit == "" {
		b.errorf(r.Pos, "%s: limit must be stated (%s)", where, wire.ClassList())
		return
	}
	c, ok := wire.ClassNamed(r.Limit)
	if !ok {
		b.errorf(r.Pos, "%s: unknown limit class %q (want %s)", where, r.Limit, wire.ClassList())
		return
	}
	a.Limit = c
}

func (b *builder) register(p Pos, full string, t any) bool {
	if prev, dup := b.types[full]; dup {
		pp := Pos{}
		switch v := prev.(type) {
		case *Message:
			pp = v.Pos
		case *Enum:
			pp = v.Pos
		}
		b.errorf(p, "type %s is defined twice (also %s:%d)", full, pp.File, pp.Line)
		return false
	}
	b.types[full] = t
	return true
}

func (b *builder) message(r *spec.Message, f *File, parent *Message, role MessageRole, a *Action) *Message {
	m := &Message{Pos: r.Pos, Name: r.Name, Doc: r.Doc, Parent: parent, File: f, Role: role, Action: a, WireID: -1}
	if !isIdent(m.Name) {
		b.errorf(r.Pos, "message %q: name must be an identifier", r.Name)
		return nil
	}
	m.FullName, m.GoName = m.Name, GoCamelCase(m.Name)
	if parent != nil {
		m.FullName = parent.FullName + "." + m.Name
		m.GoName = parent.GoName + "_" + GoCamelCase(m.Name)
	}
	if r.WireID != nil {
		if parent != nil || role != RoleType {
			b.errorf(r.Pos, "message %s: only a top-level message of an actions file may have wire_id", m.FullName)
		}
		m.Role, m.WireID = RoleServer, *r.WireID
	}
	if !b.register(r.Pos, m.FullName, m) {
		return nil
	}
	switch role {
	case RoleRequest:
		m.Fields = append(m.Fields, &Field{Pos: r.Pos, Number: 1, Name: "request", GoName: "Request", Kind: KindMessage, Parent: m})
		b.fields = append(b.fields, &fieldRef{f: m.Fields[0], raw: &spec.Field{Pos: r.Pos, N: 1, Name: "request", Type: "Request"}})
	case RoleResponse:
		m.Fields = append(m.Fields, &Field{Pos: r.Pos, Number: 1, Name: "response", GoName: "Response", Kind: KindMessage, Parent: m})
		b.fields = append(b.fields, &fieldRef{f: m.Fields[0], raw: &spec.Field{Pos: r.Pos, N: 1, Name: "response", Type: "Response"}})
	}
	nums, names := map[int32]bool{}, map[string]bool{}
	for _, f := range m.Fields {
		nums[f.Number], names[f.Name] = true, true
	}
	for i := range r.Fields {
		rf := &r.Fields[i]
		where := fmt.Sprintf("message %s: field %d %s", m.FullName, rf.N, rf.Name)
		if rf.N <= 0 || rf.N >= 19000 && rf.N <= 19999 || rf.N > 536870911 {
			b.errorf(rf.Pos, "%s: field number %d is not allowed", where, rf.N)
			continue
		}
		if nums[rf.N] {
			if (role == RoleRequest || role == RoleResponse) && rf.N == 1 {
				b.errorf(rf.Pos, "%s: field 1 is the implied request/response field", where)
			} else {
				b.errorf(rf.Pos, "%s: field number %d is used twice", where, rf.N)
			}
			continue
		}
		if !isIdent(rf.Name) || names[rf.Name] {
			b.errorf(rf.Pos, "%s: field name is invalid or used twice", where)
			continue
		}
		nums[rf.N], names[rf.Name] = true, true
		fld := &Field{Pos: rf.Pos, Number: rf.N, Name: rf.Name, GoName: GoCamelCase(rf.Name),
			Repeated: rf.Repeated, Doc: rf.Doc, Parent: m}
		m.Fields = append(m.Fields, fld)
		b.fields = append(b.fields, &fieldRef{f: fld, raw: rf})
	}
	for i := range r.Messages {
		if nm := b.message(&r.Messages[i], f, m, RoleType, a); nm != nil {
			m.Messages = append(m.Messages, nm)
		}
	}
	for i := range r.Enums {
		if ne := b.enum(&r.Enums[i], f, m); ne != nil {
			m.Enums = append(m.Enums, ne)
		}
	}
	return m
}

func (b *builder) enum(r *spec.Enum, f *File, parent *Message) *Enum {
	e := &Enum{Pos: r.Pos, Name: r.Name, Doc: r.Doc, Parent: parent, File: f}
	if !isIdent(e.Name) {
		b.errorf(r.Pos, "enum %q: name must be an identifier", r.Name)
		return nil
	}
	e.FullName, e.GoName = e.Name, GoCamelCase(e.Name)
	prefix := e.GoName // top-level enum values are prefixed by the enum's name
	if parent != nil {
		e.FullName = parent.FullName + "." + e.Name
		e.GoName = parent.GoName + "_" + GoCamelCase(e.Name)
		prefix = parent.GoName // nested ones by the enclosing message's
	}
	if !b.register(r.Pos, e.FullName, e) {
		return nil
	}
	// Protobuf puts enum values in the scope that encloses the enum, so two
	// enums of one scope cannot share a value name.
	scope := ""
	if parent != nil {
		scope = parent.FullName + "."
	}
	for _, v := range r.Values {
		if !b.register(r.Pos, scope+v.Name, e) {
			b.errorf(r.Pos, "enum %s: value %s clashes with another name in its scope", e.FullName, v.Name)
		}
	}
	if len(r.Values) == 0 || r.Values[0].Number != 0 {
		b.errorf(r.Pos, "enum %s: the first value must be 0 (proto3)", e.FullName)
	}
	seen := map[string]bool{}
	nums := map[int32]bool{}
	for _, v := range r.Values {
		if !isScreaming(v.Name) || seen[v.Name] {
			b.errorf(r.Pos, "enum %s: value %q is invalid or used twice", e.FullName, v.Name)
			continue
		}
		if nums[v.Number] {
			b.errorf(r.Pos, "enum %s: number %d is used twice", e.FullName, v.Number)
			continue
		}
		seen[v.Name], nums[v.Number] = true, true
		e.Values = append(e.Values, &EnumValue{Name: v.Name, Number: v.Number, GoName: prefix + "_" + v.Name, Enum: e})
	}
	return e
}

var scalars = map[string]bool{
	"double": true, "float": true, "int32": true, "int64": true, "uint32": true, "uint64": true,
	"sint32": true, "sint64": true, "fixed32": true, "fixed64": true, "sfixed32": true,
	"sfixed64": true, "bool": true, "string": true, "bytes": true,
}

// resolveTypes links every field to its type, searching from the innermost
// scope outwards as protobuf does, and records file dependencies.
func (b *builder) resolveTypes() {
	for _, r := range b.fields {
		f := r.f
		if scalars[r.raw.Type] {
			f.Kind, f.Scalar = KindScalar, r.raw.Type
			continue
		}
		t := b.lookup(f.Parent, r.raw.Type)
		switch v := t.(type) {
		case *Message:
			f.Kind, f.Message = KindMessage, v
			b.addDep(f.Parent.File, v.File)
		case *Enum:
			f.Kind, f.Enum = KindEnum, v
			b.addDep(f.Parent.File, v.File)
		default:
			b.errorf(r.raw.Pos, "message %s: field %d %s: unknown type %q", f.Parent.FullName, f.Number, f.Name, r.raw.Type)
		}
	}
}

func (b *builder) lookup(scope *Message, name string) any {
	if name == "" {
		return nil
	}
	for s := scope; s != nil; s = s.Parent {
		if t, ok := b.types[s.FullName+"."+name]; ok {
			return t
		}
	}
	return b.types[name]
}

func (b *builder) addDep(from, to *File) {
	if from == to {
		return
	}
	for _, d := range from.Deps {
		if d == to {
			return
		}
	}
	from.Deps = append(from.Deps, to)
}

// bindErrors links actions and errors both ways and checks that they agree.
func (b *builder) bindErrors() {
	for _, e := range b.s.Errors {
		if e.actionID == 0 {
			if e.Group.Key != "system" {
				b.errorf(e.Pos, "error %d %s: action must be set for a %s error", e.Code, e.Name, e.Group.Key)
			}
			continue
		}
		a := b.s.actionByID[e.actionID]
		if a == nil {
			b.errorf(e.Pos, "error %d %s: action %d is not defined in the spec", e.Code, e.Name, e.actionID)
			continue
		}
		e.Action = a
	}
	for _, a := range b.s.Actions {
		r := b.rawActs[a]
		where := fmt.Sprintf("action %d %s", a.ID, a.Name)
		bind := func(code uint32, role, suffix string) *Error {
			if code == 0 {
				return nil
			}
			e := b.s.errorByCod[code]
			switch {
			case e == nil:
				b.errorf(r.Pos, "%s: errors.%s names error %d, which does not exist", where, role, code)
				return nil
			case e.Action != a:
				owner := "no action"
				if e.Action != nil {
					owner = fmt.Sprintf("action %d %s", e.Action.ID, e.Action.Name)
				}
				b.errorf(r.Pos, "%s: errors.%s names error %d %s, which belongs to %s", where, role, code, e.Name, owner)
				return nil
			case suffix != "" && !strings.HasSuffix(e.Name, suffix):
				b.errorf(r.Pos, "%s: errors.%s names error %d %s, whose name does not end in %s", where, role, code, e.Name, suffix)
				return nil
			}
			return e
		}
		a.BadPayload = bind(r.Errors.BadPayload, "bad_payload", "_BAD_PAYLOAD")
		a.Internal = bind(r.Errors.Internal, "internal", "_INTERNAL_SERVER_ERROR")
		seen := map[uint32]bool{r.Errors.BadPayload: true, r.Errors.Internal: true}
		for _, code := range r.Errors.Also {
			if seen[code] {
				b.errorf(r.Pos, "%s: error %d is bound twice", where, code)
				continue
			}
			seen[code] = true
			if e := bind(code, "also", ""); e != nil {
				a.Also = append(a.Also, e)
			}
		}
	}
	// The other direction: an error that names an action must be one it returns.
	for _, e := range b.s.Errors {
		if e.Action == nil {
			continue
		}
		found := false
		for _, x := range e.Action.Errors() {
			found = found || x == e
		}
		if !found {
			b.errorf(e.Pos, "error %d %s: belongs to action %d %s, which does not list it in errors", e.Code, e.Name, e.Action.ID, e.Action.Name)
		}
	}
}

// hasRules reports whether any field of a body, or of a message nested in
// it, carries a rule.
func hasRules(fields []spec.Field, msgs []spec.Message) bool {
	for _, f := range fields {
		if len(f.Rules) > 0 {
			return true
		}
	}
	for _, m := range msgs {
		if hasRules(m.Fields, m.Messages) {
			return true
		}
	}
	return false
}
