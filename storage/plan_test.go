package storage

import (
	"strings"
	"testing"
)

// Hot-path lookups must use an index, not scan a room: a send checks its
// random_id on every message, and a scan grows with the room's history; it
// also unhides the room for members who had deleted it, and a scan of a
// group's members grows with the group.
func TestHotQueriesUseIndexes(t *testing.T) {
	db := openTest(t)
	if db.Backend() != "sqlite" {
		t.Skip("the plans checked are SQLite's")
	}
	for name, q := range map[string]struct {
		query string
		index string
	}{
		"message by random id": {qMessageByRand, "messages_random"},
		"unhide room":          {qUnhideAll, "room_members_hidden"},
		// The room list reads these for a page of rooms: each room's
		// messages are reached by range, never by scan.
		"unread counts": {qUnreadCounts, "messages_room (room_id=? AND id>?)"},
		"last messages": {qLastMessages, "messages_room (room_id=? AND id>? AND id<?)"},
	} {
		args := []any{1, 2, 3}[:strings.Count(q.query, "?")]
		var plan []string
		read(t, db, func(tx *Tx) error {
			rows, err := tx.tx.Queryx(`EXPLAIN QUERY PLAN `+q.query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			return rows.Err()
		})
		if p := strings.Join(plan, "; "); !strings.Contains(p, q.index) {
			t.Errorf("%s: plan %q does not use %s", name, p, q.index)
		}
	}
}
