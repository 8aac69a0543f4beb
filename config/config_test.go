package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/fileproc"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/server"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := Load(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Server: server.Config{Addr: server.DefaultAddr, Heartbeat: 30 * time.Second, MaxFrame: 1 << 20,
			HandlerTimeout: 10 * time.Second, PlainFrames: server.PlainAllow, LoginIdle: 10 * time.Minute,
			MaxConns: server.DefaultMaxConns(), MaxConnsPerIP: 64, MaxSessionsPerUser: 32, OpsAddr: "127.0.0.1:9090",
			Node: server.DefaultNode()},
		Handlers: handlers.Config{Files: handlers.FileOptions{MaxSize: 1 << 30, MaxUserStorage: 10 << 30},
			MaxRoomMembers: 10000, DeleteForBothPeriod: 48 * time.Hour, SessionIdle: 180 * 24 * time.Hour},
		Processing: fileproc.Options{MaxImagePixels: 25_000_000},
		Data:       DefaultData, VerifySender: "log", Sender: delivery.Spec{Kind: "log"},
		EmailSender: "log", Email: delivery.Spec{Kind: "log"}, LogLevel: slog.LevelInfo,
		Limits: limits.Defaults(),
	}
	if c.Server != server.DefaultConfig() {
		t.Errorf("server defaults:\n got %+v\nwant %+v", c.Server, server.DefaultConfig())
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

// The caps, the ops address and -session-idle, by flag and by environment.
func TestConfigLimits(t *testing.T) {
	c, err := Load([]string{"-max-conns", "100", "-max-conns-per-ip", "0", "-ops-addr", "", "-session-idle", "30d"},
		envOf(map[string]string{"GAPD_MAX_SESSIONS_PER_USER": "4", "GAPD_OPS_ADDR": "10.0.0.1:9100"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.MaxConns != 100 || c.Server.MaxConnsPerIP != 0 || c.Server.MaxSessionsPerUser != 4 || c.Server.OpsAddr != "" ||
		c.Handlers.SessionIdle != 30*24*time.Hour {
		t.Fatalf("got %+v", c)
	}
	c, err = Load(nil, envOf(map[string]string{"GAPD_OPS_ADDR": "10.0.0.1:9100", "GAPD_SESSION_IDLE": "720h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.OpsAddr != "10.0.0.1:9100" || c.Handlers.SessionIdle != 30*24*time.Hour {
		t.Fatalf("environment not applied: %+v", c)
	}
	if u := Usage(); !strings.Contains(u, "180d") {
		t.Fatalf("usage does not show -session-idle's default:\n%s", u)
	}
}

func TestConfigFlagBeatsEnvBeatsDefault(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{
		"GAPD_ADDR":             "0.0.0.0:9000",
		"GAPD_HEARTBEAT":        "45s",
		"GAPD_VERIFY_SENDER":    "file:" + filepath.Join(dir, "codes.jsonl"),
		"GAPD_LOG_LEVEL":        "debug",
		"GAPD_HANDLER_TIMEOUT":  "3s",
		"GAPD_MAX_USER_STORAGE": "5000",
		"GAPD_MAX_IMAGE_PIXELS": "640000",
	})
	c, err := Load([]string{"-addr", "127.0.0.1:7000", "-max-frame", "65536"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "127.0.0.1:7000" {
		t.Errorf("addr %q: the flag must win over GAPD_ADDR", c.Server.Addr)
	}
	if c.Server.Heartbeat != 45*time.Second || c.Server.HandlerTimeout != 3*time.Second || c.LogLevel != slog.LevelDebug {
		t.Errorf("environment not applied: %+v", c)
	}
	if c.Handlers.Files.MaxUserStorage != 5000 || c.Processing.MaxImagePixels != 640000 {
		t.Errorf("file limits from the environment: %d %d", c.Handlers.Files.MaxUserStorage, c.Processing.MaxImagePixels)
	}
	if c.Server.MaxFrame != 65536 {
		t.Errorf("max-frame %d", c.Server.MaxFrame)
	}
	if c.Data != DefaultData {
		t.Errorf("data %q: want the default", c.Data)
	}
	if c.Sender.Kind != "file" || c.Sender.Path != filepath.Join(dir, "codes.jsonl") {
		t.Errorf("sender %+v", c.Sender)
	}
	// A flag given explicitly with the default value still beats the env.
	c, err = Load([]string{"-heartbeat", "30s"}, env)
	if err != nil || c.Server.Heartbeat != 30*time.Second {
		t.Errorf("explicit default flag: %v %v", c.Server.Heartbeat, err)
	}
}

func TestConfigRejects(t *testing.T) {
	dir := t.TempDir()
	badLimits := filepath.Join(dir, "limits.yaml")
	os.WriteFile(badLimits, []byte("classes:\n  read: {count: 10, per: 1m, burst: 0}\n"), 0o600)
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string // in the error
	}{
		{[]string{"-heartbeat", "0s"}, nil, "-heartbeat"},
		{[]string{"-heartbeat", "1500ms"}, nil, "whole seconds"},
		{[]string{"-heartbeat", "soon"}, nil, "heartbeat"},
		{nil, map[string]string{"GAPD_HEARTBEAT": "soon"}, "GAPD_HEARTBEAT"},
		{[]string{"-max-frame", "100"}, nil, "-max-frame"},
		{[]string{"-max-file-size", "0"}, nil, "-max-file-size"},
		{[]string{"-max-user-storage", "0"}, nil, "-max-user-storage"},
		{[]string{"-max-user-storage", "10GiB"}, nil, "max-user-storage"},
		{nil, map[string]string{"GAPD_MAX_USER_STORAGE": "-1"}, "-max-user-storage"},
		{[]string{"-max-image-pixels", "0"}, nil, "-max-image-pixels"},
		{nil, map[string]string{"GAPD_MAX_IMAGE_PIXELS": "lots"}, "GAPD_MAX_IMAGE_PIXELS"},
		{[]string{"-max-room-members", "1"}, nil, "-max-room-members"},
		{[]string{"-max-frame", "1GiB"}, nil, "max-frame"},
		{[]string{"-handler-timeout", "1ms"}, nil, "-handler-timeout"},
		{[]string{"-log-level", "loud"}, nil, "-log-level"},
		{[]string{"-addr", "8080"}, nil, "-addr"},
		{[]string{"-addr", "localhost:http"}, nil, "-addr"},
		{[]string{"-data", ""}, nil, "-data"},
		{[]string{"-tls-cert", "cert.pem"}, nil, "both or neither"},
		{[]string{"-tls-key", "key.pem"}, nil, "both or neither"},
		{[]string{"-tls-cert", filepath.Join(dir, "no.pem"), "-tls-key", filepath.Join(dir, "no.key")}, nil, "-tls-cert"},
		{[]string{"-verify-sender", "sms"}, nil, "-verify-sender"},
		{[]string{"-verify-sender", "log:extra"}, nil, "-verify-sender"},
		{[]string{"-verify-sender", "file:"}, nil, "-verify-sender"},
		{[]string{"-email-sender", "smtp"}, nil, "-email-sender"},
		{[]string{"-email-sender", "file:"}, nil, "-email-sender"},
		{[]string{"-verify-sender", "file:" + filepath.Join(dir, "missing", "codes")}, nil, "no such file"},
		{[]string{"-geoip", filepath.Join(dir, "missing.mmdb")}, nil, "-geoip"},
		{[]string{"-geoip", dir}, nil, "-geoip"}, // a directory is not a database
		{nil, map[string]string{"GAPD_GEOIP": filepath.Join(dir, "missing.mmdb")}, "-geoip"},
		{[]string{"-verify-sender", "webhook:ftp://example.com/x"}, nil, "-verify-sender"},
		{[]string{"-verify-sender", "webhook:/relative"}, nil, "-verify-sender"},
		{nil, map[string]string{"GAPD_VERIFY_SENDER": "carrier-pigeon"}, "-verify-sender"},
		{[]string{"-plain-frames", "sometimes"}, nil, "-plain-frames"},
		{nil, map[string]string{"GAPD_PLAIN_FRAMES": "never"}, "-plain-frames"},
		{[]string{"-login-idle", "500ms"}, nil, "-login-idle"},
		{nil, map[string]string{"GAPD_LOGIN_IDLE": "forever"}, "GAPD_LOGIN_IDLE"},
		{[]string{"-securing-key", filepath.Join(dir, "missing.pem")}, nil, "-securing-key"},
		{[]string{"-securing-client-key", filepath.Join(dir, "missing.pem")}, nil, "-securing-client-key"},
		{[]string{"-max-conns", "-1"}, nil, "-max-conns"},
		{nil, map[string]string{"GAPD_MAX_CONNS_PER_IP": "-5"}, "-max-conns-per-ip"},
		{[]string{"-max-sessions-per-user", "many"}, nil, "max-sessions-per-user"},
		{[]string{"-ops-addr", "9090"}, nil, "-ops-addr"},
		{nil, map[string]string{"GAPD_OPS_ADDR": "localhost:metrics"}, "-ops-addr"},
		{[]string{"-session-idle", "10m"}, nil, "-session-idle"},
		{[]string{"-session-idle", "half a year"}, nil, "session-idle"},
		{nil, map[string]string{"GAPD_SESSION_IDLE": "1.5d"}, "GAPD_SESSION_IDLE"},
		{[]string{"-limits", filepath.Join(dir, "missing.yaml")}, nil, "-limits"},
		{[]string{"-limits", badLimits}, nil, "-limits " + badLimits + ": classes.read: burst"},
		{nil, map[string]string{"GAPD_LIMITS": badLimits}, "classes.read"},
		{[]string{"-node", ""}, nil, "-node"},
		{[]string{"-node", "a b"}, nil, "-node"},
		{nil, map[string]string{"GAPD_NODE": strings.Repeat("n", 65)}, "-node"},
		{[]string{"-nats", "http://nats.example.org:4222"}, nil, "-nats"},
		{[]string{"-db", "mysql://db.example.org/gapd"}, nil, "-db"},
		{nil, map[string]string{"GAPD_DB": "gapd.db"}, "-db"},
		{[]string{"-nats", "nats://a:4222,"}, nil, "-nats"},
		{nil, map[string]string{"GAPD_NATS": "nats://:4222"}, "-nats"},
		{[]string{"-nats", "nats://a:4222,wss://b:443"}, nil, "mixed"},
		{[]string{"-no-such-flag"}, nil, "no-such-flag"},
		{[]string{"stray"}, nil, "unexpected argument"},
	} {
		_, err := Load(c.args, envOf(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: error %v, want one mentioning %q", c.args, c.env, err, c.want)
		}
	}
}

// -nats and -node, by flag and by environment; without -nats a node is
// alone.
func TestConfigCluster(t *testing.T) {
	c, err := Load([]string{"-node", "gapd-1"}, envOf(map[string]string{"GAPD_NATS": "nats://10.0.0.5:4222, tls://10.0.0.6:4222"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Node != "gapd-1" || c.Server.NATS != "nats://10.0.0.5:4222, tls://10.0.0.6:4222" {
		t.Fatalf("got node %q, nats %q", c.Server.Node, c.Server.NATS)
	}
	c, err = Load([]string{"-nats", "10.0.0.5:4222"}, envOf(map[string]string{"GAPD_NODE": "edge-2"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Node != "edge-2" || c.Server.NATS != "10.0.0.5:4222" {
		t.Fatalf("got node %q, nats %q", c.Server.Node, c.Server.NATS)
	}
	c, err = Load(nil, envOf(map[string]string{"GAPD_DB": "postgres://gapd@10.0.0.7/gapd"}))
	if err != nil || c.DB != "postgres://gapd@10.0.0.7/gapd" {
		t.Fatalf("GAPD_DB: %q, %v", c.DB, err)
	}
}

func TestConfigHelp(t *testing.T) {
	_, err := Load([]string{"-h"}, envOf(nil))
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	u := Usage()
	for _, want := range []string{"-addr", "-verify-sender", "-max-frame", "GAPD_"} {
		if !strings.Contains(u, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestConfigTLS(t *testing.T) {
	cert, key := writeTestCert(t)
	c, err := Load([]string{"-tls-cert", cert, "-tls-key", key}, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.TLSCert != cert || c.Server.TLSKey != key {
		t.Fatalf("%+v", c)
	}
	// A key that does not belong to the certificate.
	_, otherKey := writeTestCert(t)
	if _, err := Load([]string{"-tls-cert", cert, "-tls-key", otherKey}, envOf(nil)); err == nil {
		t.Fatal("a mismatched key was accepted")
	}
}

func TestConfigGeoIP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "country.mmdb")
	if err := os.WriteFile(path, []byte("checked when opened"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load([]string{"-geoip", path}, envOf(nil))
	if err != nil || c.GeoIP != path {
		t.Fatalf("-geoip: %q %v", c.GeoIP, err)
	}
	c, err = Load(nil, envOf(map[string]string{"GAPD_GEOIP": path}))
	if err != nil || c.GeoIP != path {
		t.Fatalf("GAPD_GEOIP: %q %v", c.GeoIP, err)
	}
	if !strings.Contains(Usage(), "-geoip") {
		t.Error("usage lacks -geoip")
	}
}

func TestConfigICEServers(t *testing.T) {
	c, err := Load([]string{"-ice-servers", "stun:stun.example.org:3478, turns:turn.example.org:5349?transport=tcp;username=gapd;credential=s3cret"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []handlers.ICEServer{{URL: "stun:stun.example.org:3478"},
		{URL: "turns:turn.example.org:5349?transport=tcp", Username: "gapd", Credential: "s3cret"}}
	if !reflect.DeepEqual(c.Handlers.ICEServers, want) {
		t.Fatalf("got %+v", c.Handlers.ICEServers)
	}
	for _, bad := range []string{"http://example.org", "stun.example.org", "turn:h:3478;username=u", "turn:h;password=x"} {
		if _, err := Load([]string{"-ice-servers", bad}, nil); err == nil || !strings.Contains(err.Error(), "-ice-servers") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestConfigDeleteForBothPeriod(t *testing.T) {
	c, err := Load([]string{"-delete-for-both-period", "0s"}, nil)
	if err != nil || c.Handlers.DeleteForBothPeriod != 0 {
		t.Fatalf("0s: %v %v", c.Handlers.DeleteForBothPeriod, err)
	}
	for _, bad := range []string{"-1s", "1.5s"} {
		if _, err := Load([]string{"-delete-for-both-period", bad}, nil); err == nil || !strings.Contains(err.Error(), "-delete-for-both-period") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestConfigSecuring(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPath := write("small.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}))
	junk := write("junk.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-securing-key", junk}, nil, "-securing-key"},
		{nil, map[string]string{"GAPD_SECURING_KEY": junk}, "-securing-key"},
		{[]string{"-securing-client-key", junk}, nil, "-securing-client-key"},
		{[]string{"-securing-client-key", smallPath}, nil, "cannot take 128-byte chunks"},
	} {
		_, err := Load(c.args, envOf(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: error %v, want one mentioning %q", c.args, c.env, err, c.want)
		}
	}
	// A 1024-bit server key is allowed; the environment names it as well
	// as the flag, and the other settings.
	c, err := Load(nil, envOf(map[string]string{
		"GAPD_SECURING_KEY": smallPath, "GAPD_PLAIN_FRAMES": "deny", "GAPD_LOGIN_IDLE": "2m",
	}))
	if err != nil || c.Server.SecuringKey != smallPath || c.Server.PlainFrames != server.PlainDeny || c.Server.LoginIdle != 2*time.Minute {
		t.Fatalf("from the environment: %+v, %v", c, err)
	}
}

// -files names the content directory; without it, content stays where it
// always was, under -data.
func TestConfigFilesDir(t *testing.T) {
	c, err := Load([]string{"-data", "/srv/gapd"}, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FilesDir(); got != filepath.Join("/srv/gapd", "files") {
		t.Fatalf("default files dir %q", got)
	}
	c, err = Load(nil, envOf(map[string]string{"GAPD_FILES": "/mnt/shared/files"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FilesDir(); got != "/mnt/shared/files" {
		t.Fatalf("GAPD_FILES: files dir %q", got)
	}
	if u := Usage(); !strings.Contains(u, "-files") {
		t.Fatalf("usage does not list -files:\n%s", u)
	}
}
