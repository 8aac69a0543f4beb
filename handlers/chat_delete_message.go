package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatDeleteMessage deletes the caller's own message for both members: its
// content is forgotten and the row stays, marked deleted at a new version,
// so that clients that were away learn of it.
func (h *Handlers) ChatDeleteMessage(ctx context.Context, s wire.Session, req *pb.ChatDeleteMessage) (*pb.ChatDeleteMessageResponse, error) {
	rf := refusals{
		badRoom: func() *wire.Error {
			return errs.NewChatDeleteMessageBadPayload(errs.ChatDeleteMessageBadPayloadInvalidRoomId)
		},
		forbidden: errs.NewChatDeleteMessageForbidden,
		badMessage: func() *wire.Error {
			return errs.NewChatDeleteMessageBadPayload(errs.ChatDeleteMessageBadPayloadInvalidMessageId)
		},
	}
	var (
		msg  storage.Message
		peer int64
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := access(tx, req.RoomId, storage.RoomChat, s.UserID(), rf)
		if err != nil {
			return err
		}
		if msg, err = visible(tx, m, req.MessageId, rf); err != nil {
			return err
		}
		if msg.AuthorID != m.UserID {
			return errs.NewChatDeleteMessageForbidden()
		}
		if msg, err = tx.DeleteMessage(msg, h.unix()); err != nil {
			return err
		}
		peer, err = tx.ChatPeer(m.RoomID, m.UserID)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChatDeleteMessageResponse{RoomId: req.RoomId, MessageId: req.MessageId, DeleteVersion: uint64(msg.DeleteVersion)}
	h.pushTo(s, dispatch.ActionChatDeleteMessage+wire.ResponseOffset, resp, uint64(peer), s.UserID())
	return resp, nil
}
