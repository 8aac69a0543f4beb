package fileproc

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/storage/pgtest"
)

// processedLog records, from a processor's debug log, which contents it
// processed.
type processedLog struct {
	mu   sync.Mutex
	done []storage.ContentID
}

func (l *processedLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *processedLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *processedLog) WithGroup(string) slog.Handler            { return l }
func (l *processedLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "file processed" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "content" {
			l.mu.Lock()
			id, _ := a.Value.Any().(storage.ContentID)
			l.done = append(l.done, id)
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

func (l *processedLog) ids() []storage.ContentID {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]storage.ContentID(nil), l.done...)
}

// node is one gapd node's processing: its own database handle and content
// store, on the directories every node shares.
type node struct {
	db  *storage.DB
	p   *Processor
	log *processedLog
}

func startNode(t *testing.T, dataDir, filesDir, name string, o Options) *node {
	t.Helper()
	db, err := storage.Open(context.Background(), dataDir, storage.Options{URL: pgtest.URL(t), Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	store, err := files.Open(filesDir)
	if err != nil {
		t.Fatal(err)
	}
	o.Node = name
	n := &node{db: db, log: &processedLog{}}
	n.p = New(db, store, slog.New(n.log), o)
	t.Cleanup(func() { n.p.Close(); db.Close() })
	return n
}

// Two nodes' processors on one database and one files directory, with
// several workers each, process every content exactly once between them.
func TestTwoNodesProcessEachContentOnce(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	a := startNode(t, data, dir, "a", Options{Workers: 3, PerUser: 2})
	b := startNode(t, data, dir, "b", Options{Workers: 3, PerUser: 2})
	store, _ := files.Open(dir)
	e := &env{t: t, db: a.db, store: store}
	var cs []storage.Content
	for u := range 4 {
		user := e.user("+1555000200" + string(rune('0'+u)))
		for i := range 8 {
			cs = append(cs, e.storePNG(user, 20+u, 10+i))
		}
	}
	a.p.Start()
	b.p.Start()
	for _, c := range cs {
		if c = e.settled(c); c.State != storage.ContentProcessed || c.Width < 20 {
			t.Fatalf("content %d ended %+v", c.ID, c)
		}
	}
	seen := map[storage.ContentID]string{}
	for _, n := range []struct {
		name string
		ids  []storage.ContentID
	}{{"a", a.log.ids()}, {"b", b.log.ids()}} {
		for _, id := range n.ids {
			if other, dup := seen[id]; dup {
				t.Errorf("content %d processed by %s and by %s", id, other, n.name)
			}
			seen[id] = n.name
		}
	}
	if len(seen) != len(cs) {
		t.Fatalf("%d contents processed, want %d", len(seen), len(cs))
	}
	t.Logf("node a processed %d, node b %d", len(a.log.ids()), len(b.log.ids()))
}

// Content claimed by a node that then crashed (it never finishes nor
// releases it) is processed by another node once the claim's lease has run
// out, and not before.
func TestCrashedNodesClaimLapses(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	const lease = 300 * time.Millisecond
	crashed := startNode(t, data, dir, "crashed", Options{Lease: lease})
	other := startNode(t, data, dir, "other", Options{Lease: lease, Poll: 20 * time.Millisecond})
	store, _ := files.Open(dir)
	e := &env{t: t, db: crashed.db, store: store}
	c := e.storePNG(e.user("+15550003001"), 40, 30)
	if got, ok := crashed.p.claim("crashed/0"); !ok || got.ID != c.ID {
		t.Fatalf("claimed %+v %v", got, ok)
	}
	claimed := time.Now()
	other.p.Start()
	if c = e.settled(c); c.State != storage.ContentProcessed {
		t.Fatalf("content ended %+v", c)
	}
	if waited := time.Since(claimed); waited < lease {
		t.Fatalf("processed %v after the claim, before its %v lease ran out", waited, lease)
	}
	if ids := other.log.ids(); len(ids) != 1 || ids[0] != c.ID {
		t.Fatalf("the other node processed %v", ids)
	}
}
