// Command infopage sets the static pages that the InfoPage action (503)
// serves: terms, privacy, about... They live in the server's database, so a
// change is served at once, with no restart. Run it beside a running server
// or a stopped one:
//
//	go run ./tools/infopage -data ./data set terms terms.md   # or - for stdin
//	go run ./tools/infopage -data ./data get terms
//	go run ./tools/infopage -data ./data list
//	go run ./tools/infopage -data ./data delete terms
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gapd/gapd/storage"
)

// Limits. An id is what InfoPage's validator accepts (64 characters); a body
// must fit in one response frame of a client's reader with room to spare.
const (
	maxID   = 64
	maxBody = 256 << 10
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run returns the exit code: 0 done, 1 the page does not exist, 2 bad
// arguments or input, 3 the database failed.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("infopage", flag.ContinueOnError)
	fl.SetOutput(stderr)
	data := fl.String("data", "./data", "the server's data directory (holding "+storage.FileName+")")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: infopage [-data DIR] set ID FILE|- | get ID | list | delete ID")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "infopage: %s\n", msg)
		fl.Usage()
		return 2
	}
	cmd, rest := fl.Arg(0), fl.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	want := map[string]int{"set": 2, "get": 1, "delete": 1, "list": 0}
	n, ok := want[cmd]
	if !ok {
		return usage(fmt.Sprintf("unknown command %q", cmd))
	}
	if len(rest) != n {
		return usage(fmt.Sprintf("%s takes %d argument(s)", cmd, n))
	}
	if n > 0 {
		if err := checkID(rest[0]); err != nil {
			return usage(err.Error())
		}
	}
	var body string
	if cmd == "set" {
		b, err := readBody(rest[1], stdin)
		if err != nil {
			return usage(err.Error())
		}
		body = b
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := storage.Open(ctx, *data, storage.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "infopage: %v\n", err)
		return 3
	}
	defer db.Close()

	err = nil
	switch cmd {
	case "set":
		err = db.Write(ctx, func(tx *storage.Tx) error { return tx.PutInfoPage(rest[0], body, time.Now().Unix()) })
		if err == nil {
			fmt.Fprintf(stdout, "set %s (%d bytes)\n", rest[0], len(body))
		}
	case "get":
		var p storage.InfoPage
		err = db.Read(ctx, func(tx *storage.Tx) (err error) { p, err = tx.InfoPage(rest[0]); return err })
		if err == nil {
			_, err = io.WriteString(stdout, p.Body)
		}
	case "delete":
		err = db.Write(ctx, func(tx *storage.Tx) error { return tx.DeleteInfoPage(rest[0]) })
		if err == nil {
			fmt.Fprintf(stdout, "deleted %s\n", rest[0])
		}
	case "list":
		var ps []storage.InfoPageSummary
		err = db.Read(ctx, func(tx *storage.Tx) (err error) { ps, err = tx.InfoPages(); return err })
		for _, p := range ps {
			fmt.Fprintf(stdout, "%s\t%d bytes\t%s\n", p.ID, p.Size, time.Unix(p.UpdatedAt, 0).UTC().Format(time.RFC3339))
		}
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		fmt.Fprintf(stderr, "infopage: no page %q\n", rest[0])
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "infopage: %v\n", err)
		return 3
	}
	return 0
}

// checkID accepts what a client can ask for: 1 to 64 printable characters
// without spaces.
func checkID(id string) error {
	if id == "" || utf8.RuneCountInString(id) > maxID || !utf8.ValidString(id) {
		return fmt.Errorf("page id %q: want 1 to %d characters", id, maxID)
	}
	if i := strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }); i >= 0 {
		return fmt.Errorf("page id %q: no spaces or control characters", id)
	}
	return nil
}

// readBody reads a page body from a file or, for "-", standard input: valid
// UTF-8 (it is sent as a protobuf string) of at most maxBody bytes.
func readBody(path string, stdin io.Reader) (string, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxBody {
		return "", fmt.Errorf("page body over %d bytes", maxBody)
	}
	if !utf8.Valid(b) {
		return "", errors.New("page body is not UTF-8 text")
	}
	return string(b), nil
}
