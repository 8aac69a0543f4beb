package storage

import "testing"

func TestContactViewsOfManyUsersInOneQuery(t *testing.T) {
	db := openTest(t)
	a := newUser(t, db, "+989120000001")
	b := newUser(t, db, "+989120000002") // a has b, b has a: mutual
	c := newUser(t, db, "+989120000003") // a has c only
	d := newUser(t, db, "+989120000004") // d has a only: a knows nothing of d
	write(t, db, func(tx *Tx) error {
		for _, e := range []struct {
			owner UserID
			phone string
		}{{a.ID, b.Phone}, {b.ID, a.Phone}, {a.ID, c.Phone}, {d.ID, a.Phone}} {
			if err := tx.UpsertContact(e.owner, e.phone, "N"+e.phone[len(e.phone)-1:], "", "", 1); err != nil {
				return err
			}
		}
		return nil
	})
	var got map[UserID]ContactView
	read(t, db, func(tx *Tx) (err error) {
		got, err = tx.ContactViews(a.ID, []UserID{b.ID, c.ID, d.ID, 999})
		return err
	})
	want := map[UserID]ContactView{
		b.ID: {Known: true, FirstName: "N2", Mutual: true, Theirs: true},
		c.ID: {Known: true, FirstName: "N3"},
		d.ID: {Theirs: true},
	}
	if len(got) != len(want) {
		t.Fatalf("views = %+v, want %+v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("view of %d = %+v, want %+v", id, got[id], w)
		}
	}
}
