package storage

import "errors"

// Privacy levels and types as the protocol numbers them (PrivacyLevel,
// PrivacyType); storage keeps the numbers and compares with these.
const (
	PrivacyAllowAll      int32 = 0
	PrivacyDenyAll       int32 = 1
	PrivacyAllowContacts int32 = 2

	PrivacyUserStatus    int32 = 0
	PrivacyAvatar        int32 = 1
	PrivacyGroupInvite   int32 = 2
	PrivacyChannelInvite int32 = 3
)

const (
	qSetPresence    = `UPDATE users SET online = ?, last_seen = ?, online_node = ? WHERE id = ?`
	qWentOffline    = `UPDATE users SET online = 0, last_seen = ? WHERE id = ? AND online = 1`
	qAllOffline     = `UPDATE users SET online = 0 WHERE online = 1`
	qNodeSeen       = `INSERT INTO nodes (name, seen_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at`
	qStrandedOnline = `SELECT id FROM users WHERE online = 1 AND id > ?3 AND (?5 = 1 AND online_node = ?1
		OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.name = users.online_node AND n.seen_at >= ?2)) ORDER BY id LIMIT ?4`
	qPrivacyRule = `SELECT coalesce((SELECT level FROM privacy_rules WHERE user_id = ? AND type = ?), 0)`
	qSetPrivacy  = `INSERT INTO privacy_rules (user_id, type, level) VALUES (?, ?, ?)
		ON CONFLICT (user_id, type) DO UPDATE SET level = excluded.level`

	// qPrivacyAllows: owner's rule of a type lets viewer through. Owner
	// always lets themselves through; ALLOW_CONTACTS means viewer's phone
	// is among owner's contacts.
	qPrivacyAllows = `SELECT CASE WHEN CAST(?1 AS BIGINT) = ?2 THEN 1
		ELSE CASE coalesce((SELECT level FROM privacy_rules WHERE user_id = ?1 AND type = ?3), 0)
			WHEN 0 THEN 1
			WHEN 2 THEN (SELECT COUNT(*) FROM contacts c JOIN users v ON v.id = ?2 WHERE c.owner_id = ?1 AND c.phone = v.phone)
			ELSE 0 END END`

	// qAudience: who hears of user ?1's profile and status changes: the
	// members of the chats and groups ?1 is in and the users who have ?1's
	// phone among their contacts (not channel readers, who do not see each
	// other), less those ?1 has blocked, kept to those ?1's rule of type ?2
	// lets see it (?2 < 0: no rule applies).
	qAudience = `WITH me AS (SELECT phone,
			CASE WHEN ?2 < 0 THEN 0 ELSE
				coalesce((SELECT level FROM privacy_rules WHERE user_id = ?1 AND type = ?2), 0) END AS level
			FROM users WHERE id = ?1),
		cand(id) AS (
			SELECT o.user_id FROM room_members m
				JOIN rooms r ON r.id = m.room_id AND r.type IN (0, 1)
				JOIN room_members o ON o.room_id = m.room_id
				WHERE m.user_id = ?1 AND o.user_id <> ?1
			UNION
			SELECT c.owner_id FROM contacts c JOIN me ON c.phone = me.phone WHERE c.owner_id <> ?1)
		SELECT cand.id FROM cand CROSS JOIN me
		WHERE NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = ?1 AND b.blocked_id = cand.id)
			AND (me.level = 0 OR (me.level = 2 AND EXISTS (SELECT 1 FROM contacts k JOIN users v ON v.id = cand.id
				WHERE k.owner_id = ?1 AND k.phone = v.phone)))
		ORDER BY cand.id`
)

// SetPresence records what the user said with UserUpdateStatus (online or
// not), that they were seen at at (Unix seconds), and the node that says so.
func (t *Tx) SetPresence(userID UserID, online bool, at int64, node string) error {
	return t.execOne("set presence", qSetPresence, online, at, node, userID)
}

// NodeSeen records that node is alive at at (Unix seconds).
func (t *Tx) NodeSeen(node string, at int64) error {
	_, err := t.exec("node seen", qNodeSeen, node, at)
	return err
}

// StrandedOnline returns up to limit users after the id after that were
// left ONLINE by a node that is gone: one silent since before cutoff (or
// never heard of), and with own an earlier run of node itself.
func (t *Tx) StrandedOnline(node string, own bool, cutoff int64, after UserID, limit int) ([]UserID, error) {
	var ids []UserID
	return ids, t.sel("stranded online", &ids, qStrandedOnline, node, cutoff, after, limit, own)
}

// WentOffline marks an online user offline, last seen at at, when their last
// connection went; it reports whether they had been online.
func (t *Tx) WentOffline(userID UserID, at int64) (bool, error) {
	res, err := t.exec("went offline", qWentOffline, at, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, wrap("went offline", err)
}

// AllOffline marks every user offline, keeping their last seen time: at the
// start of a single node nobody is connected.
func (t *Tx) AllOffline() error {
	_, err := t.exec("all offline", qAllOffline)
	return err
}

// PrivacyRule returns the user's level (PrivacyLevel) for a PrivacyType;
// a rule never set is ALLOW_ALL.
func (t *Tx) PrivacyRule(userID UserID, typ int32) (int32, error) {
	var level int32
	err := t.get("privacy rule", &level, qPrivacyRule, userID, typ)
	return level, err
}

// SetPrivacyRule stores the user's level for a PrivacyType.
func (t *Tx) SetPrivacyRule(userID UserID, typ, level int32) error {
	_, err := t.exec("set privacy rule", qSetPrivacy, userID, typ, level)
	return err
}

// PrivacyAllows reports whether owner's rule of a PrivacyType lets viewer
// through.
func (t *Tx) PrivacyAllows(owner, viewer UserID, typ int32) (bool, error) {
	var ok bool
	err := t.get("privacy allows", &ok, qPrivacyAllows, owner, viewer, typ)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return ok, err
}

// NoPrivacyRule is Audience's rule for a change no privacy rule governs.
const NoPrivacyRule int32 = -1

// Audience returns the users who hear of userID's profile and status
// changes: those sharing a chat or group with them or having their phone
// among their contacts, less those userID has blocked, whom userID's rule of
// PrivacyType rule lets see the change (NoPrivacyRule: everyone of them).
// One statement.
func (t *Tx) Audience(userID UserID, rule int32) ([]UserID, error) {
	var out []UserID
	return out, t.sel("audience", &out, qAudience, userID, rule)
}
