package handlers

import (
	"context"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatDeleteMessage deletes a chat message. With both, the author deletes it
// for both members within the -delete-for-both-period of sending: its content
// is forgotten and the row stays, marked deleted at a new version, so that
// clients that were away learn of it. Without both, any member hides it from
// itself alone; the peer keeps it.
func (h *Handlers) ChatDeleteMessage(ctx context.Context, s wire.Session, req *pb.ChatDeleteMessage) (*pb.ChatDeleteMessageResponse, error) {
	out, err := h.commitThenPush(ctx, s, func(tx *storage.Tx) (outgoing, error) { return h.deleteChatMessage(tx, userOf(s), req) })
	if err != nil {
		return nil, err
	}
	return out.(*pb.ChatDeleteMessageResponse), nil
}

// deleteChatMessage is ChatDeleteMessage inside a transaction (ClientCondition
// applies offline deletes with it too). The push goes to the caller's other
// sessions, and for a delete for both to the peer as well.
func (h *Handlers) deleteChatMessage(tx *storage.Tx, userID storage.UserID, req *pb.ChatDeleteMessage) (outgoing, error) {
	rf := errs.ChatDeleteMessageRefusals
	_, m, err := access(tx, storage.RoomID(req.RoomId), userID, rf, storage.RoomChat)
	if err != nil {
		return outgoing{}, err
	}
	msg, err := visible(tx, m, storage.MessageID(req.MessageId), rf)
	if err != nil {
		return outgoing{}, err
	}
	// A message hidden from the caller is gone for it, like a deleted one.
	if hidden, err := tx.IsHidden(m.UserID, msg.ID); err != nil || hidden {
		if err == nil {
			err = rf.BadMessage()
		}
		return outgoing{}, err
	}
	if !req.Both {
		v, err := tx.HideMessage(msg, m.UserID)
		if err != nil {
			return outgoing{}, err
		}
		// Hidden from the caller alone: a delete at the hide's version.
		msg.DeleteVersion = v
		return outgoing{Push: deletePush(msg, uint64(userID))}, nil
	}
	if msg.AuthorID != m.UserID || !h.mayDeleteForBoth(msg) {
		return outgoing{}, rf.Forbidden()
	}
	if msg, err = tx.DeleteMessage(msg, h.unix()); err != nil {
		return outgoing{}, err
	}
	peer, err := tx.ChatPeer(m.RoomID, m.UserID)
	if err != nil {
		return outgoing{}, err
	}
	return outgoing{Push: deletePush(msg, uint64(peer), uint64(userID))}, nil
}

// mayDeleteForBoth reports whether msg is still within the period in which
// its author may delete it for both members (0: never).
func (h *Handlers) mayDeleteForBoth(msg storage.Message) bool {
	if h.deleteBoth <= 0 {
		return false
	}
	return h.now().Sub(time.Unix(msg.CreateTime, 0)) <= h.deleteBoth
}
