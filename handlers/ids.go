package handlers

import (
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// The protocol's ids are uint64; storage's are typed (storage.UserID,
// storage.RoomID, ...), so that one kind of id cannot pass for another. A
// handler converts a request's ids where it first reads them, e.g.
// storage.RoomID(req.RoomId), and from there on helpers take storage ids;
// what goes back out is uint64(id).

// userOf is the logged-in user of s.
func userOf(s wire.Session) storage.UserID { return storage.UserID(s.UserID()) }
