package handlers

import (
	"testing"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

// The phone is for its owner and for those who hold it as a contact.
func TestRegisteredUserPhoneVisibility(t *testing.T) {
	u := storage.User{ID: 7, Phone: "+989121000007", Username: "u7"}
	const digits = 989121000007
	if r := buildRegisteredUser(7, u, storage.ContactView{}, storage.AvatarSummary{}, 0); r.Phone != digits {
		t.Fatalf("own phone: %d", r.Phone)
	}
	if r := buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}, 0); r.Phone != 0 {
		t.Fatalf("a stranger sees phone %d", r.Phone)
	}
	if r := buildRegisteredUser(8, u, storage.ContactView{Known: true, FirstName: "Seven"}, storage.AvatarSummary{}, 0); r.Phone != digits || r.DisplayName != "Seven" {
		t.Fatalf("a contact sees phone %d as %q", r.Phone, r.DisplayName)
	}
	// Clients cache by cache_id: it must differ once the phone shows.
	if buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}, 0).CacheId == buildRegisteredUser(7, u, storage.ContactView{}, storage.AvatarSummary{}, 0).CacheId {
		t.Fatal("cache_id does not change with the phone")
	}
}

// A user who blocked the viewer keeps status, last seen and avatar from them;
// the bio shows to everyone; both change the cache_id.
func TestRegisteredUserBlockedViewerAndBio(t *testing.T) {
	u := storage.User{ID: 7, Phone: "+989121000007", Username: "u7", Bio: "hello"}
	open := buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}, 0)
	hidden := buildRegisteredUser(8, u, storage.ContactView{BlockedBy: true}, storage.AvatarSummary{}, 0)
	if open.Bio != "hello" || hidden.Bio != "hello" {
		t.Fatalf("bio: %q, %q", open.Bio, hidden.Bio)
	}
	if open.CacheId == hidden.CacheId {
		t.Fatal("cache_id does not change with a block")
	}
	r := &pb.RegisteredUser{Status: pb.RegisteredUser_ONLINE, LastSeen: 5, AvatarCount: 2, Avatar: &pb.Avatar{Id: 1}}
	hidePresence(r)
	if r.Status != pb.RegisteredUser_LONG_TIME_AGO || r.LastSeen != 0 || r.AvatarCount != 0 || r.Avatar != nil {
		t.Fatalf("presence left: %v", r)
	}
	u.Bio = "changed"
	if buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}, 0).CacheId == open.CacheId {
		t.Fatal("cache_id does not change with the bio")
	}
}

func TestPresenceFollowsTheUserStatusRule(t *testing.T) {
	const now = 1_000_000
	on := storage.ContactView{Online: true, LastSeen: now - 10}
	off := storage.ContactView{LastSeen: now - 10}
	old := storage.ContactView{LastSeen: now - recentWindow - 1}
	with := func(v storage.ContactView, level int32, theirs bool) storage.ContactView {
		v.StatusLevel, v.Theirs = level, theirs
		return v
	}
	for _, tc := range []struct {
		name string
		self bool
		v    storage.ContactView
		st   pb.RegisteredUser_Status
		seen uint32
	}{
		{"never seen", false, storage.ContactView{}, pb.RegisteredUser_LONG_TIME_AGO, 0},
		{"online", false, on, pb.RegisteredUser_ONLINE, now - 10},
		{"offline", false, off, pb.RegisteredUser_EXACTLY, now - 10},
		{"contacts only, a contact", false, with(off, storage.PrivacyAllowContacts, true), pb.RegisteredUser_EXACTLY, now - 10},
		{"contacts only, a stranger", false, with(on, storage.PrivacyAllowContacts, false), pb.RegisteredUser_RECENTLY, 0},
		{"nobody", false, with(off, storage.PrivacyDenyAll, true), pb.RegisteredUser_RECENTLY, 0},
		{"nobody, long ago", false, with(old, storage.PrivacyDenyAll, true), pb.RegisteredUser_LONG_TIME_AGO, 0},
		{"nobody, self", true, with(on, storage.PrivacyDenyAll, false), pb.RegisteredUser_ONLINE, now - 10},
	} {
		if st, seen := presence(tc.self, tc.v, now); st != tc.st || seen != tc.seen {
			t.Errorf("%s: %v at %d, want %v at %d", tc.name, st, seen, tc.st, tc.seen)
		}
	}
}
