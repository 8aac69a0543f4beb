package e2e

import (
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"google.golang.org/protobuf/proto"
)

// additionalOK checks a message carries the later clients' fields as sent.
func additionalOK(t *testing.T, where string, m *pb.RoomMessage, typ uint32, data string) {
	t.Helper()
	if m.GetAdditionalType() != typ || m.GetAdditionalData() != data {
		t.Fatalf("%s: additional %d %q, want %d %q", where, m.GetAdditionalType(), m.GetAdditionalData(), typ, data)
	}
}

// additional_type and additional_data sent with a message come back
// wherever the message is shown: the response, the peer's push, history,
// the room list's last message and a catch-up; in groups and channels too.
func TestAdditionalFieldsRoundTrip(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9125000001), chatSignUp(e, 9125000002)
	room := chatRoom(t, a, b)
	const typ, data = 7, `{"card":"4242","amount":1200}`
	r, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "paid",
		AdditionalType: typ, AdditionalData: data})
	if err != nil {
		t.Fatal(err)
	}
	sent := r.RoomMessage
	additionalOK(t, "response", sent, typ, data)
	p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse)
	if !proto.Equal(p.RoomMessage, sent) {
		t.Fatalf("peer's push %v, want %v", p.RoomMessage, sent)
	}
	h, err := b.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room})
	if err != nil || len(h.Message) != 1 {
		t.Fatalf("history: %v %v", h, err)
	}
	additionalOK(t, "history", h.Message[0], typ, data)
	l, err := b.c.ClientGetRoomList(ctx(t), &pb.ClientGetRoomList{})
	if err != nil || len(l.Rooms) != 1 {
		t.Fatalf("room list: %v %v", l, err)
	}
	additionalOK(t, "room list", l.Rooms[0].LastMessage, typ, data)

	// A device that was away gets it in the catch-up.
	b2 := chatSecondSession(e, b)
	syncPushes(b2.conn)
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: room}}}); err != nil {
		t.Fatal(err)
	}
	var caught *pb.RoomMessage
	for _, p := range syncPushes(b2.conn) {
		if m, ok := p.Msg.(*pb.ChatSendMessageResponse); ok && m.RoomMessage.GetMessageId() == sent.MessageId {
			caught = m.RoomMessage
		}
	}
	additionalOK(t, "catch-up", caught, typ, data)

	// A message without them has none; more than 4096 characters is the
	// text's minor (32), as the spec binds it.
	additionalOK(t, "plain", chatText(t, a, room, "plain"), 0, "")
	_, err = a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "x",
		AdditionalData: strings.Repeat("d", 4097)})
	wantErr(t, err, errs.ChatSendMessageBadPayload, 32)

	g := groupCreate(t, a, "extras")
	gr, err := a.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: g, MessageType: pb.RoomMessageType_TEXT, Message: "g",
		AdditionalType: 1, AdditionalData: "group"})
	if err != nil {
		t.Fatal(err)
	}
	additionalOK(t, "group send", gr.RoomMessage, 1, "group")
	gh := groupHistory(t, a, g)
	additionalOK(t, "group history", gh[len(gh)-1], 1, "group")

	c := channelCreate(t, a, "extras")
	cr, err := a.c.ChannelSendMessage(ctx(t), &pb.ChannelSendMessage{RoomId: c, MessageType: pb.RoomMessageType_TEXT, Message: "c",
		AdditionalType: 2, AdditionalData: "channel"})
	if err != nil {
		t.Fatal(err)
	}
	additionalOK(t, "channel send", cr.RoomMessage, 2, "channel")
}
