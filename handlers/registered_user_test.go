package handlers

import (
	"testing"

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
