package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/roles"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupSendMessage stores a message through the one send path and pushes it
// to every member's sessions but the sender's current one.
func (h *Handlers) GroupSendMessage(ctx context.Context, s wire.Session, req *pb.GroupSendMessage) (*pb.GroupSendMessageResponse, error) {
	k := rankedSend(groupRooms, dispatch.ActionGroupSendMessage, errs.GroupSendMessageRefusals)
	a := sendArgs{Type: req.MessageType, RoomID: storage.RoomID(req.RoomId), Text: req.Message, Attachment: req.Attachment,
		Location: req.Location, Contact: req.Contact, ReplyTo: storage.MessageID(req.ReplyTo), Forward: req.ForwardFrom, RandomID: req.RandomId,
		AdditionalType: req.AdditionalType, AdditionalData: req.AdditionalData}
	p, err := h.sendRanked(ctx, s, a, k)
	if err != nil {
		return nil, err
	}
	return p.Message().(*pb.GroupSendMessageResponse), nil
}

// rankedSend is the sendKind of a group or channel: the caller's role must
// be allowed to post (package roles).
func rankedSend(k ranked, action uint16, rf errs.Refusals) sendKind {
	return sendKind{
		roomType: k.typ,
		rf:       rf,
		allow: func(_ *storage.Tx, _ storage.Room, m storage.Member) error {
			if !roles.May(action, roles.Role(m.Role)) {
				return rf.Forbidden()
			}
			return nil
		},
	}
}

// sendRanked stores a group or channel message and pushes it to every
// member; the push's message is the response. A resend of a stored random_id
// pushes the stored message again (resentMessage).
func (h *Handlers) sendRanked(ctx context.Context, s wire.Session, a sendArgs, k sendKind) (dispatch.Push, error) {
	var (
		out     sent
		members []storage.UserID
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if out, err = h.storeMessage(tx, userOf(s), a, k, h.unix()); err != nil || out.again {
			return err
		}
		members, err = tx.MemberIDs(out.msg.RoomID)
		return err
	})
	if err != nil {
		return dispatch.Push{}, err
	}
	if out.again {
		members = out.resent
	}
	p := newMessagePush(k.roomType, uint64(a.RoomID), out.rendered, pushIDs(members)...)
	h.pushTo(s, p)
	return p, nil
}
