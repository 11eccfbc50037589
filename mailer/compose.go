package mailer

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
)

// Content is what one email says, already translated. Compose turns it into
// a plain-text body and a sanitized HTML body.
type Content struct {
	Lang       string
	Subject    string
	Greeting   string   // "Hello Anna,"
	Paragraphs []string // before the action
	// Quote is plain text shown as a quotation (for example an approved
	// comment). It is escaped, never interpreted as HTML.
	Quote      string
	ActionText string
	ActionURL  string   // must be on one of the Composer's hosts
	After      []string // after the action: expiry, "ignore this if…"
	Footer     string
}

// Composer renders Content. Links are allowed only to its hosts.
type Composer struct {
	hosts  map[string]bool
	policy *bluemonday.Policy
	cat    *i18n.Catalog
}

// NewComposer returns a Composer whose emails may link only to the hosts
// of the given base URLs (Parley's public URL, a site's origins).
func NewComposer(cat *i18n.Catalog, baseURLs ...string) (*Composer, error) {
	c := &Composer{hosts: map[string]bool{}, cat: cat}
	for _, b := range baseURLs {
		u, err := url.Parse(b)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("mailer: %q is not an http(s) base URL", b)
		}
		c.hosts[strings.ToLower(u.Host)] = true
	}
	// Stricter than comments: no images, no attributes but a few styles,
	// and links only to our own hosts over http(s).
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "blockquote", "div", "span", "hr")
	p.AllowStyles("color", "background-color", "padding", "margin", "border-radius", "border-left", "text-decoration",
		"font-family", "font-size", "font-weight", "line-height", "display").Globally()
	p.AllowAttrs("href").OnElements("a")
	p.RequireParseableURLs(true)
	ours := func(u *url.URL) bool { return c.hosts[strings.ToLower(u.Host)] }
	p.AllowURLSchemeWithCustomPolicy("https", ours)
	p.AllowURLSchemeWithCustomPolicy("http", ours)
	p.RequireNoReferrerOnLinks(true)
	c.policy = p
	return c, nil
}

// ErrForeignLink is returned for an action URL on a host that is not ours.
var ErrForeignLink = errors.New("mailer: the action link is not on one of Parley's hosts")

var htmlTmpl = template.Must(template.New("mail").Parse(`<div style="font-family: sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a">
{{- if .Greeting}}<p>{{.Greeting}}</p>{{end}}
{{- range .Paragraphs}}<p>{{.}}</p>{{end}}
{{- if .Quote}}<blockquote style="border-left: 3px solid #cccccc; margin: 0; padding: 0 12px; color: #444444">{{.Quote}}</blockquote>{{end}}
{{- if .ActionURL}}<p><a href="{{.ActionURL}}" style="display: inline-block; background-color: #1f4fd1; color: #ffffff; padding: 10px 18px; border-radius: 4px; text-decoration: none; font-weight: bold">{{.ActionText}}</a></p>{{end}}
{{- range .After}}<p>{{.}}</p>{{end}}
{{- if .Fallback}}<p style="font-size: 13px; color: #555555">{{.Fallback}}<br>{{.ActionURL}}</p>{{end}}
{{- if .Footer}}<hr><p style="font-size: 12px; color: #777777">{{.Footer}}</p>{{end}}
</div>`))

// Compose renders ct for one recipient. The plain-text part carries the
// same words and the link in full.
func (c *Composer) Compose(to, toName string, ct Content) (parley.Email, error) {
	if ct.ActionURL != "" {
		u, err := url.Parse(ct.ActionURL)
		if err != nil || !c.hosts[strings.ToLower(u.Host)] || (u.Scheme != "https" && u.Scheme != "http") {
			return parley.Email{}, ErrForeignLink
		}
	}
	var t strings.Builder
	para := func(s string) {
		if s != "" {
			t.WriteString(s)
			t.WriteString("\n\n")
		}
	}
	para(ct.Greeting)
	for _, p := range ct.Paragraphs {
		para(p)
	}
	if ct.Quote != "" {
		for _, line := range strings.Split(strings.TrimSpace(ct.Quote), "\n") {
			t.WriteString("> " + line + "\n")
		}
		t.WriteString("\n")
	}
	if ct.ActionURL != "" {
		para(ct.ActionText + ":\n" + ct.ActionURL)
	}
	for _, p := range ct.After {
		para(p)
	}
	if ct.Footer != "" {
		para("-- \n" + ct.Footer)
	}
	fallback := ""
	if ct.ActionURL != "" && c.cat != nil {
		fallback = c.cat.T(ct.Lang, "mail.link.fallback")
	}
	var h bytes.Buffer
	if err := htmlTmpl.Execute(&h, struct {
		Content
		Fallback string
	}{ct, fallback}); err != nil {
		return parley.Email{}, err
	}
	return parley.Email{To: to, ToName: toName, Locale: ct.Lang, Subject: ct.Subject, Text: strings.TrimRight(t.String(), "\n") + "\n",
		HTML: c.policy.Sanitize(h.String())}, nil
}

// Sanitize applies the email HTML policy to html (for tests and for
// callers that build their own HTML).
func (c *Composer) Sanitize(html string) string { return c.policy.Sanitize(html) }

// Link kinds for LinkMail: each has mail.<kind>.subject, .intro and .action
// in the catalog.
const (
	LinkMagic  = "magic_link"
	LinkInvite = "invite"
	LinkReset  = "reset"
)

// LinkVars fill a link email.
type LinkVars struct {
	Name    string // the recipient's name, "" for an anonymous greeting
	Site    string // the site's name
	URL     string // the single-use link
	Minutes int    // how long the link lasts
	Inviter string // invites: who invited
	Role    parley.Role
}

// LinkMail composes a sign-in link, invite or password-reset email in lang
// (English when lang is not one of Parley's languages).
func (c *Composer) LinkMail(lang, kind, to string, v LinkVars) (parley.Email, error) {
	if !i18n.Known(lang) {
		lang = i18n.Fallback
	}
	T := func(key string, args ...any) string { return c.cat.T(lang, key, args...) }
	ct := Content{Lang: lang, Subject: T("mail."+kind+".subject", v.Site), ActionText: T("mail." + kind + ".action"), ActionURL: v.URL,
		After: []string{T("mail.link.expiry", v.Minutes), T("mail.link.ignore")}, Footer: T("mail.footer", v.Site)}
	if v.Name != "" {
		ct.Greeting = T("mail.greeting", v.Name)
	} else {
		ct.Greeting = T("mail.greeting_anonymous")
	}
	if kind == LinkInvite {
		ct.Paragraphs = []string{T("mail.invite.intro", v.Inviter, v.Site, T("mail.role."+string(v.Role)))}
	} else {
		ct.Paragraphs = []string{T("mail."+kind+".intro", v.Site)}
	}
	return c.Compose(to, v.Name, ct)
}
