package handlers

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

func (e *env) login(s *session, token string) (*pb.UserLoginResponse, error) {
	return e.h.UserLogin(e.ctx, s, &pb.UserLogin{
		Token:           token,
		AppName:         "gapd-test",
		AppId:           7,
		AppBuildVersion: 42,
		AppVersion:      "1.2.3",
		Platform:        pb.Platform_LINUX,
		PlatformVersion: "6.1",
		Device:          pb.Device_PC,
		DeviceName:      "bench",
		Language:        pb.Language_FA_IR,
	})
}

func TestLoginBindsSession(t *testing.T) {
	e := newEnv(t)
	userID, token := e.signUp(phoneIR)
	e.clock.Advance(42 * time.Second)
	s := &session{}
	resp, err := e.login(s, token)
	wantOK(t, err)
	if resp.DeprecatedClient || resp.UpdateAvailable {
		t.Fatalf("response %v: want neither deprecated nor update available", resp)
	}

	e.read(func(tx *storage.Tx) error {
		sess, err := tx.SessionByTokenHash(hashToken(token))
		if err != nil {
			return err
		}
		if len(s.logins) != 1 || s.logins[0] != [2]uint64{userID, uint64(sess.ID)} {
			t.Errorf("Login calls %v, want one with (%d, %d)", s.logins, userID, sess.ID)
		}
		want := storage.DeviceInfo{AppName: "gapd-test", AppID: 7, AppBuildVersion: 42, AppVersion: "1.2.3",
			Platform: int32(pb.Platform_LINUX), PlatformVersion: "6.1", Device: int32(pb.Device_PC),
			DeviceName: "bench", Language: int32(pb.Language_FA_IR), IP: "192.0.2.7"}
		if sess.DeviceInfo != want || sess.LastLoginAt != e.clock.Now().Unix() {
			t.Errorf("session %+v: want device facts %+v and last login now", sess, want)
		}
		return nil
	})
}

func TestLoginUnknownToken(t *testing.T) {
	e := newEnv(t)
	e.signUp(phoneIR)
	s := &session{}
	_, err := e.login(s, "not-a-token-of-this-server")
	wantErr(t, err, errs.UserLoginFailed, 0)
	if len(s.logins) != 0 {
		t.Fatal("a failed login bound the connection")
	}
}

func TestLoginRevokedToken(t *testing.T) {
	e := newEnv(t)
	_, token := e.signUp(phoneIR)
	e.write(func(tx *storage.Tx) error {
		sess, err := tx.SessionByTokenHash(hashToken(token))
		if err != nil {
			return err
		}
		return tx.RevokeSession(sess.ID)
	})
	_, err := e.login(&session{}, token)
	wantErr(t, err, errs.UserLoginFailed, 0)
}

func TestLoginBlockedUser(t *testing.T) {
	e := newEnv(t)
	userID, token := e.signUp(phoneIR)
	e.block(userID)
	s := &session{}
	_, err := e.login(s, token)
	wantErr(t, err, errs.UserLoginFailed, errs.UserLoginFailedUserBlocked)
	if len(s.logins) != 0 {
		t.Fatal("a blocked user's connection was bound")
	}
}

// The token must exist only on the client: the database holds its SHA-256.
func TestTokenStoredOnlyAsHash(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t)
	// Reopen the env's handlers over a database whose files we can read.
	db, err := storage.Open(e.ctx, dir, storage.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e.db = db
	e.h.db = db

	_, token := e.signUp(phoneIR)
	if len(token) != 43 {
		t.Fatalf("token %q: want 43 characters of base64url (256 bits)", token)
	}
	e.read(func(tx *storage.Tx) error {
		sess, err := tx.SessionByTokenHash(hashToken(token))
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(token))
		if !bytes.Equal(sess.TokenHash, sum[:]) {
			t.Errorf("stored %x, want SHA-256 of the token", sess.TokenHash)
		}
		return nil
	})
	// Nothing in the database files (main file and write-ahead log) may
	// contain the token's text.
	files, _ := filepath.Glob(filepath.Join(dir, storage.FileName+"*"))
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Fatalf("%s contains the token in clear", f)
		}
	}
}
