package storage

import (
	"errors"
	"reflect"
	"testing"
)

// The hand-written scans (scan.go) read what sqlx's reflection reads, with
// every optional column both set and NULL, and InsertMessage returns the row
// as stored.
func TestScansAgreeWithSqlx(t *testing.T) {
	db := openTest(t)
	a, b, r := chatOf(t, db)
	stranger := newUser(t, db, "+989120000009")
	var att FileID
	write(t, db, func(tx *Tx) error {
		c, err := tx.CreateContent([]byte("0123456789abcdef0123456789abcdef"), 5, a.ID, 1000)
		if err != nil {
			return err
		}
		f, err := tx.CreateUpload(NewUpload{Token: "scan", UserID: a.ID, Name: "f", Size: 5,
			Hash: c.Hash, ContentID: c.ID, Now: 1000})
		att = f.ID
		return err
	})
	lat, lon, contact, logType, target := 35.7, 51.4, `{"phone":["+98912"]}`, int32(3), b.ID
	plain := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: a.ID, Type: 0, Body: "hi", Now: 1001})
	full := insert(t, db, NewMessage{RoomID: r.ID, AuthorID: b.ID, RandomID: 77, Type: 5, Body: "all",
		AttachmentID: &att, LocationLat: &lat, LocationLon: &lon, Contact: &contact, LogType: &logType,
		LogTarget: &target, ReplyTo: &plain.ID, ForwardID: &plain.ID, AdditionalType: 3_000_000_000, AdditionalData: `{"k":1}`, Now: 1002})
	write(t, db, func(tx *Tx) error { return tx.HideRoom(r.ID, b.ID, 0) })

	read(t, db, func(tx *Tx) error {
		for _, inserted := range []Message{plain, full} {
			var want Message
			if err := tx.get("sqlx message", &want, qMessageByID, inserted.ID); err != nil {
				t.Fatal(err)
			}
			got, err := tx.MessageByID(inserted.ID)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("message %d: scanned %+v, %v; sqlx %+v", inserted.ID, got, err, want)
			}
			// InsertMessage reads back only what the database decides.
			if !reflect.DeepEqual(inserted, want) {
				t.Fatalf("message %d: InsertMessage returned %+v; stored %+v", inserted.ID, inserted, want)
			}
		}
		var wantRoom Room
		if err := tx.get("sqlx room", &wantRoom, qRoomByID, r.ID); err != nil {
			t.Fatal(err)
		}
		for _, u := range []UserID{a.ID, b.ID} {
			var want Member
			if err := tx.get("sqlx member", &want, qMember, r.ID, u); err != nil {
				t.Fatal(err)
			}
			got, err := tx.Member(r.ID, u)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("member %d: scanned %+v, %v; sqlx %+v", u, got, err, want)
			}
		}
		if got, err := tx.RoomByID(r.ID); err != nil || !reflect.DeepEqual(got, wantRoom) {
			t.Fatalf("room: scanned %+v, %v; sqlx %+v", got, err, wantRoom)
		}
		if _, err := tx.Member(r.ID, stranger.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a stranger's membership: %v", err)
		}
		if _, err := tx.RoomByID(r.ID + 100); !errors.Is(err, ErrNotFound) {
			t.Fatalf("no room: %v", err)
		}
		peer, blocked, blocksA, err := tx.ChatPeerAccount(r.ID, a.ID)
		if err != nil || peer != b.ID || blocked || blocksA {
			t.Fatalf("peer of a: %d %v %v %v", peer, blocked, blocksA, err)
		}
		return nil
	})
}
