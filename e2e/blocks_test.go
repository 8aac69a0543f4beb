package e2e

import (
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// blocksPeer is the RegisteredUser of peer as u sees it in their chat.
func blocksPeer(t *testing.T, u, peer *chatUser) *pb.RegisteredUser {
	t.Helper()
	r, err := u.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: peer.id})
	if err != nil {
		t.Fatal(err)
	}
	return r.Room.GetChatRoomExtra().GetPeer()
}

func TestBlockUnblockAndList(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9121600001), chatSignUp(e, 9121600002), chatSignUp(e, 9121600003)
	a2 := chatSecondSession(e, a)
	room := chatRoom(t, b, a)
	before := blocksPeer(t, b, a)

	if l, err := a.c.UserContactsGetBlockedList(ctx(t), &pb.UserContactsGetBlockedList{}); err != nil || len(l.User) != 0 {
		t.Fatalf("list before: %v, %v", l, err)
	}
	for _, u := range []*chatUser{b, c} {
		r, err := a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: u.id})
		if err != nil || r.UserId != u.id {
			t.Fatalf("block %d: %v, %v", u.id, r, err)
		}
		if p := profilePush(t, a2.conn, dispatch.ActionUserContactsBlock).(*pb.UserContactsBlockResponse); p.UserId != u.id {
			t.Fatalf("push to the other session: %v", p)
		}
	}
	profileNoPush(t, a.conn, dispatch.ActionUserContactsBlock)
	// Blocking again is not an error.
	if _, err := a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: b.id}); err != nil {
		t.Fatal(err)
	}

	l, err := a.c.UserContactsGetBlockedList(ctx(t), &pb.UserContactsGetBlockedList{})
	if err != nil || len(l.User) != 2 {
		t.Fatalf("list: %v, %v", l, err)
	}
	got := map[uint64]string{}
	for _, u := range l.User {
		got[u.UserId] = u.CacheId
	}
	if got[b.id] != blocksPeer(t, a, b).CacheId || got[c.id] == "" {
		t.Fatalf("list %v, b as a sees them %v", l.User, blocksPeer(t, a, b))
	}

	// b no longer writes to a; a still writes to b.
	_, err = b.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "hi"})
	wantErr(t, err, errs.ChatSendMessageBlockedByPeer, 0)
	chatText(t, a, room, "still mine to send")
	// b sees a with presence hidden: the cache_id changed.
	if after := blocksPeer(t, b, a); after.CacheId == before.CacheId || after.Status != pb.RegisteredUser_LONG_TIME_AGO || after.Avatar != nil || after.LastSeen != 0 {
		t.Fatalf("a as b sees them after the block: %v (before %v)", after, before)
	}

	r, err := a.c.UserContactsUnblock(ctx(t), &pb.UserContactsUnblock{UserId: b.id})
	if err != nil || r.UserId != b.id {
		t.Fatalf("unblock: %v, %v", r, err)
	}
	if p := profilePush(t, a2.conn, dispatch.ActionUserContactsUnblock).(*pb.UserContactsUnblockResponse); p.UserId != b.id {
		t.Fatalf("unblock push: %v", p)
	}
	profileNoPush(t, a.conn, dispatch.ActionUserContactsUnblock)
	chatText(t, b, room, "hello again")
	if after := blocksPeer(t, b, a); after.CacheId != before.CacheId {
		t.Fatalf("cache_id after unblock %q, before the block %q", after.CacheId, before.CacheId)
	}
	if l, err := a.c.UserContactsGetBlockedList(ctx(t), &pb.UserContactsGetBlockedList{}); err != nil || len(l.User) != 1 || l.User[0].UserId != c.id {
		t.Fatalf("list after unblock: %v, %v", l, err)
	}
}

func TestBlockErrors(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600011), chatSignUp(e, 9121600012)

	_, err := a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: a.id})
	wantErr(t, err, errs.UserContactsBlockBadPayload, errs.UserContactsBlockBadPayloadInvalidUserId)
	_, err = a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{})
	wantErr(t, err, errs.UserContactsBlockBadPayload, errs.UserContactsBlockBadPayloadInvalidUserId)
	_, err = a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: b.id + 1000})
	wantErr(t, err, errs.UserContactsBlockUserNotFound, 0)
	// Registered but never verified is no user.
	if _, err := a.c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9121600013, CountryCode: "IR"}); err != nil {
		t.Fatal(err)
	}
	_, err = a.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: b.id + 1})
	wantErr(t, err, errs.UserContactsBlockUserNotFound, 0)

	_, err = a.c.UserContactsUnblock(ctx(t), &pb.UserContactsUnblock{})
	wantErr(t, err, errs.UserContactsUnblockBadPayload, errs.UserContactsUnblockBadPayloadInvalidUserId)
	_, err = a.c.UserContactsUnblock(ctx(t), &pb.UserContactsUnblock{UserId: b.id})
	wantErr(t, err, errs.UserContactsUnblockAlreadyUnblocked, 0)
	_, err = a.c.UserContactsUnblock(ctx(t), &pb.UserContactsUnblock{UserId: b.id + 1000})
	wantErr(t, err, errs.UserContactsUnblockAlreadyUnblocked, 0)
}

func TestBioSetGetAndShown(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600021), chatSignUp(e, 9121600022)
	a2 := chatSecondSession(e, a)

	if r, err := a.c.UserProfileGetBio(ctx(t), &pb.UserProfileGetBio{}); err != nil || r.Bio != "" {
		t.Fatalf("bio before set: %v, %v", r, err)
	}
	before := blocksPeer(t, b, a)
	r, err := a.c.UserProfileSetBio(ctx(t), &pb.UserProfileSetBio{Bio: "  Tea ☕ and\nbooks  "})
	if err != nil || r.Bio != "Tea ☕ and\nbooks" {
		t.Fatalf("set bio: %v, %v", r, err)
	}
	if p := profilePush(t, a2.conn, dispatch.ActionUserProfileSetBio).(*pb.UserProfileSetBioResponse); p.Bio != r.Bio {
		t.Fatalf("push: %v", p)
	}
	profileNoPush(t, a.conn, dispatch.ActionUserProfileSetBio)
	if g, err := a2.c.UserProfileGetBio(ctx(t), &pb.UserProfileGetBio{}); err != nil || g.Bio != r.Bio {
		t.Fatalf("bio read back: %v, %v", g, err)
	}
	if p := blocksPeer(t, b, a); p.Bio != r.Bio || p.CacheId == before.CacheId {
		t.Fatalf("a as b sees them: %v (before %v)", p, before)
	}
	// b holds a as a contact: the contact list shows the bio too.
	contactsImport(t, b.c, &pb.UserContactsImport_Contact{Phone: "09121600021", FirstName: "A"})
	if u := contactsList(t, b.c)[a.id]; u.GetBio() != r.Bio {
		t.Fatalf("contact list: %v", u)
	}
	// An empty bio clears it.
	if r, err := a.c.UserProfileSetBio(ctx(t), &pb.UserProfileSetBio{}); err != nil || r.Bio != "" {
		t.Fatalf("clear bio: %v, %v", r, err)
	}

	_, err = a.c.UserProfileSetBio(ctx(t), &pb.UserProfileSetBio{Bio: strings.Repeat("é", 251)})
	wantErr(t, err, errs.UserProfileSetBioBadPayload, errs.UserProfileSetBioBadPayloadInvalidBio)
	_, err = a.c.UserProfileSetBio(ctx(t), &pb.UserProfileSetBio{Bio: "bell\x07"})
	wantErr(t, err, errs.UserProfileSetBioBadPayload, errs.UserProfileSetBioBadPayloadInvalidBio)
	if r, err := a.c.UserProfileSetBio(ctx(t), &pb.UserProfileSetBio{Bio: strings.Repeat("é", 250)}); err != nil || len([]rune(r.Bio)) != 250 {
		t.Fatalf("bio at the limit: %v", err)
	}
}

func TestUserReport(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600031), chatSignUp(e, 9121600032)

	if _, err := a.c.UserReport(ctx(t), &pb.UserReport{UserId: b.id, Reason: pb.UserReport_SPAM, Description: "ads"}); err != nil {
		t.Fatal(err)
	}
	_, err := a.c.UserReport(ctx(t), &pb.UserReport{UserId: b.id, Reason: pb.UserReport_ABUSE})
	wantErr(t, err, errs.UserReportReportedBefore, 0)
	// Another reporter of the same user is a report of its own.
	if _, err := b.c.UserReport(ctx(t), &pb.UserReport{UserId: a.id}); err != nil {
		t.Fatal(err)
	}
	_, err = a.c.UserReport(ctx(t), &pb.UserReport{UserId: a.id})
	wantErr(t, err, errs.UserReportForbidden, 0)
	_, err = a.c.UserReport(ctx(t), &pb.UserReport{UserId: b.id + 1000})
	wantErr(t, err, errs.UserReportBadPayload, errs.UserReportBadPayloadInvalidUserId)
	_, err = a.c.UserReport(ctx(t), &pb.UserReport{})
	wantErr(t, err, errs.UserReportBadPayload, errs.UserReportBadPayloadInvalidUserId)
	_, err = a.c.UserReport(ctx(t), &pb.UserReport{UserId: b.id, Reason: 9})
	wantErr(t, err, errs.UserReportBadPayload, errs.UserReportBadPayloadInvalidReason)
	_, err = a.c.UserReport(ctx(t), &pb.UserReport{UserId: b.id, Description: strings.Repeat("x", 1001)})
	wantErr(t, err, errs.UserReportBadPayload, errs.UserReportBadPayloadInvalidDescription)
}
