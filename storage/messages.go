package storage

// Message statuses, the protocol's RoomMessageStatus numbers that storage
// itself relies on.
const (
	StatusSent      int32 = 2
	StatusDelivered int32 = 3
	StatusSeen      int32 = 4
)

// Message is one message of a room. Optional parts are nil when absent. The
// *Version fields are values of the room's version counter (0: never).
type Message struct {
	ID             MessageID  `db:"id"`
	RoomID         RoomID     `db:"room_id"`
	AuthorID       UserID     `db:"author_id"`
	RandomID       int64      `db:"random_id"`
	Type           int32      `db:"type"` // RoomMessageType
	Body           string     `db:"body"`
	AttachmentID   *FileID    `db:"attachment_id"`
	LocationLat    *float64   `db:"location_lat"`
	LocationLon    *float64   `db:"location_lon"`
	Contact        *string    `db:"contact"` // RoomMessageContact as JSON
	LogType        *int32     `db:"log_type"`
	LogTarget      *UserID    `db:"log_target"`
	ReplyTo        *MessageID `db:"reply_to"`
	ForwardID      *MessageID `db:"forward_id"`
	Status         int32      `db:"status"`
	Edited         bool       `db:"edited"`
	Deleted        bool       `db:"deleted"`
	CreateVersion  Version    `db:"create_version"`
	MessageVersion Version    `db:"message_version"`
	StatusVersion  Version    `db:"status_version"`
	StatusBy       UserID     `db:"status_by"` // who last raised the status (0: nobody)
	DeleteVersion  Version    `db:"delete_version"`
	PreviousID     MessageID  `db:"previous_id"`
	CreateTime     int64      `db:"create_time"`
	UpdateTime     int64      `db:"update_time"`
	AdditionalType uint32     `db:"additional_type"` // kept for later clients, uninterpreted
	AdditionalData string     `db:"additional_data"`
}

// NewMessage is what InsertMessage stores; the rest is filled in.
type NewMessage struct {
	RoomID                   RoomID
	AuthorID                 UserID
	RandomID                 int64
	Type                     int32
	Body                     string
	AttachmentID             *FileID
	LocationLat, LocationLon *float64
	Contact                  *string
	LogType                  *int32
	LogTarget                *UserID
	ReplyTo, ForwardID       *MessageID
	AdditionalType           uint32
	AdditionalData           string
	Now                      int64
}

const messageColumns = `id, room_id, author_id, random_id, type, body, attachment_id,
	location_lat, location_lon, contact, log_type, log_target, reply_to, forward_id,
	status, edited, deleted, create_version, message_version, status_version, delete_version,
	previous_id, create_time, update_time, additional_type, additional_data, status_by`

const (
	// The message takes the room's next version and links its newest
	// message; qTakeVersion then records both in the room. No room, no row.
	qInsertMessage = `INSERT INTO messages (room_id, author_id, random_id, type, body, attachment_id,
		location_lat, location_lon, contact, log_type, log_target, reply_to, forward_id,
		create_version, message_version, previous_id, create_time, update_time, additional_type, additional_data)
		SELECT r.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, r.version + 1, r.version + 1, r.last_message_id, ?, ?, ?, ?
		FROM rooms r WHERE r.id = ?
		RETURNING ` + insertedColumns
	// What the database decides for a new message; the rest is what the
	// caller gave, so it is not read back (a 1 KB body would be copied back).
	insertedColumns = `id, status, edited, deleted, create_version, message_version, status_version,
		delete_version, previous_id`
	qTakeVersion   = `UPDATE rooms SET version = version + 1, last_message_id = ? WHERE id = ? AND version + 1 = ?`
	qMessageInRoom = `SELECT ` + messageColumns + ` FROM messages WHERE id = ? AND room_id = ?`
	qMessageByID   = `SELECT ` + messageColumns + ` FROM messages WHERE id = ?`
	// The random_id <> 0 term lets SQLite use the partial index
	// messages_random; without it every resend check scans the whole room.
	qMessageByRand = `SELECT ` + messageColumns + ` FROM messages WHERE room_id = ? AND author_id = ? AND random_id = ? AND random_id <> 0`
	qHasAuthored   = `SELECT EXISTS (SELECT 1 FROM messages WHERE room_id = ? AND author_id = ?)`
	qEditMessage   = `UPDATE messages SET body = ?, type = ?, edited = 1, message_version = ?, update_time = ? WHERE id = ? RETURNING ` + messageColumns
	qDeleteMessage = `UPDATE messages SET deleted = 1, delete_version = ?, update_time = ?,
		body = '', attachment_id = NULL, location_lat = NULL, location_lon = NULL, contact = NULL,
		additional_type = 0, additional_data = ''
		WHERE id = ? RETURNING ` + messageColumns
	qSetStatus = `UPDATE messages SET status = ?, status_version = ?, status_by = ? WHERE id = ? AND status < ? RETURNING ` + messageColumns
	// SEEN of a message means the reader has seen everything before it too.
	qSeenBefore = `UPDATE messages SET status = 4, status_version = ?, status_by = ?
		WHERE room_id = ? AND id < ? AND author_id <> ? AND status < 4 AND deleted = 0`
)

// InsertMessage stores a new message as the room's newest: it takes the
// room's next version, links the previous message, and brings the room back
// into the list of members who had deleted it.
//
// Two statements rather than three: the insert reads the version it takes,
// and one update of the room records both its version and newest message.
func (t *Tx) InsertMessage(n NewMessage) (Message, error) {
	// The insert reads the version it takes: no other writer may take one
	// between that read and the room's update.
	if err := t.lockRoom(n.RoomID); err != nil {
		return Message{}, err
	}
	m := Message{RoomID: n.RoomID, AuthorID: n.AuthorID, RandomID: n.RandomID, Type: n.Type, Body: n.Body,
		AttachmentID: clonePtr(n.AttachmentID), LocationLat: clonePtr(n.LocationLat), LocationLon: clonePtr(n.LocationLon),
		Contact: clonePtr(n.Contact), LogType: clonePtr(n.LogType), LogTarget: clonePtr(n.LogTarget),
		ReplyTo: clonePtr(n.ReplyTo), ForwardID: clonePtr(n.ForwardID), CreateTime: n.Now, UpdateTime: n.Now,
		AdditionalType: n.AdditionalType, AdditionalData: n.AdditionalData}
	var status int64
	err := t.row(qInsertMessage, n.AuthorID, n.RandomID, n.Type, n.Body,
		n.AttachmentID, n.LocationLat, n.LocationLon, n.Contact, n.LogType, n.LogTarget, n.ReplyTo, n.ForwardID,
		n.Now, n.Now, n.AdditionalType, n.AdditionalData, n.RoomID).Scan(&m.ID, &status, &m.Edited, &m.Deleted, &m.CreateVersion, &m.MessageVersion,
		&m.StatusVersion, &m.DeleteVersion, &m.PreviousID)
	if err != nil {
		return Message{}, wrap("insert message", err)
	}
	m.Status = int32(status)
	if err := t.execOne("take room version", qTakeVersion, m.ID, n.RoomID, m.CreateVersion); err != nil {
		return m, err
	}
	_, err = t.exec("unhide room", qUnhideAll, n.RoomID)
	return m, err
}

// MessageInRoom returns message id if it belongs to the room, or ErrNotFound.
func (t *Tx) MessageInRoom(roomID RoomID, id MessageID) (Message, error) {
	return t.message("message in room", qMessageInRoom, id, roomID)
}

// MessageByID returns message id from any room, or ErrNotFound.
func (t *Tx) MessageByID(id MessageID) (Message, error) {
	return t.message("message by id", qMessageByID, id)
}

// MessageByRandomID finds the message authorID stored in the room under a
// random_id (a resend), or ErrNotFound. It takes the room's lock first, so a
// send that finds nothing inserts before a resend on another node can look.
func (t *Tx) MessageByRandomID(roomID RoomID, authorID UserID, randomID int64) (Message, error) {
	if err := t.lockRoom(roomID); err != nil {
		return Message{}, err
	}
	return t.message("message by random id", qMessageByRand, roomID, authorID, randomID)
}

// HasAuthored reports whether userID has ever written in the room.
func (t *Tx) HasAuthored(roomID RoomID, userID UserID) (bool, error) {
	var ok bool
	return ok, t.get("has authored", &ok, qHasAuthored, roomID, userID)
}

// EditMessage replaces a message's text (and type, when a caption turns a
// media type into its _TEXT form) at the room's next version.
func (t *Tx) EditMessage(m Message, body string, typ int32, now int64) (Message, error) {
	v, err := t.NextVersion(m.RoomID)
	if err != nil {
		return m, err
	}
	return t.message("edit message", qEditMessage, body, typ, v, now, m.ID)
}

// DeleteMessage marks a message deleted at the room's next version and
// forgets its content; the row stays so that clients can be told.
func (t *Tx) DeleteMessage(m Message, now int64) (Message, error) {
	v, err := t.NextVersion(m.RoomID)
	if err != nil {
		return m, err
	}
	return t.message("delete message", qDeleteMessage, v, now, m.ID)
}

// RaiseStatus moves a message's status up to status at the room's next
// version, and reports changed=false (with the message as it is) when it is
// already there or beyond: statuses never go back. SEEN also marks the
// reader's earlier unseen messages of others SEEN at the same version.
func (t *Tx) RaiseStatus(m Message, reader UserID, status int32) (out Message, changed bool, err error) {
	if m.Status >= status {
		return m, false, nil
	}
	v, err := t.NextVersion(m.RoomID)
	if err != nil {
		return m, false, err
	}
	if out, err = t.message("raise status", qSetStatus, status, v, reader, m.ID, status); err != nil {
		return m, false, err
	}
	if status >= StatusSeen {
		if _, err := t.exec("seen before", qSeenBefore, v, reader, m.RoomID, m.ID, reader); err != nil {
			return out, false, err
		}
		if err := t.MarkSeenUpTo(m.RoomID, reader, m.ID); err != nil {
			return out, false, err
		}
	}
	return out, true, nil
}

// clonePtr copies what p points at, so a stored Message shares nothing with
// the NewMessage it came from.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
