package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
)

func usernameCheck(t *testing.T, u *chatUser, name string) pb.UserProfileCheckUsernameResponse_Status {
	t.Helper()
	r, err := u.c.UserProfileCheckUsername(ctx(t), &pb.UserProfileCheckUsername{Username: name})
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

func usernameSet(t *testing.T, u *chatUser, name string) {
	t.Helper()
	r, err := u.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{Username: name})
	if err != nil || r.Username != name {
		t.Fatalf("update username %q: %v, %v", name, r, err)
	}
}

func TestUsernameCheckAndUpdate(t *testing.T) {
	e := start(t, nil)
	a, oldName := usernameSignUp(e, 9121240001)
	b := chatSignUp(e, 9121240002)
	a2 := chatSecondSession(e, a)
	old, err := b.c.UserUsernameToId(ctx(t), &pb.UserUsernameToId{Username: oldName})
	if err != nil || old.UserId != a.id {
		t.Fatalf("generated username lookup: %v, %v", old, err)
	}

	for name, want := range map[string]pb.UserProfileCheckUsernameResponse_Status{
		"abcd":                               pb.UserProfileCheckUsernameResponse_INVALID, // shorter than 5
		"9lives":                             pb.UserProfileCheckUsernameResponse_INVALID,
		"_alice":                             pb.UserProfileCheckUsernameResponse_INVALID,
		"ali-ce":                             pb.UserProfileCheckUsernameResponse_INVALID,
		"":                                   pb.UserProfileCheckUsernameResponse_INVALID,
		"a234567890123456789012345678901233": pb.UserProfileCheckUsernameResponse_INVALID,
		"Alice_1":                            pb.UserProfileCheckUsernameResponse_AVAILABLE,
		oldName:                              pb.UserProfileCheckUsernameResponse_AVAILABLE, // the caller's own
	} {
		if got := usernameCheck(t, a, name); got != want {
			t.Errorf("check %q: %v, want %v", name, got, want)
		}
	}

	usernameSet(t, a, "Alice_1")
	if m := profilePush(t, a2.conn, dispatch.ActionUserProfileUpdateUsername).(*pb.UserProfileUpdateUsernameResponse); m.Username != "Alice_1" {
		t.Fatalf("username push: %v", m)
	}
	profileNoPush(t, a.conn, dispatch.ActionUserProfileUpdateUsername)

	// Lookups see the change at once, in any letter case; the old name is free.
	if r, err := b.c.UserUsernameToId(ctx(t), &pb.UserUsernameToId{Username: "aLICE_1"}); err != nil || r.UserId != a.id {
		t.Fatalf("lookup of the new name: %v, %v", r, err)
	}
	_, err = b.c.UserUsernameToId(ctx(t), &pb.UserUsernameToId{Username: oldName})
	wantErr(t, err, errs.UserUsernameToIdNotFound, errs.UserUsernameToIdNotFoundInvalidUsername)

	// Taken regardless of case, for others; the owner may change its case.
	if got := usernameCheck(t, b, "ALICE_1"); got != pb.UserProfileCheckUsernameResponse_TAKEN {
		t.Fatalf("check of a taken name: %v", got)
	}
	_, err = b.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{Username: "alice_1"})
	wantErr(t, err, errs.UserProfileUpdateUsernameBadPayload, errs.UserProfileUpdateUsernameBadPayloadUsernameTaken)
	usernameSet(t, a, "alice_1")

	// The contact list and the chat show the new name.
	r, err := b.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: a.id})
	if err != nil || r.Room.ChatRoomExtra.Peer.Username != "alice_1" {
		t.Fatalf("peer after change: %v, %v", r, err)
	}
}

func TestUsernameErrors(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121240003)
	_, err := a.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{})
	wantErr(t, err, errs.UserProfileUpdateUsernameBadPayload, errs.UserProfileUpdateUsernameBadPayloadMissingUsername)
	for _, bad := range []string{"abcd", "9lives", "_alice", "ali ce", "alïce", "a234567890123456789012345678901233"} {
		_, err := a.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{Username: bad})
		wantErr(t, err, errs.UserProfileUpdateUsernameBadPayload, errs.UserProfileUpdateUsernameBadPayloadInvalidUsername)
	}
}

// After the set number of changes in the period the next is locked with a
// wait until the oldest leaves the period; the same name again is no change.
func TestUsernameChangeLock(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121240004)
	names := []string{"first", "second", "third", "fourth", "fifth", "sixth"}
	for i := range validate.UserProfileUpdateUsernameChanges {
		usernameSet(t, a, names[i%len(names)]+"_x")
		usernameSet(t, a, names[i%len(names)]+"_x") // no change: not counted
		e.clock.Add(time.Minute)
	}
	_, err := a.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{Username: "locked_name"})
	we := wantErr(t, err, errs.UserProfileUpdateUsernameUpdateLock, 0)
	want := uint32(validate.UserProfileUpdateUsernamePeriod - validate.UserProfileUpdateUsernameChanges*60)
	if we.Wait != want {
		t.Fatalf("wait %d, want %d", we.Wait, want)
	}
	e.clock.Add(time.Duration(want) * time.Second)
	usernameSet(t, a, "unlocked_name")
	_, err = a.c.UserProfileUpdateUsername(ctx(t), &pb.UserProfileUpdateUsername{Username: "locked_again"})
	wantErr(t, err, errs.UserProfileUpdateUsernameUpdateLock, 0)
}

// usernameSignUp signs a phone up and returns the user and its generated
// username.
func usernameSignUp(e *env, phone uint64) (*chatUser, string) {
	c, conn := e.client()
	reg, _ := e.signUp(c, phone)
	return &chatUser{id: reg.UserId, phone: phone, c: c, conn: conn}, reg.Username
}
