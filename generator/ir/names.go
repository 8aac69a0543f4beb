package ir

import "strings"

// GoCamelCase converts a protobuf name to the Go identifier protoc-gen-go
// gives it (room_id -> RoomId, userId -> UserId). A test compares it with
// protogen's own naming for every field of the spec.
func GoCamelCase(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && i+1 < len(s) && isLower(s[i+1]):
			// ".x" joins the next word.
		case c == '.':
			b = append(b, '_')
		case c == '_' && (i == 0 || s[i-1] == '.'):
			b = append(b, 'X') // a leading underscore would not be exported
		case c == '_' && i+1 < len(s) && isLower(s[i+1]):
			// "_x" starts a new word.
		case c >= '0' && c <= '9':
			b = append(b, c)
		default:
			if isLower(c) {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			for ; i+1 < len(s) && isLower(s[i+1]); i++ {
				b = append(b, s[i+1])
			}
		}
	}
	return string(b)
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// ScreamingToCamel turns CHAT_SEND_MESSAGE into ChatSendMessage.
func ScreamingToCamel(s string) string { return snakeToCamel(strings.ToLower(s)) }

// snakeToCamel turns text_without_message into TextWithoutMessage.
func snakeToCamel(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(s, "_") {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// CamelToScreaming turns ChatSendMessage into CHAT_SEND_MESSAGE.
func CamelToScreaming(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteByte(c)
	}
	return strings.ToUpper(b.String())
}

func isSnake(s string) bool {
	if s == "" || !isLower(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLower(c) && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return !strings.Contains(s, "__") && !strings.HasSuffix(s, "_")
}

func isScreaming(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

func isIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLower(c) && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}
