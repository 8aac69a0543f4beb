package e2e

import (
	"testing"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

const (
	pushGroupSend      = dispatch.ResponseGroupSendMessage
	pushGroupAdd       = dispatch.ResponseGroupAddMember
	pushGroupAddAdmin  = dispatch.ResponseGroupAddAdmin
	pushGroupAddMod    = dispatch.ResponseGroupAddModerator
	pushGroupKickAdmin = dispatch.ResponseGroupKickAdmin
	pushGroupKickMod   = dispatch.ResponseGroupKickModerator
	pushGroupKick      = dispatch.ResponseGroupKickMember
	pushGroupEdit      = dispatch.ResponseGroupEdit
	pushGroupLeft      = dispatch.ResponseGroupLeft
	pushGroupStatus    = dispatch.ResponseGroupUpdateStatus
	pushGroupClear     = dispatch.ResponseGroupClearMessage
)

func groupCreate(t *testing.T, u *chatUser, name string) uint64 {
	t.Helper()
	r, err := u.c.GroupCreate(ctx(t), &pb.GroupCreate{Name: name, Description: "about " + name})
	if err != nil {
		t.Fatal(err)
	}
	if r.RoomId == 0 {
		t.Fatal("GroupCreate returned room 0")
	}
	return r.RoomId
}

// groupAdd has by add u to the room, letting u see from message start on.
func groupAdd(t *testing.T, by *chatUser, room uint64, u *chatUser, start uint64) {
	t.Helper()
	r, err := by.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: room, Member: &pb.GroupAddMember_Member{UserId: u.id, StartMessageId: start}})
	if err != nil {
		t.Fatal(err)
	}
	if r.RoomId != room || r.UserId != u.id || r.Role != pb.GroupRoom_MEMBER {
		t.Fatalf("GroupAddMember: %v", r)
	}
}

func groupText(t *testing.T, u *chatUser, room uint64, text string) *pb.RoomMessage {
	t.Helper()
	r, err := u.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: text})
	if err != nil {
		t.Fatal(err)
	}
	return r.RoomMessage
}

// groupHistory is the room as u sees it, oldest first (one page is enough
// for these tests' rooms).
func groupHistory(t *testing.T, u *chatUser, room uint64) []*pb.RoomMessage {
	t.Helper()
	r, err := u.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room, Direction: pb.ClientGetRoomHistory_DOWN})
	if e, ok := wire.As(err); ok && e.Major == errs.ClientGetRoomHistoryNotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return r.Message
}

func groupRoomOf(t *testing.T, u *chatUser, room uint64) *pb.Room {
	t.Helper()
	r, err := u.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: room})
	if err != nil {
		t.Fatal(err)
	}
	return r.Room
}

// groupLog waits for the log message pushed to u and checks what it says.
func groupLog(t *testing.T, u *chatUser, room uint64, typ pb.RoomMessageLog_Type, actor, target uint64) *pb.RoomMessage {
	t.Helper()
	p := nextPush(t, u.conn, pushGroupSend).(*pb.GroupSendMessageResponse)
	m := p.RoomMessage
	if p.RoomId != room || m.MessageType != pb.RoomMessageType_LOG || m.Log.GetType() != typ ||
		m.Author.GetUser().GetUserId() != actor || m.Log.GetTargetUser().GetId() != target {
		t.Fatalf("user %d: log push %v, want %v by %d on %d", u.id, p, typ, actor, target)
	}
	return m
}

// groupDrain discards the pushes u has received so far, after a round trip
// that makes sure everything queued before it has arrived.
func groupDrain(t *testing.T, u *chatUser) {
	t.Helper()
	roundTrip(t, u.c)
	for {
		select {
		case <-u.conn.Pushes():
		default:
			return
		}
	}
}

// groupOfFour is a group with an owner, an admin, a moderator and a member.
type groupOfFour struct {
	room                          uint64
	owner, admin, moderator, user *chatUser
}

func newGroupOfFour(t *testing.T, e *env, base uint64) groupOfFour {
	t.Helper()
	g := groupOfFour{owner: chatSignUp(e, base+1), admin: chatSignUp(e, base+2), moderator: chatSignUp(e, base+3), user: chatSignUp(e, base+4)}
	g.room = groupCreate(t, g.owner, "four")
	for _, u := range []*chatUser{g.admin, g.moderator, g.user} {
		groupAdd(t, g.owner, g.room, u, 0)
	}
	if _, err := g.owner.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: g.room, MemberId: g.admin.id}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.admin.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: g.room, MemberId: g.moderator.id}); err != nil {
		t.Fatal(err)
	}
	return g
}

// A group is created, filled, run by ranks, chatted in and left; every
// member's sessions hear of every step.
func TestGroupLifecycle(t *testing.T) {
	e := start(t, nil)
	a, b, c, d := chatSignUp(e, 9123000001), chatSignUp(e, 9123000002), chatSignUp(e, 9123000003), chatSignUp(e, 9123000004)
	a2 := chatSecondSession(e, a)
	room := groupCreate(t, a, "friends")
	groupLog(t, a2, room, pb.RoomMessageLog_ROOM_CREATED, a.id, 0)
	groupLog(t, a, room, pb.RoomMessageLog_ROOM_CREATED, a.id, 0)
	if got := groupRoomOf(t, a, room); got.Type != pb.Room_GROUP || got.Title != "friends" ||
		got.GroupRoomExtra.GetRole() != pb.GroupRoom_OWNER || got.GroupRoomExtra.GetParticipantsCount() != 1 ||
		got.GroupRoomExtra.GetDescription() != "about friends" || got.ReadOnly {
		t.Fatalf("room as its owner sees it: %v", got)
	}

	groupAdd(t, a, room, b, 0)
	groupLog(t, b, room, pb.RoomMessageLog_MEMBER_ADDED, a.id, b.id)
	// The actor's own session gets the log too: it is not in the response.
	groupLog(t, a, room, pb.RoomMessageLog_MEMBER_ADDED, a.id, b.id)
	groupDrain(t, a2)
	groupAdd(t, a, room, c, 0)
	for _, u := range []*chatUser{b, c, a2} {
		p := nextPush(t, u.conn, pushGroupAdd).(*pb.GroupAddMemberResponse)
		if p.RoomId != room || p.UserId != c.id || p.Role != pb.GroupRoom_MEMBER {
			t.Fatalf("add push to %d: %v", u.id, p)
		}
		groupLog(t, u, room, pb.RoomMessageLog_MEMBER_ADDED, a.id, c.id)
	}

	// Ranks: the owner makes b an admin, the admin makes c a moderator, who
	// may then add d.
	if _, err := a.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: room, MemberId: b.id}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, c.conn, pushGroupAddAdmin).(*pb.GroupAddAdminResponse); p.MemberId != b.id {
		t.Fatalf("add admin push: %v", p)
	}
	if _, err := b.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: room, MemberId: c.id}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, a.conn, pushGroupAddMod).(*pb.GroupAddModeratorResponse); p.MemberId != c.id {
		t.Fatalf("add moderator push: %v", p)
	}
	groupAdd(t, c, room, d, 0)
	groupLog(t, a, room, pb.RoomMessageLog_MEMBER_ADDED, c.id, d.id)
	if got := groupRoomOf(t, b, room).GroupRoomExtra; got.GetRole() != pb.GroupRoom_ADMIN || got.GetParticipantsCount() != 4 {
		t.Fatalf("room as the admin sees it: %v", got)
	}

	// Chat: a message reaches every member and the sender's other session.
	for _, u := range []*chatUser{a, a2, b, c, d} {
		groupDrain(t, u)
	}
	sent := groupText(t, d, room, "hello all")
	for _, u := range []*chatUser{a, a2, b, c} {
		p := nextPush(t, u.conn, pushGroupSend).(*pb.GroupSendMessageResponse)
		if p.RoomId != room || !proto.Equal(p.RoomMessage, sent) {
			t.Fatalf("push to %d: %v, want %v", u.id, p.RoomMessage, sent)
		}
	}
	chatNoPush(t, d, pushGroupSend)

	// The admin renames the group; members are told.
	if _, err := b.c.GroupEdit(ctx(t), &pb.GroupEdit{RoomId: room, Name: "family", Description: "new"}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, d.conn, pushGroupEdit).(*pb.GroupEditResponse); p.Name != "family" || p.Description != "new" {
		t.Fatalf("edit push: %v", p)
	}
	if got := groupRoomOf(t, d, room); got.Title != "family" || got.GroupRoomExtra.GetDescription() != "new" {
		t.Fatalf("room after edit: %v", got)
	}

	// Demotions.
	if _, err := b.c.GroupKickModerator(ctx(t), &pb.GroupKickModerator{RoomId: room, MemberId: c.id}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, c.conn, pushGroupKickMod).(*pb.GroupKickModeratorResponse); p.MemberId != c.id {
		t.Fatalf("kick moderator push: %v", p)
	}
	if _, err := a.c.GroupKickAdmin(ctx(t), &pb.GroupKickAdmin{RoomId: room, MemberId: b.id}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, d.conn, pushGroupKickAdmin).(*pb.GroupKickAdminResponse); p.MemberId != b.id {
		t.Fatalf("kick admin push: %v", p)
	}
	if got := groupRoomOf(t, c, room).GroupRoomExtra.GetRole(); got != pb.GroupRoom_MEMBER {
		t.Fatalf("c after demotion: %v", got)
	}

	// d leaves: the others are told and see it in the history.
	left, err := d.c.GroupLeft(ctx(t), &pb.GroupLeft{RoomId: room})
	if err != nil {
		t.Fatal(err)
	}
	if left.MemberId != d.id {
		t.Fatalf("GroupLeft: %v", left)
	}
	for _, u := range []*chatUser{a, b, c} {
		if p := nextPush(t, u.conn, pushGroupLeft).(*pb.GroupLeftResponse); p.MemberId != d.id {
			t.Fatalf("left push: %v", p)
		}
		groupLog(t, u, room, pb.RoomMessageLog_MEMBER_LEFT, d.id, 0)
	}
	hist := groupHistory(t, c, room)
	if last := hist[len(hist)-1]; last.Log.GetType() != pb.RoomMessageLog_MEMBER_LEFT || last.Author.GetUser().GetUserId() != d.id {
		t.Fatalf("history ends with %v", last)
	}

	// The owner leaves: the senior member left takes over.
	if _, err := a.c.GroupLeft(ctx(t), &pb.GroupLeft{RoomId: room}); err != nil {
		t.Fatal(err)
	}
	if got := groupRoomOf(t, b, room).GroupRoomExtra; got.GetRole() != pb.GroupRoom_OWNER || got.GetParticipantsCount() != 2 {
		t.Fatalf("b after the owner left: %v", got)
	}
	// The new owner may do what owners do.
	if _, err := b.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: room, MemberId: c.id}); err != nil {
		t.Fatal(err)
	}
}

// Every refusal of the permission table, with its action's FORBIDDEN code.
func TestGroupForbidden(t *testing.T) {
	e := start(t, nil)
	g := newGroupOfFour(t, e, 9123000100)
	x, y := chatSignUp(e, 9123000111), chatSignUp(e, 9123000112) // not in the group
	msg := groupText(t, g.user, g.room, "mine")
	addMember := func(by, u *chatUser) error {
		_, err := by.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: g.room, Member: &pb.GroupAddMember_Member{UserId: u.id}})
		return err
	}

	wantErr(t, addMember(g.user, x), errs.GroupAddMemberForbidden, 0)
	wantErr(t, addMember(x, y), errs.GroupAddMemberForbidden, 0)
	wantErr(t, addMember(g.moderator, g.user), errs.GroupAddMemberExists, 0)

	_, err := g.admin.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: g.room, MemberId: g.user.id})
	wantErr(t, err, errs.GroupAddAdminForbidden, 0)
	_, err = g.owner.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: g.room, MemberId: g.owner.id})
	wantErr(t, err, errs.GroupAddAdminForbidden, 0) // the owner cannot demote itself

	_, err = g.user.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: g.room, MemberId: g.user.id})
	wantErr(t, err, errs.GroupAddModeratorForbidden, 0)
	_, err = g.admin.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: g.room, MemberId: g.owner.id})
	wantErr(t, err, errs.GroupAddModeratorForbidden, 0) // only lower ranks

	_, err = g.admin.c.GroupKickAdmin(ctx(t), &pb.GroupKickAdmin{RoomId: g.room, MemberId: g.admin.id})
	wantErr(t, err, errs.GroupKickAdminForbidden, 0)
	_, err = g.owner.c.GroupKickAdmin(ctx(t), &pb.GroupKickAdmin{RoomId: g.room, MemberId: g.owner.id})
	wantErr(t, err, errs.GroupKickAdminForbidden, 0)

	_, err = g.user.c.GroupKickModerator(ctx(t), &pb.GroupKickModerator{RoomId: g.room, MemberId: g.moderator.id})
	wantErr(t, err, errs.GroupKickModeratorForbidden, 0)
	_, err = g.moderator.c.GroupKickModerator(ctx(t), &pb.GroupKickModerator{RoomId: g.room, MemberId: g.moderator.id})
	wantErr(t, err, errs.GroupKickModeratorForbidden, 0)

	_, err = g.user.c.GroupKickMember(ctx(t), &pb.GroupKickMember{RoomId: g.room, MemberId: g.moderator.id})
	wantErr(t, err, errs.GroupKickMemberForbidden, 0)
	_, err = g.moderator.c.GroupKickMember(ctx(t), &pb.GroupKickMember{RoomId: g.room, MemberId: g.admin.id})
	wantErr(t, err, errs.GroupKickMemberForbidden, 0) // only lower ranks
	_, err = g.admin.c.GroupKickMember(ctx(t), &pb.GroupKickMember{RoomId: g.room, MemberId: g.owner.id})
	wantErr(t, err, errs.GroupKickMemberForbidden, 0) // nobody kicks the owner

	_, err = g.moderator.c.GroupEdit(ctx(t), &pb.GroupEdit{RoomId: g.room, Name: "mine now"})
	wantErr(t, err, errs.GroupEditForbidden, 0)
	_, err = x.c.GroupEdit(ctx(t), &pb.GroupEdit{RoomId: g.room, Name: "mine now"})
	wantErr(t, err, errs.GroupEditForbidden, 0)

	_, err = x.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: g.room, MessageType: pb.RoomMessageType_TEXT, Message: "let me in"})
	wantErr(t, err, errs.GroupSendMessageForbidden, 0)

	_, err = x.c.GroupUpdateStatus(ctx(t), &pb.GroupUpdateStatus{RoomId: g.room, MessageId: msg.MessageId, Status: pb.RoomMessageStatus_SEEN})
	wantErr(t, err, errs.GroupUpdateStatusForbidden, 0)
	_, err = g.user.c.GroupUpdateStatus(ctx(t), &pb.GroupUpdateStatus{RoomId: g.room, MessageId: msg.MessageId, Status: pb.RoomMessageStatus_SEEN})
	wantErr(t, err, errs.GroupUpdateStatusForbidden, 0) // one's own message

	// x joins from the user's message on: clearing before it is 317/1.
	groupAdd(t, g.owner, g.room, x, msg.MessageId)
	first := groupHistory(t, g.owner, g.room)[0]
	_, err = x.c.GroupClearMessage(ctx(t), &pb.GroupClearMessage{RoomId: g.room, ClearId: first.MessageId})
	wantErr(t, err, errs.GroupClearMessageForbidden, errs.GroupClearMessageForbiddenClearBeforeFirstMessage)

	_, err = y.c.GroupLeft(ctx(t), &pb.GroupLeft{RoomId: g.room})
	wantErr(t, err, errs.GroupLeftForbidden, 0)

	// Nothing refused changed anything.
	if got := groupRoomOf(t, g.owner, g.room); got.Title != "four" || got.GroupRoomExtra.GetParticipantsCount() != 5 {
		t.Fatalf("room after refusals: %v", got)
	}
}

// The bad-payload codes that only the handlers decide.
func TestGroupBadPayloads(t *testing.T) {
	e := start(t, nil)
	g := newGroupOfFour(t, e, 9123000200)
	chat := chatRoom(t, g.owner, g.user)
	inChat := chatText(t, g.owner, chat, "in the chat")
	other := groupCreate(t, g.user, "other")
	inOther := groupText(t, g.user, other, "elsewhere")
	stranger := chatSignUp(e, 9123000211)
	const noUser = 999999

	add := func(room, user, start uint64) error {
		_, err := g.owner.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: room, Member: &pb.GroupAddMember_Member{UserId: user, StartMessageId: start}})
		return err
	}
	wantErr(t, add(chat, stranger.id, 0), errs.GroupAddMemberBadPayload, errs.GroupAddMemberBadPayloadInvalidRoomId)
	wantErr(t, add(g.room, noUser, 0), errs.GroupAddMemberBadPayload, errs.GroupAddMemberBadPayloadInvalidUserId)
	wantErr(t, add(g.room, stranger.id, inOther.MessageId), errs.GroupAddMemberBadPayload, errs.GroupAddMemberBadPayloadInvalidStartMessageId)

	_, err := g.owner.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: chat, MemberId: g.user.id})
	wantErr(t, err, errs.GroupAddAdminBadPayload, 0)
	_, err = g.owner.c.GroupAddAdmin(ctx(t), &pb.GroupAddAdmin{RoomId: g.room, MemberId: stranger.id})
	wantErr(t, err, errs.GroupAddAdminBadPayload, 0)

	_, err = g.owner.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: noUser, MemberId: g.user.id})
	wantErr(t, err, errs.GroupAddModeratorBadPayload, errs.GroupAddModeratorBadPayloadInvalidRoomId)
	_, err = g.owner.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: g.room, MemberId: stranger.id})
	wantErr(t, err, errs.GroupAddModeratorBadPayload, errs.GroupAddModeratorBadPayloadInvalidMemberId)

	_, err = g.owner.c.GroupKickAdmin(ctx(t), &pb.GroupKickAdmin{RoomId: chat, MemberId: g.admin.id})
	wantErr(t, err, errs.GroupKickAdminBadPayload, errs.GroupKickAdminBadPayloadInvalidRoomId)
	_, err = g.owner.c.GroupKickAdmin(ctx(t), &pb.GroupKickAdmin{RoomId: g.room, MemberId: g.user.id})
	wantErr(t, err, errs.GroupKickAdminBadPayload, errs.GroupKickAdminBadPayloadInvalidMemberId) // not an admin

	_, err = g.owner.c.GroupKickModerator(ctx(t), &pb.GroupKickModerator{RoomId: chat, MemberId: g.moderator.id})
	wantErr(t, err, errs.GroupKickModeratorBadPayload, errs.GroupKickModeratorBadPayloadInvalidRoomId)
	_, err = g.owner.c.GroupKickModerator(ctx(t), &pb.GroupKickModerator{RoomId: g.room, MemberId: g.admin.id})
	wantErr(t, err, errs.GroupKickModeratorBadPayload, errs.GroupKickModeratorBadPayloadInvalidMemberId) // not a moderator

	_, err = g.owner.c.GroupKickMember(ctx(t), &pb.GroupKickMember{RoomId: chat, MemberId: g.user.id})
	wantErr(t, err, errs.GroupKickMemberBadPayload, errs.GroupKickMemberBadPayloadInvalidRoomId)
	_, err = g.owner.c.GroupKickMember(ctx(t), &pb.GroupKickMember{RoomId: g.room, MemberId: stranger.id})
	wantErr(t, err, errs.GroupKickMemberBadPayload, errs.GroupKickMemberBadPayloadInvalidMemberId)

	_, err = g.owner.c.GroupEdit(ctx(t), &pb.GroupEdit{RoomId: chat, Name: "x"})
	wantErr(t, err, errs.GroupEditBadPayload, errs.GroupEditBadPayloadInvalidRoomId)

	_, err = g.owner.c.GroupClearMessage(ctx(t), &pb.GroupClearMessage{RoomId: chat})
	wantErr(t, err, errs.GroupClearMessageBadPayload, errs.GroupClearMessageBadPayloadInvalidRoomId)
	_, err = stranger.c.GroupClearMessage(ctx(t), &pb.GroupClearMessage{RoomId: g.room})
	wantErr(t, err, errs.GroupClearMessageBadPayload, errs.GroupClearMessageBadPayloadInvalidRoomId)
	_, err = g.owner.c.GroupClearMessage(ctx(t), &pb.GroupClearMessage{RoomId: g.room, ClearId: inOther.MessageId})
	wantErr(t, err, errs.GroupClearMessageBadPayload, errs.GroupClearMessageBadPayloadInvalidClearId)

	_, err = g.owner.c.GroupLeft(ctx(t), &pb.GroupLeft{RoomId: chat})
	wantErr(t, err, errs.GroupLeftBadPayload, 0)
	_, err = g.owner.c.GroupLeft(ctx(t), &pb.GroupLeft{})
	wantErr(t, err, errs.GroupLeftBadPayload, 0)

	status := func(room, msg uint64, st pb.RoomMessageStatus) error {
		_, err := g.admin.c.GroupUpdateStatus(ctx(t), &pb.GroupUpdateStatus{RoomId: room, MessageId: msg, Status: st})
		return err
	}
	mine := groupText(t, g.owner, g.room, "read me")
	wantErr(t, status(chat, inChat.MessageId, pb.RoomMessageStatus_SEEN), errs.GroupUpdateStatusBadPayload, errs.GroupUpdateStatusBadPayloadInvalidRoomId)
	wantErr(t, status(g.room, inOther.MessageId, pb.RoomMessageStatus_SEEN), errs.GroupUpdateStatusBadPayload, errs.GroupUpdateStatusBadPayloadInvalidMessageId)
	wantErr(t, status(g.room, mine.MessageId, pb.RoomMessageStatus_SENT), errs.GroupUpdateStatusBadPayload, errs.GroupUpdateStatusBadPayloadInvalidMessageStatus)

	send := func(req *pb.GroupSendMessage, minor wire.Minor) {
		t.Helper()
		if req.RoomId == 0 {
			req.RoomId = g.room
		}
		_, err := g.user.c.GroupSendMessage(ctx(t), req)
		wantErr(t, err, errs.GroupSendMessageBadPayload, minor)
	}
	send(&pb.GroupSendMessage{RoomId: chat, MessageType: pb.RoomMessageType_TEXT, Message: "x"}, errs.GroupSendMessageBadPayloadInvalidRoom)
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_TEXT}, errs.GroupSendMessageBadPayloadTextWithoutMessage)
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_LOG}, errs.GroupSendMessageBadPayloadLogMissing)
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_IMAGE, Attachment: "no-such-token"}, errs.GroupSendMessageBadPayloadFileNotFound)
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "re", ReplyTo: inOther.MessageId}, errs.GroupSendMessageBadPayloadInvalidReplyTo)
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "fw", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: noUser, MessageId: 1}}, errs.GroupSendMessageBadPayloadInvalidForwardRoom)
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "fw", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: chat, MessageId: inOther.MessageId}}, errs.GroupSendMessageBadPayloadInvalidForwardMessage)
	// The owner's chat with someone else is not the member's to forward from.
	owners := chatRoom(t, g.owner, stranger)
	secret := chatText(t, g.owner, owners, "private")
	send(&pb.GroupSendMessage{MessageType: pb.RoomMessageType_TEXT, Message: "fw", ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: owners, MessageId: secret.MessageId}}, errs.GroupSendMessageBadPayloadForwardNotReadable)
}

// A kicked member is told, then neither receives nor sends.
func TestGroupKickedMemberIsOut(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9123000301), chatSignUp(e, 9123000302), chatSignUp(e, 9123000303)
	room := groupCreate(t, a, "club")
	groupAdd(t, a, room, b, 0)
	groupAdd(t, a, room, c, 0)
	if _, err := a.c.GroupKickMember(ctx(t), &pb.GroupKickMember{RoomId: room, MemberId: c.id}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, c.conn, pushGroupKick).(*pb.GroupKickMemberResponse); p.RoomId != room || p.MemberId != c.id {
		t.Fatalf("kicked user's push: %v", p)
	}
	if p := nextPush(t, b.conn, pushGroupKick).(*pb.GroupKickMemberResponse); p.MemberId != c.id {
		t.Fatalf("member's push: %v", p)
	}
	groupLog(t, b, room, pb.RoomMessageLog_MEMBER_KICKED, a.id, c.id)

	groupText(t, b, room, "c is gone")
	nextPush(t, a.conn, pushGroupSend)
	chatNoPush(t, c, pushGroupSend)
	_, err := c.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "still here?"})
	wantErr(t, err, errs.GroupSendMessageForbidden, 0)
	_, err = c.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: room})
	wantErr(t, err, errs.ClientGetRoomNotFound, 0)
	// Added back, c is a member again, seeing from the new addition on.
	groupAdd(t, a, room, c, 0)
	if h := groupHistory(t, c, room); len(h) != 1 || h[0].Log.GetType() != pb.RoomMessageLog_MEMBER_ADDED {
		t.Fatalf("c's history after coming back: %v", h)
	}
}

// start_message_id decides how much earlier history a new member sees.
func TestGroupStartMessageID(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9123000401), chatSignUp(e, 9123000402), chatSignUp(e, 9123000403)
	room := groupCreate(t, a, "history")
	m1 := groupText(t, a, room, "one")
	m2 := groupText(t, a, room, "two")
	m3 := groupText(t, a, room, "three")

	groupAdd(t, a, room, b, m2.MessageId)
	hb := groupHistory(t, b, room)
	if len(hb) != 3 || hb[0].MessageId != m2.MessageId || hb[1].MessageId != m3.MessageId ||
		hb[2].Log.GetType() != pb.RoomMessageLog_MEMBER_ADDED || hb[2].Log.GetTargetUser().GetId() != b.id {
		t.Fatalf("b (from m2) sees %v", hb)
	}
	// b cannot reply to or forward what it does not see.
	_, err := b.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "re", ReplyTo: m1.MessageId})
	wantErr(t, err, errs.GroupSendMessageBadPayload, errs.GroupSendMessageBadPayloadInvalidReplyTo)
	// Nor let someone else see further back than it does.
	_, err = b.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: room, Member: &pb.GroupAddMember_Member{UserId: c.id, StartMessageId: m1.MessageId}})
	wantErr(t, err, errs.GroupAddMemberForbidden, 0) // b is a plain member: it may not add at all
	if _, err := a.c.GroupAddModerator(ctx(t), &pb.GroupAddModerator{RoomId: room, MemberId: b.id}); err != nil {
		t.Fatal(err)
	}
	_, err = b.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: room, Member: &pb.GroupAddMember_Member{UserId: c.id, StartMessageId: m1.MessageId}})
	wantErr(t, err, errs.GroupAddMemberBadPayload, errs.GroupAddMemberBadPayloadInvalidStartMessageId)

	// 0: only what happens from the addition on.
	groupAdd(t, b, room, c, 0)
	hc := groupHistory(t, c, room)
	if len(hc) != 1 || hc[0].Log.GetTargetUser().GetId() != c.id {
		t.Fatalf("c (from now) sees %v", hc)
	}
	// The whole history for the creator.
	if ha := groupHistory(t, a, room); len(ha) != 6 || ha[0].Log.GetType() != pb.RoomMessageLog_ROOM_CREATED {
		t.Fatalf("a sees %d messages: %v", len(ha), ha)
	}
}

// Group sends share the chat path: replies, forwards, idempotent random_id,
// versions; statuses and clearing work as in chats.
func TestGroupSendStatusAndClear(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9123000501), chatSignUp(e, 9123000502)
	room := groupCreate(t, a, "talk")
	groupAdd(t, a, room, b, 0)
	first := groupText(t, a, room, "first")
	chat := chatRoom(t, a, b)
	inChat := chatText(t, a, chat, "from the chat")
	groupDrain(t, a)

	r, err := b.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "re", ReplyTo: first.MessageId, RandomId: 77})
	if err != nil {
		t.Fatal(err)
	}
	reply := r.RoomMessage
	if reply.ReplyTo.GetMessageId() != first.MessageId || reply.RandomId != 77 || reply.PreviousMessageId != first.MessageId ||
		reply.MessageVersion <= first.MessageVersion {
		t.Fatalf("reply: %v", reply)
	}
	if p := nextPush(t, a.conn, pushGroupSend).(*pb.GroupSendMessageResponse); !proto.Equal(p.RoomMessage, reply) {
		t.Fatalf("a got %v", p.RoomMessage)
	}
	again, err := b.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "re", ReplyTo: first.MessageId, RandomId: 77})
	if err != nil {
		t.Fatal(err)
	}
	if again.RoomMessage.MessageId != reply.MessageId {
		t.Fatalf("resend stored a new message %d", again.RoomMessage.MessageId)
	}
	// The stored message is pushed again (its node may have died before
	// the push left).
	if p := nextPush(t, a.conn, pushGroupSend).(*pb.GroupSendMessageResponse); !proto.Equal(p.RoomMessage, reply) {
		t.Fatalf("the resend pushed %v", p.RoomMessage)
	}

	fw, err := b.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "fw",
		ForwardFrom: &pb.RoomMessageForwardFrom{RoomId: chat, MessageId: inChat.MessageId}})
	if err != nil {
		t.Fatal(err)
	}
	if fw.RoomMessage.ForwardFrom.GetMessage() != "from the chat" {
		t.Fatalf("forward: %v", fw.RoomMessage)
	}
	loc, err := b.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_LOCATION, Location: &pb.RoomMessageLocation{Lat: 35.7, Lon: 51.4}})
	if err != nil || loc.RoomMessage.Location.GetLat() != 35.7 {
		t.Fatalf("location: %v %v", loc, err)
	}

	// b marks a's message seen: a and b's other sessions are told.
	st, err := b.c.GroupUpdateStatus(ctx(t), &pb.GroupUpdateStatus{RoomId: room, MessageId: first.MessageId, Status: pb.RoomMessageStatus_SEEN})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != pb.RoomMessageStatus_SEEN || st.StatusVersion == 0 {
		t.Fatalf("status: %v", st)
	}
	if p := nextPush(t, a.conn, pushGroupStatus).(*pb.GroupUpdateStatusResponse); p.MessageId != first.MessageId || p.Status != pb.RoomMessageStatus_SEEN {
		t.Fatalf("status push: %v", p)
	}

	// b clears its view up to the reply; a keeps the whole history.
	b2 := chatSecondSession(e, b)
	cl, err := b.c.GroupClearMessage(ctx(t), &pb.GroupClearMessage{RoomId: room, ClearId: reply.MessageId})
	if err != nil || cl.ClearId != reply.MessageId {
		t.Fatalf("clear: %v %v", cl, err)
	}
	if p := nextPush(t, b2.conn, pushGroupClear).(*pb.GroupClearMessageResponse); p.ClearId != reply.MessageId {
		t.Fatalf("clear push: %v", p)
	}
	// A resend pushes the stored message again only to whoever still sees it.
	if _, err := b.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "re", RandomId: 77}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, a.conn, pushGroupSend).(*pb.GroupSendMessageResponse); p.RoomMessage.MessageId != reply.MessageId {
		t.Fatalf("the resend pushed %v", p.RoomMessage)
	}
	chatNoPush(t, b2, pushGroupSend)
	if h := groupHistory(t, b, room); len(h) != 2 || h[0].MessageId != fw.RoomMessage.MessageId {
		t.Fatalf("b after clearing sees %v", h)
	}
	// 0 clears everything so far.
	if cl, err := b.c.GroupClearMessage(ctx(t), &pb.GroupClearMessage{RoomId: room}); err != nil || cl.ClearId != loc.RoomMessage.MessageId {
		t.Fatalf("clear all: %v %v", cl, err)
	}
	if h := groupHistory(t, b, room); len(h) != 0 {
		t.Fatalf("b after clearing all sees %v", h)
	}
	if h := groupHistory(t, a, room); len(h) != 6 {
		t.Fatalf("a sees %d messages after b cleared", len(h))
	}
}

func TestGroupAndChannelMemberLimit(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Handlers.MaxRoomMembers = 3 })
	a, b, c, d := chatSignUp(e, 9123000001), chatSignUp(e, 9123000002), chatSignUp(e, 9123000003), chatSignUp(e, 9123000004)
	g := groupCreate(t, a, "small")
	groupAdd(t, a, g, b, 0)
	groupAdd(t, a, g, c, 0)
	_, err := a.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: g, Member: &pb.GroupAddMember_Member{UserId: d.id}})
	wantErr(t, err, errs.GroupAddMemberForbidden, 0)
	if r := groupRoomOf(t, a, g); r.GroupRoomExtra.GetParticipantsCount() != 3 || r.GroupRoomExtra.GetParticipantsCountLimit() != 3 {
		t.Fatalf("a full group shows %v", r.GroupRoomExtra)
	}
	// Room for one more once someone leaves.
	if _, err := c.c.GroupLeft(ctx(t), &pb.GroupLeft{RoomId: g}); err != nil {
		t.Fatal(err)
	}
	groupAdd(t, a, g, d, 0)

	ch := channelCreate(t, a, "news")
	channelAdd(t, a, ch, b)
	channelAdd(t, a, ch, c)
	_, err = a.c.ChannelAddMember(ctx(t), &pb.ChannelAddMember{RoomId: ch, Member: &pb.ChannelAddMember_Member{UserId: d.id}})
	wantErr(t, err, errs.ChannelAddMemberForbidden, 0)
}
