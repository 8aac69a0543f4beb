// Command cluster runs gapd as several nodes on one machine, the way a
// cluster runs: a PostgreSQL server (Debian's, through pgserver; its data
// kept under -dir), a NATS server (embedded), and N gapd nodes on
// consecutive ports sharing them, one data directory and one files
// directory. Ctrl-C stops the nodes, then NATS, then PostgreSQL.
//
//	go run ./tools/cluster -gapd bin/gapd          (make cluster)
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/gapd/gapd/tools/internal/pgserver"
)

type options struct {
	gapd     string
	dir      string
	nodes    int
	port     int // first node's WebSocket port; ops ports start at opsPort
	opsPort  int
	natsPort int
	pgPort   int
	extra    []string // more gapd flags, after --
}

func main() {
	var o options
	flag.StringVar(&o.gapd, "gapd", "bin/gapd", "the gapd binary")
	flag.StringVar(&o.dir, "dir", "cluster-data", "where PostgreSQL's data, the nodes' shared data and files directories go")
	flag.IntVar(&o.nodes, "nodes", 2, "how many gapd nodes")
	flag.IntVar(&o.port, "port", 8080, "WebSocket port of the first node; the next nodes take the ports after it")
	flag.IntVar(&o.opsPort, "ops-port", 9090, "ops port (/healthz, /metrics) of the first node; the next nodes take the ports after it")
	flag.IntVar(&o.natsPort, "nats-port", 4222, "NATS port")
	flag.IntVar(&o.pgPort, "pg-port", 5433, "PostgreSQL port")
	flag.Parse()
	o.extra = flag.Args()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

// run starts everything, reports where it is, and stops it all when ctx ends.
func run(ctx context.Context, o options, out io.Writer) error {
	if o.nodes < 1 || o.nodes > 16 {
		return fmt.Errorf("-nodes %d: want 1 to 16", o.nodes)
	}
	if _, err := os.Stat(o.gapd); err != nil {
		return fmt.Errorf("-gapd: %w (make build makes bin/gapd)", err)
	}
	pg, err := pgserver.Start(pgserver.Options{Dir: filepath.Join(o.dir, "postgres"), Port: o.pgPort, Durable: true})
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w (install it with: %s)", err, pgserver.Install)
	}
	defer pg.Stop()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: o.natsPort, NoLog: true, NoSigs: true})
	if err != nil {
		return fmt.Errorf("NATS: %w", err)
	}
	go ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		return errors.New("NATS did not start")
	}
	fmt.Fprintf(out, "PostgreSQL  %s\nNATS        %s\n", pg.URL, ns.ClientURL())

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var nodes []*exec.Cmd
	defer func() {
		for _, n := range nodes {
			_ = n.Process.Signal(syscall.SIGTERM)
		}
		wg.Wait()
	}()
	for i := range o.nodes {
		name := "n" + strconv.Itoa(i+1)
		addr := "127.0.0.1:" + strconv.Itoa(o.port+i)
		ops := "127.0.0.1:" + strconv.Itoa(o.opsPort+i)
		args := append([]string{"-addr", addr, "-ops-addr", ops, "-node", name, "-db", pg.URL, "-nats", ns.ClientURL(),
			"-data", filepath.Join(o.dir, "shared"), "-files", filepath.Join(o.dir, "files")}, o.extra...)
		cmd, err := startNode(o.gapd, args, name, out, &wg, cancel)
		if err != nil {
			return err
		}
		nodes = append(nodes, cmd)
		// The first node creates the schema and the securing key the
		// others then find; wait for each before starting the next.
		if err := healthy(ctx, "http://"+ops+"/healthz"); err != nil {
			return fmt.Errorf("node %s: %w", name, err)
		}
		fmt.Fprintf(out, "node %-6s ws://%s/  (ops http://%s/)\n", name, addr, ops)
	}
	fmt.Fprintln(out, "all up; Ctrl-C stops them")
	<-ctx.Done()
	if err := context.Cause(ctx); !errors.Is(err, context.Canceled) {
		return err // a node ended by itself
	}
	return nil
}

// startNode starts one gapd, copies its log lines to out behind its name,
// and cancels the cluster if it ends before being told to.
func startNode(bin string, args []string, name string, out io.Writer, wg *sync.WaitGroup, cancel context.CancelCauseFunc) (*exec.Cmd, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close() // the node holds its end; ours would keep the pipe open
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("node %s: %w", name, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := bufio.NewScanner(r)
		for s.Scan() {
			fmt.Fprintf(out, "[%s] %s\n", name, s.Text())
		}
		r.Close()
		err := cmd.Wait()
		cancel(fmt.Errorf("node %s ended: %v", name, err))
	}()
	return cmd, nil
}

// healthy waits until url answers 200.
func healthy(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after 30s (last: %v)", url, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
