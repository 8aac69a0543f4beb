package handlers

import (
	"context"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// catchUpPage is how many changes catch-up reads per transaction: memory
// stays flat however long the client was away, and no read transaction is
// held open while the client reads.
const catchUpPage = 200

// catchUpStall is how long catch-up waits for the client to make room for
// the next push. Catch-up is not bound by the handler's deadline: a client
// back from a long absence may need longer than one request is given, and
// would otherwise never finish (each repeat would start over). It is bound
// by the client's progress instead: a client that reads nothing for this
// long fails the request.
const catchUpStall = 30 * time.Second

// catchUp sends this connection what it misses in room r, as the pushes it
// would have received live, in version order. Changes the client made itself
// (r.own) are left out.
func (h *Handlers) catchUp(ctx context.Context, s wire.Session, r *syncRoom) error {
	ctx = context.WithoutCancel(ctx)
	var after storage.Change
	for {
		var pushes []outgoing
		err := h.db.Read(ctx, func(tx *storage.Tx) error {
			cs, err := tx.Changes(r.member, r.since, after, catchUpPage)
			if err != nil || len(cs) == 0 {
				return err
			}
			after = cs[len(cs)-1]
			pushes = make([]outgoing, 0, len(cs))
			for _, c := range cs {
				if r.own[c.Version] {
					continue
				}
				msg, err := tx.MessageByID(c.MessageID)
				if err != nil {
					return err
				}
				if c.Kind == storage.ChangeDelete {
					// A message the member hid from itself is told as a
					// delete at the hide's version.
					msg.DeleteVersion = c.Version
				}
				o, err := h.changePush(tx, r.room, c.Kind, msg)
				if err != nil {
					return err
				}
				pushes = append(pushes, o)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if pushes == nil {
			return nil
		}
		header := &pb.Response{Timestamp: uint32(h.unix())}
		for _, o := range pushes {
			setHeader(o.msg, header)
			sendCtx, cancel := context.WithTimeout(ctx, catchUpStall)
			err := s.Send(sendCtx, o.action, o.msg)
			cancel()
			if err != nil {
				return err
			}
		}
	}
}

// changePush is the push that tells of one change to msg, as the room's own
// actions push it. Groups and channels have no edit or delete pushes, and
// channels no status ones; those changes are told by sending the message as
// it now is, which clients store over the copy they have.
func (h *Handlers) changePush(tx *storage.Tx, room storage.Room, kind storage.ChangeKind, msg storage.Message) (outgoing, error) {
	rid := uint64(room.ID)
	switch {
	case room.Type == storage.RoomChat && kind == storage.ChangeEdit:
		return outgoing{action: dispatch.ActionChatEditMessage + wire.ResponseOffset, msg: &pb.ChatEditMessageResponse{
			RoomId: rid, MessageId: uint64(msg.ID), MessageVersion: uint64(msg.MessageVersion),
			Message: msg.Body, MessageType: pb.RoomMessageType(msg.Type)}}, nil
	case room.Type == storage.RoomChat && kind == storage.ChangeDelete:
		return outgoing{action: dispatch.ActionChatDeleteMessage + wire.ResponseOffset, msg: &pb.ChatDeleteMessageResponse{
			RoomId: rid, MessageId: uint64(msg.ID), DeleteVersion: uint64(msg.DeleteVersion)}}, nil
	case kind == storage.ChangeStatus && room.Type == storage.RoomChat:
		// In a chat, only the author's peer reports statuses.
		reader, err := tx.ChatPeer(room.ID, msg.AuthorID)
		if err != nil {
			return outgoing{}, err
		}
		return outgoing{action: dispatch.ActionChatUpdateStatus + wire.ResponseOffset, msg: &pb.ChatUpdateStatusResponse{
			RoomId: rid, MessageId: uint64(msg.ID), Status: pb.RoomMessageStatus(msg.Status),
			StatusVersion: uint64(msg.StatusVersion), UpdaterAuthorHash: authorHash(reader)}}, nil
	case kind == storage.ChangeStatus && room.Type == storage.RoomGroup:
		return outgoing{action: dispatch.ActionGroupUpdateStatus + wire.ResponseOffset, msg: &pb.GroupUpdateStatusResponse{
			RoomId: rid, MessageId: uint64(msg.ID), Status: pb.RoomMessageStatus(msg.Status), StatusVersion: uint64(msg.StatusVersion)}}, nil
	}
	rendered, err := h.roomMessage(tx, msg)
	if err != nil {
		return outgoing{}, err
	}
	var out proto.Message
	action := dispatch.ActionChatSendMessage
	switch room.Type {
	case storage.RoomGroup:
		action, out = dispatch.ActionGroupSendMessage, &pb.GroupSendMessageResponse{RoomId: rid, RoomMessage: rendered}
	case storage.RoomChannel:
		action, out = dispatch.ActionChannelSendMessage, &pb.ChannelSendMessageResponse{RoomId: rid, RoomMessage: rendered}
	default:
		out = &pb.ChatSendMessageResponse{RoomId: rid, RoomMessage: rendered}
	}
	return outgoing{action: action + wire.ResponseOffset, msg: out}, nil
}
