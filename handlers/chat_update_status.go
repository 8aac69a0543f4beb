package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatUpdateStatus records that the recipient has received (DELIVERED) or
// read (SEEN) a message. Statuses only move forward, so a late DELIVERED
// after SEEN changes nothing and is answered with the status as it stands;
// SEEN also covers the recipient's earlier messages. Only a change is
// pushed, to the author and the recipient's other sessions.
func (h *Handlers) ChatUpdateStatus(ctx context.Context, s wire.Session, req *pb.ChatUpdateStatus) (*pb.ChatUpdateStatusResponse, error) {
	rf := errs.ChatUpdateStatusRefusals
	var out statusOutcome
	err := h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		out, err = h.raiseStatus(tx, userOf(s), storage.RoomID(req.RoomId), storage.RoomChat, storage.MessageID(req.MessageId), req.Status, rf)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.changed {
		h.deliver(s, out.push)
	}
	return out.push.Message().(*pb.ChatUpdateStatusResponse), nil
}
