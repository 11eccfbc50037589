// Package service holds Parley's policy: validation, permissions, the
// moderation state machine, edit windows, duplicate and spam rules, rate
// limits and sanctions. Storage stays thin (parley.Store only moves rows)
// and HTTP stays thin (httpapi only translates requests), so every rule
// lives here once and is tested here once.
//
// The service uses a few pure helper packages directly (render, textnorm,
// dedupe, spamcheck); everything with I/O (the store, the classifier, the
// event bus, the clock) is injected through Options.
package service

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/mailer"
	"github.com/parley-comments/parley/render"
	"github.com/parley-comments/parley/webhook"
)

// Limits on input.
const (
	// MaxBodyChars is the longest comment accepted, in characters (runes).
	MaxBodyChars = 10000
	// MaxNameChars is the longest guest display name.
	MaxNameChars = 80
	// MaxTitleChars is the longest story title kept.
	MaxTitleChars = 300
	// MaxNoteChars is the longest moderator note.
	MaxNoteChars = 2000
	// MaxURLChars is the longest story URL accepted.
	MaxURLChars = 2048
)

// RateLimits are the token-bucket limits on posting. Buckets are stored in
// the database, so several instances share them.
type RateLimits struct {
	Enabled bool
	// PerAddress limits posts per client address (IPv6 grouped by /64).
	PerAddressPerMinute float64
	PerAddressBurst     int
	// PerAuthor limits posts per account or guest email.
	PerAuthorPerMinute float64
	PerAuthorBurst     int
	// Login limits login attempts per client address.
	LoginPerMinute float64
	LoginBurst     int
	// LoginPerAccount limits login attempts per email address, whatever
	// the client address.
	LoginPerAccountPerMinute float64
	LoginPerAccountBurst     int
	// EmailLink limits requests that send email (sign-in links, password
	// resets, invites) per client address, and EmailLinkPerAccount per
	// recipient address or inviting admin.
	EmailLinkPerMinute           float64
	EmailLinkBurst               int
	EmailLinkPerAccountPerMinute float64
	EmailLinkPerAccountBurst     int
}

// DefaultRateLimits are the documented defaults (docs/api.md).
var DefaultRateLimits = RateLimits{
	Enabled:             true,
	PerAddressPerMinute: 6, PerAddressBurst: 10,
	PerAuthorPerMinute: 3, PerAuthorBurst: 5,
	LoginPerMinute: 10, LoginBurst: 10,
	LoginPerAccountPerMinute: 2, LoginPerAccountBurst: 5,
	EmailLinkPerMinute: 5, EmailLinkBurst: 10,
	EmailLinkPerAccountPerMinute: 1, EmailLinkPerAccountBurst: 3,
}

// Options configures a Service. Store and Clock are required.
type Options struct {
	Store      parley.Store
	Clock      parley.Clock
	Classifier parley.Classifier // nil: comments are stored without scores
	// Adapter learns from each site's moderators (nil: no per-site learning).
	Adapter    parley.SiteAdapter
	Bus        parley.EventBus // nil: no live updates
	Index      *dedupe.Index   // nil: no near-duplicate clustering
	Logger     *slog.Logger
	RateLimits RateLimits
	// SessionTTL is how long a login lasts. Default 30 days.
	SessionTTL time.Duration
	// SSO verifies newsrooms' hand-off tokens (nil: SSO sign-in is off).
	SSO parley.SSOVerifier
	// OIDC talks to sites' OpenID Connect providers (nil: OIDC is off).
	OIDC parley.OIDCClient
	// WebhookAllowPrivate lets webhooks reach private, loopback and
	// link-local addresses (--webhook-allow-private).
	WebhookAllowPrivate bool
	// WebhookClient sends webhook deliveries. Default:
	// webhook.NewClient(WebhookAllowPrivate, webhook.DefaultTimeout).
	WebhookClient *http.Client
	// Passwords hashes passwords. Zero: DefaultPasswordHasher. Tests use
	// CheapPasswordHasher.
	Passwords PasswordHasher
	// PublicURL is the base URL readers reach this server at; links in
	// email point there (--public-url). Default http://127.0.0.1:8080.
	PublicURL string
	// LinkTTL is how long sign-in, invite and reset links last. Default 30 minutes.
	LinkTTL time.Duration
	// SessionCacheTTL is how long a session look-up (and a reader's role
	// shown with a thread) is remembered; 0 (the default) remembers
	// nothing. Changes made on this instance take effect at once; a
	// session revoked on another instance still works here for up to
	// this long. cmd/parley serve uses DefaultSessionCacheTTL.
	SessionCacheTTL time.Duration
	// SiteCacheTTL is how long the site a comment is posted to, and its
	// classifier adapter's state, are remembered for the next posts; 0 (the
	// default) remembers nothing. Changes made through this instance's
	// service take effect at once; changes made on another instance (or
	// in the store directly) take effect here within this long.
	// cmd/parley serve uses DefaultSiteCacheTTL.
	SiteCacheTTL time.Duration
}

// DefaultSessionCacheTTL is the session cache's TTL in production.
const DefaultSessionCacheTTL = 2 * time.Second

// Service implements Parley's use cases over a Store.
type Service struct {
	store      parley.Store
	clock      parley.Clock
	classifier parley.Classifier
	adapter    parley.SiteAdapter
	bus        parley.EventBus
	index      *dedupe.Index
	log        *slog.Logger
	limits     RateLimits
	sessionTTL time.Duration
	renderer   *render.Renderer
	sso        parley.SSOVerifier
	oidc       parley.OIDCClient

	webhookAllowPrivate bool
	hookClient          *http.Client
	imports             importJobs // dashboard imports running on this instance

	listenersMu sync.RWMutex
	listeners   []func(parley.Event)

	origins   originCache  // see OriginAllowed
	sessions  sessionCache // see sessionUser
	siteCache siteCache    // see postSite

	hasher    PasswordHasher
	dummyOnce sync.Once
	dummy     string

	outbox outbox // senders by kind and the worker (outbox.go)

	publicURL string
	linkTTL   time.Duration
	mailOnce  sync.Once
	composer  *mailer.Composer
	mailErr   error
	confirms  confirmMails // see confirmationMail
}

// OnEvent registers fn to be called synchronously, in this process, for
// every event the service publishes, before the call that caused it
// returns. Caches use it so that a reader never sees a stale thread after a
// decision made through this instance; other instances learn of changes
// through the EventBus.
func (s *Service) OnEvent(fn func(parley.Event)) {
	s.listenersMu.Lock()
	defer s.listenersMu.Unlock()
	s.listeners = append(s.listeners, fn)
}

// New returns a Service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SessionTTL == 0 {
		o.SessionTTL = 30 * 24 * time.Hour
	}
	if o.Clock == nil {
		o.Clock = parley.SystemClock{}
	}
	if o.PublicURL == "" {
		o.PublicURL = "http://127.0.0.1:8080"
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = 30 * time.Minute
	}
	if o.WebhookClient == nil {
		o.WebhookClient = webhook.NewClient(o.WebhookAllowPrivate, webhook.DefaultTimeout)
	}
	if o.Passwords == (PasswordHasher{}) {
		o.Passwords = DefaultPasswordHasher
	}
	s := &Service{
		store: o.Store, clock: o.Clock, classifier: o.Classifier, adapter: o.Adapter, bus: o.Bus, index: o.Index,
		log: o.Logger, limits: o.RateLimits, sessionTTL: o.SessionTTL, renderer: render.New(), hasher: o.Passwords, sso: o.SSO, oidc: o.OIDC,
		webhookAllowPrivate: o.WebhookAllowPrivate, hookClient: o.WebhookClient,
		outbox:    outbox{wake: make(chan struct{}, 1)},
		publicURL: strings.TrimRight(o.PublicURL, "/"), linkTTL: o.LinkTTL,
		sessions: sessionCache{ttl: o.SessionCacheTTL}, siteCache: siteCache{ttl: o.SiteCacheTTL},
	}
	s.RegisterOutboxSender(parley.OutboxWebhook, OutboxSenderFunc(s.sendWebhook))
	return s
}

// Store returns the underlying store, for wiring code that needs it.
func (s *Service) Store() parley.Store { return s.store }

// now returns the injected clock's time in UTC, truncated to microseconds so
// that it round-trips exactly through both databases.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// publish sends an event after a commit. Failures are logged: events are
// hints, and the data is already durable.
func (s *Service) publish(ctx context.Context, e parley.Event) {
	s.KickOutbox() // a change may have queued mails or webhook deliveries
	s.listenersMu.RLock()
	for _, fn := range s.listeners {
		fn(e)
	}
	s.listenersMu.RUnlock()
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(ctx, e); err != nil {
		s.log.WarnContext(ctx, "publish event", "type", e.Type, "comment", e.CommentID, "err", err)
	}
}

// RenderPreview renders markdown the way a posted comment would be.
func (s *Service) RenderPreview(_ context.Context, body string) (string, error) {
	if err := validateBody(body); err != nil {
		return "", err
	}
	return s.renderer.HTML(body), nil
}
