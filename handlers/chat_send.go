package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatSendMessage stores a message in a chat and pushes it to the peer and
// to the sender's other sessions. A resend with a stored random_id returns
// the stored message and pushes nothing: everyone had it already.
func (h *Handlers) ChatSendMessage(ctx context.Context, s wire.Session, req *pb.ChatSendMessage) (*pb.ChatSendMessageResponse, error) {
	k := sendKind{
		roomType:  storage.RoomChat,
		bad:       errs.NewChatSendMessageBadPayload,
		forbidden: errs.NewChatSendMessageForbidden,
		allow:     h.allowChatSend,
	}
	a := sendArgs{Type: req.MessageType, RoomID: req.RoomId, Text: req.Message, Attachment: req.Attachment,
		Location: req.Location, Contact: req.Contact, ReplyTo: req.ReplyTo, Forward: req.ForwardFrom, RandomID: req.RandomId}
	var (
		out  sent
		peer int64
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if out, err = h.storeMessage(tx, s.UserID(), a, k, h.unix()); err != nil {
			return err
		}
		peer, err = tx.ChatPeer(out.msg.RoomID, int64(s.UserID()))
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChatSendMessageResponse{RoomId: req.RoomId, RoomMessage: out.rendered}
	if !out.duplicate {
		h.pushTo(s, dispatch.ActionChatSendMessage+wire.ResponseOffset, resp, uint64(peer), s.UserID())
	}
	return resp, nil
}

// allowChatSend refuses a chat whose peer's account is gone (205) and, under
// the operator's mutual-only policy, the start of a conversation between
// users who are not each other's contacts (234/1). Once the peer has written
// in the room, the conversation has started and the policy no longer applies.
func (h *Handlers) allowChatSend(tx *storage.Tx, r storage.Room, m storage.Member) error {
	peerID, err := tx.ChatPeer(r.ID, m.UserID)
	if err != nil {
		return err
	}
	peer, err := tx.UserByID(peerID)
	if err != nil {
		return err
	}
	if peer.Blocked {
		return errs.NewChatSendMessageForbidden()
	}
	if !h.mutualOnly {
		return nil
	}
	started, err := tx.HasAuthored(r.ID, peerID)
	if err != nil || started {
		return err
	}
	mutual, err := tx.Mutual(m.UserID, peerID)
	if err != nil {
		return err
	}
	if !mutual {
		return errs.NewChatSendMessageLimitReached(errs.ChatSendMessageLimitReachedMutualContactsOnly)
	}
	return nil
}
