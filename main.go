// Command gapd serves the iGap v1 client protocol over WebSocket, with an
// embedded SQLite database under its data directory.
//
//	go run . -addr 127.0.0.1:8080 -data ./data
//
// Every flag also reads GAPD_<NAME> from the environment (gapd -h lists
// them). A bad setting stops gapd with exit code 2; a failure to start
// (database, listener) with 1. SIGINT or SIGTERM shuts down gracefully:
// requests in flight finish and are answered, connections are closed, then
// the database.
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
	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/handlers"
)

// shutdownTimeout bounds the graceful part of a shutdown.
const shutdownTimeout = 30 * time.Second

func main() {
	os.Exit(run())
}

func run() int {
	cfg, err := config.Load(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(os.Stdout, config.Usage())
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gapd: %v\n", err)
		return 2
	}
	// Every line names the node, so logs of several nodes can be merged.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})).With("node", cfg.Server.Node)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// app.Start opens storage under cfg.Data, builds the handlers (with the
	// verify sender named by cfg.VerifySender) and serves on cfg.Server.Addr.
	a, err := app.Start(ctx, cfg, log, handlers.Deps{})
	if err != nil {
		log.Error("gapd could not start", "err", err)
		return 1
	}
	scheme := "ws"
	if cfg.Server.TLSCert != "" {
		scheme = "wss"
	}
	log.Info("gapd serving", "url", scheme+"://"+a.Addr()+"/", "data", cfg.Data,
		"verify_sender", cfg.Sender.Kind, "heartbeat", cfg.Server.Heartbeat, "max_frame", cfg.Server.MaxFrame,
		"plain_frames", cfg.Server.PlainFrames, "securing_v2", cfg.Server.SecuringClientKey != "", "limits", limitsName(cfg),
		"ops", "http://"+a.OpsAddr(), "max_conns", cfg.Server.MaxConns, "nats", natsName(cfg))

	<-ctx.Done()
	stop() // a second signal ends the process at once
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := a.Shutdown(sctx); err != nil {
		log.Error("shutdown was not clean", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// natsName says whether pushes go to other nodes, for the start line.
func natsName(cfg config.Config) string {
	if cfg.Server.NATS == "" {
		return "off (a single node)"
	}
	return cfg.Server.NATS
}

// limitsName says which budget table runs, for the start line.
func limitsName(cfg config.Config) string {
	if cfg.LimitsPath == "" {
		return "built-in"
	}
	return cfg.LimitsPath
}
