package check

import "testing"

func TestFormats(t *testing.T) {
	cases := []struct {
		name string
		fn   func(string) bool
		good []string
		bad  []string
	}{
		{"ISOCountry", ISOCountry, []string{"IR", "US", "DE"}, []string{"", "ir", "XX", "USA", "1A"}},
		{"Phone", Phone, []string{"+989123456789", "0912 345 6789", "(555) 123-4567"}, []string{"", "12", "abc", "++1234", "1+234"}},
		{"Email", Email, []string{"a@example.com", "first.last@mail.co"}, []string{"", "a", "a@b", "Bob <b@example.com>", "a@@b.com"}},
		{"Name", Name, []string{"hello", "سلام", "a b", "Ali \u200d", "👩\u200d💻", "e\u0301", "ﷺ"}, []string{
			"", "   ", "a\x00b", "line\nbreak", string([]byte{0xff}),
			"evil\u202etxt.exe", "a\u202ab", "a\u2066b\u2069", // bidi embedding, override, isolate
			"\u200b", "\u200d\u200c", "\u3164", "\u115f\u1160", "\u2800", "\ufe0f", "\u0301", "\u00ad", "\U000e0041", // nothing visible
		}},
		{"Message", Message, []string{"hello", "line\nbreak\ttab", "سلام", "🙂", ""}, []string{"a\x00b", "bell\a", "esc\x1b[2J", "cr\r", "del\x7f", string([]byte{0xff})}},
		{"Username", Username, []string{"alice_1", "Bob", "u12345"}, []string{"", "ab", "1abc", "a-b", "a b", "abcdefghijklmnopqrstuvwxyz0123456789"}},
		{"Token", Token, []string{"tok123", "a.b-c_d~"}, []string{"a b", "é", "tab\t"}},
	}
	for _, c := range cases {
		for _, s := range c.good {
			if !c.fn(s) {
				t.Errorf("%s(%q) = false, want true", c.name, s)
			}
		}
		for _, s := range c.bad {
			if c.fn(s) {
				t.Errorf("%s(%q) = true, want false", c.name, s)
			}
		}
	}
}

func TestPhoneNational(t *testing.T) {
	if !PhoneNational(9123456789, "IR") {
		t.Error("an Iranian mobile number was refused")
	}
	if !PhoneNational(2025550143, "US") {
		t.Error("a US number was refused")
	}
	for _, c := range []struct {
		n      uint64
		region string
	}{{9123456789, "XX"}, {12, "IR"}, {9123456789, ""}, {0, "US"}} {
		if PhoneNational(c.n, c.region) {
			t.Errorf("PhoneNational(%d, %q) = true", c.n, c.region)
		}
	}
}

func TestSHA256(t *testing.T) {
	if !SHA256(make([]byte, 32)) || SHA256(make([]byte, 31)) || SHA256(nil) {
		t.Error("SHA256 length check is wrong")
	}
}

// Message agrees with a byte-by-byte reading on every byte value at every
// offset of a word, so its eight-at-a-time scan misses nothing.
func TestMessageEveryByte(t *testing.T) {
	for c := 0; c < 0x80; c++ {
		want := !(c < ' ' && c != '\t' && c != '\n') && c != 0x7f
		for off := 0; off < 17; off++ {
			b := []byte("abcdefghijklmnopqrstuvwxyz")
			b[off] = byte(c)
			if got := Message(string(b)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, off, got, want)
			}
		}
	}
}
