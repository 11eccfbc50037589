package service

import (
	"net/url"
	"strings"
	"sync"

	"github.com/parley-comments/parley"
)

// A guest who leaves an email with a comment is asked to confirm it for
// reply notifications (askConfirmation). That mail is the same for every
// reader of a site in a language but for the reader's link token, and
// composing it (translating, the HTML template, the email sanitizer) was a
// fifth of the CPU of a post, spent inside the shared write transaction.
// So it is composed once per site and language with a placeholder token,
// and each reader's copy is the cached one with the token put in.

// confirmPlaceholder stands for a reader's token in a cached confirmation
// mail. Tokens are "pn_" and base64url, which neither URL path escaping nor
// HTML escaping changes, so the placeholder can be replaced textually.
const confirmPlaceholder = "pn_PARLEYREADERTOKENPLACEHOLDER"

// maxConfirmMails bounds the cache; past it, it starts over.
const maxConfirmMails = 1000

// confirmMails caches composed confirmation mails by what they depend on.
type confirmMails struct {
	mu sync.Mutex
	m  map[confirmKey]parley.Email
}

type confirmKey struct {
	siteID, name, origins, lang string
}

// confirmationMail returns the confirmation mail for reader r of site, in
// lang, with its unsubscribe link.
func (s *Service) confirmationMail(site *parley.Site, r *parley.NotifyReader, m *mailText) (parley.Email, error) {
	if !tokenSafe(r.Token) || strings.Contains(site.Name, confirmPlaceholder) {
		return s.composeConfirmation(site, r.Token, m)
	}
	k := confirmKey{siteID: site.ID, name: site.Name, origins: strings.Join(site.Origins, " "), lang: m.lang}
	c := &s.confirms
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok {
		var err error
		if e, err = s.composeConfirmation(site, confirmPlaceholder, m); err != nil {
			return parley.Email{}, err
		}
		c.mu.Lock()
		if c.m == nil || len(c.m) >= maxConfirmMails {
			c.m = map[confirmKey]parley.Email{}
		}
		c.m[k] = e
		c.mu.Unlock()
	}
	e.Text = strings.ReplaceAll(e.Text, confirmPlaceholder, r.Token)
	e.HTML = strings.ReplaceAll(e.HTML, confirmPlaceholder, r.Token)
	e.ListUnsubscribe = strings.ReplaceAll(e.ListUnsubscribe, confirmPlaceholder, r.Token)
	return e, nil
}

// composeConfirmation writes the confirmation mail for the reader whose
// link token is token; To is left empty.
func (s *Service) composeConfirmation(site *parley.Site, token string, m *mailText) (parley.Email, error) {
	m.line("mail.confirm.body", site.Name)
	confirm := s.notifyLink("/notify/" + url.PathEscape(token) + "/confirm")
	m.link(confirm, "mail.confirm.link", confirm)
	m.line("mail.confirm.ignore")
	unsub := s.footer(m, site, &parley.NotifyReader{Token: token}, "")
	e, err := s.email(m, site, "", "", m.t("mail.confirm.subject", site.Name))
	e.ListUnsubscribe = unsub
	return e, err
}

// tokenSafe reports whether a reader token is "pn_" and base64url, which
// the mail's escaping leaves as it is.
func tokenSafe(t string) bool {
	if !strings.HasPrefix(t, "pn_") || len(t) < 4 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
