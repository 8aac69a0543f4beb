package handlers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// loginFailed is USER_LOGIN_FAILED's "*" row: the token names no live
// session, and the client should go back to registration.
const loginFailed wire.Minor = 0

// UserLogin authenticates a connection with a token from UserVerify, records
// the device's facts on its session and binds the connection to it.
func (h *Handlers) UserLogin(ctx context.Context, s wire.Session, req *pb.UserLogin) (*pb.UserLoginResponse, error) {
	now := h.unix()
	info := storage.DeviceInfo{
		AppName:         req.AppName,
		AppID:           req.AppId,
		AppBuildVersion: req.AppBuildVersion,
		AppVersion:      req.AppVersion,
		Platform:        int32(req.Platform),
		PlatformVersion: req.PlatformVersion,
		Device:          int32(req.Device),
		DeviceName:      req.DeviceName,
		Language:        int32(req.Language),
		IP:              hostOnly(s.RemoteAddr()),
	}
	var (
		sess    storage.Session
		outcome error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		sess, err = tx.SessionByTokenHash(hashToken(req.Token))
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserLoginFailed(loginFailed)
			return nil
		}
		if err != nil {
			return err
		}
		user, err := tx.UserByID(sess.UserID)
		if err != nil {
			return err
		}
		if user.Blocked {
			outcome = errs.NewUserLoginFailed(errs.UserLoginFailedUserBlocked)
			return nil
		}
		return tx.TouchSession(sess.ID, now, info)
	})
	if err != nil {
		return nil, fmt.Errorf("user login: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	// Bound only after commit: the connection must not act as the user on
	// the strength of a login that might still roll back.
	s.Login(uint64(sess.UserID), uint64(sess.ID))
	return &pb.UserLoginResponse{DeprecatedClient: false, UpdateAvailable: false,
		ChatDeleteMessageForBothPeriod: uint32(h.deleteBoth / time.Second)}, nil
}

// hostOnly drops the port from a host:port address; the port of a client
// connection says nothing worth keeping.
func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
