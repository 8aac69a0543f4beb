package storage

import "errors"

// Row locks. Where writers run at once (PostgreSQL, several nodes), a
// write that depends on what it read first locks the row the read is about
// until the transaction ends: the room's row before a message takes the
// room's next version or a member is counted against the room's cap; the
// user's row before a guard or a send budget is read and written back, so
// guesses and codes in parallel count one by one. SQLite's single writer
// needs none, nor does a read-only transaction.
var (
	qLockRoom = `SELECT id FROM rooms WHERE id = ? FOR UPDATE`
	qLockUser = `SELECT id FROM users WHERE id = ? FOR UPDATE`
)

func (t *Tx) lockRoom(id RoomID) error { return t.lock("lock room", qLockRoom, id) }
func (t *Tx) lockUser(id UserID) error { return t.lock("lock user", qLockUser, id) }

func (t *Tx) lock(op, query string, id any) error {
	if !t.rowLocks() || t.locked[heldRow{query, id}] {
		return nil // none needed, or held already: a lock lasts until the transaction ends
	}
	var got int64
	err := t.get(op, &got, query, id)
	if errors.Is(err, ErrNotFound) {
		return nil // no such row: the statements after it say so
	}
	if err == nil {
		t.held(query, id)
	}
	return err
}

// rowLocks: this transaction locks what its writes depend on.
func (t *Tx) rowLocks() bool { return t.db.eng.RowLocks() && !t.readOnly }

// heldRow names a locked row by its lock statement (which names the table)
// and its typed id (a RoomID or a UserID).
type heldRow struct {
	query string
	row   any
}

// held records a row this transaction has locked.
func (t *Tx) held(query string, id any) {
	if t.locked == nil {
		t.locked = map[heldRow]bool{}
	}
	t.locked[heldRow{query, id}] = true
}
