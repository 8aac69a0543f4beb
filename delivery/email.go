package delivery

import (
	"context"
	"log/slog"
	"time"
)

// Email is one two-step verification token on its way to a recovery
// address: Purpose "confirm" proves the address is the user's
// (UserTwoStepVerificationVerifyRecoveryEmail), "recover" lets the user in
// without the password (UserTwoStepVerificationRecoverPasswordByToken).
type Email struct {
	Email   string    `json:"email"`
	Purpose string    `json:"purpose"`
	Token   string    `json:"token"`
	Time    time.Time `json:"time"`
}

// EmailSender delivers two-step tokens: an operator's mail gateway through
// a webhook in production, a log or a file in development. -email-sender
// names one, in -verify-sender's syntax (Parse). Handlers call it after
// their transaction has committed; a failure is logged and the token stays
// valid, so the client can ask again.
type EmailSender interface {
	SendEmail(ctx context.Context, e Email) error
}

// NewEmail builds the e-mail sender spec names; log is where a log sender
// writes.
func NewEmail(spec Spec, log *slog.Logger) EmailSender {
	switch spec.Kind {
	case "file":
		return NewFileSender(spec.Path)
	case "webhook":
		return &WebhookSender{URL: spec.URL}
	}
	return LogSender{Log: log}
}

// SendEmail writes the token as one log line. For development only.
func (s LogSender) SendEmail(ctx context.Context, e Email) error {
	l := s.Log
	if l == nil {
		l = slog.Default()
	}
	l.InfoContext(ctx, "two-step e-mail", "email", e.Email, "purpose", e.Purpose, "token", e.Token)
	return nil
}

// SendEmail appends the e-mail as one JSON line: email, purpose, token,
// time.
func (s *FileSender) SendEmail(_ context.Context, e Email) error { return s.appendJSON(e) }

// SendEmail POSTs the e-mail as a JSON object (a file line's fields) to the
// mail gateway; any status outside 2xx is an error.
func (s *WebhookSender) SendEmail(ctx context.Context, e Email) error { return s.post(ctx, e) }
