package spectest

import (
	"context"
	"errors"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// maxSeed keeps the seed corpus small; the megabyte cases of the table add
// nothing a fuzzer can use.
const maxSeed = 8 << 10

// FuzzValidators feeds arbitrary payloads to the generated validators. The
// first two bytes pick the route (an action id, or any number modulo the
// route list), the rest is decoded as its request. A decoded request must
// either pass validation or fail with the action's bad_payload error and a
// minor of its catalogue that a rule claims; and it must fail exactly where
// the reference reading of the spec says.
func FuzzValidators(f *testing.F) {
	s := loadModel(f)
	cases, problems := allCases(s)
	if len(problems) > 0 {
		f.Logf("%d rules without seeds (see TestValidateMinors)", len(problems))
	}
	for _, c := range cases {
		payload, err := proto.Marshal(c.Req)
		if err != nil {
			f.Fatalf("%s %s: %v", c.Action.Name, c.Name, err)
		}
		if len(payload) <= maxSeed {
			f.Add(wire.AppendFrame(nil, c.Route.ID, payload))
		}
	}
	routes := dispatch.Routes()
	actions := map[uint16]*ir.Action{}
	for _, a := range s.Actions {
		actions[uint16(a.ID)] = a
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		id, payload, err := wire.DecodeFrame(data)
		if err != nil {
			return
		}
		r := dispatch.Lookup(id)
		if r == nil {
			r = routes[int(id)%len(routes)]
		}
		a := actions[r.ID]
		if a == nil {
			t.Fatalf("route %d %s is not an action of the spec", r.ID, r.Name)
		}
		req := r.NewRequest()
		if err := proto.Unmarshal(payload, req); err != nil {
			return
		}
		want := referenceRule(a, req.ProtoReflect())
		resp, err := r.Call(context.Background(), NewSession(), req)
		if resp != nil {
			t.Fatalf("%s: a response %T next to %v", r.Name, resp, err)
		}
		if errors.Is(err, wire.ErrNotImplemented) {
			if want != nil {
				t.Fatalf("%s: passed validation; the reference says minor %d (%s) from the rule at %s\nrequest: %s",
					r.Name, want.Minor.Code, want.Minor.ID, where(want.Pos), show(req))
			}
			return
		}
		e, ok := wire.As(err)
		if !ok {
			t.Fatalf("%s: %v is neither ErrNotImplemented nor a *wire.Error", r.Name, err)
		}
		if r.BadPayload == 0 || e.Major != r.BadPayload {
			t.Fatalf("%s: error %d/%d; the only error validation may return is bad payload %d", r.Name, e.Major, e.Minor, r.BadPayload)
		}
		info, ok := errs.Lookup(e.Major)
		if !ok || !hasMinor(info, e.Minor) {
			t.Fatalf("%s: minor %d is not in the catalogue of error %d", r.Name, e.Minor, e.Major)
		}
		mn := a.BadPayload.Minor(uint32(e.Minor))
		if mn == nil || len(mn.Rules) == 0 {
			t.Fatalf("%s: minor %d is claimed by no rule, so validation must not return it", r.Name, e.Minor)
		}
		if want == nil {
			t.Fatalf("%s: refused with minor %d (%s); the reference accepts the request\nrequest: %s", r.Name, e.Minor, mn.ID, show(req))
		}
		if want.Minor != mn {
			t.Fatalf("%s: refused with minor %d (%s); the reference says minor %d (%s) from the rule at %s\nrequest: %s",
				r.Name, e.Minor, mn.ID, want.Minor.Code, want.Minor.ID, where(want.Pos), show(req))
		}
	})
}

func hasMinor(info *wire.ErrorInfo, m wire.Minor) bool {
	for _, x := range info.Minors {
		if x.Code == m {
			return true
		}
	}
	return false
}
