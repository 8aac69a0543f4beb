package ir

import (
	"fmt"

	"github.com/gapd/gapd/generator/spec"
)

// PayloadParts are the parts a payload row may carry, in the order a
// carries check requires them; each is also the request field a send names.
var PayloadParts = []string{"message", "attachment", "location", "contact"}

// Payload is the table of what each value of an enum carries (which
// RoomMessageType has text, a file, a location, a contact). The send
// actions' carries checks and the handlers' lookups are both made from it.
type Payload struct {
	Pos
	Enum *Enum
	Doc  string
	Rows []*PayloadRow // in written order; every enum value has one
}

// PayloadRow is one enum value and the parts it carries.
type PayloadRow struct {
	Pos
	Value *EnumValue
	// Parts maps a part it carries to the minor id a send without it gets.
	Parts map[string]string
	// WithText is the value it becomes once it carries text (IMAGE ->
	// IMAGE_TEXT); nil when it carries text already or cannot.
	WithText *EnumValue
	Doc      string
}

// Carries reports whether the row carries part.
func (r *PayloadRow) Carries(part string) bool { _, ok := r.Parts[part]; return ok }

// Row returns the row of value v.
func (p *Payload) Row(v *EnumValue) *PayloadRow {
	for _, r := range p.Rows {
		if r.Value == v {
			return r
		}
	}
	return nil
}

func (b *builder) buildPayloads(raw []spec.Payload) {
	for i := range raw {
		rp := &raw[i]
		where := fmt.Sprintf("payloads %s", rp.Enum)
		e, _ := b.types[rp.Enum].(*Enum)
		if e == nil {
			b.errorf(rp.Pos, "%s: %q is not an enum", where, rp.Enum)
			continue
		}
		if b.payload(e) != nil {
			b.errorf(rp.Pos, "%s: the enum has a table already", where)
			continue
		}
		p := &Payload{Pos: rp.Pos, Enum: e, Doc: rp.Doc}
		for j := range rp.Values {
			rr := &rp.Values[j]
			v := e.Value(rr.Value)
			switch {
			case v == nil:
				b.errorf(rr.Pos, "%s: %s has no value %q", where, e.FullName, rr.Value)
				continue
			case p.Row(v) != nil:
				b.errorf(rr.Pos, "%s: %s has two rows", where, rr.Value)
				continue
			}
			row := &PayloadRow{Pos: rr.Pos, Value: v, Parts: map[string]string{}, Doc: rr.Doc}
			for part, id := range map[string]string{"message": rr.Message, "attachment": rr.Attachment, "location": rr.Location, "contact": rr.Contact} {
				if id == "" {
					continue
				}
				if !isSnake(id) {
					b.errorf(rr.Pos, "%s: %s: %s: minor id %q must be snake_case", where, rr.Value, part, id)
				}
				row.Parts[part] = id
			}
			p.Rows = append(p.Rows, row)
		}
		for j, row := range p.Rows {
			rr := &rp.Values[j]
			if rr.WithText == "" {
				continue
			}
			to := e.Value(rr.WithText)
			switch {
			case row.Carries("message"):
				b.errorf(rr.Pos, "%s: %s carries text already: it takes no with_text", where, row.Value.Name)
			case to == nil || p.Row(to) == nil || !p.Row(to).Carries("message"):
				b.errorf(rr.Pos, "%s: %s: with_text %q must be a value of the table that carries message", where, row.Value.Name, rr.WithText)
			default:
				row.WithText = to
			}
		}
		for _, v := range e.Values {
			if p.Row(v) == nil {
				b.errorf(rp.Pos, "%s: %s has no row (write {value: %s} for one that carries nothing)", where, v.Name, v.Name)
			}
		}
		b.s.Payloads = append(b.s.Payloads, p)
	}
}

func (b *builder) payload(e *Enum) *Payload {
	for _, p := range b.s.Payloads {
		if p.Enum == e {
			return p
		}
	}
	return nil
}

// carries expands {carries: F} into one when-require rule per part of each
// row of F's enum's table, taking the minor each row names by id from the
// action's bad-payload error: so chat, group and channel sends get their
// checks from one table, each with its own error's minors.
func (b *builder) carries(a *Action, rr *spec.Rule, where string) []*Rule {
	if hasFieldKeys(rr) || len(rr.When) > 0 || rr.Require != "" || len(rr.Exclusive) > 0 || len(rr.RequireAny) > 0 || rr.Unique != "" || rr.Path != "" {
		b.errorf(rr.Pos, "%s: carries takes only the enum field (and a doc)", where)
		return nil
	}
	if rr.Minor != 0 {
		b.errorf(rr.Pos, "%s: carries takes its minors from the payload table's ids, not minor", where)
		return nil
	}
	f := fieldByName(a.Request, rr.Carries)
	if f == nil || f.Kind != KindEnum || f.Repeated {
		b.errorf(rr.Pos, "%s: carries: %q must be a single enum field of the request", where, rr.Carries)
		return nil
	}
	p := b.payload(f.Enum)
	if p == nil {
		b.errorf(rr.Pos, "%s: carries: %s has no payloads table in types.yaml", where, f.Enum.FullName)
		return nil
	}
	if a.BadPayload == nil {
		b.errorf(rr.Pos, "%s: the action has rules but no bad_payload error", where)
		return nil
	}
	var out []*Rule
	for _, row := range p.Rows {
		for _, part := range PayloadParts {
			id, ok := row.Parts[part]
			if !ok {
				continue
			}
			req := fieldByName(a.Request, part)
			if req == nil {
				b.errorf(rr.Pos, "%s: carries: %s carries %s, but the request has no field %s", where, row.Value.Name, part, part)
				continue
			}
			var mn *Minor
			for _, m := range a.BadPayload.Minors {
				if m.ID == id {
					mn = m
				}
			}
			if mn == nil {
				b.errorf(rr.Pos, "%s: carries: %s without %s is minor %q (%s:%d), which error %d %s does not list",
					where, row.Value.Name, part, id, row.File, row.Line, a.BadPayload.Code, a.BadPayload.Name)
				continue
			}
			rule := &Rule{Pos: rr.Pos, Kind: RuleWhen, Action: a, Doc: rr.Doc, When: f,
				WhenValues: []*EnumValue{row.Value}, Require: []*Field{req}, Payload: p, Minor: mn}
			mn.Rules = append(mn.Rules, rule)
			out = append(out, rule)
		}
	}
	return out
}
