// Command pgtmp runs a command beside a throw-away PostgreSQL server: it
// creates a cluster in a temporary directory with Debian's initdb and pg_ctl
// (as an unprivileged user when started as root, which PostgreSQL requires),
// starts it on a free loopback port, runs the command with the server's URL
// in GAPD_TEST_POSTGRES, then stops the server and removes the directory.
//
//	pgtmp -- go test ./storage/...    run the tests on PostgreSQL
//	pgtmp -serve                      keep a server until Ctrl-C (make cluster)
//
// Without PostgreSQL installed it says how to install it and, unless
// CI=true, skips the command (exit 0); under CI=true that is a failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
)

const install = "apt-get install -y postgresql"

func main() {
	serve := flag.Bool("serve", false, "start the server, print its URL and keep it until interrupted")
	durable := flag.Bool("durable", false, "keep fsync on (benchmarks); tests run without it")
	port := flag.Int("port", 0, "port to listen on (0: a free one)")
	flag.Parse()
	if !*serve && flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: pgtmp [-durable] [-port N] -- command [args...] | pgtmp -serve")
		os.Exit(2)
	}
	bin, err := findBin()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtmp: missing: the PostgreSQL server (%v); install it with: %s\n", err, install)
		if os.Getenv("CI") == "true" || *serve {
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "pgtmp: skipping the PostgreSQL run (under CI=true this fails)")
		return
	}
	srv, err := start(bin, *port, *durable)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtmp:", err)
		os.Exit(1)
	}
	code := run(srv, *serve, flag.Args())
	srv.stop()
	os.Exit(code)
}

func run(srv *server, serve bool, args []string) int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if serve {
		fmt.Println(srv.url)
		fmt.Fprintln(os.Stderr, "pgtmp: PostgreSQL at", srv.url, "- Ctrl-C stops it")
		<-sig
		return 0
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "GAPD_TEST_POSTGRES="+srv.url)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtmp:", err)
		return 1
	}
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return max(ee.ExitCode(), 1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "pgtmp:", err)
		return 1
	}
	return 0
}

// findBin finds initdb and pg_ctl: on PATH, else in Debian's versioned
// directories (newest first), which are not on PATH by default.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin")
}

func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

type server struct {
	bin, dir, url string
	cred          *syscall.Credential
}

func start(bin string, port int, durable bool) (*server, error) {
	dir, err := os.MkdirTemp("", "gapd-pg-")
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		if s.cred, err = unprivileged(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if err := s.pg("initdb", "-D", data, "-U", "gapd", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=500 -c shared_buffers=128MB", port, dir)
	if !durable {
		opts += " -c fsync=off -c full_page_writes=off"
	}
	if err := s.pg("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	s.url = fmt.Sprintf("postgres://gapd@127.0.0.1:%d/postgres?sslmode=disable", port)
	return s, nil
}

func (s *server) stop() {
	_ = s.pg("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(s.dir)
}

func (s *server) pg(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Dir = s.dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// unprivileged is the postgres user Debian's package creates, or nobody.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
