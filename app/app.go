// Package app wires gapd together: storage, handlers and the server. main and
// the end-to-end tests start the same thing through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/fileproc"
	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/geoip"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/server"
	"github.com/gapd/gapd/storage"
)

// App is a running gapd.
type App struct {
	DB       *storage.DB
	Server   *server.Server
	Handlers *handlers.Handlers
	// Processing works through uploaded content in the background.
	Processing *fileproc.Processor
	listener   net.Listener
	ops        net.Listener // nil when /metrics and /healthz share listener
	served     chan error
	opsDone    chan error
}

// Start opens the database under cfg.Data, builds the handlers and starts
// serving on cfg.Addr. deps may preset handler dependencies (tests set a
// clock, a sender or a Geo); its DB and Log are filled in here.
func Start(ctx context.Context, cfg server.Config, log *slog.Logger, deps handlers.Deps) (*App, error) {
	if deps.Sender == nil {
		deps.Sender = delivery.New(cfg.Sender, log)
	}
	if err := Check(cfg); err != nil {
		return nil, err
	}
	if deps.Codes == (handlers.CodePolicy{}) {
		deps.Codes = CodePolicy(cfg.Limits.Codes)
	}
	if err := deps.Codes.WithDefaults().Check(); err != nil {
		return nil, err
	}
	// One limiter for the dispatcher (request classes) and the handlers
	// (sign-up budgets), on the handlers' clock so tests can move it.
	if deps.Limits == nil {
		deps.Limits = limits.New(cfg.Limits, deps.Clock)
	}
	if deps.Geo == nil && cfg.GeoIP != "" {
		g, err := geoip.Open(cfg.GeoIP)
		if err != nil {
			return nil, fmt.Errorf("-geoip: %w", err)
		}
		deps.Geo = g
	}
	db, err := storage.Open(ctx, cfg.Data, storage.Options{})
	if err != nil {
		return nil, err
	}
	keys, created, err := server.LoadKeys(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	if created {
		log.Info("created the connection securing key", "path", filepath.Join(cfg.Data, "securing-key.pem"))
	}
	deps.DB, deps.Log = db, log
	// One hub shared by the handlers (who push) and the server (who knows
	// the live connections).
	hub := server.NewHub()
	deps.Hub = hub
	deps.MutualOnly = deps.MutualOnly || cfg.MutualOnly
	if deps.MaxRoomMembers == 0 {
		deps.MaxRoomMembers = cfg.MaxRoomMembers
	}
	if deps.Store == nil {
		store, err := files.Open(filepath.Join(cfg.Data, "files"))
		if err != nil {
			db.Close()
			return nil, err
		}
		deps.Store = store
	}
	proc := fileproc.New(db, deps.Store, log, fileproc.Options{MaxImagePixels: cfg.MaxImagePixels})
	deps.Processing = proc
	if deps.Files.MaxSize == 0 {
		deps.Files.MaxSize = cfg.MaxFileSize
	}
	if deps.Files.MaxUserStorage == 0 {
		deps.Files.MaxUserStorage = cfg.MaxUserStorage
	}
	deps.Files.MaxFrame = cfg.MaxFrame
	deps.DeleteForBothPeriod = cfg.DeleteForBothPeriod
	if deps.SessionIdle == 0 {
		deps.SessionIdle = cfg.SessionIdle
	}
	for _, s := range cfg.ICEServers {
		deps.ICEServers = append(deps.ICEServers, handlers.ICEServer(s))
	}
	h := handlers.New(deps)
	// Finishes processing that a crash interrupted, then takes new uploads.
	proc.Start()
	warnFilesLimit(log, cfg)
	srv := server.New(cfg, server.Options{Handlers: h, Log: log, Health: db.Ping, Hub: hub, Keys: keys,
		Limiter: deps.Limits})
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		proc.Close()
		db.Close()
		return nil, err
	}
	var ops net.Listener
	if cfg.OpsAddr != "" {
		if ops, err = net.Listen("tcp", cfg.OpsAddr); err != nil {
			l.Close()
			proc.Close()
			db.Close()
			return nil, fmt.Errorf("-ops-addr: %w", err)
		}
	}
	a := &App{DB: db, Server: srv, Handlers: h, Processing: proc, listener: l, ops: ops,
		served: make(chan error, 1), opsDone: make(chan error, 1)}
	go func() { a.served <- srv.Serve(l) }()
	if ops != nil {
		go func() { a.opsDone <- srv.ServeOps(ops) }()
	} else {
		a.opsDone <- nil
	}
	return a, nil
}

// warnFilesLimit warns of an open-files limit too low for many clients, or
// below what -max-conns asks for: past it, accepting a client (or opening a
// file) fails instead of the upgrade being refused with 429.
func warnFilesLimit(log *slog.Logger, cfg server.Config) {
	n, ok := server.FilesLimit()
	if !ok {
		return
	}
	if n < server.LowFilesLimit {
		log.Warn("the open-files limit is low: raise it (ulimit -n, LimitNOFILE= in a systemd unit) to serve many clients",
			"limit", n, "max_conns", cfg.MaxConns)
	}
	if cfg.MaxConns == 0 || uint64(cfg.MaxConns) > n {
		log.Warn("-max-conns allows more connections than the open-files limit holds", "limit", n, "max_conns", cfg.MaxConns)
	}
}

// Check reports what LoadConfig cannot judge alone: the code policy of the
// -limits file, whose rules live with the handlers. main exits 2 on it, as
// on any bad setting.
func Check(cfg server.Config) error {
	if err := CodePolicy(cfg.Limits.Codes).WithDefaults().Check(); err != nil {
		return fmt.Errorf("-limits %s: codes: %w", cfg.LimitsPath, err)
	}
	return nil
}

// CodePolicy is the handlers' code policy from the -limits file's codes
// section; keys left out keep the policy's defaults.
func CodePolicy(c limits.Codes) handlers.CodePolicy {
	return handlers.CodePolicy{Digits: c.Digits, Lifetime: c.Lifetime, MaxTries: c.MaxTries, TryLock: c.TryLock,
		MaxTryLock: c.MaxTryLock, DailyFailures: c.DailyFailures, MaxSends: c.MaxSends, SendWindow: c.SendWindow,
		DailySends: c.DailySends, Reservation: c.Reservation}
}

// Addr is the address the server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// OpsAddr is the address of /metrics and /healthz: the ops listener's, or
// Addr when they share the client listener.
func (a *App) OpsAddr() string {
	if a.ops == nil {
		return a.Addr()
	}
	return a.ops.Addr().String()
}

// URL is the WebSocket address of the server.
func (a *App) URL() string { return "ws://" + a.Addr() + "/" }

// Shutdown stops serving gracefully, then the background work
// (file processing), then closes the database.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.Server.Shutdown(ctx)
	if serr := <-a.served; serr != nil {
		err = errors.Join(err, serr)
	}
	if oerr := <-a.opsDone; oerr != nil {
		err = errors.Join(err, oerr)
	}
	a.Processing.Close()
	return errors.Join(err, a.DB.Close())
}
