package storage

import (
	"reflect"
	"testing"
)

func TestInfoPages(t *testing.T) {
	db := openTest(t)
	read(t, db, func(tx *Tx) error {
		_, err := tx.InfoPage("terms")
		wantNotFound(t, "missing page", err)
		ps, err := tx.InfoPages()
		if err != nil || len(ps) != 0 {
			t.Fatalf("empty list: %v %v", ps, err)
		}
		return nil
	})
	write(t, db, func(tx *Tx) error {
		if err := tx.PutInfoPage("terms", "old", 100); err != nil {
			return err
		}
		if err := tx.PutInfoPage("terms", "Conditions générales", 200); err != nil { // replaces
			return err
		}
		return tx.PutInfoPage("about", "", 150) // an empty page is a page
	})
	read(t, db, func(tx *Tx) error {
		p, err := tx.InfoPage("terms")
		if err != nil || p != (InfoPage{ID: "terms", Body: "Conditions générales", UpdatedAt: 200}) {
			t.Fatalf("terms: %+v %v", p, err)
		}
		if _, err := tx.InfoPage("TERMS"); err == nil {
			t.Error("ids must be case-sensitive, as clients send them")
		}
		ps, err := tx.InfoPages()
		want := []InfoPageSummary{{ID: "about", Size: 0, UpdatedAt: 150}, {ID: "terms", Size: int64(len("Conditions générales")), UpdatedAt: 200}}
		if err != nil || !reflect.DeepEqual(ps, want) {
			t.Fatalf("list: %+v %v, want %+v (size in bytes)", ps, err, want)
		}
		return nil
	})
	write(t, db, func(tx *Tx) error { return tx.DeleteInfoPage("terms") })
	err := db.Write(testCtx(t), func(tx *Tx) error { return tx.DeleteInfoPage("terms") })
	wantNotFound(t, "delete twice", err)
	read(t, db, func(tx *Tx) error {
		_, err := tx.InfoPage("terms")
		wantNotFound(t, "deleted page", err)
		return nil
	})
}
