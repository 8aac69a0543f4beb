// Command reports lists and resolves the reports users make of each other
// (UserReport, 149). They live in the server's database; run it beside a
// running server or a stopped one:
//
//	go run ./tools/reports -data ./data list          # open reports, oldest first
//	go run ./tools/reports -data ./data list -all     # resolved ones too
//	go run ./tools/reports -data ./data resolve 12 "warned the user"
//
// A list line is: id, time (UTC), reporter user id, reported user id, reason,
// the description quoted, and for a resolved report its time and note. Once
// a report is resolved, its reporter may report the same user again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

// maxNote bounds a resolution note.
const maxNote = 1000

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit code: 0 done, 1 no open report with that id, 2 bad
// arguments, 3 the database failed.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("reports", flag.ContinueOnError)
	fl.SetOutput(stderr)
	data := fl.String("data", "./data", "the server's data directory (holding "+storage.FileName+")")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: reports [-data DIR] list [-all] | resolve ID NOTE")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "reports: %s\n", msg)
		fl.Usage()
		return 2
	}
	cmd, rest := fl.Arg(0), fl.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	var (
		all  bool
		id   storage.ReportID
		note string
	)
	switch cmd {
	case "list":
		switch {
		case len(rest) == 1 && rest[0] == "-all":
			all = true
		case len(rest) != 0:
			return usage("list takes no argument but -all")
		}
	case "resolve":
		if len(rest) != 2 {
			return usage("resolve takes 2 arguments: ID NOTE")
		}
		n, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || n <= 0 {
			return usage(fmt.Sprintf("report id %q: want a positive number", rest[0]))
		}
		id, note = storage.ReportID(n), rest[1]
		if !utf8.ValidString(note) || utf8.RuneCountInString(note) > maxNote {
			return usage(fmt.Sprintf("note: want UTF-8 text of at most %d characters", maxNote))
		}
	default:
		return usage(fmt.Sprintf("unknown command %q", cmd))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := storage.Open(ctx, *data, storage.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "reports: %v\n", err)
		return 3
	}
	defer db.Close()

	switch cmd {
	case "list":
		var rs []storage.Report
		err = db.Read(ctx, func(tx *storage.Tx) (err error) { rs, err = tx.Reports(all); return err })
		for _, r := range rs {
			fmt.Fprintf(stdout, "%d\t%s\t%d\t%d\t%s\t%q", r.ID, stamp(r.CreatedAt), r.ReporterID, r.UserID,
				pb.UserReport_Reason(r.Reason), r.Description)
			if r.ResolvedAt != 0 {
				fmt.Fprintf(stdout, "\tresolved %s\t%q", stamp(r.ResolvedAt), r.Resolution)
			}
			fmt.Fprintln(stdout)
		}
	case "resolve":
		err = db.Write(ctx, func(tx *storage.Tx) error { return tx.ResolveReport(id, note, time.Now().Unix()) })
		if err == nil {
			fmt.Fprintf(stdout, "resolved %d\n", id)
		}
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		fmt.Fprintf(stderr, "reports: no open report %d\n", id)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "reports: %v\n", err)
		return 3
	}
	return 0
}

func stamp(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }
