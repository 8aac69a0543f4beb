package storage

import "strings"

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
// marks the earlier ones at the same version), so (Point, Version, Kind,
// MessageID) is the stream's order and its resume point.
type Change struct {
	// Point is the index, in the SyncPoints read, of the room changed.
	Point     int        `db:"pos"`
	Version   Version    `db:"v"`
	Kind      ChangeKind `db:"kind"`
	MessageID MessageID  `db:"id"`
}

// SyncPoint is a room a client reports: its membership and the versions
// it has.
type SyncPoint struct {
	Member Member
	Since  Versions
}

// A message the client has not seen is sent as it is now, so its own later
// edits, statuses and delete are not separate changes; one created and
// deleted while the client was away is not sent at all. Only what the member
// may see counts (after its clear point, from its start). A message the
// member hid from itself (message_hides) is told once, as a delete at the
// hide's version, and nothing else of it is.
//
// The rooms are the rows of s, one per SyncPoint (VALUES rows added by
// qChanges); the placeholders after them are, in order, the resume point's
// Point (once per branch, so the rooms before it are not read), the resume
// point, and the limit.
const qChangesTail = `SELECT pos, v, kind, id FROM (
	SELECT s.pos AS pos, messages.create_version AS v, 0 AS kind, messages.id AS id FROM s JOIN messages ON messages.room_id = s.room
		WHERE s.pos >= ? AND messages.create_version > s.mv AND messages.deleted = 0 AND ` + visibleToPoint + `
	UNION ALL
	SELECT s.pos, messages.message_version, 1, messages.id FROM s JOIN messages ON messages.room_id = s.room
		WHERE s.pos >= ? AND messages.create_version <= s.mv AND messages.message_version > s.mv AND messages.deleted = 0 AND ` + visibleToPoint + `
	UNION ALL
	SELECT s.pos, messages.status_version, 2, messages.id FROM s JOIN messages ON messages.room_id = s.room
		WHERE s.pos >= ? AND messages.create_version <= s.mv AND messages.status_version > s.sv AND messages.deleted = 0 AND ` + visibleToPoint + `
	UNION ALL
	SELECT s.pos, messages.delete_version, 3, messages.id FROM s JOIN messages ON messages.room_id = s.room
		WHERE s.pos >= ? AND messages.create_version <= s.mv AND messages.delete_version > s.dv AND ` + visibleToPoint + `
	UNION ALL
	SELECT s.pos, h.version, 3, h.message_id FROM s JOIN message_hides h ON h.user_id = s.member AND h.room_id = s.room
		JOIN messages ON messages.id = h.message_id
		WHERE s.pos >= ? AND h.version > s.dv
			AND messages.create_version <= s.mv AND messages.id > s.clear_id AND messages.id >= s.start_id
) AS c WHERE (pos, v, kind, id) > (?, ?, ?, ?) ORDER BY pos, v, kind, id LIMIT ?`

// visibleToPoint: the message is one the member of s may see and has not
// hidden from itself.
const visibleToPoint = `messages.id > s.clear_id AND messages.id >= s.start_id
	AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = s.member AND h.message_id = messages.id)`

// changePointColumns is how many values each SyncPoint gives s.
const changePointColumns = 8

// qChanges is the stream query of n rooms. The casts type the VALUES for
// databases that do not infer a parameter's type from its use.
func qChanges(n int) string {
	row := "(" + strings.Repeat("CAST(? AS BIGINT), ", changePointColumns-1) + "CAST(? AS BIGINT))"
	return `WITH s (pos, room, member, clear_id, start_id, mv, sv, dv) AS (VALUES ` +
		strings.Repeat(row+", ", n-1) + row + `) ` + qChangesTail
}

// Changes returns up to limit changes of m's room that a client at versions
// since misses, in stream order after the change after (zero: from the
// start). Reading in pages keeps memory flat however long the client was away.
func (t *Tx) Changes(m Member, since Versions, after Change, limit int) ([]Change, error) {
	return t.PointChanges([]SyncPoint{{Member: m, Since: since}}, after, limit)
}

// PointChanges is Changes of several rooms in one statement: the changes of
// each room in turn, in the order of points (Change.Point). No points, no
// changes.
func (t *Tx) PointChanges(points []SyncPoint, after Change, limit int) ([]Change, error) {
	if len(points) == 0 {
		return nil, nil
	}
	args := make([]any, 0, changePointColumns*len(points)+10)
	for i, p := range points {
		m := p.Member
		args = append(args, i, m.RoomID, m.UserID, m.ClearID, m.StartID, p.Since.Message, p.Since.Status, p.Since.Delete)
	}
	for range 5 {
		args = append(args, after.Point)
	}
	args = append(args, after.Point, after.Version, after.Kind, after.MessageID, limit)
	var cs []Change
	return cs, t.sel("changes", &cs, t.tx.Rebind(qChanges(len(points))), args...)
}

// SetMuted records a member's mute of a room (ClientMuteRoom, and
// ClientCondition's offline_mute).
func (t *Tx) SetMuted(roomID RoomID, userID UserID, muted bool) error {
	return t.execOne("set muted", `UPDATE room_members SET muted = ? WHERE room_id = ? AND user_id = ?`,
		muted, roomID, userID)
}
