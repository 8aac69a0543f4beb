// Package delivery sends the codes that prove a person holds a phone
// number: to a log in development, to a file for tools and tests, or to an
// operator's SMS gateway through a webhook. -verify-sender names one; its
// syntax is parsed here and nowhere else.
package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// VerifyCode is one verification code on its way to a person.
type VerifyCode struct {
	Phone    string    `json:"phone"` // E.164, e.g. +989121234567
	Username string    `json:"username"`
	Code     string    `json:"code"` // zero-padded to the policy's digit count
	Time     time.Time `json:"time"`
}

// Sender delivers verification codes: an SMS gateway in production, a log or
// a file in development. UserRegister calls it after its transaction has
// committed; a failure is logged and the code stays valid, so the client can
// ask again after resend_delay.
type Sender interface {
	Send(ctx context.Context, c VerifyCode) error
}

// LogSender writes each code as one log line. For development only: the
// code is readable by anyone who reads the log.
type LogSender struct {
	Log *slog.Logger // nil: slog.Default()
}

func (s LogSender) Send(ctx context.Context, c VerifyCode) error {
	l := s.Log
	if l == nil {
		l = slog.Default()
	}
	l.InfoContext(ctx, "verification code", "phone", c.Phone, "username", c.Username, "code", c.Code)
	return nil
}

// FileSender appends each code as one JSON object per line, for tools and
// tests that read codes back. The file is opened per send, so it may be
// rotated or removed underneath a running server.
type FileSender struct {
	Path string
	mu   sync.Mutex // keeps lines whole when requests send at once
}

// NewFileSender returns a FileSender for path.
func NewFileSender(path string) *FileSender { return &FileSender{Path: path} }

func (s *FileSender) Send(_ context.Context, c VerifyCode) error { return s.appendJSON(c) }

// appendJSON appends v as one JSON line (codes and e-mails alike).
func (s *FileSender) appendJSON(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("file sender: %w", err)
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := openCodeFile(s.Path)
	if err != nil {
		return err
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("file sender: write %s: %w", s.Path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("file sender: close %s: %w", s.Path, err)
	}
	return nil
}

// openCodeFile opens path for appending, readable by its owner only: it
// holds live credentials.
func openCodeFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("file sender: %w", err)
	}
	return f, nil
}

// DefaultWebhookTimeout bounds one webhook call when WebhookSender.Timeout
// is zero.
const DefaultWebhookTimeout = 10 * time.Second

// WebhookSender POSTs each code as a JSON object (the same fields as a
// FileSender line) to URL. Any status outside 2xx is an error.
type WebhookSender struct {
	URL     string
	Client  *http.Client  // nil: http.DefaultClient
	Timeout time.Duration // per call; 0: DefaultWebhookTimeout
}

func (s *WebhookSender) Send(ctx context.Context, c VerifyCode) error { return s.post(ctx, c) }

// post POSTs v as a JSON object (codes and e-mails alike).
func (s *WebhookSender) post(ctx context.Context, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("webhook sender: %w", err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook sender: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook sender: %w", err)
	}
	defer resp.Body.Close()
	// Reading a bounded amount lets the connection be reused and gives the
	// error something to say.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The URL is left out: it may carry a gateway's API key.
		return fmt.Errorf("webhook sender: answered %s: %s", resp.Status, strings.TrimSpace(string(snippet)))
	}
	return nil
}

// Spec is a parsed -verify-sender value: where codes go.
type Spec struct {
	Kind string // "log", "file" or "webhook"
	Path string // for "file": the file codes are appended to
	URL  string // for "webhook": the http(s) endpoint codes are POSTed to
}

// String gives the value back in flag syntax.
func (s Spec) String() string {
	switch s.Kind {
	case "file":
		return "file:" + s.Path
	case "webhook":
		return "webhook:" + s.URL
	}
	return s.Kind
}

// Parse reads a sender's configuration:
//
//	log           one log line per code (development only)
//	file:PATH     one JSON object per line appended to PATH (created if missing)
//	webhook:URL   the same JSON POSTed to an http or https URL
//
// A file is opened once here so that a wrong path fails at start-up, not at
// the first sign-up.
func Parse(spec string) (Spec, error) {
	if spec == "" {
		return Spec{}, errors.New("empty; want log, file:PATH or webhook:URL")
	}
	kind, arg, hasArg := strings.Cut(spec, ":")
	switch kind {
	case "log":
		if hasArg {
			return Spec{}, fmt.Errorf("%q: \"log\" takes no argument", spec)
		}
		return Spec{Kind: "log"}, nil
	case "file":
		if arg == "" {
			return Spec{}, fmt.Errorf("%q: want file:PATH with a non-empty path", spec)
		}
		f, err := openCodeFile(arg)
		if err != nil {
			return Spec{}, fmt.Errorf("%q: %w", spec, err)
		}
		f.Close()
		return Spec{Kind: "file", Path: arg}, nil
	case "webhook":
		u, err := url.Parse(arg)
		if arg == "" || err != nil {
			return Spec{}, fmt.Errorf("%q: want webhook:URL with an http or https URL", spec)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return Spec{}, fmt.Errorf("%q: webhook URL must be absolute http or https with a host", spec)
		}
		return Spec{Kind: "webhook", URL: arg}, nil
	}
	return Spec{}, fmt.Errorf("%q: unknown kind %q; want log, file:PATH or webhook:URL", spec, kind)
}

// New builds the sender spec names; log is where a log sender writes.
func New(spec Spec, log *slog.Logger) Sender {
	switch spec.Kind {
	case "file":
		return NewFileSender(spec.Path)
	case "webhook":
		return &WebhookSender{URL: spec.URL}
	}
	return LogSender{Log: log}
}
