// Package httpx is the front door shared by the JSON API (httpapi) and the
// moderator dashboard (modui): who is asking (a bearer token or the session
// cookie, looked up once per request), the CSRF check for cookie-borne
// requests, the session cookie with one Secure rule, and the JSON body and
// error writers that map a parley.Error to its HTTP status.
//
// It holds no policy: the consumer's service decides what a user may do.
package httpx

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
)

// SessionCookie is the session cookie, shared by the API and the dashboard,
// so one login serves both.
const SessionCookie = "parley_session"

// Authenticator resolves credentials to a user. *service.Service is one.
type Authenticator interface {
	SessionUser(ctx context.Context, secret string) (*parley.User, *parley.Session, error)
	BearerUser(ctx context.Context, secret string) (*parley.User, error)
}

// Requester is who made a request.
type Requester struct {
	User *parley.User
	// Session is set when the user came from the session cookie; unsafe
	// requests must then carry its CSRF token.
	Session *parley.Session
	// AuthErr is a bad Authorization header.
	AuthErr error
}

type ctxKey struct{}

// Authenticate resolves the requester from the Authorization header (a
// bearer token) or else the session cookie, and stores it in the request's
// context. It is idempotent: a request already authenticated further out is
// passed on without a second lookup, so the API and the dashboard mounted on
// one mux share one session lookup per request.
func Authenticate(a Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Value(ctxKey{}).(*Requester); ok {
			next.ServeHTTP(w, r)
			return
		}
		rq := &Requester{}
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || strings.TrimSpace(secret) == "" {
				rq.AuthErr = parley.Errorf(parley.EUNAUTHORIZED, "The Authorization header must be \"Bearer TOKEN\".")
			} else if u, err := a.BearerUser(ctx, strings.TrimSpace(secret)); err != nil {
				rq.AuthErr = err
			} else {
				rq.User = u
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			if u, sess, err := a.SessionUser(ctx, c.Value); err == nil {
				rq.User, rq.Session = u, sess
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, rq)))
	})
}

// From returns the request's requester; a zero Requester (a guest) if the
// request did not pass through Authenticate.
func From(r *http.Request) *Requester {
	if rq, ok := r.Context().Value(ctxKey{}).(*Requester); ok {
		return rq
	}
	return &Requester{}
}

// unsafe reports whether the method may change state.
func unsafe(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
}

// CheckCSRF fails with EFORBIDDEN when a cookie-authenticated unsafe
// request lacks the session's CSRF token in the X-CSRF-Token header or the
// csrf_token form field. Token-authenticated requests carry no ambient
// credential and need none.
func (rq *Requester) CheckCSRF(r *http.Request) error {
	if rq.Session == nil || !unsafe(r) {
		return nil
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf_token")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(rq.Session.CSRFToken)) != 1 {
		return parley.Errorf(parley.EFORBIDDEN, "Missing or wrong CSRF token.")
	}
	return nil
}

// User returns the request's signed-in user (nil for guests). It fails on
// a bad bearer token and on a cookie-authenticated unsafe request without
// the CSRF token.
func User(r *http.Request) (*parley.User, error) {
	rq := From(r)
	if rq.AuthErr != nil {
		return nil, rq.AuthErr
	}
	if err := rq.CheckCSRF(r); err != nil {
		return nil, err
	}
	return rq.User, nil
}

// Cookies sets and clears the session cookie.
type Cookies struct {
	// Secure sets the Secure flag on every cookie. Off only for plain-HTTP
	// local development; a request that came over TLS gets it regardless.
	Secure bool
}

// IsSecure is the one Secure-cookie rule: configured, or the request came
// over TLS.
func (c Cookies) IsSecure(r *http.Request) bool { return c.Secure || r.TLS != nil }

// SetSession sets the session cookie to secret until expires.
func (c Cookies) SetSession(w http.ResponseWriter, r *http.Request, secret string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: c.IsSecure(r), SameSite: http.SameSiteLaxMode})
}

// ClearSession removes the session cookie.
func (c Cookies) ClearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.IsSecure(r), SameSite: http.SameSiteLaxMode})
}

// SessionSecret is the session secret the request carries: a bearer session
// token ("ps_…") or the session cookie; "" when there is none.
func SessionSecret(r *http.Request) string {
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.HasPrefix(strings.TrimSpace(h), "ps_") {
		return strings.TrimSpace(h)
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// ClientKey is the rate-limit key for the request's client address: from
// the resolver (which knows the trusted proxies), or the connection's
// address when ips is nil.
func ClientKey(ips *clientip.Resolver, r *http.Request) string {
	return clientip.RateKey(ClientIP(ips, r))
}

// ClientIP is the request's client address (see ClientKey).
func ClientIP(ips *clientip.Resolver, r *http.Request) netip.Addr {
	if ips != nil {
		return ips.ClientIP(r)
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr()
	}
	return netip.Addr{}
}
