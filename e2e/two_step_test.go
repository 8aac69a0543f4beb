package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// setPassword gives the logged-in user of c a password.
func setPassword(t *testing.T, c *client.Client, req *pb.UserTwoStepVerificationSetPassword) *pb.UserTwoStepVerificationSetPasswordResponse {
	t.Helper()
	resp, err := c.UserTwoStepVerificationSetPassword(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// verifyAgain registers the phone again on a new connection and verifies
// its code: with a password the answer is 184 and the sign-in waits.
func (e *env) verifyAgain(t *testing.T, phone uint64) *client.Client {
	t.Helper()
	c, _ := e.client()
	reg, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: e.lastCode(reg.Username)})
	wantErr(t, err, errs.UserVerifyTwoStepVerificationEnabled, 0)
	return c
}

func TestTwoStepPasswordSignIn(t *testing.T) {
	e := start(t, nil)
	const phone = 9121700001
	c, _ := e.client()
	e.signUp(c, phone)

	// Without a password: nothing to check or show.
	_, err := c.UserTwoStepVerificationCheckPassword(ctx(t), &pb.UserTwoStepVerificationCheckPassword{Password: "x"})
	wantErr(t, err, errs.UserTwoStepVerificationCheckPasswordNoPassword, 1)
	_, err = c.UserTwoStepVerificationGetPasswordDetail(ctx(t), &pb.UserTwoStepVerificationGetPasswordDetail{})
	wantErr(t, err, errs.UserTwoStepVerificationGetPasswordDetailNoPassword, 0)
	_, err = c.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "x"})
	wantErr(t, err, errs.UserTwoStepVerificationUnsetPasswordInvalidPassword, 1)
	// A question without its answer.
	_, err = c.UserTwoStepVerificationSetPassword(ctx(t), &pb.UserTwoStepVerificationSetPassword{NewPassword: "p", QuestionOne: "Pet?"})
	wantErr(t, err, errs.UserTwoStepVerificationSetPasswordBadPayload, errs.UserTwoStepVerificationSetPasswordBadPayloadAnswerOne)

	resp := setPassword(t, c, &pb.UserTwoStepVerificationSetPassword{NewPassword: "correct horse", Hint: "stable",
		QuestionOne: "Pet?", AnswerOne: "Rex", QuestionTwo: "City?", AnswerTwo: "Tabriz", RecoveryEmail: "someone@example.org"})
	if resp.UnconfirmedEmailPattern != "s******@example.org" {
		t.Errorf("unconfirmed pattern %q", resp.UnconfirmedEmailPattern)
	}
	if _, err := c.UserTwoStepVerificationCheckPassword(ctx(t), &pb.UserTwoStepVerificationCheckPassword{Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UserTwoStepVerificationCheckPassword(ctx(t), &pb.UserTwoStepVerificationCheckPassword{Password: "wrong"})
	wantErr(t, err, errs.UserTwoStepVerificationCheckPasswordInvalidPassword, 0)
	// A change needs the old password.
	_, err = c.UserTwoStepVerificationSetPassword(ctx(t), &pb.UserTwoStepVerificationSetPassword{OldPassword: "wrong", NewPassword: "n"})
	wantErr(t, err, errs.UserTwoStepVerificationSetPasswordInvalidOldPassword, 0)

	// Signing in again: 184, then the details and the password.
	d := e.verifyAgain(t, phone)
	_, err = d.UserTwoStepVerificationCheckPassword(ctx(t), &pb.UserTwoStepVerificationCheckPassword{Password: "x"})
	wantErr(t, err, 2, 1) // still not logged in
	det, err := d.UserTwoStepVerificationGetPasswordDetail(ctx(t), &pb.UserTwoStepVerificationGetPasswordDetail{})
	if err != nil {
		t.Fatal(err)
	}
	if det.Hint != "stable" || det.QuestionOne != "Pet?" || det.QuestionTwo != "City?" || det.HasConfirmedRecoveryEmail || det.UnconfirmedEmailPattern == "" {
		t.Errorf("detail %+v", det)
	}
	_, err = d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "wrong"})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordInvalidPassword, 0)
	v, err := d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UserLogin(ctx(t), &pb.UserLogin{Token: v.Token}); err != nil {
		t.Fatal(err)
	}
	// The sign-in is spent.
	_, err = d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "correct horse"})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordForbidden, 0)

	// Unset: wrong password refused, then gone, and UserVerify gives a token again.
	_, err = d.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "wrong"})
	wantErr(t, err, errs.UserTwoStepVerificationUnsetPasswordInvalidPassword, 1)
	if _, err := d.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	f, _ := e.client()
	e.signUp(f, phone)
}

func TestTwoStepBeforeSignIn(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.UserTwoStepVerificationGetPasswordDetail(ctx(t), &pb.UserTwoStepVerificationGetPasswordDetail{})
	wantErr(t, err, errs.UserTwoStepVerificationGetPasswordDetailForbidden, 0)
	_, err = c.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "x"})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordForbidden, 0)

	// The password was removed while the sign-in waited: 193.
	const phone = 9121700002
	a, _ := e.client()
	e.signUp(a, phone)
	setPassword(t, a, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw"})
	d := e.verifyAgain(t, phone)
	if _, err := a.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	_, err = d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "pw"})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordNoPassword, 0)
}

// Wrong passwords lock the source with a wait, as wrong codes do; each
// password action answers its own MAX_TRY_LOCK.
func TestTwoStepPasswordLock(t *testing.T) {
	e := start(t, nil)
	const phone = 9121700003
	a, _ := e.client()
	e.signUp(a, phone)
	setPassword(t, a, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw"})
	d := e.verifyAgain(t, phone)
	for i := 0; i < 4; i++ {
		_, err := d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "no"})
		wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordInvalidPassword, 0)
	}
	_, err := d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "no"})
	if we := wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordMaxTryLock, 0); we.Wait != 600 {
		t.Fatalf("191 wait = %d, want 600", we.Wait)
	}
	// Locked: even the right password waits, and so does every password action from here.
	_, err = d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "pw"})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyPasswordMaxTryLock, 0)
	_, err = a.UserTwoStepVerificationCheckPassword(ctx(t), &pb.UserTwoStepVerificationCheckPassword{Password: "pw"})
	wantErr(t, err, errs.UserTwoStepVerificationCheckPasswordMaxTryLock, 0)
	_, err = a.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "pw"})
	wantErr(t, err, errs.UserTwoStepVerificationUnsetPasswordMaxTryLock, 0)
	_, err = a.UserTwoStepVerificationSetPassword(ctx(t), &pb.UserTwoStepVerificationSetPassword{OldPassword: "pw", NewPassword: "n"})
	wantErr(t, err, errs.UserTwoStepVerificationSetPasswordMaxTryLock, 0)
	// After the wait the right password signs in.
	e.clock.Add(601e9)
	if _, err := d.UserTwoStepVerificationVerifyPassword(ctx(t), &pb.UserTwoStepVerificationVerifyPassword{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
}
