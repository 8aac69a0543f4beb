package emit

import (
	"fmt"

	"github.com/gapd/gapd/generator/ir"
)

// docsTypes writes types.md: every message and enum that is not part of an
// action: types.proto first, then what each domain file declares beside its
// actions (such as ErrorResponse).
func docsTypes(s *ir.Spec) []byte {
	p := &page{}
	p.WriteString(mdHeader)
	p.ln("# Types")
	p.ln()
	p.ln("Messages and enums shared by the actions. Requests and responses, and the types nested in them, are in [actions.md](actions.md).")
	for _, f := range s.Files {
		var msgs []*ir.Message
		for _, m := range f.Messages {
			if m.Role == ir.RoleType || m.Role == ir.RoleServer {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) == 0 && len(f.Enums) == 0 {
			continue
		}
		p.ln()
		p.f("## %s\n", ProtoFileName(f))
		p.f("Declared in [%s](../proto/%s).\n\n", ProtoFileName(f), ProtoFileName(f))
		for _, m := range msgs {
			typeMessage(p, m)
		}
		for _, e := range f.Enums {
			enumSection(p, e, "###")
			if pl := payloadOf(s, e); pl != nil {
				payloadSection(p, pl)
			}
		}
	}
	return p.Bytes()
}

func payloadOf(s *ir.Spec, e *ir.Enum) *ir.Payload {
	for _, pl := range s.Payloads {
		if pl.Enum == e {
			return pl
		}
	}
	return nil
}

// payloadSection is an enum's payloads table: what each value carries, the
// minor id a send without a part gets, and its value once it carries text.
func payloadSection(p *page, pl *ir.Payload) {
	p.anchor(payloadAnchor(pl))
	p.f("#### %s payloads\n", pl.Enum.FullName)
	p.doc(pl.Doc)
	p.ln("A send's `carries` check requires each part a value carries; without it the send gets its bad-payload minor of that id.")
	p.ln("Go reads the table as `validate." + pl.Enum.GoName + "Parts` and `validate." + pl.Enum.GoName + "WithText`.")
	p.ln()
	head := []string{"Value"}
	head = append(head, ir.PayloadParts...)
	head = append(head, "With text", "Note")
	p.head("", head...)
	for _, row := range pl.Rows {
		cells := []string{row.Value.Name}
		for _, part := range ir.PayloadParts {
			cells = append(cells, row.Parts[part])
		}
		with := ""
		if row.WithText != nil {
			with = row.WithText.Name
		}
		p.row(append(cells, with, row.Doc)...)
	}
	p.ln()
}

// typeMessage documents a message of types.md and, below it, its nested
// messages and enums.
func typeMessage(p *page, m *ir.Message) {
	p.anchor(typeAnchor(m.FullName))
	p.f("### %s\n", m.FullName)
	p.doc(m.Doc)
	if m.Role == ir.RoleServer {
		p.f("Sent by the server as action %d, without a request.\n\n", m.WireID)
	}
	fieldTable(p, m, false)
	for _, n := range m.Messages {
		typeMessage(p, n)
	}
	for _, e := range m.Enums {
		enumSection(p, e, "###")
	}
}

// docsIndex writes README.md, the entry page of generated/docs.
func docsIndex(s *ir.Spec) []byte {
	p := &page{}
	p.WriteString(mdHeader)
	p.ln("# Protocol documentation")
	p.ln()
	p.ln("Generated from the spec; edit the spec, not these pages.")
	p.ln()
	p.f("* [Errors](errors.md): the catalogue, %d errors by group, with what raises each bad-payload minor.\n", len(s.Errors))
	p.f("* [Actions](actions.md): %d requests with their fields, rules, responses and errors.\n", len(s.Actions))
	p.ln("* [Types](types.md): the shared messages and enums.")
	if s.Roles != nil {
		p.ln("* [Roles](roles.md): the ranks of a room's members and who may call which action.")
	}
	p.ln()
	p.ln("## Protocol buffers")
	p.ln()
	p.head("", "File", "Content")
	for _, f := range s.Files {
		what := "shared messages and enums"
		if f.Name != "types" {
			what = fmt.Sprintf("%s of the %s domain", plural(len(f.Actions), "action", "actions"), f.Name)
		}
		p.row(fmt.Sprintf("[%s](../proto/%s)", ProtoFileName(f), ProtoFileName(f)), what)
	}
	return p.Bytes()
}
