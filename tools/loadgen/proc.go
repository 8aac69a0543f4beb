package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// server is a process the load generator started and measures: gapd, or
// this binary in one of its bare reference modes.
type server struct {
	name string
	url  string // ws://host:port/
	cmd  *exec.Cmd
	done chan struct{}
}

// startProcess runs path with args and waits for its log line carrying
// "url=ws://...". The rest of its stderr is copied to logTo.
func startProcess(name, path string, args []string, logTo io.Writer) (*server, error) {
	cmd := exec.Command(path, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = logTo
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent {
				if i := strings.Index(line, "url=ws://"); i >= 0 {
					u := line[i+len("url="):]
					if j := strings.IndexByte(u, ' '); j >= 0 {
						u = u[:j]
					}
					found <- strings.Trim(u, `"`)
					sent = true
					continue
				}
			}
			fmt.Fprintf(logTo, "[%s] %s\n", name, line)
		}
	}()
	go func() { _ = cmd.Wait(); close(s.done) }()
	select {
	case s.url = <-found:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("%s exited before serving: %v", name, cmd.ProcessState)
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, fmt.Errorf("%s did not report its address within 30s", name)
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) stats() procStats { return readProc(s.pid()) }

// stop asks for a graceful shutdown and kills the process if it takes
// longer than 30s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// gapdArgs are the flags the load generator starts gapd with: its clients
// all come from 127.0.0.1 and some users log in many times, so the
// per-address and per-user caps are off; /metrics stays on the client port,
// where goMetrics reads it. limits is -limits ("" for the built-in table).
func gapdArgs(dataDir, codes, limits string) []string {
	args := []string{"-addr", "127.0.0.1:0", "-ops-addr", "", "-max-conns-per-ip", "0", "-max-sessions-per-user", "0",
		"-data", dataDir, "-verify-sender", "file:" + codes, "-log-level", "info"}
	if limits != "" {
		args = append(args, "-limits", limits)
	}
	return args
}

func mustSelf() string {
	p, err := os.Executable()
	if err != nil {
		fatalf("cannot find my own binary: %v", err)
	}
	return p
}
