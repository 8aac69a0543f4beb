package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/proto"
)

// chatUser is a signed-up user with a live, logged-in connection.
type chatUser struct {
	id    uint64
	phone uint64
	c     *client.Client
	conn  *wsclient.Conn
}

func chatSignUp(e *env, phone uint64) *chatUser {
	c, conn := e.client()
	reg, _ := e.signUp(c, phone)
	return &chatUser{id: reg.UserId, phone: phone, c: c, conn: conn}
}

// chatSecondSession logs u in again on a new connection with a new device
// token: the same user, another session.
func chatSecondSession(e *env, u *chatUser) *chatUser {
	c, conn := e.client()
	reg, _ := e.signUp(c, u.phone)
	if reg.UserId != u.id {
		e.t.Fatalf("second session is user %d, want %d", reg.UserId, u.id)
	}
	return &chatUser{id: u.id, phone: u.phone, c: c, conn: conn}
}

// chatRoom opens the chat of a and b from a's side.
func chatRoom(t *testing.T, a, b *chatUser) uint64 {
	t.Helper()
	r, err := a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil {
		t.Fatal(err)
	}
	return r.Room.Id
}

func chatText(t *testing.T, u *chatUser, room uint64, text string) *pb.RoomMessage {
	t.Helper()
	r, err := u.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: text})
	if err != nil {
		t.Fatal(err)
	}
	return r.RoomMessage
}

// chatNoPush fails if u has received a push of action. A round trip first
// makes sure anything the server queued earlier has arrived.
func chatNoPush(t *testing.T, u *chatUser, action uint16) {
	t.Helper()
	roundTrip(t, u.c)
	for {
		select {
		case p := <-u.conn.Pushes():
			if p.Action == action {
				t.Fatalf("unexpected push %d: %v", action, p.Msg)
			}
		default:
			return
		}
	}
}

const (
	pushSend    = dispatch.ResponseChatSendMessage
	pushStatus  = dispatch.ResponseChatUpdateStatus
	pushEdit    = dispatch.ResponseChatEditMessage
	pushDelete  = dispatch.ResponseChatDeleteMessage
	pushClear   = dispatch.ResponseChatClearMessage
	pushChatDel = dispatch.ResponseChatDelete
)

func TestChatRoomIsSharedAndPeerChecked(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121000001), chatSignUp(e, 9121000002)
	ab, ba := chatRoom(t, a, b), chatRoom(t, b, a)
	if ab == 0 || ab != ba {
		t.Fatalf("a->b room %d, b->a room %d: want the same room", ab, ba)
	}
	r, err := a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil {
		t.Fatal(err)
	}
	if r.Room.Type != pb.Room_CHAT || r.Room.ChatRoomExtra.GetPeer().GetId() != b.id || r.Room.Title == "" {
		t.Fatalf("room as a sees it: %v", r.Room)
	}
	_, err = a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: a.id})
	wantErr(t, err, errs.ChatGetRoomBadPayload, errs.ChatGetRoomBadPayloadInvalidPeerId)
	_, err = a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id + 1000})
	wantErr(t, err, errs.ChatGetRoomPeerNotFound, 0)
	// Registered but never verified is not a user one can chat with.
	if _, err := a.c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9121000003, CountryCode: "IR"}); err != nil {
		t.Fatal(err)
	}
	_, err = a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id + 1})
	wantErr(t, err, errs.ChatGetRoomPeerNotFound, 0)
}

func TestChatSendDeliversToPeerAndOtherSessions(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121000011), chatSignUp(e, 9121000012)
	a2 := chatSecondSession(e, a)
	room := chatRoom(t, a, b)

	sent := chatText(t, a, room, "hello")
	if sent.MessageId == 0 || sent.MessageVersion == 0 || sent.Status != pb.RoomMessageStatus_SENT ||
		sent.Author.GetUser().GetUserId() != a.id || sent.Author.GetHash() == "" || sent.CreateTime == 0 || sent.Message != "hello" {
		t.Fatalf("stored message: %v", sent)
	}
	for _, to := range []*chatUser{b, a2} {
		p := nextPush(t, to.conn, pushSend).(*pb.ChatSendMessageResponse)
		if p.Response.GetId() != "" || p.RoomId != room || !proto.Equal(p.RoomMessage, sent) {
			t.Fatalf("push to user %d: %v, want %v", to.id, p, sent)
		}
	}
	chatNoPush(t, a, pushSend)

	// The room's messages link back and versions grow.
	next := chatText(t, b, room, "hi")
	if next.PreviousMessageId != sent.MessageId || next.MessageVersion <= sent.MessageVersion {
		t.Fatalf("second message: previous %d version %d", next.PreviousMessageId, next.MessageVersion)
	}
	nextPush(t, a.conn, pushSend)
}

func TestChatMessageTypes(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121000021), chatSignUp(e, 9121000022)
	room := chatRoom(t, a, b)
	first := chatText(t, a, room, "first")
	nextPush(t, b.conn, pushSend)
	cases := []struct {
		name string
		req  *pb.ChatSendMessage
		want func(*pb.RoomMessage) bool
	}{
		{"location", &pb.ChatSendMessage{MessageType: pb.RoomMessageType_LOCATION, Location: &pb.RoomMessageLocation{Lat: 35.7, Lon: 51.4}},
			func(m *pb.RoomMessage) bool { return m.Location.GetLat() == 35.7 && m.Location.GetLon() == 51.4 }},
		{"contact", &pb.ChatSendMessage{MessageType: pb.RoomMessageType_CONTACT, Contact: &pb.RoomMessageContact{FirstName: "Sara", Phone: []string{"+989121234567"}}},
			func(m *pb.RoomMessage) bool {
				return m.Contact.GetFirstName() == "Sara" && len(m.Contact.GetPhone()) == 1
			}},
		{"reply", &pb.ChatSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "re", ReplyTo: first.MessageId},
			func(m *pb.RoomMessage) bool {
				return m.ReplyTo.GetMessageId() == first.MessageId && m.ReplyTo.GetMessage() == "first"
			}},
		{"forward", &pb.ChatSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "first", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: room, MessageId: first.MessageId}},
			func(m *pb.RoomMessage) bool { return m.ForwardFrom.GetMessageId() == first.MessageId }},
		{"text with a stray location keeps the text alone", &pb.ChatSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "t", Location: &pb.RoomMessageLocation{Lat: 1}},
			func(m *pb.RoomMessage) bool { return m.Message == "t" && m.Location == nil }},
	}
	for _, tc := range cases {
		tc.req.RoomId = room
		r, err := a.c.ChatSendMessage(ctx(t), tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.RoomMessage.MessageType != tc.req.MessageType || !tc.want(r.RoomMessage) {
			t.Fatalf("%s: stored %v", tc.name, r.RoomMessage)
		}
		p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse)
		if !proto.Equal(p.RoomMessage, r.RoomMessage) {
			t.Fatalf("%s: peer got %v", tc.name, p.RoomMessage)
		}
	}
}

func TestChatSendErrors(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9121000031), chatSignUp(e, 9121000032), chatSignUp(e, 9121000033)
	ab, ac := chatRoom(t, a, b), chatRoom(t, a, c)
	msg := chatText(t, a, ab, "in ab")
	inAC := chatText(t, a, ac, "in ac")
	bad := func(req *pb.ChatSendMessage, minor wire.Minor) {
		t.Helper()
		if req.RoomId == 0 {
			req.RoomId = ab
		}
		_, err := b.c.ChatSendMessage(ctx(t), req)
		wantErr(t, err, errs.ChatSendMessageBadPayload, minor)
	}
	text := pb.RoomMessageType_TEXT
	bad(&pb.ChatSendMessage{RoomId: 999999, MessageType: text, Message: "x"}, errs.ChatSendMessageBadPayloadInvalidRoom)
	bad(&pb.ChatSendMessage{MessageType: pb.RoomMessageType_LOG}, errs.ChatSendMessageBadPayloadLogMissing)
	bad(&pb.ChatSendMessage{MessageType: pb.RoomMessageType_IMAGE, Attachment: "no-such-token"}, errs.ChatSendMessageBadPayloadFileNotFound)
	bad(&pb.ChatSendMessage{MessageType: text, Message: "x", ReplyTo: inAC.MessageId}, errs.ChatSendMessageBadPayloadInvalidReplyTo)
	bad(&pb.ChatSendMessage{MessageType: text, Message: "x", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: 999999, MessageId: msg.MessageId}}, errs.ChatSendMessageBadPayloadInvalidForwardRoom)
	bad(&pb.ChatSendMessage{MessageType: text, Message: "x", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: ab, MessageId: inAC.MessageId}}, errs.ChatSendMessageBadPayloadInvalidForwardMessage)
	// b is not in a's chat with c, so cannot forward from it.
	bad(&pb.ChatSendMessage{MessageType: text, Message: "x", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: ac, MessageId: inAC.MessageId}}, errs.ChatSendMessageBadPayloadForwardNotReadable)
	bad(&pb.ChatSendMessage{MessageType: text, Message: "x", ReplyTo: msg.MessageId, ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: ab, MessageId: msg.MessageId}}, errs.ChatSendMessageBadPayloadReplyAndForward)
	bad(&pb.ChatSendMessage{MessageType: text, Message: strings.Repeat("x", 4097)}, errs.ChatSendMessageBadPayloadMessageTooLong)

	// A member of neither side of a's chat with c: 205.
	_, err := b.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: ac, MessageType: text, Message: "x"})
	wantErr(t, err, errs.ChatSendMessageForbidden, 0)
	// Nothing was stored by the refusals: the room's newest is still msg.
	last := chatText(t, b, ab, "after refusals")
	if last.PreviousMessageId != msg.MessageId {
		t.Fatalf("previous of the next message is %d, want %d", last.PreviousMessageId, msg.MessageId)
	}
}

func TestChatResendWithRandomIDIsIdempotent(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121000041), chatSignUp(e, 9121000042)
	room := chatRoom(t, a, b)
	req := &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "once", RandomId: 424242}
	first, err := a.c.ChatSendMessage(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if first.RoomMessage.RandomId != 424242 {
		t.Fatalf("random_id not echoed: %v", first.RoomMessage)
	}
	nextPush(t, b.conn, pushSend)
	// A reconnecting client resends the same request, even with other text.
	req.Message = "once, resent"
	again, err := a.c.ChatSendMessage(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(again.RoomMessage, first.RoomMessage) {
		t.Fatalf("resend returned %v, want the stored %v", again.RoomMessage, first.RoomMessage)
	}
	// The stored message is pushed again: the node that stored it may have
	// died before its push left.
	if p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse); !proto.Equal(p.RoomMessage, first.RoomMessage) {
		t.Fatalf("the resend pushed %v, want the stored %v", p.RoomMessage, first.RoomMessage)
	}
	// The same random_id from the other member is a different message.
	other, err := b.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "mine", RandomId: 424242})
	if err != nil {
		t.Fatal(err)
	}
	if other.RoomMessage.MessageId == first.RoomMessage.MessageId || other.RoomMessage.PreviousMessageId != first.RoomMessage.MessageId {
		t.Fatalf("b's message %v", other.RoomMessage)
	}
}

func TestChatStatus(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121000051), chatSignUp(e, 9121000052)
	b2 := chatSecondSession(e, b)
	room := chatRoom(t, a, b)
	m1, m2 := chatText(t, a, room, "1"), chatText(t, a, room, "2")

	set := func(u *chatUser, id uint64, st pb.RoomMessageStatus) (*pb.ChatUpdateStatusResponse, error) {
		return u.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: room, MessageId: id, Status: st})
	}
	d, err := set(b, m1.MessageId, pb.RoomMessageStatus_DELIVERED)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != pb.RoomMessageStatus_DELIVERED || d.StatusVersion <= m2.MessageVersion || d.UpdaterAuthorHash == "" {
		t.Fatalf("DELIVERED: %v", d)
	}
	for _, to := range []*chatUser{a, b2} {
		p := nextPush(t, to.conn, pushStatus).(*pb.ChatUpdateStatusResponse)
		if p.MessageId != m1.MessageId || p.Status != pb.RoomMessageStatus_DELIVERED {
			t.Fatalf("status push to %d: %v", to.id, p)
		}
	}
	// SEEN of m2 covers m1; a late DELIVERED of m1 changes nothing.
	s, err := set(b, m2.MessageId, pb.RoomMessageStatus_SEEN)
	if err != nil {
		t.Fatal(err)
	}
	nextPush(t, a.conn, pushStatus)
	late, err := set(b, m1.MessageId, pb.RoomMessageStatus_DELIVERED)
	if err != nil {
		t.Fatal(err)
	}
	if late.Status != pb.RoomMessageStatus_SEEN || late.StatusVersion != s.StatusVersion {
		t.Fatalf("DELIVERED after SEEN: %v, want SEEN at version %d", late, s.StatusVersion)
	}
	chatNoPush(t, a, pushStatus)

	_, err = set(a, m1.MessageId, pb.RoomMessageStatus_SEEN)
	wantErr(t, err, errs.ChatUpdateStatusForbidden, 0)
	_, err = set(b, m1.MessageId, pb.RoomMessageStatus_SENT)
	wantErr(t, err, errs.ChatUpdateStatusBadPayload, errs.ChatUpdateStatusBadPayloadInvalidStatus)
	_, err = set(b, m2.MessageId+100, pb.RoomMessageStatus_SEEN)
	wantErr(t, err, errs.ChatUpdateStatusBadPayload, errs.ChatUpdateStatusBadPayloadInvalidMessageId)
	_, err = b.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: 999999, MessageId: m1.MessageId, Status: pb.RoomMessageStatus_SEEN})
	wantErr(t, err, errs.ChatUpdateStatusBadPayload, errs.ChatUpdateStatusBadPayloadInvalidRoomId)
	c := chatSignUp(e, 9121000053)
	_, err = set(c, m1.MessageId, pb.RoomMessageStatus_SEEN)
	wantErr(t, err, errs.ChatUpdateStatusForbidden, 0)
}

func TestChatEditAndDelete(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121000061), chatSignUp(e, 9121000062)
	a2 := chatSecondSession(e, a)
	room := chatRoom(t, a, b)
	m := chatText(t, a, room, "typo")
	loc, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_LOCATION, Location: &pb.RoomMessageLocation{Lat: 1, Lon: 2}})
	if err != nil {
		t.Fatal(err)
	}

	ed, err := a.c.ChatEditMessage(ctx(t), &pb.ChatEditMessage{RoomId: room, MessageId: m.MessageId, Message: "fixed"})
	if err != nil {
		t.Fatal(err)
	}
	if ed.Message != "fixed" || ed.MessageVersion <= loc.RoomMessage.MessageVersion || ed.MessageType != pb.RoomMessageType_TEXT {
		t.Fatalf("edit: %v", ed)
	}
	for _, to := range []*chatUser{b, a2} {
		p := nextPush(t, to.conn, pushEdit).(*pb.ChatEditMessageResponse)
		if p.MessageId != m.MessageId || p.Message != "fixed" || p.MessageVersion != ed.MessageVersion {
			t.Fatalf("edit push: %v", p)
		}
	}
	editErr := func(u *chatUser, room, id uint64, major wire.Major, minor wire.Minor) {
		t.Helper()
		_, err := u.c.ChatEditMessage(ctx(t), &pb.ChatEditMessage{RoomId: room, MessageId: id, Message: "x"})
		wantErr(t, err, major, minor)
	}
	editErr(b, room, m.MessageId, errs.ChatEditMessageForbidden, 0)               // not the author
	editErr(a, room, loc.RoomMessage.MessageId, errs.ChatEditMessageForbidden, 0) // no text to edit
	editErr(a, room, m.MessageId+100, errs.ChatEditMessageBadPayload, errs.ChatEditMessageBadPayloadInvalidMessageId)
	editErr(a, 999999, m.MessageId, errs.ChatEditMessageBadPayload, errs.ChatEditMessageBadPayloadInvalidRoomId)

	_, err = b.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: m.MessageId, Both: true})
	wantErr(t, err, errs.ChatDeleteMessageForbidden, 0)
	del, err := a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: m.MessageId, Both: true})
	if err != nil {
		t.Fatal(err)
	}
	if del.DeleteVersion <= ed.MessageVersion {
		t.Fatalf("delete version %d not above the edit's %d", del.DeleteVersion, ed.MessageVersion)
	}
	for _, to := range []*chatUser{b, a2} {
		p := nextPush(t, to.conn, pushDelete).(*pb.ChatDeleteMessageResponse)
		if p.MessageId != m.MessageId || p.DeleteVersion != del.DeleteVersion {
			t.Fatalf("delete push: %v", p)
		}
	}
	// A deleted message is gone for every later action.
	_, err = a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: m.MessageId, Both: true})
	wantErr(t, err, errs.ChatDeleteMessageBadPayload, errs.ChatDeleteMessageBadPayloadInvalidMessageId)
	_, err = a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: 999999, MessageId: m.MessageId, Both: true})
	wantErr(t, err, errs.ChatDeleteMessageBadPayload, errs.ChatDeleteMessageBadPayloadInvalidRoomId)
	editErr(a, room, m.MessageId, errs.ChatEditMessageBadPayload, errs.ChatEditMessageBadPayloadInvalidMessageId)
	_, err = a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "x", ReplyTo: m.MessageId})
	wantErr(t, err, errs.ChatSendMessageBadPayload, errs.ChatSendMessageBadPayloadInvalidReplyTo)
}

func TestChatClearAndDelete(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9121000071), chatSignUp(e, 9121000072), chatSignUp(e, 9121000073)
	a2 := chatSecondSession(e, a)
	room := chatRoom(t, a, b)
	m1 := chatText(t, b, room, "1")
	m2 := chatText(t, b, room, "2")

	cl, err := a.c.ChatClearMessage(ctx(t), &pb.ChatClearMessage{RoomId: room, ClearId: m1.MessageId})
	if err != nil || cl.ClearId != m1.MessageId {
		t.Fatalf("clear: %v, %v", cl, err)
	}
	if p := nextPush(t, a2.conn, pushClear).(*pb.ChatClearMessageResponse); p.ClearId != m1.MessageId {
		t.Fatalf("clear push: %v", p)
	}
	chatNoPush(t, b, pushClear) // the peer keeps its history
	// For a, m1 is gone; for b, it is not.
	_, err = a.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: room, MessageId: m1.MessageId, Status: pb.RoomMessageStatus_SEEN})
	wantErr(t, err, errs.ChatUpdateStatusBadPayload, errs.ChatUpdateStatusBadPayloadInvalidMessageId)
	if _, err := b.c.ChatEditMessage(ctx(t), &pb.ChatEditMessage{RoomId: room, MessageId: m1.MessageId, Message: "1!"}); err != nil {
		t.Fatal(err)
	}
	r, err := a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil || r.Room.UnreadCount != 1 || r.Room.LastMessage.GetMessageId() != m2.MessageId {
		t.Fatalf("a's room after clearing m1: unread %d last %v, %v", r.Room.GetUnreadCount(), r.Room.GetLastMessage(), err)
	}
	_, err = a.c.ChatClearMessage(ctx(t), &pb.ChatClearMessage{RoomId: room, ClearId: m2.MessageId + 100})
	wantErr(t, err, errs.ChatClearMessageBadPayload, errs.ChatClearMessageBadPayloadInvalidClearId)
	_, err = a.c.ChatClearMessage(ctx(t), &pb.ChatClearMessage{RoomId: 999999, ClearId: m1.MessageId})
	wantErr(t, err, errs.ChatClearMessageBadPayload, errs.ChatClearMessageBadPayloadInvalidRoomId)
	_, err = c.c.ChatClearMessage(ctx(t), &pb.ChatClearMessage{RoomId: room, ClearId: m1.MessageId})
	wantErr(t, err, errs.ChatClearMessageForbidden, 0)

	_, err = c.c.ChatDelete(ctx(t), &pb.ChatDelete{RoomId: room})
	wantErr(t, err, errs.ChatDeleteForbidden, 0)
	_, err = a.c.ChatDelete(ctx(t), &pb.ChatDelete{RoomId: 999999})
	wantErr(t, err, errs.ChatDeleteBadPayload, errs.ChatDeleteBadPayloadInvalidRoomId)
	if _, err := a.c.ChatDelete(ctx(t), &pb.ChatDelete{RoomId: room}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, a2.conn, pushChatDel).(*pb.ChatDeleteResponse); p.RoomId != room {
		t.Fatalf("delete push: %v", p)
	}
	r, err = a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil || r.Room.Id != room || r.Room.LastMessage != nil || r.Room.UnreadCount != 0 {
		t.Fatalf("a's room after ChatDelete: %v, %v", r.GetRoom(), err)
	}
	// A new message brings the room back with just that message.
	m3 := chatText(t, b, room, "3")
	r, err = a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil || r.Room.UnreadCount != 1 || r.Room.LastMessage.GetMessageId() != m3.MessageId {
		t.Fatalf("a's room after a new message: %v, %v", r.GetRoom(), err)
	}
}

func TestChatSlowPeerSessionDoesNotDelaySender(t *testing.T) {
	// A short outbound queue: the stalled socket's buffers still take
	// megabytes, which the large messages below fill.
	e := start(t, func(c *config.Config, _ *handlers.Deps) {
		c.Server.OutQueue, c.Server.QueueStall = 16, 200*time.Millisecond
	})
	a, b := chatSignUp(e, 9121000081), chatSignUp(e, 9121000082)
	room := chatRoom(t, a, b)
	// b's second device logs in over a socket that never reads.
	stalled := e.stalledDevice(b.phone)
	defer stalled.Close()
	waitFor(t, func() bool { return e.online(b.id) == 2 }, "b's stalled device to log in")

	const sends = 800                 // 13 MB: more than the stalled connection's queue and socket buffers hold
	text := strings.Repeat("😀", 4096) // the longest text: 4096 characters of 4 bytes
	send := func(i int) {
		m := chatText(t, a, room, text)
		if p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse); p.RoomMessage.MessageId != m.MessageId {
			t.Fatalf("push %d: message %d, want %d", i, p.RoomMessage.MessageId, m.MessageId)
		}
	}
	for i := 0; i < sends; i++ {
		send(i)
	}
	// Its queue stays full; past the stall time a push closes it.
	waitFor(t, func() bool { send(sends); return e.online(b.id) == 1 }, "the stalled connection to be closed")
}

func TestChatMutualOnlyPolicy(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Handlers.MutualOnly = true })
	a, b := chatSignUp(e, 9121000091), chatSignUp(e, 9121000092)
	room := chatRoom(t, a, b)
	send := func(u *chatUser) error {
		_, err := u.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "hi"})
		return err
	}
	wantErr(t, send(a), errs.ChatSendMessageLimitReached, errs.ChatSendMessageLimitReachedMutualContactsOnly)

	// One side's import is not enough: the policy asks for both.
	contactsImport(t, a.c, &pb.UserContactsImport_Contact{Phone: "9121000092", FirstName: "B", ClientId: "b"})
	wantErr(t, send(a), errs.ChatSendMessageLimitReached, errs.ChatSendMessageLimitReachedMutualContactsOnly)
	contactsImport(t, b.c, &pb.UserContactsImport_Contact{Phone: "9121000091", FirstName: "A", ClientId: "a"})
	if err := send(a); err != nil {
		t.Fatalf("mutual contacts: %v", err)
	}
	nextPush(t, b.conn, pushSend)

	// Once a conversation has started it goes on even if a contact is deleted.
	if _, err := b.c.UserContactsDelete(ctx(t), &pb.UserContactsDelete{Phone: 989121000091}); err != nil {
		t.Fatal(err)
	}
	if err := send(b); err != nil {
		t.Fatalf("reply after the peer wrote: %v", err)
	}
	if err := send(a); err != nil {
		t.Fatalf("a after b replied: %v", err)
	}
}
