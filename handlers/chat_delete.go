package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatDelete takes a chat out of the caller's room list and clears its
// history for the caller. The peer keeps the room; a new message from
// either side brings it back, empty up to that message. The caller's other
// sessions are told.
func (h *Handlers) ChatDelete(ctx context.Context, s wire.Session, req *pb.ChatDelete) (*pb.ChatDeleteResponse, error) {
	rf := errs.ChatDeleteRefusals
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		r, m, err := access(tx, storage.RoomID(req.RoomId), userOf(s), rf, storage.RoomChat)
		if err != nil {
			return err
		}
		return tx.HideRoom(r.ID, m.UserID, r.LastMessageID)
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChatDeleteResponse{RoomId: req.RoomId}
	h.pushTo(s, dispatch.PushChatDelete(resp, s.UserID()))
	return resp, nil
}
