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
		u, err := tx.UserByID(storage.UserID(r.UserId))
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
		src, account, err := tx.VerifyGuards(storage.UserID(r.UserId), "192.0.2.7")
		if err == nil && (src.Failures != 1 || account.Failures != 1) {
			t.Errorf("failures %d (source), %d (account) after one wrong code, want 1", src.Failures, account.Failures)
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
		id := storage.UserID(r.UserId)
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
	var id storage.UserID
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

func TestVerifyLocksGrowAndOutlastNewCodes(t *testing.T) {
	e := newEnvWith(t, CodePolicy{MaxTries: 2, TryLock: time.Minute, Lifetime: time.Hour})
	r := e.mustRegister(phoneIR, countryIR)
	wrong := wrongCode(e.lastCode())
	wantErr(t, second(e.verify(r.Username, wrong)), errs.UserVerifyInvalidCode, 0)
	// A new code does not forgive the wrong guess before it.
	e.mustRegister(phoneIR, countryIR)
	wrong = wrongCode(e.lastCode())
	if we := wantErr(t, second(e.verify(r.Username, wrong)), errs.UserVerifyMaxTryLock, 0); we.Wait != 60 {
		t.Fatalf("first lock %ds, want 60", we.Wait)
	}
	e.clock.Advance(time.Minute)
	wantErr(t, second(e.verify(r.Username, wrong)), errs.UserVerifyInvalidCode, 0)
	if we := wantErr(t, second(e.verify(r.Username, wrong)), errs.UserVerifyMaxTryLock, 0); we.Wait != 120 {
		t.Fatalf("second lock %ds, want 120 (twice the first)", we.Wait)
	}
	e.clock.Advance(2 * time.Minute)
	wantOK(t, second(e.verify(r.Username, e.lastCode())))
}

// One source's wrong guesses lock that source out, not the owner guessing
// from elsewhere; only the account's daily ceiling locks everyone.
func TestVerifyLockIsPerSource(t *testing.T) {
	e := newEnvWith(t, CodePolicy{MaxTries: 2, DailyFailures: 6, Lifetime: time.Hour})
	r := e.mustRegister(phoneIR, countryIR)
	right := e.lastCode()
	wrong := wrongCode(right)
	for i := 0; i < 2; i++ {
		e.verifyFrom("198.51.100.1:1", r.Username, wrong)
	}
	wantErr(t, second(e.verifyFrom("198.51.100.1:2", r.Username, right)), errs.UserVerifyMaxTryLock, 0)
	// Four more sources, two wrong guesses each: the sixth failure of the
	// day locks the account for everybody until the day is over.
	for _, ip := range []string{"198.51.100.2", "198.51.100.3"} {
		for i := 0; i < 2; i++ {
			e.verifyFrom(ip+":1", r.Username, wrong)
		}
	}
	we := wantErr(t, second(e.verify(r.Username, right)), errs.UserVerifyMaxTryLock, 0)
	if we.Wait != 24*60*60 {
		t.Fatalf("account lock %ds, want a day", we.Wait)
	}
	e.clock.Advance(24 * time.Hour)
	e.mustRegister(phoneIR, countryIR)
	wantOK(t, second(e.verify(r.Username, e.lastCode())))
}

func TestVerifyOwnerUnaffectedByStranger(t *testing.T) {
	e := newEnvWith(t, CodePolicy{MaxTries: 2, Lifetime: time.Hour})
	r := e.mustRegister(phoneIR, countryIR)
	right := e.lastCode()
	for i := 0; i < 10; i++ {
		e.verifyFrom("203.0.113.9:1", r.Username, wrongCode(right))
	}
	wantOK(t, second(e.verify(r.Username, right)))
}

func second[T any](_ T, err error) error { return err }

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
