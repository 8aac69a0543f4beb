package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/storage"
)

const phone = 9123456789

func TestSignUpAndLogin(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	reg, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	if reg.UserId == 0 || reg.Username == "" || reg.VerifyCodeDigitCount == 0 || reg.VerifyCodeRegex == "" {
		t.Fatalf("incomplete UserRegisterResponse: %v", reg)
	}
	v, err := c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: e.lastCode(reg.Username)})
	if err != nil {
		t.Fatal(err)
	}
	if !v.NewUser || len(v.Token) < 40 {
		t.Fatalf("first verification: new_user %v, token %q", v.NewUser, v.Token)
	}
	// Before login, an action that needs it gets 2, with minor 1: Android
	// logs in again only on that minor.
	_, err = c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{})
	wantErr(t, err, errs.LoginRequired, 1)
	if _, err := c.UserLogin(ctx(t), &pb.UserLogin{Token: v.Token, AppName: "e2e", Platform: pb.Platform_LINUX}); err != nil {
		t.Fatal(err)
	}

	// Registering the same phone again signs in the same user; new_user is false.
	c2, _ := e.client()
	again, err := c2.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	if again.UserId != reg.UserId || again.Username != reg.Username {
		t.Fatalf("same phone gave user %d %s, first %d %s", again.UserId, again.Username, reg.UserId, reg.Username)
	}
	v2, err := c2.UserVerify(ctx(t), &pb.UserVerify{Username: again.Username, Code: e.lastCode(again.Username)})
	if err != nil {
		t.Fatal(err)
	}
	if v2.NewUser || v2.Token == v.Token {
		t.Fatalf("second verification: new_user %v, same token %v", v2.NewUser, v2.Token == v.Token)
	}
}

func TestRegisterErrors(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Handlers.Codes = handlers.CodePolicy{MaxSends: 2} })
	c, _ := e.client()
	_, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "XX"})
	wantErr(t, err, errs.UserRegisterBadPayload, errs.UserRegisterBadPayloadInvalidCountryCode)
	_, err = c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 12, CountryCode: "IR"})
	wantErr(t, err, errs.UserRegisterBadPayload, errs.UserRegisterBadPayloadInvalidPhoneNumber)

	// 137: the third code in the window is refused, with the wait until the
	// oldest send leaves the window.
	for i := 0; i < 2; i++ {
		if _, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Add(10 * time.Minute)
	_, err = c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	we := wantErr(t, err, errs.UserRegisterMaxSendLock, 0)
	if we.Wait != uint32((50 * time.Minute).Seconds()) {
		t.Fatalf("137 wait = %d, want %d", we.Wait, uint32((50 * time.Minute).Seconds()))
	}
}

func TestVerifyErrors(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.UserVerify(ctx(t), &pb.UserVerify{Username: "alice_1", Code: 0})
	wantErr(t, err, errs.UserVerifyBadPayload, errs.UserVerifyBadPayloadInvalidCode)
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: "no spaces", Code: 123})
	wantErr(t, err, errs.UserVerifyBadPayload, errs.UserVerifyBadPayloadInvalidUsername)
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: "nobody_here", Code: 123})
	wantErr(t, err, errs.UserVerifyUserNotFound, 0)

	reg, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	good := e.lastCode(reg.Username)
	wrong := good%99999 + 1
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: wrong})
	wantErr(t, err, errs.UserVerifyInvalidCode, 0)

	// 107: the code expires.
	e.clock.Add(6 * time.Minute)
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: good})
	wantErr(t, err, errs.UserVerifyExpiredCode, 0)

	// 108: too many wrong codes lock the code, with a wait; 136 while locked.
	if _, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"}); err != nil {
		t.Fatal(err)
	}
	good = e.lastCode(reg.Username)
	wrong = good%99999 + 1
	var last error
	for i := 0; i < 5; i++ {
		_, last = c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: wrong})
	}
	if we := wantErr(t, last, errs.UserVerifyMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("108 without a wait")
	}
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: good})
	wantErr(t, err, errs.UserVerifyMaxTryLock, 0)
	_, err = c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if we := wantErr(t, err, errs.UserRegisterMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("136 without a wait")
	}
}

func TestBlockedUser(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	reg, token := e.signUp(c, phone)
	if err := e.app.DB.Write(context.Background(), func(tx *storage.Tx) error {
		return tx.SetBlocked(storage.UserID(reg.UserId), true)
	}); err != nil {
		t.Fatal(err)
	}
	c2, _ := e.client()
	_, err := c2.UserLogin(ctx(t), &pb.UserLogin{Token: token})
	wantErr(t, err, errs.UserLoginFailed, errs.UserLoginFailedUserBlocked)
	_, err = c2.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	wantErr(t, err, errs.UserRegisterBlockedUser, 0)
	_, err = c2.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: 12345})
	wantErr(t, err, errs.UserVerifyBlockedUser, 0)
}

func TestLoginErrors(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.UserLogin(ctx(t), &pb.UserLogin{Token: ""})
	wantErr(t, err, errs.UserLoginBadPayload, errs.UserLoginBadPayloadInvalidToken)
	_, err = c.UserLogin(ctx(t), &pb.UserLogin{Token: "bad token"})
	wantErr(t, err, errs.UserLoginBadPayload, errs.UserLoginBadPayloadInvalidToken)
	_, err = c.UserLogin(ctx(t), &pb.UserLogin{Token: "a-token-nobody-was-given"})
	wantErr(t, err, errs.UserLoginFailed, 0)
}

// TestInternalErrors closes the database under the running server: each
// action answers with its own INTERNAL_SERVER_ERROR code and nothing crashes.
func TestInternalErrors(t *testing.T) {
	e := start(t, nil)
	c, conn := e.client()
	if err := e.nodeOf(conn).DB.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	wantErr(t, err, errs.UserRegisterInternalServerError, 0)
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: "alice_1", Code: 123})
	wantErr(t, err, errs.UserVerifyInternalServerError, 0)
	_, err = c.UserLogin(ctx(t), &pb.UserLogin{Token: "tok123"})
	wantErr(t, err, errs.UserLoginInternalServerError, 0)
}
