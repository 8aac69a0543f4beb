package handlers

import (
	"context"
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

// catchUp sends this connection what it misses in room r, as the pushes it
// would have received live, in version order. Changes the client made itself
// (r.own) are left out.
func (h *Handlers) catchUp(ctx context.Context, s wire.Session, r *syncRoom) error {
	ctx = context.WithoutCancel(ctx)
	var after storage.Change
	for {
		var pushes []dispatch.Push
		err := h.db.Read(ctx, func(tx *storage.Tx) error {
			cs, err := tx.Changes(r.member, r.since, after, catchUpPage)
			if err != nil || len(cs) == 0 {
				return err
			}
			after = cs[len(cs)-1]
			pushes = make([]dispatch.Push, 0, len(cs))
			for _, c := range cs {
				if r.own[c.Version] {
					continue
				}
				msg, err := tx.MessageByID(c.MessageID)
				if err != nil {
					return err
				}
				if c.Kind == storage.ChangeDelete {
					// A message the member hid from itself is told as a
					// delete at the hide's version.
					msg.DeleteVersion = c.Version
				}
				o, err := h.changePush(tx, r.room, c.Kind, msg)
				if err != nil {
					return err
				}
				pushes = append(pushes, o)
			}
			return nil
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
