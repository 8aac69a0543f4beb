package storage

import (
	"fmt"
	"sync"
	"testing"
)

// newContents records n contents waiting for processing, uploaded by user.
func newContents(t *testing.T, db *DB, user UserID, prefix string, n int) []Content {
	t.Helper()
	cs := make([]Content, n)
	write(t, db, func(tx *Tx) (err error) {
		for i := range cs {
			if cs[i], err = tx.CreateContent(fileHash(fmt.Sprint(prefix, i)), 10, user, 1); err != nil {
				return err
			}
		}
		return nil
	})
	return cs
}

func claim(t *testing.T, db *DB, worker string, now int64, perUser int) (Content, error) {
	t.Helper()
	var c Content
	err := db.Write(testCtx(t), func(tx *Tx) (err error) {
		c, err = tx.ClaimProcessing(worker, now, now+1000, perUser)
		return err
	})
	return c, err
}

// Processing is claimed oldest first, by one worker at a time, with at most
// perUser live claims per uploader over every worker; a claim lapses when
// its lease runs out unless renewed, and a release after a failure holds
// the content back until its retry time.
func TestClaimProcessing(t *testing.T) {
	db := openTest(t)
	a, b := newUser(t, db, "+989121110101"), newUser(t, db, "+989121110102")
	as := newContents(t, db, a.ID, "a", 2)
	bs := newContents(t, db, b.ID, "b", 1)

	for _, want := range []struct {
		worker string
		id     ContentID
	}{{"n1/1", as[0].ID}, {"n2/1", bs[0].ID}} {
		if c, err := claim(t, db, want.worker, 100, 1); err != nil || c.ID != want.id || c.Size != 10 {
			t.Fatalf("%s claimed %+v %v, want content %d", want.worker, c, err, want.id)
		}
	}
	// a's second content waits: a already has one under a live lease.
	wantNotFound(t, "busy uploader", func() error { _, err := claim(t, db, "n2/2", 200, 1); return err }())
	// Two per uploader: it is taken.
	if c, err := claim(t, db, "n2/2", 200, 2); err != nil || c.ID != as[1].ID {
		t.Fatalf("claimed %+v %v, want content %d", c, err, as[1].ID)
	}

	// n1/1 renews; n2/1's and n2/2's leases (until 1100, 1200) run out.
	write(t, db, func(tx *Tx) error { return tx.RenewProcessing(as[0].ID, "n1/1", 5000) })
	write(t, db, func(tx *Tx) error {
		wantNotFound(t, "renew another's claim", tx.RenewProcessing(bs[0].ID, "n1/1", 5000))
		return nil
	})
	if c, err := claim(t, db, "n3/1", 1300, 2); err != nil || c.ID != as[1].ID {
		t.Fatalf("after the leases ran out: claimed %+v %v, want content %d", c, err, as[1].ID)
	}
	write(t, db, func(tx *Tx) error {
		wantNotFound(t, "renew a lapsed claim", tx.RenewProcessing(as[1].ID, "n2/2", 5000))
		// A failure: retried after 3000, by anyone.
		return tx.ReleaseProcessing(as[1].ID, "n3/1", 3000)
	})
	if c, err := claim(t, db, "n3/1", 1400, 2); err != nil || c.ID != bs[0].ID {
		t.Fatalf("claimed %+v %v, want content %d (the failed one waits)", c, err, bs[0].ID)
	}
	wantNotFound(t, "before the retry", func() error { _, err := claim(t, db, "n3/2", 1500, 5); return err }())
	if c, err := claim(t, db, "n3/2", 3001, 5); err != nil || c.ID != as[1].ID {
		t.Fatalf("at the retry: claimed %+v %v, want content %d", c, err, as[1].ID)
	}
	// Processed content is never claimed again.
	write(t, db, func(tx *Tx) error {
		for _, c := range append(as, bs...) {
			if err := tx.SetProcessed(c); err != nil {
				return err
			}
		}
		return nil
	})
	wantNotFound(t, "all processed", func() error { _, err := claim(t, db, "n4/1", 1_000_000, 5); return err }())
}

// Two "nodes" (two handles on one database file, as two processes would
// have) claiming as fast as they can never take the same content twice,
// and between them take all of it.
func TestClaimProcessingTwoNodes(t *testing.T) {
	dir := t.TempDir()
	nodes := []*DB{openAt(t, dir, Options{Synchronous: "OFF"}), openAt(t, dir, Options{Synchronous: "OFF"})}
	const users, per = 8, 10
	for u := range users {
		newContents(t, nodes[0], newUser(t, nodes[0], fmt.Sprintf("+98912111%04d", u)).ID, fmt.Sprint("u", u, "-"), per)
	}
	var mu sync.Mutex
	taken := map[ContentID]string{}
	var wg sync.WaitGroup
	for n, db := range nodes {
		for w := range 3 {
			worker := fmt.Sprintf("n%d/%d", n, w)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var c Content
					err := db.Write(testCtx(t), func(tx *Tx) (err error) {
						c, err = tx.ClaimProcessing(worker, 1, 1_000_000, users*per)
						return err
					})
					if err != nil {
						return // ErrNotFound: nothing left (any other error fails below: too few taken)
					}
					mu.Lock()
					if other, dup := taken[c.ID]; dup {
						t.Errorf("content %d claimed by %s and %s", c.ID, other, worker)
					}
					taken[c.ID] = worker
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(taken) != users*per {
		t.Fatalf("%d contents claimed, want %d", len(taken), users*per)
	}
}
