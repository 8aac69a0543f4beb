package storage

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestSessionLifecycle(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000300")
	token := []byte("sha256-of-token")
	var s Session
	write(t, db, func(tx *Tx) error {
		var err error
		s, err = tx.CreateSession(u.ID, token, 1000)
		return err
	})
	if s.ID == 0 || s.UserID != u.ID || !bytes.Equal(s.TokenHash, token) || s.CreatedAt != 1000 ||
		s.LastLoginAt != 0 || s.DeviceInfo != (DeviceInfo{}) {
		t.Fatalf("created %+v", s)
	}

	dev := DeviceInfo{
		AppName: "iGap", AppID: 3, AppBuildVersion: 101, AppVersion: "1.0.1",
		Platform: 1, PlatformVersion: "14", Device: 2, DeviceName: "Pixel", Language: 1, IP: "192.0.2.7",
	}
	write(t, db, func(tx *Tx) error { return tx.TouchSession(s.ID, 2000, dev) })
	read(t, db, func(tx *Tx) error {
		got, err := tx.SessionByTokenHash(token)
		want := s
		want.LastLoginAt = 2000
		want.DeviceInfo = dev
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after touch: %+v, want %+v", got, want)
		}
		return err
	})

	write(t, db, func(tx *Tx) error { return tx.RevokeSession(s.ID) })
	read(t, db, func(tx *Tx) error {
		_, err := tx.SessionByTokenHash(token)
		wantNotFound(t, "revoked session by token", err)
		return nil
	})
	// A revoked session is gone for every operation.
	wantNotFound(t, "TouchSession after revoke", db.Write(testCtx(t), func(tx *Tx) error { return tx.TouchSession(s.ID, 3000, dev) }))
	wantNotFound(t, "RevokeSession twice", db.Write(testCtx(t), func(tx *Tx) error { return tx.RevokeSession(s.ID) }))
}

func TestSessionNotFound(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000301")
	read(t, db, func(tx *Tx) error {
		_, err := tx.SessionByTokenHash([]byte("unknown"))
		wantNotFound(t, "SessionByTokenHash", err)
		return nil
	})
	for name, fn := range map[string]func(*Tx) error{
		"TouchSession":           func(tx *Tx) error { return tx.TouchSession(777, 1, DeviceInfo{}) },
		"RevokeSession":          func(tx *Tx) error { return tx.RevokeSession(777) },
		"CreateSession, no user": func(tx *Tx) error { _, err := tx.CreateSession(u.ID+99, []byte("t"), 1); return err },
	} {
		wantNotFound(t, name, db.Write(testCtx(t), fn))
	}
}

func TestCreateSessionDuplicateToken(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000302")
	write(t, db, func(tx *Tx) error { _, err := tx.CreateSession(u.ID, []byte("same"), 1); return err })
	err := db.Write(testCtx(t), func(tx *Tx) error { _, err := tx.CreateSession(u.ID, []byte("same"), 2); return err })
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second session with the same token hash: %v, want ErrDuplicate", err)
	}
}

func TestActiveSessions(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000302")
	other := newUser(t, db, "+15550000303")
	var fresh, touched, theirs Session
	write(t, db, func(tx *Tx) (err error) {
		if _, err = tx.CreateSession(u.ID, []byte("old"), 100); err != nil {
			return err
		}
		if fresh, err = tx.CreateSession(u.ID, []byte("fresh"), 900); err != nil {
			return err
		}
		if touched, err = tx.CreateSession(u.ID, []byte("touched"), 100); err != nil {
			return err
		}
		if theirs, err = tx.CreateSession(other.ID, []byte("theirs"), 950); err != nil {
			return err
		}
		return tx.TouchSession(touched.ID, 1000, DeviceInfo{DeviceName: "phone"})
	})
	ids := func() (out []SessionID) {
		read(t, db, func(tx *Tx) error {
			ss, err := tx.ActiveSessions(u.ID, 500)
			for _, s := range ss {
				out = append(out, s.ID)
			}
			return err
		})
		return out
	}
	// "old" is idle since 100, before the cutoff; touched logged in last.
	if got, want := ids(), []SessionID{touched.ID, fresh.ID}; !reflect.DeepEqual(got, want) {
		t.Fatalf("active %v, want %v", got, want)
	}
	wantNotFound(t, "revoking another user's session", db.Write(testCtx(t), func(tx *Tx) error { return tx.RevokeUserSession(u.ID, theirs.ID) }))
	write(t, db, func(tx *Tx) error { return tx.RevokeUserSession(u.ID, fresh.ID) })
	if got, want := ids(), []SessionID{touched.ID}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after revoke %v, want %v", got, want)
	}
}
