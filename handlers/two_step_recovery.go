package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserTwoStepVerificationRecoverPasswordByAnswers completes the waiting
// sign-in with the answers to the recovery questions: the password goes,
// and the device gets its login token. An account without questions has no
// answers that could be right (10134, not counted as a guess).
func (h *Handlers) UserTwoStepVerificationRecoverPasswordByAnswers(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationRecoverPasswordByAnswers) (*pb.UserTwoStepVerificationRecoverPasswordByAnswersResponse, error) {
	user := storage.UserID(s.PendingSignIn())
	if user == 0 {
		return nil, errs.NewUserTwoStepVerificationRecoverPasswordByAnswersForbidden()
	}
	now := h.unix()
	var (
		outcome error
		resp    *pb.UserTwoStepVerificationRecoverPasswordByAnswersResponse
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, err := tx.TwoStep(user)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByAnswersNoPassword()
			return nil
		}
		if err != nil {
			return err
		}
		if ts.AnswerOneHash == "" {
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByAnswersInvalidAnswers()
			return nil
		}
		g, err := h.guessTwoStep(tx, user, guessRecovery, sourceOf(s.RemoteAddr()), now, func() bool {
			return secretMatches(normalAnswer(req.AnswerOne), ts.AnswerOneHash) &&
				(ts.AnswerTwoHash == "" || secretMatches(normalAnswer(req.AnswerTwo), ts.AnswerTwoHash))
		})
		if err != nil {
			return err
		}
		switch {
		case !g.ok && g.lockedUntil > 0:
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByAnswersMaxTryLock(waitSeconds(g.lockedUntil, now))
			return nil
		case !g.ok:
			outcome = errs.NewUserTwoStepVerificationRecoverPasswordByAnswersInvalidAnswers()
			return nil
		}
		if err := tx.DeleteTwoStep(user); err != nil {
			return err
		}
		token, err := h.openSession(tx, user, now)
		resp = &pb.UserTwoStepVerificationRecoverPasswordByAnswersResponse{Token: token}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("two step recover by answers: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	s.SetPendingSignIn(0)
	return resp, nil
}

// changeTwoStep runs change on the caller's two-step row once password has
// proved the caller, and stores it; c holds the action's refusals.
func (h *Handlers) changeTwoStep(ctx context.Context, s wire.Session, password string, c passwordCheck,
	change func(*storage.TwoStep)) error {
	user := storage.UserID(s.UserID())
	now := h.unix()
	var outcome error
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		ts, refusal, err := h.checkPassword(tx, s, user, password, now, c)
		if err != nil {
			return err
		}
		if refusal != nil {
			outcome = refusal
			return nil
		}
		change(&ts)
		ts.UpdatedAt = now
		return tx.SaveTwoStep(ts)
	})
	if err != nil {
		return err
	}
	return outcome
}

// UserTwoStepVerificationChangeRecoveryQuestion replaces the recovery
// questions and their answers.
func (h *Handlers) UserTwoStepVerificationChangeRecoveryQuestion(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationChangeRecoveryQuestion) (*pb.UserTwoStepVerificationChangeRecoveryQuestionResponse, error) {
	m := questionMinors{
		errs.UserTwoStepVerificationChangeRecoveryQuestionBadPayloadQuestionOne, errs.UserTwoStepVerificationChangeRecoveryQuestionBadPayloadAnswerOne,
		errs.UserTwoStepVerificationChangeRecoveryQuestionBadPayloadQuestionTwo, errs.UserTwoStepVerificationChangeRecoveryQuestionBadPayloadAnswerTwo,
	}
	if minor, bad := questionPairs(req.QuestionOne, req.AnswerOne, req.QuestionTwo, req.AnswerTwo, m); bad {
		return nil, errs.NewUserTwoStepVerificationChangeRecoveryQuestionBadPayload(minor)
	}
	a1, a2, err := hashAnswers(req.AnswerOne, req.AnswerTwo)
	if err != nil {
		return nil, err
	}
	err = h.changeTwoStep(ctx, s, req.Password, passwordCheck{
		noPassword: errs.NewUserTwoStepVerificationChangeRecoveryQuestionNoPassword,
		locked:     errs.NewUserTwoStepVerificationChangeRecoveryQuestionMaxTryLock,
		invalid:    errs.NewUserTwoStepVerificationChangeRecoveryQuestionInvalidPassword},
		func(ts *storage.TwoStep) {
			ts.QuestionOne, ts.AnswerOneHash, ts.QuestionTwo, ts.AnswerTwoHash = req.QuestionOne, a1, req.QuestionTwo, a2
		})
	if err != nil {
		if _, ok := wire.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("two step change recovery question: %w", err)
	}
	resp := &pb.UserTwoStepVerificationChangeRecoveryQuestionResponse{}
	h.pushTo(s, dispatch.PushUserTwoStepVerificationChangeRecoveryQuestion(resp, s.UserID()))
	return resp, nil
}

// UserTwoStepVerificationChangeHint replaces the password hint.
func (h *Handlers) UserTwoStepVerificationChangeHint(ctx context.Context, s wire.Session, req *pb.UserTwoStepVerificationChangeHint) (*pb.UserTwoStepVerificationChangeHintResponse, error) {
	err := h.changeTwoStep(ctx, s, req.Password, passwordCheck{
		noPassword: errs.NewUserTwoStepVerificationChangeHintNoPassword,
		locked:     errs.NewUserTwoStepVerificationChangeHintMaxTryLock,
		invalid:    errs.NewUserTwoStepVerificationChangeHintInvalidPassword},
		func(ts *storage.TwoStep) { ts.Hint = req.Hint })
	if err != nil {
		if _, ok := wire.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("two step change hint: %w", err)
	}
	resp := &pb.UserTwoStepVerificationChangeHintResponse{}
	h.pushTo(s, dispatch.PushUserTwoStepVerificationChangeHint(resp, s.UserID()))
	return resp, nil
}
