package storage

import (
	"bytes"
	"testing"
)

func TestVerifyCodeLifecycle(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000200")
	write(t, db, func(tx *Tx) error { return tx.PutVerifyCode(u.ID, []byte("hash-1"), 2000) })

	var attempts int
	write(t, db, func(tx *Tx) error {
		if _, err := tx.BumpAttempts(u.ID); err != nil {
			return err
		}
		var err error
		attempts, err = tx.BumpAttempts(u.ID)
		if err != nil {
			return err
		}
		return tx.LockCode(u.ID, 5000)
	})
	if attempts != 2 {
		t.Fatalf("BumpAttempts twice returned %d, want 2", attempts)
	}
	read(t, db, func(tx *Tx) error {
		c, err := tx.VerifyCode(u.ID)
		want := VerifyCode{UserID: u.ID, CodeHash: []byte("hash-1"), ExpiresAt: 2000, Attempts: 2, LockedUntil: 5000}
		if !sameCode(c, want) {
			t.Errorf("code = %+v, want %+v", c, want)
		}
		return err
	})

	// A new code replaces the hash and expiry and clears the attempts, but
	// the lock stays.
	write(t, db, func(tx *Tx) error { return tx.PutVerifyCode(u.ID, []byte("hash-2"), 3000) })
	read(t, db, func(tx *Tx) error {
		c, err := tx.VerifyCode(u.ID)
		want := VerifyCode{UserID: u.ID, CodeHash: []byte("hash-2"), ExpiresAt: 3000, Attempts: 0, LockedUntil: 5000}
		if !sameCode(c, want) {
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
	return a.UserID == b.UserID && bytes.Equal(a.CodeHash, b.CodeHash) && a.ExpiresAt == b.ExpiresAt &&
		a.Attempts == b.Attempts && a.LockedUntil == b.LockedUntil
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
		"BumpAttempts":            func(tx *Tx) error { _, err := tx.BumpAttempts(u.ID); return err },
		"LockCode":                func(tx *Tx) error { return tx.LockCode(u.ID, 1) },
		"DeleteVerifyCode":        func(tx *Tx) error { return tx.DeleteVerifyCode(u.ID) },
		"PutVerifyCode, no user":  func(tx *Tx) error { return tx.PutVerifyCode(u.ID+99, []byte("h"), 1) },
		"RecordCodeSend, no user": func(tx *Tx) error { return tx.RecordCodeSend(u.ID+99, 1) },
	} {
		wantNotFound(t, name, db.Write(testCtx(t), fn))
	}
}

func TestCodeSends(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000202")
	other := newUser(t, db, "+15550000203")
	write(t, db, func(tx *Tx) error {
		for _, at := range []int64{100, 200, 300} {
			if err := tx.RecordCodeSend(u.ID, at); err != nil {
				return err
			}
		}
		return tx.RecordCodeSend(other.ID, 250)
	})
	read(t, db, func(tx *Tx) error {
		for _, c := range []struct {
			user, since, n, oldest int64
		}{
			{u.ID, 0, 3, 100},
			{u.ID, 150, 2, 200},
			{u.ID, 200, 2, 200}, // the window includes its start
			{u.ID, 301, 0, 0},
			{other.ID, 0, 1, 250},
			{other.ID + 99, 0, 0, 0}, // unknown user: nothing sent
		} {
			n, oldest, err := tx.CountCodeSends(c.user, c.since)
			if err != nil || int64(n) != c.n || oldest != c.oldest {
				t.Errorf("CountCodeSends(%d, %d) = %d, %d, %v; want %d, %d", c.user, c.since, n, oldest, err, c.n, c.oldest)
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
	read(t, db, func(tx *Tx) error {
		n, oldest, err := tx.CountCodeSends(u.ID, 0)
		if n != 1 || oldest != 300 {
			t.Errorf("after prune: %d sends, oldest %d", n, oldest)
		}
		return err
	})
}
