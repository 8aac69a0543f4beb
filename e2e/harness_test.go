// Package e2e drives the real gapd (storage, handlers, server) over a real
// WebSocket with the generated client.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gapd/gapd/app"
	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/storage/pgtest"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// clock is a settable clock shared by the server's handlers and the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type env struct {
	t testing.TB
	// app is node 0: the node a test inspects (its database handle, hub,
	// metrics, jobs). In two-node mode (GAPD_TEST_NODES=2) nodes holds it
	// and the other node; otherwise nodes is just app.
	app   *app.App
	nodes []*app.App
	dials atomic.Uint64 // connections opened, to spread them over nodes
	onMu  sync.Mutex
	on    map[*wsclient.Conn]*app.App // the node each dialled connection is on
	clock *clock
	codes string // the file sender's path
}

// nodesEnv is the environment variable that runs the suite spread over
// nodes: GAPD_TEST_NODES=2 makes start and startWith run two gapd nodes on
// one database, one -files directory and one NATS, and the env's clients
// connect to them in turn.
const nodesEnv = "GAPD_TEST_NODES"

// testNodes is how many nodes start and startWith run: 1 unless
// GAPD_TEST_NODES says 2.
func testNodes(t testing.TB) int {
	switch v := os.Getenv(nodesEnv); v {
	case "", "1":
		return 1
	case "2":
		return 2
	default:
		t.Fatalf("%s=%q: want 1 or 2", nodesEnv, v)
		return 0
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// start runs gapd on 127.0.0.1:0 with a temporary data directory and the file
// verify sender, as an operator would with -verify-sender file:PATH.
func start(t testing.TB, tune func(*config.Config, *handlers.Deps)) *env {
	t.Helper()
	return startWith(t, nil, tune)
}

// startWith is start with more flags, given after the harness's own (so a
// test's -securing-key wins over the shared one). In two-node mode it starts
// two nodes sharing -data (and so the database), -files and an in-process
// NATS, unless the test's flags give -nats: such a test arranges its nodes
// itself, and gets one from each call.
func startWith(t testing.TB, flags []string, tune func(*config.Config, *handlers.Deps)) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, clock: &clock{now: time.Unix(1_800_000_000, 0)}, codes: filepath.Join(dir, "codes.jsonl")}
	args := append([]string{"-addr", "127.0.0.1:0", "-ops-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"),
		"-verify-sender", "file:" + e.codes, "-securing-key", testSecuringKey(t, dir)}, dbFlag(t)...)
	n := testNodes(t)
	if slices.Contains(flags, "-nats") {
		n = 1
	}
	if n > 1 {
		ns := runNATS(t, -1)
		args = append(args, "-files", filepath.Join(dir, "files"), "-nats", ns.ClientURL())
	}
	for i := range n {
		nodeArgs := args
		if n > 1 {
			nodeArgs = append(slices.Clip(args), "-node", fmt.Sprintf("n%d", i+1))
		}
		e.nodes = append(e.nodes, e.startNode(append(slices.Clip(nodeArgs), flags...), tune))
	}
	e.app = e.nodes[0]
	return e
}

// startNode starts one gapd on the harness's clock with args.
func (e *env) startNode(args []string, tune func(*config.Config, *handlers.Deps)) *app.App {
	t := e.t
	t.Helper()
	cfg, err := config.Load(args, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	// The suite runs many requests from one address in no time; the abuse
	// tests put the defaults back in tune.
	cfg.Limits = generousLimits()
	cfg.Server.FloodPause = time.Millisecond // the abuse tests flood without waiting out real pauses
	deps := handlers.Deps{Clock: e.clock.Now}
	if tune != nil {
		tune(&cfg, &deps)
	}
	a, err := app.Start(context.Background(), cfg, quietLog(), deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	return a
}

// url is the WebSocket address of the node the next client connects to:
// the nodes in turn, so that in two-node mode every test's clients are
// spread over both.
func (e *env) url() string { return e.next().URL() }

// next is the node the next connection goes to.
func (e *env) next() *app.App {
	all := e.all()
	return all[(e.dials.Add(1)-1)%uint64(len(all))]
}

// dbFlag puts the server on a PostgreSQL database of the test's own when the
// suite runs on PostgreSQL (make test runs it on both backends).
func dbFlag(t testing.TB) []string {
	if u := pgtest.URL(t); u != "" {
		return []string{"-db", u}
	}
	return nil
}

// generousLimits is a budget table that the functional tests never meet,
// but that still runs every request through the limiter.
func generousLimits() limits.Config {
	lots := limits.Rate{Count: 1_000_000, Per: time.Second, Burst: 1_000_000}
	cfg := limits.Config{Classes: map[wire.Class]limits.Rate{},
		SignUp: limits.SignUpBudgets{PerAddress: lots, PerCountry: lots, Total: lots}}
	for _, c := range wire.Classes() {
		cfg.Classes[c] = lots
	}
	return cfg
}

// online is how many live connections userID has over all the env's nodes.
func (e *env) online(userID uint64) int {
	n := 0
	for _, a := range e.all() {
		n += a.Server.Hub().Online(userID)
	}
	return n
}

// all is the env's nodes (just app for an env a test built around its own).
func (e *env) all() []*app.App {
	if len(e.nodes) == 0 {
		return []*app.App{e.app}
	}
	return e.nodes
}

// nodeOf is the node that c, a connection e.dial opened, is connected to:
// a test that reads a node's metrics reads those of its client's node.
func (e *env) nodeOf(c *wsclient.Conn) *app.App {
	e.onMu.Lock()
	defer e.onMu.Unlock()
	a := e.on[c]
	if a == nil {
		e.t.Fatal("nodeOf: a connection the env did not dial")
	}
	return a
}

// statements is how many SQL statements every node has run.
func (e *env) statements() int64 {
	var n int64
	for _, a := range e.all() {
		n += a.DB.Statements()
	}
	return n
}

func (e *env) dial(opts wsclient.Options) *wsclient.Conn {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	node := e.next()
	c, err := wsclient.Dial(ctx, node.URL(), opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.onMu.Lock()
	if e.on == nil {
		e.on = map[*wsclient.Conn]*app.App{}
	}
	e.on[c] = node
	e.onMu.Unlock()
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (e *env) client() (*client.Client, *wsclient.Conn) {
	c := e.dial(wsclient.Options{})
	return c.Client(), c
}

func ctxTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// lastCode reads the newest code the file sender wrote for username.
func (e *env) lastCode(username string) uint32 {
	e.t.Helper()
	f, err := os.Open(e.codes)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	var code string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v struct{ Phone, Username, Code, Time string }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			e.t.Fatalf("sender line %q: %v", sc.Text(), err)
		}
		if v.Username == username {
			code = v.Code
		}
	}
	if code == "" {
		e.t.Fatalf("no code was sent for %s", username)
	}
	var n uint32
	for _, r := range code {
		n = n*10 + uint32(r-'0')
	}
	return n
}

// signUp registers, verifies and logs in a phone number; it returns the user
// and the token.
func (e *env) signUp(c *client.Client, phone uint64) (*pb.UserRegisterResponse, string) {
	e.t.Helper()
	reg, err := c.UserRegister(ctx(e.t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		e.t.Fatal(err)
	}
	v, err := c.UserVerify(ctx(e.t), &pb.UserVerify{Username: reg.Username, Code: e.lastCode(reg.Username)})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.UserLogin(ctx(e.t), &pb.UserLogin{Token: v.Token}); err != nil {
		e.t.Fatal(err)
	}
	return reg, v.Token
}

// wantErr asserts err is the protocol error major/minor.
func wantErr(t *testing.T, err error, major wire.Major, minor wire.Minor) *wire.Error {
	t.Helper()
	e, ok := wire.As(err)
	if !ok {
		t.Fatalf("got %v, want error %d/%d", err, major, minor)
	}
	if e.Major != major || e.Minor != minor {
		t.Fatalf("got error %d/%d (%s), want %d/%d", e.Major, e.Minor, e.Message, major, minor)
	}
	return e
}

// stalledDevice signs the user with that phone in on another device, over a
// WebSocket that is never read from, and returns its network connection.
func (e *env) stalledDevice(phone uint64) net.Conn {
	t := e.t
	t.Helper()
	c, conn := e.client()
	defer conn.Close()
	reg, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: e.lastCode(reg.Username)})
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := gws.NewClient(new(gws.BuiltinEventHandler), &gws.ClientOption{Addr: e.url()})
	if err != nil {
		t.Fatal(err)
	}
	login, _ := proto.Marshal(&pb.UserLogin{Request: &pb.Request{Id: "stalled"}, Token: v.Token})
	if err := ws.WriteMessage(gws.OpcodeBinary, wire.AppendFrame(nil, dispatch.ActionUserLogin, login)); err != nil {
		t.Fatal(err)
	}
	return ws.NetConn()
}
