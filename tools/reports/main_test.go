package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gapd/gapd/storage"
)

// call runs the command and returns its exit code and outputs.
func call(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// seed stores two users and a report of the second by the first, as
// UserReport does, in the data directory dir.
func seed(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Write(ctx, func(tx *storage.Tx) error {
		a, err := tx.CreateUser("+989120000001", "IR", "a1", 1)
		if err != nil {
			return err
		}
		b, err := tx.CreateUser("+989120000002", "IR", "b2", 1)
		if err != nil {
			return err
		}
		return tx.AddReport(a.ID, b.ID, 1, "sends ads\tall day", 1_700_000_000)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListAndResolve(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir)
	code, out, e := call(t, "-data", dir, "list")
	if code != 0 || out != "1\t2023-11-14T22:13:20Z\t1\t2\tSPAM\t\"sends ads\\tall day\"\n" {
		t.Fatalf("list: %d %q %q", code, out, e)
	}
	if code, out, _ := call(t, "-data", dir, "resolve", "1", "warned"); code != 0 || out != "resolved 1\n" {
		t.Fatalf("resolve: %d %q", code, out)
	}
	if code, out, _ := call(t, "-data", dir, "list"); code != 0 || out != "" {
		t.Fatalf("open after resolve: %d %q", code, out)
	}
	code, out, _ = call(t, "-data", dir, "list", "-all")
	if code != 0 || !strings.HasPrefix(out, "1\t2023-11-14T22:13:20Z\t1\t2\tSPAM\t") || !strings.Contains(out, "\tresolved ") || !strings.HasSuffix(out, "\t\"warned\"\n") {
		t.Fatalf("list -all: %d %q", code, out)
	}
	if code, _, e := call(t, "-data", dir, "resolve", "1", "again"); code != 1 || !strings.Contains(e, "no open report 1") {
		t.Fatalf("resolving a resolved report: %d %q", code, e)
	}
	if code, _, _ := call(t, "-data", dir, "resolve", "7", "x"); code != 1 {
		t.Fatalf("resolving a missing report: %d", code)
	}
}

func TestRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "unknown command"},
		{[]string{"delete", "1"}, "unknown command"},
		{[]string{"list", "open"}, "no argument but -all"},
		{[]string{"resolve", "1"}, "takes 2 arguments"},
		{[]string{"resolve", "x", "note"}, "positive number"},
		{[]string{"resolve", "0", "note"}, "positive number"},
		{[]string{"resolve", "1", strings.Repeat("n", maxNote+1)}, "at most"},
		{[]string{"resolve", "1", "\xff"}, "UTF-8"},
	} {
		code, _, e := call(t, append([]string{"-data", dir}, tc.args...)...)
		if code != 2 || !strings.Contains(e, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, e, tc.want)
		}
	}
}
