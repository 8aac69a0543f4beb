package check

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"
)

// Name reports whether s can stand as a name that others see (a nickname, a
// contact's, group's, channel's or file's name): valid UTF-8, no control
// characters, no bidi embeddings, overrides or isolates (they reorder the
// text shown after the name: "evil\u202Etxt.exe"), and at least one visible
// character. Other invisible characters (joiners, variation selectors,
// fillers) are allowed beside visible ones, so emoji sequences joined by ZWJ
// pass, but never alone.
func Name(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	visible := false
	for _, r := range s {
		switch {
		case unicode.IsControl(r), bidiControl(r):
			return false
		case !visible && isVisible(r):
			visible = true
		}
	}
	return visible
}

// Message reports whether s is fit as message text: valid UTF-8 with no C0
// control characters other than tab and newline (a NUL or an escape code
// in a message can break clients that display it), and no DEL.
func Message(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	// Eight bytes at a time: a word with no byte below 0x20 and none equal
	// to 0x7f needs no closer look (every message is checked, most are
	// long runs of plain text).
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		if controlByte(w) {
			if !plainText(s[i : i+8]) {
				return false
			}
		}
	}
	return plainText(s[i:])
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// controlByte reports whether one of w's bytes may be below 0x20 or 0x7f:
// a byte b < 0x20 makes b-0x20 borrow into its high bit; 0x7f+1 sets it.
// Bytes of 0x80 and up (UTF-8 beyond ASCII) are left out by ^w; the test
// may say yes falsely when a borrow crosses bytes, never no falsely.
func controlByte(w uint64) bool {
	low := (w - 0x20*ones) &^ w & highs
	del := (w ^ 0x7f*ones) // a byte equal to 0x7f becomes 0
	return low != 0 || (del-ones)&^del&highs != 0
}

// plainText checks bytes one at a time.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < ' ' && c != '\t' && c != '\n') || c == 0x7f {
			return false
		}
	}
	return true
}

// bidiControl reports the explicit bidi formatting characters: embeddings
// and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
func bidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// isVisible reports whether r draws something on its own: not white space,
// not a format character (Cf: joiners, marks, tags), not a combining mark,
// and not one of the characters Unicode lists as default-ignorable although
// they are letters or symbols (Hangul fillers, variation selectors, the
// combining grapheme joiner, Khmer inherent vowels).
func isVisible(r rune) bool {
	if unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) {
		return false
	}
	switch {
	case r == 0x034f, r == 0x115f, r == 0x1160, r == 0x17b4, r == 0x17b5,
		r == 0x3164, r == 0xffa0, r == 0x2800, // braille blank
		r >= 0x180b && r <= 0x180f, r >= 0xfe00 && r <= 0xfe0f,
		r >= 0xe0100 && r <= 0xe01ef:
		return false
	}
	return true
}
