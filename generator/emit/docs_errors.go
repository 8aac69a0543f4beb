package emit

import (
	"fmt"
	"strings"

	"github.com/gapd/gapd/generator/ir"
)

// waitFlag marks errors that carry the wait parameter, as the seed does.
const waitFlag = ":triangular_flag_on_post: :one:"

// docsErrors writes errors.md in the seed catalogue's structure: intro,
// symbols, then one section per group with a heading and table per error.
func docsErrors(s *ir.Spec) []byte {
	p := &page{}
	p.WriteString(mdHeader)
	p.ln("# Errors")
	p.ln()
	p.ln("**Error types**")
	p.ln("* Real error: the server sends it to the client, which must react to it.")
	p.ln("* Virtual error: the server only records it (logs and counts it); it is never sent.")
	p.ln()
	p.ln("## Error message")
	if er := serverMessage(s, 0); er != nil {
		p.f("When a real error occurs, the client receives [%s](%s) (action 0) instead of the response.\n", er.Name, messageHref(er))
	} else {
		p.ln("When a real error occurs, the client receives an error response (action 0) instead of the response.")
	}
	p.ln("Its major code is the error number below and its minor code a row of the error's table (`*`: 0 or any).")
	p.ln()
	p.ln("## Symbols")
	p.head("", "Symbol", "Detail")
	p.row(waitFlag, "wait parameter is required")
	p.ln()
	for _, g := range s.Groups {
		if len(g.Errors) == 0 {
			continue
		}
		p.ln()
		p.ln("# ", g.Heading)
		p.ln()
		for _, e := range g.Errors {
			errorSection(p, s, e)
		}
	}
	return p.Bytes()
}

// serverMessage is the message the server sends as frame action id, if any.
func serverMessage(s *ir.Spec, id int) *ir.Message {
	for _, f := range s.Files {
		for _, m := range f.Messages {
			if m.Role == ir.RoleServer && m.WireID == id {
				return m
			}
		}
	}
	return nil
}

func errorSection(p *page, s *ir.Spec, e *ir.Error) {
	p.anchor(errorAnchor(e.Code))
	flag := ""
	if e.Wait {
		flag = waitFlag + " "
	}
	p.f("### %sError %d - %s\n", flag, e.Code, e.Name)
	p.ln(describeError(s, e))
	p.ln()
	if e.Correction != "" {
		p.ln("> Correction: ", linkRefs(s, e.Correction))
		p.ln()
	}
	if e.Virtual {
		p.ln("Virtual error: recorded by the server, never sent.")
		p.ln()
	}
	if e.Later {
		p.ln("Later release: this code comes from a later release of the API, not the seed catalogue.")
		p.ln()
	}
	if e.HasTable() {
		minorTable(p, s, e)
		p.ln()
	}
}

// describeError is the catalogue's sentence with its request linked: the
// sentences that end in "for request" take the link directly, others get it
// in parentheses.
func describeError(s *ir.Spec, e *ir.Error) string {
	d := linkRefs(s, strings.TrimSpace(e.Description))
	if e.Action == nil {
		return d
	}
	if strings.HasSuffix(d, "request") {
		return d + " " + actionLink(e.Action)
	}
	return fmt.Sprintf("%s (request %s)", d, actionLink(e.Action))
}

// isBadPayload reports whether e is its action's bad_payload error, whose
// minors the validator and the handler raise.
func isBadPayload(e *ir.Error) bool { return e.Action != nil && e.Action.BadPayload == e }

func minorTable(p *page, s *ir.Spec, e *ir.Error) {
	bad := isBadPayload(e)
	if bad {
		p.head("", "Minor Code", "Detail", "Reaction", "Raised by")
	} else {
		p.head("", "Minor Code", "Detail", "Reaction")
	}
	if e.Star != nil {
		code := "*"
		if e.StarMinor != 0 {
			code = fmt.Sprintf("* (sent as %d)", e.StarMinor)
		}
		cells := []string{code, linkRefs(s, e.Star.Detail), linkRefs(s, e.Star.Reaction)}
		if bad {
			cells = append(cells, "handler")
		}
		p.row(cells...)
	}
	for _, m := range e.Minors {
		cells := []string{fmt.Sprint(m.Code), linkRefs(s, m.Detail), linkRefs(s, m.Reaction)}
		if bad {
			cells = append(cells, raisedBy(m))
		}
		p.row(cells...)
	}
}

// raisedBy says what returns a bad-payload minor: its rules, the handler, or
// both.
func raisedBy(m *ir.Minor) string {
	var out []string
	for _, r := range m.Rules {
		out = append(out, "rule: "+ruleText(r))
	}
	if m.Handler {
		out = append(out, "handler")
	}
	return strings.Join(out, "; ")
}
