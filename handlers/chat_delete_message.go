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
	out, err := h.commitThenPush(ctx, s, func(tx *storage.Tx) (outgoing, error) { return h.deleteChatMessage(tx, s.UserID(), req) })
	if err != nil {
		return nil, err
	}
	return out.(*pb.ChatDeleteMessageResponse), nil
}

// deleteChatMessage is ChatDeleteMessage inside a transaction (ClientCondition
// applies offline deletes with it too).
func (h *Handlers) deleteChatMessage(tx *storage.Tx, userID uint64, req *pb.ChatDeleteMessage) (outgoing, error) {
	rf := refuse(errs.NewChatDeleteMessageBadPayload, errs.ChatDeleteMessageBadPayloadInvalidRoomId, errs.ChatDeleteMessageBadPayloadInvalidMessageId, errs.NewChatDeleteMessageForbidden)
	m, msg, err := ownMessage(tx, req.RoomId, req.MessageId, userID, rf)
	if err != nil {
		return outgoing{}, err
	}
	if msg, err = tx.DeleteMessage(msg, h.unix()); err != nil {
		return outgoing{}, err
	}
	peer, err := tx.ChatPeer(m.RoomID, m.UserID)
	if err != nil {
		return outgoing{}, err
	}
	resp := &pb.ChatDeleteMessageResponse{RoomId: req.RoomId, MessageId: req.MessageId, DeleteVersion: uint64(msg.DeleteVersion)}
	return outgoing{dispatch.ActionChatDeleteMessage + wire.ResponseOffset, resp, []uint64{uint64(peer), userID}}, nil
}
