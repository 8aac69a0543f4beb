package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gapd/gapd/generator/emit"
)

var update = flag.Bool("update", false, "rewrite golden files from the current generator")

var fileLine = regexp.MustCompile(`[a-z-]+\.yaml(:\d+)?: `)

var testConfig = emit.Config{Module: "github.com/gapd/gapd"}

// TestGolden compares everything the generator writes for the mini fixture
// with testdata/golden/mini. Run with -update to accept a change.
func TestGolden(t *testing.T) {
	files, err := Generate("testdata/good/mini", testConfig)
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/golden/mini"
	if *update {
		if err := Write(golden, files); err != nil {
			t.Fatal(err)
		}
	}
	diffs, err := Compare(golden, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("golden %s (run go test ./generator -run TestGolden -update if intended)", d)
	}
}

// TestDeterministic runs the generator twice on the real spec.
func TestDeterministic(t *testing.T) {
	a, err := Generate("../spec", testConfig)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate("../spec", testConfig)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for p, x := range a {
		if string(x) != string(b[p]) {
			t.Errorf("%s differs between two runs", p)
		}
	}
}

// TestGeneratedUpToDate is what make test relies on: generated/ equals the
// spec's output.
func TestGeneratedUpToDate(t *testing.T) {
	files, err := Generate("../spec", testConfig)
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := Compare("../generated", files)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("generated/ %s: run make generate", d)
	}
}

// TestHeaders checks every generated file carries the generated-code header
// and Go files follow the *_gen.go pattern.
func TestHeaders(t *testing.T) {
	files, err := Generate("../spec", testConfig)
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range files {
		if !strings.Contains(strings.SplitN(string(b), "\n", 2)[0], emit.Header) {
			t.Errorf("%s: first line is not the %q header", p, emit.Header)
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_gen.go") {
			t.Errorf("%s: Go files are named *_gen.go", p)
		}
	}
}

// TestBadSpecs runs one fixture per consistency check. Each testdata/bad/NAME
// overlays files on the mini fixture and names in want.txt what the generator
// must say; the message must also name the file and line.
func TestBadSpecs(t *testing.T) {
	dirs, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			bad := filepath.Join("testdata/bad", d.Name())
			want, err := os.ReadFile(filepath.Join(bad, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			copyTree(t, "testdata/good/mini", dir)
			copyTree(t, bad, dir)
			_, err = Generate(dir, testConfig)
			if err == nil {
				t.Fatalf("the generator accepted a spec with: %s", want)
			}
			msg := err.Error()
			if !strings.Contains(msg, strings.TrimSpace(string(want))) {
				t.Fatalf("error does not say %q:\n%s", strings.TrimSpace(string(want)), msg)
			}
			// Every problem names its file, and its line where it has one.
			for _, line := range strings.Split(msg, "\n") {
				if strings.Contains(line, strings.TrimSpace(string(want))) && !fileLine.MatchString(line) {
					t.Fatalf("problem does not name the file and line: %s", line)
				}
			}
		})
	}
}

// TestGoodMini makes sure the fixture itself is accepted, so the bad fixtures
// fail for their own reason.
func TestGoodMini(t *testing.T) {
	if _, err := Generate("testdata/good/mini", testConfig); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if d.Name() == "want.txt" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGoldenRoles generates the mini fixture with the roles overlay
// (testdata/good/roles) and compares what roles.yaml produces with
// testdata/golden/roles. Run with -update to accept a change.
func TestGoldenRoles(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/good/mini", dir)
	copyTree(t, "testdata/good/roles", dir)
	files, err := Generate(dir, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	got := emit.Files{}
	for _, p := range []string{"roles/roles_gen.go", "docs/roles.md"} {
		if files[p] == nil {
			t.Fatalf("%s was not generated", p)
		}
		got[p] = files[p]
	}
	golden := "testdata/golden/roles"
	if *update {
		if err := Write(golden, got); err != nil {
			t.Fatal(err)
		}
	}
	diffs, err := Compare(golden, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("golden %s (run go test ./generator -run TestGoldenRoles -update if intended)", d)
	}
	// Without roles.yaml nothing of roles is written.
	mini, err := Generate("testdata/good/mini", testConfig)
	if err != nil {
		t.Fatal(err)
	}
	for p := range got {
		if mini[p] != nil {
			t.Errorf("%s is generated without roles.yaml", p)
		}
	}
}
