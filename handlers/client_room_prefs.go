package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// A member's own settings of a room: mute and pin. They change nothing for
// the other members, so nothing is pushed.

// ClientMuteRoom mutes or unmutes a room for the caller; Room.room_mute
// shows it.
func (h *Handlers) ClientMuteRoom(ctx context.Context, s wire.Session, req *pb.ClientMuteRoom) (*pb.ClientMuteRoomResponse, error) {
	rf := errs.ClientMuteRoomRefusals
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		r, _, err := access(tx, storage.RoomID(req.RoomId), userOf(s), rf)
		if err != nil {
			return err
		}
		return tx.SetMuted(r.ID, userOf(s), req.RoomMute == pb.RoomMute_MUTE)
	})
	if err != nil {
		return nil, err
	}
	return &pb.ClientMuteRoomResponse{RoomId: req.RoomId, RoomMute: req.RoomMute}, nil
}

// ClientPinRoom pins or unpins a room in the caller's list.
func (h *Handlers) ClientPinRoom(ctx context.Context, s wire.Session, req *pb.ClientPinRoom) (*pb.ClientPinRoomResponse, error) {
	rf := errs.ClientPinRoomRefusals
	var pin int64
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		r, _, err := access(tx, storage.RoomID(req.RoomId), userOf(s), rf)
		if err != nil {
			return err
		}
		if !req.Pin {
			return tx.UnpinRoom(r.ID, userOf(s))
		}
		pin, err = tx.PinRoom(r.ID, userOf(s))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &pb.ClientPinRoomResponse{RoomId: req.RoomId, PinId: uint64(pin)}, nil
}
