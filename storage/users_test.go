package storage

import (
	"errors"
	"testing"
)

func TestCreateAndFindUser(t *testing.T) {
	db := openTest(t)
	var u User
	write(t, db, func(tx *Tx) error {
		var err error
		u, err = tx.CreateUser("+989121234567", "IR", "alice", 1700000000)
		return err
	})
	want := User{ID: u.ID, Phone: "+989121234567", Country: "IR", Username: "alice", CreatedAt: 1700000000}
	if u != want || u.ID == 0 {
		t.Fatalf("created %+v, want %+v", u, want)
	}
	read(t, db, func(tx *Tx) error {
		for name, find := range map[string]func() (User, error){
			"by id":       func() (User, error) { return tx.UserByID(u.ID) },
			"by phone":    func() (User, error) { return tx.UserByPhone("+989121234567") },
			"by username": func() (User, error) { return tx.UserByUsername("alice") },
			"by USERNAME": func() (User, error) { return tx.UserByUsername("ALICE") },
		} {
			got, err := find()
			if err != nil || got != u {
				t.Errorf("%s: %+v, %v", name, got, err)
			}
		}
		return nil
	})
}

func TestUserNotFound(t *testing.T) {
	db := openTest(t)
	newUser(t, db, "+15550000100")
	read(t, db, func(tx *Tx) error {
		_, err := tx.UserByID(424242)
		wantNotFound(t, "UserByID", err)
		_, err = tx.UserByPhone("+15550000199")
		wantNotFound(t, "UserByPhone", err)
		_, err = tx.UserByUsername("nobody")
		wantNotFound(t, "UserByUsername", err)
		return nil
	})
	err := db.Write(testCtx(t), func(tx *Tx) error { return tx.MarkVerified(424242) })
	wantNotFound(t, "MarkVerified", err)
	err = db.Write(testCtx(t), func(tx *Tx) error { return tx.SetBlocked(424242, true) })
	wantNotFound(t, "SetBlocked", err)
}

func TestCreateUserDuplicate(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000101")
	for name, args := range map[string][2]string{
		"same phone":         {u.Phone, "other"},
		"same username":      {"+15550000102", u.Username},
		"username, any case": {"+15550000103", "U15550000101"},
	} {
		err := db.Write(testCtx(t), func(tx *Tx) error {
			_, err := tx.CreateUser(args[0], "US", args[1], 1)
			return err
		})
		if !errors.Is(err, ErrDuplicate) {
			t.Errorf("%s: got %v, want ErrDuplicate", name, err)
		}
	}
}

func TestMarkVerifiedAndSetBlocked(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000104")
	write(t, db, func(tx *Tx) error {
		if err := tx.MarkVerified(u.ID); err != nil {
			return err
		}
		return tx.SetBlocked(u.ID, true)
	})
	read(t, db, func(tx *Tx) error {
		got, err := tx.UserByID(u.ID)
		if !got.Verified || !got.Blocked {
			t.Errorf("after verify+block: %+v", got)
		}
		return err
	})
	write(t, db, func(tx *Tx) error { return tx.SetBlocked(u.ID, false) })
	read(t, db, func(tx *Tx) error {
		got, err := tx.UserByID(u.ID)
		if !got.Verified || got.Blocked {
			t.Errorf("after unblock: %+v", got)
		}
		return err
	})
}
