package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatSendMessage stores a message in a chat and pushes it to the peer and
// to the sender's other sessions. A resend with a stored random_id returns
// the stored message and pushes it again (resentMessage).
func (h *Handlers) ChatSendMessage(ctx context.Context, s wire.Session, req *pb.ChatSendMessage) (*pb.ChatSendMessageResponse, error) {
	// The peer found by the check is the one pushed to: it runs on every
	// send that gets as far as storing.
	var peer storage.UserID
	k := sendKind{
		roomType: storage.RoomChat,
		rf:       errs.ChatSendMessageRefusals,
		allow: func(tx *storage.Tx, r storage.Room, m storage.Member) (err error) {
			peer, err = h.allowChatSend(tx, r, m)
			return err
		},
	}
	a := sendArgs{Type: req.MessageType, RoomID: storage.RoomID(req.RoomId), Text: req.Message, Attachment: req.Attachment,
		Location: req.Location, Contact: req.Contact, ReplyTo: storage.MessageID(req.ReplyTo), Forward: req.ForwardFrom, RandomID: req.RandomId,
		AdditionalType: req.AdditionalType, AdditionalData: req.AdditionalData}
	var out sent
	err := h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		out, err = h.storeMessage(tx, userOf(s), a, k, h.unix())
		return err
	})
	if err != nil {
		return nil, err
	}
	to := []uint64{uint64(peer), s.UserID()}
	if out.again {
		to = pushIDs(out.resent)
	}
	p := newMessagePush(storage.RoomChat, req.RoomId, out.rendered, to...)
	h.pushTo(s, p)
	return p.Message().(*pb.ChatSendMessageResponse), nil
}

// allowChatSend returns the chat's peer, refusing a chat whose peer's
// account is gone, blocked or deleted (205), a sender the peer has blocked (233) and, under the
// operator's mutual-only policy, the start of a conversation between users
// who are not each other's contacts (234/1). Once the peer has written in the room, the conversation has
// started and the policy no longer applies.
func (h *Handlers) allowChatSend(tx *storage.Tx, r storage.Room, m storage.Member) (storage.UserID, error) {
	peerID, blocked, blocksSender, err := tx.ChatPeerAccount(r.ID, m.UserID)
	if err != nil {
		return 0, err
	}
	if blocked {
		return peerID, errs.NewChatSendMessageForbidden()
	}
	if blocksSender {
		return peerID, errs.NewChatSendMessageBlockedByPeer()
	}
	if !h.mutualOnly {
		return peerID, nil
	}
	started, err := tx.HasAuthored(r.ID, peerID)
	if err != nil || started {
		return peerID, err
	}
	mutual, err := tx.Mutual(m.UserID, peerID)
	if err != nil {
		return peerID, err
	}
	if !mutual {
		return peerID, errs.NewChatSendMessageLimitReached(errs.ChatSendMessageLimitReachedMutualContactsOnly)
	}
	return peerID, nil
}
