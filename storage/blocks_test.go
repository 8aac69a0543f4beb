package storage

import (
	"errors"
	"testing"
)

func TestBlockUnblockList(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002")
	c := newUser(t, db, "+989120000003")
	write(t, db, func(tx *Tx) error {
		if err := tx.Block(a.ID, b.ID, 10); err != nil {
			return err
		}
		if err := tx.Block(a.ID, b.ID, 30); err != nil { // again: kept, not an error
			return err
		}
		if err := tx.Block(a.ID, c.ID, 20); err != nil {
			return err
		}
		if err := tx.Block(a.ID, 99, 20); !errors.Is(err, ErrNotFound) {
			t.Errorf("block of a missing user: %v", err)
		}
		return nil
	})
	read(t, db, func(tx *Tx) error {
		us, err := tx.BlockedUsers(a.ID)
		if err != nil {
			return err
		}
		if len(us) != 2 || us[0].ID != c.ID || us[1].ID != b.ID {
			t.Errorf("blocked users = %+v", us)
		}
		if ok, err := tx.Blocks(a.ID, b.ID); err != nil || !ok {
			t.Errorf("a blocks b = %v, %v", ok, err)
		}
		if ok, err := tx.Blocks(b.ID, a.ID); err != nil || ok {
			t.Errorf("b blocks a = %v, %v", ok, err)
		}
		views, err := tx.ContactViews(b.ID, []UserID{a.ID, c.ID})
		if err != nil {
			return err
		}
		if !views[a.ID].BlockedBy || views[c.ID].BlockedBy {
			t.Errorf("views of b = %+v", views)
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		if err := tx.Unblock(a.ID, b.ID); err != nil {
			return err
		}
		wantNotFound(t, "second Unblock", tx.Unblock(a.ID, b.ID))
		return nil
	})
	read(t, db, func(tx *Tx) error {
		us, err := tx.BlockedUsers(a.ID)
		if err != nil || len(us) != 1 || us[0].ID != c.ID {
			t.Errorf("after unblock: %+v, %v", us, err)
		}
		return nil
	})
}

func TestBioReadBack(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+989120000001")
	write(t, db, func(tx *Tx) error {
		wantNotFound(t, "SetBio", tx.SetBio(42, "x"))
		return tx.SetBio(u.ID, "Hi ✓")
	})
	read(t, db, func(tx *Tx) error {
		got, err := tx.UserByID(u.ID)
		if err != nil || got.Bio != "Hi ✓" {
			t.Errorf("bio = %q, %v", got.Bio, err)
		}
		return nil
	})
}

func TestReports(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002")
	write(t, db, func(tx *Tx) error {
		if err := tx.AddReport(a.ID, b.ID, 1, "spam", 10); err != nil {
			return err
		}
		if err := tx.AddReport(a.ID, b.ID, 2, "", 11); !errors.Is(err, ErrDuplicate) {
			t.Errorf("second open report: %v", err)
		}
		if err := tx.AddReport(a.ID, 99, 2, "", 11); !errors.Is(err, ErrNotFound) {
			t.Errorf("report of a missing user: %v", err)
		}
		return nil
	})
	var id ReportID
	read(t, db, func(tx *Tx) error {
		rs, err := tx.Reports(false)
		if err != nil || len(rs) != 1 || rs[0].ReporterID != a.ID || rs[0].UserID != b.ID || rs[0].Reason != 1 || rs[0].Description != "spam" {
			t.Fatalf("open reports = %+v, %v", rs, err)
		}
		id = rs[0].ID
		return nil
	})
	write(t, db, func(tx *Tx) error {
		if err := tx.ResolveReport(id, "warned", 20); err != nil {
			return err
		}
		wantNotFound(t, "second ResolveReport", tx.ResolveReport(id, "again", 21))
		// resolved: the reporter may report again
		return tx.AddReport(a.ID, b.ID, 2, "", 22)
	})
	read(t, db, func(tx *Tx) error {
		open, err := tx.Reports(false)
		if err != nil || len(open) != 1 || open[0].ID == id {
			t.Errorf("open after resolve = %+v, %v", open, err)
		}
		all, err := tx.Reports(true)
		if err != nil || len(all) != 2 || all[0].ResolvedAt != 20 || all[0].Resolution != "warned" {
			t.Errorf("all = %+v, %v", all, err)
		}
		return nil
	})
}
