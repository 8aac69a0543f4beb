package sqlite

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// holdWriter starts a Write that blocks inside fn until release is called,
// so that the writes queued meanwhile form one batch.
func holdWriter(t *testing.T, db *Engine) (release func()) {
	t.Helper()
	inside, free := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.Write(context.Background(), func(context.Context, *sqlx.Tx) error {
			close(inside)
			<-free
			return nil
		})
	}()
	<-inside
	return func() {
		close(free)
		if err := <-errc; err != nil {
			t.Errorf("holding write: %v", err)
		}
	}
}

// queueWrites starts one Write per fn behind a held writer and waits until
// each is queued, in order; outs[i] yields write i's error or panic.
func queueWrites(t *testing.T, db *Engine, fns ...func(*sqlx.Tx) error) []chan any {
	t.Helper()
	outs := make([]chan any, len(fns))
	base := len(db.b.queue)
	for i, fn := range fns {
		outs[i] = make(chan any, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					outs[i] <- fmt.Sprintf("panic: %v", p)
				}
			}()
			outs[i] <- db.Write(testCtx(t), func(_ context.Context, tx *sqlx.Tx) error { return fn(tx) })
		}()
		// One at a time, so the queue (and the batch) keeps their order.
		deadline := time.Now().Add(5 * time.Second)
		for len(db.b.queue) < base+i+1 {
			if time.Now().After(deadline) {
				t.Fatalf("write %d never queued", i)
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	return outs
}

func createUserFn(i int) func(*sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO users (phone, country, username, created_at) VALUES (?, 'US', ?, 1)`,
			fmt.Sprintf("+1777000%04d", i), fmt.Sprintf("batch%d", i))
		return err
	}
}

func userExists(t *testing.T, db *Engine, i int) bool {
	t.Helper()
	var n int
	if err := db.Read(testCtx(t), func(tx *sqlx.Tx) error {
		return tx.Get(&n, `SELECT COUNT(*) FROM users WHERE phone = ?`, fmt.Sprintf("+1777000%04d", i))
	}); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestBatchSharesOneTransaction(t *testing.T) {
	db := openTest(t)
	release := holdWriter(t, db)
	txs := batches(db)
	const n = 20
	fns := make([]func(*sqlx.Tx) error, n)
	for i := range n {
		fns[i] = createUserFn(i)
	}
	outs := queueWrites(t, db, fns...)
	release()
	for i, o := range outs {
		if v := <-o; v != nil {
			t.Fatalf("write %d: %v", i, v)
		}
	}
	if got := batches(db) - txs; got != 1 {
		t.Fatalf("%d queued writes took %d transactions, want 1", n, got)
	}
	for i := range n {
		if !userExists(t, db, i) {
			t.Fatalf("user %d missing after its Write returned nil", i)
		}
	}
}

// One request's error or panic undoes its own work only; the others in the
// same transaction commit, and see the work of those before them.
func TestBatchFailureIsItsOwn(t *testing.T) {
	db := openTest(t)
	release := holdWriter(t, db)
	boom := errors.New("boom")
	outs := queueWrites(t, db,
		createUserFn(1),
		func(tx *sqlx.Tx) error {
			if err := createUserFn(2)(tx); err != nil {
				return err
			}
			return boom
		},
		func(tx *sqlx.Tx) error {
			var n int
			if err := tx.Get(&n, `SELECT COUNT(*) FROM users WHERE phone = '+17770000001'`); err != nil || n != 1 {
				return fmt.Errorf("earlier work of the batch not visible: %d, %v", n, err)
			}
			return createUserFn(3)(tx)
		},
		func(tx *sqlx.Tx) error {
			if err := createUserFn(4)(tx); err != nil {
				return err
			}
			panic("kaboom")
		},
		createUserFn(5),
	)
	release()
	want := []any{nil, boom, nil, "panic: kaboom", nil}
	for i, o := range outs {
		got := <-o
		if e, ok := got.(error); ok && errors.Is(e, boom) {
			got = boom
		}
		if got != want[i] {
			t.Fatalf("write %d: got %v, want %v", i, got, want[i])
		}
	}
	for i, exists := range map[int]bool{1: true, 2: false, 3: true, 4: false, 5: true} {
		if userExists(t, db, i) != exists {
			t.Fatalf("user %d exists=%v, want %v", i, !exists, exists)
		}
	}
	writerFree(t, db)
}

// A COMMIT that fails fails every request it held, and keeps none of them.
func TestBatchFailedCommitFailsAll(t *testing.T) {
	db := openTest(t)
	release := holdWriter(t, db)
	outs := queueWrites(t, db,
		createUserFn(1),
		func(tx *sqlx.Tx) error {
			// A foreign key checked at COMMIT, not at the statement: the
			// request itself succeeds, the commit cannot.
			if _, err := tx.Exec(`PRAGMA defer_foreign_keys = ON`); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO sessions (user_id, token_hash, created_at) VALUES (987654, x'00', 1)`)
			return err
		},
		createUserFn(3),
	)
	release()
	for i, o := range outs {
		if v := <-o; v == nil {
			t.Fatalf("write %d returned nil after a failed commit", i)
		}
	}
	for _, i := range []int{1, 3} {
		if userExists(t, db, i) {
			t.Fatalf("user %d committed by a failed commit", i)
		}
	}
	writerFree(t, db)
}

// A caller that gives up while its write is still queued gets its context's
// error, and its fn never runs.
func TestBatchAbandonedWriteNeverRuns(t *testing.T) {
	db := openTest(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- db.Write(ctx, func(_ context.Context, tx *sqlx.Tx) error { ran <- struct{}{}; return createUserFn(9)(tx) })
	}()
	for len(db.b.queue) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned write: %v, want context.Canceled", err)
	}
	release()
	writerFree(t, db)
	select {
	case <-ran:
		t.Fatal("an abandoned write ran")
	default:
	}
	if userExists(t, db, 9) {
		t.Fatal("an abandoned write committed")
	}
}

func TestWriteAfterClose(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(testCtx(t), func(context.Context, *sqlx.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v, want ErrClosed", err)
	}
}

func batches(db *Engine) int64 { txs, _ := db.Batches(); return txs }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func openTest(t *testing.T) *Engine {
	t.Helper()
	return openAt(t, t.TempDir(), Options{Synchronous: "OFF"})
}

func openAt(t *testing.T, dir string, opts Options) *Engine {
	t.Helper()
	db, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// writerFree fails the test if the single writer connection is still held,
// for instance by a transaction that was never rolled back.
func writerFree(t *testing.T, db *Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.Write(ctx, func(context.Context, *sqlx.Tx) error { return nil }); err != nil {
		t.Fatalf("writer not free: %v", err)
	}
}
