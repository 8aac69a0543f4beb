package storage

// Set reads: what a page of rooms, a page of history or a page of changes
// needs, read for the whole page in one statement each (IN (?) expanded by
// selIn), so a request costs the same number of round trips whatever the
// number of rooms or messages it shows. Ids that match nothing are left out
// of the maps; callers with no ids run no statement.

const (
	qMessagesByIDs = `SELECT ` + messageColumns + ` FROM messages WHERE id IN (?)`
	qUsersByIDs    = `SELECT ` + userColumns + ` FROM users WHERE id IN (?)`
	qMemberCounts  = `SELECT room_id, count(*) AS n FROM room_members WHERE room_id IN (?) GROUP BY room_id`
	// The other member of each chat (a chat has two).
	qChatPeers = `SELECT room_id, min(user_id) AS n FROM room_members WHERE room_id IN (?) AND user_id <> ? GROUP BY room_id`
	// UnreadCount for each of the user's memberships.
	qUnreadCounts = `SELECT m.room_id, count(*) AS n FROM room_members m JOIN messages ON messages.room_id = m.room_id
		AND messages.id > CASE WHEN m.seen_id > m.clear_id THEN m.seen_id ELSE m.clear_id END
		AND messages.id >= m.start_id AND messages.author_id <> m.user_id AND messages.deleted = 0
		WHERE m.user_id = ? AND m.room_id IN (?)
			AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = m.user_id AND h.message_id = messages.id)
		GROUP BY m.room_id`
	// LastMessageFor for each of the user's memberships, up to each room's
	// last message.
	qLastMessages = `SELECT ` + messageColumns + ` FROM messages WHERE id IN (
		SELECT (SELECT x.id FROM messages x
			WHERE x.room_id = m.room_id AND x.id <= r.last_message_id AND x.id > m.clear_id AND x.id >= m.start_id
				AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = m.user_id AND h.message_id = x.id)
			ORDER BY x.id DESC LIMIT 1)
		FROM room_members m JOIN rooms r ON r.id = m.room_id
		WHERE m.user_id = ? AND m.room_id IN (?))`
)

// qMemberRooms is RoomByID and Member of each room.
var qMemberRooms = roomMemberSelect + ` WHERE m.user_id = ? AND m.room_id IN (?)`

// MemberRooms returns the rooms of those that userID is in, each with
// userID's membership, by room.
func (t *Tx) MemberRooms(userID UserID, rooms []RoomID) (map[RoomID]RoomMember, error) {
	return selSet(t, "member rooms", rooms, func(rm RoomMember) RoomID { return rm.Room.ID }, qMemberRooms, userID, rooms)
}

// MessagesByIDs returns the messages with those ids, from any room.
func (t *Tx) MessagesByIDs(ids []MessageID) (map[MessageID]Message, error) {
	return selSet(t, "messages by ids", ids, func(m Message) MessageID { return m.ID }, qMessagesByIDs, ids)
}

// UsersByIDs returns the users with those ids.
func (t *Tx) UsersByIDs(ids []UserID) (map[UserID]User, error) {
	return selSet(t, "users by ids", ids, func(u User) UserID { return u.ID }, qUsersByIDs, ids)
}

// MemberCounts is MemberCount of each room.
func (t *Tx) MemberCounts(rooms []RoomID) (map[RoomID]int, error) {
	return t.roomCounts("member counts", rooms, qMemberCounts, rooms)
}

// ChatPeers is ChatPeer of each chat room.
func (t *Tx) ChatPeers(userID UserID, rooms []RoomID) (map[RoomID]UserID, error) {
	ns, err := t.roomCounts("chat peers", rooms, qChatPeers, rooms, userID)
	out := make(map[RoomID]UserID, len(ns))
	for r, n := range ns {
		out[r] = UserID(n)
	}
	return out, err
}

// UnreadCounts is UnreadCount of userID's membership of each room; rooms
// without unread messages are left out.
func (t *Tx) UnreadCounts(userID UserID, rooms []RoomID) (map[RoomID]int, error) {
	return t.roomCounts("unread counts", rooms, qUnreadCounts, userID, rooms)
}

// LastMessagesFor is LastMessageFor of userID's membership of each room, up
// to the room's last message, by room; rooms with none are left out.
func (t *Tx) LastMessagesFor(userID UserID, rooms []RoomID) (map[RoomID]Message, error) {
	return selSet(t, "last messages for", rooms, func(m Message) RoomID { return m.RoomID }, qLastMessages, userID, rooms)
}

// roomCount is a row of a query of counts (or ids) by room.
type roomCount struct {
	RoomID RoomID `db:"room_id"`
	N      int64  `db:"n"`
}

// roomCounts runs a query of (room_id, n) rows for rooms.
func (t *Tx) roomCounts(op string, rooms []RoomID, query string, args ...any) (map[RoomID]int, error) {
	rows, err := selSet(t, op, rooms, func(r roomCount) RoomID { return r.RoomID }, query, args...)
	out := make(map[RoomID]int, len(rows))
	for id, r := range rows {
		out[id] = int(r.N)
	}
	return out, err
}

// selSet runs a query with IN (?) placeholders (selIn) that reads something
// of each of set, and returns the rows by key. An empty set runs no
// statement.
func selSet[K comparable, V, E any](t *Tx, op string, set []E, key func(V) K, query string, args ...any) (map[K]V, error) {
	var vs []V
	if len(set) > 0 {
		if err := t.selIn(op, &vs, query, args...); err != nil {
			return nil, err
		}
	}
	out := make(map[K]V, len(vs))
	for _, v := range vs {
		out[key(v)] = v
	}
	return out, nil
}
