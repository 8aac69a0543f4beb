package storage

import (
	"errors"
	"testing"
)

func TestEraseUser(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000011")
	b := newUser(t, db, "+989120000012")
	var sid SessionID
	write(t, db, func(tx *Tx) error {
		s, err := tx.CreateSession(a.ID, []byte("tok"), 5)
		if err != nil {
			return err
		}
		sid = s.ID
		for _, err := range []error{
			tx.UpsertContact(a.ID, b.Phone, "B", "", "", 5),
			tx.UpsertContact(b.ID, a.Phone, "A", "", "", 5),
			tx.Block(a.ID, b.ID, 5),
			tx.Block(b.ID, a.ID, 5),
			tx.SetPrivacyRule(a.ID, 0, 2),
			tx.SetSelfRemove(a.ID, 3),
			tx.PutDeleteCode(a.ID, []byte("h"), 100),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		if ok, err := tx.ClaimDelete(a.ID, 50); err != nil || !ok {
			t.Fatalf("claim = %v, %v", ok, err)
		}
		if ok, err := tx.ClaimDelete(a.ID, 51); err != nil || ok {
			t.Errorf("second claim = %v, %v", ok, err)
		}
		ids, err := tx.EraseUser(a.ID)
		if err != nil {
			return err
		}
		if len(ids) != 1 || ids[0] != sid {
			t.Errorf("sessions = %v, want [%d]", ids, sid)
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		u, err := tx.UserByID(a.ID)
		if err != nil {
			return err
		}
		if !u.Deleted() || u.Phone == a.Phone || u.Username == a.Username {
			t.Errorf("erased user = %+v", u)
		}
		if _, err := tx.UserByPhone(a.Phone); !errors.Is(err, ErrNotFound) {
			t.Errorf("phone still taken: %v", err)
		}
		if _, err := tx.UserByUsername(a.Username); !errors.Is(err, ErrNotFound) {
			t.Errorf("username still taken: %v", err)
		}
		if cs, err := tx.ContactUsers(a.ID); err != nil || len(cs) != 0 {
			t.Errorf("contacts = %v, %v", cs, err)
		}
		for _, p := range [][2]UserID{{a.ID, b.ID}, {b.ID, a.ID}} {
			if ok, err := tx.Blocks(p[0], p[1]); err != nil || ok {
				t.Errorf("block %v kept: %v", p, err)
			}
		}
		if lvl, err := tx.PrivacyRule(a.ID, 0); err != nil || lvl != 0 {
			t.Errorf("privacy rule = %d, %v", lvl, err)
		}
		if _, err := tx.DeleteCode(a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete code kept: %v", err)
		}
		return nil
	})
	// The phone signs up again as a new user.
	c := newUser(t, db, a.Phone)
	if c.ID == a.ID {
		t.Fatal("the phone got the deleted user back")
	}
}

func TestInactiveUsersClaim(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000021") // created_at of newUser
	b := newUser(t, db, "+989120000022")
	write(t, db, func(tx *Tx) error {
		if err := tx.SetSelfRemove(a.ID, 1); err != nil {
			return err
		}
		return tx.SetSelfRemove(b.ID, 2)
	})
	month := int64(30 * 24 * 3600)
	now := a.CreatedAt + month + 10
	read(t, db, func(tx *Tx) error {
		ids, err := tx.InactiveUsers(now, 10)
		if err != nil {
			return err
		}
		if len(ids) != 1 || ids[0] != a.ID {
			t.Errorf("inactive = %v, want [%d]", ids, a.ID)
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		// a is seen before the claim: spared.
		if err := tx.SetPresence(a.ID, false, now-5, ""); err != nil {
			return err
		}
		if ok, err := tx.ClaimInactive(a.ID, now); err != nil || ok {
			t.Errorf("claim of an active user = %v, %v", ok, err)
		}
		if ok, err := tx.ClaimInactive(a.ID, now-5+month); err != nil || !ok {
			t.Errorf("claim = %v, %v", ok, err)
		}
		if ok, err := tx.ClaimInactive(a.ID, now+2*month); err != nil || ok {
			t.Errorf("second claim = %v, %v", ok, err)
		}
		return nil
	})
}
