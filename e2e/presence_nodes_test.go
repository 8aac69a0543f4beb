package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/presence"
	"github.com/gapd/gapd/storage"
)

// A node that dies marks none of its users OFFLINE: the nodes that live do,
// once it has been silent a while, and push it to who may see it. A user
// the dead node had ONLINE but who is connected again elsewhere stays
// ONLINE. (The dead node is a name in the database, as a killed gapd leaves
// it: users ONLINE under a node that never says it lives.)
func TestPresenceOfADeadNodesUsers(t *testing.T) {
	a, b, _ := startNodesWith(t, func(c *config.Config) {
		c.Presence = presence.Options{Interval: 50 * time.Millisecond, Silent: 150 * time.Millisecond}
	})
	// The stranded user never connects to a live node: only the dead one
	// saw them.
	var stranded storage.User
	peer := chatSignUp(b, 9122800003)
	back := chatSignUp(a, 9122800002)
	chatRoom(t, peer, back)
	if err := a.app.DB.Write(ctx(t), func(tx *storage.Tx) (err error) {
		if stranded, err = tx.CreateUser("+989122800001", "IR", "stranded1", a.clock.Now().Unix()); err != nil {
			return err
		}
		if err := tx.MarkVerified(stranded.ID); err != nil {
			return err
		}
		if _, err = tx.CreateChatRoom(stranded.ID, storage.UserID(peer.id), a.clock.Now().Unix()); err != nil {
			return err
		}
		for _, id := range []storage.UserID{stranded.ID, storage.UserID(back.id)} {
			if err := tx.SetPresence(id, true, a.clock.Now().Unix(), "dead-node"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantStatusPush(t, peer, uint64(stranded.ID), pb.UserUpdateStatus_OFFLINE)
	wantPresence(t, peer, uint64(stranded.ID), pb.RegisteredUser_EXACTLY, uint32(a.clock.Now().Unix()))
	if u := userInfo(t, peer, back.id); u.Status != pb.RegisteredUser_ONLINE {
		t.Fatalf("a user connected to node a is %v after the dead node's sweep, want ONLINE", u.Status)
	}
}
