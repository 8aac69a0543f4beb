package storage

import (
	"errors"
	"testing"
)

func TestTwoStepLifecycle(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550001700")
	read(t, db, func(tx *Tx) error {
		if _, err := tx.TwoStep(u.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("no password: err = %v", err)
		}
		return nil
	})
	ts := TwoStep{UserID: u.ID, PasswordHash: "h1", Hint: "pet", QuestionOne: "q1", AnswerOneHash: "a1",
		UnconfirmedEmail: "a@example.org", EmailTokenHash: []byte("t"), EmailTokenExpires: 50, UpdatedAt: 10}
	write(t, db, func(tx *Tx) error { return tx.SaveTwoStep(ts) })
	ts.PasswordHash, ts.Email, ts.UnconfirmedEmail, ts.EmailTokenHash = "h2", "a@example.org", "", nil
	write(t, db, func(tx *Tx) error { return tx.SaveTwoStep(ts) })
	read(t, db, func(tx *Tx) error {
		got, err := tx.TwoStep(u.ID)
		if got.PasswordHash != "h2" || got.Hint != "pet" || got.Email != "a@example.org" || got.UnconfirmedEmail != "" || got.EmailTokenHash != nil {
			t.Errorf("two step = %+v", got)
		}
		return err
	})
	write(t, db, func(tx *Tx) error { return tx.DeleteTwoStep(u.ID) })
	read(t, db, func(tx *Tx) error {
		if _, err := tx.TwoStep(u.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("after delete: err = %v", err)
		}
		return nil
	})
}

func TestTwoStepGuardsAndSends(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550001701")
	write(t, db, func(tx *Tx) error {
		if err := tx.SaveTwoStepGuard("password", VerifyGuard{UserID: u.ID, Source: "192.0.2.1", Failures: 3}); err != nil {
			return err
		}
		if err := tx.SaveTwoStepGuard("password", VerifyGuard{UserID: u.ID, Failures: 4, WindowStart: 9}); err != nil {
			return err
		}
		return tx.SaveTwoStepGuard("email", VerifyGuard{UserID: u.ID, Source: "192.0.2.1", Failures: 1})
	})
	read(t, db, func(tx *Tx) error {
		src, acct, err := tx.TwoStepGuards(u.ID, "password", "192.0.2.1")
		if src.Failures != 3 || acct.Failures != 4 || acct.WindowStart != 9 {
			t.Errorf("guards %+v %+v", src, acct)
		}
		return err
	})
	write(t, db, func(tx *Tx) error { return tx.ClearTwoStepGuards(u.ID, "password") })
	read(t, db, func(tx *Tx) error {
		src, acct, err := tx.TwoStepGuards(u.ID, "password", "192.0.2.1")
		if src.Failures != 0 || acct.Failures != 4 {
			t.Errorf("after clear %+v %+v", src, acct)
		}
		e, _, _ := tx.TwoStepGuards(u.ID, "email", "192.0.2.1")
		if e.Failures != 1 {
			t.Errorf("email guard cleared too: %+v", e)
		}
		return err
	})
	write(t, db, func(tx *Tx) error {
		for _, at := range []int64{100, 200, 300} {
			if err := tx.RecordTwoStepSend(u.ID, at); err != nil {
				return err
			}
		}
		n, oldest, err := tx.TwoStepSends(u.ID, 150)
		if n != 2 || oldest != 200 {
			t.Errorf("sends = %d, oldest %d", n, oldest)
		}
		return err
	})
}
