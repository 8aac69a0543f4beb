package handlers

import (
	"errors"

	"github.com/gapd/gapd/generated/roles"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// Joining and leaving groups and channels, shared by both kinds.

// DefaultMaxRoomMembers is how many members a group or channel may have
// unless the operator sets -max-room-members: every message is pushed to
// each of them, so the bound is what keeps one send's work bounded.
const DefaultMaxRoomMembers = 10000

// createRanked creates a group or channel with the caller as its owner and
// a ROOM_CREATED log as its first message.
func (h *Handlers) createRanked(tx *storage.Tx, k ranked, owner storage.UserID, title, description string) (storage.Room, change, error) {
	now := h.unix()
	r, err := tx.CreateRoom(k.typ, title, description, owner, now)
	if err != nil {
		return r, change{}, err
	}
	if err := tx.AddMember(r.ID, owner, int32(roles.Owner), 0, now); err != nil {
		return r, change{}, err
	}
	log, err := tx.InsertLog(r.ID, owner, storage.LogRoomCreated, 0, now)
	if err != nil {
		return r, change{}, err
	}
	c, err := h.changed(tx, r.ID, &log)
	return r, c, err
}

// admission is a user joining a room: from where they see its history.
type admission struct {
	userID  storage.UserID
	startID storage.MessageID // first message they see; 0 with fromLog false: all
	fromLog bool              // they see from the log of their own addition on
	badUser func() *wire.Error
	exists  func() *wire.Error
	full    func() *wire.Error // the room has as many members as the operator allows
	// invite is the user's PrivacyType that rules who may add them
	// (GROUP_INVITE, CHANNEL_INVITE), and private the refusal when it does
	// not let the caller.
	invite  int32
	private func() *wire.Error
}

// admit adds a user to the caller's room as a plain member and logs it.
func (h *Handlers) admit(tx *storage.Tx, caller storage.Member, a admission) (change, error) {
	u, err := tx.UserByID(a.userID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!u.Verified || u.Blocked || u.Deleted())) {
		return change{}, a.badUser()
	}
	if err != nil {
		return change{}, err
	}
	if _, err := tx.Member(caller.RoomID, u.ID); err == nil {
		return change{}, a.exists()
	} else if !errors.Is(err, storage.ErrNotFound) {
		return change{}, err
	}
	if ok, err := tx.PrivacyAllows(u.ID, caller.UserID, a.invite); err != nil {
		return change{}, err
	} else if !ok {
		return change{}, a.private()
	}
	n, err := tx.MemberCount(caller.RoomID)
	if err != nil {
		return change{}, err
	}
	if n >= h.maxMembers {
		return change{}, a.full()
	}
	now := h.unix()
	log, err := tx.InsertLog(caller.RoomID, caller.UserID, storage.LogMemberAdded, u.ID, now)
	if err != nil {
		return change{}, err
	}
	start := a.startID
	if a.fromLog {
		start = log.ID
	}
	if err := tx.AddMember(caller.RoomID, u.ID, int32(roles.Member), start, now); err != nil {
		return change{}, err
	}
	return h.changed(tx, caller.RoomID, &log)
}

// depart takes the caller out of the room and logs it. An owner who leaves
// hands the room to the senior member left (highest rank, longest standing)
// so that a room always has an owner while it has members.
func (h *Handlers) depart(tx *storage.Tx, m storage.Member) (change, error) {
	if err := tx.RemoveMember(m.RoomID, m.UserID); err != nil {
		return change{}, err
	}
	if roles.Role(m.Role) == roles.Owner {
		heir, err := tx.SeniorMember(m.RoomID)
		switch {
		case err == nil:
			if err := tx.SetRole(m.RoomID, heir.UserID, int32(roles.Owner)); err != nil {
				return change{}, err
			}
		case !errors.Is(err, storage.ErrNotFound):
			return change{}, err
		}
	}
	log, err := tx.InsertLog(m.RoomID, m.UserID, storage.LogMemberLeft, 0, h.unix())
	if err != nil {
		return change{}, err
	}
	return h.changed(tx, m.RoomID, &log)
}

// kick removes target from the room on the caller's authority and logs it.
func (h *Handlers) kick(tx *storage.Tx, caller, target storage.Member) (change, error) {
	if err := tx.RemoveMember(target.RoomID, target.UserID); err != nil {
		return change{}, err
	}
	log, err := tx.InsertLog(caller.RoomID, caller.UserID, storage.LogMemberKicked, target.UserID, h.unix())
	if err != nil {
		return change{}, err
	}
	return h.changed(tx, caller.RoomID, &log)
}
