package storage

// VerifyCode is the live verification code of a user (at most one). Wrong
// guesses are counted apart from the code (VerifyGuard), so a new code is no
// way around them.
type VerifyCode struct {
	UserID    UserID `db:"user_id"`
	CodeHash  []byte `db:"code_hash"` // the caller hashes; the code itself is never stored
	ExpiresAt int64  `db:"expires_at"`
}

// VerifyGuard counts the wrong guesses at one account's codes from one
// source, or (Source "") from all of them.
type VerifyGuard struct {
	UserID      UserID `db:"user_id"`
	Source      string `db:"source"`
	Failures    int    `db:"failures"`
	Locks       int    `db:"locks"`
	LockedUntil int64  `db:"locked_until"`
	WindowStart int64  `db:"window_start"`
}

const (
	qPutVerifyCode = `INSERT INTO verify_codes (user_id, code_hash, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at`
	qVerifyCode       = `SELECT user_id, code_hash, expires_at FROM verify_codes WHERE user_id = ?`
	qDeleteVerifyCode = `DELETE FROM verify_codes WHERE user_id = ?`

	qVerifyGuards = `SELECT user_id, source, failures, locks, locked_until, window_start
		FROM verify_guards WHERE user_id = ? AND source IN (?, '')`
	qSaveVerifyGuard = `INSERT INTO verify_guards (user_id, source, failures, locks, locked_until, window_start)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, source) DO UPDATE SET failures = excluded.failures,
		locks = excluded.locks, locked_until = excluded.locked_until, window_start = excluded.window_start`
	qClearSourceGuards = `DELETE FROM verify_guards WHERE user_id = ? AND source <> ''`

	qRecordCodeSend = `INSERT INTO code_sends (user_id, source, sent_at) VALUES (?, ?, ?)`
	qCountCodeSends = `SELECT COUNT(*), COALESCE(MIN(sent_at), 0) FROM code_sends
		WHERE user_id = ? AND (? = '' OR source = ?) AND sent_at >= ?`
	qPruneCodeSends = `DELETE FROM code_sends WHERE sent_at < ?`

	qExpireUnverified = `DELETE FROM users WHERE id IN (
		SELECT id FROM users WHERE verified = 0 AND created_at < ? ORDER BY created_at LIMIT ?)`
)

// PutVerifyCode stores a new code for the user, replacing any previous one.
// ErrNotFound if the user does not exist.
func (t *Tx) PutVerifyCode(userID UserID, codeHash []byte, expiresAt int64) error {
	_, err := t.exec("put verify code", qPutVerifyCode, userID, codeHash, expiresAt)
	return err
}

// VerifyCode returns the user's live code, or ErrNotFound. Expiry and lock
// are the caller's to judge against its clock.
func (t *Tx) VerifyCode(userID UserID) (VerifyCode, error) {
	var c VerifyCode
	return c, t.get("verify code", &c, qVerifyCode, userID)
}

// VerifyGuards returns the guard of source and the account's own guard
// (source ""); either is zero-valued (with UserID and Source set) when no
// guess was counted yet.
func (t *Tx) VerifyGuards(userID UserID, source string) (src, account VerifyGuard, err error) {
	return t.guards("verify guards", userID, source, qVerifyGuards, userID, source)
}

// guards runs a query of a secret's guards for userID (selecting the rows of
// source and of the account, source "") and splits them; either comes back
// zero-valued, with UserID and Source set, when no guess was counted yet.
func (t *Tx) guards(op string, userID UserID, source string, query string, args ...any) (src, account VerifyGuard, err error) {
	if err := t.lockUser(userID); err != nil {
		return src, account, err
	}
	var gs []VerifyGuard
	if err := t.sel(op, &gs, query, args...); err != nil {
		return src, account, err
	}
	src, account = VerifyGuard{UserID: userID, Source: source}, VerifyGuard{UserID: userID}
	for _, g := range gs {
		if g.Source == "" {
			account = g
		} else {
			src = g
		}
	}
	return src, account, nil
}

// SaveVerifyGuard stores g.
func (t *Tx) SaveVerifyGuard(g VerifyGuard) error {
	_, err := t.exec("save verify guard", qSaveVerifyGuard, g.UserID, g.Source, g.Failures, g.Locks, g.LockedUntil, g.WindowStart)
	return err
}

// ClearSourceGuards forgets every source's wrong guesses at the account
// (after the owner proved the code); the account's daily count stays.
func (t *Tx) ClearSourceGuards(userID UserID) error {
	_, err := t.exec("clear verify guards", qClearSourceGuards, userID)
	return err
}

// ExpireUnverified deletes up to limit accounts that were never verified
// and were created before the given time: a reservation of a username and
// user id for a phone that never proved it is its owner's.
func (t *Tx) ExpireUnverified(before int64, limit int) (int64, error) {
	res, err := t.exec("expire unverified", qExpireUnverified, before, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, wrap("expire unverified", err)
}

// DeleteVerifyCode removes the user's code (after a successful verify).
func (t *Tx) DeleteVerifyCode(userID UserID) error {
	return t.execOne("delete verify code", qDeleteVerifyCode, userID)
}

// RecordCodeSend logs that a code was sent to the user at now, asked for
// from source. ErrNotFound if the user does not exist.
func (t *Tx) RecordCodeSend(userID UserID, source string, now int64) error {
	_, err := t.exec("record code send", qRecordCodeSend, userID, source, now)
	return err
}

// CountCodeSends returns how many codes were sent to the user at or after
// since, asked for from source ("": from anywhere), and when the oldest of
// those went out (0 if none), from which the caller computes how long until
// the window frees a slot.
func (t *Tx) CountCodeSends(userID UserID, source string, since int64) (n int, oldest int64, err error) {
	if err := t.lockUser(userID); err != nil {
		return 0, 0, err
	}
	row := t.row(qCountCodeSends, userID, source, source, since)
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
