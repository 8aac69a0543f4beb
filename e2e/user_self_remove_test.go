package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

func TestUserSelfRemove(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121890001)
	b := chatSignUp(e, 9121890002)
	stays := chatSignUp(e, 9121890003)

	r, err := a.c.UserProfileGetSelfRemove(ctx(t), &pb.UserProfileGetSelfRemove{})
	if err != nil || r.SelfRemove != 0 {
		t.Fatalf("unset self remove = %v, %v", r, err)
	}
	_, err = a.c.UserProfileSetSelfRemove(ctx(t), &pb.UserProfileSetSelfRemove{SelfRemove: 0})
	wantErr(t, err, errs.UserProfileSetSelfRemoveBadPayload, errs.UserProfileSetSelfRemoveBadPayloadInvalidSelfRemove)
	_, err = a.c.UserProfileSetSelfRemove(ctx(t), &pb.UserProfileSetSelfRemove{SelfRemove: 13})
	wantErr(t, err, errs.UserProfileSetSelfRemoveBadPayload, errs.UserProfileSetSelfRemoveBadPayloadInvalidSelfRemove)
	for _, u := range []*chatUser{a, stays} {
		if s, err := u.c.UserProfileSetSelfRemove(ctx(t), &pb.UserProfileSetSelfRemove{SelfRemove: 1}); err != nil || s.SelfRemove != 1 {
			t.Fatalf("set self remove = %v, %v", s, err)
		}
	}
	if r, err := a.c.UserProfileGetSelfRemove(ctx(t), &pb.UserProfileGetSelfRemove{}); err != nil || r.SelfRemove != 1 {
		t.Fatalf("self remove = %v, %v", r, err)
	}
	// A month later: stays logs in again just before the sweep, a does not.
	e.clock.Add(29 * 24 * time.Hour)
	c2, _ := e.client()
	e.signUp(c2, stays.phone)
	e.clock.Add(2 * 24 * time.Hour)
	n, err := e.app.SelfRemove.RunOnce(ctx(t))
	if err != nil || n != 1 {
		t.Fatalf("sweep deleted %d, %v; want 1", n, err)
	}
	sessionEnded(t, a.conn) // never logged in again, though connected: not ONLINE
	info, err := b.c.UserInfo(ctx(t), &pb.UserInfo{UserId: a.id})
	if err != nil || !info.User.Deleted {
		t.Fatalf("a after the sweep: %v, %v", info, err)
	}
	info, err = b.c.UserInfo(ctx(t), &pb.UserInfo{UserId: stays.id})
	if err != nil || info.User.Deleted {
		t.Fatalf("an active user after the sweep: %v, %v", info, err)
	}
	// A second sweep (another node, the last one in two-node mode) finds nothing.
	nodes := e.all()
	if n, err := nodes[len(nodes)-1].SelfRemove.RunOnce(ctx(t)); err != nil || n != 0 {
		t.Fatalf("second sweep deleted %d, %v", n, err)
	}
}
