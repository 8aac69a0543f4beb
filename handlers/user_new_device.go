package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	qrcode "github.com/skip2/go-qrcode"
	"google.golang.org/protobuf/proto"
)

// qrSize is the width and height of the QR code image, in pixels.
const qrSize = 256

// waitingDevices are the connections of this node that asked to be let in
// (QrCodeNewDevice), by the hash of their token, so UserVerifyNewDevice can
// send the new device its login token. Only this node's: in a cluster the
// token for a device that asked on another node is relayed to that node
// (Relayed).
type waitingDevices struct {
	mu     sync.Mutex
	byHash map[string]waiting
	bySess map[wire.Session]string
}

type waiting struct {
	s       wire.Session
	expires int64
}

func newWaitingDevices() *waitingDevices {
	return &waitingDevices{byHash: map[string]waiting{}, bySess: map[wire.Session]string{}}
}

// put records s as waiting under hash until expires and returns the hash it
// waited under before ("" for none), which no longer works. Entries past
// their time go here, so connections that never got let in are not kept.
func (w *waitingDevices) put(s wire.Session, hash []byte, now, expires int64) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for h, e := range w.byHash {
		if e.expires <= now {
			delete(w.byHash, h)
			delete(w.bySess, e.s)
		}
	}
	old := w.bySess[s]
	delete(w.byHash, old)
	w.byHash[string(hash)], w.bySess[s] = waiting{s, expires}, string(hash)
	return old
}

// take removes and returns the session waiting under hash, or nil.
func (w *waitingDevices) take(hash []byte) wire.Session {
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.byHash[string(hash)]
	if !ok {
		return nil
	}
	delete(w.byHash, string(hash))
	delete(w.bySess, e.s)
	return e.s
}

// QrCodeNewDevice gives a device that is not logged in a one-time token,
// as a QR code, for a logged-in device of the account to scan and send with
// UserVerifyNewDevice; the token lives validate.QrCodeNewDeviceLifetime
// seconds and a newer request of the connection replaces it.
func (h *Handlers) QrCodeNewDevice(ctx context.Context, s wire.Session, req *pb.QrCodeNewDevice) (*pb.QrCodeNewDeviceResponse, error) {
	now := h.unix()
	token, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	png, err := qrcode.Encode(token, qrcode.Medium, qrSize)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	link := storage.DeviceLink{TokenHash: hash, ExpiresAt: now + validate.QrCodeNewDeviceLifetime,
		DeviceInfo: storage.DeviceInfo{
			AppName: req.AppName, AppID: req.AppId, AppBuildVersion: req.AppBuildVersion, AppVersion: req.AppVersion,
			Platform: int32(req.Platform), PlatformVersion: req.PlatformVersion, Device: int32(req.Device),
			DeviceName: req.DeviceName, IP: hostOnly(s.RemoteAddr()),
		}}
	err = h.db.Write(ctx, func(tx *storage.Tx) error {
		if err := tx.PruneDeviceLinks(now); err != nil {
			return err
		}
		return tx.PutDeviceLink(link)
	})
	if err != nil {
		return nil, fmt.Errorf("qr code new device: %w", err)
	}
	if old := h.waiting.put(s, hash, now, link.ExpiresAt); old != "" {
		// The earlier token is void; its row would lapse anyway.
		if err := h.db.Write(ctx, func(tx *storage.Tx) error { return tx.DropDeviceLink([]byte(old)) }); err != nil {
			h.log.WarnContext(ctx, "earlier new-device token not dropped; it lapses", "err", err)
		}
	}
	return &pb.QrCodeNewDeviceResponse{QrCodeImage: png, ExpireTime: validate.QrCodeNewDeviceLifetime}, nil
}

// UserVerifyNewDevice lets in the device whose token the caller scanned: a
// new session of the caller's account is made with the facts the device
// gave, and the device's connection is sent UserVerifyResponse (30101) with
// its login token. The token works once.
func (h *Handlers) UserVerifyNewDevice(ctx context.Context, s wire.Session, req *pb.UserVerifyNewDevice) (*pb.UserVerifyNewDeviceResponse, error) {
	now := h.unix()
	hash := hashToken(req.Token)
	var (
		link    storage.DeviceLink
		waiter  wire.Session
		sess    storage.Session
		token   string
		outcome error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		link, err = tx.TakeDeviceLink(hash)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserVerifyNewDeviceInvalidToken()
			return nil
		}
		if err != nil {
			return err
		}
		// A device not waiting here may wait on another node.
		if waiter = h.waiting.take(hash); (waiter == nil && !h.clustered()) || now >= link.ExpiresAt {
			outcome = errs.NewUserVerifyNewDeviceExpiredToken()
			return nil // the row is gone with the commit
		}
		var th []byte
		if token, th, err = newToken(); err != nil {
			return err
		}
		if sess, err = tx.CreateSession(userOf(s), th, now); err != nil {
			return err
		}
		// The facts the new device gave, until its UserLogin reports its own.
		d := link.DeviceInfo
		return tx.DescribeSession(sess.ID, d)
	})
	if err != nil {
		return nil, fmt.Errorf("user verify new device: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	if !h.handOver(ctx, waiter, hash, &pb.UserVerifyResponse{Token: token}) {
		// The device went before it got its token: the session is void.
		if rerr := h.db.Write(ctx, func(tx *storage.Tx) error { return tx.RevokeSession(sess.ID) }); rerr != nil {
			return nil, fmt.Errorf("revoke undelivered session: %w", rerr)
		}
		return nil, errs.NewUserVerifyNewDeviceExpiredToken()
	}
	d := link.DeviceInfo
	return &pb.UserVerifyNewDeviceResponse{
		AppName: d.AppName, AppId: d.AppID, AppBuildVersion: d.AppBuildVersion, AppVersion: d.AppVersion,
		Platform: pb.Platform(d.Platform), PlatformVersion: d.PlatformVersion, Device: pb.Device(d.Device),
		DeviceName: d.DeviceName,
	}, nil
}

// handOver sends the new device that waits under hash its login token:
// on its connection here (waiter), or else through the node it waits on.
// It reports whether the device got it.
func (h *Handlers) handOver(ctx context.Context, waiter wire.Session, hash []byte, resp *pb.UserVerifyResponse) bool {
	if waiter != nil {
		return waiter.Send(ctx, dispatch.ResponseUserVerify, resp) == nil
	}
	payload, err := proto.Marshal(resp)
	if err != nil {
		h.log.ErrorContext(ctx, "new device token not encoded", "err", err)
		return false
	}
	return h.hub.(clusterPusher).Relay(ctx, hash, payload)
}

// Relayed sends the login token another node's UserVerifyNewDevice relays
// (payload, a UserVerifyResponse) to the device of this node that waits
// under hash, and reports whether it did. The server calls it
// (server.Hub.OnRelay).
func (h *Handlers) Relayed(ctx context.Context, hash, payload []byte) bool {
	var resp pb.UserVerifyResponse
	if err := proto.Unmarshal(payload, &resp); err != nil {
		h.log.ErrorContext(ctx, "ignoring a malformed relayed new device token", "err", err)
		return false
	}
	waiter := h.waiting.take(hash)
	return waiter != nil && waiter.Send(ctx, dispatch.ResponseUserVerify, &resp) == nil
}
