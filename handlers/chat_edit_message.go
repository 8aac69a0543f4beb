package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatEditMessage replaces the text of the caller's own message: a text
// message's text or a media message's caption (a captionless IMAGE becomes
// IMAGE_TEXT, which is why the response carries the type). Voice, location,
// contact and log messages have no text to edit.
func (h *Handlers) ChatEditMessage(ctx context.Context, s wire.Session, req *pb.ChatEditMessage) (*pb.ChatEditMessageResponse, error) {
	out, err := h.commitThenPush(ctx, s, func(tx *storage.Tx) (outgoing, error) { return h.editChatMessage(tx, userOf(s), req) })
	if err != nil {
		return nil, err
	}
	return out.(*pb.ChatEditMessageResponse), nil
}

// editChatMessage is ChatEditMessage inside a transaction (ClientCondition
// applies offline edits with it too): the response and whom to push it to.
func (h *Handlers) editChatMessage(tx *storage.Tx, userID storage.UserID, req *pb.ChatEditMessage) (outgoing, error) {
	rf := errs.ChatEditMessageRefusals
	m, msg, err := ownMessage(tx, storage.RoomID(req.RoomId), storage.MessageID(req.MessageId), userID, rf)
	if err != nil {
		return outgoing{}, err
	}
	typ, ok := validate.RoomMessageTypeWithText(pb.RoomMessageType(msg.Type))
	if !ok {
		return outgoing{}, errs.NewChatEditMessageForbidden()
	}
	if msg, err = tx.EditMessage(msg, req.Message, int32(typ), h.unix()); err != nil {
		return outgoing{}, err
	}
	peer, err := tx.ChatPeer(m.RoomID, m.UserID)
	if err != nil {
		return outgoing{}, err
	}
	return outgoing{Push: editPush(msg, uint64(peer), uint64(userID))}, nil
}
