package wire

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
	// RemoteAddr is the client's address as the server saw it.
	RemoteAddr() string
}
