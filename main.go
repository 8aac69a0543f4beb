// Command gapd serves the iGap v1 protocol over WebSocket with an embedded
// SQLite database. See README.md for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gapd/gapd/app"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/server"
)

func main() {
	cfg, err := server.LoadConfig(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gapd:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.Start(ctx, cfg, log, handlers.Deps{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gapd:", err)
		os.Exit(1)
	}
	scheme := "ws"
	if cfg.TLSCert != "" {
		scheme = "wss"
	}
	log.Info("gapd serving", "url", scheme+"://"+a.Addr()+"/", "data", cfg.Data, "verify_sender", cfg.VerifySender)
	<-ctx.Done()
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		os.Exit(1)
	}
	log.Info("stopped")
}
