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

const qSetBio = `UPDATE users SET bio = ? WHERE id = ?`

// SetBio records the user's bio ("" clears it).
func (t *Tx) SetBio(userID UserID, bio string) error {
	return t.execOne("set bio", qSetBio, bio, userID)
}
