package storage

// Groups and channels: members come and go, ranks change, and the history
// records who did what as LOG messages.

// Log types, the protocol's RoomMessageLog.Type numbers that storage writes.
const (
	LogRoomCreated  int32 = 2
	LogMemberAdded  int32 = 3
	LogMemberKicked int32 = 4
	LogMemberLeft   int32 = 5
)

// messageTypeLog is RoomMessageType LOG.
const messageTypeLog int32 = 12

const (
	qRemoveMember = `DELETE FROM room_members WHERE room_id = ? AND user_id = ?`
	qSetRole      = `UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?`
	qSetRoomInfo  = `UPDATE rooms SET title = ?, description = ? WHERE id = ?`
	qMemberCount  = `SELECT count(*) FROM room_members WHERE room_id = ?`
	// The successor of a leaving owner: highest role, then longest standing.
	qSenior = `SELECT ` + memberColumns + ` FROM room_members WHERE room_id = ?
		ORDER BY role DESC, joined_at, user_id LIMIT 1`
)

// RemoveMember takes userID out of the room; ErrNotFound if not in it.
func (t *Tx) RemoveMember(roomID RoomID, userID UserID) error {
	return t.execOne("remove member", qRemoveMember, roomID, userID)
}

// SetRole changes a member's role; ErrNotFound if not in the room.
func (t *Tx) SetRole(roomID RoomID, userID UserID, role int32) error {
	return t.execOne("set role", qSetRole, role, roomID, userID)
}

// SetRoomInfo renames a group or channel and sets its description.
func (t *Tx) SetRoomInfo(roomID RoomID, title, description string) error {
	return t.execOne("set room info", qSetRoomInfo, title, description, roomID)
}

// MemberCount is how many members the room has.
func (t *Tx) MemberCount(roomID RoomID) (int, error) {
	if err := t.lockRoom(roomID); err != nil {
		return 0, err
	}
	var n int
	return n, t.get("member count", &n, qMemberCount, roomID)
}

// SeniorMember is the member with the highest role who joined first, or
// ErrNotFound for an empty room.
func (t *Tx) SeniorMember(roomID RoomID) (Member, error) {
	var m Member
	return m, t.get("senior member", &m, qSenior, roomID)
}

// InsertLog records in the room's history that actor did something (log
// type) to target (0: to nobody in particular), as a LOG message.
func (t *Tx) InsertLog(roomID RoomID, actor UserID, logType int32, target UserID, now int64) (Message, error) {
	n := NewMessage{RoomID: roomID, AuthorID: actor, Type: messageTypeLog, LogType: &logType, Now: now}
	if target != 0 {
		n.LogTarget = &target
	}
	return t.InsertMessage(n)
}
