package e2e

import (
	"fmt"
	"testing"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/handlers"
)

// stormCount counts the pushes of each action in ps.
func stormCount(ps []pushOf) map[uint16]int {
	n := map[uint16]int{}
	for _, p := range ps {
		n[p.action]++
	}
	return n
}

type pushOf struct {
	action uint16
	msg    any
}

// stormPushes is what has arrived on u's connection once a round trip has
// made sure every push queued before it is there.
func stormPushes(t *testing.T, u *chatUser) []pushOf {
	t.Helper()
	if _, err := u.c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil {
		t.Fatalf("the target's connection: %v", err)
	}
	var out []pushOf
	for _, p := range syncPushes(u.conn) {
		out = append(out, pushOf{p.Action, p.Msg})
	}
	return out
}

// A ClientCondition repeating one change many times is one change and one
// push: it cannot be used to flood the peer.
func TestStormRepeatedOfflineChangesPushOnce(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Server.OutQueue = 16 })
	a, b := chatSignUp(e, 9121300021), chatSignUp(e, 9121300022)
	room := chatRoom(t, a, b)
	edited, deleted := chatText(t, a, room, "edit me"), chatText(t, a, room, "delete me")
	seen := chatText(t, b, room, "see me")
	stormPushes(t, b)

	cr := &pb.ClientCondition_Room{RoomId: room, MessageVersion: syncVersions(edited, deleted, seen)}
	for i := range validate.ClientConditionOfflineChanges {
		cr.OfflineEdited = append(cr.OfflineEdited, &pb.ClientCondition_Room_OfflineEdited{MessageId: edited.MessageId, Message: fmt.Sprint("v", i)})
	}
	for range validate.ClientConditionOfflineChanges / 2 {
		cr.OfflineDeleted = append(cr.OfflineDeleted, &pb.ClientCondition_Room_OfflineDeleted{MessageId: deleted.MessageId, Both: true})
		cr.OfflineDeletedDeprecated = append(cr.OfflineDeletedDeprecated, deleted.MessageId)
		cr.OfflineSeen = append(cr.OfflineSeen, seen.MessageId)
	}
	if _, err := a.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{cr}}); err != nil {
		t.Fatal(err)
	}

	ps := stormPushes(t, b)
	if n := stormCount(ps); len(ps) != 3 || n[pushEdit] != 1 || n[pushDelete] != 1 || n[pushStatus] != 1 {
		t.Fatalf("b got %d pushes (%v), want one edit, one delete, one status", len(ps), n)
	}
	for _, p := range ps {
		switch m := p.msg.(type) {
		case *pb.ChatEditMessageResponse:
			if m.MessageId != edited.MessageId || m.Message != fmt.Sprint("v", validate.ClientConditionOfflineChanges-1) {
				t.Fatalf("edit push: %v, want the last edit", m)
			}
		case *pb.ChatDeleteMessageResponse:
			if m.MessageId != deleted.MessageId {
				t.Fatalf("delete push: %v", m)
			}
		case *pb.ChatUpdateStatusResponse:
			if m.MessageId != seen.MessageId || m.Status != pb.RoomMessageStatus_SEEN {
				t.Fatalf("status push: %v", m)
			}
		}
	}
	// b is still connected and chatting.
	if e.online(b.id) != 1 {
		t.Fatal("b was disconnected")
	}
	stormPushes(t, a)
	m := chatText(t, b, room, "still here")
	if p := nextPush(t, a.conn, pushSend).(*pb.ChatSendMessageResponse); p.RoomMessage.MessageId != m.MessageId {
		t.Fatalf("a got message %d, want %d", p.RoomMessage.MessageId, m.MessageId)
	}
}

// One request sends a user at most MaxPushesPerRecipient pushes; a burst
// beyond it (or beyond what the target's queue holds) costs the target
// neither its connection nor any change: ClientCondition brings the rest.
func TestStormBurstBeyondBoundIsCaughtUp(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Server.OutQueue = 16 })
	a, b := chatSignUp(e, 9121300031), chatSignUp(e, 9121300032)
	room := chatRoom(t, a, b)
	const n = handlers.MaxPushesPerRecipient + 50
	ms := make([]*pb.RoomMessage, n)
	for i := range ms {
		ms[i] = chatText(t, a, room, fmt.Sprint("m", i))
	}
	stormPushes(t, b)
	mv := syncVersions(ms...)

	cr := &pb.ClientCondition_Room{RoomId: room, MessageVersion: mv}
	for i, m := range ms {
		cr.OfflineEdited = append(cr.OfflineEdited, &pb.ClientCondition_Room_OfflineEdited{MessageId: m.MessageId, Message: fmt.Sprint("e", i)})
	}
	if _, err := a.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{cr}}); err != nil {
		t.Fatal(err)
	}
	ps := stormPushes(t, b)
	if got := stormCount(ps)[pushEdit]; got == 0 || got > handlers.MaxPushesPerRecipient {
		t.Fatalf("b got %d edit pushes live, want 1..%d", got, handlers.MaxPushesPerRecipient)
	}
	if e.online(b.id) != 1 {
		t.Fatal("b was disconnected by the burst")
	}

	// b catches up from the versions it had: every edit, with its text.
	if _, err := b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: room, MessageVersion: mv}}}); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]string{}
	for _, p := range syncPushes(b.conn) {
		if m, ok := p.Msg.(*pb.ChatEditMessageResponse); ok {
			got[m.MessageId] = m.Message
		}
	}
	for i, m := range ms {
		if want := fmt.Sprint("e", i); got[m.MessageId] != want {
			t.Fatalf("after catch-up message %d reads %q, want %q (%d edits caught up)", m.MessageId, got[m.MessageId], want, len(got))
		}
	}
	m := chatText(t, b, room, "still here")
	if p := nextPush(t, a.conn, pushSend).(*pb.ChatSendMessageResponse); p.RoomMessage.MessageId != m.MessageId {
		t.Fatalf("a got message %d, want %d", p.RoomMessage.MessageId, m.MessageId)
	}
}
