package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// E-mail tokens: 8 characters of an alphabet without look-alikes (40 bits,
// behind the same guess locks as passwords), typed by the user.
const (
	mailTokenAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	mailTokenLen      = 8
	confirmLifetime   = 24 * 60 * 60 // seconds a confirmation token lives
	recoveryLifetime  = 60 * 60      // seconds a recovery token lives
	mailsPerHour      = 5            // e-mails sent to one account in an hour
)

// newMailToken draws an e-mail token and the hash stored of it.
func newMailToken() (string, []byte, error) {
	var b [mailTokenLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("draw token: %w", err)
	}
	for i := range b {
		b[i] = mailTokenAlphabet[int(b[i])%len(mailTokenAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b[:]), hashMailToken(string(b[:])), nil
}

// hashMailToken is what is stored of a token: SHA-256 of it in upper case
// without surrounding spaces, so a user's typing is forgiven.
func hashMailToken(token string) []byte {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(token))))
	return sum[:]
}

func mailTokenMatches(token string, hash []byte) bool {
	return len(hash) > 0 && subtle.ConstantTimeCompare(hashMailToken(token), hash) == 1
}

// mailBudget spends one of the account's e-mails of the hour, or returns
// when the next is allowed (0: spent now).
func mailBudget(tx *storage.Tx, user storage.UserID, now int64) (int64, error) {
	n, oldest, err := tx.TwoStepSends(user, now-60*60)
	if err != nil {
		return 0, err
	}
	if n >= mailsPerHour {
		return oldest + 60*60, nil
	}
	return 0, tx.RecordTwoStepSend(user, now)
}

// sendMail delivers an e-mail after the commit; a failure is logged and the
// token stays valid, so the client may ask again.
func (h *Handlers) sendMail(ctx context.Context, user storage.UserID, m delivery.Email) {
	m.Time = h.now().UTC()
	if err := h.mail.SendEmail(context.WithoutCancel(ctx), m); err != nil {
		h.log.ErrorContext(ctx, "two-step e-mail not sent", "user_id", user, "purpose", m.Purpose, "err", err)
	}
}

// newConfirmation gives ts's unconfirmed e-mail a fresh token when the
// hourly budget allows (the address is kept either way; 146 sends again) and
// returns the e-mail to send after the commit, or nil.
func newConfirmation(tx *storage.Tx, ts *storage.TwoStep, now int64) (*delivery.Email, error) {
	if ts.UnconfirmedEmail == "" {
		return nil, nil
	}
	wait, err := mailBudget(tx, ts.UserID, now)
	if err != nil || wait > 0 {
		return nil, err
	}
	token, hash, err := newMailToken()
	if err != nil {
		return nil, err
	}
	ts.EmailTokenHash, ts.EmailTokenExpires = hash, now+confirmLifetime
	return &delivery.Email{Email: ts.UnconfirmedEmail, Purpose: "confirm", Token: token}, nil
}

// UserTwoStepVerificationVerifyRecoveryEmail confirms the waiting recovery
// e-mail with its token.
func (h *Handlers) UserTwoStepVerificationVerifyRecoveryEmail(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationVerifyRecoveryEmail) (*pb.UserTwoStepVerificationVerifyRecoveryEmailResponse, error) {
	user := storage.UserID(s.UserID())
	now := h.unix()
	var outcome error
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, err := tx.TwoStep(user)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserTwoStepVerificationVerifyRecoveryEmailNoPassword()
			return nil
		}
		if err != nil {
			return err
		}
		g, err := h.guessTwoStep(tx, user, guessEmail, sourceOf(s.RemoteAddr()), now,
			func() bool { return ts.UnconfirmedEmail != "" && mailTokenMatches(req.Token, ts.EmailTokenHash) })
		if err != nil {
			return err
		}
		switch {
		case !g.ok && g.lockedUntil > 0:
			outcome = errs.NewUserTwoStepVerificationVerifyRecoveryEmailMaxTryLock(waitSeconds(g.lockedUntil, now))
			return nil
		case !g.ok:
			outcome = errs.NewUserTwoStepVerificationVerifyRecoveryEmailInvalidToken()
			return nil
		case now >= ts.EmailTokenExpires:
			outcome = errs.NewUserTwoStepVerificationVerifyRecoveryEmailExpiredToken()
			return nil
		}
		ts.Email, ts.UnconfirmedEmail, ts.EmailTokenHash, ts.EmailTokenExpires, ts.UpdatedAt = ts.UnconfirmedEmail, "", nil, 0, now
		return tx.SaveTwoStep(ts)
	})
	if err != nil {
		return nil, fmt.Errorf("two step verify recovery email: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	resp := &pb.UserTwoStepVerificationVerifyRecoveryEmailResponse{}
	h.pushTo(s, dispatch.PushUserTwoStepVerificationVerifyRecoveryEmail(resp, s.UserID()))
	return resp, nil
}

// UserTwoStepVerificationChangeRecoveryEmail sets a new address to confirm.
func (h *Handlers) UserTwoStepVerificationChangeRecoveryEmail(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationChangeRecoveryEmail) (*pb.UserTwoStepVerificationChangeRecoveryEmailResponse, error) {
	user := storage.UserID(s.UserID())
	now := h.unix()
	var (
		outcome error
		mail    *delivery.Email
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, refusal, err := h.checkPassword(tx, s, user, req.Password, now, passwordCheck{
			noPassword: errs.NewUserTwoStepVerificationChangeRecoveryEmailNoPassword,
			locked:     errs.NewUserTwoStepVerificationChangeRecoveryEmailMaxTryLock,
			invalid:    errs.NewUserTwoStepVerificationChangeRecoveryEmailInvalidPassword,
		})
		switch {
		case err != nil:
			return err
		case refusal != nil:
			outcome = refusal
			return nil
		case strings.EqualFold(req.Email, ts.Email):
			outcome = errs.NewUserTwoStepVerificationChangeRecoveryEmailConfirmedBefore()
			return nil
		}
		ts.UnconfirmedEmail, ts.EmailTokenHash, ts.EmailTokenExpires, ts.UpdatedAt = req.Email, nil, 0, now
		if mail, err = newConfirmation(tx, &ts, now); err != nil {
			return err
		}
		return tx.SaveTwoStep(ts)
	})
	if err != nil {
		return nil, fmt.Errorf("two step change recovery email: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	if mail != nil {
		h.sendMail(ctx, user, *mail)
	}
	resp := &pb.UserTwoStepVerificationChangeRecoveryEmailResponse{UnconfirmedEmailPattern: maskEmail(req.Email)}
	h.pushTo(s, dispatch.PushUserTwoStepVerificationChangeRecoveryEmail(resp, s.UserID()))
	return resp, nil
}

// UserTwoStepVerificationResendVerifyEmail sends the waiting address a new
// token.
func (h *Handlers) UserTwoStepVerificationResendVerifyEmail(ctx context.Context, s wire.Session, _ *pb.UserTwoStepVerificationResendVerifyEmail) (*pb.UserTwoStepVerificationResendVerifyEmailResponse, error) {
	user := storage.UserID(s.UserID())
	now := h.unix()
	var (
		outcome error
		mail    *delivery.Email
		pattern string // the address the token goes to
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, err := tx.TwoStep(user)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserTwoStepVerificationResendVerifyEmailNoPassword()
			return nil
		}
		if err != nil {
			return err
		}
		if ts.UnconfirmedEmail == "" {
			outcome = errs.NewUserTwoStepVerificationResendVerifyEmailNoUnconfirmedRecoveryEmail()
			return nil
		}
		// The budget is checked here so that its refusal carries the wait.
		n, oldest, err := tx.TwoStepSends(user, now-60*60)
		if err != nil {
			return err
		}
		if n >= mailsPerHour {
			outcome = errs.NewFloodRequest(waitSeconds(oldest+60*60, now))
			return nil
		}
		pattern = ts.UnconfirmedEmail
		if mail, err = newConfirmation(tx, &ts, now); err != nil {
			return err
		}
		return tx.SaveTwoStep(ts)
	})
	if err != nil {
		return nil, fmt.Errorf("two step resend verify email: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	if mail != nil {
		h.sendMail(ctx, user, *mail)
	}
	return &pb.UserTwoStepVerificationResendVerifyEmailResponse{UnconfirmedEmailPattern: maskEmail(pattern)}, nil
}

// UserTwoStepVerificationRequestRecoveryToken e-mails a recovery token for
// the sign-in waiting on this connection.
func (h *Handlers) UserTwoStepVerificationRequestRecoveryToken(ctx context.Context, s wire.Session, _ *pb.UserTwoStepVerificationRequestRecoveryToken) (*pb.UserTwoStepVerificationRequestRecoveryTokenResponse, error) {
	user := storage.UserID(s.PendingSignIn())
	if user == 0 {
		return nil, errs.NewUserTwoStepVerificationRequestRecoveryTokenForbidden()
	}
	now := h.unix()
	var (
		outcome error
		mail    delivery.Email
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, err := tx.TwoStep(user)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserTwoStepVerificationRequestRecoveryTokenNoPassword()
			return nil
		}
		if err != nil {
			return err
		}
		if ts.Email == "" {
			outcome = errs.NewUserTwoStepVerificationRequestRecoveryTokenNoRecoveryEmail()
			return nil
		}
		wait, err := mailBudget(tx, user, now)
		if err != nil {
			return err
		}
		if wait > 0 {
			outcome = errs.NewUserTwoStepVerificationRequestRecoveryTokenMaxTryLock(waitSeconds(wait, now))
			return nil
		}
		token, hash, err := newMailToken()
		if err != nil {
			return err
		}
		ts.RecoveryTokenHash, ts.RecoveryTokenExpires = hash, now+recoveryLifetime
		mail = delivery.Email{Email: ts.Email, Purpose: "recover", Token: token}
		return tx.SaveTwoStep(ts)
	})
	if err != nil {
		return nil, fmt.Errorf("two step request recovery token: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	h.sendMail(ctx, user, mail)
	return &pb.UserTwoStepVerificationRequestRecoveryTokenResponse{EmailPattern: maskEmail(mail.Email)}, nil
}

// UserTwoStepVerificationRecoverPasswordByToken completes the waiting
// sign-in with the e-mailed recovery token: the password goes, and the
// device gets its login token.
func (h *Handlers) UserTwoStepVerificationRecoverPasswordByToken(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationRecoverPasswordByToken) (*pb.UserTwoStepVerificationRecoverPasswordByTokenResponse, error) {
	user := storage.UserID(s.PendingSignIn())
	if user == 0 {
		return nil, errs.NewUserTwoStepVerificationRecoverPasswordByTokenForbidden()
	}
	now := h.unix()
	var (
		outcome error
		resp    *pb.UserTwoStepVerificationRecoverPasswordByTokenResponse
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, err := tx.TwoStep(user)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByTokenNoPassword()
			return nil
		}
		if err != nil {
			return err
		}
		g, err := h.guessTwoStep(tx, user, guessRecovery, sourceOf(s.RemoteAddr()), now,
			func() bool { return mailTokenMatches(req.Token, ts.RecoveryTokenHash) })
		if err != nil {
			return err
		}
		switch {
		case !g.ok && g.lockedUntil > 0:
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByTokenMaxTryLock(waitSeconds(g.lockedUntil, now))
			return nil
		case !g.ok:
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByTokenInvalidToken()
			return nil
		case now >= ts.RecoveryTokenExpires:
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByTokenExpiredToken()
			return nil
		}
		if err := tx.DeleteTwoStep(user); err != nil {
			return err
		}
		token, err := h.openSession(tx, user, now)
		resp = &pb.UserTwoStepVerificationRecoverPasswordByTokenResponse{Token: token}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("two step recover by token: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	s.SetPendingSignIn(0)
	return resp, nil
}
