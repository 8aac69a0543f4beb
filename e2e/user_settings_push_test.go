package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
)

// Settings a user changes on one device reach the user's other devices as
// pushes (the acting session gets only its answer): the self-removal
// period and each two-step verification change.
func TestUserSettingsPushToOtherSessions(t *testing.T) {
	e := start(t, nil)
	const phone = 9121260001
	a := chatSignUp(e, phone)
	b := chatSecondSession(e, a)

	if _, err := a.c.UserProfileSetSelfRemove(ctx(t), &pb.UserProfileSetSelfRemove{SelfRemove: 6}); err != nil {
		t.Fatal(err)
	}
	if p := profilePush(t, b.conn, dispatch.ActionUserProfileSetSelfRemove).(*pb.UserProfileSetSelfRemoveResponse); p.SelfRemove != 6 {
		t.Fatalf("self-remove push %v", p)
	}
	profileNoPush(t, a.conn, dispatch.ActionUserProfileSetSelfRemove)

	if _, err := a.c.UserTwoStepVerificationSetPassword(ctx(t), &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw", Hint: "h"}); err != nil {
		t.Fatal(err)
	}
	profilePush(t, b.conn, dispatch.ActionUserTwoStepVerificationSetPassword)
	if _, err := a.c.UserTwoStepVerificationChangeHint(ctx(t), &pb.UserTwoStepVerificationChangeHint{Password: "pw", Hint: "new hint"}); err != nil {
		t.Fatal(err)
	}
	profilePush(t, b.conn, dispatch.ActionUserTwoStepVerificationChangeHint)
	if _, err := a.c.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	profilePush(t, b.conn, dispatch.ActionUserTwoStepVerificationUnsetPassword)
	profileNoPush(t, a.conn, dispatch.ActionUserTwoStepVerificationUnsetPassword)
}
