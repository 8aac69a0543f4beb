package storage

const (
	qSetEmail    = `UPDATE users SET email = ? WHERE id = ?`
	qSetGender   = `UPDATE users SET gender = ? WHERE id = ?`
	qSetNickname = `UPDATE users SET nickname = ? WHERE id = ?`
)

// The profile setters store values the handlers have already checked;
// each returns ErrNotFound when the user does not exist. UserByID reads
// them back.

// SetEmail records the user's e-mail address.
func (t *Tx) SetEmail(userID UserID, email string) error {
	return t.execOne("set email", qSetEmail, email, userID)
}

// SetGender records the user's gender (protocol Gender enum).
func (t *Tx) SetGender(userID UserID, gender int32) error {
	return t.execOne("set gender", qSetGender, gender, userID)
}

// SetNickname records the user's nickname.
func (t *Tx) SetNickname(userID UserID, nickname string) error {
	return t.execOne("set nickname", qSetNickname, nickname, userID)
}

const (
	qSetUsername = `UPDATE users SET username = ? WHERE id = ?`
	// The changes since a moment: how many, and when the oldest was.
	qUsernameChanges = `SELECT COUNT(*), COALESCE(MIN(changed_at), 0) FROM username_changes
		WHERE user_id = ? AND changed_at > ?`
	qRecordUsernameChange  = `INSERT INTO username_changes (user_id, changed_at) VALUES (?, ?)`
	qForgetUsernameChanges = `DELETE FROM username_changes WHERE user_id = ? AND changed_at <= ?`
)

// SetUsername changes the user's username. ErrDuplicate: another user holds
// it, compared without regard to letter case.
func (t *Tx) SetUsername(userID UserID, username string) error {
	return t.guard(func() error { return t.execOne("set username", qSetUsername, username, userID) })
}

// UsernameChanges counts the user's username changes after since and
// returns when the oldest of them was (0 when there are none).
func (t *Tx) UsernameChanges(userID UserID, since int64) (n int, oldest int64, err error) {
	err = t.row(qUsernameChanges, userID, since).Scan(&n, &oldest)
	return n, oldest, wrap("username changes", err)
}

// RecordUsernameChange notes a change at now and forgets those at or
// before since, which no longer count.
func (t *Tx) RecordUsernameChange(userID UserID, now, since int64) error {
	if _, err := t.exec("record username change", qRecordUsernameChange, userID, now); err != nil {
		return err
	}
	_, err := t.exec("forget username changes", qForgetUsernameChanges, userID, since)
	return err
}

const qSetBio = `UPDATE users SET bio = ? WHERE id = ?`

// SetBio records the user's bio ("" clears it).
func (t *Tx) SetBio(userID UserID, bio string) error {
	return t.execOne("set bio", qSetBio, bio, userID)
}
