package emit

import (
	"fmt"
	"strings"

	"github.com/gapd/gapd/generator/ir"
)

// docsActions writes actions.md: an index table, then one section per action
// with its request and response, rules and errors.
func docsActions(s *ir.Spec) []byte {
	p := &page{}
	p.WriteString(mdHeader)
	p.ln("# Actions")
	p.ln()
	p.ln("Every request a client can send, by action id. The response's action id is 30000 + the request's;")
	p.ln("a failed request is answered by an error of [the catalogue](errors.md) instead. Rules are checked in the order")
	p.ln("listed (request fields first, then checks); the first that fails returns the bad-payload error with its minor code.")
	p.ln("Limit is the rate class whose budget each request spends (per user once logged in, per address before);")
	p.ln("over it the request is answered with FLOOD_REQUEST and the seconds to wait. The server's README gives the rates.")
	p.ln()
	p.head("r-r", "Action", "Name", "Response", "Login", "Push", "Limit", "Domain")
	for _, a := range s.Actions {
		p.row(fmt.Sprint(a.ID), fmt.Sprintf("[%s](#%s)", a.Name, actionAnchor(a.ID)), fmt.Sprint(a.ResponseID),
			yesNo(a.Login), yesNo(a.Push), limitCell(a), a.Domain)
	}
	for _, a := range s.Actions {
		p.ln()
		actionSection(p, s, a)
	}
	return p.Bytes()
}

func actionSection(p *page, s *ir.Spec, a *ir.Action) {
	p.anchor(actionAnchor(a.ID))
	p.f("## %d %s\n", a.ID, a.Name)
	p.doc(a.Doc)
	p.f("* Response: %d %s\n", a.ResponseID, a.Response.Name)
	if a.Login {
		p.ln("* Login: required")
	} else {
		p.ln("* Login: not required")
	}
	if a.Push {
		p.ln("* Push: yes, the response can also reach other sessions without a request")
	} else {
		p.ln("* Push: no")
	}
	if !a.Transport {
		p.f("* Limit: %s\n", a.Limit)
	}
	if a.Transport {
		if a.Unanswered {
			p.ln("* Handled by the transport and never answered: the connection layer takes it, not a handler, and the client waits for no response")
		} else {
			p.ln("* Answered by the transport: the connection layer handles it, not a handler, and it returns no catalogue error")
		}
	}
	p.f("* Domain: %s ([%s](../proto/%s))\n", a.Domain, a.Domain+".proto", a.Domain+".proto")
	if line := rolesLine(s, a); line != "" {
		p.ln(line)
	}
	p.ln()

	p.ln("### Request")
	fieldTable(p, a.Request, true)
	nestedTypes(p, a.Request, true)
	p.ln("### Response")
	fieldTable(p, a.Response, false)
	nestedTypes(p, a.Response, false)

	if len(a.Checks) > 0 {
		p.ln("### Checks")
		p.ln("Run after the field rules, in this order.")
		p.ln()
		p.head("r", "Minor", "Check")
		for _, r := range a.Checks {
			p.row(fmt.Sprint(r.Minor.Code), ruleText(r))
		}
		p.ln()
	}
	if len(a.Limits) > 0 {
		p.ln("### Limits")
		p.ln("Numbers its rules and its behaviour share; Go reads them as constants of package validate.")
		p.ln()
		p.head("r", "Value", "Name", "Constant", "Field", "Meaning")
		for _, l := range a.Limits {
			field := ""
			if l.Field != nil {
				field = code(limitPath(l))
			}
			p.row(fmt.Sprint(l.Value), code(l.Name), code("validate."+l.GoName), field, linkRefs(s, strings.TrimSpace(l.Doc)))
		}
		p.ln()
	}
	if len(a.HandlerMinors) > 0 {
		p.ln("### Handler minors")
		p.ln("Bad-payload minors that only the handler can decide.")
		p.ln()
		p.head("r", "Minor", "Detail")
		for _, m := range a.HandlerMinors {
			p.row(fmt.Sprint(m.Code), linkRefs(s, m.Detail))
		}
		p.ln()
	}
	if len(a.Refusals) > 0 {
		p.ln("### Refusals")
		p.ln("What the handler answers when what the request names will not do (package errs: " + code(a.Name+"Refusals") + ").")
		p.ln()
		p.head("", "Refusal", "Answer", "When")
		for _, r := range a.Refusals {
			answer := fmt.Sprintf("[%d %s](errors.md#%s)", r.Error.Code, r.Error.Name, errorAnchor(r.Error.Code))
			if r.Minor != nil {
				answer += fmt.Sprintf(" minor %d", r.Minor.Code)
			}
			p.row(code(r.Kind.Name), answer, r.Kind.Doc)
		}
		p.ln()
	}
	if !a.Transport {
		actionErrors(p, s, a)
	}
}

// limitPath is a limit's field as a dotted path.
func limitPath(l *ir.Limit) string {
	names := make([]string, len(l.Field))
	for i, f := range l.Field {
		names[i] = f.Name
	}
	return strings.Join(names, ".")
}

// fieldTable lists a message's fields in written order; a request's table
// has a column for the rules written on each field.
func fieldTable(p *page, m *ir.Message, rules bool) {
	if rules {
		p.head("r", "#", "Field", "Type", "Label", "Description", "Rules")
	} else {
		p.head("r", "#", "Field", "Type", "Label", "Description")
	}
	for _, f := range m.Fields {
		cells := []string{fmt.Sprint(f.Number), f.Name, typeCell(f), label(f), strings.TrimSpace(f.Doc)}
		if rules {
			var rs []string
			for _, r := range f.Rules {
				rs = append(rs, fmt.Sprintf("minor %d: %s", r.Minor.Code, ruleText(r)))
			}
			cells = append(cells, strings.Join(rs, "; "))
		}
		p.row(cells...)
	}
	p.ln()
}

// nestedTypes documents the messages and enums declared inside m, depth
// first, each under its own anchor.
func nestedTypes(p *page, m *ir.Message, rules bool) {
	for _, n := range m.Messages {
		p.anchor(typeAnchor(n.FullName))
		p.f("#### %s\n", n.FullName)
		p.doc(n.Doc)
		fieldTable(p, n, rules)
		nestedTypes(p, n, rules)
	}
	for _, e := range m.Enums {
		enumSection(p, e, "####")
	}
}

func enumSection(p *page, e *ir.Enum, level string) {
	p.anchor(typeAnchor(e.FullName))
	p.f("%s %s (enum)\n", level, e.FullName)
	p.doc(e.Doc)
	p.head("-r", "Value", "Number")
	for _, v := range e.Values {
		p.row(v.Name, fmt.Sprint(v.Number))
	}
	p.ln()
}

// actionErrors lists every error the action can return, its own first, then
// those dispatch raises for any request.
func actionErrors(p *page, s *ir.Spec, a *ir.Action) {
	p.ln("### Errors")
	p.head("r", "Code", "Name", "Role", "Description")
	add := func(e *ir.Error, role string) {
		name := e.Name
		if e.Wait {
			name = waitFlag + " " + name
		}
		if e.Virtual {
			role += " (virtual)"
		}
		p.row(fmt.Sprintf("[%d](errors.md#%s)", e.Code, errorAnchor(e.Code)), name, role, linkRefs(s, e.Description))
	}
	if a.BadPayload != nil {
		add(a.BadPayload, "bad payload")
	}
	if a.Internal != nil {
		add(a.Internal, "internal")
	}
	for _, e := range a.Also {
		add(e, "other")
	}
	if s.BadRequest != nil {
		if a.Internal == nil {
			add(s.BadRequest, "system: undecodable request, or a failure (no internal error of its own)")
		} else {
			add(s.BadRequest, "system: undecodable request")
		}
	}
	if a.Login && s.LoginRequired != nil {
		add(s.LoginRequired, "system: no login")
	}
	if s.FloodRequest != nil {
		add(s.FloodRequest, "system: over the "+a.Limit.String()+" budget")
	}
	if s.Timeout != nil {
		add(s.Timeout, "system: deadline passed")
	}
}

// limitCell is an action's rate class in the index; transport actions
// have none.
func limitCell(a *ir.Action) string {
	if a.Transport {
		return "-"
	}
	return a.Limit.String()
}
