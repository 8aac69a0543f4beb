package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupEdit renames a group and sets its description; every member is told.
// The seed gives GroupEdit no FORBIDDEN error; a later release's 363 refuses
// the roles that may not edit.
func (h *Handlers) GroupEdit(ctx context.Context, s wire.Session, req *pb.GroupEdit) (*pb.GroupEditResponse, error) {
	rf := errs.GroupEditRefusals
	var c change
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, storage.RoomID(req.RoomId), groupRooms, userOf(s), dispatch.ActionGroupEdit, rf)
		if err != nil {
			return err
		}
		if err := tx.SetRoomInfo(m.RoomID, req.Name, req.Description); err != nil {
			return err
		}
		c, err = h.changed(tx, m.RoomID, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupEditResponse{RoomId: req.RoomId, Name: req.Name, Description: req.Description}
	h.announce(s, groupRooms, dispatch.PushGroupEdit(resp), req.RoomId, c)
	return resp, nil
}
