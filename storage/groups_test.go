package storage

import (
	"errors"
	"testing"
)

// A group's members leave and change rank; the senior member is the one a
// leaving owner hands over to, and log messages take versions like any other.
func TestGroupMembersAndLogs(t *testing.T) {
	db := openTest(t)
	a, b, c := newUser(t, db, "+989120000001"), newUser(t, db, "+989120000002"), newUser(t, db, "+989120000003")
	write(t, db, func(tx *Tx) error {
		r, err := tx.CreateRoom(RoomGroup, "g", "", a.ID, 1000)
		if err != nil {
			return err
		}
		for i, u := range []UserID{a.ID, b.ID, c.ID} {
			if err := tx.AddMember(r.ID, u, 0, 0, 1000+int64(i)); err != nil {
				return err
			}
		}
		if err := tx.SetRole(r.ID, c.ID, 2); err != nil {
			return err
		}
		if s, err := tx.SeniorMember(r.ID); err != nil || s.UserID != c.ID {
			t.Errorf("senior = %d, %v; want the admin %d", s.UserID, err, c.ID)
		}
		log, err := tx.InsertLog(r.ID, a.ID, LogMemberKicked, b.ID, 1001)
		if err != nil {
			return err
		}
		if log.Type != messageTypeLog || *log.LogType != LogMemberKicked || *log.LogTarget != b.ID || log.MessageVersion != 1 {
			t.Errorf("log = %+v", log)
		}
		if err := tx.RemoveMember(r.ID, b.ID); err != nil {
			return err
		}
		if err := tx.RemoveMember(r.ID, b.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second removal: %v, want ErrNotFound", err)
		}
		if n, err := tx.MemberCount(r.ID); err != nil || n != 2 {
			t.Errorf("count = %d, %v", n, err)
		}
		if err := tx.SetRoomInfo(r.ID, "h", "d"); err != nil {
			return err
		}
		r, err = tx.RoomByID(r.ID)
		if r.Title != "h" || r.Description != "d" || r.LastMessageID != log.ID {
			t.Errorf("room = %+v", r)
		}
		return err
	})
}
