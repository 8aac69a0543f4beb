package storage

import (
	"context"
	"errors"
	"testing"
)

// Statements counts every statement of Read and Write transactions, each
// once, whichever helper runs it.
func TestStatementsCounts(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	before := db.Statements()
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.Memberships(1); err != nil { // get
			return err
		}
		_, err := tx.MemberIDs(1) // query
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Statements() - before; got != 2 {
		t.Fatalf("a read of 2 statements counted %d", got)
	}
	before = db.Statements()
	err = db.Write(ctx, func(tx *Tx) error {
		if err := tx.ShowRoom(1, 1); !errors.Is(err, ErrNotFound) { // exec
			return err
		}
		if _, err := tx.RoomByID(1); !errors.Is(err, ErrNotFound) { // row
			return err
		}
		_, err := tx.InactiveUsers(0, 10) // sel
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Statements() - before; got != 3 {
		t.Fatalf("a write of 3 statements counted %d", got)
	}
}
