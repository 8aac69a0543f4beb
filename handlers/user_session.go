package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// idleCutoff is the Unix time before which an unused session has expired.
func (h *Handlers) idleCutoff() int64 { return h.now().Add(-h.idle).Unix() }

// UserSessionGetActiveList lists the caller's sessions that can still log
// in. A session with a live connection is active now; others were last
// active at their last login.
func (h *Handlers) UserSessionGetActiveList(ctx context.Context, s wire.Session, req *pb.UserSessionGetActiveList) (*pb.UserSessionGetActiveListResponse, error) {
	var ss []storage.Session
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		ss, err = tx.ActiveSessions(userOf(s), h.idleCutoff())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("active sessions: %w", err)
	}
	now := uint32(h.unix())
	resp := &pb.UserSessionGetActiveListResponse{Session: make([]*pb.UserSessionGetActiveListResponse_Session, 0, len(ss))}
	for _, x := range ss {
		active := uint32(max(x.CreatedAt, x.LastLoginAt))
		if h.hub.Live(uint64(x.ID)) {
			active = now
		}
		resp.Session = append(resp.Session, &pb.UserSessionGetActiveListResponse_Session{
			SessionId:       uint64(x.ID),
			AppName:         x.AppName,
			AppId:           x.AppID,
			AppBuildVersion: x.AppBuildVersion,
			AppVersion:      x.AppVersion,
			Platform:        pb.Platform(x.Platform),
			PlatformVersion: x.PlatformVersion,
			Device:          pb.Device(x.Device),
			DeviceName:      x.DeviceName,
			Language:        pb.Language(x.Language),
			Country:         h.countryOf(x.IP),
			Current:         uint64(x.ID) == s.DeviceID(),
			CreateTime:      uint32(x.CreatedAt),
			ActiveTime:      active,
			Ip:              x.IP,
		})
	}
	return resp, nil
}

// countryOf is the ISO code of ip's country, or "" when it cannot be placed.
func (h *Handlers) countryOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if h.geo == nil || err != nil {
		return ""
	}
	iso, err := h.geo.Country(a.Unmap().WithZone(""))
	if err != nil {
		return ""
	}
	return iso
}

// UserSessionTerminate ends another session of the caller's. Its token stops
// working in the transaction; its live connection is told after commit.
func (h *Handlers) UserSessionTerminate(ctx context.Context, s wire.Session, req *pb.UserSessionTerminate) (*pb.UserSessionTerminateResponse, error) {
	if req.SessionId == s.DeviceID() {
		return nil, errs.NewUserSessionTerminateForbidden()
	}
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		return tx.RevokeUserSession(userOf(s), storage.SessionID(req.SessionId))
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewUserSessionTerminateBadPayload(errs.UserSessionTerminateBadPayloadInvalidSessionId)
	}
	if err != nil {
		return nil, fmt.Errorf("terminate session: %w", err)
	}
	h.hub.EndSession(req.SessionId, errs.NewSessionIsTerminated())
	return &pb.UserSessionTerminateResponse{}, nil
}

// UserSessionLogout ends the caller's own session: its token stops working,
// and the connection is told and closed after this answer. 173/1 when the
// session already ended (terminated from another device meanwhile).
func (h *Handlers) UserSessionLogout(ctx context.Context, s wire.Session, req *pb.UserSessionLogout) (*pb.UserSessionLogoutResponse, error) {
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		return tx.RevokeUserSession(userOf(s), storage.SessionID(s.DeviceID()))
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewUserSessionLogoutBadPayload(errs.UserSessionLogoutBadPayloadInvalidSessionId)
	}
	if err != nil {
		return nil, fmt.Errorf("logout: %w", err)
	}
	s.End(errs.NewSessionIsTerminated())
	return &pb.UserSessionLogoutResponse{}, nil
}
