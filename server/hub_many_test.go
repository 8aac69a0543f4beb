package server

import (
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// PushMany encodes once for every recipient, skips the excluded session,
// and queues one frame per connection even when a user is listed twice.
func TestHubPushMany(t *testing.T) {
	s := New(testConfig(t), Options{Log: quietLog()})
	hub := s.Hub()
	a, b, other := detached(s, "a"), detached(s, "b"), detached(s, "other")
	a.Login(1, 10)
	b.Login(1, 11)
	other.Login(2, 20)
	const action = dispatch.ResponseGroupSendMessage
	msg := &pb.GroupSendMessageResponse{RoomId: 7}

	long := []uint64{3, 1, 2}
	for i := range 20 { // past the short-list search: the map path
		long = append(long, 100+uint64(i), 1)
	}
	for _, users := range [][]uint64{{1, 2, 1, 3}, long} {
		if err := hub.PushMany(users, action, msg, a); err != nil {
			t.Fatal(err)
		}
		if n := len(queued(a)); n != 0 {
			t.Fatalf("the excluded session got %d frames", n)
		}
		fb, fo := queued(b), queued(other)
		if len(fb) != 1 || len(fo) != 1 {
			t.Fatalf("b got %d frames, other %d; want 1 each", len(fb), len(fo))
		}
		if &fb[0].data[0] != &fo[0].data[0] {
			t.Fatal("two users' connections were given separate encodings")
		}
		if act, _, err := wire.DecodeFrame(fb[0].data); err != nil || act != action {
			t.Fatalf("frame action %d, %v", act, err)
		}
	}
}
