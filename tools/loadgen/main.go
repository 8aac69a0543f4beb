// Command loadgen measures gapd under load over real WebSocket connections
// on loopback, next to references measured in the same run on the same
// machine: a bare gws server (echo, broadcast, idle connections), a bare
// SQLite insert loop with gapd's durability setting, and a bare disk write.
//
//	go run ./tools/loadgen                  # the standard set (make bench-load)
//	go run ./tools/loadgen -scenarios chat -pairs 1000 -d 20s
//
// It builds nothing itself unless told: -gapd names the gapd binary, which
// it starts as a separate process for every scenario (a temporary -data
// directory kept for the run, -verify-sender file:PATH so sign-up codes can
// be read back), so the server's CPU seconds and peak memory are read from
// /proc/<pid>. With -addr it drives a server someone else started instead,
// and reports no CPU or memory.
//
// gapd runs with -limits none, except in the flood scenario, which keeps
// the default limits: one user chats at a steady pace while eight
// connections flood with the worst request of each class, and the
// sender's latency is reported beside its latency without the flood.
//
// The chat scenario runs its closed loop a second time on the same server
// over secured connections (the protocol's RSA handshake, then AES-CBC on
// every frame both ways), reported beside the plain figure.
//
// With -backends sqlite,postgres (make bench-postgres) the chat and group
// scenarios run again on PostgreSQL (-postgres, default $GAPD_TEST_POSTGRES):
// one gapd node, then two on the same database joined by a NATS server run
// in this process, beside a bare PostgreSQL insert loop (postgres.go).
//
// Users sign up through the real flow (UserRegister, the code from the
// sender's file, UserVerify, UserLogin) once per run; every scenario then
// logs them in with their device tokens.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gapd/gapd/wsclient"
)

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(1)
}

type config struct {
	gapd      string
	addr      string
	codes     string
	scenarios map[string]bool
	pairs     []int
	group     int
	idle      int
	storm     int
	fileMB    int
	d         time.Duration
	sync      string
	work      string
	log       io.Writer
	backends  map[string]bool // where chat and group run: sqlite, postgres
	postgres  string          // admin URL of a PostgreSQL server (-postgres)
}

// result is one row of the final table.
type result struct {
	scenario, value, latency, ref, ratio, cpu, peak string
}

type runner struct {
	cfg     config
	users   []user
	book    *codeBook
	results []result
	ext     *server // the -addr server, if any

	sqliteChat  map[int]float64 // chat closed loop on SQLite, msg/s by pairs
	sqliteGroup float64         // group fan-out on SQLite, deliveries/s
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-bare-serve" {
		os.Exit(bareServe())
	}
	var cfg config
	var scen, pairs, logPath, backends string
	var keep bool
	flag.StringVar(&cfg.gapd, "gapd", "", "gapd binary to start for each scenario (default: go build . into the work directory)")
	flag.StringVar(&cfg.addr, "addr", "", "drive this running server (ws://host:port/) instead of starting gapd; needs -codes")
	flag.StringVar(&cfg.codes, "codes", "", "with -addr: the file the server's -verify-sender file:PATH writes")
	flag.StringVar(&scen, "scenarios", "chat,group,idle,login,file,flood", "which scenarios to run, comma-separated")
	flag.StringVar(&pairs, "pairs", "100,1000", "chat: numbers of connected pairs, comma-separated")
	flag.IntVar(&cfg.group, "group", 1000, "group: members receiving each message")
	flag.IntVar(&cfg.idle, "idle", 10000, "idle: logged-in connections held")
	flag.IntVar(&cfg.storm, "storm", 2000, "login: clients logging in at once")
	flag.IntVar(&cfg.fileMB, "file-mb", 64, "file: upload size in MB")
	flag.DurationVar(&cfg.d, "d", 10*time.Second, "length of each timed phase")
	flag.StringVar(&cfg.sync, "sync", "FULL", "SQLite synchronous setting of the storage reference (gapd's default is FULL)")
	flag.StringVar(&cfg.work, "work", "", "work directory (default: a new temporary one, removed at the end)")
	flag.StringVar(&logPath, "log", "", "append the servers' logs here (default: discard)")
	flag.BoolVar(&keep, "keep", false, "keep the work directory")
	flag.StringVar(&backends, "backends", "sqlite", "storage backends the chat and group scenarios run on, comma-separated: sqlite, postgres (one and two gapd nodes on one database, beside a bare PostgreSQL insert loop)")
	flag.StringVar(&cfg.postgres, "postgres", os.Getenv(envPostgres), "PostgreSQL admin URL (a role that may CREATE DATABASE) for -backends postgres; a fresh database is made per scenario (default: $"+envPostgres+", which tools/pgtmp sets)")
	flag.Parse()

	cfg.scenarios = map[string]bool{}
	for _, s := range strings.Split(scen, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.scenarios[s] = true
		}
	}
	cfg.backends = map[string]bool{}
	for _, b := range strings.Split(backends, ",") {
		switch b = strings.TrimSpace(b); b {
		case "sqlite", "postgres":
			cfg.backends[b] = true
		case "":
		default:
			fatalf("-backends %q: want sqlite and/or postgres", backends)
		}
	}
	for _, p := range strings.Split(pairs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			fatalf("-pairs %q: want positive numbers", pairs)
		}
		cfg.pairs = append(cfg.pairs, n)
	}
	cfg.log = io.Discard
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fatalf("%v", err)
		}
		defer f.Close()
		cfg.log = f
	}
	if cfg.work == "" {
		dir, err := os.MkdirTemp("", "gapd-loadgen-")
		if err != nil {
			fatalf("%v", err)
		}
		cfg.work = dir
		if !keep {
			defer os.RemoveAll(dir)
		}
	}
	os.Exit(run(cfg))
}

func run(cfg config) int {
	limit := raiseNoFile()
	fmt.Printf("loadgen: %d CPUs (GOMAXPROCS %d), %s/%s, open files limit %d, work dir %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, limit, cfg.work)
	need := uint64(cfg.idle + 200)
	if cfg.scenarios["idle"] && limit < need {
		fmt.Printf("loadgen: the open files limit %d is below the %d the idle scenario needs in each process; "+
			"raise the hard limit (ulimit -Hn) or lower -idle\n", limit, need)
		cfg.idle = int(limit) - 200
	}
	r := &runner{cfg: cfg, sqliteChat: map[int]float64{}}
	if cfg.addr != "" {
		if cfg.codes == "" {
			fatalf("-addr needs -codes")
		}
		r.ext = &server{name: "gapd", url: cfg.addr}
	} else if cfg.gapd == "" {
		cfg.gapd = filepath.Join(cfg.work, "gapd")
		fmt.Println("loadgen: building gapd")
		if out, err := exec.Command("go", "build", "-o", cfg.gapd, ".").CombinedOutput(); err != nil {
			fatalf("go build: %v\n%s", err, out)
		}
		r.cfg = cfg
	}
	codes := cfg.codes
	if codes == "" {
		codes = filepath.Join(cfg.work, "codes.jsonl")
	}
	r.book = newCodeBook(codes)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.book.follow(ctx)

	if r.usersNeeded() > 0 {
		if err := r.signUp(); err != nil {
			fmt.Printf("loadgen: sign-up failed: %v\n", err)
			return 1
		}
	}
	failed := false
	step := func(name string, f func() error) {
		if !cfg.scenarios[name] || (onBackends[name] && !cfg.backends["sqlite"]) {
			return
		}
		if err := f(); err != nil {
			fmt.Printf("%s: %v\n", name, err)
			r.results = append(r.results, result{scenario: name, value: "failed: " + err.Error()})
			var ni errNotImplemented
			if !asNotImplemented(err, &ni) {
				failed = true
			}
		}
	}
	step("chat", r.chat)
	step("group", r.group)
	step("idle", r.idleScenario)
	step("login", r.login)
	step("file", r.file)
	step("flood", r.flood)
	if cfg.backends["postgres"] {
		if err := r.postgres(); err != nil {
			fmt.Printf("postgres: %v\n", err)
			r.results = append(r.results, result{scenario: "postgres", value: "failed: " + err.Error()})
			failed = true
		}
	}
	r.table()
	if failed {
		return 1
	}
	return 0
}

// onBackends are the scenarios that -backends chooses the storage of; the
// others always run on SQLite.
var onBackends = map[string]bool{"chat": true, "group": true}

// usersNeeded is how many users the SQLite scenarios need signed up (0:
// none of them runs).
func (r *runner) usersNeeded() int {
	n := 0
	c := maps.Clone(r.cfg.scenarios)
	if !r.cfg.backends["sqlite"] {
		for s := range onBackends {
			delete(c, s)
		}
	}
	if len(c) > 0 {
		n = 1
	}
	if c["chat"] {
		for _, p := range r.cfg.pairs {
			n = max(n, 2*p)
		}
	}
	if c["group"] {
		n = max(n, r.cfg.group+1)
	}
	if c["idle"] {
		n = max(n, r.cfg.idle)
	}
	if c["login"] {
		n = max(n, r.cfg.storm)
	}
	if c["flood"] {
		n = max(n, floodUsers)
	}
	return n
}

// gapd starts a fresh gapd on the run's data directory (or returns the
// -addr server) with -limits none: the throughput scenarios sign up and
// drive thousands of users from one address.
func (r *runner) gapd() (*server, error) { return r.gapdWith("none") }

// gapdWith is gapd with the given -limits ("": the built-in table).
func (r *runner) gapdWith(limits string) (*server, error) {
	if r.ext != nil {
		return r.ext, nil
	}
	return startProcess("gapd", r.cfg.gapd, gapdArgs(filepath.Join(r.cfg.work, "data"), filepath.Join(r.cfg.work, "codes.jsonl"), limits), r.cfg.log)
}

func (r *runner) bare() (*server, error) {
	return startProcess("bare", mustSelf(), []string{"-bare-serve"}, r.cfg.log)
}

// onBare runs fn against a fresh bare gws server (the references) and
// returns that server's CPU time and peak memory over fn.
func (r *runner) onBare(what string, fn func(bare *server) error) (cpu, peak string, err error) {
	bare, err := r.bare()
	if err != nil {
		return "", "", err
	}
	cpu, peak, err = measure(bare, func() error { return fn(bare) })
	r.stop(bare)
	if err != nil {
		return cpu, peak, fmt.Errorf("%s: %w", what, err)
	}
	return cpu, peak, nil
}

func (r *runner) stop(s *server) {
	if s != r.ext {
		s.stop()
	}
}

// measure runs f against s and returns the server's CPU time over f and
// its peak memory during f.
func measure(s *server, f func() error) (cpu, peak string, err error) {
	return measureAll([]*server{s}, f)
}

// measureAll is measure over the nodes of a cluster: their CPU times added
// up, and each one's peak ("a + b").
func measureAll(ss []*server, f func() error) (cpu, peak string, err error) {
	for _, s := range ss {
		if s.cmd == nil {
			return "n/a", "n/a", f()
		}
	}
	before := make([]procStats, len(ss))
	for i, s := range ss {
		resetPeak(s.pid())
		before[i] = s.stats()
	}
	err = f()
	var used time.Duration
	peaks := make([]string, len(ss))
	for i, s := range ss {
		after := s.stats()
		used += after.cpu - before[i].cpu
		peaks[i] = mb(after.hwm)
	}
	return fmt.Sprintf("%.1fs", used.Seconds()), strings.Join(peaks, " + "), err
}

func (r *runner) signUp() error {
	n := r.usersNeeded()
	s, err := r.gapd()
	if err != nil {
		return err
	}
	defer r.stop(s)
	start := time.Now()
	var users []user
	cpu, peak, err := measure(s, func() error {
		var err error
		users, err = signUpMany(s.url, r.book, 0, n, 64)
		return err
	})
	if err != nil {
		return err
	}
	el := time.Since(start)
	r.users = users
	fmt.Printf("sign-up: %d users through UserRegister, the code file, UserVerify, UserLogin in %.1fs (%.0f/s); server CPU %s, peak %s\n",
		n, el.Seconds(), float64(n)/el.Seconds(), cpu, peak)
	r.results = append(r.results, result{scenario: fmt.Sprintf("sign-up, %d users, 64 at a time", n),
		value: fmt.Sprintf("%.0f sign-ups/s", float64(n)/el.Seconds()), cpu: cpu, peak: peak})
	return nil
}

// securedChat is the chat closed loop again on the same server, over
// connections secured as the real clients secure them (version 1: RSA key
// exchange, then IV || AES-256-CBC on every frame both ways), reported beside
// the plain figure. Version 2 differs only in the handshake, which is not
// timed here.
func (r *runner) securedChat(s *server, n int, plain float64) error {
	run, err := setupChat([]string{s.url}, r.users, n, &wsclient.Secure{Version: 1})
	if err != nil {
		return fmt.Errorf("secured: %w", err)
	}
	defer run.close()
	var rate float64
	var lat summary
	cpu, peak, err := measure(s, func() error {
		var err error
		rate, lat, err = run.closedLoop(r.cfg.d)
		return err
	})
	if err != nil {
		return fmt.Errorf("secured: %w", err)
	}
	fmt.Printf("chat, %d pairs, closed loop, secured: %.0f messages/s delivered (%.2f of plain), send-to-recipient %s; server CPU %s, peak %s\n",
		n, rate, rate/plain, lat, cpu, peak)
	r.results = append(r.results, result{scenario: fmt.Sprintf("chat send->push, %d pairs, 1 KB, closed loop, secured (AES-CBC)", n),
		value: fmt.Sprintf("%.0f msg/s", rate), latency: lat.String(), ref: fmt.Sprintf("plain %.0f/s", plain),
		ratio: fmt.Sprintf("%.2f", rate/plain), cpu: cpu, peak: peak})
	return nil
}

func (r *runner) chat() error {
	d := r.cfg.d
	for _, n := range r.cfg.pairs {
		var echo float64
		var echoLat summary
		bcpu, bpeak, err := r.onBare("bare echo", func(bare *server) (err error) {
			echo, echoLat, err = echoLoop(bare.url, n, d)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("reference, bare gws echo, %d clients: %.0f round trips/s, %s; server CPU %s, peak %s\n", n, echo, echoLat, bcpu, bpeak)
		r.results = append(r.results, result{scenario: fmt.Sprintf("ref: bare gws echo, %d clients, 1 KB", n),
			value: fmt.Sprintf("%.0f round trips/s", echo), latency: echoLat.String(), cpu: bcpu, peak: bpeak})

		s, err := r.gapd()
		if err != nil {
			return err
		}
		rate, err := r.chatPhases(target{nodes: []*server{s}}, r.users, n, reference{"echo", "echo", echo})
		r.sqliteChat[n] = rate
		if err == nil {
			err = r.securedChat(s, n, rate)
		}
		r.stop(s)
		if err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp(r.cfg.work, "sqlite-")
	if err != nil {
		return err
	}
	ins, err := sqliteInsertLoop(dir, r.cfg.sync, min(d, 5*time.Second))
	if err != nil {
		return fmt.Errorf("bare SQLite: %w", err)
	}
	fmt.Printf("reference, bare SQLite insert loop (WAL, synchronous=%s, one 1 KB row per commit): %.0f commits/s\n", r.cfg.sync, ins)
	r.results = append(r.results, result{scenario: fmt.Sprintf("ref: bare SQLite, 1 KB row per commit, synchronous=%s", r.cfg.sync),
		value: fmt.Sprintf("%.0f commits/s", ins)})
	return nil
}

func (r *runner) group() error {
	n, d := r.cfg.group, r.cfg.d
	var ref float64
	var refLat summary
	bcpu, bpeak, err := r.onBare("bare broadcast", func(bare *server) (err error) {
		ref, refLat, err = bareBroadcast(bare.url, n, d)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("reference, bare gws broadcast to %d: %.0f deliveries/s, to the last member %s; server CPU %s, peak %s\n", n, ref, refLat, bcpu, bpeak)
	r.results = append(r.results, result{scenario: fmt.Sprintf("ref: bare gws broadcast to %d, 1 KB", n),
		value: fmt.Sprintf("%.0f deliveries/s", ref), latency: refLat.String(), cpu: bcpu, peak: bpeak})

	s, err := r.gapd()
	if err != nil {
		return err
	}
	defer r.stop(s)
	r.sqliteGroup, err = r.groupPhase(target{nodes: []*server{s}}, r.users, n, reference{"broadcast", "broadcast", ref})
	return err
}

// reference is what a gapd figure is compared with: its name in the printed
// line and in the table, and its rate (0: not measured in this run).
type reference struct {
	long, short string
	rate        float64
}

// of says "(0.42 of echo)" in a printed line.
func (ref reference) of(rate float64) string {
	if ref.rate == 0 {
		return ""
	}
	return fmt.Sprintf(" (%.2f of %s)", rate/ref.rate, ref.long)
}

// cells are the table's reference and ratio cells.
func (ref reference) cells(rate float64) (string, string) {
	if ref.rate == 0 {
		return "", ""
	}
	return fmt.Sprintf("%s %.0f/s", ref.short, ref.rate), fmt.Sprintf("%.2f", rate/ref.rate)
}

// chatPhases runs the chat closed loop with n pairs on t, then the loop
// paced at half its rate, and records both. It returns the closed loop's
// messages per second.
func (r *runner) chatPhases(t target, users []user, n int, ref reference) (float64, error) {
	d := r.cfg.d
	run, err := setupChat(t.urls(), users, n, nil)
	if err != nil {
		return 0, err
	}
	defer run.close()
	c, err := t.phase(func() (float64, summary, error) { return run.closedLoop(d) })
	if err != nil {
		return 0, err
	}
	fmt.Printf("%schat, %d pairs, closed loop: %.0f messages/s delivered%s, send-to-recipient %s; server CPU %s, peak %s\n",
		t.label, n, c.rate, ref.of(c.rate), c.lat, c.cpu, c.peak)
	r.record(fmt.Sprintf("%schat send->push, %d pairs, 1 KB, closed loop", t.label, n), "msg/s", c, ref)
	p, err := t.phase(func() (float64, summary, error) { return run.paced(c.rate/2, d) })
	if err != nil {
		return c.rate, err
	}
	fmt.Printf("%schat, %d pairs, paced at %.0f/s: %.0f messages/s delivered, send-to-recipient %s; server CPU %s, peak %s\n",
		t.label, n, c.rate/2, p.rate, p.lat, p.cpu, p.peak)
	r.record(fmt.Sprintf("%schat send->push, %d pairs, paced at half that rate", t.label, n), "msg/s", p, reference{})
	return c.rate, nil
}

// groupPhase runs the group fan-out to n members on t and records it. It
// returns deliveries per second.
func (r *runner) groupPhase(t target, users []user, n int, ref reference) (float64, error) {
	g, err := t.phase(func() (float64, summary, error) { return groupFanout(t.urls(), users, n, r.cfg.d) })
	if err != nil {
		return 0, err
	}
	fmt.Printf("%sgroup, send to %d members: %.0f deliveries/s%s, to the last member %s; server CPU %s, peak %s\n",
		t.label, n, g.rate, ref.of(g.rate), g.lat, g.cpu, g.peak)
	r.record(fmt.Sprintf("%sgroup send, %d members, 1 KB", t.label, n), "deliveries/s", g, ref)
	return g.rate, nil
}

// timed is one timed phase's outcome: its rate and latency, and the
// servers' CPU and peak memory over it.
type timed struct {
	rate      float64
	lat       summary
	cpu, peak string
}

// phase runs f on t as one timed phase.
func (t target) phase(f func() (float64, summary, error)) (timed, error) {
	var x timed
	var err error
	x.cpu, x.peak, err = t.measure(func() error {
		var err error
		x.rate, x.lat, err = f()
		return err
	})
	return x, err
}

// record adds a timed phase's row to the table, compared with ref.
func (r *runner) record(scenario, unit string, x timed, ref reference) {
	refCell, ratio := ref.cells(x.rate)
	r.results = append(r.results, result{scenario: scenario, value: fmt.Sprintf("%.0f %s", x.rate, unit),
		latency: x.lat.String(), ref: refCell, ratio: ratio, cpu: x.cpu, peak: x.peak})
}

func (r *runner) idleScenario() error {
	n := r.cfg.idle
	bare, err := r.bare()
	if err != nil {
		return err
	}
	time.Sleep(settle) // the fresh process's memory settles before it is measured
	var ref float64
	_, bpeak, err := measure(bare, func() error {
		var err error
		ref, err = bareIdleMemory(bare, n)
		return err
	})
	r.stop(bare)
	if err != nil {
		return fmt.Errorf("bare idle: %w", err)
	}
	fmt.Printf("reference, bare gws holding %d connections: %.1f KB each; peak %s\n", n, ref/1024, bpeak)
	r.results = append(r.results, result{scenario: fmt.Sprintf("ref: bare gws, %d idle connections", n),
		value: fmt.Sprintf("%.1f KB/conn", ref/1024), peak: bpeak})

	if r.ext != nil {
		fmt.Println("idle: memory is not measured on an -addr server")
		return nil
	}
	s, err := r.gapd()
	if err != nil {
		return err
	}
	defer r.stop(s)
	time.Sleep(settle)
	var per float64
	cpu, peak, err := measure(s, func() error {
		var err error
		per, err = idleMemory(s, r.users[:n])
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("idle, %d logged-in connections: %.1f KB each (%.2fx bare); server CPU %s, peak %s\n", n, per/1024, per/ref, cpu, peak)
	r.results = append(r.results, result{scenario: fmt.Sprintf("idle, %d logged-in connections", n),
		value: fmt.Sprintf("%.1f KB/conn", per/1024), ref: fmt.Sprintf("bare %.1f KB", ref/1024),
		ratio: fmt.Sprintf("%.2fx", per/ref), cpu: cpu, peak: peak})
	return nil
}

func (r *runner) login() error {
	n := r.cfg.storm
	s, err := r.gapd()
	if err != nil {
		return err
	}
	defer r.stop(s)
	var rate float64
	var lat summary
	cpu, peak, err := measure(s, func() error {
		var err error
		rate, lat, err = loginStorm(s.url, r.users[:n])
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("login storm, %d at once: %.0f logins/s, time to ready %s; server CPU %s, peak %s\n", n, rate, lat, cpu, peak)
	r.results = append(r.results, result{scenario: fmt.Sprintf("login storm, %d clients at once", n),
		value: fmt.Sprintf("%.0f logins/s", rate), latency: "ready " + lat.String(), cpu: cpu, peak: peak})
	return nil
}

func (r *runner) file() error {
	size := r.cfg.fileMB << 20
	s, err := r.gapd()
	if err != nil {
		return err
	}
	defer r.stop(s)
	var mbps float64
	var chunk int
	var processed time.Duration
	cpu, peak, err := measure(s, func() error {
		var err error
		mbps, chunk, processed, err = fileUpload(s.url, r.users[0], size)
		return err
	})
	if err != nil {
		return err
	}
	ref, err := diskWrite(r.cfg.work, size, chunk)
	if err != nil {
		return fmt.Errorf("disk reference: %w", err)
	}
	fmt.Printf("reference, %d MB written to disk in %d-byte chunks and synced: %.0f MB/s\n", r.cfg.fileMB, chunk, ref)
	fmt.Printf("file upload, %d MB in %d-byte chunks: %.0f MB/s (%.2f of disk), processed after %.2fs; server CPU %s, peak %s\n",
		r.cfg.fileMB, chunk, mbps, mbps/ref, processed.Seconds(), cpu, peak)
	r.results = append(r.results,
		result{scenario: fmt.Sprintf("ref: %d MB to disk, %d-byte writes, fsync", r.cfg.fileMB, chunk), value: fmt.Sprintf("%.0f MB/s", ref)},
		result{scenario: fmt.Sprintf("file upload, %d MB", r.cfg.fileMB), value: fmt.Sprintf("%.0f MB/s", mbps),
			latency: fmt.Sprintf("processed after %.2fs", processed.Seconds()), ref: fmt.Sprintf("disk %.0f MB/s", ref),
			ratio: fmt.Sprintf("%.2f", mbps/ref), cpu: cpu, peak: peak})
	return nil
}

// table prints every result as a markdown table (BENCHMARKS.md takes it
// as it is).
func (r *runner) table() {
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(w, "| "+strings.Join(cells, "\t| ")+"\t|") }
	row("scenario", "result", "latency", "reference", "ratio", "server CPU", "server peak RSS")
	row("---", "---", "---", "---", "---", "---", "---")
	for _, x := range r.results {
		row(x.scenario, x.value, x.latency, x.ref, x.ratio, x.cpu, x.peak)
	}
	w.Flush()
}
