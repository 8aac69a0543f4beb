package storage

import (
	"errors"
	"reflect"
	"testing"
)

// chatOf makes two users and their chat room.
func chatOf(t *testing.T, db *DB) (a, b User, r Room) {
	t.Helper()
	a, b = newUser(t, db, "+989120000001"), newUser(t, db, "+989120000002")
	write(t, db, func(tx *Tx) error {
		var err error
		r, err = tx.CreateChatRoom(a.ID, b.ID, 1000)
		return err
	})
	return a, b, r
}

func insert(t *testing.T, db *DB, n NewMessage) Message {
	t.Helper()
	var m Message
	write(t, db, func(tx *Tx) error {
		var err error
		m, err = tx.InsertMessage(n)
		return err
	})
	return m
}

func TestChatRoomIsOnePerPair(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	read(t, db, func(tx *Tx) error {
		got, err := tx.ChatRoom(b.ID, a.ID)
		if err != nil || got.ID != r.ID {
			t.Fatalf("ChatRoom(b, a) = %v, %v; want room %d", got.ID, err, r.ID)
		}
		ids, err := tx.MemberIDs(r.ID)
		if err != nil || len(ids) != 2 {
			t.Fatalf("members %v, %v", ids, err)
		}
		peer, err := tx.ChatPeer(r.ID, a.ID)
		if err != nil || peer != b.ID {
			t.Fatalf("peer of a = %d, %v", peer, err)
		}
		return nil
	})
	err := db.Write(testCtx(t), func(tx *Tx) error {
		_, err := tx.CreateChatRoom(b.ID, a.ID, 1001)
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second chat room for the pair: %v, want ErrDuplicate", err)
	}
}

func TestVersionsGrowWithEveryChange(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	m1 := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Type: 0, Body: "one", Now: 1})
	m2 := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Type: 0, Body: "two", Now: 2})
	if m1.MessageVersion != 1 || m2.MessageVersion != 2 || m2.PreviousID != m1.ID || m1.PreviousID != 0 {
		t.Fatalf("versions %d %d, previous %d %d", m1.MessageVersion, m2.MessageVersion, m1.PreviousID, m2.PreviousID)
	}
	var edited, deleted, seen Message
	write(t, db, func(tx *Tx) error {
		var err error
		if edited, err = tx.EditMessage(m1, "one!", 0, 3); err != nil {
			return err
		}
		if seen, _, err = tx.RaiseStatus(m2, b.ID, StatusSeen); err != nil {
			return err
		}
		deleted, err = tx.DeleteMessage(m2, 4)
		return err
	})
	if edited.MessageVersion != 3 || !edited.Edited || edited.Body != "one!" {
		t.Fatalf("edit: %+v", edited)
	}
	if seen.StatusVersion != 4 || seen.Status != StatusSeen || seen.StatusBy != b.ID {
		t.Fatalf("seen: %+v", seen)
	}
	if deleted.DeleteVersion != 5 || !deleted.Deleted || deleted.Body != "" {
		t.Fatalf("delete: %+v", deleted)
	}
	read(t, db, func(tx *Tx) error {
		got, err := tx.RoomByID(r.ID)
		if err != nil || got.Version != 5 || got.LastMessageID != m2.ID {
			t.Fatalf("room version %d last %d, %v", got.Version, got.LastMessageID, err)
		}
		// SEEN of m2 covered m1, written before it.
		m, err := tx.MessageInRoom(r.ID, m1.ID)
		if err != nil || m.Status != StatusSeen || m.StatusVersion != 4 || m.StatusBy != b.ID {
			t.Fatalf("m1 after SEEN of m2: status %d version %d by %d, %v", m.Status, m.StatusVersion, m.StatusBy, err)
		}
		return nil
	})
}

func TestStatusNeverGoesBack(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	m := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Body: "hi", Now: 1})
	write(t, db, func(tx *Tx) error {
		seen, changed, err := tx.RaiseStatus(m, b.ID, StatusSeen)
		if err != nil || !changed {
			t.Fatalf("SEEN: changed %v, %v", changed, err)
		}
		back, changed, err := tx.RaiseStatus(seen, b.ID, StatusDelivered)
		if err != nil || changed || back.Status != StatusSeen || back.StatusVersion != seen.StatusVersion {
			t.Fatalf("DELIVERED after SEEN: changed %v status %d, %v", changed, back.Status, err)
		}
		mb, err := tx.Member(r.ID, b.ID)
		if err != nil || mb.SeenID != m.ID {
			t.Fatalf("seen id %d, %v", mb.SeenID, err)
		}
		return nil
	})
}

func TestRandomIDIsUniquePerSenderAndRoom(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	m := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, RandomID: 77, Body: "x", Now: 1})
	insert(t, db, NewMessage{RoomID: r.ID, AuthorID: b.ID, RandomID: 77, Body: "same id, other sender", Now: 1})
	err := db.Write(testCtx(t), func(tx *Tx) error {
		_, err := tx.InsertMessage(NewMessage{RoomID: r.ID, AuthorID: a.ID, RandomID: 77, Body: "again", Now: 2})
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second insert with a random_id: %v, want ErrDuplicate", err)
	}
	read(t, db, func(tx *Tx) error {
		got, err := tx.MessageByRandomID(r.ID, a.ID, 77)
		if err != nil || got.ID != m.ID {
			t.Fatalf("by random id: %d, %v", got.ID, err)
		}
		return nil
	})
}

func TestHiddenRoomReturnsWithNewMessages(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	m1 := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Body: "1", Now: 1})
	write(t, db, func(tx *Tx) error { return tx.HideRoom(r.ID, b.ID, m1.ID) })
	read(t, db, func(tx *Tx) error {
		mb, _ := tx.Member(r.ID, b.ID)
		if !mb.Hidden || mb.ClearID != m1.ID || mb.Sees(m1.ID) {
			t.Fatalf("after hide: %+v", mb)
		}
		return nil
	})
	m2 := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Body: "2", Now: 2})
	read(t, db, func(tx *Tx) error {
		mb, _ := tx.Member(r.ID, b.ID)
		if mb.Hidden || !mb.Sees(m2.ID) {
			t.Fatalf("after a new message: %+v", mb)
		}
		n, err := tx.UnreadCount(mb)
		if err != nil || n != 1 {
			t.Fatalf("unread %d, %v; want 1 (the cleared message does not count)", n, err)
		}
		return nil
	})
	// Clear points never move back.
	write(t, db, func(tx *Tx) error { return tx.ClearHistory(r.ID, b.ID, 1) })
	read(t, db, func(tx *Tx) error {
		mb, _ := tx.Member(r.ID, b.ID)
		if mb.ClearID != m1.ID {
			t.Fatalf("clear id moved back to %d", mb.ClearID)
		}
		return nil
	})
}

// RoomAndMember reads what RoomByID and Member do, in one statement.
func TestRoomAndMember(t *testing.T) {
	db := openTest(t)
	a, _, r := chatOf(t, db)
	c := newUser(t, db, "+989120000003")
	write(t, db, func(tx *Tx) error {
		wantRoom, _ := tx.RoomByID(r.ID)
		wantMember, _ := tx.Member(r.ID, a.ID)
		room, m, in, err := tx.RoomAndMember(r.ID, a.ID)
		if err != nil || !in || !reflect.DeepEqual(room, wantRoom) || m != wantMember {
			t.Errorf("member: %+v %+v %v %v; want %+v %+v", room, m, in, err, wantRoom, wantMember)
		}
		room, m, in, err = tx.RoomAndMember(r.ID, c.ID)
		if err != nil || in || !reflect.DeepEqual(room, wantRoom) || m != (Member{}) {
			t.Errorf("not a member: %+v %+v %v %v", room, m, in, err)
		}
		if _, _, _, err := tx.RoomAndMember(r.ID+100, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("no room: %v", err)
		}
		return nil
	})
}
