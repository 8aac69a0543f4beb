// Command gapd-gen compiles the spec into generated/: load (package spec),
// check and model (package ir), then emit (package emit). Nothing is written
// unless the whole spec is consistent and every emitter succeeded.
//
//	go run ./generator -spec spec -out generated
//	go run ./generator -check   # exit 1 if generated/ differs from the spec's output
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gapd/gapd/generator/emit"
	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/generator/spec"
)

func main() {
	specDir := flag.String("spec", "spec", "spec directory")
	out := flag.String("out", "generated", "output directory (replaced as a whole)")
	module := flag.String("module", "github.com/gapd/gapd", "Go module path of the generated packages")
	check := flag.Bool("check", false, "write nothing; fail if the output directory differs from what the spec produces")
	flag.Parse()

	files, err := Generate(*specDir, emit.Config{Module: *module})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gapd-gen:", err)
		os.Exit(1)
	}
	if *check {
		diffs, err := Compare(*out, files)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gapd-gen:", err)
			os.Exit(1)
		}
		if len(diffs) > 0 {
			fmt.Fprintf(os.Stderr, "gapd-gen: %s is out of date with the spec (run make generate):\n", *out)
			for _, d := range diffs {
				fmt.Fprintln(os.Stderr, "  "+d)
			}
			os.Exit(1)
		}
		return
	}
	if err := Write(*out, files); err != nil {
		fmt.Fprintln(os.Stderr, "gapd-gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gapd-gen: wrote %d files to %s\n", len(files), *out)
}

// Generate loads, checks and emits the spec in dir.
func Generate(dir string, c emit.Config) (emit.Files, error) {
	raw, err := spec.Load(dir)
	if err != nil {
		return nil, err
	}
	model, err := ir.Build(raw)
	if err != nil {
		return nil, err
	}
	return emit.Run(model, c)
}
