// Package pgserver runs a PostgreSQL server of the tools' own from Debian's
// programs (initdb, pg_ctl): in a directory given or a temporary one, on a
// loopback port, as an unprivileged user when started as root (PostgreSQL
// refuses to run as root). tools/pgtmp and tools/cluster use it.
package pgserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
)

// Install is how to get the server's programs on Debian.
const Install = "apt-get install -y postgresql"

// Options say where and how the server runs.
type Options struct {
	// Dir holds the cluster (Dir/data), its log and its socket. Empty: a
	// temporary directory removed by Stop. A Dir that holds a cluster
	// already is started as it is.
	Dir string
	// Port to listen on, on 127.0.0.1; 0: a free one.
	Port int
	// Durable keeps fsync on (benchmarks, make cluster); tests run without.
	Durable bool
}

// Server is a running PostgreSQL.
type Server struct {
	URL string // postgres://gapd@127.0.0.1:PORT/postgres: the superuser gapd

	bin, dir string
	temp     bool
	cred     *syscall.Credential
}

// Bin finds initdb and pg_ctl: on PATH, else in Debian's versioned
// directories (newest first), which are not on PATH by default.
func Bin() (string, error) {
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

// Start creates the cluster if needed and starts the server.
func Start(o Options) (*Server, error) {
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: o.Dir}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "gapd-pg-"); err != nil {
			return nil, err
		}
		s.temp = true
	} else if err := os.MkdirAll(s.dir, 0o755); err != nil {
		// Searchable parents: the server's user must reach its directory.
		return nil, err
	}
	if s.dir, err = filepath.Abs(s.dir); err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		if s.temp {
			os.RemoveAll(s.dir)
		}
		return nil, err
	}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			return fail(err)
		}
		if err := chownAll(s.dir, s.cred); err != nil {
			return fail(err)
		}
	}
	port := o.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(s.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := s.run("initdb", "-D", data, "-U", "gapd", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
			return fail(err)
		}
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=500 -c shared_buffers=128MB", port, s.dir)
	if !o.Durable {
		opts += " -c fsync=off -c full_page_writes=off"
	}
	if err := s.run("pg_ctl", "-D", data, "-l", filepath.Join(s.dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fail(fmt.Errorf("%w\n%s", err, log))
	}
	s.URL = fmt.Sprintf("postgres://gapd@127.0.0.1:%d/postgres?sslmode=disable", port)
	return s, nil
}

// Stop stops the server at once (its data is durable or throw-away
// already) and removes a temporary directory.
func (s *Server) Stop() {
	_ = s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "fast", "-w", "stop")
	if s.temp {
		os.RemoveAll(s.dir)
	}
}

func (s *Server) run(name string, args ...string) error {
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

func chownAll(dir string, c *syscall.Credential) error {
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(c.Uid), int(c.Gid))
	})
}

// FreePort is a loopback port nothing listens on now.
func FreePort() (int, error) { return freePort() }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
