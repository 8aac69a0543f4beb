package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

func userInfo(t *testing.T, u *chatUser, id uint64) *pb.RegisteredUser {
	t.Helper()
	r, err := u.c.UserInfo(ctx(t), &pb.UserInfo{UserId: id})
	if err != nil {
		t.Fatal(err)
	}
	if r.User.GetId() != id {
		t.Fatalf("UserInfo(%d) answered user %d", id, r.User.GetId())
	}
	return r.User
}

func setStatus(t *testing.T, u *chatUser, st pb.UserUpdateStatus_Status) {
	t.Helper()
	r, err := u.c.UserUpdateStatus(ctx(t), &pb.UserUpdateStatus{Status: st})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != st || r.UserId != u.id {
		t.Fatalf("UserUpdateStatus: %v", r)
	}
}

func setRule(t *testing.T, u *chatUser, typ pb.PrivacyType, level pb.PrivacyLevel) {
	t.Helper()
	r, err := u.c.UserPrivacySetRule(ctx(t), &pb.UserPrivacySetRule{Type: typ, Level: level})
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != typ || r.Level != level {
		t.Fatalf("UserPrivacySetRule: %v", r)
	}
}

func wantStatusPush(t *testing.T, u *chatUser, of uint64, st pb.UserUpdateStatus_Status) {
	t.Helper()
	p := nextPush(t, u.conn, dispatch.ResponseUserUpdateStatus).(*pb.UserUpdateStatusResponse)
	if p.UserId != of || p.Status != st {
		t.Fatalf("status push: %v, want user %d %v", p, of, st)
	}
}

func wantPresence(t *testing.T, viewer *chatUser, of uint64, st pb.RegisteredUser_Status, lastSeen uint32) {
	t.Helper()
	if u := userInfo(t, viewer, of); u.Status != st || u.LastSeen != lastSeen {
		t.Fatalf("user %d sees user %d %v at %d, want %v at %d", viewer.id, of, u.Status, u.LastSeen, st, lastSeen)
	}
}

func TestUserInfo(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600001), chatSignUp(e, 9121600002)

	self := userInfo(t, a, a.id)
	if self.Phone != 989121600001 || self.Status != pb.RegisteredUser_LONG_TIME_AGO {
		t.Fatalf("a's own info: %v", self)
	}
	// A stranger: no phone; never seen.
	if u := userInfo(t, a, b.id); u.Phone != 0 || u.Status != pb.RegisteredUser_LONG_TIME_AGO || u.LastSeen != 0 || u.Username == "" {
		t.Fatalf("a's view of b: %v", u)
	}
	contactsImport(t, a.c, &pb.UserContactsImport_Contact{Phone: "9121600002", FirstName: "Bee", ClientId: "b"})
	if u := userInfo(t, a, b.id); u.Phone != 989121600002 || u.DisplayName != "Bee" {
		t.Fatalf("a's view of b, a contact: %v", u)
	}

	// Unknown, unverified and missing ids.
	_, err := a.c.UserInfo(ctx(t), &pb.UserInfo{UserId: 999999})
	wantErr(t, err, errs.UserInfoBadPayload, 1)
	c, _ := e.client()
	reg, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9121600003, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.c.UserInfo(ctx(t), &pb.UserInfo{UserId: reg.UserId})
	wantErr(t, err, errs.UserInfoBadPayload, 1)
	_, err = a.c.UserInfo(ctx(t), &pb.UserInfo{})
	wantErr(t, err, errs.UserInfoBadPayload, 1)
}

// Status goes to the user's other sessions and to those who share a room
// with them or have them as a contact, as the USER_STATUS rule allows, and
// RegisteredUser shows it the same way.
func TestUserUpdateStatusAndUserStatusRule(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600011), chatSignUp(e, 9121600012)
	c := chatSignUp(e, 9121600013) // has b as a contact, no room
	d := chatSignUp(e, 9121600014) // nothing to do with b
	b2 := chatSecondSession(e, b)
	chatText(t, b, chatRoom(t, b, a), "hi")
	contactsImport(t, c.c, &pb.UserContactsImport_Contact{Phone: "9121600012", FirstName: "Bee", ClientId: "b"})
	now := uint32(e.clock.Now().Unix())

	setStatus(t, b, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, a, b.id, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, c, b.id, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, b2, b.id, pb.UserUpdateStatus_ONLINE)
	chatNoPush(t, d, dispatch.ResponseUserUpdateStatus)
	for _, v := range []*chatUser{a, d, b} {
		wantPresence(t, v, b.id, pb.RegisteredUser_ONLINE, now)
	}

	e.clock.Add(time.Minute)
	setStatus(t, b, pb.UserUpdateStatus_OFFLINE)
	wantStatusPush(t, a, b.id, pb.UserUpdateStatus_OFFLINE)
	wantStatusPush(t, c, b.id, pb.UserUpdateStatus_OFFLINE)
	wantPresence(t, a, b.id, pb.RegisteredUser_EXACTLY, now+60)

	// ALLOW_CONTACTS: only those b has among their contacts; the others
	// see RECENTLY and no time.
	setRule(t, b, pb.PrivacyType_USER_STATUS, pb.PrivacyLevel_ALLOW_CONTACTS)
	if p := nextPush(t, b2.conn, dispatch.ResponseUserPrivacySetRule).(*pb.UserPrivacySetRuleResponse); p.Type != pb.PrivacyType_USER_STATUS || p.Level != pb.PrivacyLevel_ALLOW_CONTACTS {
		t.Fatalf("b2's rule push: %v", p)
	}
	if r, err := b2.c.UserPrivacyGetRule(ctx(t), &pb.UserPrivacyGetRule{Type: pb.PrivacyType_USER_STATUS}); err != nil || r.Level != pb.PrivacyLevel_ALLOW_CONTACTS {
		t.Fatalf("UserPrivacyGetRule: %v, %v", r, err)
	}
	setStatus(t, b, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, b2, b.id, pb.UserUpdateStatus_ONLINE)
	chatNoPush(t, a, dispatch.ResponseUserUpdateStatus)
	chatNoPush(t, c, dispatch.ResponseUserUpdateStatus)
	wantPresence(t, a, b.id, pb.RegisteredUser_RECENTLY, 0)
	wantPresence(t, b, b.id, pb.RegisteredUser_ONLINE, now+60)
	contactsImport(t, b.c, &pb.UserContactsImport_Contact{Phone: "9121600011", FirstName: "Ay", ClientId: "a"})
	setStatus(t, b, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, a, b.id, pb.UserUpdateStatus_ONLINE)
	chatNoPush(t, c, dispatch.ResponseUserUpdateStatus)
	wantPresence(t, a, b.id, pb.RegisteredUser_ONLINE, now+60)
	wantPresence(t, c, b.id, pb.RegisteredUser_RECENTLY, 0)

	// DENY_ALL: nobody hears or sees the time; a week later not even
	// RECENTLY.
	setRule(t, b, pb.PrivacyType_USER_STATUS, pb.PrivacyLevel_DENY_ALL)
	setStatus(t, b, pb.UserUpdateStatus_OFFLINE)
	chatNoPush(t, a, dispatch.ResponseUserUpdateStatus)
	wantPresence(t, a, b.id, pb.RegisteredUser_RECENTLY, 0)
	e.clock.Add(8 * 24 * time.Hour)
	wantPresence(t, a, b.id, pb.RegisteredUser_LONG_TIME_AGO, 0)
	wantPresence(t, b, b.id, pb.RegisteredUser_EXACTLY, now+60)

	_, err := b.c.UserUpdateStatus(ctx(t), &pb.UserUpdateStatus{Status: 7})
	wantErr(t, err, errs.UserUpdateStatusBadPayload, 1)
}

// When a user's last connection goes they are OFFLINE, last seen then, and
// those who may see it are told. In two-node mode b's two connections are
// on different nodes: the node that sees b2 go must not mark b offline.
func TestUserOfflineWhenLastConnectionGoes(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600021), chatSignUp(e, 9121600022)
	b2 := chatSecondSession(e, b)
	chatText(t, a, chatRoom(t, a, b), "hi")
	setStatus(t, b, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, a, b.id, pb.UserUpdateStatus_ONLINE)
	e.clock.Add(time.Minute)
	gone := uint32(e.clock.Now().Unix())

	b2.conn.Close()
	waitFor(t, func() bool { return e.online(b.id) == 1 }, "b2's connection to go")
	chatNoPush(t, a, dispatch.ResponseUserUpdateStatus) // b still has a connection
	wantPresence(t, a, b.id, pb.RegisteredUser_ONLINE, gone-60)
	// Marked offline when b2 went, b would stay last seen then.
	e.clock.Add(time.Minute)
	b.conn.Close()
	wantStatusPush(t, a, b.id, pb.UserUpdateStatus_OFFLINE)
	wantPresence(t, a, b.id, pb.RegisteredUser_EXACTLY, gone+60)
}

func TestUserPrivacyRules(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121600031)
	for typ := range pb.PrivacyType_name {
		r, err := a.c.UserPrivacyGetRule(ctx(t), &pb.UserPrivacyGetRule{Type: pb.PrivacyType(typ)})
		if err != nil || r.Level != pb.PrivacyLevel_ALLOW_ALL {
			t.Fatalf("default rule %d: %v, %v", typ, r, err)
		}
	}
	setRule(t, a, pb.PrivacyType_VOICE_CALLING, pb.PrivacyLevel_DENY_ALL)
	setRule(t, a, pb.PrivacyType_SECRET_CHAT, pb.PrivacyLevel_ALLOW_CONTACTS)
	setRule(t, a, pb.PrivacyType_SECRET_CHAT, pb.PrivacyLevel_DENY_ALL)
	for typ, want := range map[pb.PrivacyType]pb.PrivacyLevel{pb.PrivacyType_VOICE_CALLING: pb.PrivacyLevel_DENY_ALL,
		pb.PrivacyType_SECRET_CHAT: pb.PrivacyLevel_DENY_ALL, pb.PrivacyType_AVATAR: pb.PrivacyLevel_ALLOW_ALL} {
		if r, err := a.c.UserPrivacyGetRule(ctx(t), &pb.UserPrivacyGetRule{Type: typ}); err != nil || r.Level != want {
			t.Fatalf("rule %v: %v, %v; want %v", typ, r, err, want)
		}
	}
	_, err := a.c.UserPrivacyGetRule(ctx(t), &pb.UserPrivacyGetRule{Type: 99})
	wantErr(t, err, errs.UserPrivacyGetRuleBadPayload, 1)
	_, err = a.c.UserPrivacySetRule(ctx(t), &pb.UserPrivacySetRule{Type: 99})
	wantErr(t, err, errs.UserPrivacySetRuleBadPayload, 1)
	_, err = a.c.UserPrivacySetRule(ctx(t), &pb.UserPrivacySetRule{Type: pb.PrivacyType_AVATAR, Level: 99})
	wantErr(t, err, errs.UserPrivacySetRuleBadPayload, 2)
}

// GROUP_INVITE and CHANNEL_INVITE decide who may add the user.
func TestPrivacyInviteRules(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121600041), chatSignUp(e, 9121600042)
	group, channel := groupCreate(t, a, "g"), channelCreate(t, a, "c")

	setRule(t, b, pb.PrivacyType_GROUP_INVITE, pb.PrivacyLevel_DENY_ALL)
	setRule(t, b, pb.PrivacyType_CHANNEL_INVITE, pb.PrivacyLevel_ALLOW_CONTACTS)
	_, err := a.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: group, Member: &pb.GroupAddMember_Member{UserId: b.id}})
	wantErr(t, err, errs.GroupAddMemberPrivacyProtection, 0)
	_, err = a.c.ChannelAddMember(ctx(t), &pb.ChannelAddMember{RoomId: channel, Member: &pb.ChannelAddMember_Member{UserId: b.id}})
	wantErr(t, err, errs.ChannelAddMemberPrivacyProtection, 0)

	contactsImport(t, b.c, &pb.UserContactsImport_Contact{Phone: "9121600041", FirstName: "Ay", ClientId: "a"})
	channelAdd(t, a, channel, b)
	_, err = a.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: group, Member: &pb.GroupAddMember_Member{UserId: b.id}})
	wantErr(t, err, errs.GroupAddMemberPrivacyProtection, 0)
	setRule(t, b, pb.PrivacyType_GROUP_INVITE, pb.PrivacyLevel_ALLOW_ALL)
	groupAdd(t, a, group, b, 0)

	// b's status reaches a through the group; r, who only reads the
	// channel with b, does not hear of it (readers do not see each other).
	r := chatSignUp(e, 9121600043)
	channelAdd(t, a, channel, r)
	setStatus(t, b, pb.UserUpdateStatus_ONLINE)
	wantStatusPush(t, a, b.id, pb.UserUpdateStatus_ONLINE)
	chatNoPush(t, r, dispatch.ResponseUserUpdateStatus)
}
