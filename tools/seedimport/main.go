// Command seedimport writes the error catalogue spec/errors.yaml from the seed
// document (../shared/seed/errors.md), keeping the minor ids curated in the
// existing catalogue. Run it from the repository root:
//
//	go run ./tools/seedimport          # re-import
//	go run ./tools/seedimport -check   # exit 1 if spec/errors.yaml is out of date
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit code: 0 done (or up to date), 1 -check found a
// difference, 2 bad flags or input.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("seedimport", flag.ContinueOnError)
	fl.SetOutput(stderr)
	seedPath := fl.String("seed", "../shared/seed/errors.md", "the seed catalogue (markdown)")
	indexPath := fl.String("index", "../shared/protocol/README.md", "the protocol README, for its action index table")
	mergePath := fl.String("merge", "spec/errors.yaml", "an existing catalogue whose minor ids are kept (missing file or \"\": none)")
	outPath := fl.String("out", "spec/errors.yaml", "where to write the catalogue (\"-\": stdout)")
	check := fl.Bool("check", false, "write nothing; exit 1 and show the difference if -out is not up to date")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "seedimport: unexpected arguments %q\n", fl.Args())
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "seedimport: %v\n", err)
		return 2
	}
	seed, err := os.ReadFile(*seedPath)
	if err != nil {
		return fail(err)
	}
	index, err := os.ReadFile(*indexPath)
	if err != nil {
		return fail(err)
	}
	var merge []byte
	if *mergePath != "" {
		merge, err = os.ReadFile(*mergePath)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(err)
		}
	}
	out, err := importSeed(seed, index, merge)
	if err != nil {
		return fail(err)
	}

	if *check {
		if *outPath == "-" {
			return fail(errors.New("-check compares with -out, which must be a file"))
		}
		have, err := os.ReadFile(*outPath)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(err)
		}
		if bytes.Equal(have, out) {
			return 0
		}
		fmt.Fprintf(stderr, "seedimport: %s is not what the seed gives; re-run go run ./tools/seedimport\n", *outPath)
		fmt.Fprint(stderr, lineDiff(string(have), string(out), 60))
		return 1
	}
	if *outPath == "-" {
		if _, err := stdout.Write(out); err != nil {
			return fail(err)
		}
		return 0
	}
	if have, err := os.ReadFile(*outPath); err == nil && bytes.Equal(have, out) {
		return 0 // leave an up-to-date file untouched
	}
	if err := os.WriteFile(*outPath, out, 0o644); err != nil {
		return fail(err)
	}
	return 0
}
