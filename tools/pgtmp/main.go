// Command pgtmp runs a command beside a throw-away PostgreSQL server: it
// creates a cluster in a temporary directory with Debian's initdb and pg_ctl
// (as an unprivileged user when started as root, which PostgreSQL requires),
// starts it on a free loopback port, runs the command with the server's URL
// in GAPD_TEST_POSTGRES, then stops the server and removes the directory.
//
//	pgtmp -- go test ./storage/...    run the tests on PostgreSQL
//	pgtmp -serve                      keep a server until Ctrl-C
//
// Without PostgreSQL installed it says how to install it and, unless
// CI=true, skips the command (exit 0); under CI=true that is a failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/gapd/gapd/storage/pgtest"
	"github.com/gapd/gapd/tools/internal/pgserver"
)

func main() {
	serve := flag.Bool("serve", false, "start the server, print its URL and keep it until interrupted")
	durable := flag.Bool("durable", false, "keep fsync on (benchmarks); tests run without it")
	port := flag.Int("port", 0, "port to listen on (0: a free one)")
	flag.Parse()
	if !*serve && flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: pgtmp [-durable] [-port N] -- command [args...] | pgtmp -serve")
		os.Exit(2)
	}
	if _, err := pgserver.Bin(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtmp: missing: the PostgreSQL server (%v); install it with: %s\n", err, pgserver.Install)
		if os.Getenv("CI") == "true" || *serve {
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "pgtmp: skipping the PostgreSQL run (under CI=true this fails)")
		return
	}
	srv, err := pgserver.Start(pgserver.Options{Port: *port, Durable: *durable})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtmp:", err)
		os.Exit(1)
	}
	code := run(srv, *serve, flag.Args())
	srv.Stop()
	os.Exit(code)
}

func run(srv *pgserver.Server, serve bool, args []string) int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if serve {
		fmt.Println(srv.URL)
		fmt.Fprintln(os.Stderr, "pgtmp: PostgreSQL at", srv.URL, "- Ctrl-C stops it")
		<-sig
		return 0
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), pgtest.EnvServer+"="+srv.URL)
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
