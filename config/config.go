// Package config is gapd's configuration for the whole process: every
// flag, with its GAPD_* environment variable, read and checked in one
// place, into the settings of each component (server, handlers, file
// processing, limits, code delivery) that app builds them from.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/fileproc"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/presence"
	"github.com/gapd/gapd/server"
)

// Config is what an operator sets, by flag or by its GAPD_* environment
// variable (GAPD_ADDR for -addr, GAPD_MAX_FRAME for -max-frame, ...).
type Config struct {
	// Server is the transport's settings (listeners, TLS, the securing,
	// heartbeat, frames, caps, timeouts).
	Server server.Config
	// Handlers is the behaviour's settings (mutual-only, room size, file
	// limits, delete-for-both, ICE servers, session lifetime, the code
	// policy from -limits).
	Handlers handlers.Config
	// Processing bounds the background work on uploads (-max-image-pixels).
	Processing fileproc.Options
	// Presence times the cluster's sweep of users left ONLINE by nodes that
	// died (no flags: the defaults suit; tests shorten them).
	Presence presence.Options

	Data string // data directory: the database, uploaded files, the securing key
	// DB is -db: empty for SQLite under Data, or the postgres:// URL of a
	// database that several nodes share.
	DB string

	// Files is where uploaded content goes (-files): complete files,
	// thumbnails and the parts of uploads under way. Several nodes give
	// the same directory (a shared mount), so that an upload begun on one
	// continues on another and every node reads every file. Empty:
	// <Data>/files (FilesDir).
	Files string

	// VerifySender is the operator's text for -verify-sender, as given;
	// Sender is the same value parsed and checked by Load.
	VerifySender string
	Sender       delivery.Spec
	// EmailSender is -email-sender as given (where two-step verification
	// tokens go); Email is the same value parsed by Load.
	EmailSender string
	Email       delivery.Spec

	LogLevel slog.Level

	// GeoIP is a MaxMind database file (GeoLite2 Country or City, ...)
	// that InfoLocation places clients with; empty: no location.
	GeoIP string

	// ICEServersText is -ice-servers as given; Load parses it into
	// Handlers.ICEServers.
	ICEServersText string

	// LimitsPath is -limits as given: empty for the built-in table, "none"
	// to turn rates and sign-up budgets off, or a YAML file. Limits is the
	// table it names, loaded and checked by Load; its codes section is
	// also Handlers.Codes.
	LimitsPath string
	Limits     limits.Config
}

// Defaults of the flags that belong to no component.
const (
	DefaultData         = "./data"
	DefaultVerifySender = "log"
	DefaultEmailSender  = "log"
)

// FilesDir is the directory of uploaded content: -files, or <-data>/files
// when it is not given.
func (c Config) FilesDir() string {
	if c.Files != "" {
		return c.Files
	}
	return filepath.Join(c.Data, "files")
}

// EnvName is the environment variable that stands for a flag.
func EnvName(flagName string) string {
	return "GAPD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Usage describes the flags, for -h.
func Usage() string {
	var c Config
	var level string
	fs := flagSet(&c, &level)
	var b strings.Builder
	b.WriteString("usage: gapd [flags]\n\nEvery flag can also be set by its environment variable, GAPD_<NAME>\n(GAPD_ADDR, GAPD_VERIFY_SENDER, ...); a flag given on the command line wins.\n\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

// Load reads the flags in args, then GAPD_* variables through env for
// flags not given, then the defaults. It returns flag.ErrHelp for -h and
// otherwise an error that names the bad flag or variable.
func Load(args []string, env func(string) string) (Config, error) {
	var c Config
	var level string
	fs := flagSet(&c, &level)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, flag.ErrHelp
		}
		return c, fmt.Errorf("%v (gapd -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (gapd -h lists the flags)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil || env == nil {
			return
		}
		name := EnvName(f.Name)
		if v := env(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", name, v, err)
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return c, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	if err := c.check(); err != nil {
		return c, err
	}
	return c, nil
}
