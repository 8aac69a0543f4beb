package wire

import (
	"os/exec"
	"strings"
	"testing"
)

// wire is the runtime under the generated code: it must not depend on
// generated/ (or on anything of gapd built on top of it), or the two would
// import each other's layers.
func TestImportsNothingAbove(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const module = "github.com/gapd/gapd/"
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, module) && !strings.HasPrefix(pkg, module+"wire") {
			t.Errorf("wire depends on %s", pkg)
		}
	}
}
