package handlers

import (
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

// statusOutcome is a status report's result: the response (also the push to
// the author and the reporter's other sessions) and whether anything changed.
type statusOutcome struct {
	push    outgoing
	changed bool
	version storage.Version // the message's status version
}

// raiseStatus records that userID has received or read message msgID of a
// chat or group room (ChatUpdateStatus, GroupUpdateStatus, and offline seen
// marks). Statuses only move forward, so a late DELIVERED after SEEN changes
// nothing and answers the status as it stands; SEEN also covers the earlier
// messages. The status is the recipients' to report, so the author gets
// forbidden.
func (h *Handlers) raiseStatus(tx *storage.Tx, userID storage.UserID, roomID storage.RoomID, typ storage.RoomKind, msgID storage.MessageID,
	status pb.RoomMessageStatus, rf errs.Refusals) (statusOutcome, error) {
	var (
		m   storage.Member
		err error
	)
	if typ == storage.RoomGroup {
		// Who may report statuses in a group is the roles table's to say.
		_, m, err = permitted(tx, roomID, groupRooms, userID, dispatch.ActionGroupUpdateStatus, rf)
	} else {
		_, m, err = access(tx, roomID, userID, rf, typ)
	}
	if err != nil {
		return statusOutcome{}, err
	}
	msg, err := visible(tx, m, msgID, rf)
	if err != nil {
		return statusOutcome{}, err
	}
	if msg.AuthorID == m.UserID {
		return statusOutcome{}, rf.Forbidden()
	}
	msg, changed, err := tx.RaiseStatus(msg, m.UserID, int32(status))
	if err != nil {
		return statusOutcome{}, err
	}
	push := statusPush(typ, msg, userID, uint64(msg.AuthorID), uint64(userID))
	return statusOutcome{push: outgoing{Push: push}, changed: changed, version: msg.StatusVersion}, nil
}
