package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/proto"
)

// profileSecondSession signs the user of phone in again on a new connection:
// a second device, with its own token and session.
func profileSecondSession(e *env, phone uint64) (*client.Client, *wsclient.Conn) {
	c, conn := e.client()
	e.signUp(c, phone)
	return c, conn
}

// profilePush waits for the push of action's response on conn.
func profilePush(t *testing.T, conn *wsclient.Conn, action uint16) proto.Message {
	t.Helper()
	m, err := conn.NextPush(ctx(t), action+wire.ResponseOffset)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// profileNoPush asserts that conn, the session that acted, was not sent the
// push: it had the response already, and a push would have been queued
// before it.
func profileNoPush(t *testing.T, conn *wsclient.Conn, action uint16) {
	t.Helper()
	c, cancel := ctxTimeout(300 * time.Millisecond)
	defer cancel()
	if m, err := conn.NextPush(c, action+wire.ResponseOffset); err == nil {
		t.Fatalf("acting session got its own push %d: %v", action, m)
	}
}

func TestProfileSetAndGet(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	e.signUp(c, 9121230001)

	nick, err := c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{})
	if err != nil || nick.Nickname != "" {
		t.Fatalf("nickname before set: %v, %v", nick, err)
	}
	set, err := c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "  Ali Reza \u00a0"})
	if err != nil || set.Nickname != "Ali Reza" || set.Initials != "AR" {
		t.Fatalf("set nickname: %v, %v", set, err)
	}
	if nick, err = c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil || nick.Nickname != "Ali Reza" {
		t.Fatalf("nickname read back: %v, %v", nick, err)
	}

	if r, err := c.UserProfileSetEmail(ctx(t), &pb.UserProfileSetEmail{Email: "ali@example.com"}); err != nil || r.Email != "ali@example.com" {
		t.Fatalf("set email: %v, %v", r, err)
	}
	if r, err := c.UserProfileGetEmail(ctx(t), &pb.UserProfileGetEmail{}); err != nil || r.Email != "ali@example.com" {
		t.Fatalf("email read back: %v, %v", r, err)
	}

	if r, err := c.UserProfileGetGender(ctx(t), &pb.UserProfileGetGender{}); err != nil || r.Gender != pb.Gender_UNKNOWN {
		t.Fatalf("gender before set: %v, %v", r, err)
	}
	if r, err := c.UserProfileSetGender(ctx(t), &pb.UserProfileSetGender{Gender: pb.Gender_FEMALE}); err != nil || r.Gender != pb.Gender_FEMALE {
		t.Fatalf("set gender: %v, %v", r, err)
	}
	if r, err := c.UserProfileGetGender(ctx(t), &pb.UserProfileGetGender{}); err != nil || r.Gender != pb.Gender_FEMALE {
		t.Fatalf("gender read back: %v, %v", r, err)
	}
}

func TestProfileErrors(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	e.signUp(c, 9121230002)

	for _, bad := range []string{"   ", "\u00a0 \u2003", "a\x01b", strings.Repeat("n", 65)} {
		_, err := c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: bad})
		wantErr(t, err, errs.UserProfileSetNicknameBadPayload, errs.UserProfileSetNicknameBadPayloadInvalidNickname)
	}
	for _, bad := range []string{"not-an-email", "Ali <ali@example.com>", "a@example.com, b@example.com", " ali@example.com"} {
		_, err := c.UserProfileSetEmail(ctx(t), &pb.UserProfileSetEmail{Email: bad})
		wantErr(t, err, errs.UserProfileSetEmailBadPayload, errs.UserProfileSetEmailBadPayloadInvalidEmail)
	}
	_, err := c.UserProfileSetGender(ctx(t), &pb.UserProfileSetGender{Gender: pb.Gender(7)})
	wantErr(t, err, errs.UserProfileSetGenderBadPayload, errs.UserProfileSetGenderBadPayloadInvalidGender)

	// Nothing refused was stored.
	if r, err := c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil || r.Nickname != "" {
		t.Fatalf("nickname after refusals: %v, %v", r, err)
	}
}

func TestProfileSetPushesToOtherSessions(t *testing.T) {
	e := start(t, nil)
	c1, conn1 := e.client()
	e.signUp(c1, 9121230003)
	_, conn2 := profileSecondSession(e, 9121230003)

	if _, err := c1.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: " Sara "}); err != nil {
		t.Fatal(err)
	}
	if m := profilePush(t, conn2, dispatch.ActionUserProfileSetNickname).(*pb.UserProfileSetNicknameResponse); m.Nickname != "Sara" {
		t.Fatalf("nickname push: %v", m)
	}
	profileNoPush(t, conn1, dispatch.ActionUserProfileSetNickname)

	if _, err := c1.UserProfileSetEmail(ctx(t), &pb.UserProfileSetEmail{Email: "sara@example.com"}); err != nil {
		t.Fatal(err)
	}
	if m := profilePush(t, conn2, dispatch.ActionUserProfileSetEmail).(*pb.UserProfileSetEmailResponse); m.Email != "sara@example.com" {
		t.Fatalf("email push: %v", m)
	}
	profileNoPush(t, conn1, dispatch.ActionUserProfileSetEmail)

	if _, err := c1.UserProfileSetGender(ctx(t), &pb.UserProfileSetGender{Gender: pb.Gender_MALE}); err != nil {
		t.Fatal(err)
	}
	if m := profilePush(t, conn2, dispatch.ActionUserProfileSetGender).(*pb.UserProfileSetGenderResponse); m.Gender != pb.Gender_MALE {
		t.Fatalf("gender push: %v", m)
	}
	profileNoPush(t, conn1, dispatch.ActionUserProfileSetGender)

	// Another user's sessions hear nothing of it.
	c3, conn3 := e.client()
	e.signUp(c3, 9121230004)
	if _, err := c1.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "Sara 2"}); err != nil {
		t.Fatal(err)
	}
	profilePush(t, conn2, dispatch.ActionUserProfileSetNickname)
	profileNoPush(t, conn3, dispatch.ActionUserProfileSetNickname)
}
