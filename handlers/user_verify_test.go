package handlers

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/storage"
)

func TestVerifyNewUserOnlyFirstTime(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	v, err := e.verify(r.Username, e.lastCode())
	wantOK(t, err)
	if !v.NewUser || v.Token == "" {
		t.Fatalf("first verification: %v, want a token and new_user", v)
	}

	// Registering the same phone again is a sign-in on another device.
	e.mustRegister(phoneIR, countryIR)
	v2, err := e.verify(r.Username, e.lastCode())
	wantOK(t, err)
	if v2.NewUser {
		t.Fatal("second verification of the same user says new_user")
	}
	if v2.Token == v.Token {
		t.Fatal("two devices got the same token")
	}
	e.read(func(tx *storage.Tx) error {
		u, err := tx.UserByID(int64(r.UserId))
		if err == nil && !u.Verified {
			t.Error("user not marked verified")
		}
		return err
	})
}

func TestVerifyCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	code := e.lastCode()
	_, err := e.verify(r.Username, code)
	wantOK(t, err)
	_, err = e.verify(r.Username, code)
	wantErr(t, err, errs.UserVerifyExpiredCode, 0)
}

func TestVerifyUsernameIgnoresCase(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	upper := []byte(r.Username)
	upper[0] -= 'a' - 'A'
	_, err := e.verify(string(upper), e.lastCode())
	wantOK(t, err)
}

func TestVerifyWrongCodeIsCounted(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	_, err := e.verify(r.Username, wrongCode(e.lastCode()))
	wantErr(t, err, errs.UserVerifyInvalidCode, 0)
	// The request failed, yet the guess must have been committed.
	e.read(func(tx *storage.Tx) error {
		vc, err := tx.VerifyCode(int64(r.UserId))
		if err == nil && vc.Attempts != 1 {
			t.Errorf("attempts %d after one wrong code, want 1", vc.Attempts)
		}
		return err
	})
	// A number with more digits than the code is wrong, not an error.
	_, err = e.verify(r.Username, 100000+e.lastCode())
	wantErr(t, err, errs.UserVerifyInvalidCode, 0)
	_, err = e.verify(r.Username, e.lastCode())
	wantOK(t, err)
}

func TestVerifyLeadingZeros(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	// Replace the random code with one that starts with zeros; the client
	// types "00427" and sends the number 427.
	e.write(func(tx *storage.Tx) error {
		id := int64(r.UserId)
		return tx.PutVerifyCode(id, hashCode(id, "00427"), e.clock.Now().Add(time.Minute).Unix())
	})
	_, err := e.verify(r.Username, 4270)
	wantErr(t, err, errs.UserVerifyInvalidCode, 0)
	_, err = e.verify(r.Username, 427)
	wantOK(t, err)
}

func TestVerifyExpired(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	e.clock.Advance(5*time.Minute - time.Second)
	_, err := e.verify(r.Username, wrongCode(e.lastCode()))
	wantErr(t, err, errs.UserVerifyInvalidCode, 0) // still live one second before
	e.clock.Advance(time.Second)
	_, err = e.verify(r.Username, e.lastCode())
	wantErr(t, err, errs.UserVerifyExpiredCode, 0)
}

func TestVerifyNoCode(t *testing.T) {
	e := newEnv(t)
	var id int64
	e.write(func(tx *storage.Tx) error {
		u, err := tx.CreateUser("+989120000000", countryIR, "nocode", e.clock.Now().Unix())
		id = u.ID
		return err
	})
	if id == 0 {
		t.Fatal("no user created")
	}
	_, err := e.verify("nocode", 12345)
	wantErr(t, err, errs.UserVerifyExpiredCode, 0)
}

func TestVerifyMaxTryLock(t *testing.T) {
	e := newEnv(t) // 5 tries, 10 minute lock
	r := e.mustRegister(phoneIR, countryIR)
	right := e.lastCode()
	wrong := wrongCode(right)
	for i := 1; i < 5; i++ {
		_, err := e.verify(r.Username, wrong)
		wantErr(t, err, errs.UserVerifyInvalidCode, 0)
	}
	_, err := e.verify(r.Username, wrong)
	if we := wantErr(t, err, errs.UserVerifyMaxTryLock, 0); we.Wait != 600 {
		t.Fatalf("wait %d at the lock, want 600", we.Wait)
	}
	// Even the right code is refused while locked, with the time left.
	e.clock.Advance(90 * time.Second)
	_, err = e.verify(r.Username, right)
	if we := wantErr(t, err, errs.UserVerifyMaxTryLock, 0); we.Wait != 510 {
		t.Fatalf("wait %d after 90s, want 510", we.Wait)
	}
	// Once the lock is over this code has expired too (5m < 10m).
	e.clock.Advance(510 * time.Second)
	_, err = e.verify(r.Username, right)
	wantErr(t, err, errs.UserVerifyExpiredCode, 0)
}

func TestVerifyLockOutlastsNewCode(t *testing.T) {
	// A short lock and a long lifetime: after the lock, one more wrong
	// guess locks again, because the count belongs to the code.
	e := newEnvWith(t, CodePolicy{MaxTries: 2, TryLock: time.Minute, Lifetime: time.Hour})
	r := e.mustRegister(phoneIR, countryIR)
	wrong := wrongCode(e.lastCode())
	e.verify(r.Username, wrong)
	_, err := e.verify(r.Username, wrong)
	wantErr(t, err, errs.UserVerifyMaxTryLock, 0)
	e.clock.Advance(time.Minute)
	_, err = e.verify(r.Username, wrong)
	wantErr(t, err, errs.UserVerifyMaxTryLock, 0)
	e.clock.Advance(time.Minute)
	_, err = e.verify(r.Username, e.lastCode())
	wantOK(t, err)
}

func TestVerifyUnknownUser(t *testing.T) {
	e := newEnv(t)
	_, err := e.verify("nobody", 12345)
	wantErr(t, err, errs.UserVerifyUserNotFound, 0)
}

func TestVerifyBlockedUser(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	e.block(r.UserId)
	_, err := e.verify(r.Username, e.lastCode())
	wantErr(t, err, errs.UserVerifyBlockedUser, 0)
}
