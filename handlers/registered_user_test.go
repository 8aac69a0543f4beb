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
	if r := buildRegisteredUser(7, u, storage.ContactView{}, storage.AvatarSummary{}); r.Phone != digits {
		t.Fatalf("own phone: %d", r.Phone)
	}
	if r := buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}); r.Phone != 0 {
		t.Fatalf("a stranger sees phone %d", r.Phone)
	}
	if r := buildRegisteredUser(8, u, storage.ContactView{Known: true, FirstName: "Seven"}, storage.AvatarSummary{}); r.Phone != digits || r.DisplayName != "Seven" {
		t.Fatalf("a contact sees phone %d as %q", r.Phone, r.DisplayName)
	}
	// Clients cache by cache_id: it must differ once the phone shows.
	if buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}).CacheId == buildRegisteredUser(7, u, storage.ContactView{}, storage.AvatarSummary{}).CacheId {
		t.Fatal("cache_id does not change with the phone")
	}
}

// A user who blocked the viewer keeps status, last seen and avatar from them;
// the bio shows to everyone; both change the cache_id.
func TestRegisteredUserBlockedViewerAndBio(t *testing.T) {
	u := storage.User{ID: 7, Phone: "+989121000007", Username: "u7", Bio: "hello"}
	open := buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{})
	hidden := buildRegisteredUser(8, u, storage.ContactView{BlockedBy: true}, storage.AvatarSummary{})
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
	if buildRegisteredUser(8, u, storage.ContactView{}, storage.AvatarSummary{}).CacheId == open.CacheId {
		t.Fatal("cache_id does not change with the bio")
	}
}
