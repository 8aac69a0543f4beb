package server

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// detached is a connection without a socket: its queue is read by the test.
func detached(s *Server, name string) *conn { return newConn(s, nil, name) }

func queued(c *conn) []outFrame {
	var fs []outFrame
	for {
		f, ok := c.take()
		if !ok {
			return fs
		}
		fs = append(fs, *f)
	}
}

func TestHubPush(t *testing.T) {
	cfg := testConfig(t)
	cfg.OutQueue = 4
	cfg.QueueStall = 50 * time.Millisecond
	s := New(cfg, Options{Log: quietLog()})
	hub := s.Hub()
	a, b, other := detached(s, "a"), detached(s, "b"), detached(s, "other")
	a.Login(1, 10)
	b.Login(1, 11)
	other.Login(2, 20)
	if hub.Online(1) != 2 || hub.Online(2) != 1 || hub.Online(3) != 0 {
		t.Fatalf("online: %d %d %d", hub.Online(1), hub.Online(2), hub.Online(3))
	}

	const action = dispatch.ResponseChatSendMessage
	msg := &pb.ChatSendMessageResponse{RoomId: 5}
	if err := hub.Push(1, action, msg, a); err != nil {
		t.Fatal(err)
	}
	if n := len(queued(a)); n != 0 {
		t.Fatalf("the excluded session got %d frames", n)
	}
	if n := len(queued(other)); n != 0 {
		t.Fatalf("another user got %d frames", n)
	}
	fb := queued(b)
	if len(fb) != 1 {
		t.Fatalf("b got %d frames", len(fb))
	}
	act, payload, err := wire.DecodeFrame(fb[0].data)
	if err != nil || act != action {
		t.Fatalf("frame action %d, %v", act, err)
	}
	var got pb.ChatSendMessageResponse
	if err := proto.Unmarshal(payload, &got); err != nil || got.RoomId != 5 || got.Response.GetId() != "" {
		t.Fatalf("pushed %v, %v", &got, err)
	}

	// Encoded once: every connection is queued the same bytes.
	if err := hub.Push(1, action, msg, nil); err != nil {
		t.Fatal(err)
	}
	fa, fb := queued(a), queued(b)
	if len(fa) != 1 || len(fb) != 1 || &fa[0].data[0] != &fb[0].data[0] {
		t.Fatal("the push was not shared between connections")
	}

	// A full queue: the push to that connection is dropped, it does not
	// wait, the connection stays, and the others still get it.
	for i := 0; i < cfg.OutQueue; i++ {
		if !b.enqueue(&outFrame{data: []byte{0, 0}}) {
			t.Fatal("the queue is full before its limit")
		}
	}
	began := time.Now()
	if err := hub.Push(1, action, msg, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > time.Second {
		t.Fatalf("Push waited %v on a full queue", took)
	}
	if b.finished() || hub.Online(1) != 2 {
		t.Fatalf("a full connection was closed at once: finished=%v, online %d", b.finished(), hub.Online(1))
	}
	if len(queued(a)) != 1 {
		t.Fatal("a did not get the push")
	}
	if got := counterValue(t, hub.dropped); got != 1 {
		t.Fatalf("dropped = %v", got)
	}
	// Progress (a frame taken) clears the stall; then the queue stays full,
	// nothing is taken for the stall time, and the next push closes it.
	if _, ok := b.take(); !ok {
		t.Fatal("nothing queued")
	}
	if !b.offer(&outFrame{data: []byte{0, 0}}) {
		t.Fatal("no room after a frame was taken")
	}
	if err := hub.Push(1, action, msg, nil); err != nil {
		t.Fatal(err)
	}
	if b.finished() {
		t.Fatal("closed before the stall time")
	}
	time.Sleep(cfg.QueueStall)
	if err := hub.Push(1, action, msg, nil); err != nil {
		t.Fatal(err)
	}
	if !b.finished() || hub.Online(1) != 1 {
		t.Fatalf("stalled connection finished=%v, online %d", b.finished(), hub.Online(1))
	}
	if got := counterValue(t, hub.slowClosed); got != 1 {
		t.Fatalf("slow closed = %v", got)
	}
	queued(a)
	// A finished connection is not registered again.
	b.Login(1, 11)
	if hub.Online(1) != 1 {
		t.Fatalf("a finished connection was bound: online %d", hub.Online(1))
	}

	// A message that does not encode is an error, and nothing is queued.
	if err := hub.Push(1, action, &pb.ChatSendMessageResponse{Response: &pb.Response{Id: "\xff"}}, nil); err == nil {
		t.Fatal("invalid UTF-8 pushed")
	}
	if len(queued(a)) != 0 {
		t.Fatal("a broken push was queued")
	}
}

func TestHubRebindAndEvict(t *testing.T) {
	s := New(testConfig(t), Options{Log: quietLog()})
	hub := s.Hub()
	a, b := detached(s, "a"), detached(s, "b")
	a.Login(1, 10)
	// The same connection logging in as another device leaves the first.
	a.Login(1, 12)
	b.Login(1, 10)
	if a.finished() || len(queued(a)) != 0 {
		t.Fatal("a was evicted from a device session it had left")
	}
	if hub.Online(1) != 2 {
		t.Fatalf("online %d", hub.Online(1))
	}
	// b takes over device 12 from a: a gets 3 and a close.
	b.Login(1, 12)
	fa := queued(a)
	if len(fa) != 1 || !fa[0].close || fa[0].code != closeNormal {
		t.Fatalf("evicted connection's queue: %+v", fa)
	}
	var e pb.ErrorResponse
	_, payload, _ := wire.DecodeFrame(fa[0].data)
	if err := proto.Unmarshal(payload, &e); err != nil || e.MajorCode != uint32(errs.NewClientInSession) {
		t.Fatalf("eviction frame %v, %v", &e, err)
	}
	if !a.closing.Load() {
		t.Fatal("the evicted connection still takes requests")
	}
	if hub.Online(1) != 1 || b.DeviceID() != 12 {
		t.Fatalf("online %d, b device %d", hub.Online(1), b.DeviceID())
	}
}

// A stalled connection that no push comes to find is closed by its heartbeat.
func TestStalledQueueClosedByHeartbeat(t *testing.T) {
	cfg := testConfig(t)
	cfg.OutQueue = 2
	cfg.QueueStall = 50 * time.Millisecond
	s := New(cfg, Options{Log: quietLog()})
	c := detached(s, "c")
	c.Login(1, 10)
	for i := 0; i < cfg.OutQueue; i++ {
		c.enqueue(&outFrame{data: []byte{0, 0}})
	}
	if c.offer(&outFrame{data: []byte{0, 0}}) {
		t.Fatal("a full queue took a push")
	}
	c.beat()
	if c.finished() {
		t.Fatal("closed before the stall time")
	}
	time.Sleep(cfg.QueueStall)
	c.beat()
	if !c.finished() || s.Hub().Online(1) != 0 {
		t.Fatal("the stalled connection is still open")
	}
}

// OnUserGone hears of a user once their last connection has gone, not when
// one of several goes or a connection logs in again.
func TestHubTellsWhenAUsersLastConnectionGoes(t *testing.T) {
	s := New(testConfig(t), Options{Log: quietLog()})
	hub := s.Hub()
	gone := make(chan uint64, 10)
	hub.OnUserGone(func(u uint64) { gone <- u })
	none := func() {
		t.Helper()
		select {
		case u := <-gone:
			t.Fatalf("user %d reported gone", u)
		case <-time.After(50 * time.Millisecond):
		}
	}
	a, b, c := detached(s, "a"), detached(s, "b"), detached(s, "c")
	a.Login(1, 10)
	a.Login(1, 11) // the same connection again: user 1 never left
	b.Login(1, 12)
	c.Login(2, 20)
	c.Login(3, 30) // c leaves user 2, who has no other connection
	if u := <-gone; u != 2 {
		t.Fatalf("gone %d, want 2", u)
	}
	a.kill()
	none()
	b.kill()
	if u := <-gone; u != 1 {
		t.Fatalf("gone %d, want 1", u)
	}
	none()
}
