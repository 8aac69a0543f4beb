package handlers

import (
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
)

// sendArgs is a send request of any room kind, already validated by its
// generated validator (types, lengths, the required-field table).
type sendArgs struct {
	Type       pb.RoomMessageType
	RoomID     storage.RoomID
	Text       string
	Attachment string
	Location   *pb.RoomMessageLocation
	Contact    *pb.RoomMessageContact
	ReplyTo    storage.MessageID
	Forward    *pb.RoomMessageForwardFrom
	RandomID   uint64
	// Later clients' fields 11 and 12, kept as sent.
	AdditionalType uint32
	AdditionalData string
}

// sendKind is what differs between chat, group and channel sends.
type sendKind struct {
	roomType storage.RoomKind
	// rf are the action's refusals (errs.ChatSendMessageRefusals, ...):
	// each send error numbers its minors itself.
	rf errs.Refusals
	// allow runs after membership is known and refuses a sender the room
	// does not let write (nil: every member may).
	allow func(tx *storage.Tx, r storage.Room, m storage.Member) error
}

// sent is the outcome of a send inside its transaction.
type sent struct {
	msg      storage.Message
	rendered *pb.RoomMessage
	// again: a resend of a stored random_id, nothing new was stored; its
	// push goes again to resent, the members who see the message.
	again  bool
	resent []storage.UserID
}

// storeMessage stores one message. It runs inside the request's write transaction
// and returns the action's catalogue errors for anything the request names
// that does not hold.
func (h *Handlers) storeMessage(tx *storage.Tx, userID storage.UserID, a sendArgs, k sendKind, now int64) (sent, error) {
	r, m, err := access(tx, a.RoomID, userID, k.rf, k.roomType)
	if err != nil {
		return sent{}, err
	}
	if k.allow != nil {
		if err := k.allow(tx, r, m); err != nil {
			return sent{}, err
		}
	}
	if a.RandomID != 0 {
		old, err := tx.MessageByRandomID(r.ID, userID, int64(a.RandomID))
		if err == nil {
			return h.resentMessage(tx, old)
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return sent{}, err
		}
	}
	n, err := h.newMessage(tx, userID, m, a, k)
	if err != nil {
		return sent{}, err
	}
	n.Now = now
	msg, err := tx.InsertMessage(n)
	if err != nil {
		return sent{}, err
	}
	out, err := h.roomMessage(tx, msg)
	return sent{msg: msg, rendered: out}, err
}

// resentMessage is the outcome of a resend of stored message m. Its push
// goes again, to the members who see it (none once it is deleted): the
// client resends what was not acknowledged, and the node that stored it
// may have died before its push left, so members connected to other nodes
// all along would never learn of it. Clients take a message they have
// already by its id.
func (h *Handlers) resentMessage(tx *storage.Tx, m storage.Message) (sent, error) {
	out, err := h.roomMessage(tx, m)
	if err != nil || m.Deleted {
		return sent{msg: m, rendered: out, again: true}, err
	}
	to, err := tx.MemberIDsSeeing(m.RoomID, m.ID)
	return sent{msg: m, rendered: out, again: true, resent: to}, err
}

// pushIDs are users' ids as a push takes them.
func pushIDs(users []storage.UserID) []uint64 {
	out := make([]uint64, len(users))
	for i, id := range users {
		out[i] = uint64(id)
	}
	return out
}

// newMessage checks what the request points at (file, reply, forward) and
// keeps only the parts its message type carries (the spec's payloads
// table): a TEXT message with a stray attachment stores the text alone.
func (h *Handlers) newMessage(tx *storage.Tx, userID storage.UserID, m storage.Member, a sendArgs, k sendKind) (storage.NewMessage, error) {
	n := storage.NewMessage{RoomID: m.RoomID, AuthorID: userID, RandomID: int64(a.RandomID), Type: int32(a.Type),
		AdditionalType: a.AdditionalType, AdditionalData: a.AdditionalData}
	switch {
	case a.Type == pb.RoomMessageType_LOG:
		// Log messages record what the server did (member added, ...); a
		// client cannot write one.
		return n, k.rf.LogMissing()
	case a.Type == pb.RoomMessageType_LOCATION:
		n.LocationLat, n.LocationLon = &a.Location.Lat, &a.Location.Lon
	case a.Type == pb.RoomMessageType_CONTACT:
		c, err := encodeContact(a.Contact)
		if err != nil {
			return n, err
		}
		n.Contact = c
	}
	parts := validate.RoomMessageTypeParts(a.Type)
	if parts.Message {
		n.Body = a.Text
	}
	if parts.Attachment {
		f, err := tx.AttachableFile(a.Attachment, userID)
		if errors.Is(err, storage.ErrNotFound) {
			return n, k.rf.FileNotFound()
		}
		if err != nil {
			return n, err
		}
		n.AttachmentID = &f.ID
	}
	if a.ReplyTo != 0 {
		q, err := visible(tx, m, a.ReplyTo, k.rf)
		if err != nil {
			return n, err
		}
		n.ReplyTo = &q.ID
	}
	if a.Forward != nil {
		id, err := forwardable(tx, userID, a.Forward, k)
		if err != nil {
			return n, err
		}
		n.ForwardID = &id
	}
	return n, nil
}

// forwardable checks that the sender may read the message it forwards.
func forwardable(tx *storage.Tx, userID storage.UserID, f *pb.RoomMessageForwardFrom, k sendKind) (storage.MessageID, error) {
	roomID, id := storage.RoomID(f.RoomId), storage.MessageID(f.MessageId)
	if _, err := tx.RoomByID(roomID); errors.Is(err, storage.ErrNotFound) {
		return 0, k.rf.BadForwardRoom()
	} else if err != nil {
		return 0, err
	}
	msg, err := tx.MessageInRoom(roomID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, k.rf.BadForwardMessage()
	}
	if err != nil {
		return 0, err
	}
	m, err := tx.Member(msg.RoomID, userID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!m.Sees(msg.ID) || msg.Deleted)) {
		return 0, k.rf.ForwardHidden()
	}
	return msg.ID, err
}
