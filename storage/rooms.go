package storage

import (
	"database/sql"
	"strconv"
	"strings"
)

// RoomKind is a room's type: the protocol's Room.Type numbers.
type RoomKind int32

// Room kinds.
const (
	RoomChat    RoomKind = 0
	RoomGroup   RoomKind = 1
	RoomChannel RoomKind = 2
)

// Room is a chat, group or channel. Version is its change counter: every
// message, edit, status change and delete takes the next value (NextVersion).
type Room struct {
	ID            RoomID    `db:"id"`
	Type          RoomKind  `db:"type"`
	Title         string    `db:"title"`
	Description   string    `db:"description"`
	CreatorID     UserID    `db:"creator_id"`
	ChatKey       *string   `db:"chat_key"`
	Version       Version   `db:"version"`
	LastMessageID MessageID `db:"last_message_id"`
	CreatedAt     int64     `db:"created_at"`
}

// Member is one user's place in a room.
type Member struct {
	RoomID   RoomID    `db:"room_id"`
	UserID   UserID    `db:"user_id"`
	Role     int32     `db:"role"`
	StartID  MessageID `db:"start_id"` // first message the member may see; 0 for all
	ClearID  MessageID `db:"clear_id"` // history up to here is cleared for the member
	SeenID   MessageID `db:"seen_id"`  // newest message the member marked SEEN
	Hidden   bool      `db:"hidden"`   // deleted from the member's list until new activity
	Muted    bool      `db:"muted"`
	JoinedAt int64     `db:"joined_at"`
	PinID    int64     `db:"pin_id"` // 0: not pinned; larger: pinned more recently
}

// Sees reports whether the member may see message id: not cleared, and not
// before the point the member was let in at.
func (m Member) Sees(id MessageID) bool { return id > m.ClearID && id >= m.StartID }

const (
	roomColumns   = `id, type, title, description, creator_id, chat_key, version, last_message_id, created_at`
	memberColumns = `room_id, user_id, role, start_id, clear_id, seen_id, hidden, muted, joined_at, pin_id`
)

const (
	qRoomByID    = `SELECT ` + roomColumns + ` FROM rooms WHERE id = ?`
	qRoomByKey   = `SELECT ` + roomColumns + ` FROM rooms WHERE chat_key = ?`
	qCreateRoom  = `INSERT INTO rooms (type, title, description, creator_id, chat_key, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING ` + roomColumns
	qNextVersion = `UPDATE rooms SET version = version + 1 WHERE id = ? RETURNING version`
	qAddMember   = `INSERT INTO room_members (room_id, user_id, role, start_id, joined_at) VALUES (?, ?, ?, ?, ?)`
	qAddHidden   = `INSERT INTO room_members (room_id, user_id, hidden, joined_at) VALUES (?, ?, 1, ?)`
	qShow        = `UPDATE room_members SET hidden = 0 WHERE room_id = ? AND user_id = ?`
	qMember      = `SELECT ` + memberColumns + ` FROM room_members WHERE room_id = ? AND user_id = ?`
	qMemberIDs   = `SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id`
	// The members Member.Sees a message for.
	qMemberIDsSeeing = `SELECT user_id FROM room_members WHERE room_id = ? AND start_id <= ? AND clear_id < ? ORDER BY user_id`
	qMemberships     = `SELECT count(*) FROM room_members WHERE user_id = ?`
	qSetClearID      = `UPDATE room_members SET clear_id = max(clear_id, ?) WHERE room_id = ? AND user_id = ?`
	qSetSeenID       = `UPDATE room_members SET seen_id = max(seen_id, ?) WHERE room_id = ? AND user_id = ?`
	qHide            = `UPDATE room_members SET hidden = 1, clear_id = max(clear_id, ?) WHERE room_id = ? AND user_id = ?`
	// Without INDEXED BY, SQLite walks the room's members by primary key.
	qUnhideAll   = `UPDATE room_members INDEXED BY room_members_hidden SET hidden = 0 WHERE room_id = ? AND hidden = 1`
	qUnreadCount = `SELECT count(*) FROM messages WHERE room_id = ? AND id > ? AND id >= ? AND author_id <> ? AND deleted = 0 AND ` + notHidden
	qPeerOfChat  = `SELECT user_id FROM room_members WHERE room_id = ? AND user_id <> ? LIMIT 1`
	// A scalar subquery rather than a join: SQLite runs it several times
	// faster.
	qPeerAccount = `SELECT m.user_id, (SELECT u.blocked = 1 OR u.deleted_at <> 0 FROM users u WHERE u.id = m.user_id),
		EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = m.user_id AND b.blocked_id = ?2)
		FROM room_members m WHERE m.room_id = ?1 AND m.user_id <> ?2 LIMIT 1`
)

// chatKey names the one chat room of a pair of users, whichever of them asks.
func chatKey(a, b UserID) string {
	if a > b {
		a, b = b, a
	}
	return strconv.FormatInt(int64(a), 10) + ":" + strconv.FormatInt(int64(b), 10)
}

// RoomByID returns the room, or ErrNotFound.
//
// Where writers run at once, a write transaction reads the room under its
// lock (every change to a room's messages takes it anyway): the read and the
// lock are one round trip instead of two.
func (t *Tx) RoomByID(id RoomID) (Room, error) {
	var r Room
	if !t.rowLocks() {
		return r, wrap("room by id", scanRoom(t.row(qRoomByID, id), &r))
	}
	err := wrap("room by id", scanRoom(t.row(qRoomByID+` FOR UPDATE`, id), &r))
	if err == nil {
		t.held(qLockRoom, id)
	}
	return r, err
}

// qRoomAndMember reads a room and one user's membership of it in one
// statement: the member's columns are 0, and the last column 0, when the
// user is not in the room.
var qRoomAndMember = `SELECT r.` + strings.ReplaceAll(roomColumns, ", ", ", r.") + `, ` +
	`COALESCE(m.` + strings.ReplaceAll(memberColumns, ", ", ", 0), COALESCE(m.") + `, 0), ` +
	`CASE WHEN m.user_id IS NULL THEN 0 ELSE 1 END
	FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ? WHERE r.id = ?`

// RoomAndMember is RoomByID and Member in one round trip: the room (or
// ErrNotFound), and userID's membership with in false when they are not in
// it. Where writers run at once, a write transaction reads the room under
// its lock, as RoomByID does.
func (t *Tx) RoomAndMember(roomID RoomID, userID UserID) (r Room, m Member, in bool, err error) {
	q := qRoomAndMember
	if t.rowLocks() {
		q += ` FOR UPDATE OF r`
	}
	var ms memberScan
	var member int64
	if err := scanRoom(withTail{t.row(q, userID, roomID), append(ms.dests(&m), &member)}, &r); err != nil {
		return r, m, false, wrap("room and member", err)
	}
	if t.rowLocks() {
		t.held(qLockRoom, roomID)
	}
	ms.set(&m)
	return r, m, member == 1, nil
}

// ChatRoom returns the chat room of users a and b, or ErrNotFound.
func (t *Tx) ChatRoom(a, b UserID) (Room, error) {
	var r Room
	return r, t.get("chat room", &r, qRoomByKey, chatKey(a, b))
}

// CreateChatRoom creates the chat room of a (the creator) and b with both as
// members. It is in a's list at once and in b's only from its first message
// (b's membership is hidden until then): anyone may open a chat with anyone,
// and that alone must not put rooms in other people's lists.
// ErrDuplicate means the pair already has one.
func (t *Tx) CreateChatRoom(a, b UserID, now int64) (Room, error) {
	var r Room
	key := chatKey(a, b)
	if err := t.guard(func() error {
		return t.get("create chat room", &r, qCreateRoom, RoomChat, "", "", a, key, now)
	}); err != nil {
		return r, err
	}
	if err := t.AddMember(r.ID, a, 0, 0, now); err != nil {
		return r, err
	}
	_, err := t.exec("add hidden member", qAddHidden, r.ID, b, now)
	return r, err
}

// CreateRoom creates a group or channel; the caller adds its members.
func (t *Tx) CreateRoom(typ RoomKind, title, description string, creator UserID, now int64) (Room, error) {
	var r Room
	return r, t.get("create room", &r, qCreateRoom, typ, title, description, creator, nil, now)
}

// AddMember puts userID in the room with a role, seeing messages from
// startID on (0: all). ErrDuplicate means the user is already a member.
func (t *Tx) AddMember(roomID RoomID, userID UserID, role int32, startID MessageID, now int64) error {
	return t.guard(func() error {
		_, err := t.exec("add member", qAddMember, roomID, userID, role, startID, now)
		return err
	})
}

// Member returns userID's membership of the room, or ErrNotFound.
func (t *Tx) Member(roomID RoomID, userID UserID) (Member, error) {
	var m Member
	return m, wrap("member", scanMember(t.row(qMember, roomID, userID), &m))
}

// Memberships is how many rooms userID is a member of (one index range).
func (t *Tx) Memberships(userID UserID) (int, error) {
	var n int
	return n, t.get("memberships", &n, qMemberships, userID)
}

// MemberIDs lists the room's members, in id order.
func (t *Tx) MemberIDs(roomID RoomID) ([]UserID, error) {
	rows, err := t.query(qMemberIDs, roomID)
	if err != nil {
		return nil, wrap("member ids", err)
	}
	defer rows.Close()
	var ids []UserID
	for rows.Next() {
		var id UserID
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("member ids", err)
		}
		ids = append(ids, id)
	}
	return ids, wrap("member ids", rows.Err())
}

// MemberIDsSeeing lists the room's members who see message id
// (Member.Sees), in id order.
func (t *Tx) MemberIDsSeeing(roomID RoomID, id MessageID) ([]UserID, error) {
	var ids []UserID
	return ids, t.sel("member ids seeing", &ids, qMemberIDsSeeing, roomID, id, id)
}

// ChatPeer returns the other member of a chat room, or ErrNotFound.
func (t *Tx) ChatPeer(roomID RoomID, userID UserID) (UserID, error) {
	var id UserID
	return id, t.get("chat peer", &id, qPeerOfChat, roomID, userID)
}

// ChatPeerAccount is ChatPeer with whether the peer's account is blocked
// or deleted and whether the peer has blocked userID (user_blocks), in one query.
func (t *Tx) ChatPeerAccount(roomID RoomID, userID UserID) (peer UserID, blocked, blocksUser bool, err error) {
	var b sql.NullBool // NULL: the user row is gone, as UserByID's ErrNotFound
	if err = t.row(qPeerAccount, roomID, userID).Scan(&peer, &b, &blocksUser); err == nil && !b.Valid {
		err = sql.ErrNoRows
	}
	return peer, b.Bool, blocksUser, wrap("chat peer account", err)
}

// NextVersion takes the room's next version. Every change to a room's
// messages calls it in the same transaction as the change, so the version a
// change records is never reused and never smaller than an earlier one.
func (t *Tx) NextVersion(roomID RoomID) (Version, error) {
	var v Version
	return v, wrap("next room version", t.row(qNextVersion, roomID).Scan(&v))
}

// ClearHistory hides the room's history up to message id from userID. A
// member's clear point only moves forward.
func (t *Tx) ClearHistory(roomID RoomID, userID UserID, upTo MessageID) error {
	return t.execOne("clear history", qSetClearID, upTo, roomID, userID)
}

// HideRoom takes the room out of userID's list and clears its history up to
// upTo; the next message in the room brings it back.
func (t *Tx) HideRoom(roomID RoomID, userID UserID, upTo MessageID) error {
	return t.execOne("hide room", qHide, upTo, roomID, userID)
}

// ShowRoom puts the room back in userID's list.
func (t *Tx) ShowRoom(roomID RoomID, userID UserID) error {
	return t.execOne("show room", qShow, roomID, userID)
}

// MarkSeenUpTo records that userID has seen the room up to message id.
func (t *Tx) MarkSeenUpTo(roomID RoomID, userID UserID, id MessageID) error {
	return t.execOne("mark seen up to", qSetSeenID, id, roomID, userID)
}

// UnreadCount is how many messages of others m has not seen: newer than its
// seen and clear points, visible to it, not deleted (for both, or by it).
func (t *Tx) UnreadCount(m Member) (int, error) {
	var n int
	after := max(m.SeenID, m.ClearID)
	return n, t.get("unread count", &n, qUnreadCount, m.RoomID, after, m.StartID, m.UserID, m.UserID)
}
