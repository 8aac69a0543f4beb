package storage

import (
	"bytes"
	"testing"
)

func TestVerifyCodeLifecycle(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000200")
	write(t, db, func(tx *Tx) error { return tx.PutVerifyCode(u.ID, []byte("hash-1"), 2000) })
	read(t, db, func(tx *Tx) error {
		c, err := tx.VerifyCode(u.ID)
		if want := (VerifyCode{UserID: u.ID, CodeHash: []byte("hash-1"), ExpiresAt: 2000}); !sameCode(c, want) {
			t.Errorf("code = %+v, want %+v", c, want)
		}
		return err
	})
	// A new code replaces the hash and expiry.
	write(t, db, func(tx *Tx) error { return tx.PutVerifyCode(u.ID, []byte("hash-2"), 3000) })
	read(t, db, func(tx *Tx) error {
		c, err := tx.VerifyCode(u.ID)
		if want := (VerifyCode{UserID: u.ID, CodeHash: []byte("hash-2"), ExpiresAt: 3000}); !sameCode(c, want) {
			t.Errorf("replaced code = %+v, want %+v", c, want)
		}
		return err
	})
	write(t, db, func(tx *Tx) error { return tx.DeleteVerifyCode(u.ID) })
	read(t, db, func(tx *Tx) error {
		_, err := tx.VerifyCode(u.ID)
		wantNotFound(t, "code after delete", err)
		return nil
	})
}

func sameCode(a, b VerifyCode) bool {
	return a.UserID == b.UserID && bytes.Equal(a.CodeHash, b.CodeHash) && a.ExpiresAt == b.ExpiresAt
}

func TestVerifyCodeNotFound(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000201") // exists, but has no code
	read(t, db, func(tx *Tx) error {
		_, err := tx.VerifyCode(u.ID)
		wantNotFound(t, "VerifyCode", err)
		return nil
	})
	for name, fn := range map[string]func(*Tx) error{
		"DeleteVerifyCode":        func(tx *Tx) error { return tx.DeleteVerifyCode(u.ID) },
		"PutVerifyCode, no user":  func(tx *Tx) error { return tx.PutVerifyCode(u.ID+99, []byte("h"), 1) },
		"RecordCodeSend, no user": func(tx *Tx) error { return tx.RecordCodeSend(u.ID+99, "a", 1) },
	} {
		wantNotFound(t, name, db.Write(testCtx(t), fn))
	}
}

func TestVerifyGuards(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000204")
	read(t, db, func(tx *Tx) error {
		src, acct, err := tx.VerifyGuards(u.ID, "192.0.2.1")
		if src != (VerifyGuard{UserID: u.ID, Source: "192.0.2.1"}) || acct != (VerifyGuard{UserID: u.ID}) {
			t.Errorf("fresh guards %+v %+v", src, acct)
		}
		return err
	})
	a := VerifyGuard{UserID: u.ID, Source: "192.0.2.1", Failures: 2, Locks: 1, LockedUntil: 900}
	b := VerifyGuard{UserID: u.ID, Source: "192.0.2.2", Failures: 4}
	acct := VerifyGuard{UserID: u.ID, Failures: 6, WindowStart: 100}
	write(t, db, func(tx *Tx) error {
		for _, g := range []VerifyGuard{a, b, acct} {
			if err := tx.SaveVerifyGuard(g); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		src, got, err := tx.VerifyGuards(u.ID, a.Source)
		if src != a || got != acct {
			t.Errorf("guards %+v %+v, want %+v %+v", src, got, a, acct)
		}
		return err
	})
	// The owner's success forgets the sources, not the account's day.
	write(t, db, func(tx *Tx) error { return tx.ClearSourceGuards(u.ID) })
	read(t, db, func(tx *Tx) error {
		src, got, err := tx.VerifyGuards(u.ID, b.Source)
		if src.Failures != 0 || got != acct {
			t.Errorf("after clear %+v %+v", src, got)
		}
		return err
	})
}

func TestCodeSends(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000202")
	other := newUser(t, db, "+15550000203")
	write(t, db, func(tx *Tx) error {
		for _, s := range []struct {
			src string
			at  int64
		}{{"a", 100}, {"b", 200}, {"a", 300}} {
			if err := tx.RecordCodeSend(u.ID, s.src, s.at); err != nil {
				return err
			}
		}
		return tx.RecordCodeSend(other.ID, "a", 250)
	})
	read(t, db, func(tx *Tx) error {
		for _, c := range []struct {
			user   UserID
			src    string
			since  int64
			n      int
			oldest int64
		}{
			{u.ID, "", 0, 3, 100},
			{u.ID, "a", 0, 2, 100},
			{u.ID, "b", 0, 1, 200},
			{u.ID, "", 150, 2, 200},
			{u.ID, "", 200, 2, 200}, // the window includes its start
			{u.ID, "", 301, 0, 0},
			{other.ID, "", 0, 1, 250},
			{other.ID + 99, "", 0, 0, 0}, // unknown user: nothing sent
		} {
			n, oldest, err := tx.CountCodeSends(c.user, c.src, c.since)
			if err != nil || n != c.n || oldest != c.oldest {
				t.Errorf("CountCodeSends(%d, %q, %d) = %d, %d, %v; want %d, %d", c.user, c.src, c.since, n, oldest, err, c.n, c.oldest)
			}
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		removed, err := tx.PruneCodeSends(250)
		if removed != 2 {
			t.Errorf("PruneCodeSends removed %d, want 2", removed)
		}
		return err
	})
}

func TestExpireUnverified(t *testing.T) {
	db := openTest(t)
	var old, young, verified User
	write(t, db, func(tx *Tx) (err error) {
		if old, err = tx.CreateUser("+15550000210", "US", "old_one", 100); err != nil {
			return err
		}
		if young, err = tx.CreateUser("+15550000211", "US", "young_one", 900); err != nil {
			return err
		}
		if verified, err = tx.CreateUser("+15550000212", "US", "kept_one", 100); err != nil {
			return err
		}
		return tx.MarkVerified(verified.ID)
	})
	write(t, db, func(tx *Tx) error {
		n, err := tx.ExpireUnverified(500, 10)
		if n != 1 {
			t.Errorf("expired %d, want 1", n)
		}
		return err
	})
	read(t, db, func(tx *Tx) error {
		_, err := tx.UserByID(old.ID)
		wantNotFound(t, "expired reservation", err)
		for _, u := range []User{young, verified} {
			if _, err := tx.UserByID(u.ID); err != nil {
				t.Errorf("user %s: %v", u.Username, err)
			}
		}
		return nil
	})
}
