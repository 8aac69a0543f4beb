package handlers

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire/check"
)

func TestRegisterNewPhone(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)

	if r.UserId == 0 || !check.Username(r.Username) {
		t.Fatalf("user_id %d, username %q: want an id and a valid username", r.UserId, r.Username)
	}
	if r.Method != pb.UserRegisterResponse_VERIFY_CODE_SMS || r.ResendDelay != 60 ||
		r.VerifyCodeRegex != "^[0-9]{5}$" || r.VerifyCodeDigitCount != 5 {
		t.Fatalf("response %v: want SMS, resend 60, regex for 5 digits", r)
	}

	c := e.sent.last(t)
	if c.Phone != e164IR || c.Username != r.Username || !c.Time.Equal(e.clock.Now()) {
		t.Fatalf("sent %+v: want phone %s, username %s, time %v", c, e164IR, r.Username, e.clock.Now())
	}
	if !regexp.MustCompile(r.VerifyCodeRegex).MatchString(c.Code) {
		t.Fatalf("code %q does not match the advertised %s", c.Code, r.VerifyCodeRegex)
	}

	e.read(func(tx *storage.Tx) error {
		u, err := tx.UserByPhone(e164IR)
		if err != nil {
			return err
		}
		if uint64(u.ID) != r.UserId || u.Username != r.Username || u.Country != countryIR || u.Verified {
			t.Errorf("stored user %+v does not match the response %v", u, r)
		}
		vc, err := tx.VerifyCode(u.ID)
		if err != nil {
			return err
		}
		if string(vc.CodeHash) == c.Code || string(vc.CodeHash) != string(hashCode(u.ID, c.Code)) {
			t.Errorf("stored code must be the hash of the sent code")
		}
		if vc.ExpiresAt != e.clock.Now().Add(5*time.Minute).Unix() {
			t.Errorf("expires_at %d, want now+5m", vc.ExpiresAt)
		}
		return nil
	})
}

func TestRegisterLowerCaseCountry(t *testing.T) {
	e := newEnv(t)
	a := e.mustRegister(phoneIR, "ir")
	b := e.mustRegister(phoneIR, countryIR)
	if a.UserId != b.UserId {
		t.Fatalf("same number with country ir and IR gave users %d and %d", a.UserId, b.UserId)
	}
}

func TestRegisterExistingPhoneIsSameUser(t *testing.T) {
	e := newEnv(t)
	first := e.mustRegister(phoneIR, countryIR)
	again := e.mustRegister(phoneIR, countryIR)
	if again.UserId != first.UserId || again.Username != first.Username {
		t.Fatalf("second registration gave %d/%s, want %d/%s", again.UserId, again.Username, first.UserId, first.Username)
	}
	if e.sent.count() != 2 {
		t.Fatalf("sent %d codes, want one per registration", e.sent.count())
	}
	other := e.mustRegister(phoneIR2, countryIR)
	if other.UserId == first.UserId || other.Username == first.Username {
		t.Fatalf("another phone got the same user")
	}
}

func TestRegisterReplacesCode(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	old := e.lastCode()
	for range 3 { // until the new code differs; equal draws are 1 in 10^5
		e.mustRegister(phoneIR, countryIR)
		if e.lastCode() != old {
			break
		}
	}
	if e.lastCode() == old {
		t.Skip("drew the same code repeatedly")
	}
	_, err := e.verify(r.Username, old)
	wantErr(t, err, errs.UserVerifyInvalidCode, 0)
	_, err = e.verify(r.Username, e.lastCode())
	wantOK(t, err)
}

func TestRegisterCodesAreRandom(t *testing.T) {
	e := newEnv(t)
	codes := map[string]bool{}
	for i := range 10 {
		e.mustRegister(phoneIR+uint64(i), countryIR)
		codes[e.sent.last(t).Code] = true
	}
	// Ten draws from 99999 values all equal has probability 1e-45; a fixed
	// or per-process constant code fails here.
	if len(codes) < 2 {
		t.Fatalf("ten registrations produced the codes %v", codes)
	}
}

func TestRegisterBlockedUser(t *testing.T) {
	e := newEnv(t)
	r := e.mustRegister(phoneIR, countryIR)
	e.block(r.UserId)
	n := e.sent.count()
	_, err := e.register(phoneIR, countryIR)
	wantErr(t, err, errs.UserRegisterBlockedUser, 0)
	if e.sent.count() != n {
		t.Fatal("a blocked user was sent a code")
	}
}

func TestRegisterMaxSendLock(t *testing.T) {
	e := newEnv(t) // 5 sends per hour
	for range 5 {
		e.mustRegister(phoneIR, countryIR)
		e.clock.Advance(10 * time.Minute)
	}
	// The first send was 50 minutes ago: it leaves the window in 10.
	_, err := e.register(phoneIR, countryIR)
	if we := wantErr(t, err, errs.UserRegisterMaxSendLock, 0); we.Wait != 600 {
		t.Fatalf("wait %d, want 600", we.Wait)
	}
	if e.sent.count() != 5 {
		t.Fatalf("sent %d codes, want 5", e.sent.count())
	}
	// Another user is not affected.
	e.mustRegister(phoneIR2, countryIR)

	e.clock.Advance(599 * time.Second)
	_, err = e.register(phoneIR, countryIR)
	if we := wantErr(t, err, errs.UserRegisterMaxSendLock, 0); we.Wait != 1 {
		t.Fatalf("wait %d one second before the slot frees, want 1", we.Wait)
	}
	e.clock.Advance(time.Second)
	e.mustRegister(phoneIR, countryIR)
	// The slot just taken fills the window again until the second send ages out.
	_, err = e.register(phoneIR, countryIR)
	if we := wantErr(t, err, errs.UserRegisterMaxSendLock, 0); we.Wait != 600 {
		t.Fatalf("wait %d, want 600", we.Wait)
	}
}

func TestRegisterDuringTryLock(t *testing.T) {
	e := newEnvWith(t, CodePolicy{MaxTries: 2, TryLock: 10 * time.Minute})
	r := e.mustRegister(phoneIR, countryIR)
	wrong := wrongCode(e.lastCode())
	e.verify(r.Username, wrong)
	_, err := e.verify(r.Username, wrong)
	wantErr(t, err, errs.UserVerifyMaxTryLock, 0)

	e.clock.Advance(4 * time.Minute)
	n := e.sent.count()
	_, err = e.register(phoneIR, countryIR)
	if we := wantErr(t, err, errs.UserRegisterMaxTryLock, 0); we.Wait != 360 {
		t.Fatalf("wait %d, want 360", we.Wait)
	}
	if e.sent.count() != n {
		t.Fatal("a code was sent during the lock")
	}

	// After the lock a new code works, and its tries start from zero.
	e.clock.Advance(6 * time.Minute)
	e.mustRegister(phoneIR, countryIR)
	_, err = e.verify(r.Username, wrongCode(e.lastCode()))
	wantErr(t, err, errs.UserVerifyInvalidCode, 0)
	_, err = e.verify(r.Username, e.lastCode())
	wantOK(t, err)
}

// A failed send still answers the request, and the committed code works.
func TestRegisterSendFailureKeepsCode(t *testing.T) {
	e := newEnv(t)
	e.sent.fails = errors.New("gateway down")
	r := e.mustRegister(phoneIR, countryIR)
	_, err := e.verify(r.Username, e.lastCode())
	wantOK(t, err)
}

// The send must not depend on the request staying alive: its slot in the
// send window is already spent.
func TestRegisterSendsAfterCancel(t *testing.T) {
	e := newEnv(t)
	var sawCancel bool
	e.h.send = senderFunc(func(ctx context.Context, c delivery.VerifyCode) error {
		sawCancel = ctx.Err() != nil
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	h := *e.h
	// Cancel as the clock is read after commit: the send comes later still.
	calls := 0
	h.now = func() time.Time {
		calls++
		if calls == 2 {
			cancel()
		}
		return e.clock.Now()
	}
	if _, err := h.UserRegister(ctx, &session{}, &pb.UserRegister{PhoneNumber: phoneIR, CountryCode: countryIR}); err != nil {
		t.Fatal(err)
	}
	if sawCancel {
		t.Fatal("the sender saw the request's cancellation")
	}
}

type senderFunc func(context.Context, delivery.VerifyCode) error

func (f senderFunc) Send(ctx context.Context, c delivery.VerifyCode) error { return f(ctx, c) }

func TestNewUsername(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n, err := newUsername()
		if err != nil {
			t.Fatal(err)
		}
		if !check.Username(n) || len(n) != 11 || n[0] != 'u' {
			t.Fatalf("username %q: want u + 10 base32 characters, valid per the protocol", n)
		}
		if seen[n] {
			t.Fatalf("username %q drawn twice", n)
		}
		seen[n] = true
	}
}

// wrongCode returns a code that is not c and still within 5 digits.
func wrongCode(c uint32) uint32 {
	if c == 99999 {
		return 1
	}
	return c + 1
}
