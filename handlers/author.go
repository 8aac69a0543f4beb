package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/gapd/gapd/storage"
)

// authorHash is the stable public handle of a user as an author: clients
// compare it with their own (UserRegisterResponse.author_hash) to tell their
// messages apart. It is derived from the id so it never needs storing, and
// hashed so that it does not read as a sequential id.
func authorHash(userID storage.UserID) string {
	sum := sha256.Sum256([]byte("gapd author " + strconv.FormatInt(int64(userID), 10)))
	return hex.EncodeToString(sum[:8])
}
