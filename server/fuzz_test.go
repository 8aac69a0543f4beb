package server

import (
	"testing"
	"unicode/utf8"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// fuzzHandlers leaves every action unimplemented (its internal error),
// which is enough to reach every branch of the frame path.
type fuzzHandlers struct{ dispatch.Unimplemented }

// FuzzFrame feeds arbitrary frames through a connection's frame path (what
// OnMessage runs for each WebSocket message) and checks that it never panics
// and always queues exactly one answer that a client can read: the response
// to the action named, or an ErrorResponse, carrying the request's id. The
// transport's own actions differ: a Heartbeat gets no answer, and
// ConnectionSymmetricKey on this server without keys is REJECTED and closes.
func FuzzFrame(f *testing.F) {
	hb, _ := marshalFrame(dispatch.ActionHeartbeat, &pb.Heartbeat{Request: &pb.Request{Id: "hb"}})
	reg, _ := marshalFrame(dispatch.ActionUserRegister, &pb.UserRegister{Request: &pb.Request{Id: "r"}, PhoneNumber: 9123456789, CountryCode: "IR"})
	nick, _ := marshalFrame(dispatch.ActionUserProfileGetNickname, &pb.UserProfileGetNickname{Request: &pb.Request{Id: "n"}})
	f.Add(true, []byte{})
	f.Add(true, []byte{3})
	f.Add(false, []byte("hello"))
	f.Add(false, hb)
	f.Add(true, hb)
	f.Add(true, reg)
	f.Add(true, nick)
	f.Add(true, append(append([]byte(nil), reg...), 0x1a, 0x02, 0xff, 0xfe)) // country_code not UTF-8
	f.Add(true, []byte{0x92, 0x10, 0x0a, 0x03, 0x0a, 0x01, 'x'})             // unknown action 4242 with id "x"
	f.Add(true, []byte{0x03, 0x00, 0xff, 0xff, 0xff})

	cfg := Config{OutQueue: 4}
	s := New(cfg, Options{Handlers: fuzzHandlers{}, Log: quietLog()})
	f.Fuzz(func(t *testing.T, binary bool, frame []byte) {
		c := detached(s, "fuzz")
		c.handleFrame(binary, frame)
		out := queued(c)
		var reqAction uint16
		var reqPayload []byte
		if binary && len(frame) >= wire.HeaderSize {
			reqAction, reqPayload, _ = wire.DecodeFrame(frame)
		}
		switch {
		case binary && reqAction == dispatch.ActionHeartbeat:
			if len(out) != 0 {
				t.Fatalf("a Heartbeat was answered: %+v", out)
			}
			return
		case binary && reqAction == dispatch.ActionConnectionSymmetricKey && len(out) == 1 && out[0].close:
			out[0].close = false // REJECTED, then closed
		}
		if len(out) != 1 || out[0].close {
			t.Fatalf("%d frames queued for one request: %+v", len(out), out)
		}
		action, payload, err := wire.DecodeFrame(out[0].data)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := client.Decode(action, payload)
		if err != nil {
			t.Fatalf("the answer does not decode: %v", err)
		}
		gotID, _ := wire.PeekID(payload)
		if action == dispatch.MessageErrorResponse {
			e := msg.(*pb.ErrorResponse)
			if e.MajorCode == 0 {
				t.Fatal("ErrorResponse without a major code")
			}
			// Errors carry the id as read from the frame (none for a frame
			// that names no action), unless it cannot be sent (not UTF-8).
			wantID, _ := wire.PeekID(reqPayload)
			if gotID != wantID && utf8.ValidString(wantID) {
				t.Fatalf("error answers id %q, the request's is %q", gotID, wantID)
			}
			return
		}
		if binary && reqAction == dispatch.ActionConnectionSymmetricKey && action == reqAction+wire.ResponseOffset {
			return
		}
		r := dispatch.Lookup(reqAction)
		if !binary || r == nil || action != r.ResponseID {
			t.Fatalf("action %d answered a frame of action %d (binary %v)", action, reqAction, binary)
		}
		// A response repeats the request's id as protobuf decodes it.
		var req pb.Heartbeat // any request: field 1 is always the header
		if err := proto.Unmarshal(reqPayload, &req); err != nil {
			t.Fatalf("a request that does not decode was answered: %v", err)
		}
		if gotID != req.GetRequest().GetId() {
			t.Fatalf("response id %q, request id %q", gotID, req.GetRequest().GetId())
		}
	})
}
