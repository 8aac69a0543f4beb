package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// authorHash is the stable public handle of a user as an author: clients
// compare it with their own (UserRegisterResponse.author_hash) to tell their
// messages apart. It is derived from the id so it never needs storing, and
// hashed so that it does not read as a sequential id.
func authorHash(userID int64) string {
	sum := sha256.Sum256([]byte("gapd author " + strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(sum[:8])
}
