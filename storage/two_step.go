package storage

// TwoStep is a user's two-step verification: the row exists while the user
// has a password. Hashes are made by the caller (handlers); no secret is
// stored in the clear.
type TwoStep struct {
	UserID               UserID `db:"user_id"`
	PasswordHash         string `db:"password_hash"`
	Hint                 string `db:"hint"`
	QuestionOne          string `db:"question_one"`
	AnswerOneHash        string `db:"answer_one_hash"`
	QuestionTwo          string `db:"question_two"`
	AnswerTwoHash        string `db:"answer_two_hash"`
	Email                string `db:"email"`
	UnconfirmedEmail     string `db:"unconfirmed_email"`
	EmailTokenHash       []byte `db:"email_token_hash"`
	EmailTokenExpires    int64  `db:"email_token_expires"`
	RecoveryTokenHash    []byte `db:"recovery_token_hash"`
	RecoveryTokenExpires int64  `db:"recovery_token_expires"`
	UpdatedAt            int64  `db:"updated_at"`
}

const (
	twoStepCols = `user_id, password_hash, hint, question_one, answer_one_hash, question_two,
		answer_two_hash, email, unconfirmed_email, email_token_hash, email_token_expires,
		recovery_token_hash, recovery_token_expires, updated_at`
	qTwoStep     = `SELECT ` + twoStepCols + ` FROM two_step WHERE user_id = ?`
	qSaveTwoStep = `INSERT INTO two_step (` + twoStepCols + `)
		VALUES (:user_id, :password_hash, :hint, :question_one, :answer_one_hash, :question_two,
		:answer_two_hash, :email, :unconfirmed_email, :email_token_hash, :email_token_expires,
		:recovery_token_hash, :recovery_token_expires, :updated_at)
		ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, hint = excluded.hint,
		question_one = excluded.question_one, answer_one_hash = excluded.answer_one_hash,
		question_two = excluded.question_two, answer_two_hash = excluded.answer_two_hash,
		email = excluded.email, unconfirmed_email = excluded.unconfirmed_email,
		email_token_hash = excluded.email_token_hash, email_token_expires = excluded.email_token_expires,
		recovery_token_hash = excluded.recovery_token_hash, recovery_token_expires = excluded.recovery_token_expires,
		updated_at = excluded.updated_at`
	qDeleteTwoStep = `DELETE FROM two_step WHERE user_id = ?`

	qTwoStepGuards = `SELECT user_id, source, failures, locks, locked_until, window_start
		FROM two_step_guards WHERE user_id = ? AND kind = ? AND source IN (?, '')`
	qSaveTwoStepGuard = `INSERT INTO two_step_guards (user_id, kind, source, failures, locks, locked_until, window_start)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, kind, source) DO UPDATE SET failures = excluded.failures,
		locks = excluded.locks, locked_until = excluded.locked_until, window_start = excluded.window_start`
	qClearTwoStepGuards = `DELETE FROM two_step_guards WHERE user_id = ? AND kind = ? AND source <> ''`

	qRecordTwoStepSend = `INSERT INTO two_step_sends (user_id, sent_at) VALUES (?, ?)`
	qCountTwoStepSends = `SELECT COUNT(*), COALESCE(MIN(sent_at), 0) FROM two_step_sends WHERE user_id = ? AND sent_at >= ?`
	qPruneTwoStepSends = `DELETE FROM two_step_sends WHERE user_id = ? AND sent_at < ?`
)

// TwoStep returns the user's two-step verification, or ErrNotFound when the
// user has no password.
func (t *Tx) TwoStep(userID UserID) (TwoStep, error) {
	var ts TwoStep
	return ts, t.get("two step", &ts, qTwoStep, userID)
}

// SaveTwoStep stores ts, replacing the user's row.
func (t *Tx) SaveTwoStep(ts TwoStep) error {
	q, args, err := t.tx.BindNamed(qSaveTwoStep, ts)
	if err != nil {
		return wrap("save two step", err)
	}
	_, err = t.exec("save two step", q, args...)
	return err
}

// DeleteTwoStep removes the user's password and everything kept with it.
func (t *Tx) DeleteTwoStep(userID UserID) error {
	_, err := t.exec("delete two step", qDeleteTwoStep, userID)
	return err
}

// TwoStepGuards returns the guards of kind ("password", "email",
// "recovery") of source and of the account (source ""), zero-valued when
// nothing was counted yet.
func (t *Tx) TwoStepGuards(userID UserID, kind, source string) (src, account VerifyGuard, err error) {
	return t.guards("two step guards", userID, source, qTwoStepGuards, userID, kind, source)
}

// SaveTwoStepGuard stores g as a guard of kind.
func (t *Tx) SaveTwoStepGuard(kind string, g VerifyGuard) error {
	_, err := t.exec("save two step guard", qSaveTwoStepGuard, g.UserID, kind, g.Source, g.Failures, g.Locks, g.LockedUntil, g.WindowStart)
	return err
}

// ClearTwoStepGuards forgets the per-source guards of kind (the account's
// own guard stays): the owner proved the secret.
func (t *Tx) ClearTwoStepGuards(userID UserID, kind string) error {
	_, err := t.exec("clear two step guards", qClearTwoStepGuards, userID, kind)
	return err
}

// RecordTwoStepSend notes an e-mail sent to the user at now.
func (t *Tx) RecordTwoStepSend(userID UserID, now int64) error {
	_, err := t.exec("record two step send", qRecordTwoStepSend, userID, now)
	return err
}

// TwoStepSends counts the e-mails sent to the user since since, and the
// time of the oldest of them (0: none). Older ones are dropped.
func (t *Tx) TwoStepSends(userID UserID, since int64) (n int, oldest int64, err error) {
	if err := t.lockUser(userID); err != nil {
		return 0, 0, err
	}
	if _, err := t.exec("prune two step sends", qPruneTwoStepSends, userID, since); err != nil {
		return 0, 0, err
	}
	row := t.row(qCountTwoStepSends, userID, since)
	if err := row.Scan(&n, &oldest); err != nil {
		return 0, 0, wrap("count two step sends", err)
	}
	return n, oldest, nil
}
