package storage

import (
	"errors"
	"testing"
)

func TestContactsUpsertIsIdempotent(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	write(t, db, func(tx *Tx) error {
		if err := tx.UpsertContact(a.ID, "+989120000002", "Old", "Name", "c1", 1); err != nil {
			return err
		}
		return tx.UpsertContact(a.ID, "+989120000002", "New", "Name", "c2", 2)
	})
	read(t, db, func(tx *Tx) error {
		c, err := tx.Contact(a.ID, "+989120000002")
		if err != nil {
			return err
		}
		if c.FirstName != "New" || c.ClientID != "c2" || c.CreatedAt != 1 {
			t.Errorf("contact after re-import = %+v", c)
		}
		return nil
	})
}

func TestContactUsersJoinsLaterSignUps(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	write(t, db, func(tx *Tx) error {
		return tx.UpsertContact(a.ID, "+989120000002", "B", "", "", 1)
	})
	list := func() []ContactUser {
		var l []ContactUser
		read(t, db, func(tx *Tx) (err error) { l, err = tx.ContactUsers(a.ID); return err })
		return l
	}
	if l := list(); len(l) != 0 {
		t.Fatalf("before sign-up: %+v", l)
	}
	b := newUser(t, db, "+989120000002")
	if l := list(); len(l) != 0 {
		t.Fatalf("unverified user listed: %+v", l)
	}
	write(t, db, func(tx *Tx) error { return tx.MarkVerified(b.ID) })
	l := list()
	if len(l) != 1 || l[0].User.ID != b.ID || l[0].Contact.FirstName != "B" || l[0].User.Phone != b.Phone {
		t.Fatalf("after sign-up: %+v", l)
	}
}

func TestContactsRenameAndDelete(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	write(t, db, func(tx *Tx) error {
		wantNotFound(t, "rename missing", tx.SetContactNames(a.ID, "+989120000002", "x", ""))
		wantNotFound(t, "delete missing", tx.DeleteContact(a.ID, "+989120000002"))
		if err := tx.UpsertContact(a.ID, "+989120000002", "B", "", "", 1); err != nil {
			return err
		}
		if err := tx.SetContactNames(a.ID, "+989120000002", "C", "D"); err != nil {
			return err
		}
		if c, err := tx.Contact(a.ID, "+989120000002"); err != nil || c.FirstName != "C" || c.LastName != "D" {
			t.Errorf("renamed = %+v, %v", c, err)
		}
		if err := tx.DeleteContact(a.ID, "+989120000002"); err != nil {
			return err
		}
		_, err := tx.Contact(a.ID, "+989120000002")
		wantNotFound(t, "deleted contact", err)
		return nil
	})
}

func TestMutual(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002")
	mutual := func(x, y UserID) bool {
		var m bool
		read(t, db, func(tx *Tx) (err error) { m, err = tx.Mutual(x, y); return err })
		return m
	}
	write(t, db, func(tx *Tx) error { return tx.UpsertContact(a.ID, b.Phone, "", "", "", 1) })
	if mutual(a.ID, b.ID) || mutual(b.ID, a.ID) {
		t.Fatal("one-way contact reported mutual")
	}
	write(t, db, func(tx *Tx) error { return tx.UpsertContact(b.ID, a.Phone, "", "", "", 1) })
	if !mutual(a.ID, b.ID) || !mutual(b.ID, a.ID) {
		t.Fatal("two-way contact not mutual")
	}
	if mutual(a.ID, 9999) {
		t.Fatal("unknown user mutual")
	}
}

func TestUpsertContactUnknownOwner(t *testing.T) {
	db := openTest(t)
	err := db.Write(testCtx(t), func(tx *Tx) error {
		return tx.UpsertContact(42, "+989120000002", "", "", "", 1)
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}
