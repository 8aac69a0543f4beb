package spectest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// TestValidateMinors breaks every constraint of every rule of the spec, one
// at a time, on an otherwise valid request, and expects the generated
// validator to answer with the action's bad_payload error and the rule's
// minor. The table comes from the model, so a new rule gets its cases without
// touching this file, and a rule the test cannot break is an error.
func TestValidateMinors(t *testing.T) {
	s := loadModel(t)
	msgs := messageIndex(s)
	checkRuleWalk(t, s)

	produced := map[*ir.Minor]bool{}
	var summary []string
	total := 0
	for _, a := range s.Actions {
		if a.Transport {
			continue // no validator: the transport answers it
		}
		cases, problems := actionCases(a, msgs)
		t.Run(a.Name, func(t *testing.T) {
			for _, p := range problems {
				t.Error(p)
			}
			groups, order := groupCases(cases)
			for _, g := range order {
				if c := groups[g]; len(c) == 1 && c[0].Name == g {
					t.Run(g, func(t *testing.T) { runCase(t, c[0]) })
					continue
				}
				t.Run(g, func(t *testing.T) {
					for _, c := range groups[g] {
						name := c.Name
						if i := strings.IndexByte(name, '/'); i >= 0 {
							name = name[i+1:]
						}
						t.Run(name, func(t *testing.T) {
							if runCase(t, c) && c.Minor != nil {
								produced[c.Minor] = true
							}
						})
					}
				})
			}
		})
		violating, bounds := 0, 0
		for _, c := range cases {
			switch {
			case c.Minor != nil:
				violating++
			case c.Rule != nil:
				bounds++
			}
		}
		total += len(cases)
		if violating+bounds > 0 {
			summary = append(summary, fmt.Sprintf("%s: %d violating, %d at a bound", a.Name, violating, bounds))
		}
	}
	t.Logf("%d cases (baselines included):\n%s", total, strings.Join(summary, "\n"))

	// Every minor that a rule claims must have come out of the validator.
	for _, a := range s.Actions {
		if a.BadPayload == nil {
			continue
		}
		for _, mn := range a.BadPayload.Minors {
			if len(mn.Rules) > 0 && !produced[mn] {
				t.Errorf("%s: minor %d.%d (%s) has %d rule(s) but no case produced it", a.Name, a.BadPayload.Code, mn.Code, mn.ID, len(mn.Rules))
			}
		}
	}
}

// checkRuleWalk makes sure the test reaches exactly the rules the model links
// to minors, and that the routes carry the model's error codes.
func checkRuleWalk(t *testing.T, s *ir.Spec) {
	t.Helper()
	for _, a := range s.Actions {
		route := dispatch.Lookup(uint16(a.ID))
		if a.Transport {
			if route != nil {
				t.Errorf("transport action %d %s has a route", a.ID, a.Name)
			}
			continue
		}
		if route == nil {
			t.Errorf("action %d %s has no route", a.ID, a.Name)
			continue
		}
		walked := map[*ir.Rule]bool{}
		for _, r := range actionRules(a) {
			walked[r] = true
			if r.Action != a {
				t.Errorf("%s: rule at %s belongs to %v", a.Name, where(r.Pos), r.Action.Name)
			}
		}
		if a.BadPayload == nil {
			if len(walked) > 0 {
				t.Errorf("%s has %d rules but no bad_payload error", a.Name, len(walked))
			}
			if route.BadPayload != 0 {
				t.Errorf("%s: route names bad payload %d, the spec none", a.Name, route.BadPayload)
			}
			continue
		}
		if route.BadPayload != wire.Major(a.BadPayload.Code) {
			t.Errorf("%s: route names bad payload %d, the spec %d", a.Name, route.BadPayload, a.BadPayload.Code)
		}
		linked := 0
		for _, mn := range a.BadPayload.Minors {
			for _, r := range mn.Rules {
				linked++
				if !walked[r] {
					t.Errorf("%s: rule at %s (minor %d) is not on the request or in the checks", a.Name, where(r.Pos), mn.Code)
				}
			}
		}
		if linked != len(walked) {
			t.Errorf("%s: %d rules on the request and checks, %d linked to minors", a.Name, len(walked), linked)
		}
	}
}

// groupCases groups cases by the part of their name before the first slash,
// keeping their order.
func groupCases(cases []vcase) (map[string][]vcase, []string) {
	groups := map[string][]vcase{}
	var order []string
	for _, c := range cases {
		g := c.Name
		if i := strings.IndexByte(g, '/'); i >= 0 {
			g = g[:i]
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], c)
	}
	// The baseline first, then minors in numeric order.
	sort.SliceStable(order, func(i, j int) bool {
		return minorKey(order[i]) < minorKey(order[j])
	})
	return groups, order
}

func minorKey(g string) int {
	var major, minor int
	if _, err := fmt.Sscanf(g, "%d.%d", &major, &minor); err != nil {
		return -1
	}
	return minor
}

// runCase runs one case through its route with handlers that implement
// nothing, so a request that passes validation comes back as
// wire.ErrNotImplemented. It reports whether the case held.
func runCase(t *testing.T, c vcase) bool {
	t.Helper()
	// The case must agree with the independent reading of the rules first.
	var refMinor *ir.Minor
	if r := referenceRule(c.Action, c.Req.ProtoReflect()); r != nil {
		refMinor = r.Minor
	}
	if refMinor != c.Minor {
		t.Errorf("the reference reading of the spec says %s, the case expects %s%s", minorName(refMinor), minorName(c.Minor), ruleWhere(c))
	}
	resp, err := c.Route.Call(context.Background(), NewSession(), proto.Clone(c.Req))
	if resp != nil {
		t.Errorf("Call returned a response %T next to %v", resp, err)
	}
	if c.Minor == nil {
		if !errors.Is(err, wire.ErrNotImplemented) {
			t.Errorf("a valid request was refused: %v%s\nrequest: %s", err, ruleWhere(c), show(c.Req))
			return false
		}
		return true
	}
	want := fmt.Sprintf("error %d/%d (%s)", c.Route.BadPayload, c.Minor.Code, c.Minor.ID)
	e, ok := wire.As(err)
	switch {
	case errors.Is(err, wire.ErrNotImplemented):
		t.Errorf("the request passed validation; want %s%s\nrequest: %s", want, ruleWhere(c), show(c.Req))
		return false
	case !ok:
		t.Errorf("got %v, not a *wire.Error; want %s%s", err, want, ruleWhere(c))
		return false
	case e.Major != c.Route.BadPayload || e.Minor != wire.Minor(c.Minor.Code):
		t.Errorf("got error %d/%d (%q); want %s%s\nrequest: %s", e.Major, e.Minor, e.Message, want, ruleWhere(c), show(c.Req))
		return false
	}
	return true
}

func minorName(m *ir.Minor) string {
	if m == nil {
		return "valid"
	}
	return fmt.Sprintf("minor %d.%d (%s)", m.Error.Code, m.Code, m.ID)
}

func ruleWhere(c vcase) string {
	if c.Rule == nil {
		return ""
	}
	return fmt.Sprintf("\nrule: %s (%s)", where(c.Rule.Pos), rulePath(c.Rule))
}

// show prints a request, shortened: some cases hold a megabyte.
func show(m proto.Message) string {
	s := prototext.MarshalOptions{}.Format(m)
	if len(s) > 1500 {
		s = s[:1500] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}
