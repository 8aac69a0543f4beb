package handlers

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserGetDeleteToken sends the caller a token that deletes their account,
// through the verify sender like a sign-up code, under the same CodePolicy:
// MaxSends per source and SendWindow, DailySends per account (153, with
// wait), and no new token while the caller's source or the account is
// locked out of UserDelete (152; the catalogue gives it no wait).
func (h *Handlers) UserGetDeleteToken(ctx context.Context, s wire.Session, _ *pb.UserGetDeleteToken) (*pb.UserGetDeleteTokenResponse, error) {
	now := h.unix()
	window := int64(h.codes.SendWindow.Seconds())
	src := sourceOf(s.RemoteAddr())
	var (
		user    storage.User
		code    string
		outcome error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if user, err = tx.UserByID(storage.UserID(s.UserID())); err != nil {
			return err
		}
		if err := tx.PruneDeleteSends(now - day + 1); err != nil {
			return err
		}
		for _, b := range []struct {
			source      string
			limit       int
			window, cut int64
		}{{src, h.codes.MaxSends, window, now - window + 1}, {"", h.codes.DailySends, day, now - day + 1}} {
			sent, oldest, err := tx.CountDeleteSends(user.ID, b.source, b.cut)
			if err != nil {
				return err
			}
			if sent >= b.limit {
				outcome = errs.NewUserGetDeleteTokenMaxSendLock(waitSeconds(oldest+b.window, now))
				return nil
			}
		}
		g, account, err := tx.DeleteGuards(user.ID, src)
		if err != nil {
			return err
		}
		if lockedUntil(g, account, now) > 0 {
			outcome = errs.NewUserGetDeleteTokenMaxTryLock()
			return nil
		}
		if code, err = h.codes.newCode(); err != nil {
			return err
		}
		if err := tx.PutDeleteCode(user.ID, hashCode(user.ID, code), now+int64(h.codes.Lifetime.Seconds())); err != nil {
			return err
		}
		return tx.RecordDeleteSend(user.ID, src, now)
	})
	if err != nil {
		return nil, fmt.Errorf("user get delete token: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	// Committed first, then sent, as UserRegister does.
	msg := delivery.VerifyCode{Phone: user.Phone, Username: user.Username, Code: code, Time: h.now().UTC()}
	if err := h.send.Send(context.WithoutCancel(ctx), msg); err != nil {
		h.log.ErrorContext(ctx, "deletion token not sent; the client may ask again", "user_id", user.ID, "err", err)
	}
	return &pb.UserGetDeleteTokenResponse{
		ResendDelay: uint32(h.codes.ResendDelay.Seconds()),
		TokenRegex:  h.codes.regex(),
		TokenLength: strconv.Itoa(h.codes.Digits),
	}, nil
}

// UserDelete deletes the caller's account with the token UserGetDeleteToken
// sent (see eraseAccount for what goes). Wrong tokens count per source and
// per account like sign-up guesses (CodePolicy) and lock with 158; a token
// never sent, used or past its lifetime is 157. The caller's connections,
// this one included, end with error 8 after the response.
func (h *Handlers) UserDelete(ctx context.Context, s wire.Session, req *pb.UserDelete) (*pb.UserDeleteResponse, error) {
	now := h.unix()
	userID := storage.UserID(s.UserID())
	var (
		sessions []storage.SessionID
		outcome  error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		dc, err := tx.DeleteCode(userID)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserDeleteExpiredToken()
			return nil
		}
		if err != nil {
			return err
		}
		src, account, err := tx.DeleteGuards(userID, sourceOf(s.RemoteAddr()))
		if err != nil {
			return err
		}
		if until := lockedUntil(src, account, now); until > 0 {
			outcome = errs.NewUserDeleteMaxTryLock(waitSeconds(until, now))
			return nil
		}
		if now >= dc.ExpiresAt {
			outcome = errs.NewUserDeleteExpiredToken()
			return nil
		}
		if subtle.ConstantTimeCompare(hashCode(userID, req.Token), dc.CodeHash) != 1 {
			until, err := h.codes.countFailureWith(tx.SaveDeleteGuard, src, account, now)
			if err != nil {
				return err
			}
			if until == 0 {
				outcome = errs.NewUserDeleteInvalidToken()
			} else {
				outcome = errs.NewUserDeleteMaxTryLock(waitSeconds(until, now))
			}
			return nil
		}
		claimed, err := tx.ClaimDelete(userID, now)
		if err != nil {
			return err
		}
		if !claimed {
			return errors.New("account already deleted")
		}
		sessions, err = eraseAccount(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("user delete: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	h.log.InfoContext(ctx, "account deleted by its user", "user_id", userID, "reason", req.Reason.String())
	// The other devices are told now; this connection after its answer.
	others := sessions[:0]
	for _, id := range sessions {
		if uint64(id) != s.DeviceID() {
			others = append(others, id)
		}
	}
	h.endSessions(others)
	s.End(errs.NewSessionIsTerminated())
	return &pb.UserDeleteResponse{}, nil
}
