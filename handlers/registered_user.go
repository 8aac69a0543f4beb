package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

// registeredUser is u as viewer sees it: the names come from viewer's contact
// entry for u's phone when there is one, so two viewers may see different
// names for the same user.
func (h *Handlers) registeredUser(tx *storage.Tx, viewer storage.UserID, u storage.User) (*pb.RegisteredUser, error) {
	rs, err := h.registeredUsers(tx, viewer, []storage.User{u})
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// registeredUsers is registeredUser of each of us, in order, reading what
// the viewer knows of them and their avatars for all of them at once.
func (h *Handlers) registeredUsers(tx *storage.Tx, viewer storage.UserID, us []storage.User) ([]*pb.RegisteredUser, error) {
	ids := make([]storage.UserID, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	views, err := tx.ContactViews(viewer, ids)
	if err != nil {
		return nil, err
	}
	avatars, err := tx.AvatarSummaries(ids)
	if err != nil {
		return nil, err
	}
	out := make([]*pb.RegisteredUser, len(us))
	for i, u := range us {
		out[i] = buildRegisteredUser(viewer, u, views[u.ID], avatars[u.ID], h.unix())
	}
	return out, nil
}

// deletedName is the display name of a deleted account (UserDelete or
// self-removal), whose messages stay in their rooms.
const deletedName = "Deleted Account"

// buildRegisteredUser fills a RegisteredUser from what storage already read
// of u for viewer (tx.ContactViews) and of u's avatars (tx.AvatarSummaries,
// zero when u has none), so a list of users costs one query of each.
//
// The phone is shown only to its owner and to those who have it among their
// contacts: ids are sequential, so anything else would hand every user's
// number to anyone who walks them. Status and last seen follow the user's
// USER_STATUS rule (presence), the avatar their AVATAR rule; now is the
// handlers' clock.
func buildRegisteredUser(viewer storage.UserID, u storage.User, v storage.ContactView, av storage.AvatarSummary, now int64) *pb.RegisteredUser {
	display := strings.TrimSpace(v.FirstName + " " + v.LastName)
	if display == "" {
		display = u.Nickname
	}
	username := u.Username
	if u.Deleted() {
		// Its username ('~id') and phone are placeholders, never shown.
		username, display = "", deletedName
	}
	if display == "" {
		display = username
	}
	r := &pb.RegisteredUser{
		Id:          uint64(u.ID),
		Username:    username,
		FirstName:   v.FirstName,
		LastName:    v.LastName,
		DisplayName: display,
		Initials:    initials(display),
		Color:       userColor(int64(u.ID)),
		Mutual:      v.Mutual,
		Deleted:     u.Blocked || u.Deleted(),
		Bio:         u.Bio,
	}
	if (u.ID == viewer || v.Known) && !u.Deleted() {
		r.Phone = phoneDigits(u.Phone)
	}
	self := viewer == u.ID
	if av.Count > 0 && allows(self, v.AvatarLevel, v) {
		r.AvatarCount = uint32(av.Count)
		r.Avatar = avatarMessage(av.Current)
	}
	r.Status, r.LastSeen = presence(self, v, now)
	// Last: a user who blocked the viewer shows it no presence or avatar.
	if v.BlockedBy {
		hidePresence(r)
	}
	r.CacheId = cacheID(r, v.BlockedBy)
	return r
}

// hidePresence clears what a user who blocked the viewer keeps from them:
// status, last seen and avatar. It runs after whatever fills those fields,
// so a blocked viewer never gets them; the fields left are the zero values
// a client reads as "long ago" and "no picture".
func hidePresence(r *pb.RegisteredUser) {
	r.Status = pb.RegisteredUser_LONG_TIME_AGO
	r.LastSeen = 0
	r.AvatarCount = 0
	r.Avatar = nil
}

// allows reports whether a user's rule of the given level lets the viewer
// see what it guards (self: the viewer is the user): ALLOW_ALL, or
// ALLOW_CONTACTS when the user has the viewer's phone among their contacts.
func allows(self bool, level int32, v storage.ContactView) bool {
	return self || level == storage.PrivacyAllowAll || (level == storage.PrivacyAllowContacts && v.Theirs)
}

// recentWindow is how long after a user was last seen those their
// USER_STATUS rule hides the time from see RECENTLY rather than
// LONG_TIME_AGO.
const recentWindow = 7 * 24 * 3600

// presence is the status and last seen time a viewer sees of a user (self:
// the viewer is the user). Those the user's USER_STATUS rule lets through
// see ONLINE, or EXACTLY with the time; the others see no time, only
// RECENTLY while the user is online or was seen within recentWindow, and
// LONG_TIME_AGO after that. A user never seen is LONG_TIME_AGO to all.
func presence(self bool, v storage.ContactView, now int64) (pb.RegisteredUser_Status, uint32) {
	allowed := allows(self, v.StatusLevel, v)
	switch {
	case allowed && v.Online:
		return pb.RegisteredUser_ONLINE, uint32(v.LastSeen)
	case allowed && v.LastSeen > 0:
		return pb.RegisteredUser_EXACTLY, uint32(v.LastSeen)
	case !allowed && (v.Online || (v.LastSeen > 0 && now-v.LastSeen <= recentWindow)):
		return pb.RegisteredUser_RECENTLY, 0
	}
	return pb.RegisteredUser_LONG_TIME_AGO, 0
}

// phoneDigits is the wire form of an E.164 phone: its digits as a number.
// A malformed stored phone yields 0 rather than a failed request.
func phoneDigits(e164 string) uint64 {
	n, err := strconv.ParseUint(strings.TrimPrefix(e164, "+"), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// initials are the first letters of the first two words, upper-cased.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// userColor is a stable colour per user (or room), so clients draw the same
// placeholder avatar everywhere without storing one.
func userColor(id int64) string {
	f := fnv.New32a()
	fmt.Fprint(f, id)
	return fmt.Sprintf("#%06x", f.Sum32()&0xffffff)
}

// cacheID changes whenever anything the client would cache changes,
// including whether the user's presence is hidden from the viewer (blocked:
// a block or unblock makes the client fetch the user again); status and
// last seen are left out, since UserUpdateStatus pushes keep them.
func cacheID(r *pb.RegisteredUser, hidden bool) string {
	s := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%d\x00%s\x00%s\x00%s\x00%t\x00%t\x00%d\x00%d\x00%s\x00%t",
		r.Id, r.Username, r.Phone, r.FirstName, r.LastName, r.DisplayName, r.Mutual, r.Deleted,
		r.AvatarCount, r.GetAvatar().GetId(), r.Bio, hidden))
	return hex.EncodeToString(s[:8])
}
