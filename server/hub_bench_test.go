package server

import (
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
)

// BenchmarkHubPushMany1000: one 1 KB group message to 1,000 online members,
// through the hub to their queues (the fan-out's server side, without the
// sockets). One encoding per op, not a thousand.
func BenchmarkHubPushMany1000(b *testing.B) {
	s := New(DefaultConfig(), Options{Log: quietLog()})
	const n = 1000
	users := make([]uint64, n)
	conns := make([]*conn, n)
	for i := range n {
		conns[i] = detached(s, "m")
		conns[i].Login(uint64(i+1), uint64(i+1))
		users[i] = uint64(i + 1)
	}
	msg := &pb.GroupSendMessageResponse{RoomId: 7, RoomMessage: &pb.RoomMessage{Message: strings.Repeat("x", 1024)}}
	const action = dispatch.ResponseGroupSendMessage
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Hub().PushMany(users, action, msg, nil); err != nil {
			b.Fatal(err)
		}
		for _, c := range conns {
			c.take()
		}
	}
}
