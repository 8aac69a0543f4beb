package delivery

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var sample = VerifyCode{Phone: "+989121234567", Username: "uabc", Code: "01234",
	Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	if err := s.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	if strings.Count(line, "\n") != 1 || !strings.Contains(line, "code=01234") || !strings.Contains(line, "phone=+989121234567") {
		t.Fatalf("log %q: want one line with phone and code", line)
	}
}

func TestFileSender(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codes.jsonl")
	s := NewFileSender(path)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := sample
			c.Username = "u" + strings.Repeat("x", i)
			if err := s.Send(context.Background(), c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d %q is not JSON: %v", lines+1, sc.Text(), err)
		}
		if len(m) != 4 || m["phone"] != sample.Phone || m["code"] != "01234" || m["time"] != "2026-03-01T12:00:00Z" ||
			!strings.HasPrefix(m["username"].(string), "u") {
			t.Fatalf("line %q: want phone, username, code, time", sc.Text())
		}
		lines++
	}
	if lines != n {
		t.Fatalf("%d lines, want %d", lines, n)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v: codes are secrets, want 0600", fi.Mode().Perm())
	}
}

func TestWebhookSender(t *testing.T) {
	var got VerifyCode
	var ctype string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		if r.Method != http.MethodPost {
			http.Error(w, "want POST", http.StatusMethodNotAllowed)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	s := &WebhookSender{URL: srv.URL + "/sms"}
	if err := s.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if got != sample || ctype != "application/json" {
		t.Fatalf("server got %+v as %q, want %+v as JSON", got, ctype, sample)
	}
}

func TestWebhookSenderFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return
		}
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
	}))
	defer srv.Close()

	err := (&WebhookSender{URL: srv.URL}).Send(context.Background(), sample)
	if err == nil || !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("got %v, want an error with the status and the body", err)
	}
	start := time.Now()
	err = (&WebhookSender{URL: srv.URL + "/slow", Timeout: 50 * time.Millisecond}).Send(context.Background(), sample)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v, want a timeout error after 50ms", err, time.Since(start))
	}
	err = (&WebhookSender{URL: "http://127.0.0.1:1/"}).Send(context.Background(), sample)
	if err == nil {
		t.Fatal("no error for an unreachable webhook")
	}
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	parse := func(spec string) Sender {
		t.Helper()
		sp, err := Parse(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if sp.String() != spec {
			t.Errorf("%s reads back as %s", spec, sp)
		}
		return New(sp, nil)
	}
	if s, ok := parse("log").(LogSender); !ok {
		t.Errorf("log: got %T", s)
	}
	path := filepath.Join(dir, "codes.jsonl")
	if fs, ok := parse("file:" + path).(*FileSender); !ok || fs.Path != path {
		t.Errorf("file: got %#v", fs)
	}
	const hook = "webhook:https://sms.example.com/send?key=1"
	if ws, ok := parse(hook).(*WebhookSender); !ok || ws.URL != "https://sms.example.com/send?key=1" {
		t.Errorf("webhook: got %#v", ws)
	}

	for spec, mention := range map[string]string{
		"":                                   "empty",
		"sms":                                "unknown kind",
		"log:verbose":                        "no argument",
		"file:":                              "non-empty path",
		"file:" + dir + "/missing/codes.log": "no such file",
		"webhook:":                           "http or https",
		"webhook:ftp://example.com/":         "http or https",
		"webhook:/relative":                  "http or https",
		"webhook:http://":                    "host",
	} {
		s, err := Parse(spec)
		if err == nil {
			t.Errorf("%q: got %v, want an error", spec, s)
			continue
		}
		if !strings.Contains(err.Error(), mention) {
			t.Errorf("%q: error %q does not say %q", spec, err, mention)
		}
	}
}

func TestFileSenderEmail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.jsonl")
	s := NewEmail(Spec{Kind: "file", Path: path}, nil)
	at := time.Unix(1_800_000_000, 0).UTC()
	if err := s.SendEmail(context.Background(), Email{Email: "a@example.org", Purpose: "confirm", Token: "ABCD2345", Time: at}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"email":"a@example.org","purpose":"confirm","token":"ABCD2345","time":"2027-01-15T08:00:00Z"}` + "\n"; string(b) != want {
		t.Errorf("line %q, want %q", b, want)
	}
}
