package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/proto"
)

// FuzzFramePath sends arbitrary frames through a running server's frame path
// and dispatcher. After each one the server must still answer a request on
// the same connection: no panic, no hang, no silent death. Frames of action
// 2 are left out: they start the connection securing, after which a plain
// request closes the connection by design.
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
			c, err := wsclient.Dial(ctx(t), e.url(), wsclient.Options{PushBuffer: 4})
			if err != nil {
				t.Fatal(err)
			}
			conn = c
		}
		if a, _, err := wire.DecodeFrame(frame); err == nil && a == dispatch.ActionConnectionSymmetricKey {
			return
		}
		if err := conn.SendRaw(frame); err != nil {
			t.Fatal(err)
		}
		c2, cancel := ctxTimeout(5 * time.Second)
		defer cancel()
		if _, err := conn.Client().InfoTime(c2, &pb.InfoTime{}); err != nil {
			t.Fatalf("server stopped answering after frame %x: %v", frame, err)
		}
	})
}
