// Package httpapi serves Parley's JSON API (v1) over net/http with Go 1.22
// routing. It translates requests into service calls and parley.Error codes
// into HTTP statuses, in one place (writeError). It holds no policy.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/internal/router"
	"github.com/parley-comments/parley/service"
)

// MaxRequestBytes is the largest JSON request body accepted.
const MaxRequestBytes = httpx.MaxRequestBytes

// Cookie names.
const (
	SessionCookie = httpx.SessionCookie
	GuestCookie   = "parley_guest"
)

// Config configures the API server.
type Config struct {
	Service  Service
	Bus      parley.EventBus // live updates; nil disables the event streams
	Resolver *clientip.Resolver
	Logger   *slog.Logger
	// SecureCookies sets the Secure flag on cookies. Turn it off only for
	// plain-HTTP local development.
	SecureCookies bool
	// Ready reports whether the server can take traffic (for /healthz).
	Ready func(ctx context.Context) error
}

// Server is the HTTP API.
type Server struct {
	svc     Service
	bus     parley.EventBus
	ips     *clientip.Resolver
	log     *slog.Logger
	cookies httpx.Cookies
	ready   func(ctx context.Context) error
	mux     *router.Mux
	metrics *metrics
	cache   *threadCache
	cat     *i18n.Catalog // the popup's and the email-link page's text
	stop    context.CancelFunc
}

// New returns a Server with every API route registered.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Resolver == nil {
		cfg.Resolver, _ = clientip.NewResolver(nil)
	}
	s := &Server{svc: cfg.Service, bus: cfg.Bus, ips: cfg.Resolver, log: cfg.Logger, cookies: httpx.Cookies{Secure: cfg.SecureCookies}, ready: cfg.Ready,
		mux: router.New(), metrics: newMetrics(), cache: newThreadCache(time.Now), cat: mustCatalog()}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	cfg.Service.OnEvent(s.cache.invalidate)
	if cfg.Bus != nil {
		go s.cache.follow(ctx, cfg.Bus)
	}
	s.routes()
	return s
}

// MetricsHandler serves the Prometheus metrics. It is not on the API's
// router: cmd/parley serves it on its own listener (--metrics-addr).
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }

// Close stops the server's background work (the cache's event follower).
func (s *Server) Close() { s.stop() }

// Mux returns the router, so that other packages (widget, dashboard, demo)
// can register their routes on it.
func (s *Server) Mux() *router.Mux { return s.mux }

// Handler returns the root handler with the shared middleware.
func (s *Server) Handler() http.Handler {
	return s.metrics.instrument(s.mux.ServeMux, s.recoverPanics(s.securityHeaders(s.cors(s.guardUnsafe(httpx.Authenticate(s.svc, s.mux))))))
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.handleHealth)
	m.HandleFunc("GET /favicon.ico", handleFavicon)

	m.HandleFunc("GET /api/v1/comments", s.handleListComments)
	m.HandleFunc("POST /api/v1/comments", s.handlePostComment)
	m.HandleFunc("PATCH /api/v1/comments/{id}", s.handleEditComment)
	m.HandleFunc("POST /api/v1/comments/{id}/report", s.handleReport)
	m.HandleFunc("POST /api/v1/preview", s.handlePreview)
	m.HandleFunc("GET /api/v1/stream", s.handlePublicStream)

	m.HandleFunc("POST /api/v1/auth/login", s.handleLogin)
	m.HandleFunc("POST /api/v1/auth/logout", s.handleLogout)
	m.HandleFunc("GET /api/v1/auth/me", s.handleMe)
	m.HandleFunc("POST /api/v1/auth/sso", s.handleSSO)
	m.HandleFunc("GET /api/v1/account/sessions", s.handleListSessions)
	m.HandleFunc("DELETE /api/v1/account/sessions/{id}", s.handleRevokeSession)
	m.HandleFunc("GET /auth/oidc/{site}/start", s.handleOIDCStart)
	m.HandleFunc("GET /auth/oidc/callback", s.handleOIDCCallback)
	m.HandleFunc("GET /auth/popup", s.handlePopup)
	m.HandleFunc("POST /auth/popup", s.handlePopupLogin)
	m.HandleFunc("GET /auth/popup.js", handleAsset("popup.js", "text/javascript; charset=utf-8"))
	m.HandleFunc("GET /auth/popup.css", handleAsset("popup.css", "text/css; charset=utf-8"))

	m.HandleFunc("GET /api/v1/moderation/queue", s.handleQueue)
	m.HandleFunc("GET /api/v1/moderation/comments/{id}", s.handleModComment)
	m.HandleFunc("POST /api/v1/moderation/comments/{id}/approve", s.handleDecide(service.ActionApprove))
	m.HandleFunc("POST /api/v1/moderation/comments/{id}/reject", s.handleDecide(service.ActionReject))
	m.HandleFunc("POST /api/v1/moderation/comments/{id}/spam", s.handleDecide(service.ActionSpam))
	m.HandleFunc("POST /api/v1/moderation/bulk", s.handleBulk)
	m.HandleFunc("GET /api/v1/moderation/audit", s.handleAudit)
	m.HandleFunc("GET /api/v1/moderation/sanctions", s.handleListSanctions)
	m.HandleFunc("POST /api/v1/moderation/sanctions", s.handleAddSanction)
	m.HandleFunc("DELETE /api/v1/moderation/sanctions/{id}", s.handleRemoveSanction)
	m.HandleFunc("POST /api/v1/moderation/reports/{id}/sanction-reporter", s.handleSanctionReporter)
	m.HandleFunc("PATCH /api/v1/moderation/stories/{id}", s.handleUpdateStory)
	m.HandleFunc("GET /api/v1/moderation/stream", s.handleModStream)
	m.HandleFunc("PUT /api/v1/admin/sites/{id}/settings", s.handleSiteSettings)
	m.HandleFunc("GET /api/v1/admin/sites/{id}/auth", s.handleGetSiteAuth)
	m.HandleFunc("PUT /api/v1/admin/sites/{id}/auth", s.handlePutSiteAuth)
	m.HandleFunc("POST /api/v1/admin/sites/{id}/users/{user}/revoke-sessions", s.handleAdminRevokeSessions)
	m.HandleFunc("GET /api/v1/admin/sites/{id}/adapter", s.handleAdapterStatus)
	m.HandleFunc("DELETE /api/v1/admin/sites/{id}/adapter", s.handleAdapterReset)
	s.webhookRoutes()
	s.emailRoutes()
	m.HandleFunc("POST /api/v1/privacy/requests", s.handlePrivacyRequest)

	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, parley.Errorf(parley.ENOTFOUND, "No such API endpoint."))
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			s.log.WarnContext(ctx, "health check failed", "err", err)
			s.writeError(w, r, parley.Errorf(parley.EUNAVAILABLE, "Not ready."))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// permissionsPolicy turns off browser features that neither the widget's
// API nor the dashboard use.
const permissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), " +
	"magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=()"

// securityHeaders sets headers every response should carry.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", permissionsPolicy)
		if s.cookies.Secure {
			// Secure cookies mean Parley is served over HTTPS.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// cors answers browsers calling the public API from a news site. The
// widget authenticates with headers (a bearer token, a guest token), never
// with cookies, so credentials are not allowed cross-origin. An origin is
// allowed if any site lists it; the site in the request is checked by the
// service.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !strings.HasPrefix(r.URL.Path, "/api/v1/") || strings.HasPrefix(r.URL.Path, "/api/v1/moderation/") || strings.HasPrefix(r.URL.Path, "/api/v1/admin/") {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if s.originAllowed(r.Context(), origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "Retry-After")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, Idempotency-Key, X-Parley-Guest-Token, Accept-Language")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) originAllowed(ctx context.Context, origin string) bool {
	ok, err := s.svc.OriginAllowed(ctx, origin)
	if err != nil {
		s.log.WarnContext(ctx, "allowed origins for CORS", "err", err)
	}
	return ok
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", "panic", v, "path", r.URL.Path)
				s.writeError(w, r, parley.Errorf(parley.EINTERNAL, "Internal error."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
