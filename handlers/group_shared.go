package handlers

import (
	"errors"
	"github.com/gapd/gapd/generated/errs"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/roles"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// What group and channel actions share: the caller's rank decides (package
// roles, from spec/roles.yaml), and each change of membership leaves a LOG
// message in the history that every member receives.

// ranked is a room kind with ranks. Its log messages are pushed as new
// messages (newMessagePush), so that clients append them like any other.
type ranked struct {
	typ storage.RoomKind
}

var (
	groupRooms   = ranked{storage.RoomGroup}
	channelRooms = ranked{storage.RoomChannel}
)

// permitted loads the room and the caller's membership, and refuses a
// caller whose role may not call action.
func permitted(tx *storage.Tx, roomID storage.RoomID, k ranked, userID storage.UserID, action uint16, rf errs.Refusals) (storage.Room, storage.Member, error) {
	r, m, err := access(tx, roomID, userID, rf, k.typ)
	if err != nil {
		return r, m, err
	}
	if !roles.May(action, roles.Role(m.Role)) {
		return r, m, rf.Forbidden()
	}
	return r, m, nil
}

// targetOf loads the member an action names, refusing with bad when that
// user is not in the room, and with forbidden when the caller does not rank
// above them as the action demands.
func targetOf(tx *storage.Tx, caller storage.Member, id storage.UserID, action uint16, bad, forbidden func() *wire.Error) (storage.Member, error) {
	t, err := tx.Member(caller.RoomID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return t, bad()
	}
	if err != nil {
		return t, err
	}
	if !roles.MayOn(action, roles.Role(caller.Role), roles.Role(t.Role)) {
		return t, forbidden()
	}
	return t, nil
}

// change is what a member change leaves to push once it has committed.
type change struct {
	log     *pb.RoomMessage // nil when the change is not logged
	members []uint64        // the room's members after the change
}

// changed collects, after a change inside its transaction, what to push:
// the rendered log message (nil for none) and the room's members.
func (h *Handlers) changed(tx *storage.Tx, roomID storage.RoomID, log *storage.Message) (change, error) {
	var c change
	if log != nil {
		var err error
		if c.log, err = h.roomMessage(tx, *log); err != nil {
			return c, err
		}
	}
	ids, err := tx.MemberIDs(roomID)
	for _, id := range ids {
		c.members = append(c.members, uint64(id))
	}
	return c, err
}

// announce pushes an action's response (p, built without recipients) to
// the room's members and to extra users (a member who just left), skipping
// the acting session, and the log message to every member's sessions, the
// acting one included: the log is not part of its response.
func (h *Handlers) announce(s wire.Session, k ranked, p dispatch.Push, roomID uint64, c change, extra ...uint64) {
	p.To = append(c.members, extra...)
	out := []outgoing{{Push: p}}
	if c.log != nil {
		out = append(out, outgoing{Push: newMessagePush(k.typ, roomID, c.log, c.members...), toCaller: true})
	}
	h.deliver(s, out...)
}
