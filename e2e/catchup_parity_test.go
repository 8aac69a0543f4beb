package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/proto"
)

// messagePushes are the pushes that tell of a change to a room's messages:
// the ones ClientCondition's catch-up replays.
var messagePushes = map[uint16]string{
	dispatch.ResponseChatSendMessage:    "chat new message",
	dispatch.ResponseChatEditMessage:    "chat edit",
	dispatch.ResponseChatDeleteMessage:  "chat delete",
	dispatch.ResponseChatUpdateStatus:   "chat status",
	dispatch.ResponseGroupSendMessage:   "group new message",
	dispatch.ResponseGroupUpdateStatus:  "group status",
	dispatch.ResponseChannelSendMessage: "channel new message",
}

// byRoom keeps the message pushes of ps, in order, by room id.
func byRoom(ps []wsclient.Push) map[uint64][]wsclient.Push {
	out := map[uint64][]wsclient.Push{}
	for _, p := range ps {
		if _, ok := messagePushes[p.Action]; ok {
			id := p.Msg.(interface{ GetRoomId() uint64 }).GetRoomId()
			out[id] = append(out[id], p)
		}
	}
	return out
}

// TestCatchUpPushesEqualLivePushes makes every kind of change to the messages
// of a chat, a group and a channel while one session of the peer is connected
// and another is away; the away one then catches up through ClientCondition
// and must receive, room by room and in order, the very pushes the connected
// one received live, field by field (the header's time aside).
func TestCatchUpPushesEqualLivePushes(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9122000061), chatSignUp(e, 9122000062), chatSignUp(e, 9122000063)

	// Before: the rooms and the messages that the changes below touch, which
	// the away session holds.
	chat := chatRoom(t, a, b)
	m1, m2, m3 := chatText(t, a, chat, "edit me"), chatText(t, a, chat, "delete me"), chatText(t, a, chat, "hide me")
	m4 := chatText(t, a, chat, "deliver me")
	mb := chatText(t, b, chat, "see me")
	g, err := a.c.GroupCreate(ctx(t), &pb.GroupCreate{Name: "team"})
	if err != nil {
		t.Fatal(err)
	}
	group := g.RoomId
	if _, err := a.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: group, Member: &pb.GroupAddMember_Member{UserId: b.id}}); err != nil {
		t.Fatal(err)
	}
	groupText := func(u *chatUser, text string) *pb.RoomMessage {
		r, err := u.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: group, MessageType: pb.RoomMessageType_TEXT, Message: text})
		if err != nil {
			t.Fatal(err)
		}
		return r.RoomMessage
	}
	ga, gb := groupText(a, "deliver me"), groupText(b, "see me")
	channel := channelCreate(t, a, "news")
	channelAdd(t, a, channel, b)
	cp := channelPost(t, a, channel, "before")
	since := map[uint64]uint64{chat: mb.MessageVersion, group: gb.MessageVersion, channel: cp.MessageVersion}

	live := chatSecondSession(e, b)
	awayC, awayConn := e.client()
	_, token := e.signUp(awayC, b.phone)
	_ = awayConn.Close()
	roundTrip(t, live.c)
	syncPushes(live.conn)

	// While it is away: one change of every kind.
	do := func(_ proto.Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	chatText(t, a, chat, "new")
	do(a.c.ChatEditMessage(ctx(t), &pb.ChatEditMessage{RoomId: chat, MessageId: m1.MessageId, Message: "edited"}))
	do(a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: chat, MessageId: m2.MessageId, Both: true}))
	do(b.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: chat, MessageId: m3.MessageId})) // hidden from b alone
	do(a.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: chat, MessageId: mb.MessageId, Status: pb.RoomMessageStatus_SEEN}))
	do(b.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: chat, MessageId: m4.MessageId, Status: pb.RoomMessageStatus_DELIVERED}))
	groupText(a, "new")
	do(a.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: group, Member: &pb.GroupAddMember_Member{UserId: c.id}})) // a log message
	do(a.c.GroupUpdateStatus(ctx(t), &pb.GroupUpdateStatus{RoomId: group, MessageId: gb.MessageId, Status: pb.RoomMessageStatus_SEEN}))
	do(b.c.GroupUpdateStatus(ctx(t), &pb.GroupUpdateStatus{RoomId: group, MessageId: ga.MessageId, Status: pb.RoomMessageStatus_DELIVERED}))
	channelPost(t, a, channel, "new")
	channelAdd(t, a, channel, c)
	roundTrip(t, live.c)
	got := byRoom(syncPushes(live.conn))

	// Back: the away session logs in again and catches up.
	conn := e.dial(wsclient.Options{})
	back := conn.Client()
	if _, err := back.UserLogin(ctx(t), &pb.UserLogin{Token: token}); err != nil {
		t.Fatal(err)
	}
	syncPushes(conn)
	var rooms []*pb.ClientCondition_Room
	for _, id := range []uint64{chat, group, channel} {
		v := since[id]
		rooms = append(rooms, &pb.ClientCondition_Room{RoomId: id, MessageVersion: v, StatusVersion: v, DeleteVersion: v})
	}
	if _, err := back.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: rooms}); err != nil {
		t.Fatal(err)
	}
	caught := byRoom(syncPushes(conn))

	kinds := map[uint16]bool{}
	for _, id := range []uint64{chat, group, channel} {
		l, c := got[id], caught[id]
		if len(l) != len(c) {
			t.Fatalf("room %d: %d pushes live, %d at catch-up:\nlive %v\ncatch-up %v", id, len(l), len(c), l, c)
		}
		for i := range l {
			lm, cm := l[i].Msg.(pb.Reply), c[i].Msg.(pb.Reply)
			kinds[l[i].Action] = true
			if l[i].Action != c[i].Action {
				t.Fatalf("room %d push %d: %s live, action %d at catch-up", id, i, messagePushes[l[i].Action], c[i].Action)
			}
			if lm.GetResponse().GetId() != "" || cm.GetResponse().GetId() != "" {
				t.Fatalf("room %d push %d: a push with a request id: %v, %v", id, i, lm, cm)
			}
			lm.SetResponse(nil)
			cm.SetResponse(nil)
			if !proto.Equal(lm, cm) {
				t.Errorf("room %d, %s:\nlive     %v\ncatch-up %v", id, messagePushes[l[i].Action], lm, cm)
			}
		}
	}
	for action, kind := range messagePushes {
		if !kinds[action] {
			t.Errorf("no %s was compared", kind)
		}
	}
	for _, p := range caught[group] {
		if s, ok := p.Msg.(*pb.GroupUpdateStatusResponse); ok && s.UpdaterAuthorHash == "" {
			t.Errorf("group status at catch-up without its updater: %v", s)
		}
	}
}
