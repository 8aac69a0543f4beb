package storage

import (
	"sort"
	"sync"
	"testing"
)

// Writers running at once (PostgreSQL runs them so; several nodes do too)
// take a room's versions without gaps, in commit order, and a random_id sent
// twice at once is stored once.
func TestConcurrentSendsTakeGapFreeVersions(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	const senders, each = 8, 20
	var wg sync.WaitGroup
	for s := range senders {
		for copy := range 2 { // every random_id is sent twice, at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				author := a.ID
				if s%2 == 1 {
					author = b.ID
				}
				for i := range each {
					rid := int64(s*1000 + i + 1)
					err := db.Write(testCtx(t), func(tx *Tx) error {
						if _, err := tx.MessageByRandomID(r.ID, author, rid); err == nil {
							return nil // the other copy got here first
						}
						_, err := tx.InsertMessage(NewMessage{RoomID: r.ID, AuthorID: author, RandomID: rid, Body: "x", Now: int64(copy)})
						return err
					})
					if err != nil {
						t.Errorf("sender %d copy %d message %d: %v", s, copy, i, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	var ms []struct {
		ID       MessageID `db:"id"`
		Version  Version   `db:"create_version"`
		Previous MessageID `db:"previous_id"`
	}
	var room Room
	read(t, db, func(tx *Tx) error {
		var err error
		if room, err = tx.RoomByID(r.ID); err != nil {
			return err
		}
		return tx.tx.Select(&ms, `SELECT id, create_version, previous_id FROM messages WHERE room_id = ?`, r.ID)
	})
	if len(ms) != senders*each {
		t.Fatalf("%d messages stored, want %d (one per random_id)", len(ms), senders*each)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != Version(i+1) {
			t.Fatalf("message %d has version %d, want %d: versions have a gap or a repeat", i, m.Version, i+1)
		}
		if i > 0 && m.Previous != ms[i-1].ID {
			t.Fatalf("version %d links %d, but version %d is %d: out of commit order", m.Version, m.Previous, i, ms[i-1].ID)
		}
	}
	if room.Version != Version(len(ms)) || room.LastMessageID != ms[len(ms)-1].ID {
		t.Fatalf("room at version %d, last %d; want %d, %d", room.Version, room.LastMessageID, len(ms), ms[len(ms)-1].ID)
	}
}

// Wrong guesses made at once (on several nodes) are each counted: a guard is
// read and written back under the user's lock, so none overwrites another.
func TestConcurrentGuessesAllCount(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+989120000009")
	const guesses = 24
	var wg sync.WaitGroup
	for range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(testCtx(t), func(tx *Tx) error {
				_, account, err := tx.VerifyGuards(u.ID, "10.0.0.1")
				if err != nil {
					return err
				}
				account.Failures++
				return tx.SaveVerifyGuard(account)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	read(t, db, func(tx *Tx) error {
		_, account, err := tx.VerifyGuards(u.ID, "10.0.0.1")
		if err == nil && account.Failures != guesses {
			t.Errorf("%d guesses counted, want %d", account.Failures, guesses)
		}
		return err
	})
}
