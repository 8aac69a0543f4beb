package storage

// Messages a member deleted for itself alone; see
// migrations/0008_message_hides.sql. Every query that shows a member its
// messages leaves these out with notHidden.

// notHidden is the condition that the message of the row (messages, aliased
// or not, as messages.id) is not hidden from the member whose id is bound
// at its placeholder.
const notHidden = `NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = ? AND h.message_id = messages.id)`

const (
	qHideMessage = `INSERT INTO message_hides (user_id, message_id, room_id, version) VALUES (?, ?, ?, ?)`
	qIsHidden    = `SELECT EXISTS (SELECT 1 FROM message_hides WHERE user_id = ? AND message_id = ?)`
)

// HideMessage hides m from userID alone at the room's next version, which
// it returns. Hiding a hidden message is ErrDuplicate.
func (t *Tx) HideMessage(m Message, userID UserID) (Version, error) {
	v, err := t.NextVersion(m.RoomID)
	if err != nil {
		return 0, err
	}
	return v, t.guard(func() error {
		_, err := t.exec("hide message", qHideMessage, userID, m.ID, m.RoomID, v)
		return err
	})
}

// LastMessageFor returns the newest message of m's room up to id (the
// room's last message) that m may see and has not hidden; deleted ones
// count, as the room's last message does. ErrNotFound when there is none.
func (t *Tx) LastMessageFor(m Member, id MessageID) (Message, error) {
	return t.message("last message for", qLastFor, m.RoomID, id, m.ClearID, m.StartID, m.UserID)
}

const qLastFor = `SELECT ` + messageColumns + ` FROM messages
	WHERE room_id = ? AND id <= ? AND id > ? AND id >= ? AND ` + notHidden + ` ORDER BY id DESC LIMIT 1`

// IsHidden reports whether userID hid message id from itself.
func (t *Tx) IsHidden(userID UserID, id MessageID) (bool, error) {
	var ok bool
	return ok, t.get("is hidden", &ok, qIsHidden, userID, id)
}
