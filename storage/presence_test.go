package storage

import (
	"slices"
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
		return tx.SetPresence(a.ID, true, 100)
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
