package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/lxzan/gws"
	_ "github.com/mattn/go-sqlite3"
)

// The bare reference server: gws behind net/http exactly as gapd mounts it,
// with no protocol. A frame starting with 'B' is sent to every other
// connection through one gws.Broadcaster (encoded once); any other frame is
// echoed to its sender. It runs as its own process (loadgen -bare-serve) so
// its CPU and memory are read from /proc the same way as gapd's.

const broadcastMark = 'B'

type bareServer struct {
	mu    sync.Mutex
	conns map[*gws.Conn]struct{}
}

func (b *bareServer) OnOpen(c *gws.Conn) {
	b.mu.Lock()
	b.conns[c] = struct{}{}
	b.mu.Unlock()
}

func (b *bareServer) OnClose(c *gws.Conn, _ error) {
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
}

func (b *bareServer) OnPing(c *gws.Conn, p []byte) { _ = c.WritePong(p) }
func (b *bareServer) OnPong(*gws.Conn, []byte)     {}

func (b *bareServer) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	p := m.Bytes()
	if len(p) > 0 && p[0] == broadcastMark {
		b.mu.Lock()
		targets := make([]*gws.Conn, 0, len(b.conns))
		for t := range b.conns {
			if t != c {
				targets = append(targets, t)
			}
		}
		b.mu.Unlock()
		bc := gws.NewBroadcaster(gws.OpcodeBinary, p)
		for _, t := range targets {
			_ = bc.Broadcast(t)
		}
		_ = bc.Close()
		return
	}
	_ = c.WriteMessage(gws.OpcodeBinary, p)
}

func bareServe() int {
	b := &bareServer{conns: map[*gws.Conn]struct{}{}}
	up := gws.NewUpgrader(b, &gws.ServerOption{ReadMaxPayloadSize: 1 << 20, WriteMaxPayloadSize: 64 << 20})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r)
		if err != nil {
			return
		}
		go ws.ReadLoop()
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	log.Info("bare gws serving", "url", "ws://"+l.Addr().String()+"/")
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	_ = l.Close()
	return 0
}

// sqliteInsertLoop is the storage reference: one 1 KB row per transaction,
// in WAL mode with gapd's synchronous setting, for d. It returns commits per
// second.
func sqliteInsertLoop(dir, synchronous string, d time.Duration) (float64, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", synchronous)
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.Join(dir, "bare.db"), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite3", u.String())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE m (id INTEGER PRIMARY KEY, room INTEGER NOT NULL, body TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	ins, err := db.Prepare(`INSERT INTO m (room, body) VALUES (?, ?)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	body := string(textOf(1024, 0))
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		tx, err := db.Begin()
		if err != nil {
			return 0, err
		}
		if _, err := tx.Stmt(ins).Exec(n%1000, body); err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// diskWrite is the file upload's reference: size bytes written in chunks of
// chunk to a new file under dir, then synced. It returns MB per second.
func diskWrite(dir string, size, chunk int) (float64, error) {
	f, err := os.CreateTemp(dir, "disk-ref-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, chunk)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	start := time.Now()
	for off := 0; off < size; off += chunk {
		if _, err := f.Write(buf[:min(chunk, size-off)]); err != nil {
			return 0, err
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds(), nil
}
