package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

func TestTwoStepRecoverByAnswers(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.UserTwoStepVerificationRecoverPasswordByAnswers(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByAnswers{AnswerOne: "x"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByAnswersForbidden, 0)

	const phone = 9121700021
	e.signUp(c, phone)
	setPassword(t, c, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw"})
	// No questions: no answer is right.
	d := e.verifyAgain(t, phone)
	_, err = d.UserTwoStepVerificationRecoverPasswordByAnswers(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByAnswers{AnswerOne: "x"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByAnswersInvalidAnswers, 0)

	// 141: the password proves the caller; a question needs its answer.
	_, err = c.UserTwoStepVerificationChangeRecoveryQuestion(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryQuestion{
		Password: "pw", QuestionOne: "Pet?", AnswerOne: "Rex", QuestionTwo: "City?"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryQuestionBadPayload, errs.UserTwoStepVerificationChangeRecoveryQuestionBadPayloadAnswerTwo)
	_, err = c.UserTwoStepVerificationChangeRecoveryQuestion(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryQuestion{
		Password: "no", QuestionOne: "Pet?", AnswerOne: "Rex"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryQuestionInvalidPassword, 0)
	if _, err := c.UserTwoStepVerificationChangeRecoveryQuestion(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryQuestion{
		Password: "pw", QuestionOne: "Pet?", AnswerOne: "Rex", QuestionTwo: "City?", AnswerTwo: "Tabriz"}); err != nil {
		t.Fatal(err)
	}
	// 142.
	_, err = c.UserTwoStepVerificationChangeHint(ctx(t), &pb.UserTwoStepVerificationChangeHint{Password: "no", Hint: "h"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeHintInvalidPassword, 0)
	if _, err := c.UserTwoStepVerificationChangeHint(ctx(t), &pb.UserTwoStepVerificationChangeHint{Password: "pw", Hint: "a stable"}); err != nil {
		t.Fatal(err)
	}
	det, err := d.UserTwoStepVerificationGetPasswordDetail(ctx(t), &pb.UserTwoStepVerificationGetPasswordDetail{})
	if err != nil || det.QuestionOne != "Pet?" || det.QuestionTwo != "City?" || det.Hint != "a stable" {
		t.Fatalf("detail %+v, %v", det, err)
	}

	_, err = d.UserTwoStepVerificationRecoverPasswordByAnswers(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByAnswers{AnswerOne: "rex", AnswerTwo: "Tehran"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByAnswersInvalidAnswers, 0)
	// Case and spaces are forgiven.
	v, err := d.UserTwoStepVerificationRecoverPasswordByAnswers(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByAnswers{AnswerOne: " REX ", AnswerTwo: "tabriz"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UserLogin(ctx(t), &pb.UserLogin{Token: v.Token}); err != nil {
		t.Fatal(err)
	}
	_, err = d.UserTwoStepVerificationChangeHint(ctx(t), &pb.UserTwoStepVerificationChangeHint{Password: "pw"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeHintNoPassword, 0)
	_, err = d.UserTwoStepVerificationChangeRecoveryQuestion(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryQuestion{Password: "pw", QuestionOne: "q", AnswerOne: "a"})
	wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryQuestionNoPassword, 0)
}

func TestTwoStepRecoverByAnswersRefusals(t *testing.T) {
	e := start(t, nil)
	const phone = 9121700022
	a, _ := e.client()
	e.signUp(a, phone)
	setPassword(t, a, &pb.UserTwoStepVerificationSetPassword{NewPassword: "pw", QuestionOne: "Pet?", AnswerOne: "Rex"})
	d := e.verifyAgain(t, phone)
	var last error
	for i := 0; i < 5; i++ {
		_, last = d.UserTwoStepVerificationRecoverPasswordByAnswers(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByAnswers{AnswerOne: "no"})
	}
	if we := wantErr(t, last, errs.UserTwoStepVerificationRecoverPasswordByAnswersMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10133 without wait")
	}
	// Wrong passwords lock 141 and 142 (one password guard for all).
	for i := 0; i < 5; i++ {
		_, last = a.UserTwoStepVerificationChangeHint(ctx(t), &pb.UserTwoStepVerificationChangeHint{Password: "no"})
	}
	if we := wantErr(t, last, errs.UserTwoStepVerificationChangeHintMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10143 without wait")
	}
	_, err := a.UserTwoStepVerificationChangeRecoveryQuestion(ctx(t), &pb.UserTwoStepVerificationChangeRecoveryQuestion{Password: "pw", QuestionOne: "q", AnswerOne: "a"})
	if we := wantErr(t, err, errs.UserTwoStepVerificationChangeRecoveryQuestionMaxTryLock, 0); we.Wait == 0 {
		t.Fatal("10138 without wait")
	}
	// The password went while the sign-in waited: 10135.
	e.clock.Add(601e9)
	if _, err := a.UserTwoStepVerificationUnsetPassword(ctx(t), &pb.UserTwoStepVerificationUnsetPassword{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	_, err = d.UserTwoStepVerificationRecoverPasswordByAnswers(ctx(t), &pb.UserTwoStepVerificationRecoverPasswordByAnswers{AnswerOne: "Rex"})
	wantErr(t, err, errs.UserTwoStepVerificationRecoverPasswordByAnswersNoPassword, 0)
}
