package mailer

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// TestBuildTextOnlyKeepsTheBody: a mail without an HTML part still carries
// its plain-text body (it was once cut off after the headers).
func TestBuildTextOnlyKeepsTheBody(t *testing.T) {
	t.Parallel()
	msg, err := Build(&mail.Address{Address: "c@news.example"}, parley.Email{To: "r@example.org", Subject: "Hi", Text: "Line one.\nLine two."},
		"<id@news.example>", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(msg), "\r\n\r\n")
	if body != "Line one.\r\nLine two." {
		t.Fatalf("body %q", body)
	}
}
