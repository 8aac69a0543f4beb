package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// startMail runs gapd with -email-sender file:PATH and returns PATH.
func startMail(t *testing.T) (*env, string) {
	t.Helper()
	mail := filepath.Join(t.TempDir(), "mail.jsonl")
	return startWith(t, []string{"-email-sender", "file:" + mail}, nil), mail
}

// lastMail reads the newest token the e-mail sender wrote to addr for
// purpose, and how many it wrote in all.
func lastMail(t *testing.T, path, addr, purpose string) (string, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var token string
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v struct{ Email, Purpose, Token, Time string }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("e-mail line %q: %v", sc.Text(), err)
		}
		if v.Email == addr && v.Purpose == purpose {
			token, n = v.Token, n+1
		}
		if v.Time == "" {
			t.Errorf("e-mail line without time: %q", sc.Text())
		}
	}
	if token == "" {
		t.Fatalf("no %s e-mail to %s", purpose, addr)
	}
	return token, n
}

func TestTwoStepRecoveryEmail(t *testing.T) {
	e, mail := startMail(t)
	const phone = 9121700011
	c, _ := e.client()
	e.signUp(c, phone)

	// Without a password.
	_, err := c.UserTwoStepVerificationVerifyRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationVerifyRecoveryEmail{Token: "AAAA"})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyRecoveryEmailNoPassword, 0)
	_, err = c.UserTwoStepVerificationChangeRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryEmail{Password: "pw", Email: "a@example.org"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryEmailNoPassword, 0)
	_, err = c.UserTwoStepVerificationResendVerifyEmail(ctx(t), &pb.UserTwoStepVerificationResendVerifyEmail{})
	wantErr(t, err, errs.UserTwoStepVerificationResendVerifyEmailNoPassword, 0)

	setPassword(t, c, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw"})
	_, err = c.UserTwoStepVerificationResendVerifyEmail(ctx(t), &pb.UserTwoStepVerificationResendVerifyEmail{})
	wantErr(t, err, errs.UserTwoStepVerificationResendVerifyEmailNoUnconfirmedRecoveryEmail, 0)
	_, err = c.UserTwoStepVerificationChangeRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryEmail{Password: "no", Email: "a@example.org"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryEmailInvalidPassword, 0)
	ch, err := c.UserTwoStepVerificationChangeRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryEmail{Password: "pw", Email: "alice@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if ch.UnconfirmedEmailPattern != "a****@example.org" {
		t.Errorf("pattern %q", ch.UnconfirmedEmailPattern)
	}
	first, _ := lastMail(t, mail, "alice@example.org", "confirm")
	// A resend replaces the token.
	if r, err := c.UserTwoStepVerificationResendVerifyEmail(ctx(t), &pb.UserTwoStepVerificationResendVerifyEmail{}); err != nil || r.UnconfirmedEmailPattern != "a****@example.org" {
		t.Fatalf("resend: %v, %v", r, err)
	}
	token, n := lastMail(t, mail, "alice@example.org", "confirm")
	if n != 2 || token == first {
		t.Fatalf("resend: %d e-mails, token %q after %q", n, token, first)
	}
	_, err = c.UserTwoStepVerificationVerifyRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationVerifyRecoveryEmail{Token: first})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyRecoveryEmailInvalidToken, 0)
	if _, err := c.UserTwoStepVerificationVerifyRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationVerifyRecoveryEmail{Token: token}); err != nil {
		t.Fatal(err)
	}
	det, err := c.UserTwoStepVerificationGetPasswordDetail(ctx(t), &pb.UserTwoStepVerificationGetPasswordDetail{})
	if err != nil || !det.HasConfirmedRecoveryEmail || det.UnconfirmedEmailPattern != "" {
		t.Fatalf("detail %+v, %v", det, err)
	}
	_, err = c.UserTwoStepVerificationChangeRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryEmail{Password: "pw", Email: "alice@example.org"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryEmailConfirmedBefore, 0)

	// A new address, whose token expires.
	if _, err := c.UserTwoStepVerificationChangeRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryEmail{Password: "pw", Email: "bob@example.org"}); err != nil {
		t.Fatal(err)
	}
	late, _ := lastMail(t, mail, "bob@example.org", "confirm")
	e.clock.Add(25 * time.Hour)
	_, err = c.UserTwoStepVerificationVerifyRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationVerifyRecoveryEmail{Token: late})
	wantErr(t, err, errs.UserTwoStepVerificationVerifyRecoveryEmailExpiredToken, 0)

	// Wrong tokens lock, with a wait.
	var last error
	for i := 0; i < 5; i++ {
		_, last = c.UserTwoStepVerificationVerifyRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationVerifyRecoveryEmail{Token: "WRONG"})
	}
	if we := wantErr(t, last, errs.UserTwoStepVerificationVerifyRecoveryEmailMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10110 without wait")
	}
	// Wrong passwords lock 137 too.
	for i := 0; i < 5; i++ {
		_, last = c.UserTwoStepVerificationChangeRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryEmail{Password: "no", Email: "x@example.org"})
	}
	if we := wantErr(t, last, errs.UserTwoStepVerificationChangeRecoveryEmailMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10116 without wait")
	}
	// At most 5 e-mails an hour (bob's first is a day old): 5 resends, then 10.
	for i := 0; i < 5; i++ {
		if _, err := c.UserTwoStepVerificationResendVerifyEmail(ctx(t), &pb.UserTwoStepVerificationResendVerifyEmail{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.UserTwoStepVerificationResendVerifyEmail(ctx(t), &pb.UserTwoStepVerificationResendVerifyEmail{})
	if we := wantErr(t, err, errs.FloodRequest, 0); we.Wait != 3600 {
		t.Fatalf("resend flood wait %d", we.Wait)
	}
}

func TestTwoStepRecoverByToken(t *testing.T) {
	e, mail := startMail(t)
	c, _ := e.client()
	_, err := c.UserTwoStepVerificationRequestRecoveryToken(ctx(t), &pb.UserTwoStepVerificationRequestRecoveryToken{})
	wantErr(t, err, errs.UserTwoStepVerificationRequestRecoveryTokenForbidden, 0)
	_, err = c.UserTwoStepVerificationRecoverPasswordByToken(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByToken{Token: "AAAA"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByTokenForbidden, 0)

	const phone = 9121700012
	e.signUp(c, phone)
	setPassword(t, c, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw", RecoveryEmail: "carol@example.org"})

	// No confirmed address yet: 10123.
	d := e.verifyAgain(t, phone)
	_, err = d.UserTwoStepVerificationRequestRecoveryToken(ctx(t), &pb.UserTwoStepVerificationRequestRecoveryToken{})
	wantErr(t, err, errs.UserTwoStepVerificationRequestRecoveryTokenNoRecoveryEmail, 0)
	confirm, _ := lastMail(t, mail, "carol@example.org", "confirm")
	if _, err := c.UserTwoStepVerificationVerifyRecoveryEmail(ctx(t), &pb.UserTwoStepVerificationVerifyRecoveryEmail{Token: confirm}); err != nil {
		t.Fatal(err)
	}
	_, err = d.UserTwoStepVerificationRecoverPasswordByToken(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByToken{Token: "AAAA"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByTokenInvalidToken, 0)

	r, err := d.UserTwoStepVerificationRequestRecoveryToken(ctx(t), &pb.UserTwoStepVerificationRequestRecoveryToken{})
	if err != nil {
		t.Fatal(err)
	}
	if r.EmailPattern != "c****@example.org" {
		t.Errorf("pattern %q", r.EmailPattern)
	}
	old, _ := lastMail(t, mail, "carol@example.org", "recover")
	e.clock.Add(61 * time.Minute)
	_, err = d.UserTwoStepVerificationRecoverPasswordByToken(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByToken{Token: old})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByTokenExpiredToken, 0)

	// The e-mail budget: 5 an hour (a fresh hour now).
	for i := 0; i < 5; i++ {
		if _, err := d.UserTwoStepVerificationRequestRecoveryToken(ctx(t), &pb.UserTwoStepVerificationRequestRecoveryToken{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = d.UserTwoStepVerificationRequestRecoveryToken(ctx(t), &pb.UserTwoStepVerificationRequestRecoveryToken{})
	if we := wantErr(t, err, errs.UserTwoStepVerificationRequestRecoveryTokenMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10124 without wait")
	}
	token, _ := lastMail(t, mail, "carol@example.org", "recover")
	v, err := d.UserTwoStepVerificationRecoverPasswordByToken(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByToken{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UserLogin(ctx(t), &pb.UserLogin{Token: v.Token}); err != nil {
		t.Fatal(err)
	}
	// The password is gone.
	_, err = d.UserTwoStepVerificationCheckPassword(ctx(t), &pb.UserTwoStepVerificationCheckPassword{Password: "pw"})
	wantErr(t, err, errs.UserTwoStepVerificationCheckPasswordNoPassword, 1)
}

// 10130: the password went while the sign-in waited; 10122 likewise; 10127:
// wrong recovery tokens lock.
func TestTwoStepRecoverByTokenRefusals(t *testing.T) {
	e, _ := startMail(t)
	const phone = 9121700013
	a, _ := e.client()
	e.signUp(a, phone)
	setPassword(t, a, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw"})
	d := e.verifyAgain(t, phone)
	var last error
	for i := 0; i < 5; i++ {
		_, last = d.UserTwoStepVerificationRecoverPasswordByToken(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByToken{Token: "WRONG"})
	}
	if we := wantErr(t, last, errs.UserTwoStepVerificationRecoverPasswordByTokenMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10127 without wait")
	}
	if _, err := a.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	_, err := d.UserTwoStepVerificationRecoverPasswordByToken(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByToken{Token: "WRONG"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByTokenNoPassword, 0)
	_, err = d.UserTwoStepVerificationRequestRecoveryToken(ctx(t), &pb.UserTwoStepVerificationRequestRecoveryToken{})
	wantErr(t, err, errs.UserTwoStepVerificationRequestRecoveryTokenNoPassword, 0)
}
