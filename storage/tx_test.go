package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWriteCommits(t *testing.T) {
	db := openTest(t)
	u := newUser(t, db, "+15550000010")
	read(t, db, func(tx *Tx) error {
		_, err := tx.UserByID(u.ID)
		return err
	})
}

func TestWriteRollsBackOnError(t *testing.T) {
	db := openTest(t)
	boom := errors.New("boom")
	err := db.Write(testCtx(t), func(tx *Tx) error {
		if _, err := tx.CreateUser("+15550000011", "US", "rolled", 1); err != nil {
			return err
		}
		return boom
	})
	if err != boom { // returned as is, not wrapped
		t.Fatalf("Write returned %v, want fn's error unchanged", err)
	}
	read(t, db, func(tx *Tx) error {
		_, err := tx.UserByPhone("+15550000011")
		wantNotFound(t, "user after rollback", err)
		return nil
	})
	writerFree(t, db)
}

func TestWriteRollsBackOnPanic(t *testing.T) {
	db := openTest(t)
	func() {
		defer func() {
			if p := recover(); p != "kaboom" {
				t.Fatalf("recovered %v, want the original panic value", p)
			}
		}()
		db.Write(testCtx(t), func(tx *Tx) error {
			if _, err := tx.CreateUser("+15550000012", "US", "panicky", 1); err != nil {
				t.Fatal(err)
			}
			panic("kaboom")
		})
		t.Fatal("Write did not re-panic")
	}()
	read(t, db, func(tx *Tx) error {
		_, err := tx.UserByPhone("+15550000012")
		wantNotFound(t, "user after panic", err)
		return nil
	})
	writerFree(t, db)
}

// writerFree fails the test if the single writer connection is still held,
// for instance by a transaction that was never rolled back.
func writerFree(t *testing.T, db *DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.Write(ctx, func(*Tx) error { return nil }); err != nil {
		t.Fatalf("writer not free: %v", err)
	}
}

// On SQLite, writes run one at a time: while one holds the writer, another
// waits; then both commit. (On PostgreSQL they run at once.)
func TestWritesSerialize(t *testing.T) {
	db := openTest(t)
	if db.Backend() != "sqlite" {
		t.Skip("PostgreSQL runs writes at once")
	}
	ctx := testCtx(t)
	entered := make(chan int, 2)
	release := make(chan struct{})
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			errs <- db.Write(ctx, func(tx *Tx) error {
				entered <- i
				<-release
				_, err := tx.CreateUser(fmt.Sprintf("+1555000002%d", i), "US", fmt.Sprintf("ser%d", i), 1)
				return err
			})
		}()
	}
	<-entered
	select {
	case i := <-entered:
		t.Fatalf("write %d entered while the other held the writer", i)
	case <-time.After(200 * time.Millisecond):
	}
	release <- struct{}{}
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("second write never ran")
	}
	release <- struct{}{}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	read(t, db, func(tx *Tx) error {
		for i := range 2 {
			if _, err := tx.UserByPhone(fmt.Sprintf("+1555000002%d", i)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Many concurrent writers: every one commits, and on SQLite never two are
// inside fn at once.
func TestConcurrentWritesAllCommit(t *testing.T) {
	db := openTest(t)
	const n = 16
	var inside, overlaps atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(testCtx(t), func(tx *Tx) error {
				if inside.Add(1) > 1 {
					overlaps.Add(1)
				}
				defer inside.Add(-1)
				time.Sleep(2 * time.Millisecond)
				_, err := tx.CreateUser(fmt.Sprintf("+1666%04d", i), "US", fmt.Sprintf("c%d", i), 1)
				return err
			})
			if err != nil {
				t.Errorf("Write %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if m := overlaps.Load(); m != 0 && db.Backend() == "sqlite" {
		t.Fatalf("a write started while another was running, %d times", m)
	}
	var count int
	read(t, db, func(tx *Tx) error { return tx.tx.Get(&count, `SELECT COUNT(*) FROM users`) })
	if count != n {
		t.Fatalf("%d users committed, want %d", count, n)
	}
}

func TestReadersCannotWrite(t *testing.T) {
	db := openTest(t)
	err := db.Read(testCtx(t), func(tx *Tx) error {
		_, err := tx.CreateUser("+15550000030", "US", "sneaky", 1)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "readonly") && !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write inside Read: got %v, want a read-only error", err)
	}
	read(t, db, func(tx *Tx) error {
		_, err := tx.UserByPhone("+15550000030")
		wantNotFound(t, "user written by a reader", err)
		return nil
	})
}

// A Read neither waits for an open Write nor sees its uncommitted rows.
func TestReadDoesNotWaitForWrite(t *testing.T) {
	db := openTest(t)
	inWrite := make(chan struct{})
	release := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.Write(context.Background(), func(tx *Tx) error {
			if _, err := tx.CreateUser("+15550000040", "US", "pending", 1); err != nil {
				return err
			}
			close(inWrite)
			<-release
			return nil
		})
	}()
	<-inWrite
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := db.Read(ctx, func(tx *Tx) error {
		_, err := tx.UserByPhone("+15550000040")
		wantNotFound(t, "uncommitted user", err)
		return nil
	})
	close(release)
	if err != nil {
		t.Fatalf("Read during Write: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestWriteHonoursContext(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.Write(ctx, func(tx *Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("Write with cancelled context: err=%v ran=%v", err, ran)
	}
}
