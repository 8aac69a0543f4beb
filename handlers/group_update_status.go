package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupUpdateStatus records that a member received (DELIVERED) or read
// (SEEN) another member's message. As in chats, statuses only move forward
// and only a change is pushed, to the author and the caller's other sessions.
func (h *Handlers) GroupUpdateStatus(ctx context.Context, s wire.Session, req *pb.GroupUpdateStatus) (*pb.GroupUpdateStatusResponse, error) {
	rf := errs.GroupUpdateStatusRefusals
	var out statusOutcome
	err := h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		out, err = h.raiseStatus(tx, userOf(s), storage.RoomID(req.RoomId), storage.RoomGroup, storage.MessageID(req.MessageId), req.Status, rf)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.changed {
		h.deliver(s, out.push)
	}
	return out.push.Message().(*pb.GroupUpdateStatusResponse), nil
}
