package fileproc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/storage/pgtest"
)

type env struct {
	t     *testing.T
	db    *storage.DB
	store *files.Store
	p     *Processor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := storage.Open(context.Background(), t.TempDir(), storage.Options{URL: pgtest.URL(t), Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := New(db, store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	t.Cleanup(p.Close)
	return &env{t: t, db: db, store: store, p: p}
}

func (e *env) tx(fn func(*storage.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) user(phone string) storage.UserID {
	var u storage.User
	e.tx(func(tx *storage.Tx) (err error) {
		u, err = tx.CreateUser(phone, "US", "u"+phone[1:], 1)
		return err
	})
	return u.ID
}

// content records content named name of 10 bytes uploaded by user, in
// state PROCESSING, without putting bytes on disk.
func (e *env) content(name string, user storage.UserID) storage.Content {
	sum := sha256.Sum256([]byte(name))
	var c storage.Content
	e.tx(func(tx *storage.Tx) (err error) {
		c, err = tx.CreateContent(sum[:], 10, user, 1)
		return err
	})
	return c
}

// storePNG puts a w×h PNG in place in the store and records it as content
// of user (0: unknown) waiting for processing.
func (e *env) storePNG(user storage.UserID, w, h int) storage.Content {
	e.t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		e.t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	if err := e.store.WriteChunk("part", 0, b.Bytes()); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.Promote("part", sum[:], int64(b.Len())); err != nil {
		e.t.Fatal(err)
	}
	var c storage.Content
	e.tx(func(tx *storage.Tx) (err error) {
		c, err = tx.CreateContent(sum[:], int64(b.Len()), user, 1)
		return err
	})
	return c
}

// settled waits until content c has left state PROCESSING.
func (e *env) settled(c storage.Content) storage.Content {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.State == storage.ContentProcessing {
		if time.Now().After(deadline) {
			e.t.Fatal("content still PROCESSING")
		}
		time.Sleep(10 * time.Millisecond)
		if err := e.db.Read(context.Background(), func(tx *storage.Tx) (err error) {
			c, err = tx.ContentByID(c.ID)
			return err
		}); err != nil {
			e.t.Fatal(err)
		}
	}
	return c
}

// A worker takes the oldest content whose uploader has a worker to spare:
// with one worker per user, a user's second file waits while another
// user's file is taken, and is taken once the first is done.
func TestSharesWorkersAmongUsers(t *testing.T) {
	e := newEnv(t)
	a, b := e.user("+15550001001"), e.user("+15550001002")
	a1, a2 := e.content("a1", a), e.content("a2", a)
	b1 := e.content("b1", b)
	for i, want := range []storage.ContentID{a1.ID, b1.ID} {
		if c, ok := e.p.claim(fmt.Sprint("w", i)); !ok || c.ID != want {
			t.Fatalf("claimed %+v %v, want content %d", c, ok, want)
		}
	}
	if c, ok := e.p.claim("w2"); ok {
		t.Fatalf("claimed %+v while its uploader is busy", c)
	}
	e.tx(func(tx *storage.Tx) error { return tx.SetProcessed(a1) })
	if c, ok := e.p.claim("w2"); !ok || c.ID != a2.ID {
		t.Fatalf("claimed %+v %v, want content %d", c, ok, a2.ID)
	}
}

// Processing that finds the content's bytes missing marks it CORRUPTED
// rather than PROCESSED without facts.
func TestFindsMissingContent(t *testing.T) {
	e := newEnv(t)
	c := e.content("never written", e.user("+15550001003"))
	e.p.Start()
	if c = e.settled(c); c.State != storage.ContentCorrupted {
		t.Fatalf("missing content ended %+v", c)
	}
}

// Content left in state PROCESSING (a crash during processing) is
// processed when processing starts, before any new upload; Close stops
// the workers and may be called again.
func TestRecoversOnStart(t *testing.T) {
	e := newEnv(t)
	c := e.storePNG(0, 400, 100)
	e.p.Start()
	c = e.settled(c)
	if c.State != storage.ContentProcessed || c.Width != 400 || c.Height != 100 || c.LargeWidth != 320 ||
		c.SmallWidth != 90 || c.SmallSize == 0 {
		t.Fatalf("processed content: %+v", c)
	}
	for _, kind := range []string{files.Small, files.Large} {
		if _, err := os.Stat(e.store.ContentPath(c.Hash, kind)); err != nil {
			t.Fatalf("%s thumbnail: %v", kind, err)
		}
	}
	e.p.Close()
	e.p.Close()
	e.p.Kick()
	e.p.Start()
	if e.p.ctx.Err() == nil {
		t.Fatal("processing still running after Close")
	}
}
