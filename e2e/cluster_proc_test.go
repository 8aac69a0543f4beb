package e2e

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/wsclient"
)

// gapdProc is the real gapd binary running as a process of its own, which a
// test can kill as the kernel would (SIGKILL: no shutdown at all).
type gapdProc struct {
	name string
	url  string // ws://host:port/
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited

	mu  sync.Mutex
	log bytes.Buffer // its stderr, shown when the test fails
}

// buildGapd compiles the gapd binary (the module's main package) into a
// directory of the test's own.
func buildGapd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gapd")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build gapd: %v\n%s", err, out)
	}
	return bin
}

// startGapd runs bin with args and waits for the log line in which gapd
// names the address it serves on (url=ws://...): with -addr 127.0.0.1:0 the
// port is only known from there. The process is killed when the test ends.
func startGapd(t *testing.T, name, bin string, args ...string) *gapdProc {
	t.Helper()
	p := &gapdProc{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			if _, rest, ok := strings.Cut(line, " url=ws://"); ok {
				u, _, _ := strings.Cut(rest, " ")
				select {
				case found <- "ws://" + u:
				default:
				}
			}
		}
	}()
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			p.mu.Lock()
			t.Logf("%s's log:\n%s", name, p.log.String())
			p.mu.Unlock()
		}
	})
	select {
	case p.url = <-found:
		return p
	case <-p.done:
		t.Fatalf("%s exited before serving: %v", name, p.cmd.ProcessState)
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not report its address within 60s", name)
	}
	return nil
}

// kill sends SIGKILL and waits until the process is gone.
func (p *gapdProc) kill(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s outlived SIGKILL by 30s", p.name)
	}
}

// dial connects to the process; the connection closes when the test ends.
func (p *gapdProc) dial(t *testing.T, opts wsclient.Options) *wsclient.Conn {
	t.Helper()
	c, cancel := ctxTimeout(5 * time.Second)
	defer cancel()
	conn, err := wsclient.Dial(c, p.url, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", p.name, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}
