package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ClientGetRoomList returns a page of the caller's rooms, pinned ones first,
// then newest activity first, each as the caller sees it. An offset past the
// end is an empty page, which ends a client's paging. Rooms the caller
// deleted from its list (ChatDelete) come back with their next message.
func (h *Handlers) ClientGetRoomList(ctx context.Context, s wire.Session, req *pb.ClientGetRoomList) (*pb.ClientGetRoomListResponse, error) {
	resp := &pb.ClientGetRoomListResponse{}
	p := req.GetPagination()
	limit := pageLimit(p.GetLimit(), validate.ClientGetRoomListPage, validate.ClientGetRoomListMaxPage)
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		rms, err := tx.RoomsOf(userOf(s), int(p.GetOffset()), limit)
		if err != nil {
			return err
		}
		resp.Rooms, err = h.rooms(tx, userOf(s), rms)
		return err
	})
	return resp, err
}

// ClientGetRoom returns one room of the caller's. A room that does not
// exist and one the caller is not in are both 614, so room ids cannot be
// probed.
func (h *Handlers) ClientGetRoom(ctx context.Context, s wire.Session, req *pb.ClientGetRoom) (*pb.ClientGetRoomResponse, error) {
	resp := &pb.ClientGetRoomResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		r, m, err := memberOf(tx, storage.RoomID(req.RoomId), userOf(s))
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
