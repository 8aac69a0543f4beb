package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// A change to what others see of a user (username, avatar, bio, nickname)
// goes, as status does, to the user's other sessions and to those who share a
// chat or group with them or have them as a contact: not to strangers, not to
// those the user has blocked; avatars as the AVATAR rule allows.
func TestProfileChangesPushToAudience(t *testing.T) {
	e := fileStart(t)
	b := chatSignUp(e, 9121619001) // who changes
	a := chatSignUp(e, 9121619002) // shares a chat with b
	c := chatSignUp(e, 9121619003) // has b as a contact
	d := chatSignUp(e, 9121619004) // nothing to do with b
	x := chatSignUp(e, 9121619005) // shares a chat with b, blocked by b
	b2 := chatSecondSession(e, b)
	chatText(t, b, chatRoom(t, b, a), "hi")
	chatText(t, x, chatRoom(t, x, b), "hi")
	contactsImport(t, c.c, &pb.UserContactsImport_Contact{Phone: "9121619001", FirstName: "Bee", ClientId: "b"})
	if _, err := b.c.UserContactsBlock(ctx(t), &pb.UserContactsBlock{UserId: x.id}); err != nil {
		t.Fatal(err)
	}

	// hears: who must get the push of action; others: who must not.
	check := func(action uint16, hears, others []*chatUser) {
		t.Helper()
		for _, u := range hears {
			profilePush(t, u.conn, action)
		}
		for _, u := range others {
			chatNoPush(t, u, action+wire.ResponseOffset)
		}
		profileNoPush(t, b.conn, action)
	}
	all := []*chatUser{b2, a, c}
	never := []*chatUser{d, x}

	usernameSet(t, b, "bee_audience")
	check(dispatch.ActionUserProfileUpdateUsername, all, never)

	if _, err := b.c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "Bee Bee"}); err != nil {
		t.Fatal(err)
	}
	check(dispatch.ActionUserProfileSetNickname, all, never)

	if _, err := b.c.UserProfileSetBio(ctx(t), &pb.UserProfileSetBio{Bio: "hello"}); err != nil {
		t.Fatal(err)
	}
	check(dispatch.ActionUserProfileSetBio, all, never)

	av := avatarAdd(t, b, avatarImage(t, b, "b.png", 120, 90))
	check(dispatch.ActionUserAvatarAdd, all, never)

	// AVATAR ALLOW_CONTACTS: of the audience, only those b has as contacts.
	contactsImport(t, b.c, &pb.UserContactsImport_Contact{Phone: "9121619002", FirstName: "Ay", ClientId: "a"})
	setRule(t, b, pb.PrivacyType_AVATAR, pb.PrivacyLevel_ALLOW_CONTACTS)
	if _, err := b.c.UserAvatarDelete(ctx(t), &pb.UserAvatarDelete{Id: av.Id}); err != nil {
		t.Fatal(err)
	}
	check(dispatch.ActionUserAvatarDelete, []*chatUser{b2, a}, []*chatUser{c, d, x})

	// The rule is the avatar's only: a nickname still reaches c.
	if _, err := b.c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "Bee"}); err != nil {
		t.Fatal(err)
	}
	check(dispatch.ActionUserProfileSetNickname, all, never)
}
