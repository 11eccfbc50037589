// Package testmail runs a real SMTP server, mailpit
// (github.com/axllent/mailpit), as a process on free ports for tests, and
// reads what it received over its HTTP API.
//
// The binary is found in $PARLEY_MAILPIT, on $PATH, or in $(go env
// GOPATH)/bin; .ci/run installs it with
// `go install github.com/axllent/mailpit@v1.33.1`. Without it a test is
// skipped locally and fails in CI (when $CI is set).
package testmail

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is one mailpit process.
type Server struct {
	SMTPAddr string // host:port of its SMTP listener
	APIURL   string // base URL of its HTTP API
	bin      string
	args     []string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Options adds mailpit settings.
type Options struct {
	// TLSCert and TLSKey are PEM files: the server then offers STARTTLS.
	TLSCert, TLSKey string
	// RequireSTARTTLS refuses mail over a plain connection.
	RequireSTARTTLS bool
	// AuthFile is an htpasswd-style file of user:password lines the server
	// accepts; with it, a client must authenticate.
	AuthFile string
	// AllowedRecipients is a regular expression; other recipients are
	// refused with a permanent (5xx) error.
	AllowedRecipients string
}

// Binary returns the mailpit binary, or "" if there is none.
func Binary() string {
	if p := os.Getenv("PARLEY_MAILPIT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start starts mailpit on free loopback ports and stops it at cleanup.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("mailpit is not installed; .ci/run installs it (go install github.com/axllent/mailpit@v1.33.1)")
		}
		t.Skip("mailpit is not installed: go install github.com/axllent/mailpit@v1.33.1 (or set PARLEY_MAILPIT)")
	}
	s := &Server{SMTPAddr: freeAddr(t), bin: bin}
	httpAddr := freeAddr(t)
	s.APIURL = "http://" + httpAddr
	s.args = []string{"--smtp", s.SMTPAddr, "--listen", httpAddr, "--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--max", "100000", "--disable-version-check", "--quiet"}
	if o.TLSCert != "" {
		s.args = append(s.args, "--smtp-tls-cert", o.TLSCert, "--smtp-tls-key", o.TLSKey)
	}
	if o.RequireSTARTTLS {
		s.args = append(s.args, "--smtp-require-starttls")
	}
	if o.AuthFile != "" {
		s.args = append(s.args, "--smtp-auth-file", o.AuthFile)
	}
	if o.AllowedRecipients != "" {
		s.args = append(s.args, "--smtp-allowed-recipients", o.AllowedRecipients)
	}
	s.Start(t)
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the process on the same ports and database, and waits
// until both listeners answer.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.exited)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second)
		if err == nil {
			c.Close()
			if resp, err := http.Get(s.APIURL + "/api/v1/info"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("mailpit exited at start (args %v)", s.args)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start on %s", s.SMTPAddr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the process and waits for it; the SMTP port refuses
// connections afterwards. It is safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// SMTPURL is the smtp:// URL of the server.
func (s *Server) SMTPURL() string { return "smtp://" + s.SMTPAddr }

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Address is a mailbox in mailpit's API.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Message is a received message.
type Message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Bcc       []Address `json:"Bcc"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
}

// Messages returns every message received, newest first (summaries: no
// Text or HTML).
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var out []Message
	for start := 0; ; start += 1000 {
		var page struct {
			Total    int       `json:"total"`
			Messages []Message `json:"messages"`
		}
		s.get(t, "/api/v1/messages?limit=1000&start="+strconv.Itoa(start), &page)
		out = append(out, page.Messages...)
		if len(page.Messages) < 1000 {
			return out
		}
	}
}

// Message returns one message in full.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	var m Message
	s.get(t, "/api/v1/message/"+url.PathEscape(id), &m)
	return m
}

// Headers returns a message's headers, decoded.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	s.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// Raw returns a message's source.
func (s *Server) Raw(t testing.TB, id string) string {
	t.Helper()
	resp, err := http.Get(s.APIURL + "/api/v1/message/" + url.PathEscape(id) + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// WaitFor polls until at least n messages have arrived or timeout passes,
// and returns them.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ms := s.Messages(t)
		if len(ms) >= n || time.Now().After(deadline) {
			return ms
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LatestTo waits up to timeout for a message to addr and returns the
// newest one in full.
func (s *Server) LatestTo(t testing.TB, addr string, timeout time.Duration) Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range s.Messages(t) {
			for _, to := range m.To {
				if strings.EqualFold(to.Address, addr) {
					return s.Message(t, m.ID)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s within %v", addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.APIURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("mailpit %s: %s %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
