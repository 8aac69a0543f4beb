package storage

import "strings"

// A member's view of a room's history, read in pages by message id. Deleted
// messages are left out: their content is gone and clients drop them; so are
// those the member deleted for itself alone.

const (
	qHistoryBefore = `SELECT ` + messageColumns + ` FROM messages
		WHERE room_id = ? AND id < ? AND id > ? AND id >= ? AND deleted = 0 AND ` + notHidden + ` ORDER BY id DESC LIMIT ?`
	qHistoryAfter = `SELECT ` + messageColumns + ` FROM messages
		WHERE room_id = ? AND id > ? AND id > ? AND id >= ? AND deleted = 0 AND ` + notHidden + ` ORDER BY id LIMIT ?`
)

// HistoryBefore returns up to limit messages m may see that are older than
// message before, oldest first.
func (t *Tx) HistoryBefore(m Member, before MessageID, limit int) ([]Message, error) {
	var ms []Message
	if err := t.sel("history before", &ms, qHistoryBefore, m.RoomID, before, m.ClearID, m.StartID, m.UserID, limit); err != nil {
		return nil, err
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms, nil
}

// HistoryAfter returns up to limit messages m may see that are newer than
// message after, oldest first.
func (t *Tx) HistoryAfter(m Member, after MessageID, limit int) ([]Message, error) {
	var ms []Message
	return ms, t.sel("history after", &ms, qHistoryAfter, m.RoomID, after, m.ClearID, m.StartID, m.UserID, limit)
}

// RoomsOf returns a page of the rooms userID is in and has not deleted from
// its list, each with the user's membership: pinned rooms first (the most
// recently pinned on top), then newest activity first (a room's last
// message, or for a room without one, when the user joined). The page is
// cut in SQL: offset rooms are skipped, at most limit returned.
func (t *Tx) RoomsOf(userID UserID, offset, limit int) ([]RoomMember, error) {
	var rs []RoomMember
	return rs, t.sel("rooms of user", &rs, qRoomsOf, userID, limit, offset)
}

// RoomMember is a room with one member's place in it.
type RoomMember struct {
	Room
	Member
}

// roomMemberSelect reads RoomMembers: rooms r joined with memberships m.
var roomMemberSelect = `SELECT r.` + strings.ReplaceAll(roomColumns, ", ", ", r.") + `, m.` + strings.ReplaceAll(memberColumns, ", ", ", m.") + `
	FROM room_members m JOIN rooms r ON r.id = m.room_id`

var qRoomsOf = roomMemberSelect + `
	WHERE m.user_id = ? AND m.hidden = 0
	ORDER BY m.pin_id DESC,
		coalesce((SELECT create_time FROM messages WHERE id = r.last_message_id), m.joined_at) DESC, r.id DESC
	LIMIT ? OFFSET ?`
