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

// ChatClearMessage clears the caller's view of a chat up to and including
// message clear_id; the peer keeps its history. Clearing to an earlier point
// than before changes nothing. The caller's other sessions are told.
func (h *Handlers) ChatClearMessage(ctx context.Context, s wire.Session, req *pb.ChatClearMessage) (*pb.ChatClearMessageResponse, error) {
	rf := errs.ChatClearMessageRefusals
	clearID := storage.MessageID(req.ClearId)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := access(tx, storage.RoomID(req.RoomId), userOf(s), rf, storage.RoomChat)
		if err != nil {
			return err
		}
		// Any message of the room will do, deleted or already cleared:
		// clear_id is a position in the history.
		if _, err := tx.MessageInRoom(m.RoomID, clearID); errors.Is(err, storage.ErrNotFound) {
			return errs.NewChatClearMessageBadPayload(errs.ChatClearMessageBadPayloadInvalidClearId)
		} else if err != nil {
			return err
		}
		return tx.ClearHistory(m.RoomID, m.UserID, clearID)
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChatClearMessageResponse{RoomId: req.RoomId, ClearId: req.ClearId}
	h.pushTo(s, dispatch.PushChatClearMessage(resp, s.UserID()))
	return resp, nil
}
