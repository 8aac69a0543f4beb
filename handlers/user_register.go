package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"github.com/nyaruka/phonenumbers"
)

// UserRegister starts sign-up (or sign-in: the phone is the account) and
// sends a fresh verification code. A phone seen before gets its existing
// user back, so registering again is how a user logs in on a new device.
//
// Every protocol outcome is decided inside the transaction and returned
// after it, so the transaction only fails on real faults.
func (h *Handlers) UserRegister(ctx context.Context, s wire.Session, req *pb.UserRegister) (*pb.UserRegisterResponse, error) {
	region := strings.ToUpper(req.CountryCode)
	phone, ok := e164(req.PhoneNumber, region)
	if !ok {
		// Validation has already run; this only guards direct callers.
		return nil, errs.NewUserRegisterBadPayload(errs.UserRegisterBadPayloadInvalidCountryCode)
	}
	now := h.unix()
	window := int64(h.codes.SendWindow.Seconds())
	src := sourceOf(s.RemoteAddr())
	// The shared budgets (this address, the country, everybody) are spent
	// before the database is touched: a flood costs nothing but this.
	if h.limits != nil {
		addr, _ := netip.ParseAddrPort(s.RemoteAddr())
		cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
		if wait := h.limits.SignUpCode(addr.Addr(), cc); wait > 0 {
			return nil, errs.NewFloodRequest(wire.WaitSeconds(wait))
		}
	}

	var (
		user    storage.User
		code    string
		outcome error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		// Reservations of phones that never proved themselves lapse; a few
		// at a time, so no request pays for a backlog.
		if _, err := tx.ExpireUnverified(now-int64(h.codes.Reservation.Seconds()), 16); err != nil {
			return err
		}
		var err error
		user, err = tx.UserByPhone(phone)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			if user, err = createUser(tx, phone, region, now); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if user.Blocked {
			outcome = errs.NewUserRegisterBlockedUser()
			return nil
		}

		// A send leaves a window after its length; counting from
		// now-window+1 makes the waits below at least one second. Sends are
		// counted from this source (MaxSends an hour) and from everywhere
		// (DailySends a day), so a stranger who knows the number cannot
		// use up the owner's sends.
		if _, err := tx.PruneCodeSends(now - day + 1); err != nil {
			return err
		}
		for _, b := range []struct {
			source      string
			limit       int
			window, cut int64
		}{{src, h.codes.MaxSends, window, now - window + 1}, {"", h.codes.DailySends, day, now - day + 1}} {
			sent, oldest, err := tx.CountCodeSends(user.ID, b.source, b.cut)
			if err != nil {
				return err
			}
			if sent >= b.limit {
				outcome = errs.NewUserRegisterMaxSendLock(waitSeconds(oldest+b.window, now))
				return nil
			}
		}

		// A new code would be useless while this source's guesses are
		// locked out, and must not be a way around the lock either.
		g, account, err := tx.VerifyGuards(user.ID, src)
		if err != nil {
			return err
		}
		if until := lockedUntil(g, account, now); until > 0 {
			outcome = errs.NewUserRegisterMaxTryLock(waitSeconds(until, now))
			return nil
		}

		if code, err = h.codes.newCode(); err != nil {
			return err
		}
		expires := now + int64(h.codes.Lifetime.Seconds())
		if err := tx.PutVerifyCode(user.ID, hashCode(user.ID, code), expires); err != nil {
			return err
		}
		return tx.RecordCodeSend(user.ID, src, now)
	})
	if err != nil {
		return nil, fmt.Errorf("user register: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}

	// The code is committed before it leaves, so a crash cannot deliver a
	// code the server does not know. The send outlives a cancelled request:
	// the slot in the send window is already spent.
	msg := delivery.VerifyCode{Phone: phone, Username: user.Username, Code: code, Time: h.now().UTC()}
	if err := h.send.Send(context.WithoutCancel(ctx), msg); err != nil {
		h.log.ErrorContext(ctx, "verification code not sent; the client may ask again",
			"user_id", user.ID, "err", err)
	}

	return &pb.UserRegisterResponse{
		Username:             user.Username,
		UserId:               uint64(user.ID),
		AuthorHash:           authorHash(user.ID),
		Method:               pb.UserRegisterResponse_VERIFY_CODE_SMS,
		ResendDelay:          uint32(h.codes.ResendDelay.Seconds()),
		VerifyCodeRegex:      h.codes.regex(),
		VerifyCodeDigitCount: uint32(h.codes.Digits),
	}, nil
}

// e164 joins a national number and an ISO region into +<cc><national>, the
// same way the validator judged the number.
func e164(national uint64, region string) (string, bool) {
	cc := phonenumbers.GetCountryCodeForRegion(region)
	if cc == 0 || national == 0 {
		return "", false
	}
	n := &phonenumbers.PhoneNumber{CountryCode: ptr(int32(cc)), NationalNumber: ptr(national)}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

func ptr[T any](v T) *T { return &v }

// usernameAttempts bounds the retries on a taken username; with 50 random
// bits a second attempt is already beyond unlikely.
const usernameAttempts = 8

// createUser adds an account under a generated username. The username is
// checked before the insert so a collision never makes a statement fail
// inside the transaction (which some databases would abort).
func createUser(tx *storage.Tx, phone, region string, now int64) (storage.User, error) {
	for range usernameAttempts {
		name, err := newUsername()
		if err != nil {
			return storage.User{}, err
		}
		switch _, err := tx.UserByUsername(name); {
		case err == nil:
			continue
		case !errors.Is(err, storage.ErrNotFound):
			return storage.User{}, err
		}
		return tx.CreateUser(phone, region, name, now)
	}
	return storage.User{}, errors.New("no free username after several attempts")
}

// usernameEncoding is lower-case base32 without padding: letters and digits
// 2-7 only, which the protocol's username format accepts.
var usernameEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newUsername is "u" followed by 50 random bits, 11 characters in all; the
// leading letter satisfies the rule that usernames start with one.
func newUsername() (string, error) {
	var b [7]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("draw username: %w", err)
	}
	// 7 bytes encode to 12 characters; the first 10 carry 50 full bits.
	return "u" + usernameEncoding.EncodeToString(b[:])[:10], nil
}
