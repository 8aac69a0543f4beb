package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wire/wsclient"
	"google.golang.org/protobuf/proto"
)

// FuzzFramePath sends arbitrary frames through a running server's frame path
// and dispatcher. After each one the server must still answer a heartbeat on
// the same connection: no panic, no hang, no silent death.
func FuzzFramePath(f *testing.F) {
	reg, _ := proto.Marshal(&pb.UserRegister{Request: &pb.Request{Id: "r"}, PhoneNumber: 9123456789, CountryCode: "IR"})
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(wire.AppendFrame(nil, dispatch.ActionUserRegister, reg))
	f.Add(wire.AppendFrame(nil, dispatch.ActionClientCondition, []byte{0x12, 0x02, 0x10, 0x01}))
	f.Add(wire.AppendFrame(nil, 65535, []byte{0x0a, 0x03, 0x0a, 0x01, 'x'}))
	e := start(f, nil)
	var conn *wsclient.Conn
	f.Fuzz(func(t *testing.T, frame []byte) {
		if conn == nil {
			c, err := wsclient.Dial(ctx(t), e.app.URL(), wsclient.Options{PushBuffer: 4})
			if err != nil {
				t.Fatal(err)
			}
			conn = c
		}
		if err := conn.SendRaw(frame); err != nil {
			t.Fatal(err)
		}
		hb := &pb.HeartbeatResponse{}
		c2, cancel := ctxTimeout(5 * time.Second)
		defer cancel()
		r := &pb.Request{}
		if err := conn.Call(c2, dispatch.ActionHeartbeat, r, &pb.Heartbeat{Request: r}, hb); err != nil {
			t.Fatalf("server stopped answering after frame %x: %v", frame, err)
		}
	})
}
