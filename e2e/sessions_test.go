package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wsclient"
)

// sessionEnded asserts conn was sent SESSION_IS_TERMINATED and then closed.
func sessionEnded(t *testing.T, conn *wsclient.Conn) {
	t.Helper()
	er := nextPush(t, conn, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
	if er.MajorCode != uint32(errs.SessionIsTerminated) {
		t.Fatalf("ended session got %v", er)
	}
	select {
	case <-conn.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the ended session's connection was not closed")
	}
}

func TestSessionsListTerminateLogout(t *testing.T) {
	e := start(t, nil)
	const phone = 9121250001
	c1, _ := e.client()
	e.signUp(c1, phone)
	c2, conn2 := e.client()
	_, token2 := e.signUp(c2, phone)
	if _, err := c2.UserLogin(ctx(t), &pb.UserLogin{Token: token2, AppName: "iGap", Platform: pb.Platform_ANDROID,
		Device: pb.Device_MOBILE, DeviceName: "Pixel"}); err != nil {
		t.Fatal(err)
	}

	list, err := c1.UserSessionGetActiveList(ctx(t), &pb.UserSessionGetActiveList{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Session) != 2 {
		t.Fatalf("%d sessions, want 2: %v", len(list.Session), list.Session)
	}
	var other *pb.UserSessionGetActiveListResponse_Session
	current := 0
	for _, s := range list.Session {
		if s.Current {
			current++
		} else {
			other = s
		}
		if s.Ip != "127.0.0.1" || s.CreateTime == 0 || s.ActiveTime == 0 {
			t.Errorf("session %v lacks its address or times", s)
		}
	}
	if current != 1 || other.AppName != "iGap" || other.Platform != pb.Platform_ANDROID ||
		other.Device != pb.Device_MOBILE || other.DeviceName != "Pixel" {
		t.Fatalf("sessions %v", list.Session)
	}
	for _, s := range list.Session {
		if s.Current {
			_, err = c1.UserSessionTerminate(ctx(t), &pb.UserSessionTerminate{SessionId: s.SessionId})
			wantErr(t, err, errs.UserSessionTerminateForbidden, 0)
		}
	}
	_, err = c1.UserSessionTerminate(ctx(t), &pb.UserSessionTerminate{SessionId: other.SessionId + 100})
	wantErr(t, err, errs.UserSessionTerminateBadPayload, errs.UserSessionTerminateBadPayloadInvalidSessionId)

	// Another user cannot end this user's session.
	c3, _ := e.client()
	e.signUp(c3, 9121250002)
	_, err = c3.UserSessionTerminate(ctx(t), &pb.UserSessionTerminate{SessionId: other.SessionId})
	wantErr(t, err, errs.UserSessionTerminateBadPayload, errs.UserSessionTerminateBadPayloadInvalidSessionId)

	if _, err := c1.UserSessionTerminate(ctx(t), &pb.UserSessionTerminate{SessionId: other.SessionId}); err != nil {
		t.Fatal(err)
	}
	sessionEnded(t, conn2)
	c4, _ := e.client()
	_, err = c4.UserLogin(ctx(t), &pb.UserLogin{Token: token2})
	wantErr(t, err, errs.UserLoginFailed, 0)
	if list, err = c1.UserSessionGetActiveList(ctx(t), &pb.UserSessionGetActiveList{}); err != nil || len(list.Session) != 1 {
		t.Fatalf("after terminate: %v, %v", list, err)
	}

	// Logging out answers first, then ends the connection and the token.
	c5, conn5 := e.client()
	_, token5 := e.signUp(c5, phone)
	if _, err := c5.UserSessionLogout(ctx(t), &pb.UserSessionLogout{}); err != nil {
		t.Fatal(err)
	}
	sessionEnded(t, conn5)
	c6, _ := e.client()
	_, err = c6.UserLogin(ctx(t), &pb.UserLogin{Token: token5})
	wantErr(t, err, errs.UserLoginFailed, 0)
}

// A token unused for -session-idle no longer logs in: the flag, as the
// operator gives it, reaches the handlers through app.
func TestSessionIdleExpiry(t *testing.T) {
	flags, err := config.Load([]string{"-session-idle", "1d"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Handlers.SessionIdle = flags.Handlers.SessionIdle })
	c, _ := e.client()
	_, token := e.signUp(c, 9121250003)
	e.clock.Add(23 * time.Hour)
	c2, _ := e.client()
	if _, err := c2.UserLogin(ctx(t), &pb.UserLogin{Token: token}); err != nil {
		t.Fatalf("a token used within the idle time: %v", err)
	}
	e.clock.Add(25 * time.Hour)
	c3, _ := e.client()
	_, err = c3.UserLogin(ctx(t), &pb.UserLogin{Token: token})
	wantErr(t, err, errs.UserLoginFailed, 0)
}
