package handlers

import (
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/storage"
)

// access loads a room of one of the kinds given (none given: any kind) and
// the caller's membership of it, refusing as rf (the action's refusals,
// generated from the spec) says.
func access(tx *storage.Tx, roomID storage.RoomID, userID storage.UserID, rf errs.Refusals, kinds ...storage.RoomKind) (storage.Room, storage.Member, error) {
	r, m, err := memberOf(tx, roomID, userID, kinds...)
	switch {
	case errors.Is(err, errNoRoom):
		return r, m, rf.BadRoom()
	case errors.Is(err, storage.ErrNotFound):
		return r, m, rf.Forbidden()
	}
	return r, m, err
}

// visible loads message id of m's room if m may see it and it is not deleted.
func visible(tx *storage.Tx, m storage.Member, id storage.MessageID, rf errs.Refusals) (storage.Message, error) {
	msg, err := tx.MessageInRoom(m.RoomID, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!m.Sees(msg.ID) || msg.Deleted)) {
		return msg, rf.BadMessage()
	}
	return msg, err
}

// ownMessage loads message id of a chat the caller is in and may see, and
// refuses it with rf.forbidden unless the caller wrote it.
func ownMessage(tx *storage.Tx, roomID storage.RoomID, id storage.MessageID, userID storage.UserID, rf errs.Refusals) (storage.Member, storage.Message, error) {
	_, m, err := access(tx, roomID, userID, rf, storage.RoomChat)
	if err != nil {
		return m, storage.Message{}, err
	}
	msg, err := visible(tx, m, id, rf)
	if err == nil && msg.AuthorID != m.UserID {
		err = rf.Forbidden()
	}
	return m, msg, err
}
