package storage

import (
	"fmt"
	"testing"
)

func TestChangesInVersionOrderAndPages(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	var m [6]Message
	for i := 1; i <= 4; i++ {
		m[i] = insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Body: fmt.Sprint(i), Now: 1})
	}
	since := Versions{Message: m[2].MessageVersion} // the client holds 1 and 2
	write(t, db, func(tx *Tx) error {
		if _, _, err := tx.RaiseStatus(m[2], b.ID, StatusSeen); err != nil { // 1 and 2, at one version
			return err
		}
		if _, err := tx.EditMessage(m[1], "one", 1, 2); err != nil {
			return err
		}
		_, err := tx.DeleteMessage(m[2], 2)
		return err
	})
	m[5] = insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Body: "5", Now: 3})

	var member Member
	read(t, db, func(tx *Tx) (err error) { member, err = tx.Member(r.ID, b.ID); return err })
	all := func(page int) string {
		var out []string
		var after Change
		for {
			var cs []Change
			read(t, db, func(tx *Tx) (err error) { cs, err = tx.Changes(member, since, after, page); return err })
			if len(cs) == 0 {
				return fmt.Sprint(out)
			}
			for _, c := range cs {
				if !comesAfter(c, after) {
					t.Fatalf("%v does not come after %v", c, after)
				}
				after = c
				out = append(out, fmt.Sprintf("%d:%d", c.Kind, c.MessageID))
			}
		}
	}
	// New 3 and 4, the status of 1 (2's is left out: 2 is deleted), the
	// edit of 1, the delete of 2, new 5.
	want := fmt.Sprint([]string{
		fmt.Sprintf("%d:%d", ChangeNew, m[3].ID), fmt.Sprintf("%d:%d", ChangeNew, m[4].ID),
		fmt.Sprintf("%d:%d", ChangeStatus, m[1].ID), fmt.Sprintf("%d:%d", ChangeEdit, m[1].ID),
		fmt.Sprintf("%d:%d", ChangeDelete, m[2].ID), fmt.Sprintf("%d:%d", ChangeNew, m[5].ID),
	})
	for _, page := range []int{1, 2, 100} {
		if got := all(page); got != want {
			t.Fatalf("page size %d: %s, want %s", page, got, want)
		}
	}

	// What the member cleared is not theirs to catch up on.
	write(t, db, func(tx *Tx) error { return tx.ClearHistory(r.ID, b.ID, m[4].ID) })
	read(t, db, func(tx *Tx) (err error) { member, err = tx.Member(r.ID, b.ID); return err })
	if got := all(100); got != fmt.Sprint([]string{fmt.Sprintf("%d:%d", ChangeNew, m[5].ID)}) {
		t.Fatalf("after clearing up to 4: %s", got)
	}
}

// comesAfter reports whether c comes after d in the stream's order.
func comesAfter(c, d Change) bool {
	if c.Version != d.Version {
		return c.Version > d.Version
	}
	if c.Kind != d.Kind {
		return c.Kind > d.Kind
	}
	return c.MessageID > d.MessageID
}
