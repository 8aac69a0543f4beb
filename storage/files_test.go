package storage

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
)

func fileHash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func newUpload(t *testing.T, db *DB, u NewUpload) File {
	t.Helper()
	var f File
	write(t, db, func(tx *Tx) error {
		var err error
		f, err = tx.CreateUpload(u)
		return err
	})
	return f
}

// sendInRoom puts userIDs in a new room and sends a message carrying fileID
// there; it returns the message id.
func sendInRoom(t *testing.T, db *DB, fileID FileID, userIDs ...UserID) MessageID {
	t.Helper()
	var msgID MessageID
	write(t, db, func(tx *Tx) error {
		var room RoomID
		if err := tx.tx.GetContext(tx.ctx, &room,
			`INSERT INTO rooms (type, creator_id, created_at) VALUES (1, ?, 1) RETURNING id`, userIDs[0]); err != nil {
			return err
		}
		for _, u := range userIDs {
			if _, err := tx.tx.ExecContext(tx.ctx,
				`INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, 1)`, room, u); err != nil {
				return err
			}
		}
		return tx.tx.GetContext(tx.ctx, &msgID, `INSERT INTO messages (room_id, author_id, type, attachment_id,
			message_version, create_time, update_time) VALUES (?, ?, 5, ?, 1, 1, 1) RETURNING id`, room, userIDs[0], fileID)
	})
	return msgID
}

func TestUploadLifecycle(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+989121110001")
	h := fileHash("hello")
	f := newUpload(t, db, NewUpload{Token: "t1", UserID: u.ID, Name: "a.txt", Size: 5, Hash: h,
		FirstBytes: []byte("h"), LastBytes: []byte("o"), Now: 10})
	if !f.Uploading() || f.Received != 0 || f.Token != "t1" || f.Name != "a.txt" {
		t.Fatalf("new upload: %+v", f)
	}

	write(t, db, func(tx *Tx) error {
		p, err := tx.PartialUpload(u.ID, h, 5)
		if err != nil || p.ID != f.ID {
			t.Fatalf("partial upload: %+v %v", p, err)
		}
		if _, err := tx.PartialUpload(u.ID, h, 6); !errors.Is(err, ErrNotFound) {
			t.Fatalf("partial of another size: %v", err)
		}
		// One writer at a time per chunk, on whichever node; another takes
		// the offset once the first has released it or its lease ran out.
		if err := tx.ClaimChunk(f.ID, 0, "w1", 11_000, 71_000); err != nil {
			return err
		}
		wantNotFound(t, "claim a claimed chunk", tx.ClaimChunk(f.ID, 0, "w2", 11_000, 71_000))
		wantNotFound(t, "advance without the claim", tx.AdvanceUpload(f.ID, "w2", 0, 3, nil, 11))
		if err := tx.ReleaseChunk(f.ID, "w2"); err != nil {
			return err
		}
		wantNotFound(t, "another's release", tx.ClaimChunk(f.ID, 0, "w2", 11_000, 71_000))
		if err := tx.ClaimChunk(f.ID, 0, "w2", 71_001, 131_000); err != nil {
			t.Fatalf("claim after the lease ran out: %v", err)
		}
		wantNotFound(t, "advance on a lost claim", tx.AdvanceUpload(f.ID, "w1", 0, 3, nil, 11))
		if err := tx.ReleaseChunk(f.ID, "w2"); err != nil {
			return err
		}
		if err := tx.ClaimChunk(f.ID, 0, "w3", 71_001, 131_000); err != nil {
			t.Fatalf("claim after a release: %v", err)
		}
		if err := tx.AdvanceUpload(f.ID, "w3", 0, 3, []byte("state"), 11); err != nil {
			return err
		}
		// A second chunk at the old offset loses.
		wantNotFound(t, "claim a stale offset", tx.ClaimChunk(f.ID, 0, "w4", 11_000, 71_000))
		wantNotFound(t, "advance from a stale offset", tx.AdvanceUpload(f.ID, "w3", 0, 3, nil, 11))
		g, err := tx.FileByToken("t1")
		if err != nil || g.Received != 3 || !bytes.Equal(g.HashState, []byte("state")) {
			t.Fatalf("after advance: %+v %v", g, err)
		}
		c, err := tx.CreateContent(h, 5, u.ID, 12)
		if err != nil || c.State != ContentProcessing || c.Size != 5 {
			t.Fatalf("create content: %+v %v", c, err)
		}
		again, err := tx.CreateContent(h, 5, u.ID, 13)
		if err != nil || again.ID != c.ID || again.CreatedAt != 12 {
			t.Fatalf("create content again: %+v %v", again, err)
		}
		if err := tx.FinishUpload(f.ID, c.ID, 12); err != nil {
			return err
		}
		wantNotFound(t, "finish twice", tx.FinishUpload(f.ID, c.ID, 12))
		wantNotFound(t, "advance a finished upload", tx.AdvanceUpload(f.ID, "w3", 3, 5, nil, 12))
		wantNotFound(t, "delete a finished upload", tx.DeleteUpload(f.ID))
		g, err = tx.FileByID(f.ID)
		if err != nil || g.Uploading() || g.Received != 5 || g.HashState != nil || g.Content.ID != c.ID {
			t.Fatalf("finished: %+v %v", g, err)
		}
		if fu, err := tx.FinishedUpload(u.ID, c.ID, "a.txt"); err != nil || fu.ID != f.ID {
			t.Fatalf("finished upload: %+v %v", fu, err)
		}
		if _, err := tx.FinishedUpload(u.ID, c.ID, "b.txt"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("finished upload under another name: %v", err)
		}

		next, err := tx.ClaimProcessing("p1", 1000, 2000, 1)
		if err != nil || next.ID != c.ID || next.UploaderID != u.ID {
			t.Fatalf("processing: %+v %v", next, err)
		}
		// Claimed content is not taken again while its lease runs.
		wantNotFound(t, "claimed", func() error { _, err := tx.ClaimProcessing("p2", 2000, 3000, 1); return err }())
		c.Width, c.Height, c.SmallSize, c.SmallWidth, c.SmallHeight = 640, 480, 100, 90, 67
		if err := tx.SetProcessed(c); err != nil {
			return err
		}
		wantNotFound(t, "processing after", func() error { _, err := tx.ClaimProcessing("p2", 5000, 6000, 1); return err }())
		g, err = tx.FileByID(f.ID)
		if err != nil || g.Content.State != ContentProcessed || g.Content.Width != 640 || g.Content.SmallWidth != 90 {
			t.Fatalf("processed: %+v %v", g.Content, err)
		}
		return nil
	})

	// Known content completes a new upload at once.
	other := newUser(t, db, "+989121110002")
	var cid ContentID
	read(t, db, func(tx *Tx) error {
		c, err := tx.ContentByHash(h)
		cid = c.ID
		return err
	})
	g := newUpload(t, db, NewUpload{Token: "t2", UserID: other.ID, Name: "b.txt", Size: 5, Hash: h,
		FirstBytes: []byte("h"), LastBytes: []byte("o"), ContentID: cid, Now: 20})
	if g.Uploading() || g.Received != 5 || g.Content.State != ContentProcessed {
		t.Fatalf("instant upload: %+v", g)
	}
	write(t, db, func(tx *Tx) error {
		_, err := tx.CreateUpload(NewUpload{Token: "t2", UserID: u.ID, Name: "c", Size: 1, Hash: h, Now: 1})
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate token: %v", err)
		}
		return nil
	})
}

func TestFileReadability(t *testing.T) {
	db := openTest(t)
	owner := newUser(t, db, "+989121110001")
	peer := newUser(t, db, "+989121110002")
	stranger := newUser(t, db, "+989121110003")
	h := fileHash("x")
	f := newUpload(t, db, NewUpload{Token: "tok", UserID: owner.ID, Name: "x", Size: 1, Hash: h,
		FirstBytes: []byte("x"), LastBytes: []byte("x"), Now: 1})

	canRead := func(user UserID) (File, error) {
		var g File
		err := db.Read(testCtx(t), func(tx *Tx) error {
			var err error
			g, err = tx.ReadableFile("tok", user)
			return err
		})
		return g, err
	}
	attachable := func(user UserID) error {
		return db.Read(testCtx(t), func(tx *Tx) error { _, err := tx.AttachableFile("tok", user); return err })
	}

	if g, err := canRead(owner.ID); err != nil || g.ID != f.ID {
		t.Fatalf("owner reads: %v", err)
	}
	wantNotFound(t, "peer reads before it is sent", func() error { _, err := canRead(peer.ID); return err }())
	wantNotFound(t, "unfinished upload attached", attachable(owner.ID))

	write(t, db, func(tx *Tx) error {
		c, err := tx.CreateContent(h, 1, owner.ID, 2)
		if err != nil {
			return err
		}
		return tx.FinishUpload(f.ID, c.ID, 2)
	})
	if err := attachable(owner.ID); err != nil {
		t.Fatalf("owner attaches: %v", err)
	}
	wantNotFound(t, "peer attaches before it is sent", attachable(peer.ID))

	msg := sendInRoom(t, db, f.ID, owner.ID, peer.ID)
	if _, err := canRead(peer.ID); err != nil {
		t.Fatalf("member reads: %v", err)
	}
	if err := attachable(peer.ID); err != nil {
		t.Fatalf("member forwards: %v", err)
	}
	wantNotFound(t, "stranger reads", func() error { _, err := canRead(stranger.ID); return err }())
	wantNotFound(t, "unknown token", db.Read(testCtx(t), func(tx *Tx) error { _, err := tx.ReadableFile("nope", owner.ID); return err }))

	// A deleted message no longer grants access; the uploader keeps it.
	write(t, db, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(tx.ctx, `UPDATE messages SET deleted = 1 WHERE id = ?`, msg)
		return err
	})
	wantNotFound(t, "member reads a deleted message's file", func() error { _, err := canRead(peer.ID); return err }())
	if _, err := canRead(owner.ID); err != nil {
		t.Fatalf("owner reads after delete: %v", err)
	}
}

func TestExtraPartialUploads(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+989121110001")
	for i, tok := range []string{"a", "b", "c"} {
		newUpload(t, db, NewUpload{Token: tok, UserID: u.ID, Name: tok, Size: 9, Hash: fileHash(tok),
			FirstBytes: []byte("x"), LastBytes: []byte("x"), Now: int64(10 + i)})
	}
	write(t, db, func(tx *Tx) error {
		fs, err := tx.ExtraPartialUploads(u.ID, 2)
		if err != nil || len(fs) != 1 || fs[0].Token != "a" {
			t.Fatalf("extra partial uploads: %+v %v", fs, err)
		}
		if err := tx.DeleteUpload(fs[0].ID); err != nil {
			return err
		}
		fs, err = tx.ExtraPartialUploads(u.ID, 2)
		if err != nil || len(fs) != 0 {
			t.Fatalf("after delete: %+v %v", fs, err)
		}
		return nil
	})
}

// An upload that fails its hash check stays, corrupted, for FileUploadStatus;
// it is never resumed and holds no storage. Content found damaged is stored
// anew by the next upload of it, and processed again.
func TestFileCorruption(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+989121110001")
	other := newUser(t, db, "+989121110002").ID
	h := fileHash("hello")
	f := newUpload(t, db, NewUpload{Token: "bad", UserID: u.ID, Name: "a", Size: 5, Hash: h,
		FirstBytes: []byte("h"), LastBytes: []byte("o"), Now: 1})
	write(t, db, func(tx *Tx) error {
		if used, has, err := tx.UserStorage(u.ID, h, 5); err != nil || used != 5 || !has {
			t.Fatalf("storage with an upload under way: %d %v %v", used, has, err)
		}
		if err := tx.CorruptUpload(f.ID, 2); err != nil {
			return err
		}
		wantNotFound(t, "corrupt twice", tx.CorruptUpload(f.ID, 2))
		wantNotFound(t, "advance a corrupted upload", tx.AdvanceUpload(f.ID, "", 0, 1, nil, 2))
		wantNotFound(t, "resume a corrupted upload", func() error { _, err := tx.PartialUpload(u.ID, h, 5); return err }())
		g, err := tx.FileByID(f.ID)
		if err != nil || !g.Corrupted || !g.CorruptedNow() || g.Received != 0 {
			t.Fatalf("corrupted upload: %+v %v", g, err)
		}
		if used, has, err := tx.UserStorage(u.ID, h, 5); err != nil || used != 0 || has {
			t.Fatalf("storage after corruption: %d %v %v", used, has, err)
		}

		c, err := tx.CreateContent(h, 5, u.ID, 3)
		if err != nil {
			return err
		}
		if ok, err := tx.HoldsContent(u.ID, c.ID); err != nil || ok {
			t.Fatalf("holds content before any upload finished: %v %v", ok, err)
		}
		c.SmallSize = 10
		if err := tx.SetProcessed(c); err != nil {
			return err
		}
		if err := tx.SetCorrupted(c.ID); err != nil {
			return err
		}
		if c, err = tx.ContentByID(c.ID); err != nil || c.State != ContentCorrupted || c.SmallSize != 0 {
			t.Fatalf("corrupted content: %+v %v", c, err)
		}
		again, err := tx.CreateContent(h, 5, other, 4)
		if err != nil || again.ID != c.ID || again.State != ContentProcessing || again.UploaderID != other {
			t.Fatalf("content stored again: %+v %v", again, err)
		}
		return nil
	})
}
