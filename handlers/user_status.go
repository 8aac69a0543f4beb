package handlers

import (
	"context"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserUpdateStatus stores what the client says (ONLINE or OFFLINE) with now
// as the user's last seen time, and pushes the change to the user's other
// sessions and to the status audience (storage.Audience: those who share a
// chat or group with the user or have them among their contacts, less those
// the user has blocked, kept to those the user's USER_STATUS rule lets see
// it).
func (h *Handlers) UserUpdateStatus(ctx context.Context, s wire.Session, req *pb.UserUpdateStatus) (*pb.UserUpdateStatusResponse, error) {
	me := userOf(s)
	var to []uint64
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		if err := tx.SetPresence(me, req.Status == pb.UserUpdateStatus_ONLINE, h.unix(), h.node); err != nil {
			return err
		}
		var err error
		to, err = h.audience(tx, me, storage.PrivacyUserStatus)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.UserUpdateStatusResponse{Status: req.Status, UserId: uint64(me)}
	h.pushTo(s, dispatch.PushUserUpdateStatus(resp, to...))
	return resp, nil
}

// audience is who hears of a change to me's status or profile that rule (a
// PrivacyType, or storage.NoPrivacyRule) governs: me's own sessions and
// storage.Audience.
func (h *Handlers) audience(tx *storage.Tx, me storage.UserID, rule int32) ([]uint64, error) {
	ids, err := tx.Audience(me, rule)
	if err != nil {
		return nil, err
	}
	to := make([]uint64, 0, len(ids)+1)
	to = append(to, uint64(me))
	for _, id := range ids {
		to = append(to, uint64(id))
	}
	return to, nil
}

// userGoneTimeout bounds UserGone's transaction, which no request's
// deadline covers.
const userGoneTimeout = 10 * time.Second

// onlineCounter is a Pusher that counts a user's live connections
// (server.Hub).
type onlineCounter interface{ Online(userID uint64) int }

// UserGone marks a user whose last connection went OFFLINE, last seen now,
// and pushes that as UserUpdateStatus to the status audience, when they had
// been ONLINE. The server calls it (server.Hub.OnUserGone) when the user's
// last connection on this node goes; a user who connected again meanwhile,
// or who is still connected to another node, is left alone.
func (h *Handlers) UserGone(userID uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), userGoneTimeout)
	defer cancel()
	if err := h.markGone(ctx, userID); err != nil {
		// Most often the database closing at shutdown.
		h.log.Warn("marking a user offline failed", "user_id", userID, "err", err)
	}
}

// markGone marks the user OFFLINE and pushes so, unless a connection of
// theirs is open on this node or (in a cluster) on another.
func (h *Handlers) markGone(ctx context.Context, userID uint64) error {
	if oc, ok := h.hub.(onlineCounter); ok && oc.Online(userID) > 0 {
		return nil
	}
	if h.clustered() && h.hub.(clusterPusher).OnlineAnywhere(ctx, userID) {
		return nil
	}
	me := storage.UserID(userID)
	var to []uint64
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		was, err := tx.WentOffline(me, h.unix())
		if err != nil || !was {
			return err
		}
		to, err = h.audience(tx, me, storage.PrivacyUserStatus)
		return err
	})
	if err == nil && len(to) > 0 {
		resp := &pb.UserUpdateStatusResponse{Status: pb.UserUpdateStatus_OFFLINE, UserId: userID}
		h.pushTo(nil, dispatch.PushUserUpdateStatus(resp, to...))
	}
	return err
}

// NodeAlive records that this node lives, for the other nodes' SweepStranded.
func (h *Handlers) NodeAlive(ctx context.Context) error {
	return h.db.Write(ctx, func(tx *storage.Tx) error { return tx.NodeSeen(h.node, h.unix()) })
}

// strandedBatch is how many stranded users one read of SweepStranded takes.
const strandedBatch = 200

// SweepStranded marks OFFLINE, and pushes so, the users a node left ONLINE
// when it died: a node silent for silentFor, and with own (at a start) an
// earlier run of this one. A user connected again on some node meanwhile is
// left ONLINE. It returns how many it looked at.
func (h *Handlers) SweepStranded(ctx context.Context, silentFor time.Duration, own bool) (int, error) {
	cutoff := h.unix() - int64(silentFor/time.Second)
	seen := 0
	var after storage.UserID
	for ctx.Err() == nil {
		var ids []storage.UserID
		err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
			ids, err = tx.StrandedOnline(h.node, own, cutoff, after, strandedBatch)
			return err
		})
		if err != nil {
			return seen, err
		}
		for _, id := range ids {
			if err := h.markGone(ctx, uint64(id)); err != nil {
				return seen, err
			}
		}
		seen += len(ids)
		if len(ids) < strandedBatch {
			return seen, nil
		}
		after = ids[len(ids)-1]
	}
	return seen, ctx.Err()
}

// MarkAllOffline marks every user offline, keeping their last seen times: a
// single node starting has no connections, so whoever was online when it
// stopped is not any more.
func (h *Handlers) MarkAllOffline(ctx context.Context) error {
	return h.db.Write(ctx, func(tx *storage.Tx) error { return tx.AllOffline() })
}
