package handlers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
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

// catchUpRooms is how many rooms one statement of catch-up reads the
// changes of: each adds a row of parameters, and databases bound how many a
// statement may have.
const catchUpRooms = 500

// catchUp sends this connection what it misses in rooms, as the pushes it
// would have received live: room after room, each in version order. Changes
// the client made itself (r.own) are left out. Each page of changes, of
// whichever rooms, costs the same few statements.
func (h *Handlers) catchUp(ctx context.Context, s wire.Session, rooms []*syncRoom) error {
	ctx = context.WithoutCancel(ctx)
	for len(rooms) > 0 {
		chunk := rooms[:min(len(rooms), catchUpRooms)]
		rooms = rooms[len(chunk):]
		if err := h.catchUpChunk(ctx, s, chunk); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handlers) catchUpChunk(ctx context.Context, s wire.Session, rooms []*syncRoom) error {
	points := make([]storage.SyncPoint, len(rooms))
	for i, r := range rooms {
		points[i] = storage.SyncPoint{Member: r.member, Since: r.since}
	}
	var after storage.Change
	for {
		var pushes []dispatch.Push
		err := h.db.Read(ctx, func(tx *storage.Tx) error {
			cs, err := tx.PointChanges(points, after, catchUpPage)
			if err != nil || len(cs) == 0 {
				return err
			}
			after = cs[len(cs)-1]
			pushes, err = h.changePushes(tx, rooms, cs)
			return err
		})
		if err != nil {
			return err
		}
		if pushes == nil {
			return nil
		}
		header := &pb.Response{Timestamp: uint32(h.unix())}
		for _, p := range pushes {
			p.Message().SetResponse(header)
			sendCtx, cancel := context.WithTimeout(ctx, catchUpStall)
			err := s.Send(sendCtx, p.Action(), p.Message())
			cancel()
			if err != nil {
				return err
			}
		}
	}
}

// changePushes builds the pushes of a page of changes of rooms, leaving
// out the client's own: the changed messages are read in one statement and
// those sent whole rendered together (roomMessages), however many there are.
func (h *Handlers) changePushes(tx *storage.Tx, rooms []*syncRoom, cs []storage.Change) ([]dispatch.Push, error) {
	cs = slices.DeleteFunc(slices.Clone(cs), func(c storage.Change) bool { return rooms[c.Point].own[c.Version] })
	ids := make([]storage.MessageID, len(cs))
	for i, c := range cs {
		ids[i] = c.MessageID
	}
	byID, err := tx.MessagesByIDs(ids)
	if err != nil {
		return nil, err
	}
	msgs := make([]storage.Message, len(cs))
	var whole []storage.Message
	for i, c := range cs {
		msg, ok := byID[c.MessageID]
		if !ok {
			return nil, fmt.Errorf("changed message %d: %w", c.MessageID, storage.ErrNotFound)
		}
		if c.Kind == storage.ChangeDelete {
			// A message the member hid from itself is told as a delete at
			// the hide's version.
			msg.DeleteVersion = c.Version
		}
		msgs[i] = msg
		if sentWhole(rooms[c.Point].room, c.Kind) {
			whole = append(whole, msg)
		}
	}
	rendered, err := h.roomMessages(tx, whole)
	if err != nil {
		return nil, err
	}
	pushes := make([]dispatch.Push, len(cs))
	for i, c := range cs {
		room := rooms[c.Point].room
		var out *pb.RoomMessage
		if sentWhole(room, c.Kind) {
			out, rendered = rendered[0], rendered[1:]
		}
		pushes[i] = changePush(room, c.Kind, msgs[i], out)
	}
	return pushes, nil
}
