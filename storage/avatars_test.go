package storage

import (
	"errors"
	"testing"
)

// avatarUpload is a complete upload of u with its own content.
func avatarUpload(t *testing.T, db *DB, u User, token string) File {
	t.Helper()
	var f File
	write(t, db, func(tx *Tx) error {
		c, err := tx.CreateContent(fileHash(token), 5, u.ID, 1)
		if err != nil {
			return err
		}
		f, err = tx.CreateUpload(NewUpload{Token: token, UserID: u.ID, Name: token, Size: 5, Hash: fileHash(token), ContentID: c.ID, Now: 1})
		return err
	})
	return f
}

func TestAvatarsNewestFirstAndSummaries(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002")
	c := newUser(t, db, "+989120000003")
	f1, f2, f3 := avatarUpload(t, db, a, "t1"), avatarUpload(t, db, a, "t2"), avatarUpload(t, db, b, "t3")
	var ids []AvatarID
	write(t, db, func(tx *Tx) error {
		for _, x := range []struct {
			u User
			f File
		}{{a, f1}, {a, f2}, {b, f3}} {
			id, err := tx.AddAvatar(x.u.ID, x.f.ID, 10, 100)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		list, err := tx.Avatars(a.ID)
		if err != nil {
			return err
		}
		if len(list) != 2 || list[0].ID != ids[1] || list[0].File.Token != "t2" || list[1].File.Token != "t1" {
			t.Errorf("avatars of a: %+v", list)
		}
		sums, err := tx.AvatarSummaries([]UserID{a.ID, b.ID, c.ID})
		if err != nil {
			return err
		}
		if len(sums) != 2 || sums[a.ID].Count != 2 || sums[a.ID].Current.ID != ids[1] || sums[a.ID].Current.File.Token != "t2" ||
			sums[b.ID].Count != 1 || sums[b.ID].Current.File.Token != "t3" {
			t.Errorf("summaries: %+v", sums)
		}
		// Anyone may read an avatar's upload.
		if _, err := tx.ReadableFile("t3", c.ID); err != nil {
			t.Errorf("avatar upload not readable by another user: %v", err)
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		if err := tx.DeleteAvatar(b.ID, ids[1]); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleting another user's avatar: %v", err)
		}
		return tx.DeleteAvatar(a.ID, ids[1])
	})
	read(t, db, func(tx *Tx) error {
		sums, err := tx.AvatarSummaries([]UserID{a.ID})
		if err != nil {
			return err
		}
		if sums[a.ID].Count != 1 || sums[a.ID].Current.ID != ids[0] || sums[a.ID].Current.File.Token != "t1" {
			t.Errorf("after delete: %+v", sums)
		}
		return nil
	})
}

func TestAvatarsKeepNewest(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	f := avatarUpload(t, db, a, "t1")
	write(t, db, func(tx *Tx) error {
		for range 4 {
			if _, err := tx.AddAvatar(a.ID, f.ID, 10, 3); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		list, err := tx.Avatars(a.ID)
		if len(list) != 3 {
			t.Errorf("kept %d avatars", len(list))
		}
		return err
	})
}

func TestUsernameChangesAndSet(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002")
	write(t, db, func(tx *Tx) error {
		if err := tx.SetUsername(a.ID, "Alice_1"); err != nil {
			return err
		}
		if err := tx.SetUsername(b.ID, "ALICE_1"); !errors.Is(err, ErrDuplicate) {
			t.Errorf("taken username in other case: %v", err)
		}
		for _, at := range []int64{100, 200, 300} {
			if err := tx.RecordUsernameChange(a.ID, at, at-150); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		u, err := tx.UserByUsername("alice_1")
		if err != nil || u.ID != a.ID {
			t.Errorf("lookup after change: %v %v", u, err)
		}
		n, oldest, err := tx.UsernameChanges(a.ID, 150)
		if n != 2 || oldest != 200 {
			t.Errorf("changes after 150: %d, oldest %d", n, oldest)
		}
		return err
	})
}
