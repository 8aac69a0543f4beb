package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// MaxRoomList bounds ClientGetRoomList: the request has no paging, so a
// user in more rooms gets the most recently active ones.
const MaxRoomList = 1000

// ClientGetRoomList returns the caller's rooms, newest activity first, each
// as the caller sees it. Rooms the caller deleted from its list (ChatDelete)
// come back with their next message.
func (h *Handlers) ClientGetRoomList(ctx context.Context, s wire.Session, _ *pb.ClientGetRoomList) (*pb.ClientGetRoomListResponse, error) {
	resp := &pb.ClientGetRoomListResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		ids, err := tx.RoomIDsOf(int64(s.UserID()), MaxRoomList)
		if err != nil {
			return err
		}
		resp.Rooms = make([]*pb.Room, 0, len(ids))
		for _, id := range ids {
			r, m, err := memberOf(tx, uint64(id), -1, s.UserID())
			if err != nil {
				return err
			}
			out, err := h.room(tx, r, m)
			if err != nil {
				return err
			}
			resp.Rooms = append(resp.Rooms, out)
		}
		return nil
	})
	return resp, err
}

// ClientGetRoom returns one room of the caller's. A room that does not
// exist and one the caller is not in are both 614, so room ids cannot be
// probed.
func (h *Handlers) ClientGetRoom(ctx context.Context, s wire.Session, req *pb.ClientGetRoom) (*pb.ClientGetRoomResponse, error) {
	resp := &pb.ClientGetRoomResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		r, m, err := memberOf(tx, req.RoomId, -1, s.UserID())
		if errors.Is(err, errNoRoom) || errors.Is(err, storage.ErrNotFound) {
			return errs.NewClientGetRoomNotFound()
		}
		if err != nil {
			return err
		}
		resp.Room, err = h.room(tx, r, m)
		return err
	})
	return resp, err
}
