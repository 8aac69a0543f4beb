package wire

import (
	"context"

	"google.golang.org/protobuf/proto"
)

// Session is the view of one connection that dispatch and handlers see. The
// server implements it.
type Session interface {
	// UserID is the logged-in user, or 0 before UserLogin succeeded.
	UserID() uint64
	// DeviceID is the device session (one per login token), or 0.
	DeviceID() uint64
	// Login binds the connection to a user's device session after the
	// transaction that checked the token committed. Another live connection
	// bound to the same device session is sent NEW_CLIENT_IN_SESSION and closed.
	Login(userID, deviceID uint64)
	// PendingSignIn is the account that UserVerify answered "two-step
	// verification enabled" (184) for on this connection and whose password
	// is still to be proved, or 0. It lives as long as the connection.
	PendingSignIn() uint64
	// SetPendingSignIn sets it (0: none).
	SetPendingSignIn(userID uint64)
	// RemoteAddr is the client's address as the server saw it.
	RemoteAddr() string
	// Send queues msg as a push (action, empty response id) to this
	// connection alone, waiting while its outbound queue is full: catch-up
	// after ClientCondition moves at the client's reading pace instead of
	// overflowing the queue. It fails when ctx ends or the connection closes.
	Send(ctx context.Context, action uint16, msg proto.Message) error
	// End ends the connection's session after the answer to the request
	// being handled: the session stops receiving pushes at once, and once
	// the answer is queued the connection is sent e (empty id) and closed.
	End(e *Error)
	// Virtual reports a virtual error (the catalogue's kind "virtual"): the
	// server logs and counts it under action and never sends it.
	Virtual(action string, e *Error)
}
