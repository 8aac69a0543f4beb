package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"google.golang.org/protobuf/proto"
)

const (
	pushChannelSend     = dispatch.ResponseChannelSendMessage
	pushChannelAdd      = dispatch.ResponseChannelAddMember
	pushChannelAddAdmin = dispatch.ResponseChannelAddAdmin
	pushChannelLeft     = dispatch.ResponseChannelLeft
)

func channelCreate(t *testing.T, u *chatUser, name string) uint64 {
	t.Helper()
	r, err := u.c.ChannelCreate(ctx(t), &pb.ChannelCreate{Name: name, Description: "news of " + name})
	if err != nil {
		t.Fatal(err)
	}
	return r.RoomId
}

func channelAdd(t *testing.T, by *chatUser, room uint64, u *chatUser) {
	t.Helper()
	r, err := by.c.ChannelAddMember(ctx(t), &pb.ChannelAddMember{RoomId: room, Member: &pb.ChannelAddMember_Member{UserId: u.id}})
	if err != nil {
		t.Fatal(err)
	}
	if r.RoomId != room || r.UserId != u.id || r.Role != pb.ChannelRoom_MEMBER {
		t.Fatalf("ChannelAddMember: %v", r)
	}
}

func channelPost(t *testing.T, u *chatUser, room uint64, text string) *pb.RoomMessage {
	t.Helper()
	r, err := u.c.ChannelSendMessage(ctx(t), &pb.ChannelSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: text})
	if err != nil {
		t.Fatal(err)
	}
	return r.RoomMessage
}

// channelGot waits for a post pushed to u and compares it with want.
func channelGot(t *testing.T, u *chatUser, room uint64, want *pb.RoomMessage) {
	t.Helper()
	p := nextPush(t, u.conn, pushChannelSend).(*pb.ChannelSendMessageResponse)
	if p.RoomId != room || !proto.Equal(p.RoomMessage, want) {
		t.Fatalf("user %d got %v, want %v", u.id, p.RoomMessage, want)
	}
}

// A channel is created, its owner and admins post, its members read, and
// members leave.
func TestChannelPostAndRead(t *testing.T) {
	e := start(t, nil)
	owner, ed, r1, r2 := chatSignUp(e, 9124000001), chatSignUp(e, 9124000002), chatSignUp(e, 9124000003), chatSignUp(e, 9124000004)
	room := channelCreate(t, owner, "daily")
	early := channelPost(t, owner, room, "before anyone came")
	for _, u := range []*chatUser{ed, r1, r2} {
		channelAdd(t, owner, room, u)
	}
	// r1 hears of its own addition, then of r2's.
	for _, want := range []uint64{r1.id, r2.id} {
		if p := nextPush(t, r1.conn, pushChannelAdd).(*pb.ChannelAddMemberResponse); p.UserId != want {
			t.Fatalf("add push: %v, want user %d", p, want)
		}
	}
	// A reader sees the channel from its start, read-only.
	h := groupHistory(t, r2, room)
	if len(h) != 5 || h[0].Log.GetType() != pb.RoomMessageLog_ROOM_CREATED || h[1].MessageId != early.MessageId {
		t.Fatalf("reader's history: %v", h)
	}
	got := groupRoomOf(t, r1, room)
	if got.Type != pb.Room_CHANNEL || got.Title != "daily" || !got.ReadOnly ||
		got.ChannelRoomExtra.GetRole() != pb.ChannelRoom_MEMBER || got.ChannelRoomExtra.GetParticipantsCount() != 4 ||
		got.ChannelRoomExtra.GetDescription() != "news of daily" {
		t.Fatalf("channel as a reader sees it: %v", got)
	}
	if got := groupRoomOf(t, owner, room); got.ReadOnly || got.ChannelRoomExtra.GetRole() != pb.ChannelRoom_OWNER {
		t.Fatalf("channel as its owner sees it: %v", got)
	}

	for _, u := range []*chatUser{owner, ed, r1, r2} {
		groupDrain(t, u)
	}
	post := channelPost(t, owner, room, "first issue")
	for _, u := range []*chatUser{ed, r1, r2} {
		channelGot(t, u, room, post)
	}

	// A reader may not post until made an admin.
	_, err := ed.c.ChannelSendMessage(ctx(t), &pb.ChannelSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "me too"})
	wantErr(t, err, errs.ChannelSendMessageForbidden, 0)
	if _, err := owner.c.ChannelAddAdmin(ctx(t), &pb.ChannelAddAdmin{RoomId: room, MemberId: ed.id}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, r1.conn, pushChannelAddAdmin).(*pb.ChannelAddAdminResponse); p.MemberId != ed.id {
		t.Fatalf("add admin push: %v", p)
	}
	if got := groupRoomOf(t, ed, room); got.ReadOnly || got.ChannelRoomExtra.GetRole() != pb.ChannelRoom_ADMIN {
		t.Fatalf("channel as the new admin sees it: %v", got)
	}
	// The admin's post uses the one send path: a reply, idempotent by random_id.
	r, err := ed.c.ChannelSendMessage(ctx(t), &pb.ChannelSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "second", ReplyTo: post.MessageId, RandomId: 9})
	if err != nil {
		t.Fatal(err)
	}
	if r.RoomMessage.ReplyTo.GetMessageId() != post.MessageId || r.RoomMessage.RandomId != 9 {
		t.Fatalf("admin's post: %v", r.RoomMessage)
	}
	for _, u := range []*chatUser{owner, r1, r2} {
		channelGot(t, u, room, r.RoomMessage)
	}
	again, err := ed.c.ChannelSendMessage(ctx(t), &pb.ChannelSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "second", ReplyTo: post.MessageId, RandomId: 9})
	if err != nil || again.RoomMessage.MessageId != r.RoomMessage.MessageId {
		t.Fatalf("resend: %v %v", again, err)
	}
	for _, u := range []*chatUser{owner, r1, r2} { // again: its node may have died before the push left
		channelGot(t, u, room, r.RoomMessage)
	}

	// A reader leaves: the others are told, and it no longer gets posts.
	left, err := r2.c.ChannelLeft(ctx(t), &pb.ChannelLeft{RoomId: room})
	if err != nil || left.MemberId != r2.id {
		t.Fatalf("ChannelLeft: %v %v", left, err)
	}
	if p := nextPush(t, owner.conn, pushChannelLeft).(*pb.ChannelLeftResponse); p.MemberId != r2.id {
		t.Fatalf("left push: %v", p)
	}
	p := nextPush(t, r1.conn, pushChannelSend).(*pb.ChannelSendMessageResponse)
	if p.RoomMessage.Log.GetType() != pb.RoomMessageLog_MEMBER_LEFT || p.RoomMessage.Author.GetUser().GetUserId() != r2.id {
		t.Fatalf("left log: %v", p.RoomMessage)
	}
	channelPost(t, owner, room, "third")
	chatNoPush(t, r2, pushChannelSend)
}

// Every refusal and handler bad payload of the channel actions.
func TestChannelErrors(t *testing.T) {
	e := start(t, nil)
	owner, admin, reader, x := chatSignUp(e, 9124000101), chatSignUp(e, 9124000102), chatSignUp(e, 9124000103), chatSignUp(e, 9124000104)
	room := channelCreate(t, owner, "news")
	channelAdd(t, owner, room, admin)
	channelAdd(t, owner, room, reader)
	if _, err := owner.c.ChannelAddAdmin(ctx(t), &pb.ChannelAddAdmin{RoomId: room, MemberId: admin.id}); err != nil {
		t.Fatal(err)
	}
	group := groupCreate(t, owner, "not a channel")

	add := func(by *chatUser, room, user uint64) error {
		_, err := by.c.ChannelAddMember(ctx(t), &pb.ChannelAddMember{RoomId: room, Member: &pb.ChannelAddMember_Member{UserId: user}})
		return err
	}
	wantErr(t, add(owner, group, x.id), errs.ChannelAddMemberBadPayload, errs.ChannelAddMemberBadPayloadInvalidRoomId)
	wantErr(t, add(owner, room, 999999), errs.ChannelAddMemberBadPayload, errs.ChannelAddMemberBadPayloadInvalidUserId)
	wantErr(t, add(owner, room, 0), errs.ChannelAddMemberBadPayload, errs.ChannelAddMemberBadPayloadInvalidUserId)
	wantErr(t, add(admin, room, reader.id), errs.ChannelAddMemberExists, 0)
	wantErr(t, add(reader, room, x.id), errs.ChannelAddMemberForbidden, 0)
	wantErr(t, add(x, room, x.id), errs.ChannelAddMemberForbidden, 0)

	addAdmin := func(by *chatUser, room, member uint64) error {
		_, err := by.c.ChannelAddAdmin(ctx(t), &pb.ChannelAddAdmin{RoomId: room, MemberId: member})
		return err
	}
	wantErr(t, addAdmin(owner, group, reader.id), errs.ChannelAddAdminBadPayload, errs.ChannelAddAdminBadPayloadInvalidRoomId)
	wantErr(t, addAdmin(owner, room, x.id), errs.ChannelAddAdminBadPayload, errs.ChannelAddAdminBadPayloadInvalidMemberId)
	wantErr(t, addAdmin(admin, room, reader.id), errs.ChannelAddAdminForbidden, 0)
	wantErr(t, addAdmin(owner, room, owner.id), errs.ChannelAddAdminForbidden, 0)

	_, err := owner.c.ChannelLeft(ctx(t), &pb.ChannelLeft{RoomId: group})
	wantErr(t, err, errs.ChannelLeftBadPayload, errs.ChannelLeftBadPayloadInvalidRoomId)
	_, err = x.c.ChannelLeft(ctx(t), &pb.ChannelLeft{RoomId: room})
	wantErr(t, err, errs.ChannelLeftForbidden, 0)

	post := func(u *chatUser, req *pb.ChannelSendMessage) error {
		if req.MessageType == pb.RoomMessageType_TEXT && req.Message == "" {
			req.Message = "hi"
		}
		_, err := u.c.ChannelSendMessage(ctx(t), req)
		return err
	}
	wantErr(t, post(owner, &pb.ChannelSendMessage{RoomId: group}), errs.ChannelSendMessageBadPayload, errs.ChannelSendMessageBadPayloadInvalidRoom)
	wantErr(t, post(owner, &pb.ChannelSendMessage{RoomId: room, MessageType: pb.RoomMessageType_LOG}), errs.ChannelSendMessageBadPayload, errs.ChannelSendMessageBadPayloadLogMissing)
	wantErr(t, post(owner, &pb.ChannelSendMessage{RoomId: room, MessageType: pb.RoomMessageType_FILE, Attachment: "nope"}), errs.ChannelSendMessageBadPayload, errs.ChannelSendMessageBadPayloadFileNotFound)
	wantErr(t, post(reader, &pb.ChannelSendMessage{RoomId: room}), errs.ChannelSendMessageForbidden, 0)
	wantErr(t, post(x, &pb.ChannelSendMessage{RoomId: room}), errs.ChannelSendMessageForbidden, 0)

	// The owner leaves: the admin takes the channel over and may add admins.
	if _, err := owner.c.ChannelLeft(ctx(t), &pb.ChannelLeft{RoomId: room}); err != nil {
		t.Fatal(err)
	}
	if err := addAdmin(admin, room, reader.id); err != nil {
		t.Fatal(err)
	}
	if got := groupRoomOf(t, admin, room).ChannelRoomExtra; got.GetRole() != pb.ChannelRoom_OWNER || got.GetParticipantsCount() != 2 {
		t.Fatalf("channel after the owner left: %v", got)
	}
}
