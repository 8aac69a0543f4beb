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
	listener net.Listener
	served   chan error
}

// Start opens the database under cfg.Data, builds the handlers and starts
// serving on cfg.Addr. deps may preset handler dependencies (tests set a
// clock, a sender or a Geo); its DB and Log are filled in here.
func Start(ctx context.Context, cfg server.Config, log *slog.Logger, deps handlers.Deps) (*App, error) {
	if deps.Sender == nil {
		s, err := handlers.ParseSender(cfg.VerifySender)
		if err != nil {
			return nil, fmt.Errorf("-verify-sender: %w", err)
		}
		deps.Sender = s
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
		g, err := handlers.OpenGeoIP(cfg.GeoIP)
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
	if deps.Files.Dir == "" {
		deps.Files.Dir = filepath.Join(cfg.Data, "files")
	}
	if deps.Files.MaxSize == 0 {
		deps.Files.MaxSize = cfg.MaxFileSize
	}
	if deps.Files.MaxUserStorage == 0 {
		deps.Files.MaxUserStorage = cfg.MaxUserStorage
	}
	if deps.Files.MaxImagePixels == 0 {
		deps.Files.MaxImagePixels = cfg.MaxImagePixels
	}
	deps.Files.MaxFrame = cfg.MaxFrame
	deps.DeleteForBothPeriod = cfg.DeleteForBothPeriod
	for _, s := range cfg.ICEServers {
		deps.ICEServers = append(deps.ICEServers, handlers.ICEServer(s))
	}
	h := handlers.New(deps)
	// Finishes processing that a crash interrupted, then takes new uploads.
	h.StartFileProcessing()
	srv := server.New(cfg, server.Options{Handlers: h, Log: log, Health: db.Ping, Hub: hub, Keys: keys,
		Limiter: deps.Limits})
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		h.Close()
		db.Close()
		return nil, err
	}
	a := &App{DB: db, Server: srv, Handlers: h, listener: l, served: make(chan error, 1)}
	go func() { a.served <- srv.Serve(l) }()
	return a, nil
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

// URL is the WebSocket address of the server.
func (a *App) URL() string { return "ws://" + a.Addr() + "/" }

// Shutdown stops serving gracefully, then the handlers' background work
// (file processing), then closes the database.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.Server.Shutdown(ctx)
	if serr := <-a.served; serr != nil {
		err = errors.Join(err, serr)
	}
	a.Handlers.Close()
	return errors.Join(err, a.DB.Close())
}
