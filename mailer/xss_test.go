package mailer_test

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/xsscheck"
	"github.com/parley-comments/parley/mailer"
)

// TestStoredXSSCorpusInEveryEmailTemplate renders every email template
// with each payload of testdata/xss/corpus.txt in each place a person's
// words go (the recipient's and the inviter's names, the site's name, a
// paragraph, a quotation, the text around a link), builds the MIME message
// the SMTP sender would send, parses it back, and checks both parts: the
// HTML part by its parsed markup (no script, no event handler, no image,
// no link but to our host), the text part for paragraphs forged by the
// payload and foreign links. The payload's words must still be there, as
// text.
func TestStoredXSSCorpusInEveryEmailTemplate(t *testing.T) {
	t.Parallel()
	c := composer(t)
	host := strings.TrimPrefix(base, "https://")
	from := &mail.Address{Name: "The Gazette", Address: "comments@gazette.example"}
	check := func(name string, e parley.Email) {
		t.Helper()
		if e.HTML == "" {
			t.Errorf("%s: no HTML part", name)
		}
		raw, err := mailer.Build(from, e, "<id@gazette.example>", time.Unix(0, 0))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text, h, hdr, err := xsscheck.MIMEParts(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		nl := strings.NewReplacer("\r\n", "\n", "\r", "\n")
		if text != nl.Replace(e.Text) || h != nl.Replace(e.HTML) {
			t.Errorf("%s: the parts do not survive the MIME round trip", name)
		}
		if len(hdr["To"]) != 1 || len(hdr["Subject"]) != 1 || len(hdr["Bcc"]) != 0 || len(hdr["Cc"]) != 0 {
			t.Errorf("%s: headers %v", name, hdr)
		}
		for _, p := range xsscheck.EmailHTMLProblems(h, host) {
			t.Errorf("%s HTML: %s", name, p)
		}
		for _, p := range xsscheck.EmailTextProblems(text, host) {
			t.Errorf("%s text: %s", name, p)
		}
	}
	link := base + "/moderation/invite?token=tok"
	for i, p := range xsscheck.Corpus(t) {
		// Names and titles reach mails cleaned (one line, no controls);
		// everything else reaches them as typed.
		name := strings.Join(strings.Fields(p), " ")
		for _, kind := range []string{mailer.LinkMagic, mailer.LinkInvite, mailer.LinkReset} {
			e, err := c.LinkMail("en", kind, "to@example.org", mailer.LinkVars{Name: name, Site: name, URL: link, Minutes: 30, Inviter: name, Role: parley.RoleModerator})
			if err != nil {
				t.Fatal(err)
			}
			check(kind, e)
			if name != "" && !strings.Contains(e.Text, name) {
				t.Errorf("%s: payload %d lost from the text part", kind, i)
			}
		}
		e, err := c.Notice("to@example.org", name, "en", "Reply from "+name, []mailer.Line{
			{Text: name + " replied to your comment on “" + name + "”:"},
			{Text: p, Quote: true},
			{Text: "Read it in the discussion: " + link, URL: link},
			{Text: "A foreign link stays text: " + name, URL: name},
			{Rule: true},
			{Text: "You get this mail because you commented on " + name + "."},
			{Text: "Unsubscribe: " + base + "/notify/x/unsubscribe", URL: base + "/notify/x/unsubscribe"},
		})
		if err != nil {
			t.Fatal(err)
		}
		check("notice", e)
		if !strings.Contains(e.HTML, `<a href="`+link+`"`) {
			t.Errorf("notice: our own link is not an anchor: %s", e.HTML)
		}
	}
}
