package storage

// Blocks: one user (the blocker) has blocked another. The blocked user's
// chat sends to the blocker are refused and the blocker's presence (status,
// last seen, avatar) is hidden from them; ContactView.BlockedBy carries the
// latter to every rendering of a user.

const (
	// A repeated block keeps the first time.
	qBlock = `INSERT INTO user_blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (blocker_id, blocked_id) DO NOTHING`
	qUnblock      = `DELETE FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?`
	qBlocks       = `SELECT EXISTS (SELECT 1 FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?)`
	qBlockedUsers = `SELECT u.id, u.phone, u.country, u.username, u.nickname, u.email, u.gender, u.blocked, u.verified, u.bio, u.created_at
		FROM user_blocks b JOIN users u ON u.id = b.blocked_id
		WHERE b.blocker_id = ? ORDER BY b.created_at DESC, b.blocked_id DESC`
)

// Block records that blocker has blocked blocked; blocking again is not an
// error. ErrNotFound if either user does not exist.
func (t *Tx) Block(blocker, blocked UserID, now int64) error {
	return t.guard(func() error {
		_, err := t.exec("block", qBlock, blocker, blocked, now)
		return err
	})
}

// Unblock lifts blocker's block of blocked; ErrNotFound if there was none.
func (t *Tx) Unblock(blocker, blocked UserID) error {
	return t.execOne("unblock", qUnblock, blocker, blocked)
}

// Blocks reports whether blocker has blocked blocked.
func (t *Tx) Blocks(blocker, blocked UserID) (bool, error) {
	var b bool
	return b, t.get("blocks", &b, qBlocks, blocker, blocked)
}

// BlockedUsers returns the users blocker has blocked, most recently
// blocked first, in one query.
func (t *Tx) BlockedUsers(blocker UserID) ([]User, error) {
	var us []User
	return us, t.sel("blocked users", &us, qBlockedUsers, blocker)
}
