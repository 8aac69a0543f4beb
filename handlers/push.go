package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// pushTo sends p to its users' live sessions, skipping the session whose
// request caused it (that one gets the response). The push header has an
// empty response id and the server's time. Call it only after the change
// committed; the handler may then return p's message as its response,
// because the hub encodes before returning and dispatch replaces the header
// afterwards.
//
// A request pushes through one call of pushTo or deliver, after its commit:
// that call is where MaxPushesPerRecipient holds.
func (h *Handlers) pushTo(s wire.Session, p dispatch.Push) {
	h.deliver(s, outgoing{Push: p})
}

// pushNow hands one push to the hub. A failure to encode is a bug: it is
// logged rather than returned, because the change has already happened and
// the response must still go out.
func (h *Handlers) pushNow(except wire.Session, p dispatch.Push, users []uint64) {
	action, msg := p.Action(), p.Message()
	msg.SetResponse(&pb.Response{Timestamp: uint32(h.unix())})
	if m, ok := h.hub.(multiPusher); ok {
		// One encoding for every recipient (server.Hub).
		if err := m.PushMany(users, action, msg, except); err != nil {
			h.log.Error("push failed", "action", action, "users", len(users), "err", err)
		}
		return
	}
	for _, u := range users {
		if err := h.hub.Push(u, action, msg, except); err != nil {
			h.log.Error("push failed", "action", action, "user", u, "err", err)
		}
	}
}

// multiPusher is a Pusher that encodes a push once for many users.
type multiPusher interface {
	PushMany(users []uint64, action uint16, msg proto.Message, except wire.Session) error
}

// outgoing is a push decided inside a transaction and sent after it commits.
type outgoing struct {
	dispatch.Push
	// toCaller: the caller's own session gets it too (it is not part of
	// the response).
	toCaller bool
}

// MaxPushesPerRecipient bounds the pushes one request sends to any one
// user. Pushes never wait for a slow connection, so a request that makes
// thousands (a ClientCondition full of offline changes) would fill its
// recipients' queues and cost them every push after; beyond the bound the
// changes are stored with their versions but not pushed live, and the
// recipient gets them at its next ClientCondition.
const MaxPushesPerRecipient = 100

// deliver sends the pushes of a committed transaction (see pushTo), at most
// MaxPushesPerRecipient to each user.
func (h *Handlers) deliver(s wire.Session, out ...outgoing) {
	var sent map[uint64]int // needed only when the bound can be reached
	if len(out) > MaxPushesPerRecipient {
		sent = make(map[uint64]int)
	}
	withheld := 0
	for _, o := range out {
		to := o.To
		if sent != nil {
			to = make([]uint64, 0, len(o.To))
			for _, u := range o.To {
				if sent[u] >= MaxPushesPerRecipient {
					withheld++
					continue
				}
				sent[u]++
				to = append(to, u)
			}
		}
		if len(to) == 0 {
			continue
		}
		except := s
		if o.toCaller {
			except = nil
		}
		h.pushNow(except, o.Push, to)
	}
	if withheld > 0 && s != nil {
		h.log.Info("pushes beyond the per-request bound left to ClientCondition",
			"user_id", s.UserID(), "withheld", withheld)
	}
}

// commitThenPush runs fn as the request's transaction and, once it has
// committed, sends the push fn decided; its message is also the response.
func (h *Handlers) commitThenPush(ctx context.Context, s wire.Session, fn func(*storage.Tx) (outgoing, error)) (pb.Reply, error) {
	var out outgoing
	err := h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	h.deliver(s, out)
	return out.Message(), nil
}
