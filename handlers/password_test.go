package handlers

import (
	"strings"
	"testing"
)

func TestHashSecret(t *testing.T) {
	a, err := hashSecret("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hashSecret("correct horse")
	if a == b {
		t.Error("two hashes of one password share a salt")
	}
	if !strings.HasPrefix(a, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q", a)
	}
	if !secretMatches("correct horse", a) || secretMatches("correct horsE", a) || secretMatches("", a) {
		t.Error("secretMatches")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=4294967295,t=1,p=1$AA$AA", strings.Replace(a, "$v=19$", "$v=16$", 1)} {
		if secretMatches("correct horse", bad) {
			t.Errorf("matched malformed %q", bad)
		}
	}
}

func TestMaskEmailAndAnswers(t *testing.T) {
	for in, want := range map[string]string{"alice@example.org": "a****@example.org", "b@x.io": "b***@x.io", "nope": "", "": ""} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
	if normalAnswer("  Rex   the  DOG ") != "rex the dog" {
		t.Error("normalAnswer")
	}
}
