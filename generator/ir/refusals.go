package ir

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// RefusalKind is one thing that can go wrong with what a request names, the
// same for every action; each action says which of its errors answers it.
type RefusalKind struct {
	Name   string // snake_case, as the spec writes it
	GoName string // field of errs.Refusals
	Doc    string
}

// RefusalKinds are the refusals an action may name, in emitted order.
var RefusalKinds = []RefusalKind{
	{"bad_room", "BadRoom", "the room does not exist or is of another kind"},
	{"forbidden", "Forbidden", "the caller is not a member of the room, or its role may not do this"},
	{"bad_message", "BadMessage", "the message named (replied to) is not in the room, is hidden from the caller, or is deleted"},
	{"bad_user", "BadUser", "the user or member named does not exist or will not do"},
	{"exists", "Exists", "the user named is a member already"},
	{"log_missing", "LogMissing", "a client cannot write a LOG message: only the server does"},
	{"file_not_found", "FileNotFound", "the attachment names no file the caller uploaded"},
	{"bad_forward_room", "BadForwardRoom", "the forwarded message's room does not exist"},
	{"bad_forward_message", "BadForwardMessage", "the forwarded message does not exist"},
	{"forward_hidden", "ForwardHidden", "the caller may not read the forwarded message"},
}

// Refusal is an action's answer to one RefusalKind: an error of the action,
// with a minor when the error has a table.
type Refusal struct {
	Kind  RefusalKind
	Error *Error
	Minor *Minor // nil for an error without minors
}

// buildRefusals reads every action's refusals: each names an error the
// action returns and, for a bad-payload minor, one only behaviour decides.
func (b *builder) buildRefusals() {
	for _, a := range b.s.Actions {
		r := b.rawActs[a]
		where := fmt.Sprintf("action %d %s: refusals", a.ID, a.Name)
		names := make([]string, 0, len(r.Refusals))
		for n := range r.Refusals {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			k, ok := refusalKind(name)
			if !ok {
				known := make([]string, len(RefusalKinds))
				for i, k := range RefusalKinds {
					known[i] = k.Name
				}
				b.errorf(r.Pos, "%s: unknown refusal %q (known: %s)", where, name, strings.Join(known, ", "))
				continue
			}
			if ref := b.refusal(a, r.Pos, where+"."+name, r.Refusals[name]); ref != nil {
				ref.Kind = k
				a.Refusals = append(a.Refusals, ref)
			}
		}
		sort.Slice(a.Refusals, func(i, j int) bool { return kindIndex(a.Refusals[i].Kind) < kindIndex(a.Refusals[j].Kind) })
	}
}

func refusalKind(name string) (RefusalKind, bool) {
	for _, k := range RefusalKinds {
		if k.Name == name {
			return k, true
		}
	}
	return RefusalKind{}, false
}

func kindIndex(k RefusalKind) int {
	for i, x := range RefusalKinds {
		if x.Name == k.Name {
			return i
		}
	}
	return len(RefusalKinds)
}

// refusal resolves "CODE" or "CODE/MINOR".
func (b *builder) refusal(a *Action, p Pos, where, text string) *Refusal {
	codeText, minorText, hasMinor := strings.Cut(text, "/")
	code, err := strconv.ParseUint(codeText, 10, 32)
	if err != nil {
		b.errorf(p, "%s: %q must be an error code, or code/minor", where, text)
		return nil
	}
	var e *Error
	for _, x := range a.Errors() {
		if x.Code == uint32(code) {
			e = x
		}
	}
	switch {
	case e == nil:
		b.errorf(p, "%s: error %d is not one the action returns (its errors)", where, code)
		return nil
	case e.Wait:
		b.errorf(p, "%s: error %d %s carries a wait: a refusal cannot say how long", where, e.Code, e.Name)
		return nil
	case !hasMinor && len(e.Minors) > 0:
		b.errorf(p, "%s: error %d %s has minors: name one as %d/N", where, e.Code, e.Name, e.Code)
		return nil
	case hasMinor && len(e.Minors) == 0:
		b.errorf(p, "%s: error %d %s has no minors", where, e.Code, e.Name)
		return nil
	case !hasMinor:
		return &Refusal{Error: e}
	}
	n, err := strconv.ParseUint(minorText, 10, 32)
	mn := e.Minor(uint32(n))
	if err != nil || mn == nil {
		b.errorf(p, "%s: %q: minor %s is not a minor of error %d %s", where, text, minorText, e.Code, e.Name)
		return nil
	}
	// The handler raises it: a refusal is a handler minor without being
	// listed again in handler_minors (a rule may raise it too: room_id
	// required, and the room exists).
	if e == a.BadPayload && !mn.Handler {
		mn.Handler = true
		a.HandlerMinors = append(a.HandlerMinors, mn)
		sort.Slice(a.HandlerMinors, func(i, j int) bool { return a.HandlerMinors[i].Code < a.HandlerMinors[j].Code })
	}
	return &Refusal{Error: e, Minor: mn}
}
