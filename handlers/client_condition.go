package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// syncRoom is one reported room the caller is in, checked and ready to sync.
type syncRoom struct {
	req    *pb.ClientCondition_Room
	room   storage.Room
	member storage.Member
	since  storage.Versions
	// own are the versions the caller's offline changes took: the caller
	// has those changes already, so catch-up leaves them out.
	own map[storage.Version]bool
}

// ClientCondition brings a returning client up to date, in three steps:
//  1. every reported room is checked (600/2-11) before anything changes;
//     rooms that do not exist or that the caller has left are skipped,
//     since the client learns of those from the room list;
//  2. in the same transaction, the client's offline deletes, edits, seen
//     marks and mutes are applied as if they had been sent live, and pushed
//     alike after the commit; one that fails is a virtual error (602-609),
//     logged and counted, never sent (a request without offline changes
//     only reads, off the database's one writer);
//  3. everything else the client misses in each room since the versions it
//     reported is sent to this connection as pushes, in version order, and
//     then the response.
//
// Repeating it is safe: offline changes already applied change nothing, and
// a client that reports its new versions misses nothing.
func (h *Handlers) ClientCondition(ctx context.Context, s wire.Session, req *pb.ClientCondition) (*pb.ClientConditionResponse, error) {
	var (
		rooms  []*syncRoom
		pushes []outgoing
	)
	check := func(tx *storage.Tx) (err error) {
		rooms, err = checkSyncRooms(tx, userOf(s), req.Rooms)
		return err
	}
	var err error
	if !hasOfflineChanges(req.Rooms) {
		// Nothing to write: the checks stay off the database's one writer.
		err = h.db.Read(ctx, check)
	} else {
		// The checks and the changes are one transaction.
		err = h.db.Write(ctx, func(tx *storage.Tx) error {
			if err := check(tx); err != nil {
				return err
			}
			pushes = pushes[:0]
			for _, r := range rooms {
				out, err := h.applyOffline(tx, s, r)
				if err != nil {
					return err
				}
				pushes = append(pushes, out...)
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	h.deliver(s, pushes...)
	if err := h.catchUp(ctx, s, rooms); err != nil {
		return nil, err
	}
	return &pb.ClientConditionResponse{}, nil
}

// checkSyncRooms loads the reported rooms the user is in and checks what the
// client says of each against the room.
func checkSyncRooms(tx *storage.Tx, userID storage.UserID, reported []*pb.ClientCondition_Room) ([]*syncRoom, error) {
	bad := errs.NewClientConditionBadPayload
	// More rooms than the caller could have is refused (600/1, the rooms
	// list's minor) before any is looked up: each costs reads, and, with
	// offline changes, time on the database's one writer.
	if len(reported) > validate.ClientConditionRoomsSlack {
		n, err := tx.Memberships(userID)
		if err != nil {
			return nil, err
		}
		if len(reported) > n+validate.ClientConditionRoomsSlack {
			return nil, bad(errs.ClientConditionBadPayloadInvalidRoomId)
		}
	}
	if err := checkOfflineTotals(reported); err != nil {
		return nil, err
	}
	// The rooms, the caller's memberships and the messages the client
	// names are read for all reported rooms at once.
	ids := make([]storage.RoomID, len(reported))
	for i, cr := range reported {
		ids[i] = storage.RoomID(cr.RoomId)
	}
	in, err := tx.MemberRooms(userID, ids)
	if err != nil {
		return nil, err
	}
	var named []storage.MessageID
	for _, cr := range reported {
		if _, ok := in[storage.RoomID(cr.RoomId)]; ok {
			for _, id := range []uint64{cr.ClearId, cr.CacheStartId, cr.CacheEndId} {
				if id != 0 {
					named = append(named, storage.MessageID(id))
				}
			}
		}
	}
	msgs, err := tx.MessagesByIDs(named)
	if err != nil {
		return nil, err
	}
	var rooms []*syncRoom
	for _, cr := range reported {
		rm, ok := in[storage.RoomID(cr.RoomId)]
		if !ok {
			continue
		}
		r, m := rm.Room, rm.Member
		// Every change takes the room's next version, so a client cannot
		// have seen one above the room's counter. (One read of the room,
		// where the highest version of each kind would scan its messages.)
		since := storage.Versions{Message: storage.Version(cr.MessageVersion), Status: storage.Version(cr.StatusVersion),
			Delete: storage.Version(cr.DeleteVersion)}
		switch {
		case since.Message > r.Version:
			return nil, bad(errs.ClientConditionBadPayloadInvalidMessageVersion)
		case since.Status > r.Version:
			return nil, bad(errs.ClientConditionBadPayloadInvalidStatusVersion)
		case since.Delete > r.Version:
			return nil, bad(errs.ClientConditionBadPayloadInvalidDeleteVersion)
		}
		for _, c := range []struct {
			id    uint64
			minor wire.Minor
		}{
			{cr.ClearId, errs.ClientConditionBadPayloadInvalidClearId},
			{cr.CacheStartId, errs.ClientConditionBadPayloadInvalidCacheStartId},
			{cr.CacheEndId, errs.ClientConditionBadPayloadInvalidCacheEndId},
		} {
			if c.id == 0 {
				continue
			}
			if msg, ok := msgs[storage.MessageID(c.id)]; !ok || msg.RoomID != r.ID {
				return nil, bad(c.minor)
			}
		}
		if cr.CacheStartId != 0 && cr.CacheEndId != 0 && cr.CacheEndId < cr.CacheStartId {
			return nil, bad(errs.ClientConditionBadPayloadInvalidCacheEndId)
		}
		rooms = append(rooms, &syncRoom{req: cr, room: r, member: m, own: map[storage.Version]bool{}, since: since})
	}
	return rooms, nil
}

// checkOfflineTotals refuses a request with more offline changes of a kind,
// over all its rooms, than the spec's offline_changes (600/5, 600/6, 600/8);
// the validator bounds each room's lists alike.
func checkOfflineTotals(rooms []*pb.ClientCondition_Room) error {
	var deleted, edited, seen int
	for _, r := range rooms {
		deleted += len(r.OfflineDeleted) + len(r.OfflineDeletedDeprecated)
		edited += len(r.OfflineEdited)
		seen += len(r.OfflineSeen) + len(r.OfflineListened)
	}
	switch {
	case deleted > validate.ClientConditionOfflineChanges:
		return errs.NewClientConditionBadPayload(errs.ClientConditionBadPayloadInvalidOfflineDeleted)
	case edited > validate.ClientConditionOfflineChanges:
		return errs.NewClientConditionBadPayload(errs.ClientConditionBadPayloadInvalidOfflineEditedMessageId)
	case seen > validate.ClientConditionOfflineChanges:
		return errs.NewClientConditionBadPayload(errs.ClientConditionBadPayloadInvalidOfflineSeen)
	}
	return nil
}

// hasOfflineChanges reports whether the client reports any offline change.
func hasOfflineChanges(rooms []*pb.ClientCondition_Room) bool {
	for _, cr := range rooms {
		if len(cr.OfflineDeleted)+len(cr.OfflineDeletedDeprecated)+len(cr.OfflineEdited)+len(cr.OfflineSeen)+len(cr.OfflineListened) > 0 || cr.OfflineMute != pb.ClientCondition_Room_UNCHANGED {
			return true
		}
	}
	return false
}
