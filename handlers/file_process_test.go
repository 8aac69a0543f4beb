package handlers

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/gapd/gapd/storage"
)

// processingContent records content of size bytes stored by user, in state
// PROCESSING, without putting bytes on disk.
func processingContent(t *testing.T, e *env, name string, user uint64) storage.Content {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	var c storage.Content
	e.write(func(tx *storage.Tx) (err error) {
		c, err = tx.CreateContent(sum[:], 10, int64(user), 1)
		return err
	})
	return c
}

// A worker takes the oldest content whose uploader has a worker to spare:
// with one worker per user, a user's second file waits while another
// user's file is taken, and is taken once the first is done.
func TestFileProcessingSharesWorkersAmongUsers(t *testing.T) {
	e, _ := fileEnv(t)
	a, _ := e.signUp(phoneIR)
	b, _ := e.signUp(phoneIR2)
	a1, a2 := processingContent(t, e, "a1", a), processingContent(t, e, "a2", a)
	b1 := processingContent(t, e, "b1", b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &processing{ctx: ctx, claimed: map[int64]bool{}, working: map[int64]int{}}
	for _, want := range []int64{a1.ID, b1.ID} {
		if c, ok := e.h.claimContent(p); !ok || c.ID != want {
			t.Fatalf("claimed %+v %v, want content %d", c, ok, want)
		}
	}
	if c, ok := e.h.claimContent(p); ok {
		t.Fatalf("claimed %+v while its uploader is busy", c)
	}
	// a1 done, as processLoop records it.
	e.write(func(tx *storage.Tx) error { return tx.SetProcessed(a1) })
	delete(p.claimed, a1.ID)
	p.working[int64(a)]--
	if c, ok := e.h.claimContent(p); !ok || c.ID != a2.ID {
		t.Fatalf("claimed %+v %v, want content %d", c, ok, a2.ID)
	}
}

// Processing that finds the content's bytes missing marks it CORRUPTED
// rather than PROCESSED without facts.
func TestFileProcessingFindsMissingContent(t *testing.T) {
	e, _ := fileEnv(t)
	u, _ := e.signUp(phoneIR)
	c := processingContent(t, e, "never written", u)
	e.h.StartFileProcessing()
	deadline := time.Now().Add(10 * time.Second)
	for c.State == storage.ContentProcessing {
		if time.Now().After(deadline) {
			t.Fatal("content still PROCESSING")
		}
		time.Sleep(10 * time.Millisecond)
		e.read(func(tx *storage.Tx) (err error) {
			c, err = tx.ContentByID(c.ID)
			return err
		})
	}
	if c.State != storage.ContentCorrupted {
		t.Fatalf("missing content ended %+v", c)
	}
}
