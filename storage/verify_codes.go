package storage

// VerifyCode is the live verification code of a user (at most one).
type VerifyCode struct {
	UserID      int64  `db:"user_id"`
	CodeHash    []byte `db:"code_hash"` // the caller hashes; the code itself is never stored
	ExpiresAt   int64  `db:"expires_at"`
	Attempts    int    `db:"attempts"`     // wrong guesses against this code
	LockedUntil int64  `db:"locked_until"` // guesses are refused before this time
}

const (
	// A new code resets the wrong-guess count but keeps any lock: asking
	// for another code must not be a way around a brute-force lockout.
	qPutVerifyCode = `INSERT INTO verify_codes (user_id, code_hash, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0`
	qVerifyCode       = `SELECT user_id, code_hash, expires_at, attempts, locked_until FROM verify_codes WHERE user_id = ?`
	qBumpAttempts     = `UPDATE verify_codes SET attempts = attempts + 1 WHERE user_id = ? RETURNING attempts`
	qLockCode         = `UPDATE verify_codes SET locked_until = ? WHERE user_id = ?`
	qDeleteVerifyCode = `DELETE FROM verify_codes WHERE user_id = ?`

	qRecordCodeSend = `INSERT INTO code_sends (user_id, sent_at) VALUES (?, ?)`
	qCountCodeSends = `SELECT COUNT(*), COALESCE(MIN(sent_at), 0) FROM code_sends WHERE user_id = ? AND sent_at >= ?`
	qPruneCodeSends = `DELETE FROM code_sends WHERE sent_at < ?`
)

// PutVerifyCode stores a new code for the user, replacing any previous one
// and resetting its attempt count; an existing lock stays. ErrNotFound if the
// user does not exist.
func (t *Tx) PutVerifyCode(userID int64, codeHash []byte, expiresAt int64) error {
	_, err := t.exec("put verify code", qPutVerifyCode, userID, codeHash, expiresAt)
	return err
}

// VerifyCode returns the user's live code, or ErrNotFound. Expiry and lock
// are the caller's to judge against its clock.
func (t *Tx) VerifyCode(userID int64) (VerifyCode, error) {
	var c VerifyCode
	return c, t.get("verify code", &c, qVerifyCode, userID)
}

// BumpAttempts counts one wrong guess and returns the new count.
func (t *Tx) BumpAttempts(userID int64) (int, error) {
	var n int
	return n, t.get("bump verify attempts", &n, qBumpAttempts, userID)
}

// LockCode refuses guesses for the user's code until the given time.
func (t *Tx) LockCode(userID, until int64) error {
	return t.execOne("lock verify code", qLockCode, until, userID)
}

// DeleteVerifyCode removes the user's code (after a successful verify).
func (t *Tx) DeleteVerifyCode(userID int64) error {
	return t.execOne("delete verify code", qDeleteVerifyCode, userID)
}

// RecordCodeSend logs that a code was sent to the user at now.
// ErrNotFound if the user does not exist.
func (t *Tx) RecordCodeSend(userID, now int64) error {
	_, err := t.exec("record code send", qRecordCodeSend, userID, now)
	return err
}

// CountCodeSends returns how many codes were sent to the user at or after
// since, and when the oldest of those went out (0 if none), from which the
// caller computes how long until the window frees a slot.
func (t *Tx) CountCodeSends(userID, since int64) (n int, oldest int64, err error) {
	row := t.tx.QueryRowxContext(t.ctx, qCountCodeSends, userID, since)
	if err := row.Scan(&n, &oldest); err != nil {
		return 0, 0, wrap("count code sends", err)
	}
	return n, oldest, nil
}

// PruneCodeSends deletes send records older than before, which no rate
// limit window can reach any more, and returns how many it removed.
func (t *Tx) PruneCodeSends(before int64) (int64, error) {
	res, err := t.exec("prune code sends", qPruneCodeSends, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, wrap("prune code sends", err)
}
