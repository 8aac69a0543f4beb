package storage

import (
	"slices"
	"strconv"
	"testing"
)

func TestPresenceAndPrivacyRules(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002") // a has b
	c := newUser(t, db, "+989120000003") // c has a; a does not have c
	newUser(t, db, "+989120000004")      // nothing to do with a
	write(t, db, func(tx *Tx) error {
		if err := tx.UpsertContact(a.ID, b.Phone, "B", "", "", 1); err != nil {
			return err
		}
		if err := tx.UpsertContact(c.ID, a.Phone, "A", "", "", 1); err != nil {
			return err
		}
		return tx.SetPresence(a.ID, true, 100, "")
	})
	read(t, db, func(tx *Tx) error {
		v, err := tx.ContactViews(b.ID, []UserID{a.ID})
		if err != nil {
			return err
		}
		if w := (ContactView{Theirs: true, Online: true, LastSeen: 100}); v[a.ID] != w {
			t.Errorf("b's view of a = %+v, want %+v", v[a.ID], w)
		}
		if lv, err := tx.PrivacyRule(a.ID, PrivacyUserStatus); err != nil || lv != PrivacyAllowAll {
			t.Errorf("default rule = %d, %v; want ALLOW_ALL", lv, err)
		}
		return nil
	})
	audienceOf := func(rule int32, want ...UserID) {
		t.Helper()
		read(t, db, func(tx *Tx) error {
			got, err := tx.Audience(a.ID, rule)
			if err != nil {
				return err
			}
			if !slices.Equal(got, want) {
				t.Errorf("audience = %v, want %v", got, want)
			}
			return nil
		})
	}
	audience := func(want ...UserID) { t.Helper(); audienceOf(PrivacyUserStatus, want...) }
	// b shares nothing with a and lacks a's phone; c has a's phone.
	audience(c.ID)
	write(t, db, func(tx *Tx) error { return tx.SetPrivacyRule(a.ID, PrivacyUserStatus, PrivacyAllowContacts) })
	audience() // c is not among a's contacts
	write(t, db, func(tx *Tx) error { return tx.UpsertContact(b.ID, a.Phone, "A", "", "", 1) })
	audience(b.ID)
	write(t, db, func(tx *Tx) error { return tx.SetPrivacyRule(a.ID, PrivacyUserStatus, PrivacyDenyAll) })
	audience()
	// Other rules and none: the USER_STATUS rule does not apply.
	audienceOf(PrivacyAvatar, b.ID, c.ID)
	audienceOf(NoPrivacyRule, b.ID, c.ID)
	write(t, db, func(tx *Tx) error { return tx.SetPrivacyRule(a.ID, PrivacyAvatar, PrivacyAllowContacts) })
	audienceOf(PrivacyAvatar, b.ID)
	// Whom a has blocked hears of nothing.
	write(t, db, func(tx *Tx) error { return tx.Block(a.ID, c.ID, 1) })
	audienceOf(NoPrivacyRule, b.ID)
	write(t, db, func(tx *Tx) error { return tx.Block(a.ID, b.ID, 1) })
	audienceOf(PrivacyAvatar)
	write(t, db, func(tx *Tx) error {
		if err := tx.Unblock(a.ID, b.ID); err != nil {
			return err
		}
		return tx.Unblock(a.ID, c.ID)
	})
	read(t, db, func(tx *Tx) error {
		for _, tc := range []struct {
			typ    int32
			viewer UserID
			want   bool
		}{{PrivacyUserStatus, b.ID, false}, {PrivacyUserStatus, a.ID, true}, {PrivacyGroupInvite, c.ID, true}} {
			if ok, err := tx.PrivacyAllows(a.ID, tc.viewer, tc.typ); err != nil || ok != tc.want {
				t.Errorf("allows(%d, %d) = %v, %v; want %v", tc.typ, tc.viewer, ok, err, tc.want)
			}
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		gone, err := tx.WentOffline(a.ID, 200)
		if err != nil || !gone {
			t.Errorf("WentOffline = %v, %v; want true", gone, err)
		}
		gone, err = tx.WentOffline(a.ID, 300)
		if err != nil || gone {
			t.Errorf("WentOffline again = %v, %v; want false", gone, err)
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		v, err := tx.ContactViews(b.ID, []UserID{a.ID})
		if err == nil && (v[a.ID].Online || v[a.ID].LastSeen != 200 || v[a.ID].StatusLevel != PrivacyDenyAll) {
			t.Errorf("after going offline: %+v", v[a.ID])
		}
		return err
	})
}

// The users a gone node left ONLINE: those of a node silent since before the
// cutoff or never heard of, and with own those of the asking node's earlier
// run; not those of a live node, nor anyone OFFLINE. Pages follow after.
func TestStrandedOnline(t *testing.T) {
	db := openTest(t)
	byNode := map[string]UserID{}
	for i, node := range []string{"live", "silent", "never", "me", ""} {
		u := newUser(t, db, "+98912000010"+strconv.Itoa(i))
		byNode[node] = u.ID
		write(t, db, func(tx *Tx) error { return tx.SetPresence(u.ID, true, 100, node) })
	}
	off := newUser(t, db, "+989120000199")
	write(t, db, func(tx *Tx) error {
		if err := tx.SetPresence(off.ID, false, 100, "silent"); err != nil {
			return err
		}
		if err := tx.NodeSeen("silent", 100); err != nil {
			return err
		}
		if err := tx.NodeSeen("live", 100); err != nil {
			return err
		}
		if err := tx.NodeSeen("me", 200); err != nil { // the asking node lives
			return err
		}
		return tx.NodeSeen("live", 200) // seen again: the later time counts
	})
	read(t, db, func(tx *Tx) error {
		got, err := tx.StrandedOnline("me", false, 150, 0, 10)
		if want := []UserID{byNode["silent"], byNode["never"], byNode[""]}; err != nil || !sameIDs(got, want) {
			t.Errorf("others' stranded: %v, %v; want %v", got, err, want)
		}
		got, err = tx.StrandedOnline("me", true, 150, 0, 10)
		if want := []UserID{byNode["silent"], byNode["never"], byNode["me"], byNode[""]}; err != nil || !sameIDs(got, want) {
			t.Errorf("with own: %v, %v; want %v", got, err, want)
		}
		first, _ := tx.StrandedOnline("me", true, 150, 0, 2)
		rest, err := tx.StrandedOnline("me", true, 150, first[len(first)-1], 10)
		if err != nil || len(first) != 2 || len(rest) != 2 || rest[0] <= first[1] {
			t.Errorf("pages %v then %v, %v", first, rest, err)
		}
		return nil
	})
}

func sameIDs(got, want []UserID) bool {
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}
