// Package server is gapd's runtime: the WebSocket transport (gws), one
// session per connection with eviction of an older connection of the same
// device, the push hub with bounded per-connection queues, the heartbeat,
// /healthz, /metrics and graceful shutdown.
package server

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/securing"
)

// Config is what an operator sets, by flag or by its GAPD_* environment
// variable (GAPD_ADDR for -addr, GAPD_MAX_FRAME for -max-frame, ...).
type Config struct {
	Addr string // listen address, host:port
	Data string // data directory (database, files)

	// VerifySender is the operator's text for -verify-sender, as given;
	// Sender is the same value parsed and checked by LoadConfig.
	VerifySender string
	Sender       delivery.Spec

	TLSCert, TLSKey string // both or neither; both serve wss://

	// Heartbeat is how often the server sends HeartbeatResponse. A client
	// silent for Heartbeat plus the grace is closed.
	Heartbeat time.Duration
	// HeartbeatGrace overrides the grace (default: Heartbeat/2, at least 5s).
	// Not a flag: tests shorten it.
	HeartbeatGrace time.Duration

	// MaxFrame is the largest frame a client may send, in bytes. A larger
	// frame closes the connection with close code 1009 (message too big):
	// gws refuses it from the frame header, before reading the payload, so
	// the limit really bounds memory, and no protocol answer can be sent.
	MaxFrame int

	HandlerTimeout time.Duration // deadline of one request's handler
	LogLevel       slog.Level

	// OutQueue bounds a connection's outbound frames (responses, pushes);
	// 0 means DefaultOutQueue. Not a flag: tests shrink it.
	OutQueue int
	// QueueStall is how long a connection's outbound queue may stay full,
	// with nothing written from it, before the connection is closed as
	// stalled; until then pushes that find it full are dropped. 0 means
	// DefaultQueueStall. Not a flag: tests shorten it.
	QueueStall time.Duration

	// MaxBadFrames is how many bad frames in a row (text, shorter than 2
	// bytes, an unknown action, an undecodable payload) close a connection
	// (1008); 0 means DefaultMaxBadFrames, at most 65535. Not a flag: tests
	// raise it.
	MaxBadFrames int

	// FloodPause caps how long a connection's reading pauses after one of
	// its requests was refused with FLOOD_REQUEST: until the refused
	// class's next token, at most this. A client flooding in a closed
	// loop then costs one request per pause instead of a core. 0 means
	// DefaultFloodPause. Not a flag: tests shorten it.
	FloodPause time.Duration

	MutualOnly bool // only mutual contacts may start a chat (read by handlers)

	MaxFileSize int64 // largest upload accepted, in bytes (read by handlers)

	// MaxUserStorage bounds the sum of the sizes of one user's distinct
	// files, in bytes (read by handlers).
	MaxUserStorage int64

	// MaxImagePixels is the largest image (width × height, from its header)
	// that processing decodes for thumbnails (read by handlers).
	MaxImagePixels int64

	MaxRoomMembers int // most members a group or channel may have (read by handlers)

	// SecuringKey is the server's RSA private key (PEM, PKCS#1 or PKCS#8)
	// for the connection securing; empty: a key under Data, created on
	// first start. SecuringClientKey is the private half of the key built
	// into the operator's clients, which version 2 of the securing needs.
	SecuringKey, SecuringClientKey string

	// PlainFrames is PlainAllow (a connection whose first request is not
	// ConnectionSymmetricKey stays plain: gapd's own clients and tools)
	// or PlainDeny (such a connection is closed, 1008).
	PlainFrames string

	// LoginIdle is how long a connection that has not logged in may go
	// without a request (heartbeat answers do not count) before it is
	// closed; clients answer no heartbeat before login.
	LoginIdle time.Duration

	// GeoIP is a MaxMind database file (GeoLite2 Country or City, ...)
	// that InfoLocation places clients with; empty: no location.
	GeoIP string

	// DeleteForBothPeriod is how long after sending the author may delete a
	// chat message for both sides (read by handlers; 0: never).
	DeleteForBothPeriod time.Duration

	// MaxConns caps the open WebSocket connections, MaxConnsPerIP those of
	// one address (an IPv6 /64 is one address); an upgrade over either is
	// answered 429. MaxSessionsPerUser caps one user's logged-in sessions:
	// a login over it evicts the user's session quiet the longest. 0: no cap.
	MaxConns, MaxConnsPerIP, MaxSessionsPerUser int

	// OpsAddr is where /metrics and /healthz are served; empty: on Addr,
	// beside the WebSocket paths.
	OpsAddr string

	// SessionIdle is how long a session's token lives without a login (read
	// by handlers).
	SessionIdle time.Duration

	// ICEServersText is -ice-servers as given; ICEServers the same parsed
	// (ParseICEServers) by LoadConfig.
	ICEServersText string
	ICEServers     []ICEServer

	// LimitsPath is -limits as given: empty for the built-in table, "none"
	// to turn rates and sign-up budgets off, or a YAML file. Limits is the
	// table it names, loaded and checked by LoadConfig.
	LimitsPath string
	Limits     limits.Config
}

// Defaults of the flags.
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultData           = "./data"
	DefaultVerifySender   = "log"
	DefaultHeartbeat      = 30 * time.Second
	DefaultMaxFrame       = 1 << 20
	DefaultHandlerTimeout = 10 * time.Second
	DefaultOutQueue       = 256
	DefaultQueueStall     = 30 * time.Second
	// Each bad frame is answered with error 1; a client that sends this many
	// in a row is broken or probing.
	DefaultMaxBadFrames   = 16
	DefaultFloodPause     = time.Second
	DefaultMaxFileSize    = 1 << 30
	DefaultMaxUserStorage = 10 << 30
	// About 100 MB of pixels while decoding (RGBA), for one worker.
	DefaultMaxImagePixels = 25_000_000
	DefaultMaxRoomMembers = 10000
	// Long enough to take back a message sent by mistake, short enough
	// that a conversation's record stays settled.
	DefaultDeleteForBothPeriod = 48 * time.Hour
	DefaultLoginIdle           = 10 * time.Minute
	DefaultMaxConnsPerIP       = 64
	DefaultMaxSessionsPerUser  = 32
	// Metrics and health stay off the public port unless asked.
	DefaultOpsAddr = "127.0.0.1:9090"
	// A device away for half a year signs in again.
	DefaultSessionIdle = 180 * 24 * time.Hour

	PlainAllow = "allow"
	PlainDeny  = "deny"

	minMaxFrame = 1 << 10
	maxMaxFrame = 64 << 20
)

// EnvName is the environment variable that stands for a flag.
func EnvName(flagName string) string {
	return "GAPD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flagSet declares every flag on a fresh set writing into c.
func flagSet(c *Config, level *string) *flag.FlagSet {
	fs := flag.NewFlagSet("gapd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.Addr, "addr", DefaultAddr, "listen address (host:port)")
	fs.StringVar(&c.Data, "data", DefaultData, "data directory: SQLite database and files")
	fs.StringVar(&c.VerifySender, "verify-sender", DefaultVerifySender, "where sign-up codes go: log, file:PATH or webhook:URL")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate (PEM); with -tls-key the server speaks wss://")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key (PEM)")
	fs.DurationVar(&c.Heartbeat, "heartbeat", DefaultHeartbeat, "interval between the server's HeartbeatResponse frames (whole seconds)")
	fs.IntVar(&c.MaxFrame, "max-frame", DefaultMaxFrame, "largest frame a client may send, in bytes")
	fs.DurationVar(&c.HandlerTimeout, "handler-timeout", DefaultHandlerTimeout, "deadline of one request")
	fs.StringVar(level, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&c.MutualOnly, "mutual-only", false, "only mutual contacts may start a chat")
	fs.Int64Var(&c.MaxFileSize, "max-file-size", DefaultMaxFileSize, "largest file a client may upload, in bytes")
	fs.Int64Var(&c.MaxUserStorage, "max-user-storage", DefaultMaxUserStorage, "most bytes one user's distinct files may take together")
	fs.Int64Var(&c.MaxImagePixels, "max-image-pixels", DefaultMaxImagePixels, "largest image (width x height) that gets thumbnails; larger ones keep only their size")
	fs.IntVar(&c.MaxRoomMembers, "max-room-members", DefaultMaxRoomMembers, "most members a group or channel may have")
	fs.DurationVar(&c.DeleteForBothPeriod, "delete-for-both-period", DefaultDeleteForBothPeriod, "how long after sending the author may delete a chat message for both sides (whole seconds; 0: never)")
	fs.StringVar(&c.ICEServersText, "ice-servers", "", "STUN/TURN servers that SignalingGetConfiguration names: URLs separated by commas, each optionally with ;username=NAME;credential=SECRET")
	fs.StringVar(&c.SecuringKey, "securing-key", "", "RSA private key (PEM, PKCS#1 or PKCS#8) of the connection securing; none: "+securingKeyFile+" under -data, created on first start")
	fs.StringVar(&c.SecuringClientKey, "securing-client-key", "", "private half of the RSA key built into your clients (PEM); version 2 of the securing needs it")
	fs.StringVar(&c.PlainFrames, "plain-frames", PlainAllow, "allow: a connection that does not secure itself stays plain (gapd's own tools); deny: it is closed")
	fs.DurationVar(&c.LoginIdle, "login-idle", DefaultLoginIdle, "a connection that has not logged in is closed after this long without a request")
	fs.IntVar(&c.MaxConns, "max-conns", DefaultMaxConns(), "most open WebSocket connections; more are refused with 429 (default: the open-files limit less a margin for the database and files; 0: no cap)")
	fs.IntVar(&c.MaxConnsPerIP, "max-conns-per-ip", DefaultMaxConnsPerIP, "most open connections from one address (an IPv6 /64 counts as one); more are refused with 429 (0: no cap)")
	fs.IntVar(&c.MaxSessionsPerUser, "max-sessions-per-user", DefaultMaxSessionsPerUser, "most logged-in sessions of one user; a login beyond it evicts the user's session quiet the longest (0: no cap)")
	fs.StringVar(&c.OpsAddr, "ops-addr", DefaultOpsAddr, "listen address of /metrics and /healthz (host:port); empty: on -addr")
	c.SessionIdle = DefaultSessionIdle // fs.Var takes the value it finds as the default
	fs.Var((*days)(&c.SessionIdle), "session-idle", "how long a session's token lives without a login, e.g. 180d or 720h")
	fs.StringVar(&c.LimitsPath, "limits", "", "request and sign-up budgets and the code policy: a YAML file whose keys replace the built-in table's, or none to turn rates and sign-up budgets off (load tests); empty: the built-in table")
	fs.StringVar(&c.GeoIP, "geoip", "", "MaxMind database (.mmdb, e.g. GeoLite2-Country) for InfoLocation; none: clients' country is not detected")
	return fs
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

// LoadConfig reads the flags in args, then GAPD_* variables through env for
// flags not given, then the defaults. It returns flag.ErrHelp for -h and
// otherwise an error that names the bad flag or variable.
func LoadConfig(args []string, env func(string) string) (Config, error) {
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

// check validates c and fills Sender. Problems are reported by flag name.
func (c *Config) check() error {
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("-addr %q: want host:port", c.Addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("-addr %q: the port must be a number from 0 to 65535", c.Addr)
	}
	if c.Data == "" {
		return errors.New("-data: must not be empty")
	}
	s, err := delivery.Parse(c.VerifySender)
	if err != nil {
		return fmt.Errorf("-verify-sender %v", err)
	}
	c.Sender = s
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("-tls-cert and -tls-key go together: give both or neither")
	}
	if c.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			return fmt.Errorf("-tls-cert/-tls-key: %v", err)
		}
	}
	if c.Heartbeat < time.Second || c.Heartbeat%time.Second != 0 {
		return fmt.Errorf("-heartbeat %v: want whole seconds, at least 1s (clients are told it in seconds)", c.Heartbeat)
	}
	if c.MaxFrame < minMaxFrame || c.MaxFrame > maxMaxFrame {
		return fmt.Errorf("-max-frame %d: want %d to %d bytes", c.MaxFrame, minMaxFrame, maxMaxFrame)
	}
	if c.MaxRoomMembers < 2 {
		return fmt.Errorf("-max-room-members %d: want at least 2", c.MaxRoomMembers)
	}
	if c.MaxFileSize < 1 {
		return fmt.Errorf("-max-file-size %d: want at least 1 byte", c.MaxFileSize)
	}
	if c.MaxUserStorage < 1 {
		return fmt.Errorf("-max-user-storage %d: want at least 1 byte", c.MaxUserStorage)
	}
	if c.MaxImagePixels < 1 {
		return fmt.Errorf("-max-image-pixels %d: want at least 1", c.MaxImagePixels)
	}
	if c.GeoIP != "" {
		// Whether it is a usable database is checked when it is opened.
		if st, err := os.Stat(c.GeoIP); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("-geoip %q: no such file", c.GeoIP)
		}
	}
	if c.DeleteForBothPeriod < 0 || c.DeleteForBothPeriod%time.Second != 0 || c.DeleteForBothPeriod > math.MaxUint32*time.Second {
		return fmt.Errorf("-delete-for-both-period %v: want whole seconds, 0 or more (clients are told it in seconds)", c.DeleteForBothPeriod)
	}
	if c.Limits, err = limits.Load(c.LimitsPath); err != nil {
		return fmt.Errorf("-limits %v", err)
	}
	if c.ICEServers, err = ParseICEServers(c.ICEServersText); err != nil {
		return fmt.Errorf("-ice-servers %v", err)
	}
	if c.SecuringKey != "" {
		if _, err := securing.LoadKey(c.SecuringKey); err != nil {
			return fmt.Errorf("-securing-key %q: %v", c.SecuringKey, err)
		}
	}
	if c.SecuringClientKey != "" {
		k, err := securing.LoadKey(c.SecuringClientKey)
		if err != nil {
			return fmt.Errorf("-securing-client-key %q: %v", c.SecuringClientKey, err)
		}
		// Clients encrypt ChunkSize-byte chunks under it with PKCS#1 v1.5,
		// which takes at most the key's size less 11 bytes.
		if k.Size()-11 < securing.ChunkSize {
			return fmt.Errorf("-securing-client-key %q: a %d-bit key cannot take %d-byte chunks; want at least 2048 bits",
				c.SecuringClientKey, k.N.BitLen(), securing.ChunkSize)
		}
	}
	if c.PlainFrames != PlainAllow && c.PlainFrames != PlainDeny {
		return fmt.Errorf("-plain-frames %q: want allow or deny", c.PlainFrames)
	}
	if c.LoginIdle < time.Second {
		return fmt.Errorf("-login-idle %v: want at least 1s", c.LoginIdle)
	}
	if c.MaxConns < 0 || c.MaxConnsPerIP < 0 || c.MaxSessionsPerUser < 0 {
		return fmt.Errorf("-max-conns %d, -max-conns-per-ip %d, -max-sessions-per-user %d: want 0 (no cap) or more",
			c.MaxConns, c.MaxConnsPerIP, c.MaxSessionsPerUser)
	}
	if c.OpsAddr != "" {
		if _, port, err := net.SplitHostPort(c.OpsAddr); err != nil {
			return fmt.Errorf("-ops-addr %q: want host:port, or empty to serve on -addr", c.OpsAddr)
		} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return fmt.Errorf("-ops-addr %q: the port must be a number from 0 to 65535", c.OpsAddr)
		}
	}
	if c.SessionIdle < time.Hour {
		return fmt.Errorf("-session-idle %v: want at least 1h", c.SessionIdle)
	}
	if c.HandlerTimeout < 100*time.Millisecond {
		return fmt.Errorf("-handler-timeout %v: want at least 100ms", c.HandlerTimeout)
	}
	return nil
}
