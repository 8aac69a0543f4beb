package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// deleteToken asks for a deletion token for u and reads it from the sender.
func deleteToken(t *testing.T, e *env, u *chatUser, username string) string {
	t.Helper()
	r, err := u.c.UserGetDeleteToken(ctx(t), &pb.UserGetDeleteToken{})
	if err != nil {
		t.Fatal(err)
	}
	if r.TokenLength != "5" || r.TokenRegex == "" || r.ResendDelay == 0 {
		t.Fatalf("token response %v", r)
	}
	return fmt.Sprintf("%05d", e.lastCode(username))
}

func TestUserDelete(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121880001)
	a2 := chatSecondSession(e, a)
	b := chatSignUp(e, 9121880002)
	self, err := a.c.UserInfo(ctx(t), &pb.UserInfo{UserId: a.id})
	if err != nil {
		t.Fatal(err)
	}
	username := self.User.Username
	if _, err := a.c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.c.UserContactsImport(ctx(t), &pb.UserContactsImport{Contacts: []*pb.UserContactsImport_Contact{
		{Phone: "+989121880001", FirstName: "Al"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: b.id}); err != nil {
		t.Fatal(err)
	}
	room := chatRoom(t, b, a)
	msg := chatText(t, a, chatRoom(t, a, b), "before I go")

	// 157: no token was sent yet.
	_, err = a.c.UserDelete(ctx(t), &pb.UserDelete{Token: "12345"})
	wantErr(t, err, errs.UserDeleteExpiredToken, 0)

	token := deleteToken(t, e, a, username)
	wrong := fmt.Sprintf("%05d", (e.lastCode(username)%99999)+1)
	_, err = a.c.UserDelete(ctx(t), &pb.UserDelete{Token: wrong})
	wantErr(t, err, errs.UserDeleteInvalidToken, 0)

	if _, err := a.c.UserDelete(ctx(t), &pb.UserDelete{Token: token, Reason: pb.UserDelete_OTHER}); err != nil {
		t.Fatal(err)
	}
	// Every session ends with error 8, this one after its answer.
	sessionEnded(t, a.conn)
	sessionEnded(t, a2.conn)

	// b still has the message, from a deleted account.
	info, err := b.c.UserInfo(ctx(t), &pb.UserInfo{UserId: a.id})
	if err != nil {
		t.Fatal(err)
	}
	if u := info.User; !u.Deleted || u.Username != "" || u.Phone != 0 || u.FirstName != "" {
		t.Fatalf("deleted user shown as %v", u)
	}
	ids := historyIDs(t, b, room)
	if len(ids) != 1 || ids[0] != msg.MessageId {
		t.Fatalf("history %v, want [%d]", ids, msg.MessageId)
	}
	// Nobody writes to a deleted account or opens a chat with it.
	_, err = b.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "hello?"})
	wantErr(t, err, errs.ChatSendMessageForbidden, 0)
	_, err = b.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: a.id})
	wantErr(t, err, errs.ChatGetRoomPeerNotFound, 0)
	g, err := b.c.GroupCreate(ctx(t), &pb.GroupCreate{Name: "after"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: g.RoomId, Member: &pb.GroupAddMember_Member{UserId: a.id}})
	wantErr(t, err, errs.GroupAddMemberBadPayload, errs.GroupAddMemberBadPayloadInvalidUserId)
	// Blocks went: b's list no longer has a, and a's block no longer hides anything.
	if bl, err := b.c.UserContactsGetBlockedList(ctx(t), &pb.UserContactsGetBlockedList{}); err != nil || len(bl.User) != 0 {
		t.Fatalf("blocked list %v, %v", bl, err)
	}

	// The phone signs up again as a new user; the old username is free.
	c := chatSignUp(e, 9121880001)
	if c.id == a.id {
		t.Fatal("the phone got the deleted account back")
	}
	if _, err := c.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{Username: username}); err != nil {
		t.Fatalf("the deleted user's username is not free: %v", err)
	}
}

func TestUserDeleteLocks(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121880011)
	self, err := a.c.UserInfo(ctx(t), &pb.UserInfo{UserId: a.id})
	if err != nil {
		t.Fatal(err)
	}
	username := self.User.Username

	// 154: the validator's minors.
	_, err = a.c.UserDelete(ctx(t), &pb.UserDelete{})
	wantErr(t, err, errs.UserDeleteBadPayload, errs.UserDeleteBadPayloadInvalidToken)
	_, err = a.c.UserDelete(ctx(t), &pb.UserDelete{Token: "12345", Reason: 7})
	wantErr(t, err, errs.UserDeleteBadPayload, errs.UserDeleteBadPayloadInvalidReason)

	// 157: the token expires.
	token := deleteToken(t, e, a, username)
	e.clock.Add(6 * time.Minute)
	_, err = a.c.UserDelete(ctx(t), &pb.UserDelete{Token: token})
	wantErr(t, err, errs.UserDeleteExpiredToken, 0)

	// 158 with wait after five wrong tokens; then 152 on asking for another.
	token = deleteToken(t, e, a, username)
	wrong := fmt.Sprintf("%05d", (e.lastCode(username)%99999)+1)
	var last error
	for range 5 {
		_, last = a.c.UserDelete(ctx(t), &pb.UserDelete{Token: wrong})
	}
	if we := wantErr(t, last, errs.UserDeleteMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("158 without a wait")
	}
	_, err = a.c.UserDelete(ctx(t), &pb.UserDelete{Token: token})
	wantErr(t, err, errs.UserDeleteMaxTryLock, 0)
	_, err = a.c.UserGetDeleteToken(ctx(t), &pb.UserGetDeleteToken{})
	wantErr(t, err, errs.UserGetDeleteTokenMaxTryLock, 0)

	// 153 with wait: five tokens an hour from one source (two sent above,
	// and the lock is over after its ten minutes).
	e.clock.Add(11 * time.Minute)
	for range 3 {
		deleteToken(t, e, a, username)
	}
	_, err = a.c.UserGetDeleteToken(ctx(t), &pb.UserGetDeleteToken{})
	if we := wantErr(t, err, errs.UserGetDeleteTokenMaxSendLock, 0); we.Wait == 0 {
		t.Fatal("153 without a wait")
	}
}
