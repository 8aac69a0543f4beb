package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gapd/gapd/storage"
)

// call runs the command and returns its exit code and outputs.
func call(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSetGetListDelete(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "terms.md")
	if err := os.WriteFile(file, []byte("# Terms\nBe kind. ✓\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, e := call(t, "", "-data", dir, "set", "terms", file); code != 0 {
		t.Fatalf("set from a file: %d %s", code, e)
	}
	if code, _, e := call(t, "About us.", "-data", dir, "set", "about", "-"); code != 0 {
		t.Fatalf("set from stdin: %d %s", code, e)
	}
	if code, out, _ := call(t, "", "-data", dir, "get", "terms"); code != 0 || out != "# Terms\nBe kind. ✓\n" {
		t.Fatalf("get: %d %q", code, out)
	}
	code, out, _ := call(t, "", "-data", dir, "list")
	if code != 0 || !strings.HasPrefix(out, "about\t9 bytes\t") || !strings.Contains(out, "\nterms\t21 bytes\t") {
		t.Fatalf("list: %d %q", code, out)
	}
	// What the server reads is what was set.
	db, err := storage.Open(context.Background(), dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var p storage.InfoPage
	err = db.Read(context.Background(), func(tx *storage.Tx) (err error) { p, err = tx.InfoPage("about"); return err })
	db.Close()
	if err != nil || p.Body != "About us." {
		t.Fatalf("stored page %v, %v", p, err)
	}
	if code, _, _ := call(t, "", "-data", dir, "delete", "about"); code != 0 {
		t.Fatalf("delete: %d", code)
	}
	if code, _, e := call(t, "", "-data", dir, "get", "about"); code != 1 || !strings.Contains(e, `no page "about"`) {
		t.Fatalf("get after delete: %d %q", code, e)
	}
	if code, _, _ := call(t, "", "-data", dir, "delete", "about"); code != 1 {
		t.Fatalf("deleting a missing page: %d", code)
	}
}

func TestRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", nil, "unknown command"},
		{"", []string{"publish", "x"}, "unknown command"},
		{"", []string{"get"}, "takes 1 argument"},
		{"", []string{"set", "terms"}, "takes 2 argument"},
		{"x", []string{"set", strings.Repeat("a", 65), "-"}, "1 to 64"},
		{"x", []string{"set", "my page", "-"}, "no spaces"},
		{strings.Repeat("x", maxBody+1), []string{"set", "big", "-"}, "over"},
		{"\xff\xfe", []string{"set", "bin", "-"}, "not UTF-8"},
		{"", []string{"set", "terms", filepath.Join(dir, "missing.md")}, "no such file"},
	} {
		code, _, e := call(t, tc.stdin, append([]string{"-data", dir}, tc.args...)...)
		if code != 2 || !strings.Contains(e, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, e, tc.want)
		}
	}
}
