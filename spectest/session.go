// Package spectest checks the generated code against the spec and against the
// protocol facts under ../shared/protocol: every validation rule is broken on
// purpose and must answer with its minor code, the descriptors must match the
// protocol's message tables, and every message must survive the wire.
//
// This file is the package's only non-test code: a wire.Session that tests
// can hand to a route.
package spectest

import (
	"context"

	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// Session is a logged-in wire.Session for calling routes directly. The zero
// value is not logged in; NewSession returns user 1 on device 1.
type Session struct {
	User   uint64
	Device uint64
	Remote string
	SignIn uint64 // PendingSignIn
}

// PendingSignIn is the account whose two-step password is awaited, or 0.
func (s *Session) PendingSignIn() uint64 { return s.SignIn }

// SetPendingSignIn sets PendingSignIn.
func (s *Session) SetPendingSignIn(userID uint64) { s.SignIn = userID }

var _ wire.Session = (*Session)(nil)

// NewSession returns a session logged in as user 1 on device session 1.
func NewSession() *Session {
	return &Session{User: 1, Device: 1, Remote: "192.0.2.1:40000"}
}

// UserID is the logged-in user, or 0.
func (s *Session) UserID() uint64 { return s.User }

// DeviceID is the device session, or 0.
func (s *Session) DeviceID() uint64 { return s.Device }

// Login binds the session to a user's device session.
func (s *Session) Login(userID, deviceID uint64) { s.User, s.Device = userID, deviceID }

// RemoteAddr is the address the session pretends to come from.
func (s *Session) RemoteAddr() string { return s.Remote }

// Send drops the push: routes called directly have no connection.
func (s *Session) Send(context.Context, uint16, proto.Message) error { return nil }

// Virtual ignores the error, which a server would log and count.
func (s *Session) Virtual(string, *wire.Error) {}

// End logs the session out: routes called directly have no connection to close.
func (s *Session) End(*wire.Error) { s.User, s.Device = 0, 0 }
