package mailer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/internal/testmail"
	"github.com/parley-comments/parley/mailer"
)

const base = "https://comments.example"

func composer(t *testing.T) *mailer.Composer {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailer.NewComposer(cat, base)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSender(t *testing.T, url string, tlsConf *tls.Config) *mailer.Sender {
	t.Helper()
	s, err := mailer.New(mailer.Config{URL: url, From: "The Gazette <comments@gazette.example>", TLSConfig: tlsConf, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// selfSigned writes a certificate for 127.0.0.1 and returns its files and
// a client config that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, conf *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSendsOverSTARTTLSWithAuthentication(t *testing.T) {
	t.Parallel()
	certFile, keyFile, tlsConf := selfSigned(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret pass"), bcrypt.MinCost)
	must(t, err)
	authFile := filepath.Join(t.TempDir(), "auth")
	must(t, os.WriteFile(authFile, []byte("mailer:"+string(hash)+"\n"), 0o600))
	srv := testmail.Start(t, testmail.Options{TLSCert: certFile, TLSKey: keyFile, RequireSTARTTLS: true, AuthFile: authFile})

	e, err := composer(t).LinkMail("en", mailer.LinkMagic, "reader@example.org", mailer.LinkVars{Name: "Anna", Site: "The Gazette", URL: base + "/auth/link?t=abc", Minutes: 30})
	must(t, err)
	snd := newSender(t, "smtp://mailer:s3cret%20pass@"+srv.SMTPAddr, tlsConf)
	must(t, snd.SendEmail(context.Background(), e, "01TEST"))
	got := srv.LatestTo(t, "reader@example.org", 10*time.Second)
	if got.Subject != "Your sign-in link for The Gazette" || got.From.Address != "comments@gazette.example" || got.From.Name != "The Gazette" {
		t.Fatalf("got subject %q from %+v", got.Subject, got.From)
	}
	if !strings.Contains(got.Text, base+"/auth/link?t=abc") || !strings.Contains(got.HTML, `href="`+base+`/auth/link?t=abc"`) {
		t.Fatalf("the link is missing:\ntext %q\nhtml %q", got.Text, got.HTML)
	}
	if got.MessageID != "01TEST@gazette.example" {
		t.Fatalf("Message-ID %q", got.MessageID)
	}

	// A wrong password is refused by the server; the error says so.
	bad := newSender(t, "smtp://mailer:wrong@"+srv.SMTPAddr, tlsConf)
	if err := bad.SendEmail(context.Background(), e, ""); err == nil {
		t.Fatal("a wrong SMTP password was accepted")
	}
	// Without trusting the certificate, STARTTLS fails: nothing is sent in
	// the clear to a server that requires it.
	untrusted := newSender(t, "smtp://mailer:s3cret%20pass@"+srv.SMTPAddr, nil)
	if err := untrusted.SendEmail(context.Background(), e, ""); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
}

func TestHeaderInjectionIsRefused(t *testing.T) {
	t.Parallel()
	srv := testmail.Start(t, testmail.Options{})
	snd := newSender(t, srv.SMTPURL(), nil)
	ctx := context.Background()

	// A display name with CR/LF is sent, encoded, and adds no header.
	e := parley.Email{To: "victim@example.org", ToName: "Eve\r\nBcc: spy@evil.example\r\nX-Injected: yes", Subject: "Hello", Text: "Body"}
	must(t, snd.SendEmail(ctx, e, ""))
	got := srv.LatestTo(t, "victim@example.org", 10*time.Second)
	h := srv.Headers(t, got.ID)
	if len(h["Bcc"]) != 0 || len(h["X-Injected"]) != 0 || len(got.Bcc) != 0 {
		t.Fatalf("a header was injected: %v", h)
	}
	for _, m := range srv.Messages(t) {
		for _, to := range m.To {
			if to.Address == "spy@evil.example" {
				t.Fatal("mail went to the injected address")
			}
		}
	}

	// A subject or recipient with CR/LF is refused outright.
	for _, bad := range []parley.Email{
		{To: "victim@example.org", Subject: "Hi\r\nBcc: spy@evil.example", Text: "Body"},
		{To: "victim@example.org\r\nBcc: spy@evil.example", Subject: "Hi", Text: "Body"},
		{To: "victim@example.org", Subject: "Hi", Text: "Body", ListUnsubscribe: "https://x.example/\r\nBcc: spy@evil.example"},
	} {
		if _, err := mailer.Build(&mail.Address{Address: "a@b.example"}, bad, "<x@b.example>", time.Now()); err == nil {
			t.Errorf("Build accepted %+v", bad)
		}
		err := snd.SendEmail(ctx, bad, "")
		var perm interface{ Permanent() bool }
		if err == nil || !errors.As(err, &perm) || !perm.Permanent() {
			t.Errorf("SendEmail(%+v) = %v, want a permanent error", bad, err)
		}
	}
	if n := len(srv.Messages(t)); n != 1 {
		t.Fatalf("%d messages arrived, want 1", n)
	}
	// A sender name with a line break is not a valid --mail-from.
	if _, err := mailer.New(mailer.Config{URL: srv.SMTPURL(), From: "Eve\r\nBcc: spy@evil.example <a@b.example>"}); err == nil {
		t.Fatal("a --mail-from with CR/LF was accepted")
	}
}

func TestServerRefusalIsPermanentAndAnOutageIsNot(t *testing.T) {
	t.Parallel()
	srv := testmail.Start(t, testmail.Options{AllowedRecipients: `@example\.org$`})
	snd := newSender(t, srv.SMTPURL(), nil)
	e := parley.Email{To: "someone@elsewhere.test", Subject: "Hi", Text: "Body"}
	err := snd.SendEmail(context.Background(), e, "")
	var me *mailer.Error
	if !errors.As(err, &me) || me.Code < 500 || !me.Permanent() {
		t.Fatalf("refused recipient: %v, want a permanent 5xx", err)
	}
	srv.Stop()
	e.To = "reader@example.org"
	err = snd.SendEmail(context.Background(), e, "")
	if !errors.As(err, &me) || me.Permanent() {
		t.Fatalf("server down: %v, want a temporary error", err)
	}
}

func TestComposeKeepsOnlyOurLinksAndNoImages(t *testing.T) {
	t.Parallel()
	c := composer(t)
	out := c.Sanitize(`<p>Hi <img src="https://tracker.example/p.gif"><a href="https://evil.example/x">evil</a>
		<a href="javascript:alert(1)">js</a><a href="` + base + `/ok">ours</a><script>alert(1)</script><form action="/x"></form></p>`)
	for _, bad := range []string{"<img", "evil.example", "javascript:", "<script", "<form"} {
		if strings.Contains(out, bad) {
			t.Errorf("sanitized HTML keeps %q: %s", bad, out)
		}
	}
	if !strings.Contains(out, `href="`+base+`/ok"`) {
		t.Errorf("our own link was dropped: %s", out)
	}
	// Text that looks like HTML is escaped in both parts, never markup.
	e, err := c.Compose("r@example.org", "", mailer.Content{Lang: "en", Subject: "s", Paragraphs: []string{`<img src=x onerror=alert(1)>`},
		Quote: `<a href="https://evil.example">click</a>`})
	must(t, err)
	if strings.Contains(e.HTML, "<img") || strings.Contains(e.HTML, `href="https://evil.example"`) || !strings.Contains(e.Text, "<img src=x") {
		t.Fatalf("html %s\ntext %s", e.HTML, e.Text)
	}
	if _, err := c.Compose("r@example.org", "", mailer.Content{Lang: "en", Subject: "s", ActionText: "Go", ActionURL: "https://evil.example/"}); !errors.Is(err, mailer.ErrForeignLink) {
		t.Fatalf("a foreign action link: %v", err)
	}
}

// TestEveryLocaleRenders sends each link email in each language through a
// real SMTP server and reads it back.
func TestEveryLocaleRenders(t *testing.T) {
	t.Parallel()
	srv := testmail.Start(t, testmail.Options{})
	snd := newSender(t, srv.SMTPURL(), nil)
	c := composer(t)
	subjects := map[string]bool{}
	for _, l := range i18n.Languages() {
		for _, kind := range []string{mailer.LinkMagic, mailer.LinkInvite, mailer.LinkReset} {
			to := l.Code + "-" + kind + "@example.org"
			url := base + "/auth/" + kind + "?token=tok-" + l.Code
			e, err := c.LinkMail(l.Code, kind, to, mailer.LinkVars{Name: "Արամ Ivanov", Site: "Gazette", URL: url, Minutes: 30, Inviter: "Nina", Role: parley.RoleModerator})
			must(t, err)
			must(t, snd.SendEmail(context.Background(), e, ""))
			got := srv.LatestTo(t, to, 10*time.Second)
			raw := srv.Raw(t, got.ID)
			if !strings.Contains(got.Subject, "Gazette") || !strings.Contains(got.Text, url) || !strings.Contains(got.HTML, url) ||
				!strings.Contains(got.Text, "Արամ Ivanov") || !strings.Contains(got.Text, "30") {
				t.Errorf("%s %s: subject %q text %q", l.Code, kind, got.Subject, got.Text)
			}
			if strings.Contains(got.Text, "mail.") || strings.Contains(got.HTML, "mail.") || strings.Contains(got.Text, "%!") {
				t.Errorf("%s %s: untranslated key or bad format in %q", l.Code, kind, got.Text)
			}
			if !strings.Contains(raw, "Content-Language: "+l.Code) {
				t.Errorf("%s %s: no Content-Language header", l.Code, kind)
			}
			if subjects[got.Subject] {
				t.Errorf("%s %s: subject %q is the same as another language's", l.Code, kind, got.Subject)
			}
			subjects[got.Subject] = true
		}
	}
}
