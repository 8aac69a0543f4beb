package storage

// What a returning client missed in a room, read as a stream of changes in
// version order (ClientCondition). See migrations/0005_sync.sql.

// ChangeKind is what happened to a message, in the order changes sharing a
// version are read (the numbers are the stream query's kind column).
type ChangeKind int

// Kinds of Change.
const (
	ChangeNew    ChangeKind = 0 // a message the client has not seen: sent whole, as it is now
	ChangeEdit   ChangeKind = 1 // a known message's text changed
	ChangeStatus ChangeKind = 2 // a known message's status changed
	ChangeDelete ChangeKind = 3 // a known message was deleted
)

// Versions are the newest message, status and delete versions a client has
// seen in a room.
type Versions struct{ Message, Status, Delete Version }

// Change is one thing a client misses: a kind of change to a message at a
// room version. Several changes may share a version (SEEN of one message
// marks the earlier ones at the same version), so (Version, Kind, MessageID)
// is the stream's order and its resume point.
type Change struct {
	Version   Version    `db:"v"`
	Kind      ChangeKind `db:"kind"`
	MessageID MessageID  `db:"id"`
}

// A message the client has not seen is sent as it is now, so its own later
// edits, statuses and delete are not separate changes; one created and
// deleted while the client was away is not sent at all. Only what the member
// may see counts (after its clear point, from its start). A message the
// member hid from itself (message_hides) is told once, as a delete at the
// hide's version, and nothing else of it is.
const qChanges = `SELECT v, kind, id FROM (
	SELECT create_version AS v, 0 AS kind, id FROM messages
		WHERE room_id = :room AND create_version > :mv AND deleted = 0 AND id > :clear AND id >= :start AND ` + notHiddenNamed + `
	UNION ALL
	SELECT message_version, 1, id FROM messages
		WHERE room_id = :room AND create_version <= :mv AND message_version > :mv AND deleted = 0 AND id > :clear AND id >= :start AND ` + notHiddenNamed + `
	UNION ALL
	SELECT status_version, 2, id FROM messages
		WHERE room_id = :room AND create_version <= :mv AND status_version > :sv AND deleted = 0 AND id > :clear AND id >= :start AND ` + notHiddenNamed + `
	UNION ALL
	SELECT delete_version, 3, id FROM messages
		WHERE room_id = :room AND create_version <= :mv AND delete_version > :dv AND id > :clear AND id >= :start AND ` + notHiddenNamed + `
	UNION ALL
	SELECT h.version, 3, h.message_id FROM message_hides h JOIN messages ON messages.id = h.message_id
		WHERE h.user_id = :user AND h.room_id = :room AND h.version > :dv
			AND messages.create_version <= :mv AND messages.id > :clear AND messages.id >= :start
) WHERE (v, kind, id) > (:av, :ak, :ai) ORDER BY v, kind, id LIMIT :limit`

// notHiddenNamed is notHidden for the named query above.
const notHiddenNamed = `NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = :user AND h.message_id = messages.id)`

// Changes returns up to limit changes of m's room that a client at versions
// since misses, in stream order after the change after (zero: from the
// start). Reading in pages keeps memory flat however long the client was away.
func (t *Tx) Changes(m Member, since Versions, after Change, limit int) ([]Change, error) {
	args := map[string]any{
		"room": m.RoomID, "clear": m.ClearID, "start": m.StartID, "user": m.UserID,
		"mv": since.Message, "sv": since.Status, "dv": since.Delete,
		"av": after.Version, "ak": after.Kind, "ai": after.MessageID, "limit": limit,
	}
	q, qargs, err := t.tx.BindNamed(qChanges, args)
	if err != nil {
		return nil, wrap("changes", err)
	}
	var cs []Change
	return cs, t.sel("changes", &cs, q, qargs...)
}

// SetMuted records a member's mute of a room (ClientMuteRoom, and
// ClientCondition's offline_mute).
func (t *Tx) SetMuted(roomID RoomID, userID UserID, muted bool) error {
	return t.execOne("set muted", `UPDATE room_members SET muted = ? WHERE room_id = ? AND user_id = ?`,
		muted, roomID, userID)
}
