// Package mailer sends Parley's email over SMTP and builds the messages.
//
// Messages are built with net/mail and mime, never by pasting strings into
// headers: a display name or subject holding CR or LF is encoded (or
// refused) and can never add a header. Every message has a plain-text
// part; an HTML part, when present, was made with html/template and passes
// a strict sanitizer (Compose) that keeps no images and no links except to
// Parley's own hosts.
//
// Sender implements the outbox worker's sender for parley.OutboxEmail
// messages: it decodes the parley.Email payload, builds the MIME message
// and delivers it to the configured server, upgrading the connection with
// STARTTLS whenever the server offers it.
package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// Config is the SMTP configuration.
type Config struct {
	// URL is smtp://[user:pass@]host[:port] (port 587 by default; STARTTLS
	// whenever the server offers it, required when a password is given)
	// or smtps://[user:pass@]host[:port] (TLS from the first byte, port
	// 465 by default).
	URL string
	// From is the sender, an address with an optional name:
	// "The Gazette <comments@gazette.example>".
	From string
	// Timeout bounds one delivery; default 30 seconds.
	Timeout time.Duration
	// TLSConfig, when set, is used for STARTTLS and smtps (tests use it to
	// trust their own certificate). ServerName defaults to the host.
	TLSConfig *tls.Config
}

// Sender delivers email over SMTP.
type Sender struct {
	host, port string
	implicit   bool // smtps
	user, pass string
	from       *mail.Address
	timeout    time.Duration
	tls        *tls.Config
	helo       string
}

// New validates cfg and returns a Sender. It does not connect.
func New(cfg Config) (*Sender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Path != "" && u.Path != "/" {
		return nil, errors.New("the SMTP URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	s := &Sender{host: u.Hostname(), port: u.Port(), implicit: u.Scheme == "smtps", timeout: cfg.Timeout, tls: cfg.TLSConfig}
	if s.port == "" {
		s.port = "587"
		if s.implicit {
			s.port = "465"
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if cfg.From == "" {
		return nil, errors.New("--mail-from is required with an SMTP server, e.g. \"The Gazette <comments@gazette.example>\"")
	}
	if s.from, err = mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("--mail-from %q is not an email address: %w", cfg.From, err)
	}
	if s.tls == nil {
		s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		s.tls = s.tls.Clone()
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = s.host
	}
	_, domain, _ := strings.Cut(s.from.Address, "@")
	s.helo = domain
	return s, nil
}

// From returns the sender address.
func (s *Sender) From() *mail.Address { return s.from }

// Error is a failed delivery. A 5xx reply from the server is permanent:
// retrying the same message cannot help, so the outbox parks it.
type Error struct {
	Code int // the SMTP reply code, 0 for a connection or TLS failure
	Err  error
}

func (e *Error) Error() string { return "smtp: " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether the server refused the message for good.
func (e *Error) Permanent() bool { return e.Code >= 500 }

// invalidPayload is a payload the sender cannot turn into a message.
type invalidPayload struct{ err error }

func (e invalidPayload) Error() string   { return "invalid email payload: " + e.err.Error() }
func (e invalidPayload) Permanent() bool { return true }

// Send delivers one outbox message of kind parley.OutboxEmail.
func (s *Sender) Send(ctx context.Context, m *parley.OutboxMessage) error {
	var e parley.Email
	if err := json.Unmarshal(m.Payload, &e); err != nil {
		return invalidPayload{err}
	}
	return s.SendEmail(ctx, e, m.ID)
}

// SendEmail builds and delivers e. id makes the Message-ID stable across
// retries of one outbox message ("" picks a random one).
func (s *Sender) SendEmail(ctx context.Context, e parley.Email, id string) error {
	to, err := mail.ParseAddress(e.To)
	if err != nil {
		return invalidPayload{err}
	}
	msg, err := Build(s.from, e, messageID(id, s.helo), time.Now())
	if err != nil {
		return invalidPayload{err}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.deliver(ctx, to.Address, msg)
}

func messageID(id, domain string) string {
	if id == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	if domain == "" {
		domain = "parley.invalid"
	}
	return "<" + id + "@" + domain + ">"
}

// deliver runs one SMTP transaction.
func (s *Sender) deliver(ctx context.Context, rcpt string, msg []byte) error {
	addr := net.JoinHostPort(s.host, s.port)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return &Error{Err: err}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if s.implicit {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return &Error{Err: err}
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return smtpError(err)
	}
	defer c.Close()
	if err := c.Hello(s.helo); err != nil {
		return smtpError(err)
	}
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tls); err != nil {
				return smtpError(err)
			}
		}
	}
	if s.user != "" {
		// PlainAuth refuses to send a password over an unencrypted
		// connection to anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return smtpError(err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return smtpError(err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return smtpError(err)
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError(err)
	}
	if err := w.Close(); err != nil {
		return smtpError(err)
	}
	return smtpError(c.Quit())
}

// smtpError keeps the reply code of a server error.
func smtpError(err error) error {
	if err == nil {
		return nil
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return &Error{Code: te.Code, Err: err}
	}
	return &Error{Err: err}
}

// Build returns the RFC 5322 message for e: headers made with net/mail and
// mime, a text/plain part, and a text/html part when e.HTML is set
// (multipart/alternative). It refuses a subject or recipient holding a
// line break.
func Build(from *mail.Address, e parley.Email, msgID string, date time.Time) ([]byte, error) {
	to, err := mail.ParseAddress(e.To)
	if err != nil || to.Name != "" {
		return nil, fmt.Errorf("bad recipient %q", e.To)
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		return nil, errors.New("the subject holds a line break")
	}
	if e.ListUnsubscribe != "" && strings.ContainsAny(e.ListUnsubscribe, "\r\n<> ") {
		return nil, errors.New("bad unsubscribe URL")
	}
	to.Name = strings.Map(noControl, e.ToName)
	h := []struct{ k, v string }{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", e.Subject)},
		{"Date", date.Format(time.RFC1123Z)},
		{"Message-ID", msgID},
		{"MIME-Version", "1.0"},
		{"Auto-Submitted", "auto-generated"},
	}
	if e.Locale != "" && validLangTag(e.Locale) {
		h = append(h, struct{ k, v string }{"Content-Language", e.Locale})
	}
	if e.ListUnsubscribe != "" {
		h = append(h, struct{ k, v string }{"List-Unsubscribe", "<" + e.ListUnsubscribe + ">"},
			struct{ k, v string }{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
	}
	var b bytes.Buffer
	for _, f := range h {
		if strings.ContainsAny(f.v, "\r\n") {
			return nil, fmt.Errorf("header %s holds a line break", f.k)
		}
		fmt.Fprintf(&b, "%s: %s\r\n", f.k, f.v)
	}
	if e.HTML == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		// The body must be written before b.Bytes() is taken.
		if err := writeQP(&b, e.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct{ ctype, text string }{{"text/plain; charset=utf-8", e.Text}, {"text/html; charset=utf-8", e.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, p.text); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "Content-Type: %s\r\n\r\n", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// writeQP writes text with CRLF line ends, quoted-printable encoded.
func writeQP(w interface{ Write([]byte) (int, error) }, text string) error {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// noControl drops control characters (CR, LF, NUL…) from a display name.
func noControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

func validLangTag(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return len(s) <= 35
}
