package handlers

import (
	"context"
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

// twoStepUser is whose two-step verification a request is about: the
// logged-in user's, or before login the account whose sign-in waits for its
// password on this connection (UserVerify answered 184); 0 for none.
func twoStepUser(s wire.Session) storage.UserID {
	if u := s.UserID(); u != 0 {
		return storage.UserID(u)
	}
	return storage.UserID(s.PendingSignIn())
}

// UserTwoStepVerificationGetPasswordDetail tells the client what it needs to
// ask for the password: the hint, the recovery questions and the state of the
// recovery e-mail.
func (h *Handlers) UserTwoStepVerificationGetPasswordDetail(ctx context.Context, s wire.Session, _ *pb.UserTwoStepVerificationGetPasswordDetail) (*pb.UserTwoStepVerificationGetPasswordDetailResponse, error) {
	user := twoStepUser(s)
	if user == 0 {
		return nil, errs.NewUserTwoStepVerificationGetPasswordDetailForbidden()
	}
	var ts storage.TwoStep
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		ts, err = tx.TwoStep(user)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewUserTwoStepVerificationGetPasswordDetailNoPassword()
	}
	if err != nil {
		return nil, fmt.Errorf("two step detail: %w", err)
	}
	return &pb.UserTwoStepVerificationGetPasswordDetailResponse{
		QuestionOne:               ts.QuestionOne,
		QuestionTwo:               ts.QuestionTwo,
		Hint:                      ts.Hint,
		HasConfirmedRecoveryEmail: ts.Email != "",
		UnconfirmedEmailPattern:   maskEmail(ts.UnconfirmedEmail),
	}, nil
}

// UserTwoStepVerificationVerifyPassword completes the sign-in UserVerify
// began on this connection: the right password opens the device session and
// returns its login token, as UserVerify does for an account without one.
func (h *Handlers) UserTwoStepVerificationVerifyPassword(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationVerifyPassword) (*pb.UserTwoStepVerificationVerifyPasswordResponse, error) {
	user := storage.UserID(s.PendingSignIn())
	if user == 0 {
		return nil, errs.NewUserTwoStepVerificationVerifyPasswordForbidden()
	}
	now := h.unix()
	var (
		resp    *pb.UserTwoStepVerificationVerifyPasswordResponse
		outcome error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, refusal, err := h.checkPassword(tx, s, user, req.Password, now, passwordCheck{
			noPassword: errs.NewUserTwoStepVerificationVerifyPasswordNoPassword,
			locked:     errs.NewUserTwoStepVerificationVerifyPasswordMaxTryLock,
			invalid:    errs.NewUserTwoStepVerificationVerifyPasswordInvalidPassword,
		})
		if err != nil {
			return err
		}
		if refusal != nil {
			outcome = refusal
			return nil
		}
		token, err := h.openSession(tx, user, now)
		resp = &pb.UserTwoStepVerificationVerifyPasswordResponse{Token: token}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("two step verify password: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	s.SetPendingSignIn(0)
	return resp, nil
}

// openSession opens a device session of user and returns its login token.
func (h *Handlers) openSession(tx *storage.Tx, user storage.UserID, now int64) (string, error) {
	token, hash, err := newToken()
	if err != nil {
		return "", err
	}
	if _, err := tx.CreateSession(user, hash, now); err != nil {
		return "", err
	}
	return token, nil
}

// UserTwoStepVerificationSetPassword sets or changes the caller's password.
// On a change old_password must be right (a guess like any other), and a
// hint, question pair or e-mail left empty keeps the stored one.
func (h *Handlers) UserTwoStepVerificationSetPassword(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationSetPassword) (*pb.UserTwoStepVerificationSetPasswordResponse, error) {
	if m, bad := questionPairs(req.QuestionOne, req.AnswerOne, req.QuestionTwo, req.AnswerTwo, setPasswordMinors); bad {
		return nil, errs.NewUserTwoStepVerificationSetPasswordBadPayload(m)
	}
	user := storage.UserID(s.UserID())
	now := h.unix()
	// The hashes are made before the transaction: Argon2id is deliberately
	// slow, and the database's writer need not wait for it.
	pw, err := hashSecret(req.NewPassword)
	if err != nil {
		return nil, err
	}
	a1, a2, err := hashAnswers(req.AnswerOne, req.AnswerTwo)
	if err != nil {
		return nil, err
	}
	var (
		resp    *pb.UserTwoStepVerificationSetPasswordResponse
		outcome error
		mail    *delivery.Email // the new recovery e-mail's confirmation
	)
	err = h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, err := tx.TwoStep(user)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			ts = storage.TwoStep{UserID: user}
		case err != nil:
			return err
		default:
			g, err := h.guessTwoStep(tx, user, guessPassword, sourceOf(s.RemoteAddr()), now,
				func() bool { return secretMatches(req.OldPassword, ts.PasswordHash) })
			if err != nil {
				return err
			}
			if !g.ok {
				if g.lockedUntil > 0 {
					outcome = errs.NewUserTwoStepVerificationSetPasswordMaxTryLock(waitSeconds(g.lockedUntil, now))
				} else {
					outcome = errs.NewUserTwoStepVerificationSetPasswordInvalidOldPassword()
				}
				return nil
			}
		}
		ts.PasswordHash, ts.UpdatedAt = pw, now
		if req.Hint != "" {
			ts.Hint = req.Hint
		}
		if req.QuestionOne != "" {
			ts.QuestionOne, ts.AnswerOneHash = req.QuestionOne, a1
		}
		if req.QuestionTwo != "" {
			ts.QuestionTwo, ts.AnswerTwoHash = req.QuestionTwo, a2
		}
		if req.RecoveryEmail != "" && !strings.EqualFold(req.RecoveryEmail, ts.Email) {
			ts.UnconfirmedEmail = req.RecoveryEmail
			ts.EmailTokenHash, ts.EmailTokenExpires = nil, 0
			if mail, err = newConfirmation(tx, &ts, now); err != nil {
				return err
			}
		}
		if err := tx.SaveTwoStep(ts); err != nil {
			return err
		}
		resp = &pb.UserTwoStepVerificationSetPasswordResponse{UnconfirmedEmailPattern: maskEmail(ts.UnconfirmedEmail)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("two step set password: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	if mail != nil {
		h.sendMail(ctx, user, *mail)
	}
	h.pushTo(s, dispatch.PushUserTwoStepVerificationSetPassword(resp, s.UserID()))
	return resp, nil
}

// questionMinors are the bad-payload minors of a request with two recovery
// questions and their answers.
type questionMinors struct{ q1, a1, q2, a2 wire.Minor }

var setPasswordMinors = questionMinors{
	errs.UserTwoStepVerificationSetPasswordBadPayloadQuestionOne, errs.UserTwoStepVerificationSetPasswordBadPayloadAnswerOne,
	errs.UserTwoStepVerificationSetPasswordBadPayloadQuestionTwo, errs.UserTwoStepVerificationSetPasswordBadPayloadAnswerTwo,
}

// questionPairs refuses a question without an answer or an answer without
// its question (the answer's minor, or the question's).
func questionPairs(q1, a1, q2, a2 string, m questionMinors) (wire.Minor, bool) {
	switch {
	case q1 != "" && normalAnswer(a1) == "":
		return m.a1, true
	case q1 == "" && a1 != "":
		return m.q1, true
	case q2 != "" && normalAnswer(a2) == "":
		return m.a2, true
	case q2 == "" && a2 != "":
		return m.q2, true
	}
	return 0, false
}

// hashAnswers hashes the given answers (normalAnswer); an empty one stays "".
func hashAnswers(a1, a2 string) (h1, h2 string, err error) {
	if a1 != "" {
		if h1, err = hashSecret(normalAnswer(a1)); err != nil {
			return "", "", err
		}
	}
	if a2 != "" {
		if h2, err = hashSecret(normalAnswer(a2)); err != nil {
			return "", "", err
		}
	}
	return h1, h2, nil
}

// UserTwoStepVerificationUnsetPassword removes the caller's password and all
// kept with it. Without a password there is nothing the given one could
// match: 10102.
func (h *Handlers) UserTwoStepVerificationUnsetPassword(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationUnsetPassword) (*pb.UserTwoStepVerificationUnsetPasswordResponse, error) {
	user := storage.UserID(s.UserID())
	now := h.unix()
	var outcome error
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, refusal, err := h.checkPassword(tx, s, user, req.Password, now, passwordCheck{
			noPassword: errs.NewUserTwoStepVerificationUnsetPasswordInvalidPassword,
			locked:     errs.NewUserTwoStepVerificationUnsetPasswordMaxTryLock,
			invalid:    errs.NewUserTwoStepVerificationUnsetPasswordInvalidPassword,
		})
		if err != nil {
			return err
		}
		if refusal != nil {
			outcome = refusal
			return nil
		}
		return tx.DeleteTwoStep(user)
	})
	if err != nil {
		return nil, fmt.Errorf("two step unset password: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	resp := &pb.UserTwoStepVerificationUnsetPasswordResponse{}
	h.pushTo(s, dispatch.PushUserTwoStepVerificationUnsetPassword(resp, s.UserID()))
	return resp, nil
}

// UserTwoStepVerificationCheckPassword says whether password is the
// caller's: an empty answer when it is.
func (h *Handlers) UserTwoStepVerificationCheckPassword(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationCheckPassword) (*pb.UserTwoStepVerificationCheckPasswordResponse, error) {
	user := storage.UserID(s.UserID())
	now := h.unix()
	var outcome error
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, refusal, err := h.checkPassword(tx, s, user, req.Password, now, passwordCheck{
			noPassword: errs.NewUserTwoStepVerificationCheckPasswordNoPassword,
			locked:     errs.NewUserTwoStepVerificationCheckPasswordMaxTryLock,
			invalid:    errs.NewUserTwoStepVerificationCheckPasswordInvalidPassword,
		})
		if refusal != nil {
			outcome = refusal
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("two step check password: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	return &pb.UserTwoStepVerificationCheckPasswordResponse{}, nil
}
