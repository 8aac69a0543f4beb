package config

import (
	"flag"
	"io"

	"github.com/gapd/gapd/fileproc"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/server"
)

// flagSet declares every flag on a fresh set writing into c, each into the
// component's setting it is.
func flagSet(c *Config, level *string) *flag.FlagSet {
	fs := flag.NewFlagSet("gapd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s, h := &c.Server, &c.Handlers

	fs.StringVar(&s.Addr, "addr", server.DefaultAddr, "listen address (host:port)")
	fs.StringVar(&c.Data, "data", DefaultData, "data directory: SQLite database and files")
	fs.StringVar(&c.DB, "db", "", "database: empty for SQLite in -data; a postgres:// URL for a PostgreSQL database that several gapd nodes share")
	fs.StringVar(&c.Files, "files", "", "directory of uploaded files and of uploads under way; several nodes share one (default: <data>/files)")
	fs.StringVar(&c.VerifySender, "verify-sender", DefaultVerifySender, "where sign-up codes go: log, file:PATH or webhook:URL")
	fs.StringVar(&c.EmailSender, "email-sender", DefaultEmailSender, "where two-step verification e-mails (recovery e-mail confirmation and recovery tokens) go: log, file:PATH or webhook:URL")
	fs.StringVar(&s.TLSCert, "tls-cert", "", "TLS certificate (PEM); with -tls-key the server speaks wss://")
	fs.StringVar(&s.TLSKey, "tls-key", "", "TLS private key (PEM)")
	fs.DurationVar(&s.Heartbeat, "heartbeat", server.DefaultHeartbeat, "interval between the server's HeartbeatResponse frames (whole seconds)")
	fs.IntVar(&s.MaxFrame, "max-frame", server.DefaultMaxFrame, "largest frame a client may send, in bytes")
	fs.DurationVar(&s.HandlerTimeout, "handler-timeout", server.DefaultHandlerTimeout, "deadline of one request")
	fs.StringVar(level, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&h.MutualOnly, "mutual-only", false, "only mutual contacts may start a chat")
	fs.Int64Var(&h.Files.MaxSize, "max-file-size", handlers.DefaultMaxFileSize, "largest file a client may upload, in bytes")
	fs.Int64Var(&h.Files.MaxUserStorage, "max-user-storage", handlers.DefaultMaxUserStorage, "most bytes one user's distinct files may take together")
	fs.Int64Var(&c.Processing.MaxImagePixels, "max-image-pixels", fileproc.DefaultMaxImagePixels, "largest image (width x height) that gets thumbnails; larger ones keep only their size")
	fs.IntVar(&h.MaxRoomMembers, "max-room-members", handlers.DefaultMaxRoomMembers, "most members a group or channel may have")
	fs.DurationVar(&h.DeleteForBothPeriod, "delete-for-both-period", handlers.DefaultDeleteForBothPeriod, "how long after sending the author may delete a chat message for both sides (whole seconds; 0: never)")
	fs.StringVar(&c.ICEServersText, "ice-servers", "", "STUN/TURN servers that SignalingGetConfiguration names: URLs separated by commas, each optionally with ;username=NAME;credential=SECRET")
	fs.StringVar(&s.SecuringKey, "securing-key", "", "RSA private key (PEM, PKCS#1 or PKCS#8) of the connection securing; none: "+server.SecuringKeyFile+" under -data, created on first start")
	fs.StringVar(&s.SecuringClientKey, "securing-client-key", "", "private half of the RSA key built into your clients (PEM); version 2 of the securing needs it")
	fs.StringVar(&s.PlainFrames, "plain-frames", server.PlainAllow, "allow: a connection that does not secure itself stays plain (gapd's own tools); deny: it is closed")
	fs.DurationVar(&s.LoginIdle, "login-idle", server.DefaultLoginIdle, "a connection that has not logged in is closed after this long without a request")
	fs.IntVar(&s.MaxConns, "max-conns", server.DefaultMaxConns(), "most open WebSocket connections; more are refused with 429 (default: the open-files limit less a margin for the database and files; 0: no cap)")
	fs.IntVar(&s.MaxConnsPerIP, "max-conns-per-ip", server.DefaultMaxConnsPerIP, "most open connections from one address (an IPv6 /64 counts as one); more are refused with 429 (0: no cap)")
	fs.IntVar(&s.MaxSessionsPerUser, "max-sessions-per-user", server.DefaultMaxSessionsPerUser, "most logged-in sessions of one user; a login beyond it evicts the user's session quiet the longest (0: no cap)")
	fs.StringVar(&s.OpsAddr, "ops-addr", server.DefaultOpsAddr, "listen address of /metrics and /healthz (host:port); empty: on -addr")
	h.SessionIdle = handlers.DefaultSessionIdle // fs.Var takes the value it finds as the default
	fs.Var((*days)(&h.SessionIdle), "session-idle", "how long a session's token lives without a login, e.g. 180d or 720h")
	fs.StringVar(&c.LimitsPath, "limits", "", "request and sign-up budgets and the code policy: a YAML file whose keys replace the built-in table's, or none to turn rates and sign-up budgets off (load tests); empty: the built-in table")
	fs.StringVar(&s.NATS, "nats", "", "NATS server URL(s), separated by commas, that carry pushes and session events between gapd nodes; empty: a single node")
	fs.StringVar(&s.Node, "node", server.DefaultNode(), "this node's name, in its logs, its metrics (gapd_node_info) and its NATS connection (default: the host name)")
	fs.StringVar(&c.GeoIP, "geoip", "", "MaxMind database (.mmdb, e.g. GeoLite2-Country) for InfoLocation; none: clients' country is not detected")
	return fs
}
