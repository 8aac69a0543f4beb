package storage

import "testing"

func TestProfileSettersReadBack(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+989120000001")
	write(t, db, func(tx *Tx) error {
		if err := tx.SetEmail(u.ID, "a@example.com"); err != nil {
			return err
		}
		if err := tx.SetGender(u.ID, 2); err != nil {
			return err
		}
		return tx.SetNickname(u.ID, "Ali")
	})
	read(t, db, func(tx *Tx) error {
		got, err := tx.UserByID(u.ID)
		if err != nil {
			return err
		}
		if got.Email != "a@example.com" || got.Gender != 2 || got.Nickname != "Ali" {
			t.Errorf("profile = %+v", got)
		}
		return nil
	})
}

func TestProfileSettersUnknownUser(t *testing.T) {
	db := openTest(t)
	write(t, db, func(tx *Tx) error {
		wantNotFound(t, "SetEmail", tx.SetEmail(42, "a@example.com"))
		wantNotFound(t, "SetGender", tx.SetGender(42, 1))
		wantNotFound(t, "SetNickname", tx.SetNickname(42, "x"))
		return nil
	})
}
