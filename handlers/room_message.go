package handlers

import (
	"fmt"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"google.golang.org/protobuf/encoding/protojson"
)

// roomMessage renders a stored message as the protocol's RoomMessage. A
// reply or forward is rendered one level deep (the quoted message without
// its own quotes), which is all a client shows and bounds the work.
func (h *Handlers) roomMessage(tx *storage.Tx, m storage.Message) (*pb.RoomMessage, error) {
	out, err := h.roomMessages(tx, []storage.Message{m})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// roomMessages renders messages as roomMessage does, in order, reading the
// messages they quote in one statement and the uploads attached to either
// in another, however many there are.
func (h *Handlers) roomMessages(tx *storage.Tx, ms []storage.Message) ([]*pb.RoomMessage, error) {
	var quotedIDs []storage.MessageID
	for _, m := range ms {
		for _, q := range []*storage.MessageID{m.ReplyTo, m.ForwardID} {
			if q != nil {
				quotedIDs = append(quotedIDs, *q)
			}
		}
	}
	// A quote exists as long as its room does; if that is gone, the quote
	// is left out.
	quoted, err := tx.MessagesByIDs(quotedIDs)
	if err != nil {
		return nil, err
	}
	var fileIDs []storage.FileID
	for _, m := range ms {
		fileIDs = appendAttachment(fileIDs, m)
	}
	for _, q := range quoted {
		fileIDs = appendAttachment(fileIDs, q)
	}
	files, err := tx.FilesByIDs(fileIDs)
	if err != nil {
		return nil, err
	}
	flat := func(id *storage.MessageID) (*pb.RoomMessage, error) {
		q, ok := quoted[*id]
		if !ok {
			return nil, nil
		}
		return roomMessageFlat(q, files)
	}
	out := make([]*pb.RoomMessage, len(ms))
	for i, m := range ms {
		rm, err := roomMessageFlat(m, files)
		if err != nil {
			return nil, err
		}
		if m.ReplyTo != nil {
			if rm.ReplyTo, err = flat(m.ReplyTo); err != nil {
				return nil, err
			}
		}
		if m.ForwardID != nil {
			if rm.ForwardFrom, err = flat(m.ForwardID); err != nil {
				return nil, err
			}
		}
		out[i] = rm
	}
	return out, nil
}

// appendAttachment appends the id of m's attachment, if it has one.
func appendAttachment(ids []storage.FileID, m storage.Message) []storage.FileID {
	if m.AttachmentID != nil {
		ids = append(ids, *m.AttachmentID)
	}
	return ids
}

// roomMessageFlat renders m without its reply and forward; files holds its
// attachment, read with the others of its page (an attachment missing from
// it is storage.ErrNotFound).
func roomMessageFlat(m storage.Message, files map[storage.FileID]storage.File) (*pb.RoomMessage, error) {
	rm := &pb.RoomMessage{
		MessageId:         uint64(m.ID),
		MessageVersion:    uint64(m.MessageVersion),
		Status:            pb.RoomMessageStatus(m.Status),
		StatusVersion:     uint64(m.StatusVersion),
		MessageType:       pb.RoomMessageType(m.Type),
		Message:           m.Body,
		Author:            &pb.RoomMessage_Author{Hash: authorHash(m.AuthorID), User: &pb.RoomMessage_Author_User{UserId: uint64(m.AuthorID)}},
		Edited:            m.Edited,
		CreateTime:        uint32(m.CreateTime),
		UpdateTime:        uint32(m.UpdateTime),
		Deleted:           m.Deleted,
		PreviousMessageId: uint64(m.PreviousID),
		RandomId:          uint64(m.RandomID),
		AdditionalType:    m.AdditionalType,
		AdditionalData:    m.AdditionalData,
	}
	if m.LocationLat != nil && m.LocationLon != nil {
		rm.Location = &pb.RoomMessageLocation{Lat: *m.LocationLat, Lon: *m.LocationLon}
	}
	if m.Contact != nil {
		c := &pb.RoomMessageContact{}
		if err := protojson.Unmarshal([]byte(*m.Contact), c); err != nil {
			return nil, err
		}
		rm.Contact = c
	}
	if m.LogType != nil {
		rm.Log = &pb.RoomMessageLog{Type: pb.RoomMessageLog_Type(*m.LogType)}
		if m.LogTarget != nil {
			rm.Log.ExtraType = pb.RoomMessageLog_TARGET_USER
			rm.Log.TargetUser = &pb.RoomMessageLog_TargetUser{Id: uint64(*m.LogTarget)}
		}
	}
	if m.AttachmentID != nil {
		f, ok := files[*m.AttachmentID]
		if !ok {
			return nil, fmt.Errorf("attachment %d: %w", *m.AttachmentID, storage.ErrNotFound)
		}
		rm.Attachment = fileMessage(f)
	}
	return rm, nil
}

// encodeContact turns a message's contact into what storage keeps.
func encodeContact(c *pb.RoomMessageContact) (*string, error) {
	if c == nil {
		return nil, nil
	}
	b, err := protojson.Marshal(c)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}
