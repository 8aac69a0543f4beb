package handlers

import (
	"errors"

	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// refusals are one action's answers when the room or message it names will
// not do. Each action has its own codes in the catalogue; the rules for
// choosing between them are the same everywhere, so they live here.
type refusals struct {
	badRoom    func() *wire.Error // the room does not exist or is of another kind
	forbidden  func() *wire.Error // the caller is not a member of the room
	badMessage func() *wire.Error // the message is not in the room, hidden from the caller, or deleted
}

// access loads a room of one of the kinds given (none given: any kind) and
// the caller's membership of it, refusing as rf says.
func access(tx *storage.Tx, roomID, userID uint64, rf refusals, kinds ...storage.RoomKind) (storage.Room, storage.Member, error) {
	r, m, err := memberOf(tx, roomID, userID, kinds...)
	switch {
	case errors.Is(err, errNoRoom):
		return r, m, rf.badRoom()
	case errors.Is(err, storage.ErrNotFound):
		return r, m, rf.forbidden()
	}
	return r, m, err
}

// visible loads message id of m's room if m may see it and it is not deleted.
func visible(tx *storage.Tx, m storage.Member, id uint64, rf refusals) (storage.Message, error) {
	msg, err := tx.MessageInRoom(m.RoomID, int64(id))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!m.Sees(msg.ID) || msg.Deleted)) {
		return msg, rf.badMessage()
	}
	return msg, err
}

// ownMessage loads message id of a chat the caller is in and may see, and
// refuses it with rf.forbidden unless the caller wrote it.
func ownMessage(tx *storage.Tx, roomID, id, userID uint64, rf refusals) (storage.Member, storage.Message, error) {
	_, m, err := access(tx, roomID, userID, rf, storage.RoomChat)
	if err != nil {
		return m, storage.Message{}, err
	}
	msg, err := visible(tx, m, id, rf)
	if err == nil && msg.AuthorID != m.UserID {
		err = rf.forbidden()
	}
	return m, msg, err
}

// refuse builds the usual refusals of an action: its BAD_PAYLOAD with the
// minors it gives a bad room and a bad message (0: the action names no
// message), and its FORBIDDEN.
func refuse(bad func(wire.Minor) *wire.Error, room, message wire.Minor, forbidden func() *wire.Error) refusals {
	rf := refusals{badRoom: minorOf(bad, room), forbidden: forbidden}
	if message != 0 {
		rf.badMessage = minorOf(bad, message)
	}
	return rf
}

// minorOf is an action's BAD_PAYLOAD with one of its minors, for later.
func minorOf(bad func(wire.Minor) *wire.Error, minor wire.Minor) func() *wire.Error {
	return func() *wire.Error { return bad(minor) }
}
