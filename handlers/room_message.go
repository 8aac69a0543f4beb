package handlers

import (
	"errors"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"google.golang.org/protobuf/encoding/protojson"
)

// roomMessage renders a stored message as the protocol's RoomMessage. A
// reply or forward is rendered one level deep (the quoted message without
// its own quotes), which is all a client shows and bounds the work.
func (h *Handlers) roomMessage(tx *storage.Tx, m storage.Message) (*pb.RoomMessage, error) {
	rm, err := h.roomMessageFlat(tx, m)
	if err != nil {
		return nil, err
	}
	if m.ReplyTo != nil {
		if rm.ReplyTo, err = h.quoted(tx, *m.ReplyTo); err != nil {
			return nil, err
		}
	}
	if m.ForwardID != nil {
		if rm.ForwardFrom, err = h.quoted(tx, *m.ForwardID); err != nil {
			return nil, err
		}
	}
	return rm, nil
}

// quoted renders the message a reply or forward points at. It exists as
// long as its room does; if that is gone, the quote is left out.
func (h *Handlers) quoted(tx *storage.Tx, id storage.MessageID) (*pb.RoomMessage, error) {
	q, err := tx.MessageByID(id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return h.roomMessageFlat(tx, q)
}

// roomMessageFlat renders m without its reply and forward.
func (h *Handlers) roomMessageFlat(tx *storage.Tx, m storage.Message) (*pb.RoomMessage, error) {
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
		f, err := h.describeFile(tx, *m.AttachmentID)
		if err != nil {
			return nil, err
		}
		rm.Attachment = f
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
