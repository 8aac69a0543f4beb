package wire

// Session is the view of a connection that dispatch and handlers see.
type Session interface {
	// UserID is the logged-in user, or 0 before UserLogin succeeded.
	UserID() uint64
}
