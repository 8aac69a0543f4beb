// Package server is the runtime: WebSocket transport over gws, sessions and
// eviction, the push hub, heartbeat, health, metrics and graceful shutdown.
package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Config is what an operator sets, by flag or GAPD_* environment variable.
type Config struct {
	Addr           string
	Data           string
	VerifySender   string // log | file:PATH | webhook:URL (parsed by handlers.ParseSender)
	TLSCert        string
	TLSKey         string
	Heartbeat      time.Duration
	MaxFrame       int
	HandlerTimeout time.Duration
	LogLevel       slog.Level
	MutualOnly     bool // only mutual contacts may start a chat
}

// LoadConfig reads flags from args, falling back to env (GAPD_ADDR for -addr,
// GAPD_VERIFY_SENDER for -verify-sender ...) and then to the defaults. A flag
// wins over the environment.
func LoadConfig(args []string, env func(string) string) (Config, error) {
	var c Config
	var level string
	fs := flag.NewFlagSet("gapd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.Data, "data", "./data", "data directory (SQLite database and files)")
	fs.StringVar(&c.VerifySender, "verify-sender", "log", "where sign-up codes go: log, file:PATH or webhook:URL")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file (serves wss)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS key file")
	fs.DurationVar(&c.Heartbeat, "heartbeat", 30*time.Second, "interval between HeartbeatResponse frames")
	fs.IntVar(&c.MaxFrame, "max-frame", 1<<20, "largest accepted frame in bytes")
	fs.DurationVar(&c.HandlerTimeout, "handler-timeout", 10*time.Second, "deadline of one request")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&c.MutualOnly, "mutual-only", false, "only mutual contacts may start a chat")

	// Environment first, so that flags given on the command line override it.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "GAPD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env(name); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", name, v, err)
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			var b strings.Builder
			fs.SetOutput(&b)
			fs.PrintDefaults()
			return c, fmt.Errorf("%w\nusage: gapd [flags]; each flag also reads GAPD_<NAME>, e.g. GAPD_ADDR\n%s", flag.ErrHelp, b.String())
		}
		return c, fmt.Errorf("%v (run gapd -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return c, fmt.Errorf("-log-level %q: use debug, info, warn or error", level)
	}
	return c, c.check()
}

func (c Config) check() error {
	switch {
	case c.Addr == "":
		return errors.New("-addr must not be empty")
	case c.Data == "":
		return errors.New("-data must not be empty")
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("-tls-cert and -tls-key go together: give both or neither")
	case c.Heartbeat < time.Second:
		return fmt.Errorf("-heartbeat %v: must be at least 1s", c.Heartbeat)
	case c.MaxFrame < 1024 || c.MaxFrame > 64<<20:
		return fmt.Errorf("-max-frame %d: must be between 1024 and %d bytes", c.MaxFrame, 64<<20)
	case c.HandlerTimeout < 100*time.Millisecond:
		return fmt.Errorf("-handler-timeout %v: must be at least 100ms", c.HandlerTimeout)
	}
	return nil
}
