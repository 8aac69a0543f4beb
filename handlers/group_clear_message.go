package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupClearMessage clears the caller's view of a group up to and including
// clear_id (0: everything so far); the other members keep theirs. A point
// before the first message the caller may see is 317/1. Error 317 has no
// '*' row, so a caller who is not in the group gets 315/1 like a room that
// does not exist.
func (h *Handlers) GroupClearMessage(ctx context.Context, s wire.Session, req *pb.GroupClearMessage) (*pb.GroupClearMessageResponse, error) {
	rf := errs.GroupClearMessageRefusals
	clearID := storage.MessageID(req.ClearId)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		r, m, err := permitted(tx, storage.RoomID(req.RoomId), groupRooms, userOf(s), dispatch.ActionGroupClearMessage, rf)
		if err != nil {
			return err
		}
		if clearID == 0 {
			clearID = r.LastMessageID
		} else if _, err := tx.MessageInRoom(r.ID, clearID); errors.Is(err, storage.ErrNotFound) {
			return errs.NewGroupClearMessageBadPayload(errs.GroupClearMessageBadPayloadInvalidClearId)
		} else if err != nil {
			return err
		}
		if clearID < m.StartID {
			return errs.NewGroupClearMessageForbidden(errs.GroupClearMessageForbiddenClearBeforeFirstMessage)
		}
		return tx.ClearHistory(m.RoomID, m.UserID, clearID)
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupClearMessageResponse{RoomId: req.RoomId, ClearId: uint64(clearID)}
	h.pushTo(s, dispatch.PushGroupClearMessage(resp, s.UserID()))
	return resp, nil
}
