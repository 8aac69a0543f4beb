package storage

import "fmt"

// Deleting accounts: the deletion token (counted like sign-up codes, in
// tables of its own so the two never share budgets or locks), the account's
// self-removal setting, and the deletion itself.

const (
	qPutDeleteCode = `INSERT INTO delete_codes (user_id, code_hash, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at`
	qDeleteCode = `SELECT user_id, code_hash, expires_at FROM delete_codes WHERE user_id = ?`

	qDeleteGuards = `SELECT user_id, source, failures, locks, locked_until, window_start
		FROM delete_guards WHERE user_id = ? AND source IN (?, '')`
	qSaveDeleteGuard = `INSERT INTO delete_guards (user_id, source, failures, locks, locked_until, window_start)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, source) DO UPDATE SET failures = excluded.failures,
		locks = excluded.locks, locked_until = excluded.locked_until, window_start = excluded.window_start`

	qRecordDeleteSend = `INSERT INTO delete_code_sends (user_id, source, sent_at) VALUES (?, ?, ?)`
	qCountDeleteSends = `SELECT COUNT(*), COALESCE(MIN(sent_at), 0) FROM delete_code_sends
		WHERE user_id = ? AND (? = '' OR source = ?) AND sent_at >= ?`
	qPruneDeleteSends = `DELETE FROM delete_code_sends WHERE sent_at < ?`

	qSetSelfRemove = `UPDATE users SET self_remove = ? WHERE id = ?`
	qSelfRemove    = `SELECT self_remove FROM users WHERE id = ?`

	// lastActive is when the user last did anything the server keeps: the
	// newest login of any session, the last seen time, or the sign-up.
	lastActive = `max(u.created_at, u.last_seen,
		coalesce((SELECT max(s.last_login_at) FROM sessions s WHERE s.user_id = u.id), 0))`
	// A month of self-removal is 30 days. A user whose status is ONLINE is
	// active whatever the times say.
	qInactiveUsers = `SELECT u.id FROM users u WHERE u.self_remove > 0 AND u.deleted_at = 0 AND u.online = 0
		AND ` + lastActive + ` + u.self_remove * 2592000 <= ?1 ORDER BY u.id LIMIT ?2`
	// The claim: only one transaction (of any node) turns a live account
	// into a deleted one, and a user active again since the candidates were
	// read is not claimed.
	qClaimInactive = `UPDATE users AS u SET deleted_at = ?2 WHERE u.id = ?1 AND u.deleted_at = 0
		AND u.self_remove > 0 AND u.online = 0 AND ` + lastActive + ` + u.self_remove * 2592000 <= ?2`
	qClaimDelete = `UPDATE users SET deleted_at = ?2 WHERE id = ?1 AND deleted_at = 0`

	qUserSessionIDs = `SELECT id FROM sessions WHERE user_id = ?`
	// The row stays for the messages; what identified or described the
	// person goes. '~' is in no username a client may choose and no phone.
	qEraseUser = `UPDATE users SET phone = 'deleted:' || id, username = '~' || id, nickname = '', email = '',
		bio = '', gender = 0, online = 0, last_seen = 0, self_remove = 0 WHERE id = ?`
)

// eraseTables are the rows about a user that deletion removes, each with
// the columns naming the user.
var eraseTables = []struct{ table, where string }{
	{"sessions", "user_id = ?1"},
	{"contacts", "owner_id = ?1"},
	{"user_avatars", "user_id = ?1"},
	{"privacy_rules", "user_id = ?1"},
	{"user_blocks", "blocker_id = ?1 OR blocked_id = ?1"},
	{"username_changes", "user_id = ?1"},
	{"verify_codes", "user_id = ?1"},
	{"verify_guards", "user_id = ?1"},
	{"code_sends", "user_id = ?1"},
	{"delete_codes", "user_id = ?1"},
	{"delete_guards", "user_id = ?1"},
	{"delete_code_sends", "user_id = ?1"},
}

// PutDeleteCode stores the user's deletion token hash, replacing any other.
func (t *Tx) PutDeleteCode(userID UserID, codeHash []byte, expiresAt int64) error {
	_, err := t.exec("put delete code", qPutDeleteCode, userID, codeHash, expiresAt)
	return err
}

// DeleteCode returns the user's live deletion token, or ErrNotFound.
func (t *Tx) DeleteCode(userID UserID) (VerifyCode, error) {
	var c VerifyCode
	return c, t.get("delete code", &c, qDeleteCode, userID)
}

// DeleteGuards is VerifyGuards for deletion tokens.
func (t *Tx) DeleteGuards(userID UserID, source string) (src, account VerifyGuard, err error) {
	return t.guards("delete guards", userID, source, qDeleteGuards, userID, source)
}

// SaveDeleteGuard stores g.
func (t *Tx) SaveDeleteGuard(g VerifyGuard) error {
	_, err := t.exec("save delete guard", qSaveDeleteGuard, g.UserID, g.Source, g.Failures, g.Locks, g.LockedUntil, g.WindowStart)
	return err
}

// RecordDeleteSend logs a deletion token sent at now, asked for from source.
func (t *Tx) RecordDeleteSend(userID UserID, source string, now int64) error {
	_, err := t.exec("record delete send", qRecordDeleteSend, userID, source, now)
	return err
}

// CountDeleteSends is CountCodeSends for deletion tokens.
func (t *Tx) CountDeleteSends(userID UserID, source string, since int64) (n int, oldest int64, err error) {
	if err := t.lockUser(userID); err != nil {
		return 0, 0, err
	}
	row := t.row(qCountDeleteSends, userID, source, source, since)
	if err := row.Scan(&n, &oldest); err != nil {
		return 0, 0, wrap("count delete sends", err)
	}
	return n, oldest, nil
}

// PruneDeleteSends drops send records older than before.
func (t *Tx) PruneDeleteSends(before int64) error {
	_, err := t.exec("prune delete sends", qPruneDeleteSends, before)
	return err
}

// SetSelfRemove stores after how many months without a login the user's
// account is deleted (0: never).
func (t *Tx) SetSelfRemove(userID UserID, months uint32) error {
	return t.execOne("set self remove", qSetSelfRemove, months, userID)
}

// SelfRemove returns the user's self-removal months (0: never).
func (t *Tx) SelfRemove(userID UserID) (uint32, error) {
	var m uint32
	return m, t.get("self remove", &m, qSelfRemove, userID)
}

// InactiveUsers returns up to limit users whose self-removal period has
// passed at now without a login, lowest id first.
func (t *Tx) InactiveUsers(now int64, limit int) ([]UserID, error) {
	var ids []UserID
	return ids, t.sel("inactive users", &ids, qInactiveUsers, now, limit)
}

// ClaimInactive marks the user deleted at now if their self-removal period
// has still passed and nobody deleted them yet; false when another
// transaction (on any node) got there first or the user came back. The
// caller then erases the account (EraseUser) in the same transaction.
func (t *Tx) ClaimInactive(userID UserID, now int64) (bool, error) {
	return t.claim("claim inactive user", qClaimInactive, userID, now)
}

// ClaimDelete marks the user deleted at now; false if it already was.
func (t *Tx) ClaimDelete(userID UserID, now int64) (bool, error) {
	return t.claim("claim delete", qClaimDelete, userID, now)
}

func (t *Tx) claim(op, q string, userID UserID, now int64) (bool, error) {
	res, err := t.exec(op, q, userID, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(op, err)
}

// EraseUser removes what described or identified a user whose deletion was
// claimed: the profile (phone and username freed), sessions, contacts,
// avatars, privacy rules, blocks both ways, username history, codes and
// their counters. It returns the ids of the sessions it removed, whose live
// connections the caller ends after the commit. The row itself, the rooms
// and the messages stay.
func (t *Tx) EraseUser(userID UserID) ([]SessionID, error) {
	var ids []SessionID
	if err := t.sel("erase user sessions", &ids, qUserSessionIDs, userID); err != nil {
		return nil, err
	}
	for _, e := range eraseTables {
		if _, err := t.exec("erase "+e.table, fmt.Sprintf("DELETE FROM %s WHERE %s", e.table, e.where), userID); err != nil {
			return nil, err
		}
	}
	return ids, t.execOne("erase user", qEraseUser, userID)
}
