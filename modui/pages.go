package modui

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/service"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the pages; each is templates/<name>.html parsed with the
// layout and the item partial.
var pageNames = []string{"login", "sites", "error", "queue", "campaigns", "sanctions", "stories", "story", "audit", "webhooks", "webhook", "privacy", "transfer", "team", "outbox", "invite", "reset", "sessions", "signin"}

// parsePages parses every page at startup and checks that each defines
// the blocks the layout needs.
func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/item.html", "templates/hookfields.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("modui: template %s: %w", name, err)
		}
		for _, need := range []string{"layout", "title", "main", "item"} {
			if t.Lookup(need) == nil {
				return nil, fmt.Errorf("modui: template %s does not define %q", name, need)
			}
		}
		out[name] = t
	}
	return out, nil
}

// lazyPages parses the pages on first use (New has checked they parse).
type lazyPages struct {
	once  sync.Once
	pages map[string]*template.Template
}

func (l *lazyPages) get(name string) *template.Template {
	l.once.Do(func() { l.pages, _ = parsePages() })
	return l.pages[name]
}

// page is the data every template gets. Page-specific fields are filled by
// the handlers.
type page struct {
	ui     *UI
	Lang   string
	Dir    string
	Langs  []i18n.Language
	Name   string
	User   *parley.User
	CSRF   string
	Site   *parley.Site
	Role   parley.Role
	Error  string
	Flash  string
	Status int
	UndoMS int64

	// Login.
	Next, Email string
	Providers   []service.SignInProvider
	// Sessions page.
	SessionList    []*parley.Session
	CurrentSession string
	// Sign-in settings page.
	Auth      *parley.SiteAuth
	RoleLines string
	Callback  string
	// Site picker.
	Sites []service.ModeratedSite
	// Queue and campaigns.
	Queue     *queueView
	Campaigns []*campaignView
	// Sanctions and site settings.
	SanctionList   []*parley.Sanction
	AuthorKey      string
	BlockedDomains string
	SiteMode       parley.ModerationMode
	// HideAfterReports is the site's Settings.HideAfterReports.
	HideAfterReports int
	// Stories.
	Stories      []*parley.Story
	NextURL      string
	Story        *parley.Story
	StoryAuthors string
	// Webhooks.
	Webhooks   []*parley.Webhook
	HookForm   *parley.Webhook
	Deliveries []*parley.WebhookDelivery
	// Team, outbox, invitations and password resets (email.go).
	Invites      []*parley.AuthLink
	Team         []service.TeamMember
	Minutes      int
	Outbox       *service.OutboxPage
	OutboxStatus parley.OutboxStatus
	Token        string
	Invite       *service.InviteInfo
	// InviteOIDC accepts the invitation through the site's OIDC provider.
	InviteOIDC, InviteOIDCLabel string
	Sent                        bool
	// Guests is the site's "guests may comment" setting.
	Guests bool
	// Audit.
	Audit      []*parley.AuditEntry
	AuditQuery url.Values
	ExportCSV  string
	ExportJSON string
	// Import and export.
	Jobs []*service.ImportJob
}

// newPage returns the common page data for a request.
func (ui *UI) newPage(r *http.Request, rq *request, name string) *page {
	p := &page{ui: ui, Lang: rq.lang, Dir: i18n.Dir(rq.lang), Langs: i18n.Languages(), Name: name, User: rq.user, Site: rq.site, Role: rq.role,
		UndoMS: ui.undo.Milliseconds()}
	if rq.session != nil {
		p.CSRF = rq.session.CSRFToken
	}
	if d := r.URL.Query().Get("done"); d != "" && ui.cat.Has("done."+d) {
		p.Flash = ui.cat.T(rq.lang, "done."+d)
	}
	return p
}

// SiteLocale is the site's default widget language.
func (p *page) SiteLocale() string {
	if p.Site == nil {
		return i18n.Fallback
	}
	return p.Site.Settings.WithDefaults().Locale
}

// LangName is a content language's name in the page's language ("hy" is
// "Armenian" in English, "армянский" in Russian).
func (p *page) LangName(code string) string { return p.ui.cat.LanguageName(p.Lang, code) }

// T translates key into the page's language.
func (p *page) T(key string, args ...any) string { return p.ui.cat.T(p.Lang, key, args...) }

// Asset returns a static file's content-hashed URL.
func (p *page) Asset(name string) string { return p.ui.assets.url(name) }

// IsAdmin reports whether the user is an admin of the current site.
func (p *page) IsAdmin() bool { return p.Role == parley.RoleAdmin }

// StatusName is a status's display name.
func (p *page) StatusName(s parley.Status) string {
	if s == "" {
		return ""
	}
	return p.T("status." + string(s))
}

// ReasonName is a policy reason's display name.
func (p *page) ReasonName(r parley.Reason) string {
	if r == "" {
		return ""
	}
	return p.T("reason." + string(r))
}

// LabelName is a classifier label's display name.
func (p *page) LabelName(l parley.Label) string { return p.T("label." + string(l)) }

// Time formats a time for moderators, in UTC.
func (p *page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ISOTime formats a time for a <time datetime> attribute.
func (p *page) ISOTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Reasons lists the policy reasons with their digit shortcuts.
func (p *page) Reasons() []reasonOpt {
	out := make([]reasonOpt, len(parley.Reasons))
	for i, r := range parley.Reasons {
		out[i] = reasonOpt{Value: r, Name: p.ReasonName(r), Digit: i + 1}
	}
	return out
}

// Labels lists the classifier labels.
func (p *page) Labels() []parley.Label { return parley.Labels }

// JSStrings are the messages the browser script needs.
func (p *page) JSStrings() map[string]string {
	out := map[string]string{}
	for _, prefix := range []string{"js.", "reason.", "status."} {
		for _, k := range p.ui.cat.Keys(prefix) {
			out[k] = p.T(k)
		}
	}
	return out
}

// ItemCtx pairs an item with the page, for the item partial.
func (p *page) ItemCtx(it *itemView) itemCtx { return itemCtx{P: p, It: it} }

// SiteURL returns a path under the current site.
func (p *page) SiteURL(rest string) string {
	if p.Site == nil {
		return "/moderation"
	}
	return "/moderation/s/" + url.PathEscape(p.Site.ID) + rest
}

// Link returns a path under the current site with query parameters
// (key, value pairs), escaped here so that templates never splice values
// into a URL.
func (p *page) Link(rest string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	if len(q) == 0 {
		return p.SiteURL(rest)
	}
	return p.SiteURL(rest) + "?" + q.Encode()
}

// PathLink returns a path under the current site ending with escaped
// path segments.
func (p *page) PathLink(rest string, segs ...string) string {
	out := p.SiteURL(rest)
	for _, s := range segs {
		out += "/" + url.PathEscape(s)
	}
	return out
}

type reasonOpt struct {
	Value parley.Reason
	Name  string
	Digit int
}

type itemCtx struct {
	P  *page
	It *itemView
}

// ActionName is an audit action's display name (the action itself if it
// has none).
func (p *page) ActionName(a string) string {
	if p.ui.cat.Has("audit.action." + a) {
		return p.T("audit.action." + a)
	}
	return a
}
