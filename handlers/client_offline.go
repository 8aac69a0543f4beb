package handlers

import (
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

const conditionAction = "ClientCondition"

// applyOffline applies what the client did in room r while offline, inside
// ClientCondition's transaction, through the same code as the live actions.
// A refused change is reported as its virtual error and skipped; an internal
// error fails the whole request. Changes that already took effect (an
// earlier ClientCondition applied them) are skipped without error.
func (h *Handlers) applyOffline(tx *storage.Tx, s wire.Session, r *syncRoom) ([]outgoing, error) {
	var out []outgoing
	uid, room, cr := userOf(s), r.room, r.req
	virtual := func(err error, refused *wire.Error) error {
		var we *wire.Error
		if !errors.As(err, &we) {
			return err
		}
		s.Virtual(conditionAction, refused)
		return nil
	}

	for _, d := range offlineDeletes(cr) {
		id := storage.MessageID(d.MessageId)
		if applied(tx, room.ID, id, func(m storage.Message) bool { return m.Deleted }) {
			continue
		}
		if room.Type != storage.RoomChat {
			s.Virtual(conditionAction, errs.NewClientUpdateDeleteMessageBadPayload())
			continue
		}
		// Already hidden from the caller by an earlier ClientCondition.
		if hidden, err := tx.IsHidden(uid, id); err != nil {
			return nil, err
		} else if hidden {
			continue
		}
		o, err := h.deleteChatMessage(tx, uid, &pb.ChatDeleteMessage{RoomId: cr.RoomId, MessageId: d.MessageId, Both: d.Both})
		if err != nil {
			if err = virtual(err, errs.NewClientUpdateDeleteMessageBadPayload()); err != nil {
				return nil, err
			}
			continue
		}
		r.own[storage.Version(o.Message().(*pb.ChatDeleteMessageResponse).DeleteVersion)] = true
		out = append(out, o)
	}

	for _, e := range lastEdits(cr.OfflineEdited) {
		if applied(tx, room.ID, storage.MessageID(e.MessageId), func(m storage.Message) bool { return m.Body == e.Message }) {
			continue
		}
		if room.Type != storage.RoomChat {
			s.Virtual(conditionAction, errs.NewClientUpdateMessageForbidden())
			continue
		}
		o, err := h.editChatMessage(tx, uid, &pb.ChatEditMessage{RoomId: cr.RoomId, MessageId: e.MessageId, Message: e.Message})
		if err != nil {
			refused := errs.NewClientUpdateMessageBadPayload()
			if errors.Is(err, errs.NewChatEditMessageForbidden()) {
				refused = errs.NewClientUpdateMessageForbidden()
			}
			if err = virtual(err, refused); err != nil {
				return nil, err
			}
			continue
		}
		r.own[storage.Version(o.Message().(*pb.ChatEditMessageResponse).MessageVersion)] = true
		out = append(out, o)
	}

	for _, mk := range offlineMarks(cr) {
		if room.Type == storage.RoomChannel {
			// Channels have no read receipts.
			s.Virtual(conditionAction, errs.NewClientUpdateMessageStatusBadPayload())
			continue
		}
		rf := errs.Refusals{
			BadRoom:    errs.NewClientUpdateMessageStatusBadPayload,
			Forbidden:  errs.NewClientUpdateMessageStatusForbidden,
			BadMessage: errs.NewClientUpdateMessageStatusBadPayload,
		}
		o, err := h.raiseStatus(tx, uid, room.ID, room.Type, mk.id, mk.status, rf)
		if err != nil {
			var we *wire.Error
			if !errors.As(err, &we) {
				return nil, err
			}
			s.Virtual(conditionAction, we)
			continue
		}
		if o.changed {
			r.own[o.version] = true
			out = append(out, o.push)
		}
	}

	if cr.OfflineMute != pb.ClientCondition_Room_UNCHANGED {
		if err := tx.SetMuted(room.ID, uid, cr.OfflineMute == pb.ClientCondition_Room_MUTED); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// offlineMark is a status the client reported offline: seen, or listened
// (a voice message played).
type offlineMark struct {
	id     storage.MessageID
	status pb.RoomMessageStatus
}

// Offline changes are collapsed to one per message (and per status) before
// they are applied: each applied change is a push to the peer, and a
// request repeating one message a thousand times must not become a
// thousand pushes (a push storm that fills the peer's queue).

// offlineDeletes lists the messages deleted offline, once each: field 14
// with both as the client chose (its last entry for a message), then field
// 6 for messages field 14 does not name. Android up to 0.3.1 sent plain ids
// there; those clients had only one delete, which removed the message on
// both sides, so field 6 means both, under the same author and period rules.
func offlineDeletes(cr *pb.ClientCondition_Room) []*pb.ClientCondition_Room_OfflineDeleted {
	at := make(map[uint64]int, len(cr.OfflineDeleted)+len(cr.OfflineDeletedDeprecated))
	var ds []*pb.ClientCondition_Room_OfflineDeleted
	for _, d := range cr.OfflineDeleted {
		if i, ok := at[d.MessageId]; ok {
			ds[i] = d
			continue
		}
		at[d.MessageId] = len(ds)
		ds = append(ds, d)
	}
	for _, id := range cr.OfflineDeletedDeprecated {
		if _, ok := at[id]; ok {
			continue
		}
		at[id] = len(ds)
		ds = append(ds, &pb.ClientCondition_Room_OfflineDeleted{MessageId: id, Both: true})
	}
	return ds
}

// lastEdits keeps the last offline edit of each message, in the order the
// messages were first edited: only the final text matters.
func lastEdits(es []*pb.ClientCondition_Room_OfflineEdited) []*pb.ClientCondition_Room_OfflineEdited {
	at := make(map[uint64]int, len(es))
	out := make([]*pb.ClientCondition_Room_OfflineEdited, 0, len(es))
	for _, e := range es {
		if i, ok := at[e.MessageId]; ok {
			out[i] = e
			continue
		}
		at[e.MessageId] = len(out)
		out = append(out, e)
	}
	return out
}

// offlineMarks lists the seen marks, then the listened ones, each
// (message, status) once.
func offlineMarks(cr *pb.ClientCondition_Room) []offlineMark {
	marks := make([]offlineMark, 0, len(cr.OfflineSeen)+len(cr.OfflineListened))
	seen := make(map[offlineMark]bool, cap(marks))
	add := func(ids []uint64, st pb.RoomMessageStatus) {
		for _, id := range ids {
			if mk := (offlineMark{storage.MessageID(id), st}); !seen[mk] {
				seen[mk] = true
				marks = append(marks, mk)
			}
		}
	}
	add(cr.OfflineSeen, pb.RoomMessageStatus_SEEN)
	add(cr.OfflineListened, pb.RoomMessageStatus_LISTENED)
	return marks
}

// applied reports whether message id of the room exists and already is as
// the offline change would make it.
func applied(tx *storage.Tx, roomID storage.RoomID, id storage.MessageID, done func(storage.Message) bool) bool {
	m, err := tx.MessageInRoom(roomID, id)
	return err == nil && done(m)
}
