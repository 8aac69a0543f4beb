package wire

// ErrorInfo describes one error of the catalogue; generated/errs holds the
// table of them for docs, logs and metrics.
type ErrorInfo struct {
	Code        Major
	Name        string // CHAT_SEND_MESSAGE_BAD_PAYLOAD
	Group       string // chat
	Virtual     bool   // only logged and counted, never sent
	Wait        bool   // carries the wait parameter
	Action      uint16 // the request it belongs to; 0 for system errors
	Description string
	Minors      []MinorInfo
}

// MinorInfo is one numbered row of an error's table.
type MinorInfo struct {
	Code   Minor
	ID     string
	Detail string
}

// Detail returns the detail of minor, or "" when the table has no such row.
func (e *ErrorInfo) Detail(minor Minor) string {
	for _, m := range e.Minors {
		if m.Code == minor {
			return m.Detail
		}
	}
	return ""
}
