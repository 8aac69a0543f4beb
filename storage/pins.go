package storage

// A member's pin of a room: pinned rooms lead the member's room list, the
// most recently pinned first (see migrations/0007_pinned_rooms.sql).

const (
	// Pinning a pinned room keeps its place, so a repeated request is a no-op.
	qPin = `UPDATE room_members SET pin_id = CASE WHEN pin_id <> 0 THEN pin_id
		ELSE (SELECT coalesce(max(pin_id), 0) + 1 FROM room_members WHERE user_id = :user) END
		WHERE room_id = :room AND user_id = :user RETURNING pin_id`
	qUnpin = `UPDATE room_members SET pin_id = 0 WHERE room_id = ? AND user_id = ?`
)

// PinRoom pins the room for userID and returns its pin id (non-zero).
func (t *Tx) PinRoom(roomID RoomID, userID UserID) (int64, error) {
	q, args, err := t.tx.BindNamed(qPin, map[string]any{"room": roomID, "user": userID})
	if err != nil {
		return 0, wrap("pin room", err)
	}
	var pin int64
	return pin, wrap("pin room", t.row(q, args...).Scan(&pin))
}

// UnpinRoom unpins the room for userID.
func (t *Tx) UnpinRoom(roomID RoomID, userID UserID) error {
	return t.execOne("unpin room", qUnpin, roomID, userID)
}
